package io.tes4j.transfer.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.util.Objects;

/**
 * The body of an HTTP answer read from an {@link HttpURLConnection}, checked against {@code
 * Content-Length}: a connection that closes before the announced length fails with an {@link
 * IOException} instead of looking like the end of the body, which {@code HttpURLConnection}'s own
 * stream does not tell apart.
 *
 * <p>Reads go straight to the connection's stream on the caller's thread; a read that waits longer
 * than the connection's read timeout fails with a {@link SocketTimeoutException}. Closing the
 * stream after its last byte leaves the connection to the JDK's keep-alive cache, for reuse;
 * closing it earlier, or after a failure, closes the connection instead of reading the rest.
 * Internal.
 */
final class BodyStream extends InputStream {
  private final HttpURLConnection connection;
  private final InputStream in;
  private final long expected;
  private final int timeoutMillis;
  private long received;
  private boolean ended;
  private boolean failed;
  private boolean closed;

  /**
   * @param connection the connection the body comes from, closed when the body is abandoned
   * @param in the connection's input stream
   * @param expected the announced length, or -1
   */
  BodyStream(HttpURLConnection connection, InputStream in, long expected) {
    this.connection = connection;
    this.in = in;
    this.expected = expected;
    this.timeoutMillis = connection.getReadTimeout();
  }

  /** How many bytes were read so far. */
  long received() {
    return received;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (closed) {
      throw new IOException("the body stream is closed");
    }
    if (len == 0) {
      return 0;
    }
    if (ended) {
      return -1;
    }
    int n;
    try {
      n = InterruptWatch.run(connection::disconnect, () -> in.read(b, off, len));
    } catch (SocketTimeoutException e) {
      failed = true;
      SocketTimeoutException timeout =
          new SocketTimeoutException(
              "no data for " + timeoutMillis + " ms after " + received + " bytes of the body");
      timeout.initCause(e);
      throw timeout;
    } catch (IOException e) {
      failed = true;
      throw e;
    }
    if (n < 0) {
      ended = true;
      if (expected >= 0 && received < expected) {
        failed = true;
        throw new IOException(
            "premature end of the body: the connection closed after " + received + " of "
                + expected + " bytes");
      }
      return -1;
    }
    received += n;
    return n;
  }

  /**
   * Reads until {@code b} is full or the body ends: fewer, larger writes for the caller.
   *
   * @return the number of bytes read, 0 only at the end of the body
   */
  int fill(byte[] b) throws IOException {
    int filled = 0;
    while (filled < b.length) {
      int n = read(b, filled, b.length - filled);
      if (n < 0) {
        break;
      }
      filled += n;
    }
    return filled;
  }

  @Override
  public long skip(long n) throws IOException {
    if (n <= 0) {
      return 0;
    }
    byte[] scratch = new byte[(int) Math.min(n, 64 * 1024)];
    int read = read(scratch, 0, scratch.length);
    return Math.max(read, 0);
  }

  @Override
  public int available() throws IOException {
    return closed || ended ? 0 : in.available();
  }

  /**
   * Leaves the connection for reuse when the whole body was read, and closes it otherwise (the
   * rest of a large body is not worth reading, and a failed connection is not worth keeping).
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    boolean complete = !failed && (ended || (expected >= 0 && received == expected));
    if (complete) {
      in.close();
    } else {
      connection.disconnect();
    }
  }
}
