package io.tes4j.server.auth.internal;

import io.tes4j.server.auth.Authenticator;

/**
 * An authenticator for one HTTP authentication scheme, so that {@link AnyOfAuthenticator} can pick
 * by the header's scheme and list every scheme in the challenge of a request without credentials.
 */
public interface SchemeAuthenticator extends Authenticator {

  /** The scheme's name as in the challenge: {@code Basic} or {@code Bearer}. */
  String scheme();

  /** The {@code WWW-Authenticate} value for a request without credentials. */
  String challenge();

  /**
   * Whether this authenticator is the one to check {@code header}'s credentials: by default, when
   * the header's scheme is {@link #scheme()}.
   */
  default boolean recognizes(AuthorizationHeader header) {
    return header.hasScheme(scheme());
  }

  /**
   * Whether {@link AnyOfAuthenticator} tries this one only after the others that recognize the same
   * header: OIDC, whose checks may need the network, comes after the file of static tokens.
   */
  default boolean triedLast() {
    return false;
  }
}
