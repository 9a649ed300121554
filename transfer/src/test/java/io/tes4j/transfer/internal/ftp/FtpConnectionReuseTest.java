package io.tes4j.transfer.internal.ftp;

import static io.tes4j.transfer.internal.ftp.FtpTestSupport.bytes;
import static io.tes4j.transfer.internal.ftp.FtpTestSupport.settings;
import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.transfer.ObjectInfo;
import io.tes4j.transfer.StorageUrl;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Pooled connections that the server closed while idle are detected (NOOP) and replaced. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FtpConnectionReuseTest {
  @RegisterExtension final TestFtpServer ftp = new TestFtpServer().idleTimeoutSeconds(1);

  @Test
  void aConnectionTheServerDroppedWhileIdleIsReplaced() throws InterruptedException {
    ftp.put("f.txt", bytes(5, 1));
    StorageUrl url = StorageUrl.parse(ftp.aliceUrl("/f.txt"));
    try (FtpStorage storage = new FtpStorage(settings().build())) {
      assertThat(storage.stat(url)).get().extracting(ObjectInfo::size).isEqualTo(5L);
      assertThat(storage.idleConnections()).isEqualTo(1);

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (ftp.statistics().getCurrentConnectionNumber() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(ftp.statistics().getCurrentConnectionNumber()).as("the server closed the idle connection").isZero();

      assertThat(storage.stat(url)).get().extracting(ObjectInfo::size).isEqualTo(5L);
      assertThat(ftp.statistics().getTotalLoginNumber()).isEqualTo(2);
      assertThat(storage.idleConnections()).isEqualTo(1);
    }
  }
}
