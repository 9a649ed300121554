package io.tes4j.server.auth;

import io.tes4j.server.auth.internal.NoAuthentication;

/**
 * Turns a request's {@code Authorization} header into an {@link Identity}. Implementations must be
 * thread-safe; they run on the server's request threads.
 */
@FunctionalInterface
public interface Authenticator {

  /**
   * Checks the credentials of one request.
   *
   * @param authorization the request's {@code Authorization} header, or {@code null} when it has
   *     none
   * @return who is calling
   * @throws AuthenticationException when the credentials are missing or wrong (answered 401)
   */
  Identity authenticate(String authorization);

  /**
   * Whether {@link #authenticate} returns within microseconds and without I/O, so that a server
   * may call it on its network threads ({@code TesApi.answersWithoutBlocking}). False by default:
   * an authenticator of the application's own may call out. tes4j's {@link #none()} and {@link
   * Authenticators#bearerTokens bearer tokens} (a digest compared) say true; Basic (bcrypt costs
   * milliseconds) and OIDC (it may fetch the issuer's keys) say false; {@link Authenticators#anyOf}
   * says true when all of its authenticators do.
   *
   * @return true only when no call can block or take long
   */
  default boolean authenticatesWithoutBlocking() {
    return false;
  }

  /**
   * No authentication: every request is {@link Identity#ANONYMOUS}. Always the same instance, which
   * {@link Authenticators#anyOf(java.util.List)} refuses to combine with others.
   */
  static Authenticator none() {
    return NoAuthentication.INSTANCE;
  }
}
