package io.tes4j.server.auth.internal;

import io.tes4j.server.auth.AuthenticationException;
import io.tes4j.server.auth.Identity;
import io.tes4j.server.auth.Scope;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * HTTP Basic against a users file of {@code USER:BCRYPT_HASH[:SCOPES]} lines (see {@link
 * io.tes4j.server.auth.Authenticators#basic(Path)} for the format). The file is read once.
 */
public final class BasicAuthenticator implements SchemeAuthenticator {
  /** The challenge of every 401 this authenticator answers. */
  public static final String CHALLENGE = "Basic realm=\"tes4j\"";

  private static final Pattern BCRYPT_HASH =
      Pattern.compile("\\$2[aby]\\$(\\d\\d)\\$[./A-Za-z0-9]{53}");
  private static final Pattern USER_NAME = Pattern.compile("[^\\s:]{1,256}");

  /** bcrypt reads at most 72 bytes of a password; longer ones are refused, never cut. */
  private static final int BCRYPT_MAX_PASSWORD_BYTES = 72;

  /** How many successful checks are remembered, and for how long (see {@link #cache}). */
  static final int CACHE_SIZE = 1024;

  static final Duration CACHE_TTL = Duration.ofSeconds(60);

  private record User(String hash, Identity identity) {}

  private record Cached(Identity identity, Instant expires) {}

  private final Path file;
  private final Map<String, User> users;
  private final String dummyHash;
  private final Clock clock;
  private final PasswordCheck check;
  private final SecretKeySpec cacheKey;

  /**
   * bcrypt costs tens to hundreds of milliseconds per check by design, and a client sends the same
   * Basic credentials with every request: without a cache one busy client would keep a core busy. A
   * successful check is remembered for {@link #CACHE_TTL}, at most {@link #CACHE_SIZE} entries
   * (least recently used out first, so memory stays bounded whatever clients send). The key is an
   * HMAC-SHA256 of user and password under a random key made at start: a plain SHA-256 of the
   * credentials in memory would be a fast hash of the password, the very thing bcrypt avoids.
   * Failures are not cached: a wrong password always costs a bcrypt check.
   */
  private final Map<String, Cached> cache =
      new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
          return size() > CACHE_SIZE;
        }
      };

  /** Checks a password against a bcrypt hash; {@code BCrypt::checkpw} outside tests. */
  @FunctionalInterface
  interface PasswordCheck {
    boolean matches(byte[] password, String hash);
  }

  private BasicAuthenticator(
      Path file, Map<String, User> users, int dummyCost, Clock clock, PasswordCheck check) {
    this.file = file;
    this.users = users;
    this.clock = clock;
    this.check = check;
    SecureRandom random = new SecureRandom();
    byte[] dummyPassword = new byte[16];
    random.nextBytes(dummyPassword);
    // An unknown user is checked against this hash, of the file's usual cost, so that the answer
    // takes as long as for a known user with a wrong password: timing tells no user names.
    this.dummyHash = BCrypt.hashpw(dummyPassword, BCrypt.gensalt(dummyCost, random));
    byte[] key = new byte[32];
    random.nextBytes(key);
    this.cacheKey = new SecretKeySpec(key, "HmacSHA256");
  }

  /**
   * Reads {@code file}.
   *
   * @throws IllegalArgumentException naming the file and line of the first problem
   */
  public static BasicAuthenticator load(Path file) {
    return load(file, Clock.systemUTC(), BCrypt::checkpw);
  }

  /** As {@link #load(Path)}, with the clock and the password check tests control. */
  static BasicAuthenticator load(Path file, Clock clock, PasswordCheck check) {
    Map<String, User> users = new HashMap<>();
    Map<Integer, Integer> costs = new HashMap<>();
    for (ConfigFile.Line line : ConfigFile.read(file, "users file")) {
      String where = "users file " + file + ", line " + line.number();
      String[] fields = line.text().split(":", -1);
      if (fields.length < 2 || fields.length > 3) {
        throw new IllegalArgumentException(
            where
                + ": expected USER:BCRYPT_HASH or USER:BCRYPT_HASH:SCOPES (as `htpasswd -nbB USER"
                + " PASSWORD` prints), found "
                + (fields.length - 1)
                + " ':' (the line is not shown: it may hold a password)");
      }
      String user = fields[0].strip();
      if (!USER_NAME.matcher(user).matches()) {
        throw new IllegalArgumentException(
            where + ": the user name is empty or has whitespace; a name is 1 to 256 characters");
      }
      var hash = BCRYPT_HASH.matcher(fields[1].strip());
      if (!hash.matches()) {
        throw new IllegalArgumentException(
            where
                + ": user '"
                + Scopes.printable(user)
                + "' has no bcrypt hash ($2y$, $2a$ or $2b$ and 53 characters, as `htpasswd -nbB`"
                + " makes); plain-text passwords and other hash kinds are refused (the value is"
                + " not shown)");
      }
      int cost = Integer.parseInt(hash.group(1));
      if (cost < 4 || cost > 31) {
        throw new IllegalArgumentException(
            where
                + ": user '"
                + Scopes.printable(user)
                + "' has a bcrypt cost of "
                + cost
                + "; bcrypt allows 4 to 31");
      }
      Set<Scope> scopes =
          fields.length == 3
              ? Scopes.parseList(fields[2].strip(), where)
              : EnumSet.allOf(Scope.class);
      if (users.putIfAbsent(user, new User(hash.group(), new Identity(user, scopes))) != null) {
        throw new IllegalArgumentException(
            where + ": user '" + Scopes.printable(user) + "' is already in the file");
      }
      costs.merge(cost, 1, Integer::sum);
    }
    int usualCost =
        costs.entrySet().stream()
            .max(
                Map.Entry.<Integer, Integer>comparingByValue()
                    .thenComparing(Map.Entry.comparingByKey()))
            .map(Map.Entry::getKey)
            .orElse(10);
    return new BasicAuthenticator(file, Map.copyOf(users), usualCost, clock, check);
  }

  @Override
  public String scheme() {
    return "Basic";
  }

  @Override
  public String challenge() {
    return CHALLENGE;
  }

  @Override
  public Identity authenticate(String authorization) {
    AuthorizationHeader header = AuthorizationHeader.parse(authorization);
    if (header == null) {
      throw failure("no credentials: this server wants HTTP Basic (user and password)");
    }
    if (!recognizes(header)) {
      throw failure("expected HTTP Basic credentials (Authorization: Basic BASE64(USER:PASSWORD))");
    }
    String userAndPassword = decode(header.credentials());
    int colon = userAndPassword.indexOf(':');
    if (colon < 0) {
      throw failure("malformed Basic credentials: no ':' between user and password");
    }
    String user = userAndPassword.substring(0, colon);
    byte[] password = userAndPassword.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
    if (password.length > BCRYPT_MAX_PASSWORD_BYTES) {
      throw failure("the password is longer than bcrypt's limit of 72 bytes");
    }
    String cacheKey = cacheKey(userAndPassword);
    Identity cached = cached(cacheKey);
    if (cached != null) {
      return cached;
    }
    User known = users.get(user);
    // Always one bcrypt check, against the dummy hash when the user is unknown (see dummyHash).
    boolean matches = check.matches(password, known != null ? known.hash() : dummyHash);
    if (known == null || !matches) {
      throw failure("unknown user or wrong password");
    }
    synchronized (cache) {
      cache.put(cacheKey, new Cached(known.identity(), clock.instant().plus(CACHE_TTL)));
    }
    return known.identity();
  }

  private Identity cached(String key) {
    synchronized (cache) {
      Cached entry = cache.get(key);
      if (entry == null) {
        return null;
      }
      if (clock.instant().isBefore(entry.expires())) {
        return entry.identity();
      }
      cache.remove(key);
      return null;
    }
  }

  private String cacheKey(String userAndPassword) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(cacheKey);
      return HexFormat.of()
          .formatHex(mac.doFinal(userAndPassword.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no HmacSHA256, which every JDK must have", e);
    }
  }

  private static String decode(String base64) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      // Not chained: the decoder's message quotes a character of the credentials.
      throw failure("malformed Basic credentials: not base64");
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      // Not chained: the exception adds nothing but the offset into the credentials.
      throw failure("malformed Basic credentials: not UTF-8");
    }
  }

  private static AuthenticationException failure(String message) {
    return new AuthenticationException(message, CHALLENGE);
  }

  @Override
  public String toString() {
    return "BasicAuthenticator[" + file + ", " + users.size() + " users]";
  }
}
