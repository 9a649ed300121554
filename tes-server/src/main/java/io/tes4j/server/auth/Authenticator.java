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
   * No authentication: every request is {@link Identity#ANONYMOUS}. Always the same instance, which
   * {@link Authenticators#anyOf(java.util.List)} refuses to combine with others.
   */
  static Authenticator none() {
    return NoAuthentication.INSTANCE;
  }
}
