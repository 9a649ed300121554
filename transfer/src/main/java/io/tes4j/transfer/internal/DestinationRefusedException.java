package io.tes4j.transfer.internal;

import java.io.IOException;

/**
 * A connection the transfer policy refuses, thrown before a byte is sent to the peer. An {@link
 * IOException}, so that it passes through the HTTP and FTP clients unchanged; {@link IoFailures}
 * turns it into a {@code NOT_ALLOWED} transfer failure. Its message names the host and the
 * address, never credentials. Internal.
 */
public final class DestinationRefusedException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * Public, with a message only: {@link java.net.HttpURLConnection} copies an exception it
   * remembered into a new one of the same class through this constructor.
   */
  public DestinationRefusedException(String message) {
    super(message);
  }
}
