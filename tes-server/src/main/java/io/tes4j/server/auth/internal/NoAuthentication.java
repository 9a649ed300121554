package io.tes4j.server.auth.internal;

import io.tes4j.server.auth.Authenticator;
import io.tes4j.server.auth.Identity;

/**
 * {@link Authenticator#none()}: one instance, so that {@link AnyOfAuthenticator} can refuse to mix
 * it with real authenticators.
 */
public final class NoAuthentication implements Authenticator {
  /** The only instance. */
  public static final NoAuthentication INSTANCE = new NoAuthentication();

  private NoAuthentication() {}

  @Override
  public boolean authenticatesWithoutBlocking() {
    return true;
  }

  @Override
  public Identity authenticate(String authorization) {
    return Identity.ANONYMOUS;
  }

  @Override
  public String toString() {
    return "NoAuthentication";
  }
}
