package io.tes4j.server.auth.internal;

import io.tes4j.server.auth.AuthenticationException;
import io.tes4j.server.auth.Identity;
import io.tes4j.server.auth.Scope;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Bearer tokens from a file of {@code NAME SCOPES sha256:HEX} lines (see {@link
 * io.tes4j.server.auth.Authenticators#bearerTokens(Path)}). The file holds only SHA-256 digests of
 * the tokens, so reading it gives no usable secret. The file is read once.
 */
public final class BearerTokenAuthenticator implements SchemeAuthenticator {
  /** The challenge of a request without a token. */
  public static final String CHALLENGE = "Bearer realm=\"tes4j\"";

  /** The challenge of a request whose token is wrong (RFC 6750, section 3.1). */
  public static final String INVALID_TOKEN_CHALLENGE =
      "Bearer realm=\"tes4j\", error=\"invalid_token\"";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,127}");
  private static final Pattern DIGEST = Pattern.compile("sha256:([0-9a-fA-F]{64})");

  private record Token(byte[] digest, Identity identity) {}

  private final Path file;
  private final List<Token> tokens;

  private BearerTokenAuthenticator(Path file, List<Token> tokens) {
    this.file = file;
    this.tokens = tokens;
  }

  /**
   * Reads {@code file}.
   *
   * @throws IllegalArgumentException naming the file and line of the first problem
   */
  public static BearerTokenAuthenticator load(Path file) {
    List<Token> tokens = new ArrayList<>();
    Map<String, Integer> lineByName = new HashMap<>();
    Map<String, Integer> lineByDigest = new HashMap<>();
    for (ConfigFile.Line line : ConfigFile.read(file, "tokens file")) {
      String where = "tokens file " + file + ", line " + line.number();
      String[] fields = line.text().split("\\s+");
      if (fields.length != 3) {
        throw new IllegalArgumentException(
            where
                + ": expected NAME SCOPES sha256:HEX (e.g. 'ci read,submit sha256:' followed by"
                + " the 64 hex digits of `printf %s \"$TOKEN\" | sha256sum`), found "
                + fields.length
                + " fields (the line is not shown: it may hold a token)");
      }
      String name = fields[0];
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            where
                + ": the name must be 1 to 128 letters, digits, '.', '_', '@' or '-', starting"
                + " with a letter or digit");
      }
      Set<Scope> scopes = Scopes.parseList(fields[1], where);
      var digest = DIGEST.matcher(fields[2]);
      if (!digest.matches()) {
        throw new IllegalArgumentException(
            where
                + ": token '"
                + name
                + "': the third field must be sha256: and the 64 hex digits of the token's SHA-256"
                + " (`printf %s \"$TOKEN\" | sha256sum`), not the token itself (the value is not"
                + " shown)");
      }
      String hex = digest.group(1).toLowerCase(java.util.Locale.ROOT);
      Integer earlier = lineByName.putIfAbsent(name, line.number());
      if (earlier != null) {
        throw new IllegalArgumentException(
            where + ": the name '" + name + "' is already used on line " + earlier);
      }
      earlier = lineByDigest.putIfAbsent(hex, line.number());
      if (earlier != null) {
        throw new IllegalArgumentException(
            where
                + ": token '"
                + name
                + "' has the same digest as line "
                + earlier
                + " (one token, two names: give each client its own token)");
      }
      tokens.add(new Token(HexFormat.of().parseHex(hex), new Identity(name, scopes)));
    }
    return new BearerTokenAuthenticator(file, List.copyOf(tokens));
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
  public boolean authenticatesWithoutBlocking() {
    return true; // a digest compared with each entry, in memory
  }

  @Override
  public Identity authenticate(String authorization) {
    AuthorizationHeader header = AuthorizationHeader.parse(authorization);
    if (header == null) {
      throw new AuthenticationException(
          "no credentials: this server wants a Bearer token", CHALLENGE);
    }
    if (!recognizes(header)) {
      throw new AuthenticationException(
          "expected a Bearer token (Authorization: Bearer TOKEN)", CHALLENGE);
    }
    byte[] digest = sha256(header.credentials());
    // Every entry is compared, in constant time, whichever matches: the time taken tells nothing
    // about the digests in the file.
    Identity found = null;
    for (Token token : tokens) {
      if (MessageDigest.isEqual(token.digest(), digest) && found == null) {
        found = token.identity();
      }
    }
    if (found == null) {
      throw new AuthenticationException("unknown bearer token", INVALID_TOKEN_CHALLENGE);
    }
    return found;
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256, which every JDK must have", e);
    }
  }

  @Override
  public String toString() {
    return "BearerTokenAuthenticator[" + file + ", " + tokens.size() + " tokens]";
  }
}
