package io.tes4j.transfer.internal.ftp;

import static io.tes4j.transfer.internal.ftp.FtpTestSupport.bytes;
import static io.tes4j.transfer.internal.ftp.FtpTestSupport.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tes4j.transfer.StorageUrl;
import io.tes4j.transfer.TransferException;
import io.tes4j.transfer.TransferException.Reason;
import io.tes4j.transfer.TransferPolicy;
import io.tes4j.transfer.TransferSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.commons.net.ftp.FTPClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transfer policy over FTP: data connections go to the control connection's host whatever a
 * {@code PASV} reply names, and the control connection is judged by the address it connects to.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FtpPolicyTest {
  private static final TransferPolicy SERVER =
      TransferPolicy.builder().allowSchemes("ftp", "ftps").allowPrivateAddresses(false).build();

  private static byte[] read(FtpStorage storage, StorageUrl url) throws IOException {
    try (InputStream in = storage.openRead(url, 0)) {
      return in.readAllBytes();
    }
  }

  @Nested
  class PassiveRepliesNamingAnotherAddress {
    // The server says 127.0.0.2 in its PASV replies but accepts data connections on 127.0.0.1 only.
    @RegisterExtension final TestFtpServer ftp = new TestFtpServer().passiveExternalAddress("127.0.0.2");

    @Test
    void dataConnectionsGoToTheControlConnectionsAddress() throws IOException {
      byte[] content = bytes(100_000, 3);
      ftp.put("data.bin", content);
      StorageUrl url = StorageUrl.parse(ftp.aliceUrl("/data.bin"));
      try (FtpStorage storage = new FtpStorage(settings().build())) {
        assertThat(read(storage, url)).isEqualTo(content);
      }
    }

    @Test
    void evenWhenTheSystemPropertyAsksForThePasvAddress() throws IOException {
      // commons-net reads this property in FTPClient's constructor; the storage sets the rule itself.
      String before = System.getProperty(FTPClient.FTP_IP_ADDRESS_FROM_PASV_RESPONSE);
      System.setProperty(FTPClient.FTP_IP_ADDRESS_FROM_PASV_RESPONSE, "true");
      try (FtpStorage storage = new FtpStorage(settings().build())) {
        byte[] content = bytes(1000, 4);
        ftp.put("data.bin", content);
        assertThat(read(storage, StorageUrl.parse(ftp.aliceUrl("/data.bin")))).isEqualTo(content);
      } finally {
        if (before == null) {
          System.clearProperty(FTPClient.FTP_IP_ADDRESS_FROM_PASV_RESPONSE);
        } else {
          System.setProperty(FTPClient.FTP_IP_ADDRESS_FROM_PASV_RESPONSE, before);
        }
      }
    }
  }

  @Nested
  class PassiveRepliesNamingAnotherAddressOverTls {
    @TempDir static Path keys;
    static Path certificate;

    @BeforeAll
    static void makeCertificate() throws IOException, InterruptedException {
      certificate = TestCertificates.selfSigned(keys);
    }

    @RegisterExtension
    final TestFtpServer ftp = new TestFtpServer()
        .explicitTls(certificate, TestCertificates.PASSWORD)
        .passiveExternalAddress("127.0.0.2");

    @Test
    void encryptedDataConnectionsGoToTheControlConnectionsAddressToo() throws Exception {
      byte[] content = bytes(50_000, 5);
      ftp.put("secret.bin", content);
      StorageUrl url = StorageUrl.parse(ftp.aliceUrl("/secret.bin").replaceFirst("^ftp:", "ftps:"));
      TransferSettings named = settings().policy(SERVER.toBuilder().allowHosts("127.0.0.1").build()).build();
      try (FtpStorage storage = new FtpStorage(named, TestCertificates.trusting(certificate))) {
        assertThat(read(storage, url)).isEqualTo(content);
      }
    }
  }

  @Nested
  class ControlConnections {
    @RegisterExtension final TestFtpServer ftp = new TestFtpServer();

    private TransferException refused(TransferPolicy policy, String url) {
      try (FtpStorage storage = new FtpStorage(settings().policy(policy).build())) {
        TransferException e = catchThrowableOfType(TransferException.class, () -> storage.stat(StorageUrl.parse(url)));
        assertThat(e).isNotNull();
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.NOT_ALLOWED);
        return e;
      }
    }

    @Test
    void aNameIsJudgedByTheAddressItConnectsTo() throws IOException {
      String url = "ftp://" + TestFtpServer.ALICE + ":" + TestFtpServer.ALICE_PASSWORD + "@localhost:" + ftp.port()
          + "/data.bin";
      TransferException e = refused(SERVER.toBuilder().allowHosts("*").build(), url);
      assertThat(e.getMessage())
          .contains("refused to connect to localhost:" + ftp.port() + ": the host 'localhost' has the address")
          .contains("loopback")
          .endsWith("allow it with --allow-host localhost")
          .doesNotContain(TestFtpServer.ALICE_PASSWORD);
      assertThat(ftp.statistics().getTotalConnectionNumber()).as("no connection reached the server").isZero();

      byte[] content = bytes(1000, 6);
      ftp.put("data.bin", content);
      try (FtpStorage storage = new FtpStorage(settings().policy(SERVER.toBuilder().allowHosts("localhost").build())
          .build())) {
        assertThat(read(storage, StorageUrl.parse(url))).isEqualTo(content);
      }
    }

    @Test
    void anAddressIsRefusedUnlessNamed() throws IOException {
      refused(SERVER, ftp.aliceUrl("/data.bin"));
      assertThat(ftp.statistics().getTotalConnectionNumber()).isZero();
      ftp.put("data.bin", new byte[] {1, 2, 3});
      try (FtpStorage storage = new FtpStorage(settings().policy(SERVER.toBuilder().allowHosts("127.0.0.1").build())
          .build())) {
        assertThat(read(storage, StorageUrl.parse(ftp.aliceUrl("/data.bin")))).containsExactly(1, 2, 3);
      }
    }
  }
}
