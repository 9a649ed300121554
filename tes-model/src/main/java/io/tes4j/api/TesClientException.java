package io.tes4j.api;

/**
 * No usable answer came back: the server was unreachable, the connection broke, the answer was not
 * TES JSON, or the client is misconfigured.
 */
public class TesClientException extends TesException {
  private static final long serialVersionUID = 1L;
  private final boolean retryable;

  public TesClientException(String message) {
    this(message, null, false);
  }

  public TesClientException(String message, Throwable cause) {
    this(message, cause, false);
  }

  /**
   * @param retryable whether the same call may succeed later (a refused connection, a timeout)
   */
  public TesClientException(String message, Throwable cause, boolean retryable) {
    super(message, cause);
    this.retryable = retryable;
  }

  @Override
  public boolean retryable() {
    return retryable;
  }
}
