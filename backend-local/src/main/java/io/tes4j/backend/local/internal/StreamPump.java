package io.tes4j.backend.local.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Copies a process's output stream into a {@link TailBuffer} and, when given, a file, without ever
 * blocking: {@link #pump()} takes only what the pipe holds now, so one thread (the task's own) can
 * serve a process's stdout and stderr by turns while it waits for the process to end, and no thread
 * is needed per stream. A failure to write the file is remembered and the stream is still drained,
 * so the process never blocks on a full pipe for long.
 *
 * <p>The output stays a pipe, as in a container: an executor that opens {@code /dev/stdout} or
 * {@code /dev/stderr} again ({@code echo x > /dev/stderr}) writes to it; had its output been a file,
 * that open would truncate it.
 */
final class StreamPump {
  /** As much as a Linux pipe holds by default: one read can empty it. */
  private static final int BUFFER_BYTES = 64 * 1024;

  private final InputStream in;
  private final TailBuffer tail;
  private final byte[] buffer = new byte[BUFFER_BYTES];
  private OutputStream file;
  private IOException writeFailure;
  private boolean ended;

  /**
   * @param in the process's stdout or stderr
   * @param file where the whole stream goes, or {@code null}; closed by {@link #finish}
   * @param tail where its end is kept
   */
  StreamPump(InputStream in, OutputStream file, TailBuffer tail) {
    this.in = in;
    this.file = file;
    this.tail = tail;
  }

  /**
   * Copies what the stream holds now, without blocking.
   *
   * @return whether it read a whole buffer, so that more may be waiting already
   */
  boolean pump() {
    if (ended) {
      return false;
    }
    try {
      int available = in.available();
      if (available <= 0) {
        return false;
      }
      int n = in.read(buffer, 0, Math.min(available, buffer.length));
      if (n < 0) {
        ended = true;
        return false;
      }
      copy(n);
      return n == buffer.length;
    } catch (IOException e) {
      // the process's end of the pipe went away (it was killed): what arrived is kept
      ended = true;
      return false;
    }
  }

  /**
   * Once the process ended: copies what is left in the stream without waiting for more (a process
   * it left behind may hold the pipe open), then closes the stream and the file.
   */
  void finish() {
    while (pump()) {
      // a full buffer: read again
    }
    try {
      in.close();
    } catch (IOException e) {
      // nothing more is read from it: what arrived is kept
      ended = true;
    }
    if (file != null) {
      try {
        file.close();
      } catch (IOException e) {
        if (writeFailure == null) {
          writeFailure = e;
        }
      }
      file = null;
    }
  }

  /** The failure writing the file, or {@code null}. */
  IOException writeFailure() {
    return writeFailure;
  }

  private void copy(int n) {
    tail.write(buffer, 0, n);
    if (file != null) {
      try {
        file.write(buffer, 0, n);
      } catch (IOException e) {
        writeFailure = e;
        closeQuietly(file);
        file = null;
      }
    }
  }

  private static void closeQuietly(OutputStream out) {
    try {
      out.close();
    } catch (IOException e) {
      // already failing; the first failure is the one reported
    }
  }
}
