package io.tes4j.server.auth;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * An OpenID Connect issuer for tests, on the JDK's HTTP server at 127.0.0.1 and a free port: a
 * discovery document and a JWKS of keys the test generates, and tokens signed with them.
 */
public final class TestIssuer implements AutoCloseable {
  public final HttpServer server;
  public final String issuer;
  public final String jwksUrl;
  public final AtomicInteger discoveryRequests = new AtomicInteger();
  public final AtomicInteger jwksRequests = new AtomicInteger();

  /** The public keys the JWKS serves now; the test may change them (key rotation). */
  public final List<JWK> published = new CopyOnWriteArrayList<>();

  /** What the discovery document says; the test may change it. */
  public volatile String discoveryJson;

  public volatile int discoveryStatus = 200;

  public TestIssuer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    issuer = base + "/realms/test";
    jwksUrl = issuer + "/protocol/openid-connect/certs";
    discoveryJson =
        "{\"issuer\":\""
            + issuer
            + "\",\"jwks_uri\":\""
            + jwksUrl
            + "\","
            + "\"id_token_signing_alg_values_supported\":[\"RS256\",\"ES256\"]}";
    server.createContext(
        "/realms/test/.well-known/openid-configuration",
        exchange -> {
          discoveryRequests.incrementAndGet();
          respond(exchange, discoveryStatus, discoveryJson);
        });
    server.createContext(
        "/realms/test/protocol/openid-connect/certs",
        exchange -> {
          jwksRequests.incrementAndGet();
          respond(exchange, 200, new JWKSet(new ArrayList<>(published)).toString(true));
        });
    server.start();
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  public static RSAKey rsaKey(String kid) throws Exception {
    return new RSAKeyGenerator(2048).keyID(kid).generate();
  }

  public static ECKey ecKey(String kid) throws Exception {
    return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
  }

  /** Publishes the public part of {@code key} in the JWKS. */
  public void publish(JWK key) {
    published.add(key.toPublicJWK());
  }

  /** Valid claims: this issuer, subject alice, audience tes, read and submit, an hour to live. */
  public JWTClaimsSet.Builder claims() {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder()
        .issuer(issuer)
        .subject("alice")
        .audience("tes")
        .issueTime(java.util.Date.from(now))
        .expirationTime(java.util.Date.from(now.plusSeconds(3600)))
        .claim("scope", "openid read submit");
  }

  public static String sign(JWK key, JWTClaimsSet claims) throws Exception {
    return sign(key, claims, UnaryOperator.identity());
  }

  /** {@code claims} signed by {@code key}, RS256 or ES256 by its type, with its key id. */
  public static String sign(JWK key, JWTClaimsSet claims, UnaryOperator<JWSHeader.Builder> header)
      throws Exception {
    JWSAlgorithm algorithm = key instanceof RSAKey ? JWSAlgorithm.RS256 : JWSAlgorithm.ES256;
    JWSSigner signer =
        key instanceof RSAKey rsa ? new RSASSASigner(rsa) : new ECDSASigner((ECKey) key);
    SignedJWT jwt =
        new SignedJWT(
            header
                .apply(
                    new JWSHeader.Builder(algorithm).keyID(key.getKeyID()).type(JOSEObjectType.JWT))
                .build(),
            claims);
    jwt.sign(signer);
    return jwt.serialize();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
