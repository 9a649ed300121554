package io.tes4j.api;

/**
 * The server refused the credentials (401) or the credentials do not allow the call (403). The
 * message never holds the credentials themselves.
 */
public class TesAuthException extends TesServiceException {
  private static final long serialVersionUID = 1L;

  public TesAuthException(String message, int statusCode, String body) {
    super(message, statusCode, body);
  }
}
