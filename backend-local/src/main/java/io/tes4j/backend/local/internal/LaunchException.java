package io.tes4j.backend.local.internal;

/**
 * The runtime could not run an executor, for a reason that is the system's, not the command's: a
 * path it cannot mount, a runtime that failed. Its message is a system log line for the task, and
 * holds no secret (never an environment value).
 */
public final class LaunchException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A failure described by {@code message}. */
  public LaunchException(String message) {
    super(message);
  }

  /** A failure described by {@code message}, caused by {@code cause}. */
  public LaunchException(String message, Throwable cause) {
    super(message, cause);
  }
}
