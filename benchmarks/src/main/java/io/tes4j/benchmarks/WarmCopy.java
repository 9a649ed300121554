package io.tes4j.benchmarks;

import io.tes4j.transfer.TransferSettings;
import io.tes4j.transfer.Transfers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Copies one file the same way several times in one JVM, and prints each copy's time, so that the
 * speed of tes4j's transfer code once the JVM is started and its JIT warm can be told apart from
 * the start-up that every {@code tes4j cp} pays. {@code transfer-vs-curl.sh} runs it for its
 * {@code warm c/t} column.
 *
 * <pre>
 * java -cp tes-cli/target/tes4j.jar:benchmarks/target/classes io.tes4j.benchmarks.WarmCopy RUNS SRC DST
 * </pre>
 *
 * <p>One side is a local path, the other a URL, as for {@code tes4j cp}. Settings and credentials
 * come from the environment ({@code AWS_*}, {@code TES4J_S3_PAYLOAD_SIGNING}...), as for the
 * CLI. Prints {@code run N: SECONDS} per copy, then {@code best-warm: SECONDS}: the best of the
 * runs after the first (the first pays for loading classes and the cold JIT).
 */
public final class WarmCopy {
  private WarmCopy() {}

  /**
   * Runs the copies.
   *
   * @param args RUNS (at least 2), SRC, DST
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 3 || !args[0].matches("[2-9]|[1-9][0-9]+")) {
      System.err.println("usage: WarmCopy RUNS SRC DST  (RUNS >= 2; one of SRC and DST a local path)");
      System.exit(2);
    }
    int runs = Integer.parseInt(args[0]);
    String source = args[1];
    String target = args[2];
    boolean download = isUrl(source);
    if (download == isUrl(target)) {
      System.err.println("WarmCopy: exactly one of SRC and DST must be a URL (scheme://...)");
      System.exit(2);
    }
    double best = Double.MAX_VALUE;
    try (Transfers transfers = Transfers.create(TransferSettings.fromEnvironment(System.getenv()))) {
      for (int run = 1; run <= runs; run++) {
        long start = System.nanoTime();
        if (download) {
          Path path = Path.of(target);
          Files.deleteIfExists(path);
          transfers.download(source, path);
        } else {
          transfers.upload(Path.of(source), target);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "run %d: %.3f%n", run, seconds);
        if (run > 1) {
          best = Math.min(best, seconds);
        }
      }
    }
    System.out.printf(Locale.ROOT, "best-warm: %.3f%n", best);
  }

  private static boolean isUrl(String text) {
    return text.matches("[A-Za-z][A-Za-z0-9+.-]*://.*");
  }
}
