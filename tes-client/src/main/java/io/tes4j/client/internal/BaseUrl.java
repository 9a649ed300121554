package io.tes4j.client.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A TES base URL, checked and normalized: {@code http} or {@code https}, a host, no query, no
 * trailing slash, {@code /ga4gh/tes/v1} when the path was empty, and the {@code user:password@}
 * part taken out. Internal.
 *
 * @param uri the normalized base URL, without credentials
 * @param user the user of the URL's user info, percent-decoded, or {@code null}
 * @param password the password of the URL's user info, percent-decoded, or {@code null}
 */
public record BaseUrl(URI uri, String user, String password) {

  /** The path the TES spec mounts the API at; used when a base URL has no path. */
  public static final String SPEC_PATH = "/ga4gh/tes/v1";

  /** Whether the URL held {@code user[:password]@}. */
  public boolean hasCredentials() {
    return user != null;
  }

  /** The base URL without credentials, safe to show. */
  @Override
  public String toString() {
    return uri.toString();
  }

  /**
   * Parses a base URL written by a person.
   *
   * @throws IllegalArgumentException saying what is wrong; the message never holds a password
   */
  public static BaseUrl parse(String text) {
    try {
      return of(new URI(text.strip()));
    } catch (URISyntaxException e) {
      // Not chained: the cause's message repeats the input, which may hold a password.
      throw new IllegalArgumentException(
          "invalid base URL: " + e.getReason() + " at index " + e.getIndex());
    }
  }

  /**
   * Checks and normalizes {@code raw}.
   *
   * @throws IllegalArgumentException saying what is wrong; the message never holds a password
   */
  public static BaseUrl of(URI raw) {
    String shown = redact(raw);
    String scheme = raw.getScheme() == null ? null : raw.getScheme().toLowerCase(Locale.ROOT);
    if (scheme == null || !(scheme.equals("http") || scheme.equals("https"))) {
      throw new IllegalArgumentException(
          "the base URL must start with http:// or https://, was '"
              + shown
              + "' (e.g. http://localhost:8000/ga4gh/tes/v1)");
    }
    if (raw.isOpaque() || raw.getHost() == null) {
      throw new IllegalArgumentException(
          "the base URL has no valid host name: '"
              + shown
              + "' (host names may hold letters, digits, '-' and '.', not '_')");
    }
    if (raw.getRawQuery() != null) {
      throw new IllegalArgumentException(
          "the base URL must not have a query ('?...'): '"
              + shown
              + "'; the client adds the TES query parameters itself");
    }
    if (raw.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "the base URL must not have a fragment ('#...'): '" + shown + "'");
    }
    String path = raw.getRawPath() == null ? "" : raw.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    if (path.isEmpty()) {
      path = SPEC_PATH;
    }
    String user = null;
    String password = null;
    String userInfo = raw.getRawUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
      password = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
    }
    String authority = raw.getHost() + (raw.getPort() == -1 ? "" : ":" + raw.getPort());
    return new BaseUrl(URI.create(scheme + "://" + authority + path), user, password);
  }

  /** {@code uri} with any password replaced by {@code ****}, for messages. */
  public static String redact(URI uri) {
    String userInfo = uri.getRawUserInfo();
    if (userInfo == null) {
      return uri.toString();
    }
    int colon = userInfo.indexOf(':');
    String shownUserInfo = colon < 0 ? userInfo : userInfo.substring(0, colon) + ":****";
    String text = uri.toString();
    return text.replace(userInfo + "@", shownUserInfo + "@");
  }

  private static String decode(String percentEncoded) {
    // URLDecoder reads '+' as a space, which user info does not: keep a literal plus.
    return URLDecoder.decode(percentEncoded.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
