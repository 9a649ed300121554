package io.tes4j.server.auth;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of {@link Authenticators#oidc(OidcSettings)}: which issuer's JWTs to accept and how to
 * read a user and scopes from them. Only the issuer is required:
 *
 * <pre>{@code
 * OidcSettings settings = OidcSettings.builder("https://sso.example.org/realms/lab")
 *     .audience("tes")
 *     .userClaim("preferred_username")
 *     .scopePrefix("tes:")
 *     .build();
 * }</pre>
 *
 * <p>The issuer, and the JWKS URL when given, must be {@code https} URLs; {@code http} is allowed
 * only on the loopback interface ({@code localhost}, {@code 127.0.0.1}, {@code [::1]}), for tests
 * and for an identity provider on the same machine.
 *
 * @param issuer the {@code iss} every token must carry, exactly
 * @param audiences when not empty, a token's {@code aud} must contain one of them
 * @param jwksUri where the issuer's public keys are; {@code null} to read the {@code jwks_uri} of
 *     the issuer's {@code /.well-known/openid-configuration} (on the first request)
 * @param algorithms the JWS algorithms accepted (default RS256, ES256, PS256); only RSA, RSA-PSS
 *     and EC signatures, never {@code none} nor HMAC
 * @param clockSkew how far {@code exp} and {@code nbf} may be off (default 60 s, at most 5 min)
 * @param userClaim the claim naming the user (default {@code sub}; e.g. {@code preferred_username})
 * @param scopePrefix what each scope value starts with (e.g. {@code tes:} for {@code tes:read});
 *     empty (the default) for plain {@code read}, {@code submit}, {@code cancel}
 * @param httpTimeout the connect and read timeout of each request for the discovery document and
 *     the keys (default 5 s)
 */
public record OidcSettings(
    URI issuer,
    Set<String> audiences,
    URI jwksUri,
    Set<String> algorithms,
    Duration clockSkew,
    String userClaim,
    String scopePrefix,
    Duration httpTimeout) {

  /** The algorithms accepted unless told otherwise. */
  public static final Set<String> DEFAULT_ALGORITHMS = Set.of("RS256", "ES256", "PS256");

  /** The algorithms that may be allowed: RSA, RSA-PSS and EC signatures with a public key. */
  public static final Set<String> SUPPORTED_ALGORITHMS =
      Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512");

  private static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

  /**
   * Checks every setting.
   *
   * @throws IllegalArgumentException naming the setting that is wrong and what is allowed
   */
  public OidcSettings {
    Objects.requireNonNull(issuer, "issuer");
    checkUrl("issuer", issuer);
    audiences = Set.copyOf(audiences);
    if (audiences.stream().anyMatch(String::isBlank)) {
      throw new IllegalArgumentException("an audience must not be blank");
    }
    if (jwksUri != null) {
      checkUrl("JWKS URL", jwksUri);
    }
    algorithms = Set.copyOf(algorithms);
    if (algorithms.isEmpty()) {
      throw new IllegalArgumentException(
          "no algorithm allowed; allow one or more of " + sorted(SUPPORTED_ALGORITHMS));
    }
    for (String algorithm : algorithms) {
      if (!SUPPORTED_ALGORITHMS.contains(algorithm)) {
        String why =
            algorithm.toUpperCase(Locale.ROOT).startsWith("HS")
                ? " (HMAC needs a shared secret, and a JWKS holds public keys)"
                : "none".equalsIgnoreCase(algorithm) ? " (unsigned tokens prove nothing)" : "";
        throw new IllegalArgumentException(
            "algorithm '"
                + algorithm
                + "' is not allowed"
                + why
                + "; allowed: "
                + sorted(SUPPORTED_ALGORITHMS));
      }
    }
    Objects.requireNonNull(clockSkew, "clockSkew");
    if (clockSkew.isNegative() || clockSkew.compareTo(MAX_CLOCK_SKEW) > 0) {
      throw new IllegalArgumentException(
          "clock skew " + clockSkew.toSeconds() + " s is out of range; allowed: 0 to 300 s");
    }
    Objects.requireNonNull(userClaim, "userClaim");
    if (userClaim.isBlank()) {
      throw new IllegalArgumentException("the user claim must not be blank (e.g. sub)");
    }
    Objects.requireNonNull(scopePrefix, "scopePrefix");
    Objects.requireNonNull(httpTimeout, "httpTimeout");
    if (httpTimeout.toMillis() < 1 || httpTimeout.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new IllegalArgumentException("the HTTP timeout must be 1 ms to 60 s");
    }
  }

  /**
   * A builder for the tokens of {@code issuer} (e.g. {@code https://sso.example.org/realms/lab}).
   */
  public static Builder builder(String issuer) {
    return new Builder(parseUrl("issuer", issuer));
  }

  private static URI parseUrl(String what, String url) {
    Objects.requireNonNull(url, what);
    try {
      return new URI(url);
    } catch (URISyntaxException e) {
      // Reported by reason and index, neither shown nor chained (the exception's message holds
      // the text): a URL with user-info would show its password.
      throw new IllegalArgumentException(
          what + " is not a URL: " + e.getReason() + " at index " + e.getIndex());
    }
  }

  private static void checkUrl(String what, URI url) {
    // First, since a URL with user-info must not be shown (it may hold a password).
    if (url.getRawUserInfo() != null || url.getRawQuery() != null || url.getRawFragment() != null) {
      throw new IllegalArgumentException(
          what + " must have no user-info, query or fragment (the URL is not shown)");
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!url.isAbsolute()
        || url.getHost() == null
        || !(scheme.equals("https") || scheme.equals("http"))) {
      throw new IllegalArgumentException(
          what
              + " '"
              + url
              + "' must be an absolute https URL with a host, e.g."
              + " https://sso.example.org/realms/lab");
    }
    if (scheme.equals("http") && !isLoopback(url.getHost())) {
      throw new IllegalArgumentException(
          what
              + " '"
              + url
              + "' must use https; http is allowed only for localhost, 127.0.0.1"
              + " and [::1]");
    }
  }

  private static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    // An IPv4 literal in 127.0.0.0/8, never a name that merely starts with "127." (127.evil.org).
    return h.equals("localhost") || h.matches("127(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}")
        || h.equals("[::1]") || h.equals("::1");
  }

  private static List<String> sorted(Set<String> values) {
    List<String> list = new ArrayList<>(values);
    list.sort(null);
    return list;
  }

  /** Builds {@link OidcSettings}; every setting but the issuer has a default. */
  public static final class Builder {
    private final URI issuer;
    private final Set<String> audiences = new LinkedHashSet<>();
    private URI jwksUri;
    private Set<String> algorithms = DEFAULT_ALGORITHMS;
    private Duration clockSkew = Duration.ofSeconds(60);
    private String userClaim = "sub";
    private String scopePrefix = "";
    private Duration httpTimeout = Duration.ofSeconds(5);

    private Builder(URI issuer) {
      this.issuer = issuer;
    }

    /** Adds an accepted audience: a token's {@code aud} must contain one of those added. */
    public Builder audience(String audience) {
      audiences.add(Objects.requireNonNull(audience, "audience"));
      return this;
    }

    /** The issuer's JWKS URL, instead of the {@code jwks_uri} of its discovery document. */
    public Builder jwksUri(String url) {
      this.jwksUri = parseUrl("JWKS URL", url);
      return this;
    }

    /** The accepted JWS algorithms, replacing the default RS256, ES256 and PS256. */
    public Builder algorithms(String... names) {
      this.algorithms = new LinkedHashSet<>(List.of(names));
      return this;
    }

    /** How far {@code exp} and {@code nbf} may be off; default 60 s. */
    public Builder clockSkew(Duration skew) {
      this.clockSkew = skew;
      return this;
    }

    /** The claim naming the user; default {@code sub}. */
    public Builder userClaim(String claim) {
      this.userClaim = claim;
      return this;
    }

    /** The prefix of each scope value (e.g. {@code tes:}); default none. */
    public Builder scopePrefix(String prefix) {
      this.scopePrefix = prefix;
      return this;
    }

    /** The connect and read timeout of the requests for the issuer's keys; default 5 s. */
    public Builder httpTimeout(Duration timeout) {
      this.httpTimeout = timeout;
      return this;
    }

    /**
     * The settings.
     *
     * @throws IllegalArgumentException naming the setting that is wrong
     */
    public OidcSettings build() {
      return new OidcSettings(
          issuer, audiences, jwksUri, algorithms, clockSkew, userClaim, scopePrefix, httpTimeout);
    }
  }
}
