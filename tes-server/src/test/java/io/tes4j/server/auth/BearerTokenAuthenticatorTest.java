package io.tes4j.server.auth;

import static io.tes4j.server.auth.SecretAssertions.assertNoSecretIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BearerTokenAuthenticatorTest {
  @TempDir Path dir;
  private String workerToken;
  private String monitorToken;
  private Path tokens;

  @BeforeEach
  void writeTokensFile() throws Exception {
    workerToken = randomToken();
    monitorToken = randomToken();
    tokens =
        write(
            "tokens",
            "# name scopes digest",
            "",
            "worker read,submit,cancel sha256:" + sha256(workerToken),
            "\tmonitor \t read   sha256:" + sha256(monitorToken).toUpperCase() + "  ");
  }

  /** As `openssl rand -hex 32` makes one. */
  static String randomToken() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /** As `printf %s "$TOKEN" | sha256sum` prints it. */
  static String sha256(String token) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
  }

  private Path write(String name, String... lines) throws Exception {
    return Files.write(
        dir.resolve(name), String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aTokenGivesItsNameAndScopes() {
    Authenticator auth = Authenticators.bearerTokens(tokens);

    assertThat(auth.authenticate("Bearer " + workerToken))
        .isEqualTo(new Identity("worker", EnumSet.allOf(Scope.class)));
    assertThat(auth.authenticate("bearer  " + monitorToken))
        .isEqualTo(new Identity("monitor", EnumSet.of(Scope.READ)));
  }

  @Test
  void aWrongTokenGetsInvalidTokenWithoutEchoingIt() {
    Authenticator auth = Authenticators.bearerTokens(tokens);
    String wrong = randomToken();

    AuthenticationException e = failure(auth, "Bearer " + wrong);

    assertThat(e).hasMessage("unknown bearer token");
    assertThat(e.challenge()).isEqualTo("Bearer realm=\"tes4j\", error=\"invalid_token\"");
    assertNoSecretIn(e, wrong, sha256Unchecked(wrong), sha256Unchecked(workerToken));
    assertNoSecretIn(
        "toString()", auth.toString(), workerToken, sha256Unchecked(workerToken), monitorToken);
  }

  @Test
  void saysWhatIsWrongWithARequest() {
    Authenticator auth = Authenticators.bearerTokens(tokens);

    AuthenticationException none = failure(auth, null);
    assertThat(none).hasMessageContaining("no credentials");
    assertThat(none.challenge()).isEqualTo("Bearer realm=\"tes4j\"");
    assertThat(failure(auth, "Basic YWxpY2U6cHc=")).hasMessageContaining("expected a Bearer token");
    // A bare token without a scheme is not mistaken for a scheme, nor shown.
    AuthenticationException bare = failure(auth, workerToken);
    assertThat(bare).hasMessageContaining("expected a Bearer token");
    assertNoSecretIn(bare, workerToken);
  }

  private static AuthenticationException failure(Authenticator auth, String header) {
    AuthenticationException e =
        catchThrowableOfType(AuthenticationException.class, () -> auth.authenticate(header));
    assertThat(e).as("a 401").isNotNull();
    return e;
  }

  private static String sha256Unchecked(String token) {
    try {
      return sha256(token);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void refusesEveryMistakeOfATokensFileNamingFileAndLine() throws Exception {
    String digest = sha256(workerToken);

    assertThat(loadFailure(write("two", "# c", "worker read")))
        .hasMessageContaining("tokens file " + dir.resolve("two") + ", line 2")
        .hasMessageContaining("expected NAME SCOPES sha256:HEX")
        .hasMessageContaining("found 2 fields");
    assertThat(loadFailure(write("name", "-worker read sha256:" + digest)))
        .hasMessageContaining("line 1")
        .hasMessageContaining("the name must be");
    assertThat(loadFailure(write("scope", "worker read,delete sha256:" + digest)))
        .hasMessageContaining("line 1")
        .hasMessageContaining("unknown scope 'delete'")
        .hasMessageContaining("allowed: read, submit, cancel");
    assertThat(loadFailure(write("emptyscope", "worker read,,submit sha256:" + digest)))
        .hasMessageContaining("an empty scope");
    IllegalArgumentException raw = loadFailure(write("raw", "worker read " + workerToken));
    assertThat(raw).hasMessageContaining("line 1").hasMessageContaining("not the token itself");
    assertNoSecretIn(raw, workerToken);
    assertThat(loadFailure(write("short", "worker read sha256:" + digest.substring(1))))
        .hasMessageContaining("64 hex digits");
    assertThat(loadFailure(write("md5", "worker read md5:" + digest.substring(32))))
        .hasMessageContaining("sha256:");
    assertThat(
            loadFailure(
                write(
                    "samename",
                    "worker read sha256:" + digest,
                    "worker submit sha256:" + sha256(monitorToken))))
        .hasMessageContaining("line 2")
        .hasMessageContaining("the name 'worker' is already used on line 1");
    IllegalArgumentException sameDigest =
        loadFailure(
            write(
                "samedigest",
                "worker read sha256:" + digest,
                "",
                "other submit sha256:" + digest.toUpperCase()));
    assertThat(sameDigest)
        .hasMessageContaining("line 3")
        .hasMessageContaining("token 'other' has the same digest as line 1");
    assertNoSecretIn(sameDigest, digest, digest.toUpperCase());
    assertThat(loadFailure(dir.resolve("missing"))).hasMessageContaining("does not exist");
  }

  private static IllegalArgumentException loadFailure(Path file) {
    IllegalArgumentException e =
        catchThrowableOfType(
            IllegalArgumentException.class, () -> Authenticators.bearerTokens(file));
    assertThat(e).as("loading %s must fail", file).isNotNull();
    return e;
  }
}
