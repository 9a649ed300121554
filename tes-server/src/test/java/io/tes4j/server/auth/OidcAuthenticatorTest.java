package io.tes4j.server.auth;

import static io.tes4j.server.auth.SecretAssertions.assertNoSecretIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.time.Instant;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OidcAuthenticatorTest {
  private TestIssuer issuer;
  private RSAKey rsa;
  private ECKey ec;

  @BeforeEach
  void startIssuer() throws Exception {
    issuer = new TestIssuer();
    rsa = TestIssuer.rsaKey("rsa-1");
    ec = TestIssuer.ecKey("ec-1");
    issuer.publish(rsa);
    issuer.publish(ec);
  }

  @AfterEach
  void stopIssuer() {
    issuer.close();
  }

  private Authenticator oidc() {
    return Authenticators.oidc(OidcSettings.builder(issuer.issuer).audience("tes").build());
  }

  /** The 503 case: the issuer's keys or configuration cannot be had; the token may be fine. */
  private static AuthenticationUnavailableException unavailable(Authenticator auth, String token) {
    AuthenticationUnavailableException e =
        catchThrowableOfType(
            AuthenticationUnavailableException.class, () -> auth.authenticate("Bearer " + token));
    assertThat(e).as("a 503: the credentials cannot be checked now").isNotNull();
    String signature = token.substring(token.lastIndexOf('.') + 1);
    assertNoSecretIn(e, signature.isEmpty() ? token : signature, token);
    return e;
  }

  private static AuthenticationException failure(Authenticator auth, String token) {
    AuthenticationException e =
        catchThrowableOfType(
            AuthenticationException.class, () -> auth.authenticate("Bearer " + token));
    assertThat(e).as("a 401 for the token").isNotNull();
    assertThat(e.challenge()).isEqualTo("Bearer realm=\"tes4j\", error=\"invalid_token\"");
    String signature = token.substring(token.lastIndexOf('.') + 1);
    assertNoSecretIn(e, signature.isEmpty() ? token : signature, token);
    return e;
  }

  @Test
  void acceptsRsaAndEcTokensFoundThroughDiscovery() throws Exception {
    Authenticator auth = oidc();

    assertThat(auth.authenticate("Bearer " + TestIssuer.sign(rsa, issuer.claims().build())))
        .isEqualTo(new Identity("alice", EnumSet.of(Scope.READ, Scope.SUBMIT)));
    assertThat(
            auth.authenticate(
                "Bearer " + TestIssuer.sign(ec, issuer.claims().subject("bob").build())))
        .isEqualTo(new Identity("bob", EnumSet.of(Scope.READ, Scope.SUBMIT)));
    assertThat(issuer.discoveryRequests).hasValue(1);
    assertThat(issuer.jwksRequests).hasValue(1);
  }

  @Test
  void readsTheUserClaimAndPrefixedScopesFromScopeAndScp() throws Exception {
    Authenticator auth =
        Authenticators.oidc(
            OidcSettings.builder(issuer.issuer)
                .userClaim("preferred_username")
                .scopePrefix("tes:")
                .build());
    JWTClaimsSet claims =
        issuer
            .claims()
            .subject("f81d4fae-7dec-11d0-a765-00a0c91e6bf6")
            .claim("preferred_username", "carol")
            .claim("scope", "openid tes:read read submit tes:admin")
            .claim("scp", List.of("tes:cancel", "cancel", 42))
            .build();

    assertThat(auth.authenticate("Bearer " + TestIssuer.sign(rsa, claims)))
        .isEqualTo(new Identity("carol", EnumSet.of(Scope.READ, Scope.CANCEL)));

    AuthenticationException noUser = failure(auth, TestIssuer.sign(rsa, issuer.claims().build()));
    assertThat(noUser).hasMessageContaining("no string claim 'preferred_username'");
  }

  @Test
  void aTokenWithoutKnownScopesMayDoNothing() throws Exception {
    Identity identity =
        oidc()
            .authenticate(
                "Bearer " + TestIssuer.sign(rsa, issuer.claims().claim("scope", "openid").build()));

    assertThat(identity.scopes()).isEmpty();
  }

  @Test
  void refusesAnExpiredTokenAndOneNotYetValidBeyondTheClockSkew() throws Exception {
    Authenticator auth = oidc();
    Instant now = Instant.now();

    String expired =
        TestIssuer.sign(
            rsa, issuer.claims().expirationTime(Date.from(now.minusSeconds(61 + 5))).build());
    assertThat(failure(auth, expired)).hasMessageStartingWith("expired at ");
    String early =
        TestIssuer.sign(
            rsa, issuer.claims().notBeforeTime(Date.from(now.plusSeconds(600))).build());
    assertThat(failure(auth, early)).hasMessageContaining("not valid yet");
    // Within the default 60 s of skew: accepted.
    String justExpired =
        TestIssuer.sign(
            rsa, issuer.claims().expirationTime(Date.from(now.minusSeconds(20))).build());
    assertThat(auth.authenticate("Bearer " + justExpired).user()).isEqualTo("alice");
    String noExpiry = TestIssuer.sign(rsa, issuer.claims().expirationTime(null).build());
    assertThat(failure(auth, noExpiry)).hasMessageContaining("no expiry");
  }

  @Test
  void refusesAnotherIssuerOrAudience() throws Exception {
    Authenticator auth = oidc();

    String otherIssuer =
        TestIssuer.sign(
            rsa, issuer.claims().issuer("https://evil.example.org/realms/test").build());
    assertThat(failure(auth, otherIssuer))
        .hasMessage("wrong issuer: this server accepts tokens of " + issuer.issuer);
    String otherAudience = TestIssuer.sign(rsa, issuer.claims().audience("billing").build());
    assertThat(failure(auth, otherAudience)).hasMessageContaining("wrong audience");
    String noAudience = TestIssuer.sign(rsa, issuer.claims().audience((String) null).build());
    assertThat(failure(auth, noAudience)).hasMessageContaining("wrong audience");
    String severalAudiences =
        TestIssuer.sign(rsa, issuer.claims().audience(List.of("account", "tes")).build());
    assertThat(auth.authenticate("Bearer " + severalAudiences).user()).isEqualTo("alice");
    // Without an audience configured, any is accepted.
    Authenticator anyAudience = Authenticators.oidc(OidcSettings.builder(issuer.issuer).build());
    assertThat(anyAudience.authenticate("Bearer " + otherAudience).user()).isEqualTo("alice");
  }

  @Test
  void refusesATokenSignedByAnotherKey() throws Exception {
    Authenticator auth = oidc();

    // Another key under a published key id: the signature does not verify.
    RSAKey impostor = TestIssuer.rsaKey("rsa-1");
    assertThat(failure(auth, TestIssuer.sign(impostor, issuer.claims().build())))
        .hasMessageStartingWith("bad signature")
        .hasMessageContaining("'rsa-1'");
    // A key id the issuer does not publish, even after fetching its keys again.
    RSAKey unknown = TestIssuer.rsaKey("rsa-unknown");
    assertThat(failure(auth, TestIssuer.sign(unknown, issuer.claims().build())))
        .hasMessageStartingWith("unknown key")
        .hasMessageContaining("'rsa-unknown'");
    // The unknown key id made it fetch the keys again, in case the issuer had rotated them.
    assertThat(issuer.jwksRequests).hasValue(2);
  }

  @Test
  void unreachableKeysAreA401ThatSaysSoAndAreLogged() throws Exception {
    String closedUrl;
    try (TestIssuer gone = new TestIssuer()) {
      closedUrl = gone.jwksUrl;
    }
    Authenticator auth =
        Authenticators.oidc(
            OidcSettings.builder(issuer.issuer)
                .jwksUri(closedUrl)
                .httpTimeout(java.time.Duration.ofSeconds(2))
                .build());
    String token = TestIssuer.sign(rsa, issuer.claims().build());

    String[] message = new String[1];
    String logged = SecretAssertions.stderrOf(() -> message[0] = unavailable(auth, token).getMessage());

    assertThat(message[0])
        .isEqualTo("the issuer's keys could not be fetched, so the token cannot be checked now");
    assertThat(logged).contains("WARN").contains("could not be fetched");
    assertNoSecretIn("the log", logged, token, token.substring(token.lastIndexOf('.') + 1));
  }

  @Test
  void refusesUnsignedAndHmacTokensAndJunk() throws Exception {
    Authenticator auth = oidc();

    String unsigned = new PlainJWT(issuer.claims().build()).serialize();
    assertThat(failure(auth, unsigned)).hasMessageContaining("unsigned token (alg none)");

    // HMAC keyed with the RSA public key's bytes: the classic algorithm confusion attack.
    byte[] publicKey = rsa.toRSAPublicKey().getEncoded();
    SignedJWT hmac =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(),
            issuer.claims().build());
    hmac.sign(new MACSigner(java.util.Arrays.copyOf(publicKey, Math.max(32, publicKey.length))));
    assertThat(failure(auth, hmac.serialize()))
        .hasMessageContaining("algorithm HS256 is not allowed")
        .hasMessageContaining("[ES256, PS256, RS256]");

    // Allowed by the library but not by these settings.
    Authenticator rsaOnly =
        Authenticators.oidc(OidcSettings.builder(issuer.issuer).algorithms("RS256").build());
    assertThat(failure(rsaOnly, TestIssuer.sign(ec, issuer.claims().build())))
        .hasMessageContaining("algorithm ES256 is not allowed");

    String wrongType =
        TestIssuer.sign(
            rsa, issuer.claims().build(), h -> h.type(new JOSEObjectType("logout+jwt")));
    assertThat(failure(auth, wrongType)).hasMessageContaining("token type (typ) not accepted");
    String accessTokenType =
        TestIssuer.sign(rsa, issuer.claims().build(), h -> h.type(new JOSEObjectType("at+jwt")));
    assertThat(auth.authenticate("Bearer " + accessTokenType).user()).isEqualTo("alice");

    String valid = TestIssuer.sign(rsa, issuer.claims().build());
    String tampered =
        valid.substring(0, valid.indexOf('.') + 1)
            + "e30"
            + valid.substring(valid.lastIndexOf('.'));
    assertThat(failure(auth, tampered)).hasMessageStartingWith("bad signature");
    assertThat(failure(auth, "abc.def.ghi")).hasMessageContaining("malformed token");
  }

  @Test
  void picksUpANewKeyAfterTheIssuerRotatesItsKeys() throws Exception {
    Authenticator auth = oidc();
    assertThat(auth.authenticate("Bearer " + TestIssuer.sign(rsa, issuer.claims().build())).user())
        .isEqualTo("alice");
    assertThat(issuer.jwksRequests).hasValue(1);

    RSAKey next = TestIssuer.rsaKey("rsa-2");
    issuer.published.clear();
    issuer.publish(next);

    assertThat(auth.authenticate("Bearer " + TestIssuer.sign(next, issuer.claims().build())).user())
        .isEqualTo("alice");
    assertThat(issuer.jwksRequests).hasValue(2);
    // The keys are cached: another token of the new key costs no request.
    auth.authenticate("Bearer " + TestIssuer.sign(next, issuer.claims().subject("bob").build()));
    assertThat(issuer.jwksRequests).hasValue(2);
    assertThat(issuer.discoveryRequests).hasValue(1);
  }

  @Test
  void usesAConfiguredJwksUrlWithoutDiscovery() throws Exception {
    Authenticator auth =
        Authenticators.oidc(OidcSettings.builder(issuer.issuer).jwksUri(issuer.jwksUrl).build());

    assertThat(auth.authenticate("Bearer " + TestIssuer.sign(ec, issuer.claims().build())).user())
        .isEqualTo("alice");
    assertThat(issuer.discoveryRequests).hasValue(0);
  }

  @Test
  void aFailedDiscoveryIsUnavailableNotA401AndIsLoggedWithoutTheToken() throws Exception {
    issuer.discoveryStatus = 503;
    Authenticator auth = oidc();
    String token = TestIssuer.sign(rsa, issuer.claims().build());

    String[] message = new String[1];
    String logged = SecretAssertions.stderrOf(() -> message[0] = unavailable(auth, token).getMessage());

    assertThat(message[0]).contains("OpenID configuration").contains("could not be read");
    assertThat(logged).contains("WARN").contains("/.well-known/openid-configuration");
    assertNoSecretIn("the log", logged, token, token.substring(token.lastIndexOf('.') + 1));
    // Not asked again at once: a down issuer is not hammered by every request.
    unavailable(auth, token);
    assertThat(issuer.discoveryRequests).hasValue(1);
  }

  @Test
  void refusesADiscoveryDocumentOfAnotherIssuerOrWithAnInsecureJwksUrl() throws Exception {
    issuer.discoveryJson =
        "{\"issuer\":\"https://other.example.org\",\"jwks_uri\":\"" + issuer.jwksUrl + "\"}";
    String token = TestIssuer.sign(rsa, issuer.claims().build());
    assertThat(unavailable(oidc(), token)).hasMessageContaining("names another issuer");

    issuer.discoveryJson =
        "{\"issuer\":\"" + issuer.issuer + "\",\"jwks_uri\":\"http://keys.example.org/certs\"}";
    assertThat(unavailable(oidc(), token))
        .hasMessageContaining("jwks_uri")
        .hasMessageContaining("must use https");
    assertThat(issuer.jwksRequests).hasValue(0);
  }

  @Test
  void saysWhatIsWrongWithARequestAndKeepsTheSettingsInToString() {
    Authenticator auth = oidc();

    AuthenticationException none =
        catchThrowableOfType(AuthenticationException.class, () -> auth.authenticate(null));
    assertThat(none).hasMessageContaining("no credentials");
    assertThat(none.challenge()).isEqualTo("Bearer realm=\"tes4j\"");
    AuthenticationException basic =
        catchThrowableOfType(
            AuthenticationException.class, () -> auth.authenticate("Basic YWxpY2U6cHc="));
    assertThat(basic).hasMessageContaining("expected a Bearer token");
    assertThat(auth.toString()).contains(issuer.issuer).contains("audiences=[tes]");
  }
}
