package io.tes4j.transfer;

import java.util.Locale;
import java.util.Objects;

/**
 * A user name and password, or a bearer token, for one host. Sent only to that host (and port, if
 * given). {@code toString()} masks the secret.
 *
 * @param host the host name it belongs to, lower case
 * @param port the port it belongs to, or -1 for any port of the host
 * @param user the user name, or {@code null} for a bearer token
 * @param secret the password or the token
 */
public record Credentials(String host, int port, String user, String secret) {

  /** Checks the parts and lower-cases the host. */
  public Credentials {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(secret, "secret");
    if (host.isBlank()) {
      throw new IllegalArgumentException("credentials need the host they belong to");
    }
    host = host.toLowerCase(Locale.ROOT);
  }

  /** A user name and password for {@code host}. */
  public static Credentials password(String host, String user, String password) {
    return new Credentials(host, -1, Objects.requireNonNull(user, "user"), password);
  }

  /** A bearer token for {@code host}. */
  public static Credentials bearer(String host, String token) {
    return new Credentials(host, -1, null, token);
  }

  /** The same credentials restricted to one port. */
  public Credentials onPort(int port) {
    return new Credentials(host, port, user, secret);
  }

  /** Whether these credentials are a bearer token rather than a user and password. */
  public boolean isBearer() {
    return user == null;
  }

  /**
   * Whether these credentials belong to {@code url}'s host (and port). A URL without a port is on
   * its scheme's default port ({@link StorageUrl#effectivePort()}): credentials for {@code
   * example.org:443} apply to {@code https://example.org/x}.
   */
  public boolean appliesTo(StorageUrl url) {
    return url.host() != null
        && host.equals(url.host().toLowerCase(Locale.ROOT))
        && (port < 0 || port == url.port() || port == url.effectivePort());
  }

  /** The secret is masked. */
  @Override
  public String toString() {
    return "Credentials[host=" + host + (port < 0 ? "" : ":" + port)
        + (user == null ? ", bearer ****" : ", user=" + user + ", password=****") + "]";
  }
}
