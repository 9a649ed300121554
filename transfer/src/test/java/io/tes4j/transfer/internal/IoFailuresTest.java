package io.tes4j.transfer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.transfer.StorageUrl;
import io.tes4j.transfer.TransferException;
import io.tes4j.transfer.TransferException.Reason;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

/**
 * I/O failures become the reasons users act on. The JDK reports a full disk as an IOException
 * whose text is the OS's ("No space left on device"), which is what these cases reproduce; a real
 * full disk cannot be made here without privileges.
 */
class IoFailuresTest {
  private static final StorageUrl URL = StorageUrl.parse("ftp://alice:s3cr3t@host/data/x.bin");

  private static TransferException classify(IOException e) {
    return IoFailures.classify(URL, e);
  }

  @Test
  void aFullDiskIsDiskFullWhicheverWayTheJdkSaysIt() {
    assertThat(classify(new IOException("No space left on device")).reason()).isEqualTo(Reason.DISK_FULL);
    assertThat(classify(new FileSystemException("/w/x", null, "No space left on device")).reason())
        .isEqualTo(Reason.DISK_FULL);
    assertThat(classify(new IOException("There is not enough space on the disk")).reason())
        .isEqualTo(Reason.DISK_FULL);
  }

  @Test
  void eachCauseHasItsReason() {
    assertThat(classify(new NoSuchFileException("/x")).reason()).isEqualTo(Reason.NOT_FOUND);
    assertThat(classify(new FileNotFoundException("/x")).reason()).isEqualTo(Reason.NOT_FOUND);
    assertThat(classify(new AccessDeniedException("/x")).reason()).isEqualTo(Reason.ACCESS_DENIED);
    assertThat(classify(new ConnectException("Connection refused")).reason()).isEqualTo(Reason.UNREACHABLE);
    assertThat(classify(new UnknownHostException("nowhere")).reason()).isEqualTo(Reason.UNREACHABLE);
    assertThat(classify(new SocketTimeoutException("Read timed out")).reason()).isEqualTo(Reason.UNREACHABLE);
    assertThat(classify(new SocketException("Connection reset")).reason()).isEqualTo(Reason.UNREACHABLE);
    assertThat(classify(new IOException("something odd")).reason()).isEqualTo(Reason.FAILED);
  }

  @Test
  void theMessageNamesTheLocationWithoutItsPasswordAndSaysWhy() {
    TransferException e = classify(new IOException("No space left on device"));

    assertThat(e.getMessage())
        .isEqualTo("ftp://alice:****@host/data/x.bin: disk full")
        .doesNotContain("s3cr3t");
    assertThat(e.retryable()).isFalse();
    assertThat(classify(new ConnectException("refused")).retryable()).isTrue();
  }
}
