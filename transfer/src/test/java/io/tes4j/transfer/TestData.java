package io.tes4j.transfer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/** Bytes, digests, quick settings and a recording listener for the tests. */
final class TestData {
  static final int MIB = 1024 * 1024;

  private TestData() {}

  /** {@code size} pseudo-random bytes, the same for the same seed. */
  static byte[] bytes(int size, long seed) {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    return data;
  }

  static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256(Path file) throws IOException {
    return sha256(Files.readAllBytes(file));
  }

  /** Fast retries: three attempts, 10 to 50 ms apart. */
  static TransferSettings.Builder quick() {
    return TransferSettings.builder().retries(3, Duration.ofMillis(10), Duration.ofMillis(50));
  }

  /** Every path under {@code dir} (files and directories), relative, with / separators, sorted. */
  static List<String> tree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(p -> !p.equals(dir))
          .map(p -> dir.relativize(p).toString().replace('\\', '/') + (Files.isDirectory(p) ? "/" : ""))
          .sorted()
          .toList();
    }
  }

  /** Names of leftover temporary files under {@code dir}. */
  static List<String> tempFiles(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.map(p -> p.getFileName().toString()).filter(n -> n.contains(".tes4j-")).toList();
    }
  }

  /** Records what a transfer reports. */
  static final class Recorder implements TransferListener {
    record Progress(StorageUrl source, long done, long total) {}

    record Retry(StorageUrl source, int attempt, Throwable failure) {}

    record Completed(StorageUrl source, StorageUrl target, long bytes) {}

    final List<Progress> progress = new CopyOnWriteArrayList<>();
    final List<Retry> retries = new CopyOnWriteArrayList<>();
    final List<Completed> completed = new CopyOnWriteArrayList<>();

    @Override
    public void progress(StorageUrl source, long bytesDone, long bytesTotal) {
      progress.add(new Progress(source, bytesDone, bytesTotal));
    }

    @Override
    public void completed(StorageUrl source, StorageUrl target, long bytes) {
      completed.add(new Completed(source, target, bytes));
    }

    @Override
    public void retrying(StorageUrl source, int attempt, Throwable failure) {
      retries.add(new Retry(source, attempt, failure));
    }

    Progress lastProgress() {
      return progress.get(progress.size() - 1);
    }
  }
}
