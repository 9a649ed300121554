package io.tes4j.client;

import io.tes4j.client.internal.Authorization;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * How {@link TesHttpClient} authenticates: no credentials, HTTP Basic, or a bearer token.
 *
 * <pre>{@code
 * TesAuth.basic("alice", System.getenv("TES_PASSWORD"));
 * TesAuth.bearer(System.getenv("TES_TOKEN"));
 * TesAuth.bearer(() -> tokenService.currentAccessToken());   // asked again after a 401
 * }</pre>
 *
 * <p>{@link #toString()} never shows a password or token: {@code TesAuth[basic user=alice
 * password=****]}, {@code TesAuth[bearer ****]}. Instances are immutable and thread-safe.
 */
public final class TesAuth {
  private static final TesAuth NONE = new TesAuth(Kind.NONE, null, null, null);

  private enum Kind {
    NONE,
    BASIC,
    BEARER,
    BEARER_SUPPLIER
  }

  private final Kind kind;
  private final String user;
  private final String fixedHeader;
  private final Supplier<String> tokenSupplier;

  private TesAuth(Kind kind, String user, String fixedHeader, Supplier<String> tokenSupplier) {
    this.kind = kind;
    this.user = user;
    this.fixedHeader = fixedHeader;
    this.tokenSupplier = tokenSupplier;
  }

  /** No {@code Authorization} header. */
  public static TesAuth none() {
    return NONE;
  }

  /**
   * HTTP Basic: {@code Authorization: Basic base64(user:password)}, encoded as UTF-8 (RFC 7617).
   *
   * @throws IllegalArgumentException when {@code user} is empty, or holds a colon (Basic cannot
   *     carry one) or a line break
   */
  public static TesAuth basic(String user, String password) {
    Objects.requireNonNull(password, "password");
    return basicFromCopy(user, password.toCharArray());
  }

  /**
   * As {@link #basic(String, String)}, for a password held in a {@code char[]}; the array is not
   * kept and not changed.
   */
  public static TesAuth basic(String user, char[] password) {
    Objects.requireNonNull(password, "password");
    return basicFromCopy(user, password.clone());
  }

  /** Builds the header from {@code password}, a private copy that is wiped afterwards. */
  private static TesAuth basicFromCopy(String user, char[] password) {
    Objects.requireNonNull(user, "user");
    if (user.isEmpty()) {
      throw new IllegalArgumentException("the Basic auth user must not be empty");
    }
    if (user.indexOf(':') >= 0) {
      throw new IllegalArgumentException(
          "the Basic auth user must not contain ':' (RFC 7617), was '" + user + "'");
    }
    if (hasLineBreak(user)) {
      throw new IllegalArgumentException("the Basic auth user must not contain a line break");
    }
    char[] pair = new char[user.length() + 1 + password.length];
    user.getChars(0, user.length(), pair, 0);
    pair[user.length()] = ':';
    System.arraycopy(password, 0, pair, user.length() + 1, password.length);
    ByteBuffer bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(pair));
    byte[] raw = new byte[bytes.remaining()];
    bytes.get(raw);
    String header = "Basic " + Base64.getEncoder().encodeToString(raw);
    // Do not leave copies of the password in memory longer than needed.
    Arrays.fill(pair, '\0');
    Arrays.fill(raw, (byte) 0);
    if (bytes.hasArray()) {
      Arrays.fill(bytes.array(), (byte) 0);
    }
    Arrays.fill(password, '\0');
    return new TesAuth(Kind.BASIC, user, header, null);
  }

  /**
   * A fixed bearer token: {@code Authorization: Bearer <token>}. A 401 answer is not retried, since
   * the same token would be refused again.
   *
   * @throws IllegalArgumentException when the token is blank or holds a line break
   */
  public static TesAuth bearer(String token) {
    Objects.requireNonNull(token, "token");
    if (token.isBlank()) {
      throw new IllegalArgumentException("the bearer token must not be blank");
    }
    if (hasLineBreak(token)) {
      throw new IllegalArgumentException("the bearer token must not contain a line break");
    }
    return new TesAuth(Kind.BEARER, null, "Bearer " + token.strip(), null);
  }

  /**
   * A bearer token that expires: the supplier is asked before the first request, and its token is
   * reused until the server answers 401. The supplier is then asked again and the refused request
   * is sent once more with the new token; a second 401 is a {@link io.tes4j.api.TesAuthException}.
   *
   * <p>The supplier must be thread-safe and should return quickly; it may be called on an HTTP
   * client thread. When it throws or returns a blank token, the call fails with a {@link
   * io.tes4j.api.TesClientException}.
   */
  public static TesAuth bearer(Supplier<String> tokenSupplier) {
    return new TesAuth(
        Kind.BEARER_SUPPLIER, null, null, Objects.requireNonNull(tokenSupplier, "tokenSupplier"));
  }

  /** {@code none}, {@code basic} or {@code bearer}: safe to show. */
  public String kind() {
    return kind == Kind.BEARER_SUPPLIER ? "bearer" : kind.name().toLowerCase(Locale.ROOT);
  }

  /** Whether this sends no credentials. */
  public boolean isNone() {
    return kind == Kind.NONE;
  }

  /** The header state for one client: a supplier's token is cached per client. */
  Authorization newAuthorization() {
    switch (kind) {
      case NONE:
        return Authorization.NONE;
      case BEARER_SUPPLIER:
        return Authorization.refreshingBearer(tokenSupplier);
      default:
        return Authorization.fixed(fixedHeader);
    }
  }

  private static boolean hasLineBreak(String text) {
    return text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0;
  }

  /** The kind, and the Basic user; never a password or token. */
  @Override
  public String toString() {
    switch (kind) {
      case BASIC:
        return "TesAuth[basic user=" + user + " password=****]";
      case BEARER:
        return "TesAuth[bearer ****]";
      case BEARER_SUPPLIER:
        return "TesAuth[bearer **** from a token supplier]";
      default:
        return "TesAuth[none]";
    }
  }
}
