package io.tes4j.server.auth.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jose.util.Resource;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.tes4j.server.auth.AuthenticationException;
import io.tes4j.server.auth.AuthenticationUnavailableException;
import io.tes4j.server.auth.Identity;
import io.tes4j.server.auth.OidcSettings;
import io.tes4j.server.auth.Scope;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OIDC access or ID tokens (JWTs) verified against the issuer's JWKS with nimbus-jose-jwt. The keys
 * are fetched on the first request (after the discovery document when no JWKS URL is set), cached,
 * and fetched again when a token names a key id the cache does not have (key rotation), no more
 * than twice in 30 s (nimbus' rate limit, so that tokens with made-up key ids cannot make this
 * server hammer the issuer).
 */
public final class OidcAuthenticator implements SchemeAuthenticator {
  private static final Logger log = LoggerFactory.getLogger(OidcAuthenticator.class);

  /** The challenge of a request without a token. */
  public static final String CHALLENGE = BearerTokenAuthenticator.CHALLENGE;

  /** The challenge of a request whose token is rejected (RFC 6750, section 3.1). */
  public static final String INVALID_TOKEN_CHALLENGE =
      BearerTokenAuthenticator.INVALID_TOKEN_CHALLENGE;

  /** Three base64url parts: a JWS in compact form (a JWE has five, and is refused anyway). */
  private static final Pattern LOOKS_LIKE_JWT =
      Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*(\\.[A-Za-z0-9_-]*){0,2}");

  private static final Pattern PRINTABLE_KEY_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

  /** Accepted {@code typ} headers: none, JWT, and RFC 9068's access token types. */
  private static final Set<JOSEObjectType> ACCEPTED_TYPES =
      Set.of(
          JOSEObjectType.JWT,
          new JOSEObjectType("at+jwt"),
          new JOSEObjectType("application/at+jwt"));

  /** How long a failed discovery is remembered before the next request tries again. */
  private static final Duration DISCOVERY_RETRY_AFTER = Duration.ofSeconds(10);

  private static final int MAX_DOCUMENT_BYTES = 512 * 1024;

  private final OidcSettings settings;
  private final Set<JWSAlgorithm> algorithms;
  private final Clock clock;
  private final DefaultResourceRetriever retriever;

  private final Object keysLock = new Object();

  /** Made once (under keysLock), then read without the lock: it is thread-safe once set up. */
  private volatile DefaultJWTProcessor<SecurityContext> processor;

  private Instant discoveryFailedAt; // guarded by keysLock
  private String discoveryFailure; // guarded by keysLock

  /** An authenticator for {@code settings}; no network access until the first token. */
  public OidcAuthenticator(OidcSettings settings) {
    this(settings, Clock.systemUTC());
  }

  OidcAuthenticator(OidcSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    this.algorithms =
        settings.algorithms().stream()
            .map(JWSAlgorithm::parse)
            .collect(Collectors.toUnmodifiableSet());
    int timeoutMillis = Math.toIntExact(settings.httpTimeout().toMillis());
    this.retriever = new DefaultResourceRetriever(timeoutMillis, timeoutMillis, MAX_DOCUMENT_BYTES);
  }

  @Override
  public String scheme() {
    return "Bearer";
  }

  @Override
  public String challenge() {
    return CHALLENGE;
  }

  @Override
  public boolean recognizes(AuthorizationHeader header) {
    return header.hasScheme("Bearer") && LOOKS_LIKE_JWT.matcher(header.credentials()).matches();
  }

  @Override
  public boolean triedLast() {
    return true;
  }

  @Override
  public Identity authenticate(String authorization) {
    AuthorizationHeader header = AuthorizationHeader.parse(authorization);
    if (header == null) {
      throw new AuthenticationException(
          "no credentials: this server wants a Bearer token (a JWT from " + settings.issuer() + ")",
          CHALLENGE);
    }
    if (!header.hasScheme("Bearer")) {
      throw new AuthenticationException(
          "expected a Bearer token (Authorization: Bearer JWT)", CHALLENGE);
    }
    SignedJWT jwt = parseSigned(header.credentials());
    JWTClaimsSet claims;
    try {
      claims = processor().process(jwt, null);
    } catch (BadJWTException e) {
      // The claims verifier's messages: those of IssuerAudienceTimeVerifier, or nimbus' naming a
      // missing claim; none holds the token.
      throw rejected(e.getMessage());
    } catch (BadJWSException e) {
      throw rejected("bad signature: the token was not signed by the issuer's key " + keyId(jwt));
    } catch (BadJOSEException e) {
      // With the algorithm and type checked in parseSigned, what is left is a key id that the
      // issuer's JWKS has not, even after fetching it again.
      throw rejected(
          "unknown key: the issuer's JWKS has no "
              + jwt.getHeader().getAlgorithm()
              + " key "
              + keyId(jwt));
    } catch (KeySourceException e) {
      log.warn("OIDC: the keys of {} could not be fetched: {}", settings.issuer(), e.getMessage());
      throw new AuthenticationUnavailableException(
          "the issuer's keys could not be fetched, so the token cannot be checked now");
    } catch (JOSEException e) {
      // A failure of the verifier itself (a key it cannot use, a missing crypto provider): logged
      // for the operator, since the 401 cannot carry a cause. nimbus' messages hold no token.
      log.warn("OIDC: a token of {} could not be verified: {}", settings.issuer(), e.toString());
      throw rejected("the token could not be verified: " + e.getClass().getSimpleName());
    }
    return identity(claims);
  }

  private SignedJWT parseSigned(String token) {
    JWT jwt;
    try {
      jwt = JWTParser.parse(token);
    } catch (ParseException e) {
      // Not chained: nimbus' parse messages may quote the token's header or claims.
      throw rejected("malformed token: not a JWT (three base64url parts of JSON)");
    }
    if (jwt instanceof PlainJWT) {
      throw rejected("unsigned token (alg none) refused");
    }
    if (jwt instanceof EncryptedJWT) {
      throw rejected("encrypted tokens (JWE) are not supported; send a signed JWT");
    }
    SignedJWT signed = (SignedJWT) jwt;
    JWSAlgorithm algorithm = signed.getHeader().getAlgorithm();
    if (!algorithms.contains(algorithm)) {
      throw rejected(
          "algorithm "
              + Scopes.printable(algorithm.getName())
              + " is not allowed; allowed: "
              + new TreeSet<>(settings.algorithms()));
    }
    JOSEObjectType type = signed.getHeader().getType();
    if (type != null && !ACCEPTED_TYPES.contains(type)) {
      throw rejected("token type (typ) not accepted; accepted: JWT, at+jwt, or none");
    }
    return signed;
  }

  private Identity identity(JWTClaimsSet claims) {
    Object user = claims.getClaim(settings.userClaim());
    if (!(user instanceof String name) || name.isBlank()) {
      throw rejected(
          "the token has no string claim '" + settings.userClaim() + "' naming the user");
    }
    Set<Scope> scopes = EnumSet.noneOf(Scope.class);
    for (String claim : List.of("scope", "scp")) {
      for (String value : values(claims.getClaim(claim))) {
        if (value.startsWith(settings.scopePrefix())) {
          Scopes.byWireName(value.substring(settings.scopePrefix().length()))
              .ifPresent(scopes::add);
        }
      }
    }
    return new Identity(name, scopes);
  }

  /** A space-separated string (OAuth's {@code scope}) or an array of strings ({@code scp}). */
  private static List<String> values(Object claim) {
    List<String> values = new ArrayList<>();
    if (claim instanceof String text) {
      for (String value : text.split(" ")) {
        if (!value.isEmpty()) {
          values.add(value);
        }
      }
    } else if (claim instanceof List<?> list) {
      for (Object item : list) {
        if (item instanceof String value) {
          values.add(value);
        }
      }
    }
    return values;
  }

  private static String keyId(SignedJWT jwt) {
    String kid = jwt.getHeader().getKeyID();
    if (kid == null) {
      return "(the token names no key id)";
    }
    return PRINTABLE_KEY_ID.matcher(kid).matches() ? "'" + kid + "'" : "(key id not shown)";
  }

  private AuthenticationException rejected(String message) {
    return new AuthenticationException(message, INVALID_TOKEN_CHALLENGE);
  }

  /**
   * The processor, made on the first request: finding the JWKS URL may need the issuer's discovery
   * document, and a server should start even while its identity provider is down.
   */
  private DefaultJWTProcessor<SecurityContext> processor() {
    DefaultJWTProcessor<SecurityContext> ready = processor;
    if (ready != null) {
      return ready;
    }
    synchronized (keysLock) {
      if (processor != null) {
        return processor;
      }
      if (discoveryFailedAt != null
          && clock.instant().isBefore(discoveryFailedAt.plus(DISCOVERY_RETRY_AFTER))) {
        throw new AuthenticationUnavailableException(discoveryFailure);
      }
      URI jwksUri;
      try {
        jwksUri = settings.jwksUri() != null ? settings.jwksUri() : discoverJwksUri();
      } catch (AuthenticationUnavailableException e) {
        discoveryFailedAt = clock.instant();
        discoveryFailure = e.getMessage();
        throw e;
      }
      JWKSource<SecurityContext> keys =
          JWKSourceBuilder.<SecurityContext>create(toUrl(jwksUri), retriever)
              .retrying(true)
              .build();
      DefaultJWTProcessor<SecurityContext> made = new DefaultJWTProcessor<>();
      made.setJWSTypeVerifier(
          new DefaultJOSEObjectTypeVerifier<>(
              JOSEObjectType.JWT,
              new JOSEObjectType("at+jwt"),
              new JOSEObjectType("application/at+jwt"),
              null));
      made.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
      made.setJWTClaimsSetVerifier(new IssuerAudienceTimeVerifier(settings, clock));
      processor = made;
      log.info("OIDC: tokens of {} are checked with the keys at {}", settings.issuer(), jwksUri);
      return made;
    }
  }

  private URI discoverJwksUri() {
    String issuer = settings.issuer().toString();
    URI discovery =
        URI.create(
            (issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer)
                + "/.well-known/openid-configuration");
    Map<String, Object> document;
    try {
      Resource resource = retriever.retrieveResource(toUrl(discovery));
      document = JSONObjectUtils.parse(resource.getContent());
    } catch (IOException | ParseException e) {
      log.warn("OIDC: the discovery document {} could not be read: {}", discovery, e.toString());
      throw new AuthenticationUnavailableException(
          "the issuer's OpenID configuration "
              + discovery
              + " could not be read ("
              + e.getClass().getSimpleName()
              + "), so the token cannot be checked");
    }
    Object documentIssuer = document.get("issuer");
    if (!issuer.equals(documentIssuer)) {
      // OpenID Connect Discovery 1.0, section 4.3: a document naming another issuer is not used.
      log.warn("OIDC: {} names issuer {}, not {}", discovery, documentIssuer, issuer);
      throw new AuthenticationUnavailableException(
          "the issuer's OpenID configuration " + discovery + " names another issuer");
    }
    Object jwks = document.get("jwks_uri");
    if (!(jwks instanceof String jwksText)) {
      log.warn("OIDC: {} has no jwks_uri string", discovery);
      throw new AuthenticationUnavailableException(
          "the issuer's OpenID configuration " + discovery + " has no jwks_uri");
    }
    try {
      // Held to the rules of a configured JWKS URL: https, or http on the loopback interface.
      return OidcSettings.builder(issuer).jwksUri(jwksText).build().jwksUri();
    } catch (IllegalArgumentException e) {
      log.warn("OIDC: the jwks_uri of {} is refused: {}", discovery, e.getMessage());
      throw new AuthenticationUnavailableException(
          "the jwks_uri of " + discovery + " is refused: " + e.getMessage());
    }
  }

  private static URL toUrl(URI uri) {
    try {
      return uri.toURL();
    } catch (MalformedURLException e) {
      throw new IllegalStateException("a checked http(s) URI is not a URL: " + uri, e);
    }
  }

  @Override
  public String toString() {
    return "OidcAuthenticator[" + settings + "]";
  }

  /**
   * Issuer, audience, expiry and not-before with messages that say which failed, before nimbus' own
   * checks (required claims) run.
   */
  static final class IssuerAudienceTimeVerifier extends DefaultJWTClaimsVerifier<SecurityContext> {
    private final OidcSettings settings;
    private final Clock clock;

    IssuerAudienceTimeVerifier(OidcSettings settings, Clock clock) {
      super(
          settings.audiences().isEmpty() ? null : new HashSet<>(settings.audiences()),
          new JWTClaimsSet.Builder().issuer(settings.issuer().toString()).build(),
          Set.of("iss", "exp"),
          null);
      setMaxClockSkew(Math.toIntExact(settings.clockSkew().toSeconds()));
      this.settings = settings;
      this.clock = clock;
    }

    @Override
    public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
      String issuer = claims.getIssuer();
      if (issuer == null) {
        throw new BadJWTException("the token has no issuer (iss)");
      }
      if (!issuer.equals(settings.issuer().toString())) {
        throw new BadJWTException(
            "wrong issuer: this server accepts tokens of " + settings.issuer());
      }
      if (!settings.audiences().isEmpty()) {
        List<String> audience = claims.getAudience();
        if (audience == null || audience.stream().noneMatch(settings.audiences()::contains)) {
          throw new BadJWTException(
              "wrong audience: the token's aud has none of " + new TreeSet<>(settings.audiences()));
        }
      }
      Instant now = clock.instant();
      Duration skew = settings.clockSkew();
      Date expires = claims.getExpirationTime();
      if (expires == null) {
        throw new BadJWTException("the token has no expiry (exp)");
      }
      if (!now.isBefore(expires.toInstant().plus(skew))) {
        throw new BadJWTException("expired at " + expires.toInstant());
      }
      Date notBefore = claims.getNotBeforeTime();
      if (notBefore != null && now.isBefore(notBefore.toInstant().minus(skew))) {
        throw new BadJWTException("not valid yet: not before " + notBefore.toInstant());
      }
      super.verify(claims, context);
    }
  }
}
