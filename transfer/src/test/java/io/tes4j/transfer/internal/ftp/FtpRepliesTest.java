package io.tes4j.transfer.internal.ftp;

import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.transfer.StorageUrl;
import io.tes4j.transfer.TransferException;
import io.tes4j.transfer.TransferException.Reason;
import io.tes4j.transfer.TransferSettings;
import io.tes4j.transfer.internal.ftp.FtpReplies.Op;
import java.io.IOException;
import java.net.ConnectException;
import org.apache.commons.net.ftp.FTPConnectionClosedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The reply-code mapping, without a server. */
class FtpRepliesTest {
  private static final StorageUrl URL = StorageUrl.parse("ftp://alice:pa55-word@ftp.example.org/data/a.txt");
  private static final FtpLogin LOGIN = FtpLogin.of(URL, TransferSettings.defaults());

  @ParameterizedTest(name = "{1} during {0} -> {2}")
  @CsvSource({
    "READ, 550, NOT_FOUND",
    "STAT, 550, NOT_FOUND",
    "LIST, 550, NOT_FOUND",
    "WRITE, 550, ACCESS_DENIED",
    "MKDIR, 550, ACCESS_DENIED",
    "DELETE, 550, ACCESS_DENIED",
    "DELETE, 450, ACCESS_DENIED",
    "READ, 450, SERVER_ERROR",
    "WRITE, 553, ACCESS_DENIED",
    "READ, 530, ACCESS_DENIED",
    "LOGIN, 530, ACCESS_DENIED",
    "READ, 421, UNREACHABLE",
    "WRITE, 425, UNREACHABLE",
    "READ, 426, UNREACHABLE",
    "WRITE, 451, SERVER_ERROR",
    "WRITE, 452, DISK_FULL",
    "WRITE, 552, FAILED",
    "SETUP, 502, UNSUPPORTED",
    "SETUP, 500, FAILED",
  })
  void replyCodesMapToReasons(Op op, int code, Reason reason) {
    assertThat(FtpReplies.reason(op, code)).isEqualTo(reason);
    assertThat(FtpReplies.refused(URL, LOGIN, op, code, code + " text").reason()).isEqualTo(reason);
  }

  @Test
  void theMessageQuotesTheServerOnOneLineWithThePasswordMasked() {
    TransferException e =
        FtpReplies.refused(URL, LOGIN, Op.WRITE, 452, "452-Quota for pa55-word exceeded\r\n452 No space left\r\n");

    assertThat(e.reason()).isEqualTo(Reason.DISK_FULL);
    assertThat(e.location()).isEqualTo("ftp://alice:****@ftp.example.org/data/a.txt");
    assertThat(e.getMessage())
        .isEqualTo("ftp://alice:****@ftp.example.org/data/a.txt: FTP upload failed: the FTP server has no space left"
            + " (server side, not the local disk) (server: 452-Quota for **** exceeded 452 No space left)");
  }

  @Test
  void aReplyWithoutTextShowsItsCode() {
    assertThat(FtpReplies.refused(URL, LOGIN, Op.READ, 550, null).getMessage()).endsWith("(server: 550)");
  }

  @Test
  void connectionFailuresAreUnreachable() {
    TransferException closed =
        FtpReplies.io(URL, "FTP download", new FTPConnectionClosedException("Connection closed without indication."));
    TransferException refused =
        FtpReplies.io(URL, "FTP connection to ftp.example.org", new ConnectException("Connection refused"));
    TransferException other = FtpReplies.io(URL, "FTP stat", new IOException("something odd"));

    assertThat(closed.reason()).isEqualTo(Reason.UNREACHABLE);
    assertThat(closed.getMessage()).contains("FTP download failed: the FTP server closed the connection");
    assertThat(refused.reason()).isEqualTo(Reason.UNREACHABLE);
    assertThat(refused.getMessage())
        .isEqualTo("ftp://alice:****@ftp.example.org/data/a.txt: FTP connection to ftp.example.org failed:"
            + " cannot connect: connection refused");
    assertThat(other.reason()).isEqualTo(Reason.FAILED);
  }
}
