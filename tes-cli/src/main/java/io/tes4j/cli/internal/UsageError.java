package io.tes4j.cli.internal;

/**
 * A usage error found after parsing (no server, conflicting credentials): exit code 2, its message
 * as the one error line.
 */
final class UsageError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UsageError(String message) {
    super(message);
  }
}
