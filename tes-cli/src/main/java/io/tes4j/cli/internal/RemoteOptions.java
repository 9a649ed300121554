package io.tes4j.cli.internal;

import io.tes4j.api.TesClient;
import io.tes4j.client.RetrySettings;
import io.tes4j.client.TesAuth;
import io.tes4j.client.TesHttpClient;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * The options of every command that talks to a server: where it is, how to log in, and how
 * patiently to ask. Values not given fall back to the environment ({@code TES_SERVER},
 * {@code TES_USER}, {@code TES_PASSWORD}, {@code TES_TOKEN}).
 */
public final class RemoteOptions {
  /** Options whose values are secrets. */
  static final List<String> SECRET_OPTIONS = List.of("--password", "--token");

  /** An HTTP header name: an RFC 9110 token. */
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  /** The password of a URL's user info. */
  private static final Pattern URL_PASSWORD = Pattern.compile("//[^/@:]*:([^/@]*)@");

  /** Header names whose values are credentials, and so are never shown. */
  private static final Pattern SECRET_HEADER =
      Pattern.compile("(?i).*(auth|token|key|secret|cookie|password|credential).*");

  @Option(
      names = "--server",
      paramLabel = "URL",
      description =
          "The TES server's base URL, e.g. http://localhost:8000/ga4gh/tes/v1."
              + " Default: the TES_SERVER environment variable.")
  private String server;

  @Option(
      names = "--user",
      paramLabel = "USER",
      description = "User name for HTTP basic authentication (needs a password). Default: TES_USER.")
  private String user;

  @Option(
      names = "--password",
      paramLabel = "PASSWORD",
      description =
          "Password for basic authentication. Default: TES_PASSWORD, which other users of the"
              + " machine cannot see in the process list, unlike this option.")
  private String password;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description = "Bearer token (not together with --user). Default: TES_TOKEN.")
  private String token;

  @Option(
      names = "--header",
      paramLabel = "NAME=VALUE",
      description = "An extra HTTP header on every request; repeatable.")
  private List<String> headers = new ArrayList<>();

  @Option(
      names = "--request-timeout",
      paramLabel = "DURATION",
      defaultValue = "60s",
      description = "How long one HTTP request may take (e.g. 30s, 2m). Default: ${DEFAULT-VALUE}.")
  private Duration requestTimeout;

  @Option(
      names = "--connect-timeout",
      paramLabel = "DURATION",
      defaultValue = "10s",
      description = "How long connecting to the server may take (e.g. 5s). Default: ${DEFAULT-VALUE}.")
  private Duration connectTimeout;

  @Option(
      names = "--retries",
      paramLabel = "N",
      defaultValue = "3",
      description =
          "Retries of a request that failed for a passing reason (refused connection, timeout,"
              + " 429, 502, 503, 504; a submit only when it surely was not processed);"
              + " 0 turns retrying off. Default: ${DEFAULT-VALUE}, 0.2 s apart, doubling.")
  private int retries;

  /**
   * Opens a client as {@code s} says.
   *
   * @throws UsageError when the client refuses a setting (a base URL with a query, a header it
   *     does not allow)
   */
  static TesClient open(Settings s) {
    try {
      TesHttpClient.Builder builder =
          TesHttpClient.builder()
              .baseUrl(s.server())
              .auth(s.auth())
              .userAgent("tes4j-cli/" + VersionProvider.version());
      s.headers().forEach(builder::header);
      return builder
          .requestTimeout(s.requestTimeout())
          .connectTimeout(s.connectTimeout())
          .retry(
              s.retries() == 0
                  ? RetrySettings.none()
                  : RetrySettings.defaults().withMaxAttempts(s.retries() + 1))
          .build();
    } catch (IllegalArgumentException e) {
      // Every setting comes from the command line or the environment: a refused one is a usage
      // error. The client's messages never hold a password or token.
      throw new UsageError(e.getMessage());
    }
  }

  /** What to connect to and how, resolved from the options and the environment. */
  record Settings(
      URI server,
      TesAuth auth,
      Map<String, String> headers,
      Duration requestTimeout,
      Duration connectTimeout,
      int retries) {}

  /**
   * Resolves the options against the environment, checking them.
   *
   * @throws UsageError when no server is given, the URL is not http(s), a header is malformed, or
   *     the credentials are incomplete or conflicting
   */
  Settings resolve(Context ctx) {
    URI url = serverUrl(ctx);
    TesAuth auth = auth(ctx);
    Map<String, String> parsedHeaders = new LinkedHashMap<>();
    for (String h : headers) {
      int eq = h.indexOf('=');
      String name = eq < 0 ? h : h.substring(0, eq).strip();
      if (eq < 0 || !HEADER_NAME.matcher(name).matches()) {
        throw new UsageError("invalid --header '" + h + "': use NAME=VALUE, e.g. X-Project=demo");
      }
      String value = h.substring(eq + 1).strip();
      if (SECRET_HEADER.matcher(name).matches()) {
        ctx.secret(value);
      }
      parsedHeaders.put(name, value);
    }
    requirePositive("--request-timeout", requestTimeout);
    requirePositive("--connect-timeout", connectTimeout);
    if (retries < 0 || retries >= RetrySettings.MAX_ATTEMPTS) {
      throw new UsageError(
          "invalid --retries " + retries + ": must be between 0 and " + (RetrySettings.MAX_ATTEMPTS - 1));
    }
    return new Settings(url, auth, parsedHeaders, requestTimeout, connectTimeout, retries);
  }

  private static void requirePositive(String option, Duration value) {
    if (value.isZero()) {
      throw new UsageError("invalid " + option + " 0s: must be more than zero");
    }
  }

  private URI serverUrl(Context ctx) {
    String raw = server != null && !server.isBlank() ? server.strip() : ctx.env(Env.SERVER);
    if (raw == null) {
      throw new UsageError("no TES server: pass --server URL or set " + Env.SERVER);
    }
    // A password in the URL (http://user:password@host) is a secret, whether the URL parses or not.
    Matcher userInfo = URL_PASSWORD.matcher(raw);
    if (userInfo.find()) {
      ctx.secret(userInfo.group(1));
      ctx.secret(URLDecoder.decode(userInfo.group(1).replace("+", "%2B"), StandardCharsets.UTF_8));
    }
    URI uri;
    try {
      uri = new URI(raw);
    } catch (URISyntaxException e) {
      throw new UsageError("invalid server URL '" + raw + "': " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw new UsageError(
          "invalid server URL '"
              + raw
              + "': use http:// or https:// and a host, e.g. http://localhost:8000/ga4gh/tes/v1");
    }
    return uri;
  }

  private TesAuth auth(Context ctx) {
    try {
      return credentials(ctx);
    } catch (IllegalArgumentException e) {
      // TesAuth refuses a user with a colon, a blank token, a line break; it never names secrets.
      throw new UsageError("invalid credentials: " + e.getMessage());
    }
  }

  private TesAuth credentials(Context ctx) {
    ctx.secret(password);
    ctx.secret(token);
    boolean basicFlags = user != null || password != null;
    boolean tokenFlag = token != null;
    if (basicFlags && tokenFlag) {
      throw new UsageError("use either --user/--password or --token, not both");
    }
    String u;
    String p;
    String t;
    if (tokenFlag) {
      return TesAuth.bearer(token);
    } else if (basicFlags) {
      // The options win; the environment may complete them (TES_PASSWORD keeps the password out
      // of the process list).
      u = user != null ? user : ctx.env(Env.USER);
      p = password != null ? password : ctx.env(Env.PASSWORD);
      t = null;
    } else {
      u = ctx.env(Env.USER);
      p = ctx.env(Env.PASSWORD);
      t = ctx.env(Env.TOKEN);
      if ((u != null || p != null) && t != null) {
        throw new UsageError(
            "both " + Env.USER + "/" + Env.PASSWORD + " and " + Env.TOKEN
                + " are set: unset one, or choose with --user/--password or --token");
      }
    }
    if (t != null) {
      return TesAuth.bearer(t);
    }
    if (u != null && p == null) {
      throw new UsageError(
          "a user name (--user or " + Env.USER + ") needs a password: pass --password or set "
              + Env.PASSWORD);
    }
    if (p != null && u == null) {
      throw new UsageError(
          "a password (--password or " + Env.PASSWORD + ") needs a user name: pass --user or set "
              + Env.USER);
    }
    return u == null ? TesAuth.none() : TesAuth.basic(u, p);
  }
}
