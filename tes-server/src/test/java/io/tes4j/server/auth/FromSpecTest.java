package io.tes4j.server.auth;

import static io.tes4j.server.auth.SecretAssertions.assertNoSecretIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.security.crypto.bcrypt.BCrypt;

/** {@code tes4j serve --auth SPEC}: each kind, and a clear message for each mistake. */
class FromSpecTest {
  @TempDir Path dir;

  private static IllegalArgumentException failure(String spec) {
    IllegalArgumentException e =
        catchThrowableOfType(IllegalArgumentException.class, () -> Authenticators.fromSpec(spec));
    assertThat(e).as("--auth %s must be refused", spec).isNotNull();
    return e;
  }

  @Test
  void noneBasicBearerAndOidc() throws Exception {
    assertThat(Authenticators.fromSpec("none")).isSameAs(Authenticator.none());
    assertThat(Authenticators.fromSpec(" none ").authenticate(null)).isEqualTo(Identity.ANONYMOUS);

    Path users = dir.resolve("users");
    Files.writeString(users, "alice:" + BCrypt.hashpw("pw", BCrypt.gensalt("$2y", 4)) + "\n");
    Authenticator basic = Authenticators.fromSpec("basic:" + users);
    assertThat(basic.authenticate("Basic YWxpY2U6cHc="))
        .isEqualTo(new Identity("alice", EnumSet.allOf(Scope.class)));

    String token = BearerTokenAuthenticatorTest.randomToken();
    Path tokens = dir.resolve("tokens");
    Files.writeString(
        tokens, "ci read sha256:" + BearerTokenAuthenticatorTest.sha256(token) + "\n");
    assertThat(Authenticators.fromSpec("bearer:" + tokens).authenticate("Bearer " + token).user())
        .isEqualTo("ci");

    Authenticator oidc =
        Authenticators.fromSpec(
            "oidc:https://sso.example.org/realms/lab, audience=tes,audience=account,"
                + "jwks=https://sso.example.org/realms/lab/protocol/openid-connect/certs,"
                + "user-claim=preferred_username,scope-prefix=tes:,alg=RS256,alg=ES384,"
                + "clock-skew=30");
    assertThat(oidc.toString())
        .contains("issuer=https://sso.example.org/realms/lab")
        .contains("jwksUri=https://sso.example.org/realms/lab/protocol/openid-connect/certs")
        .contains("userClaim=preferred_username")
        .contains("scopePrefix=tes:")
        .contains("clockSkew=PT30S")
        .contains("tes")
        .contains("account")
        .contains("RS256")
        .contains("ES384");
  }

  @ParameterizedTest(name = "--auth \"{0}\" → {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "''| --auth is empty; use none, basic:USERS_FILE, bearer:TOKENS_FILE, or oidc:ISSUER_URL",
        "'   '| --auth is empty",
        "none:x| --auth none takes no value",
        "basic| --auth basic needs a file: basic:FILE",
        "basic:| --auth basic needs a file",
        "bearer:  | --auth bearer needs a file: bearer:FILE",
        "basic:/nonexistent/users| users file /nonexistent/users does not exist",
        "bearer:/nonexistent/tokens| tokens file /nonexistent/tokens does not exist",
        "ldap:dc=example| unknown --auth kind 'ldap'; use none, basic:USERS_FILE",
        "Basic:users| unknown --auth kind 'Basic'",
        "oidc| --auth oidc needs the issuer's URL: oidc:ISSUER_URL[,audience=AUD]",
        "oidc:| --auth oidc needs the issuer's URL",
        "oidc:sso.example.org| --auth oidc: issuer 'sso.example.org' must be an absolute https URL",
        "oidc:ftp://sso.example.org| must be an absolute https URL",
        "oidc:http://sso.example.org/realms/lab| must use https; http is allowed only for"
            + " localhost",
        "oidc:http://127.evil.example.org| must use https; http is allowed only for localhost",
        "oidc:http://127.0.0.1.nip.io| must use https; http is allowed only for localhost",
        "oidc:https://sso example| --auth oidc: issuer is not a URL: Illegal character in"
            + " authority",
        "oidc:https://sso.example.org?x=1| issuer must have no user-info, query or fragment",
        "oidc:https://sso.example.org,foo=bar| --auth oidc: unknown option 'foo'; options:"
            + " audience, jwks, user-claim, scope-prefix, alg, clock-skew",
        "oidc:https://sso.example.org,audience| option audience needs a value: audience=VALUE",
        "oidc:https://sso.example.org,audience=| option audience needs a value",
        "oidc:https://sso.example.org,| unknown option",
        "oidc:https://sso.example.org,jwks=https://a.example/k,jwks=https://b.example/k| option"
            + " jwks is given twice",
        "oidc:https://sso.example.org,jwks=http://keys.example.org/k| JWKS URL"
            + " 'http://keys.example.org/k' must use https",
        "oidc:https://sso.example.org,alg=HS256| algorithm 'HS256' is not allowed (HMAC needs a"
            + " shared secret",
        "oidc:https://sso.example.org,alg=none| algorithm 'none' is not allowed (unsigned tokens"
            + " prove nothing)",
        "oidc:https://sso.example.org,alg=RS1| algorithm 'RS1' is not allowed; allowed: [ES256,"
            + " ES384",
        "oidc:https://sso.example.org,clock-skew=1m| clock-skew '1m' is not a whole number of"
            + " seconds",
        "oidc:https://sso.example.org,clock-skew=301| clock skew 301 s is out of range; allowed: 0"
            + " to 300 s",
      })
  void saysWhatIsWrongAndWhatIsAllowed(String spec, String expected) {
    assertThat(failure(spec)).hasMessageContaining(expected.strip());
  }

  @Test
  void nullIsRefusedLikeAnEmptyValue() {
    assertThat(failure(null)).hasMessageStartingWith("--auth is empty");
  }

  @Test
  void aSecretGivenByMistakeIsNotEchoed() {
    String token = BearerTokenAuthenticatorTest.randomToken();
    String password = "hunter2";

    IllegalArgumentException bare = failure(token);
    assertThat(bare).hasMessageContaining("unknown --auth kind (not shown");
    assertNoSecretIn(bare, token);
    assertNoSecretIn(failure(password), password);
    assertNoSecretIn(failure("Bearer " + token), token);
    assertNoSecretIn(failure("oidc:https://alice:" + password + "@sso.example.org"), password);
    assertNoSecretIn(failure("oidc:https://sso.example.org," + password), password);
    assertNoSecretIn(failure("oidc:https://sso.example.org/a b:" + password), password);
  }
}
