package io.tes4j.transfer;

import io.tes4j.model.internal.Redact;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A storage location as TES tasks write it: {@code s3://bucket/dir/my file.txt},
 * {@code ftp://user:pw@host:2121/data/ä.txt}, {@code https://host/x?sig=...}, {@code file:///data/x}
 * or a bare absolute path ({@code /data/x}, read as {@code file}).
 *
 * <p>TES URLs are often not percent-encoded (spaces, non-ASCII letters), so this type parses them
 * leniently: {@link #path()} is always the decoded path, and {@link #toUri()} encodes it properly
 * for the wire. {@code toString()} masks the password and credential-like query values; {@link
 * #raw()} is the text as given.
 *
 * @param raw the location as given
 * @param scheme the scheme, lower case ({@code file} for a bare path)
 * @param user the user name of the user info, or {@code null}
 * @param password the password of the user info, or {@code null}
 * @param host the host (for {@code s3}, the bucket), or {@code null} for {@code file}
 * @param port the port, or -1
 * @param path the decoded path, starting with {@code /} (may be just {@code /})
 * @param query the raw query without {@code ?}, or {@code null}
 */
public record StorageUrl(
    String raw,
    String scheme,
    String user,
    String password,
    String host,
    int port,
    String path,
    String query) {

  private static final Pattern SHAPE =
      Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*):(//([^/?#]*))?([^?#]*)(\\?([^#]*))?(#.*)?$");

  /** Checks the parts. */
  public StorageUrl {
    Objects.requireNonNull(raw, "raw");
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(path, "path");
  }

  /**
   * Parses a location.
   *
   * @throws TransferException with reason {@link TransferException.Reason#INVALID_URL} saying
   *     what is wrong
   */
  public static StorageUrl parse(String location) {
    if (location == null || location.isBlank()) {
      throw new TransferException(
          TransferException.Reason.INVALID_URL, String.valueOf(location), "the URL is empty", null);
    }
    String text = location.strip();
    if (text.startsWith("/")) {
      return new StorageUrl(text, "file", null, null, null, -1, text, null);
    }
    Matcher m = SHAPE.matcher(text);
    if (!m.matches()) {
      throw new TransferException(
          TransferException.Reason.INVALID_URL,
          Redact.url(text),
          "not a URL or an absolute path (expected scheme://host/path, e.g. s3://bucket/key, or /abs/path)",
          null);
    }
    String scheme = m.group(1).toLowerCase(Locale.ROOT);
    String authority = m.group(3);
    String rawPath = m.group(4);
    String query = m.group(6);
    String user = null;
    String password = null;
    String host = null;
    int port = -1;
    if (authority != null && !authority.isEmpty()) {
      int at = authority.lastIndexOf('@');
      if (at >= 0) {
        String info = authority.substring(0, at);
        int colon = info.indexOf(':');
        user = decode(colon < 0 ? info : info.substring(0, colon));
        password = colon < 0 ? null : decode(info.substring(colon + 1));
        authority = authority.substring(at + 1);
      }
      int colon = authority.lastIndexOf(':');
      if (colon >= 0 && authority.indexOf(']') < colon) {
        String portText = authority.substring(colon + 1);
        if (!portText.isEmpty()) {
          try {
            port = Integer.parseInt(portText);
          } catch (NumberFormatException e) {
            throw new TransferException(
                TransferException.Reason.INVALID_URL,
                Redact.url(text),
                "the port '" + portText + "' is not a number",
                e);
          }
          if (port < 1 || port > 65535) {
            throw new TransferException(
                TransferException.Reason.INVALID_URL,
                Redact.url(text),
                "the port " + port + " is outside 1-65535",
                null);
          }
        }
        authority = authority.substring(0, colon);
      }
      host = authority.isEmpty() ? null : authority;
      if (host != null) {
        checkHost(text, host);
      }
    }
    if ("file".equals(scheme) && host != null && !host.equals("localhost")) {
      throw new TransferException(
          TransferException.Reason.INVALID_URL,
          Redact.url(text),
          "a file URL names a local path: use file:///abs/path (three slashes), not a host '" + host + "'",
          null);
    }
    if ("file".equals(scheme)) {
      host = null;
    }
    String path = decode(rawPath);
    if (path.isEmpty()) {
      path = "/";
    } else if (!path.startsWith("/")) {
      path = "/" + path;
    }
    return new StorageUrl(text, scheme, user, password, host, port, path, query);
  }

  /**
   * Refuses hosts that no storage could reach and that the transfer policy could not judge: an
   * unclosed or misplaced bracket ({@code http://[::1}), blanks or control characters.
   */
  private static void checkHost(String text, String host) {
    boolean bracketed = host.startsWith("[") && host.endsWith("]") && host.length() > 2
        && host.indexOf('[', 1) < 0 && host.indexOf(']') == host.length() - 1;
    if (!bracketed && (host.indexOf('[') >= 0 || host.indexOf(']') >= 0)) {
      throw new TransferException(
          TransferException.Reason.INVALID_URL,
          Redact.url(text),
          "the host is not valid: only an IPv6 address goes in brackets, whole, as in http://[::1]:8080/",
          null);
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (Character.isWhitespace(c) || Character.isISOControl(c)) {
        throw new TransferException(
            TransferException.Reason.INVALID_URL, Redact.url(text), "the host holds a blank or a control character", null);
      }
    }
  }

  private static String decode(String text) {
    if (text.indexOf('%') < 0) {
      return text;
    }
    if (!validEscapes(text)) {
      // A '%' that starts no escape (s3://b/100%.txt): the text is not encoded, keep it as written.
      return text;
    }
    // '+' is a literal plus in a path, not a space: protect it from the form decoder.
    return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** Whether every '%' in {@code text} starts a two-digit hexadecimal escape. */
  private static boolean validEscapes(String text) {
    for (int i = text.indexOf('%'); i >= 0; i = text.indexOf('%', i + 1)) {
      if (i + 2 >= text.length()
          || Character.digit(text.charAt(i + 1), 16) < 0
          || Character.digit(text.charAt(i + 2), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * The port a connection goes to: {@link #port()} when the URL gives one, else the scheme's
   * default (80 for {@code http}, 443 for {@code https}, 21 for {@code ftp} and {@code ftps}, whose
   * TLS is explicit), or -1 for a scheme without one ({@code file}, {@code s3}, whose endpoint
   * decides).
   */
  public int effectivePort() {
    if (port > 0) {
      return port;
    }
    return switch (scheme) {
      case "http" -> 80;
      case "https" -> 443;
      case "ftp", "ftps" -> 21;
      default -> -1;
    };
  }

  /** The path without its leading slash: the S3 object key, for example. */
  public String key() {
    return path.substring(1);
  }

  /** The last segment of the path ({@code b.txt} for {@code s3://x/a/b.txt}), empty for {@code /}. */
  public String fileName() {
    String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return p.substring(p.lastIndexOf('/') + 1);
  }

  /** Whether the path ends with {@code /}: the location names a directory or a prefix. */
  public boolean isDirectoryLike() {
    return path.endsWith("/");
  }

  /** This location with {@code relative} appended to the path as segments, ensuring one slash. */
  public StorageUrl resolve(String relative) {
    String base = path.endsWith("/") ? path : path + "/";
    String rel = relative.startsWith("/") ? relative.substring(1) : relative;
    String newPath = base + rel;
    return new StorageUrl(
        rawWithPath(newPath), scheme, user, password, host, port, newPath, query);
  }

  /** This location with another path, user info, host and query kept. */
  public StorageUrl withPath(String newPath) {
    String p = newPath.startsWith("/") ? newPath : "/" + newPath;
    return new StorageUrl(rawWithPath(p), scheme, user, password, host, port, p, query);
  }

  private String rawWithPath(String newPath) {
    StringBuilder sb = new StringBuilder(scheme).append("://");
    if (user != null) {
      sb.append(user);
      if (password != null) {
        sb.append(':').append(password);
      }
      sb.append('@');
    }
    if (host != null) {
      sb.append(host);
    }
    if (port > 0) {
      sb.append(':').append(port);
    }
    sb.append(newPath);
    if (query != null) {
      sb.append('?').append(query);
    }
    return sb.toString();
  }

  /** The user info, if any. */
  public Optional<String> userName() {
    return Optional.ofNullable(user);
  }

  /**
   * A properly encoded URI for the wire (path segments percent-encoded, query kept as given),
   * without the user info, which goes into headers or log-in commands instead.
   */
  public URI toUri() {
    try {
      String authority = host == null ? null : (port > 0 ? host + ":" + port : host);
      URI withoutQuery = new URI(scheme, authority, path, null, null);
      String ascii = withoutQuery.toASCIIString();
      return URI.create(query == null ? ascii : ascii + "?" + query);
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw new TransferException(
          TransferException.Reason.INVALID_URL, toString(), "cannot encode as a URI: " + e.getMessage(), e);
    }
  }

  /** The location with its password and credential-like query values masked. */
  @Override
  public String toString() {
    return Redact.url(raw);
  }
}
