package io.tes4j.cli.internal;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;

/**
 * Standard error for {@code tes4j serve}'s log, which slf4j-simple writes a line at a time and
 * flushes after each: here the lines collect in a buffer that a daemon thread writes out 20 ms
 * after the first of them (or at once when 64 KiB wait), so that a server answering thousands of
 * requests a second makes a few dozen {@code write} calls for its access log rather than one per
 * request. {@link #close()}, which the serve command's stop calls, and a JVM that exits write what
 * is left; a crash or SIGKILL loses at most the last 20 ms. Internal.
 */
public final class BatchedStderr extends OutputStream {
  private static final int SIZE = 64 * 1024;
  private static final long DELAY_MILLIS = 20;

  private final OutputStream out;
  private final byte[] buffer = new byte[SIZE];
  private int count;
  private boolean closed;

  private BatchedStderr(OutputStream out) {
    this.out = out;
  }

  /**
   * Makes {@link System#err} a batched stream over file descriptor 2, in the charset it had.
   *
   * @return the standard error it replaced, which writes at once (for error lines)
   */
  public static PrintStream install() {
    PrintStream original = System.err;
    BatchedStderr batched = over(new FileOutputStream(FileDescriptor.err));
    System.setErr(new PrintStream(batched, false, charset()));
    // System.exit (a usage error after start) writes what is queued; serve's own stop closes it.
    Runtime.getRuntime().addShutdownHook(new Thread(batched::close, "tes4j-stderr-flush"));
    return original;
  }

  /** A batched stream over {@code out}, with its flusher thread started. */
  static BatchedStderr over(OutputStream out) {
    BatchedStderr batched = new BatchedStderr(out);
    Thread flusher = new Thread(batched::flushLoop, "tes4j-stderr");
    flusher.setDaemon(true);
    flusher.start();
    return batched;
  }

  /** The charset the JVM gave standard error (the terminal's, or the platform's). */
  private static Charset charset() {
    String name = System.getProperty("sun.stderr.encoding");
    try {
      return name == null ? Charset.defaultCharset() : Charset.forName(name);
    } catch (IllegalArgumentException e) {
      return Charset.defaultCharset(); // an encoding this JVM does not know: as the JVM itself falls back
    }
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
    if (closed || length >= SIZE) {
      writeBuffer();
      out.write(bytes, offset, length);
      return;
    }
    if (length > SIZE - count) {
      writeBuffer();
    }
    boolean wasEmpty = count == 0;
    System.arraycopy(bytes, offset, buffer, count, length);
    count += length;
    if (wasEmpty) {
      notifyAll(); // the flusher writes it within DELAY_MILLIS
    }
  }

  /** Deferred: the flusher writes the buffer within 20 ms; {@link #close()} writes it at once. */
  @Override
  public void flush() {
    // slf4j-simple flushes after every line: writing here would undo the batching.
  }

  /** Writes what is buffered; later writes go straight through. Idempotent. */
  @Override
  public synchronized void close() {
    try {
      writeBuffer();
      out.flush();
    } catch (IOException e) {
      // Standard error itself failed: there is nowhere left to report it.
      count = 0;
    }
    closed = true;
  }

  private void writeBuffer() throws IOException {
    if (count > 0) {
      int length = count;
      count = 0;
      out.write(buffer, 0, length);
    }
  }

  private void flushLoop() {
    try {
      while (true) {
        synchronized (this) {
          while (count == 0) {
            wait();
          }
        }
        Thread.sleep(DELAY_MILLIS);
        synchronized (this) {
          try {
            writeBuffer();
          } catch (IOException e) {
            // Standard error itself failed (a closed pipe): the lines are dropped, as a
            // PrintStream would drop them; the server goes on.
            count = 0;
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the JVM is ending
    }
  }
}
