package io.tes4j.server.auth;

import java.nio.file.Path;
import java.util.List;

/**
 * The authenticators tes4j provides, and the {@code --auth} specs of {@code tes4j serve}.
 *
 * <p>SKELETON: the contract the server's helpers share; the implementation comes next.
 */
public final class Authenticators {
  private Authenticators() {}

  /**
   * The authenticator a {@code --auth} value names: {@code none}, {@code basic:FILE},
   * {@code bearer:FILE}, or {@code oidc:ISSUER_URL[,audience=AUD][,jwks=URL]...}.
   *
   * @throws IllegalArgumentException naming what is wrong with the spec and what is allowed
   */
  public static Authenticator fromSpec(String spec) {
    if ("none".equals(spec)) {
      return Authenticator.none();
    }
    throw new UnsupportedOperationException("skeleton: only 'none' for now");
  }

  /** The first of {@code authenticators} that recognizes a request's credentials decides. */
  public static Authenticator anyOf(List<Authenticator> authenticators) {
    throw new UnsupportedOperationException("skeleton");
  }

  /** HTTP Basic against a file of users and password hashes. */
  public static Authenticator basic(Path usersFile) {
    throw new UnsupportedOperationException("skeleton");
  }

  /** Bearer tokens with scopes, from a file. */
  public static Authenticator bearerTokens(Path tokensFile) {
    throw new UnsupportedOperationException("skeleton");
  }
}
