package io.tes4j.server.auth;

import static io.tes4j.server.auth.SecretAssertions.assertNoSecretIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.jwk.RSAKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;

class AnyOfAuthenticatorTest {
  @TempDir Path dir;
  private TestIssuer issuer;
  private RSAKey key;
  private String workerToken;
  private Authenticator basic;
  private Authenticator bearer;
  private Authenticator oidc;

  @BeforeEach
  void setUp() throws Exception {
    issuer = new TestIssuer();
    key = TestIssuer.rsaKey("k1");
    issuer.publish(key);
    Path users = dir.resolve("users");
    Files.writeString(users, "alice:" + BCrypt.hashpw("pw", BCrypt.gensalt("$2y", 4)) + ":read\n");
    workerToken = BearerTokenAuthenticatorTest.randomToken();
    Path tokens = dir.resolve("tokens");
    Files.writeString(
        tokens, "worker submit sha256:" + BearerTokenAuthenticatorTest.sha256(workerToken) + "\n");
    basic = Authenticators.basic(users);
    bearer = Authenticators.bearerTokens(tokens);
    oidc = Authenticators.oidc(OidcSettings.builder(issuer.issuer).build());
  }

  @AfterEach
  void stopIssuer() {
    issuer.close();
  }

  private static AuthenticationException failure(Authenticator auth, String header) {
    AuthenticationException e =
        catchThrowableOfType(AuthenticationException.class, () -> auth.authenticate(header));
    assertThat(e).as("a 401").isNotNull();
    return e;
  }

  @Test
  void theSchemeOfTheHeaderPicksTheAuthenticator() throws Exception {
    Authenticator all = Authenticators.anyOf(List.of(oidc, basic, bearer));
    String basicHeader =
        "Basic " + Base64.getEncoder().encodeToString("alice:pw".getBytes(StandardCharsets.UTF_8));

    assertThat(all.authenticate(basicHeader))
        .isEqualTo(new Identity("alice", EnumSet.of(Scope.READ)));
    assertThat(all.authenticate("Bearer " + workerToken))
        .isEqualTo(new Identity("worker", EnumSet.of(Scope.SUBMIT)));
    String jwt = TestIssuer.sign(key, issuer.claims().subject("carol").build());
    assertThat(all.authenticate("Bearer " + jwt).user()).isEqualTo("carol");
    // An opaque token never reaches the issuer.
    failure(all, "Bearer " + BearerTokenAuthenticatorTest.randomToken());
    assertThat(issuer.jwksRequests).hasValue(1);
    assertThat(issuer.discoveryRequests).hasValue(1);
  }

  @Test
  void withoutCredentialsTheChallengeListsEveryScheme() {
    Authenticator all = Authenticators.anyOf(List.of(basic, bearer, oidc));

    AuthenticationException e = failure(all, null);

    assertThat(e).hasMessage("no credentials: this server accepts Basic, Bearer");
    assertThat(e.challenge()).isEqualTo("Basic realm=\"tes4j\", Bearer realm=\"tes4j\"");
    assertThat(failure(all, "  ").challenge()).isEqualTo(e.challenge());
  }

  @Test
  void aRejectedTokenSaysWhyAndStillOffersTheOtherSchemes() throws Exception {
    Authenticator all = Authenticators.anyOf(List.of(basic, bearer, oidc));

    String wrong = BearerTokenAuthenticatorTest.randomToken();
    AuthenticationException unknown = failure(all, "Bearer " + wrong);
    assertThat(unknown).hasMessage("unknown bearer token");
    assertThat(unknown.challenge())
        .isEqualTo("Bearer realm=\"tes4j\", error=\"invalid_token\", Basic realm=\"tes4j\"");
    assertNoSecretIn(unknown, wrong);

    String expired =
        TestIssuer.sign(
            key,
            issuer.claims().expirationTime(Date.from(Instant.now().minusSeconds(3600))).build());
    AuthenticationException jwtFailure = failure(all, "Bearer " + expired);
    assertThat(jwtFailure).hasMessageStartingWith("expired at");
    assertNoSecretIn(jwtFailure, expired);

    AuthenticationException wrongPassword =
        failure(all, "Basic " + Base64.getEncoder().encodeToString("alice:nope".getBytes()));
    assertThat(wrongPassword).hasMessage("unknown user or wrong password");
    assertThat(wrongPassword.challenge())
        .isEqualTo("Basic realm=\"tes4j\", Bearer realm=\"tes4j\"");
  }

  @Test
  void anUnconfiguredSchemeIsRefusedNamingTheAcceptedOnes() {
    Authenticator bearerOnly = Authenticators.anyOf(List.of(bearer, oidc));

    AuthenticationException basicSent =
        failure(bearerOnly, "Basic " + Base64.getEncoder().encodeToString("alice:pw".getBytes()));
    assertThat(basicSent).hasMessage("unsupported credentials: this server accepts Bearer");
    assertThat(basicSent.challenge()).isEqualTo("Bearer realm=\"tes4j\"");
    AuthenticationException digest = failure(bearerOnly, "Digest username=\"alice\"");
    assertThat(digest).hasMessageContaining("unsupported credentials");
    AuthenticationException bare = failure(bearerOnly, workerToken);
    assertThat(bare).hasMessageContaining("unsupported credentials");
    assertNoSecretIn(bare, workerToken);
  }

  @Test
  void anOpaqueBearerValueWithOnlyOidcConfiguredIsToldItIsNoJwt() {
    Authenticator basicAndOidc = Authenticators.anyOf(List.of(basic, oidc));

    AuthenticationException e = failure(basicAndOidc, "Bearer " + workerToken);

    assertThat(e).hasMessageContaining("malformed token: not a JWT");
    assertThat(e.challenge())
        .isEqualTo("Bearer realm=\"tes4j\", error=\"invalid_token\", Basic realm=\"tes4j\"");
    assertNoSecretIn(e, workerToken);
    assertThat(issuer.discoveryRequests).hasValue(0);
  }

  @Test
  void anAuthenticatorOfTheCallerIsTriedAfterTesFourJsOwn() {
    AtomicInteger customCalls = new AtomicInteger();
    Authenticator custom =
        header -> {
          customCalls.incrementAndGet();
          if ("Custom ok".equals(header)) {
            return new Identity("custom", EnumSet.of(Scope.READ));
          }
          throw new AuthenticationException("custom says no", "Custom realm=\"x\"");
        };
    Authenticator all = Authenticators.anyOf(List.of(custom, bearer));

    assertThat(all.authenticate("Custom ok").user()).isEqualTo("custom");
    assertThat(customCalls).hasValue(1);
    assertThat(all.authenticate("Bearer " + workerToken).user()).isEqualTo("worker");
    assertThat(customCalls).as("not asked when the tokens file accepts").hasValue(1);
    // The tokens file's answer is reported, not the caller's authenticator's, tried after it.
    assertThat(failure(all, "Bearer " + BearerTokenAuthenticatorTest.randomToken()))
        .hasMessage("unknown bearer token");
    assertThat(customCalls).hasValue(2);
    AuthenticationException e = failure(all, "Custom no");
    assertThat(e).hasMessage("custom says no");
    assertThat(e.challenge()).isEqualTo("Custom realm=\"x\", Bearer realm=\"tes4j\"");
  }

  @Test
  void refusesNoAuthenticatorsAndNoneMixedWithOthers() {
    assertThatThrownBy(() -> Authenticators.anyOf(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no authenticator given");
    assertThatThrownBy(() -> Authenticators.anyOf(List.of(basic, Authenticator.none())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'none' cannot be combined");
    assertThat(Authenticators.anyOf(List.of(Authenticator.none())).authenticate(null))
        .isEqualTo(Identity.ANONYMOUS);
    assertThat(Authenticators.anyOf(List.of(basic))).isSameAs(basic);
  }

  @Test
  void manyThreadsAtOnceEachGetTheirOwnIdentity() throws Exception {
    Authenticator all = Authenticators.anyOf(List.of(basic, bearer, oidc));
    String basicHeader = "Basic " + Base64.getEncoder().encodeToString("alice:pw".getBytes());
    String jwtHeader = "Bearer " + TestIssuer.sign(key, issuer.claims().subject("carol").build());
    String tokenHeader = "Bearer " + workerToken;
    List<String> headers = List.of(basicHeader, jwtHeader, tokenHeader);
    List<String> users = List.of("alice", "carol", "worker");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        int which = i % 3;
        results.add(
            pool.submit(
                () -> all.authenticate(headers.get(which)).user().equals(users.get(which))));
      }
      for (Future<Boolean> result : results) {
        assertThat(result.get(30, TimeUnit.SECONDS)).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(issuer.discoveryRequests).hasValue(1);
  }

  @Test
  void nestedListsAreFlattened() {
    Authenticator nested =
        Authenticators.anyOf(List.of(Authenticators.anyOf(List.of(basic, bearer)), oidc));

    assertThat(failure(nested, null).challenge())
        .isEqualTo("Basic realm=\"tes4j\", Bearer realm=\"tes4j\"");
    assertThat(nested.authenticate("Bearer " + workerToken).user()).isEqualTo("worker");
  }
}
