package io.tes4j.transfer;

import java.nio.file.Path;

/**
 * Run in a JVM of its own by {@link HttpTransfersTest}: downloads {@code args[0]} to {@code args[1]}
 * and uploads that file to {@code args[2]}, so that the test can list the classes this loads.
 */
final class PlainHttpCopy {
  private PlainHttpCopy() {}

  public static void main(String[] args) {
    try (Transfers transfers = Transfers.create(TransferSettings.defaults())) {
      transfers.download(args[0], Path.of(args[1]));
      transfers.upload(Path.of(args[1]), args[2]);
    }
  }
}
