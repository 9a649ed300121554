package io.tes4j.cli.internal;

import io.tes4j.transfer.TransferException;

/**
 * A transfer of {@code cp} or {@code filer} failed: exit code 1, and one line, {@code
 * COMMAND: LOCATION: reason}, where the location's password is already masked.
 */
final class TransferFailed extends RuntimeException {
  private static final long serialVersionUID = 1L;

  TransferFailed(String command, TransferException cause) {
    super(command + ": " + cause.getMessage(), cause);
  }

  /** A failure that is not the transfer's own, such as a source that is a directory. */
  TransferFailed(String command, String location, String reason) {
    super(command + ": " + location + ": " + reason);
  }
}
