package io.tes4j.server.auth;

import static io.tes4j.server.auth.SecretAssertions.assertNoSecretIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.EnumSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;

class BasicAuthenticatorTest {
  private static final String ALICE_PASSWORD = "correct horse battery staple";
  private static final String BOB_PASSWORD = "b0b-pa55";

  @TempDir Path dir;
  private String aliceHash;
  private String bobHash;
  private Path users;

  @BeforeEach
  void writeUsersFile() throws Exception {
    aliceHash = BCrypt.hashpw(ALICE_PASSWORD, BCrypt.gensalt("$2y", 4));
    bobHash = BCrypt.hashpw(BOB_PASSWORD, BCrypt.gensalt("$2b", 4));
    users =
        write(
            "users",
            "# tes4j users",
            "",
            "alice:" + aliceHash,
            "  bob:" + bobHash + ":read, submit  ",
            "carol:" + BCrypt.hashpw("carol!", BCrypt.gensalt("$2a", 4)) + ":read");
  }

  private Path write(String name, String... lines) throws Exception {
    return Files.write(
        dir.resolve(name), String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void acceptsEachBcryptVariantWithTheScopesOfTheFile() {
    Authenticator auth = Authenticators.basic(users);

    assertThat(auth.authenticate(basic("alice", ALICE_PASSWORD)))
        .isEqualTo(new Identity("alice", EnumSet.allOf(Scope.class)));
    assertThat(auth.authenticate(basic("bob", BOB_PASSWORD)))
        .isEqualTo(new Identity("bob", EnumSet.of(Scope.READ, Scope.SUBMIT)));
    assertThat(auth.authenticate("basic   " + basic("carol", "carol!").substring(6)).scopes())
        .containsExactly(Scope.READ);
  }

  @Test
  void acceptsALineAsHtpasswdMakesIt() throws Exception {
    // Printed by `htpasswd -nbB alice 's3cret'` (Apache 2.4.71): the format and cost htpasswd uses.
    Path file =
        write("htpasswd", "alice:$2y$05$fomUgDhtpqaG7UUSY0ZQS.70gY8uKyWv.tDXvtsPWo3v2FMBSjphO");

    assertThat(Authenticators.basic(file).authenticate(basic("alice", "s3cret")).user())
        .isEqualTo("alice");
    AuthenticationException wrong =
        catchThrowableOfType(
            AuthenticationException.class,
            () -> Authenticators.basic(file).authenticate(basic("alice", "s3cret ")));
    assertThat(wrong).hasMessage("unknown user or wrong password");
  }

  @Test
  void refusesWrongPasswordsAndUnknownUsersAlikeWithoutSecrets() {
    Authenticator auth = Authenticators.basic(users);

    AuthenticationException wrongPassword =
        catchThrowableOfType(
            AuthenticationException.class, () -> auth.authenticate(basic("alice", "guess")));
    AuthenticationException unknownUser =
        catchThrowableOfType(
            AuthenticationException.class, () -> auth.authenticate(basic("mallory", "guess")));

    assertThat(wrongPassword.getMessage()).isEqualTo(unknownUser.getMessage());
    assertThat(wrongPassword.challenge()).isEqualTo("Basic realm=\"tes4j\"");
    assertNoSecretIn(wrongPassword, "guess", aliceHash, basic("alice", "guess").substring(6));
    assertNoSecretIn("toString()", auth.toString(), aliceHash, bobHash, ALICE_PASSWORD);
  }

  @Test
  void saysWhatIsWrongWithARequest() {
    Authenticator auth = Authenticators.basic(users);

    assertThat(failure(auth, null)).hasMessageContaining("no credentials");
    assertThat(failure(auth, "Bearer abc.def")).hasMessageContaining("expected HTTP Basic");
    assertThat(failure(auth, "Basic !!notbase64!!")).hasMessageContaining("not base64");
    assertThat(failure(auth, "Basic " + Base64.getEncoder().encodeToString("alice".getBytes())))
        .hasMessageContaining("no ':'");
    assertThat(
            failure(
                auth, "Basic " + Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, ':'})))
        .hasMessageContaining("not UTF-8");
    assertThat(failure(auth, basic("alice", "x".repeat(73)))).hasMessageContaining("72 bytes");
    assertThat(failure(auth, "Basic")).hasMessageContaining("expected HTTP Basic");
    assertThat(failure(auth, null).challenge()).isEqualTo("Basic realm=\"tes4j\"");
  }

  private static AuthenticationException failure(Authenticator auth, String header) {
    AuthenticationException e =
        catchThrowableOfType(AuthenticationException.class, () -> auth.authenticate(header));
    assertThat(e).as("a 401 for the header").isNotNull();
    return e;
  }

  @Test
  void refusesAPlainTextPasswordNamingFileAndLineButNotThePassword() throws Exception {
    Path file = write("plain", "# users", "alice:" + aliceHash, "bob:hunter2-plain");

    IllegalArgumentException e = loadFailure(file);

    assertThat(e)
        .hasMessageContaining("users file " + file + ", line 3")
        .hasMessageContaining("user 'bob'")
        .hasMessageContaining("bcrypt")
        .hasMessageContaining("plain-text");
    assertNoSecretIn(e, "hunter2-plain", aliceHash);
  }

  @Test
  void refusesEveryOtherMistakeOfAUsersFile() throws Exception {
    String md5 = "$apr1$Q1dnr7Kf$Zj8z0eRrq6Xy2Ecl5uQ1/1";
    assertThat(loadFailure(write("md5", "alice:" + md5)))
        .hasMessageContaining("line 1")
        .hasMessageContaining("no bcrypt hash");
    assertThat(loadFailure(write("nocolon", "alice " + aliceHash)))
        .hasMessageContaining("line 1")
        .hasMessageContaining("expected USER:BCRYPT_HASH");
    assertThat(loadFailure(write("fields", "alice:" + aliceHash + ":read:extra")))
        .hasMessageContaining("found 3 ':'");
    assertThat(loadFailure(write("nouser", ":" + aliceHash)))
        .hasMessageContaining("user name is empty");
    assertThat(loadFailure(write("twice", "alice:" + aliceHash, "alice:" + bobHash)))
        .hasMessageContaining("line 2")
        .hasMessageContaining("user 'alice' is already in the file");
    assertThat(loadFailure(write("scope", "alice:" + aliceHash + ":read,delete")))
        .hasMessageContaining("unknown scope 'delete'")
        .hasMessageContaining("allowed: read, submit, cancel");
    assertThat(loadFailure(write("noscope", "alice:" + aliceHash + ":")))
        .hasMessageContaining("scopes are empty");
    assertThat(loadFailure(write("cost", "alice:" + aliceHash.replace("$04$", "$03$"))))
        .hasMessageContaining("cost of 3");
    Path latin1 = dir.resolve("latin1");
    Files.write(latin1, new byte[] {'b', (byte) 0xe9, ':', 'x'});
    assertThat(loadFailure(latin1)).hasMessageContaining("is not UTF-8");
    assertThat(loadFailure(dir.resolve("missing"))).hasMessageContaining("does not exist");
    for (String name : new String[] {"md5", "nocolon", "fields", "twice", "scope"}) {
      assertNoSecretIn(loadFailure(dir.resolve(name)), aliceHash, bobHash, md5);
    }
  }

  private static IllegalArgumentException loadFailure(Path file) {
    IllegalArgumentException e =
        catchThrowableOfType(IllegalArgumentException.class, () -> Authenticators.basic(file));
    assertThat(e).as("loading %s must fail", file).isNotNull();
    return e;
  }

  @Test
  void anEmptyFileLetsNobodyIn() throws Exception {
    Authenticator auth = Authenticators.basic(write("empty", "# nobody yet"));

    assertThat(failure(auth, basic("alice", ALICE_PASSWORD)))
        .hasMessage("unknown user or wrong password");
  }
}
