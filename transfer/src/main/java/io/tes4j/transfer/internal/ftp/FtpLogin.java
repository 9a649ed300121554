package io.tes4j.transfer.internal.ftp;

import io.tes4j.transfer.Credentials;
import io.tes4j.transfer.StorageUrl;
import io.tes4j.transfer.TransferSettings;
import java.util.Locale;
import java.util.Optional;

/**
 * Who logs in where: the key of the connection pool. Two URLs share connections only when scheme,
 * host, port, user <em>and password</em> are equal, so a wrong password never borrows a connection
 * that a right one logged in. {@code toString()} masks the password. Internal.
 *
 * @param tls whether the control and data connections use explicit TLS ({@code ftps})
 * @param host the host, lower case
 * @param port the port (21 when the URL gives none)
 * @param user the user name ({@code anonymous} when neither the URL nor the settings give one)
 * @param password the password (never printed)
 * @param anonymous whether no user was given, so this is an anonymous log-in
 */
record FtpLogin(boolean tls, String host, int port, String user, String password, boolean anonymous) {

  /** The FTP port, used when a URL gives none (explicit FTPS uses it too). */
  static final int DEFAULT_PORT = 21;

  /** What anonymous users send as password: by convention an e-mail-like text. */
  static final String ANONYMOUS_PASSWORD = "tes4j@";

  /**
   * The log-in for {@code url}: the URL's user info wins; else the user and password configured
   * for the URL's host in {@code settings}; else anonymous. When the URL names a user but no
   * password, the configured password is used if it belongs to the same user.
   */
  static FtpLogin of(StorageUrl url, TransferSettings settings) {
    boolean tls = "ftps".equals(url.scheme());
    String host = url.host().toLowerCase(Locale.ROOT);
    int port = url.port() > 0 ? url.port() : DEFAULT_PORT;
    Optional<Credentials> configured =
        settings.credentialsFor(url).filter(c -> !c.isBearer());
    if (url.user() != null && !url.user().isEmpty()) {
      String user = url.user();
      String password = url.password();
      if (password == null) {
        password =
            configured.filter(c -> c.user().equals(user)).map(Credentials::secret).orElse("");
      }
      return new FtpLogin(tls, host, port, user, password, false);
    }
    if (configured.isPresent()) {
      return new FtpLogin(tls, host, port, configured.get().user(), configured.get().secret(), false);
    }
    return new FtpLogin(tls, host, port, "anonymous", ANONYMOUS_PASSWORD, true);
  }

  /** {@code host} or {@code host:port} when the port is not 21, for messages. */
  String where() {
    return port == DEFAULT_PORT ? host : host + ":" + port;
  }

  /** Hides this log-in's password in {@code text} (a server reply may echo anything). */
  String mask(String text) {
    if (text == null || anonymous || password.isEmpty()) {
      return text;
    }
    return text.replace(password, "****");
  }

  /** The password is masked. */
  @Override
  public String toString() {
    return "FtpLogin[" + (tls ? "ftps://" : "ftp://") + user + "@" + host + ":" + port
        + (anonymous ? ", anonymous" : ", password=****") + "]";
  }
}
