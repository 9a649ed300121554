package io.tes4j.server.auth;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Who made a request, and what they may do.
 *
 * @param user the user name, token name or JWT subject; the owner of the tasks this caller
 *     creates when the server isolates users
 * @param scopes what this caller may do
 */
public record Identity(String user, Set<Scope> scopes) {
  /** The caller of a server without authentication: user {@code anonymous}, every scope. */
  public static final Identity ANONYMOUS = new Identity("anonymous", EnumSet.allOf(Scope.class));

  /** Checks the fields and copies the scopes. */
  public Identity {
    Objects.requireNonNull(user, "user");
    if (user.isBlank()) {
      throw new IllegalArgumentException("user must not be blank");
    }
    scopes = scopes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(scopes));
  }

  /** Whether this caller may do what {@code scope} allows. */
  public boolean may(Scope scope) {
    return scopes.contains(scope);
  }
}
