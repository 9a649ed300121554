package io.tes4j.cli.internal;

import java.io.PrintStream;
import java.io.Writer;

/**
 * A {@link Writer} onto a {@link PrintStream} that encodes with the stream's own charset, as
 * {@code println} does, and never closes it.
 */
final class PrintStreamWriter extends Writer {
  private final PrintStream stream;

  PrintStreamWriter(PrintStream stream) {
    this.stream = stream;
  }

  @Override
  public void write(char[] buffer, int offset, int length) {
    stream.print(new String(buffer, offset, length));
  }

  @Override
  public void write(String text, int offset, int length) {
    stream.print(text.substring(offset, offset + length));
  }

  @Override
  public void flush() {
    stream.flush();
  }

  /** Flushes; the stream stays open, for it belongs to the caller. */
  @Override
  public void close() {
    stream.flush();
  }
}
