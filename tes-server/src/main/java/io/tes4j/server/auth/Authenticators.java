package io.tes4j.server.auth;

import io.tes4j.server.auth.internal.AnyOfAuthenticator;
import io.tes4j.server.auth.internal.AuthSpec;
import io.tes4j.server.auth.internal.BasicAuthenticator;
import io.tes4j.server.auth.internal.BearerTokenAuthenticator;
import io.tes4j.server.auth.internal.OidcAuthenticator;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The authenticators tes4j provides, and the {@code --auth} specs of {@code tes4j serve}.
 *
 * <h2>Users file ({@link #basic(Path)})</h2>
 *
 * <p>One user a line, {@code USER:BCRYPT_HASH} as {@code htpasswd -nbB USER PASSWORD} prints it,
 * optionally followed by {@code :SCOPES}, a comma-separated list of {@code read}, {@code submit}
 * and {@code cancel} (without it the user has all three). Lines starting with {@code #} and blank
 * lines are ignored. Only bcrypt hashes ({@code $2y$}, {@code $2a$}, {@code $2b$}) are accepted: a
 * plain-text password or another kind of hash is refused when the file is read.
 *
 * <pre>
 * # tes4j users: htpasswd -nbB alice 's3cret' &gt;&gt; users
 * alice:$2y$05$FRh0o8fdRfE4rhQ2HyPsLemthJ8RmpusKdvxaQqxGIrv9vh11Id6O
 * dashboard:$2y$05$1qHboRgvisXIAhEc0jjIiOPR9i5aJY/MKZh.NYVCq1VOXF0OOP8Re:read
 * </pre>
 *
 * <h2>Tokens file ({@link #bearerTokens(Path)})</h2>
 *
 * <p>One token a line: {@code NAME SCOPES sha256:HEX}, separated by spaces or tabs, where NAME is
 * the caller's user name (letters, digits, {@code . _ @ -}), SCOPES a comma-separated list of
 * {@code read}, {@code submit}, {@code cancel}, and HEX the 64 hex digits of the token's SHA-256,
 * so that the file holds no usable secret. Lines starting with {@code #} and blank lines are
 * ignored; names and digests must be unique.
 *
 * <pre>
 * # TOKEN=$(openssl rand -hex 32); printf %s "$TOKEN" | sha256sum
 * worker   read,submit,cancel  sha256:35034465c6ba53f677f386e496a5a1c1711acca5b6c977473ff225a43ef1a166
 * monitor  read                sha256:40b07d9fc74f83b5d090ebc550a2b7e4518781aafa19c6d396d8a9e6520b4e69
 * </pre>
 *
 * <h2>{@code --auth} specs ({@link #fromSpec(String)})</h2>
 *
 * <ul>
 *   <li>{@code none}: no authentication (the server then binds 127.0.0.1 unless told otherwise).
 *   <li>{@code basic:FILE}: a users file.
 *   <li>{@code bearer:FILE}: a tokens file.
 *   <li>{@code oidc:ISSUER_URL[,audience=AUD][,jwks=URL][,user-claim=CLAIM][,scope-prefix=P]
 *       [,alg=ALG][,clock-skew=SECONDS]}: JWTs of an OpenID Connect issuer; {@code audience} and
 *       {@code alg} may repeat. See {@link OidcSettings}.
 * </ul>
 *
 * <p>Every authenticator is thread-safe, and no message, log line or {@code toString()} of theirs
 * holds a password, token or hash.
 */
public final class Authenticators {
  private Authenticators() {}

  /**
   * The authenticator a {@code --auth} value names: {@code none}, {@code basic:FILE}, {@code
   * bearer:FILE}, or {@code oidc:ISSUER_URL[,audience=AUD][,jwks=URL]...}. Files are read now; an
   * OIDC issuer is first contacted on the first request.
   *
   * @throws IllegalArgumentException naming what is wrong with the spec (or the file and line) and
   *     what is allowed; fit to show on a command line
   */
  public static Authenticator fromSpec(String spec) {
    return AuthSpec.parse(spec);
  }

  /**
   * Several authenticators at once: the scheme of a request's {@code Authorization} header picks
   * which check it ({@code Basic}: the users file; {@code Bearer}: the tokens file first, then OIDC
   * when the value looks like a JWT). A request without credentials gets a 401 whose challenge
   * lists every scheme configured. Authenticators not made by this class are tried after those, in
   * order.
   *
   * @throws IllegalArgumentException when {@code authenticators} is empty, or mixes {@link
   *     Authenticator#none()} with others (which would let every request in)
   */
  public static Authenticator anyOf(List<Authenticator> authenticators) {
    Objects.requireNonNull(authenticators, "authenticators");
    if (authenticators.size() == 1) {
      return Objects.requireNonNull(authenticators.get(0), "an authenticator is null");
    }
    return new AnyOfAuthenticator(authenticators);
  }

  /**
   * HTTP Basic against a file of users and bcrypt hashes (see the users file format above), read
   * now. A request's check costs one bcrypt check, also for an unknown user (so that timing does
   * not tell which users exist); a successful check is remembered for a minute. The challenge is
   * {@code Basic realm="tes4j"}.
   *
   * @throws IllegalArgumentException when the file cannot be read, or naming the file and line of a
   *     wrong entry (never its content)
   */
  public static Authenticator basic(Path usersFile) {
    return BasicAuthenticator.load(Objects.requireNonNull(usersFile, "usersFile"));
  }

  /**
   * Bearer tokens with scopes, from a file of SHA-256 digests (see the tokens file format above),
   * read now. The caller's user is the token's name. The challenge is {@code Bearer realm="tes4j"},
   * with {@code error="invalid_token"} when a token was sent but is unknown.
   *
   * @throws IllegalArgumentException when the file cannot be read, or naming the file and line of a
   *     wrong entry: a malformed line, an unknown scope, a name or digest used twice
   */
  public static Authenticator bearerTokens(Path tokensFile) {
    return BearerTokenAuthenticator.load(Objects.requireNonNull(tokensFile, "tokensFile"));
  }

  /**
   * OpenID Connect: {@code Authorization: Bearer JWT} verified against the issuer's JWKS (fetched
   * on the first request, cached, and fetched again for a key id it does not have, as when the
   * issuer rotates its keys). The token's {@code iss} must be the issuer, its {@code aud} contain
   * an audience when some are set, {@code exp} and {@code nbf} hold within the clock skew, and its
   * algorithm be one allowed. The user is the {@link OidcSettings#userClaim() user claim}; the
   * scopes are read from the {@code scope} claim (space-separated) and the {@code scp} claim (an
   * array), each value with the {@link OidcSettings#scopePrefix() prefix} followed by {@code read},
   * {@code submit} or {@code cancel}; other values are ignored.
   */
  public static Authenticator oidc(OidcSettings settings) {
    return new OidcAuthenticator(Objects.requireNonNull(settings, "settings"));
  }
}
