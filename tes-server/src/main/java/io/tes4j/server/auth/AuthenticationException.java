package io.tes4j.server.auth;

/**
 * The request's credentials are missing or wrong: the server answers 401 with {@link #challenge()}
 * as {@code WWW-Authenticate}. The message says what was wrong (no credentials, unknown user,
 * expired token, wrong issuer...) and never contains the credential itself.
 */
public final class AuthenticationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String challenge;

  /**
   * @param message what was wrong, for the 401 body and the log; never a password or token
   * @param challenge the {@code WWW-Authenticate} value, e.g. {@code Basic realm="tes4j"}
   */
  public AuthenticationException(String message, String challenge) {
    super(message, null, false, false);
    this.challenge = challenge;
  }

  /** The {@code WWW-Authenticate} header value of the 401 answer. */
  public String challenge() {
    return challenge;
  }
}
