package io.tes4j.backend.local.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Copies a process's output stream into a {@link TailBuffer} and, when given, a file, until the
 * stream ends. A failure to write the file is remembered and the stream is still drained, so the
 * process never blocks on a full pipe.
 */
final class StreamPump implements Runnable {
  private final InputStream in;
  private final OutputStream file;
  private final TailBuffer tail;
  private volatile IOException writeFailure;

  /**
   * @param in the process's stdout or stderr
   * @param file where the whole stream goes, or {@code null}; closed when the stream ends
   * @param tail where its end is kept
   */
  StreamPump(InputStream in, OutputStream file, TailBuffer tail) {
    this.in = in;
    this.file = file;
    this.tail = tail;
  }

  @Override
  public void run() {
    byte[] buffer = new byte[16 * 1024];
    OutputStream out = file;
    try (InputStream source = in) {
      int n;
      while ((n = source.read(buffer)) >= 0) {
        tail.write(buffer, 0, n);
        if (out != null) {
          try {
            out.write(buffer, 0, n);
          } catch (IOException e) {
            writeFailure = e;
            closeQuietly(out);
            out = null;
          }
        }
      }
    } catch (IOException e) {
      // the process's end of the pipe went away (it was killed): what arrived is kept
    } finally {
      if (out != null) {
        try {
          out.close();
        } catch (IOException e) {
          writeFailure = e;
        }
      }
    }
  }

  /** The failure writing the file, or {@code null}. */
  IOException writeFailure() {
    return writeFailure;
  }

  private static void closeQuietly(OutputStream out) {
    try {
      out.close();
    } catch (IOException e) {
      // already failing; the first failure is the one reported
    }
  }
}
