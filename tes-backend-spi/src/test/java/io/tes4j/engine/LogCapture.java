package io.tes4j.engine;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * What slf4j-simple (the tests' logger, which writes to {@code System.err} as it is at each call)
 * logs while it is open: the first {@code limit} characters of the lines, and how many lines were
 * logged at ERROR and WARN in all. Tests run one at a time in a JVM, so swapping {@code System.err}
 * is safe.
 */
final class LogCapture implements AutoCloseable {
  private final PrintStream original = System.err;
  private final Lines lines;

  private LogCapture(int limit) {
    this.lines = new Lines(limit);
    System.setErr(new PrintStream(lines, true, StandardCharsets.UTF_8));
  }

  /** Captures until closed, keeping at most 1 MiB of text. */
  static LogCapture start() {
    return new LogCapture(1 << 20);
  }

  /** The text logged, as far as it was kept. */
  String text() {
    return lines.text();
  }

  /** Lines logged at ERROR. */
  long errors() {
    return lines.errors;
  }

  /** Lines logged at WARN. */
  long warnings() {
    return lines.warnings;
  }

  @Override
  public void close() {
    System.setErr(original);
  }

  private static final class Lines extends OutputStream {
    private final int limit;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final StringBuilder kept = new StringBuilder();
    volatile long errors;
    volatile long warnings;

    Lines(int limit) {
      this.limit = limit;
    }

    @Override
    public synchronized void write(int b) {
      if (b == '\n') {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (text.contains("] ERROR ")) {
          errors++;
        } else if (text.contains("] WARN ")) {
          warnings++;
        }
        if (kept.length() < limit) {
          kept.append(text).append('\n');
        }
      } else {
        line.write(b);
      }
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) {
      for (int i = offset; i < offset + length; i++) {
        write(bytes[i]);
      }
    }

    synchronized String text() {
      return kept.toString();
    }
  }
}
