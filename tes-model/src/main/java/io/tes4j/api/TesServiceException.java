package io.tes4j.api;

import java.util.Optional;

/**
 * The server (or engine) answered, and the answer is an error. Carries the HTTP status and the body
 * as the server sent it (JSON or text, cut to a readable length).
 */
public class TesServiceException extends TesException {
  private static final long serialVersionUID = 1L;
  private final int statusCode;
  private final String body;

  /**
   * @param message a sentence that says what failed
   * @param statusCode the HTTP status, e.g. 500
   * @param body the error body as sent, or {@code null}
   */
  public TesServiceException(String message, int statusCode, String body) {
    super(message);
    this.statusCode = statusCode;
    this.body = body;
  }

  /** The HTTP status of the answer (an in-process engine uses the status a server would send). */
  public int statusCode() {
    return statusCode;
  }

  /** The body of the error answer, as the server sent it, if there was one. */
  public Optional<String> body() {
    return Optional.ofNullable(body).filter(b -> !b.isEmpty());
  }

  /** 429, 502, 503 and 504 say the server could not take the call now; others will not change. */
  @Override
  public boolean retryable() {
    return statusCode == 429 || statusCode == 502 || statusCode == 503 || statusCode == 504;
  }
}
