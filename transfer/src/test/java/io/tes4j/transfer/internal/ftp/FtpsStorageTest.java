package io.tes4j.transfer.internal.ftp;

import static io.tes4j.transfer.internal.ftp.FtpTestSupport.MIB;
import static io.tes4j.transfer.internal.ftp.FtpTestSupport.assertSecretNowhere;
import static io.tes4j.transfer.internal.ftp.FtpTestSupport.bytes;
import static io.tes4j.transfer.internal.ftp.FtpTestSupport.failure;
import static io.tes4j.transfer.internal.ftp.FtpTestSupport.settings;
import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.transfer.ObjectInfo;
import io.tes4j.transfer.StorageUrl;
import io.tes4j.transfer.TransferException;
import io.tes4j.transfer.TransferException.Reason;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code ftps://}: explicit TLS (AUTH TLS, PROT P) against FtpServer with a self-signed certificate. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FtpsStorageTest {
  @TempDir static Path keys;
  static Path forLoopback;
  static Path forAnotherName;

  @BeforeAll
  static void makeCertificates() throws IOException, InterruptedException {
    forLoopback = TestCertificates.selfSigned(keys);
    forAnotherName = TestCertificates.selfSigned(keys, "dns:ftp.example.invalid");
  }

  private static String ftps(TestFtpServer ftp, String path) {
    return ftp.aliceUrl(path).replaceFirst("^ftp:", "ftps:");
  }

  @Nested
  class CertificateForTheHost {
    @RegisterExtension
    final TestFtpServer ftp = new TestFtpServer().explicitTls(forLoopback, TestCertificates.PASSWORD);

    @Test
    void uploadListAndDownloadOverTls() throws Exception {
      byte[] content = bytes((int) (2 * MIB) + 3, 21);
      StorageUrl url = StorageUrl.parse(ftps(ftp, "/secure/dir/file.bin"));
      try (FtpStorage storage = new FtpStorage(settings().build(), TestCertificates.trusting(forLoopback))) {
        assertThat(storage.write(url, new ByteArrayInputStream(content), content.length, n -> {}))
            .isEqualTo(content.length);

        assertThat(Files.readAllBytes(ftp.home().resolve("secure/dir/file.bin"))).isEqualTo(content);
        assertThat(storage.stat(url)).get().extracting(ObjectInfo::size).isEqualTo((long) content.length);
        assertThat(storage.list(StorageUrl.parse(ftps(ftp, "/secure/"))))
            .extracting(info -> info.url().toString())
            .containsExactly(ftps(ftp, "/secure/dir/file.bin").replace(TestFtpServer.ALICE_PASSWORD, "****"));
        try (InputStream in = storage.openRead(url, 0)) {
          assertThat(in.readAllBytes()).isEqualTo(content);
        }
        assertThat(ftp.statistics().getTotalLoginNumber()).isEqualTo(1);
      }
    }

    @Test
    void aCertificateThatTheJvmDoesNotTrustIsRefused() {
      StorageUrl url = StorageUrl.parse(ftps(ftp, "/x.txt"));
      try (FtpStorage storage = new FtpStorage(settings().build())) {
        TransferException e = failure(() -> storage.stat(url));

        assertThat(e.reason()).isEqualTo(Reason.FAILED);
        assertThat(e.getMessage()).contains("TLS handshake failed", "trusted");
        assertSecretNowhere(e, TestFtpServer.ALICE_PASSWORD);
        assertThat(ftp.statistics().getTotalLoginNumber()).isZero();
      }
    }
  }

  @Nested
  class CertificateForAnotherName {
    @RegisterExtension
    final TestFtpServer ftp = new TestFtpServer().explicitTls(forAnotherName, TestCertificates.PASSWORD);

    @Test
    void aTrustedCertificateForAnotherHostIsRefused() throws Exception {
      StorageUrl url = StorageUrl.parse(ftps(ftp, "/x.txt"));
      try (FtpStorage storage = new FtpStorage(settings().build(), TestCertificates.trusting(forAnotherName))) {
        TransferException e = failure(() -> storage.stat(url));

        assertThat(e.reason()).isEqualTo(Reason.FAILED);
        assertThat(e.getMessage()).contains("TLS handshake failed");
        assertThat(ftp.statistics().getTotalLoginNumber()).isZero();
      }
    }
  }
}
