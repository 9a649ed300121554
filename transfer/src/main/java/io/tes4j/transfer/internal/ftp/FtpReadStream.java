package io.tes4j.transfer.internal.ftp;

import io.tes4j.transfer.StorageUrl;
import io.tes4j.transfer.internal.ftp.FtpReplies.Op;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data of one RETR. {@link #close()} finishes the FTP command (reads the server's final reply
 * with {@code completePendingCommand}) and gives the connection back to the pool, or closes it when
 * the transfer broke off or the stream was closed before its end.
 *
 * <p>Failures are {@link IOException}s, as for any stream, shaped so that {@link
 * io.tes4j.transfer.spi.Storage.Failures#of} classifies them: a connection that broke or a transient
 * reply (421, 425, 426, other 4xx) is a {@link SocketException}, hence {@code UNREACHABLE} and worth
 * a retry; a permanent negative reply is a plain {@code IOException} with the server's text. Not
 * thread-safe. Internal.
 */
final class FtpReadStream extends InputStream {
  private static final Logger LOG = LoggerFactory.getLogger(FtpReadStream.class);

  private final StorageUrl url;
  private final FtpConnection connection;
  private final FtpConnectionPool pool;
  private final InputStream data;
  private boolean eof;
  private boolean failed;
  private boolean closed;

  FtpReadStream(StorageUrl url, FtpConnection connection, FtpConnectionPool pool, InputStream data) {
    this.url = url;
    this.connection = connection;
    this.pool = pool;
    this.data = data;
  }

  @Override
  public int read() throws IOException {
    ensureOpen();
    try {
      int b = data.read();
      if (b < 0) {
        eof = true;
      }
      return b;
    } catch (IOException e) {
      failed = true;
      throw e;
    }
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    ensureOpen();
    try {
      int n = data.read(buffer, offset, length);
      if (n < 0) {
        eof = true;
      }
      return n;
    } catch (IOException e) {
      failed = true;
      throw e;
    }
  }

  @Override
  public int available() throws IOException {
    ensureOpen();
    return data.available();
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("the FTP download stream of " + url + " is closed");
    }
  }

  /**
   * Ends the transfer. After the whole file was read, checks the server's final reply and throws
   * if it is negative; after an early close or a failed read, drops the connection quietly.
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (!eof && !failed) {
        // A caller that read exactly the announced size has not seen -1 yet: look for it, so that
        // the connection can be reused. If data is left, the caller stopped early.
        try {
          eof = data.read() < 0;
        } catch (IOException e) {
          LOG.debug("Probing the end of the FTP download of {} failed: {}", url, e.toString());
          failed = true;
        }
      }
      try {
        data.close();
      } catch (IOException e) {
        LOG.debug("Closing the data connection of {} failed: {}", url, e.toString());
        failed = true;
      }
      if (!eof || failed) {
        // Closed before the end, or broken: the control connection is out of step. Drop it.
        connection.markBroken();
        return;
      }
      boolean complete;
      try {
        complete = connection.client().completePendingCommand();
      } catch (IOException e) {
        connection.markBroken();
        throw broken("the FTP server closed the connection before confirming the download (" + e + ")", e);
      }
      if (!complete) {
        // The server failed the transfer (426, 451...), often because it is going away: a
        // connection that just lost a transfer is not worth keeping for the next one.
        connection.markBroken();
        int code = connection.client().getReplyCode();
        String reply = FtpReplies.replyLine(connection.login(), code, connection.client().getReplyString());
        String meaning = FtpReplies.meaning(Op.READ, code);
        String message =
            "the FTP download did not complete: " + (meaning == null ? "" : meaning + " ") + "(server: " + reply + ")";
        if (FtpReplies.reason(Op.READ, code).retryable()) {
          throw broken(message, null);
        }
        throw new IOException(message);
      }
    } finally {
      pool.release(connection);
    }
  }

  private static SocketException broken(String message, Throwable cause) {
    SocketException e = new BrokenTransferException(message);
    if (cause != null) {
      e.initCause(cause);
    }
    return e;
  }

  /** A download that broke off: a socket failure, so that it is classified as retryable. */
  static final class BrokenTransferException extends SocketException {
    private static final long serialVersionUID = 1L;

    BrokenTransferException(String message) {
      super(message);
    }
  }
}
