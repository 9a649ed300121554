package io.tes4j.model;

import io.tes4j.api.TesException;

/**
 * A document is not valid JSON, or not the TES type it should be. The message says where (line and
 * column, and the JSON path when known) and what was wrong.
 */
public class TesJsonException extends TesException {
  private static final long serialVersionUID = 1L;
  private final int line;
  private final int column;
  private final String path;

  public TesJsonException(String message, int line, int column, String path, Throwable cause) {
    super(message, cause);
    this.line = line;
    this.column = column;
    this.path = path;
  }

  /** The 1-based line of the problem, or -1 when unknown. */
  public int line() {
    return line;
  }

  /** The 1-based column of the problem, or -1 when unknown. */
  public int column() {
    return column;
  }

  /** The JSON path of the value at fault ({@code executors[0].command}), or {@code $}. */
  public String path() {
    return path;
  }
}
