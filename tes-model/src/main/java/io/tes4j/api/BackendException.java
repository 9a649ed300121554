package io.tes4j.api;

/**
 * A backend could not do what the engine asked (submit, poll, cancel). The engine turns it into a
 * {@code SYSTEM_ERROR} state with a system log, so users of {@link TesClient} rarely see it.
 */
public class BackendException extends TesException {
  private static final long serialVersionUID = 1L;
  private final boolean retryable;

  public BackendException(String message) {
    this(message, null, false);
  }

  public BackendException(String message, Throwable cause) {
    this(message, cause, false);
  }

  public BackendException(String message, Throwable cause, boolean retryable) {
    super(message, cause);
    this.retryable = retryable;
  }

  @Override
  public boolean retryable() {
    return retryable;
  }
}
