package io.tes4j.server.auth.internal;

import java.util.Locale;

/**
 * An {@code Authorization} header split into its scheme and credentials (RFC 7235: the scheme is
 * case-insensitive and followed by one or more spaces). Its {@link #toString()} never shows the
 * credentials: they are a password or token.
 */
public final class AuthorizationHeader {
  private final String scheme;
  private final String credentials;

  private AuthorizationHeader(String scheme, String credentials) {
    this.scheme = scheme;
    this.credentials = credentials;
  }

  /**
   * The header split in two, or {@code null} when there is none (null or blank). A value without a
   * space has an empty credentials part, so that a bare token is never taken for a scheme name in a
   * message.
   */
  public static AuthorizationHeader parse(String authorization) {
    if (authorization == null || authorization.isBlank()) {
      return null;
    }
    String value = authorization.strip();
    int space = indexOfWhitespace(value);
    if (space < 0) {
      return new AuthorizationHeader(value, "");
    }
    return new AuthorizationHeader(value.substring(0, space), value.substring(space).strip());
  }

  private static int indexOfWhitespace(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (Character.isWhitespace(value.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  /** Whether the scheme is {@code expected}, ignoring case as RFC 7235 says. */
  public boolean hasScheme(String expected) {
    return scheme.toLowerCase(Locale.ROOT).equals(expected.toLowerCase(Locale.ROOT))
        && !credentials.isEmpty();
  }

  /** What follows the scheme: a secret, never to be logged or put in a message. */
  public String credentials() {
    return credentials;
  }

  @Override
  public String toString() {
    // The scheme too may be a bare secret (a header "Authorization: s3cret"): shown only when it
    // is a scheme this server knows.
    boolean known = hasScheme("Basic") || hasScheme("Bearer");
    return "AuthorizationHeader[" + (known ? scheme : "unknown scheme") + ", credentials hidden]";
  }
}
