package io.tes4j.api;

/** A request, or waiting for a task, took longer than allowed. */
public class TesTimeoutException extends TesClientException {
  private static final long serialVersionUID = 1L;

  public TesTimeoutException(String message) {
    super(message, null, true);
  }

  public TesTimeoutException(String message, Throwable cause) {
    super(message, cause, true);
  }
}
