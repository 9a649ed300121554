package io.tes4j.transfer.internal.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.tes4j.transfer.TransferException;
import io.tes4j.transfer.TransferSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Data, digests and checks shared by the FTP tests. */
final class FtpTestSupport {
  static final long MIB = 1024 * 1024;

  private FtpTestSupport() {}

  /** Short timeouts: a test that hangs fails in seconds, not minutes. */
  static TransferSettings.Builder settings() {
    return TransferSettings.builder().connectTimeout(Duration.ofSeconds(3)).readTimeout(Duration.ofSeconds(10));
  }

  /** Repeatable pseudo-random bytes. */
  static byte[] bytes(int size, long seed) {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    return data;
  }

  /** Writes {@code size} pseudo-random bytes to {@code file} in 1 MiB chunks; returns their SHA-256. */
  static String writeRandomFile(Path file, long size, long seed) throws IOException {
    MessageDigest digest = sha256();
    Random random = new Random(seed);
    byte[] chunk = new byte[(int) MIB];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long left = size; left > 0; ) {
        int n = (int) Math.min(chunk.length, left);
        random.nextBytes(chunk);
        out.write(chunk, 0, n);
        digest.update(chunk, 0, n);
        left -= n;
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** The SHA-256 of a file, read in chunks. */
  static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return sha256(in);
    }
  }

  /** The SHA-256 of a stream, read in chunks to its end. */
  static String sha256(InputStream in) throws IOException {
    MessageDigest digest = sha256();
    byte[] buffer = new byte[64 * 1024];
    for (int n; (n = in.read(buffer)) >= 0; ) {
      digest.update(buffer, 0, n);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Neither the throwable nor any cause or suppressed one mentions {@code secret}. */
  static void assertSecretNowhere(Throwable thrown, String secret) {
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      assertThat(String.valueOf(t.getMessage())).doesNotContain(secret);
      assertThat(t.toString()).doesNotContain(secret);
      for (Throwable suppressed : t.getSuppressed()) {
        assertSecretNowhere(suppressed, secret);
      }
    }
  }

  /** What {@code call} throws, which must be a {@link TransferException}. */
  static TransferException failure(ThrowingCallable call) {
    Throwable thrown = catchThrowable(call);
    assertThat(thrown).isInstanceOf(TransferException.class);
    return (TransferException) thrown;
  }
}
