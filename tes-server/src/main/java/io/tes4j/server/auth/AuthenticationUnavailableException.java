package io.tes4j.server.auth;

/**
 * The request's credentials cannot be checked now: the identity provider's keys or configuration
 * cannot be had (it is down, unreachable, or answers nonsense). Not the caller's fault, so the
 * server answers 503 with {@code Retry-After}, not 401: a client must not conclude that its token
 * is bad and throw it away. The message says what failed, never the credential.
 */
public final class AuthenticationUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param message what could not be had, for the 503 body and the log; never a token */
  public AuthenticationUnavailableException(String message) {
    super(message, null, false, false);
  }
}
