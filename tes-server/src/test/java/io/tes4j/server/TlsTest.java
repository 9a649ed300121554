package io.tes4j.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.engine.TesEngine;
import io.tes4j.server.auth.Authenticators;
import io.tes4j.server.internal.PemKeyStore;
import io.tes4j.testing.MockBackend;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.interfaces.ECPrivateKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * HTTPS from PEM files made with keytool: a real HTTPS client that trusts only the test CA talks
 * Basic auth to the server; every key format the server accepts, and clear errors for the rest.
 */
class TlsTest {
  @TempDir static Path dir;
  private static TestCertificates.Identity ca;
  private static TestCertificates.Identity server;
  private static TesEngine engine;

  @BeforeAll
  static void makeCertificates() throws Exception {
    TestCertificates.Identity[] pair = TestCertificates.caAndServer(dir);
    ca = pair[0];
    server = pair[1];
    engine = TesEngine.builder().backend(MockBackend.builder().delay(Duration.ZERO).build()).build();
  }

  @AfterAll
  static void closeEngine() {
    engine.close();
  }

  @Test
  void basicAuthOverHttpsWithAChainAClientVerifiesUpToItsCa() throws Exception {
    assertThat(server.chain()).hasSize(2);
    Path chain = TestCertificates.writeChain(dir.resolve("fullchain.pem"), server.chain());
    Path key = TestCertificates.writePkcs8(dir.resolve("privkey.pem"), server.key());
    Path users = Files.writeString(dir.resolve("users"), "alice:" + BCrypt.hashpw("alice-pw", BCrypt.gensalt("$2y", 4)));
    try (TesServer tls = TesServer.builder(engine).bind("127.0.0.1").port(0).tls(chain, key)
        .authenticator(Authenticators.fromSpec("basic:" + users)).start()) {
      assertThat(tls.uri().toString()).startsWith("https://127.0.0.1:" + tls.port() + "/");
      HttpClient client = HttpClient.newBuilder().sslContext(TestCertificates.trusting(ca.certificate())).build();
      String basic = "Basic " + Base64.getEncoder().encodeToString("alice:alice-pw".getBytes(StandardCharsets.UTF_8));
      HttpResponse<String> info = client.send(HttpRequest.newBuilder(URI.create(tls.uri() + "/service-info"))
          .header("Authorization", basic).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(info.statusCode()).isEqualTo(200);
      assertThat(info.body()).contains("\"name\"");
      HttpResponse<String> refused = client.send(HttpRequest.newBuilder(URI.create(tls.uri() + "/tasks")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).isEqualTo(401);
      assertThat(refused.headers().firstValue("WWW-Authenticate")).isPresent();

      // A client that does not trust the CA refuses the server; plain HTTP gets no answer of the API.
      HttpClient untrusting = HttpClient.newHttpClient();
      assertThatThrownBy(() -> untrusting.send(HttpRequest.newBuilder(URI.create(tls.uri() + "/service-info")).build(),
          HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);
      URI plain = URI.create("http://127.0.0.1:" + tls.port() + "/ga4gh/tes/v1/service-info");
      try {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(plain).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isNotEqualTo(200);
      } catch (IOException expected) {
        // The TLS layer closed the connection: also no answer.
      }
    }
  }

  @Test
  void rsaKeysAsPkcs8OrPkcs1AndEcKeysAsPkcs8OrSec1AreAccepted() throws Exception {
    Path rsaChain = TestCertificates.writeChain(dir.resolve("ca.pem"), ca.chain());
    byte[] pkcs8 = ca.key().getEncoded();
    // PKCS#8 of a 2048-bit RSA key: a 26-byte header (version, rsaEncryption, octet string) then PKCS#1.
    assertThat(HexFormat.of().formatHex(pkcs8, 4, 24)).isEqualTo("020100300d06092a864886f70d01010105000482");
    byte[] pkcs1 = Arrays.copyOfRange(pkcs8, 26, pkcs8.length);
    Path rsaPkcs1 = Files.writeString(dir.resolve("rsa-pkcs1.pem"), TestCertificates.pem("RSA PRIVATE KEY", pkcs1));
    Path rsaPkcs8 = TestCertificates.writePkcs8(dir.resolve("rsa-pkcs8.pem"), ca.key());

    Path ecChain = TestCertificates.writeChain(dir.resolve("ec.pem"), server.chain());
    Path ecPkcs8 = TestCertificates.writePkcs8(dir.resolve("ec-pkcs8.pem"), server.key());
    // openssl ecparam -genkey writes EC PARAMETERS, then the SEC1 key with its curve in [0].
    Path ecSec1 = Files.writeString(dir.resolve("ec-sec1.pem"),
        TestCertificates.pem("EC PARAMETERS", HexFormat.of().parseHex(SECP256R1))
            + TestCertificates.pem("EC PRIVATE KEY", sec1((ECPrivateKey) server.key())));

    for (Path[] files : List.of(new Path[] {rsaChain, rsaPkcs1}, new Path[] {rsaChain, rsaPkcs8},
        new Path[] {ecChain, ecPkcs8}, new Path[] {ecChain, ecSec1})) {
      PemKeyStore.Loaded loaded = PemKeyStore.load(files[0], files[1]);
      KeyStore store = loaded.keyStore();
      java.security.Key read = store.getKey(PemKeyStore.ALIAS, loaded.password().toCharArray());
      if (files[0] == rsaChain) {
        assertThat(read.getEncoded()).as(files[1].getFileName().toString()).isEqualTo(ca.key().getEncoded());
      } else {
        // SEC1 keeps its curve inside: compare the private value, not the encoding.
        assertThat(((ECPrivateKey) read).getS()).as(files[1].getFileName().toString())
            .isEqualTo(((ECPrivateKey) server.key()).getS());
      }
      assertThat(store.getCertificateChain(PemKeyStore.ALIAS)).hasSize(files[0] == rsaChain ? 1 : 2);
      assertThat(loaded.toString()).doesNotContain(loaded.password());
    }

    // And the server answers over HTTPS with the RSA key read from PKCS#1.
    try (TesServer tls = TesServer.builder(engine).port(0).tls(rsaChain, rsaPkcs1).start()) {
      HttpClient client = HttpClient.newBuilder().sslContext(TestCertificates.trusting(ca.certificate())).build();
      assertThat(client.send(HttpRequest.newBuilder(URI.create(tls.uri() + "/tasks")).build(),
          HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("{\"tasks\":[]}");
    }
  }

  @Test
  void badFilesAreClearErrorsNamingTheFileAndNeverShowingTheKey() throws Exception {
    Path chain = TestCertificates.writeChain(dir.resolve("good-chain.pem"), server.chain());
    Path key = TestCertificates.writePkcs8(dir.resolve("good-key.pem"), server.key());
    String keyText = Files.readString(key);
    String keyBase64 = keyText.lines().skip(1).findFirst().orElseThrow();

    Path missing = dir.resolve("missing.pem");
    assertThatThrownBy(() -> TesServer.builder(engine).tls(missing, key))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cannot read the TLS certificate file " + missing + ": no such file");
    // A key given as the certificate: no certificate in it, and none of the key shown.
    assertThatThrownBy(() -> TesServer.builder(engine).tls(key, key))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(key + ": no PEM certificate in it")
        .hasMessageNotContaining(keyBase64);
    // A certificate given as the key.
    assertThatThrownBy(() -> TesServer.builder(engine).tls(chain, chain))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(chain + ": no private key in it; expected an unencrypted PKCS#8");
    // Another certificate's key: of another algorithm, or of the same.
    Path rsaKey = TestCertificates.writePkcs8(dir.resolve("rsa-key.pem"), ca.key());
    assertThatThrownBy(() -> TesServer.builder(engine).tls(chain, rsaKey))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the private key in " + rsaKey + " is not the key of the first certificate in " + chain
            + " (the key is RSA, the certificate's EC); the certificate file must start with the server's own"
            + " certificate");
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    Path otherKey = TestCertificates.writePkcs8(dir.resolve("other-key.pem"), generator.generateKeyPair().getPrivate());
    assertThatThrownBy(() -> TesServer.builder(engine).tls(chain, otherKey))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a signature made with the key does not verify with the certificate")
        .hasMessageNotContaining(Files.readString(otherKey).lines().skip(1).findFirst().orElseThrow());
    // Encrypted keys, in either form.
    Path encrypted = Files.writeString(dir.resolve("encrypted.pem"),
        TestCertificates.pem("ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3}));
    Path legacy = Files.writeString(dir.resolve("legacy.pem"), "-----BEGIN RSA PRIVATE KEY-----\n"
        + "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\nAAAA\n"
        + "-----END RSA PRIVATE KEY-----\n");
    for (Path file : List.of(encrypted, legacy)) {
      assertThatThrownBy(() -> TesServer.builder(engine).tls(chain, file))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(file + ": the private key is encrypted, which is not supported");
    }
    // Broken base64, and a key no algorithm reads.
    String broken = keyText.replace(keyBase64, keyBase64.substring(0, 20) + "!!" + keyBase64.substring(22));
    Path garbled = Files.writeString(dir.resolve("garbled.pem"), broken);
    assertThatThrownBy(() -> TesServer.builder(engine).tls(chain, garbled))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(garbled + ": the key is not valid base64 PEM")
        .hasMessageNotContaining(keyBase64.substring(0, 20));
    Path junk = Files.writeString(dir.resolve("junk.pem"), TestCertificates.pem("PRIVATE KEY", new byte[] {0x30, 0}));
    assertThatThrownBy(() -> TesServer.builder(engine).tls(chain, junk))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(junk + ": the private key is not an RSA, EC, Ed25519 or Ed448 key");
  }

  /** The DER of secp256r1's OID, as in EC PARAMETERS and SEC1's [0]. */
  private static final String SECP256R1 = "06082a8648ce3d030107";

  /** SEC1 ECPrivateKey: version 1, the private value, [0] the named curve (as OpenSSL writes it). */
  private static byte[] sec1(ECPrivateKey key) {
    byte[] value = new byte[32];
    byte[] s = key.getS().toByteArray();
    int skip = s.length > 32 ? s.length - 32 : 0;
    System.arraycopy(s, skip, value, 32 - (s.length - skip), s.length - skip);
    byte[] curve = HexFormat.of().parseHex(SECP256R1);
    byte[] body = concat(new byte[] {0x02, 0x01, 0x01, 0x04, 0x20}, value, new byte[] {(byte) 0xa0, (byte) curve.length},
        curve);
    return concat(new byte[] {0x30, (byte) body.length}, body);
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    byte[] all = new byte[length];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }
}
