package io.tes4j.api;

/**
 * The root of every exception tes4j throws. Unchecked.
 *
 * <pre>
 * TesException
 * ├── TesClientException        no usable answer: I/O, timeout, bad configuration
 * │   └── TesTimeoutException
 * ├── TesServiceException       the server answered with an error: status and body
 * │   ├── TaskNotFoundException (404)
 * │   ├── InvalidTaskException  (400, with every violation)
 * │   └── TesAuthException      (401, 403)
 * ├── BackendException          thrown by backends
 * └── io.tes4j.model.TesJsonException   a document that is not valid TES JSON
 * </pre>
 *
 * <p>A task that ran and failed is never an exception: it is a {@link io.tes4j.model.State} on the
 * task ({@code EXECUTOR_ERROR}, {@code SYSTEM_ERROR}, {@code PREEMPTED}).
 */
public class TesException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TesException(String message) {
    super(message);
  }

  public TesException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Whether repeating the same call may succeed (a timeout, a 503), as opposed to a 404 or 400. */
  public boolean retryable() {
    return false;
  }
}
