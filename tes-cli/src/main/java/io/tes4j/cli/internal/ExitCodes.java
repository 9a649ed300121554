package io.tes4j.cli.internal;

/** The exit codes of {@code tes4j}: a public interface that scripts depend on. */
public final class ExitCodes {
  /** Success. */
  public static final int OK = 0;
  /**
   * The task is invalid, a file cannot be read, the task did not end COMPLETE, the server refused
   * a request (another 4xx), or a transfer ({@code cp}, {@code filer}) failed.
   */
  public static final int FAILED = 1;
  /** Usage error: unknown command or option, bad value, missing server, conflicting credentials. */
  public static final int USAGE = 2;
  /**
   * The server is unreachable, timed out, answered 5xx or 429, has no TES API at the URL (404 not
   * of a task, 405), or did not answer TES JSON.
   */
  public static final int UNAVAILABLE = 3;
  /** No task has this id. */
  public static final int NOT_FOUND = 4;
  /** The server refused the credentials (401, 403). */
  public static final int AUTH = 5;

  private ExitCodes() {}
}
