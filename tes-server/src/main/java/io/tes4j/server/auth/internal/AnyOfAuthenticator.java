package io.tes4j.server.auth.internal;

import io.tes4j.server.auth.AuthenticationException;
import io.tes4j.server.auth.Authenticator;
import io.tes4j.server.auth.Identity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Several authenticators: the header's scheme picks the ones to try ({@code Basic} the users file;
 * {@code Bearer} the tokens file, then OIDC when the value looks like a JWT). Authenticators other
 * than tes4j's own, which name no scheme, are tried after those, in order.
 */
public final class AnyOfAuthenticator implements Authenticator {
  private final List<Authenticator> authenticators;
  private final String challenge;
  private final String schemes;

  /**
   * @throws IllegalArgumentException for an empty list or one that mixes {@link
   *     Authenticator#none()} with others (that would let every request in)
   */
  public AnyOfAuthenticator(List<Authenticator> authenticators) {
    List<Authenticator> flat = new ArrayList<>();
    for (Authenticator authenticator : authenticators) {
      if (authenticator instanceof AnyOfAuthenticator nested) {
        flat.addAll(nested.authenticators);
      } else {
        flat.add(Objects.requireNonNull(authenticator, "an authenticator is null"));
      }
    }
    if (flat.isEmpty()) {
      throw new IllegalArgumentException("no authenticator given; give one or more");
    }
    if (flat.size() > 1 && flat.contains(NoAuthentication.INSTANCE)) {
      throw new IllegalArgumentException(
          "'none' cannot be combined with other authentication: it lets every request in, so"
              + " the others would check nothing");
    }
    // Stable: the list's order, but OIDC after the other scheme authenticators, and those of the
    // caller (which name no scheme) after all of tes4j's.
    flat.sort(Comparator.comparingInt(AnyOfAuthenticator::rank));
    this.authenticators = List.copyOf(flat);
    Set<String> challenges = new LinkedHashSet<>();
    Set<String> schemeNames = new LinkedHashSet<>();
    for (Authenticator authenticator : this.authenticators) {
      if (authenticator instanceof SchemeAuthenticator s) {
        challenges.add(s.challenge());
        schemeNames.add(s.scheme());
      }
    }
    // RFC 7235, section 4.1: one WWW-Authenticate value may list several challenges.
    this.challenge = String.join(", ", challenges);
    this.schemes = String.join(", ", schemeNames);
  }

  private static int rank(Authenticator authenticator) {
    if (authenticator instanceof SchemeAuthenticator s) {
      return s.triedLast() ? 1 : 0;
    }
    return 2;
  }

  /** The authenticators, in the order they are tried. */
  public List<Authenticator> authenticators() {
    return authenticators;
  }

  /** True when every authenticator it tries is: the header picks which, so any may run. */
  @Override
  public boolean authenticatesWithoutBlocking() {
    for (Authenticator authenticator : authenticators) {
      if (!authenticator.authenticatesWithoutBlocking()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public Identity authenticate(String authorization) {
    AuthorizationHeader header = AuthorizationHeader.parse(authorization);
    AuthenticationException failure = null;
    for (Authenticator authenticator : authenticators) {
      if (authenticator instanceof SchemeAuthenticator s
          && (header == null || !s.recognizes(header))) {
        continue;
      }
      try {
        return authenticator.authenticate(authorization);
      } catch (AuthenticationException e) {
        // The next one that recognizes the header may accept it. Reported: the last failure of
        // tes4j's own (the most specific, e.g. OIDC's after the tokens file's), else the caller's.
        if (failure == null || authenticator instanceof SchemeAuthenticator) {
          failure = e;
        }
      }
    }
    if (failure == null && header != null) {
      // None recognized the credentials, but one may own their scheme (a Bearer value that is no
      // JWT, with OIDC alone configured): its own check says best what is wrong.
      for (Authenticator authenticator : authenticators) {
        if (authenticator instanceof SchemeAuthenticator s && header.hasScheme(s.scheme())) {
          try {
            return s.authenticate(authorization);
          } catch (AuthenticationException e) {
            failure = e;
          }
        }
      }
    }
    if (failure != null) {
      throw new AuthenticationException(failure.getMessage(), withOthers(failure.challenge()));
    }
    if (header == null) {
      throw new AuthenticationException(
          "no credentials: this server accepts " + schemes, challenge);
    }
    throw new AuthenticationException(
        "unsupported credentials: this server accepts " + schemes, challenge);
  }

  /** {@code failed} first, then the challenges of the other schemes. */
  private String withOthers(String failed) {
    if (failed == null || failed.isEmpty()) {
      return challenge;
    }
    String failedScheme = failed.split(" ", 2)[0];
    Set<String> all = new LinkedHashSet<>();
    all.add(failed);
    authenticators.stream()
        .filter(a -> a instanceof SchemeAuthenticator s && !s.scheme().equals(failedScheme))
        .map(a -> ((SchemeAuthenticator) a).challenge())
        .forEach(all::add);
    return all.stream().collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return "AnyOfAuthenticator" + authenticators;
  }
}
