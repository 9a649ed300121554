package io.tes4j.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates for the TLS tests, made by the JDK's keytool (as an operator could) in a temporary
 * directory, and written as the PEM files {@code tes4j serve --tls-cert/--tls-key} reads.
 */
final class TestCertificates {
  private static final String PASSWORD = "test-store-password";

  private TestCertificates() {}

  /** A key pair and its chain (the holder's certificate first). */
  record Identity(PrivateKey key, List<X509Certificate> chain) {
    X509Certificate certificate() {
      return chain.get(0);
    }
  }

  /**
   * A CA with an RSA key and a server identity with an EC key for 127.0.0.1 and localhost, signed
   * by it; the CA's certificate names 127.0.0.1 too, so that it can serve as a self-signed identity.
   * Four runs of keytool, the first two at once.
   */
  static Identity[] caAndServer(Path dir) throws Exception {
    Path ca = dir.resolve("ca.p12");
    Path server = dir.resolve("server.p12");
    Process caKey = keytoolStart(dir, "ca", "-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-dname", "CN=tes4j test CA",
        "-ext", "bc:c", "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2", "-keystore", ca.toString());
    Process serverKey = keytoolStart(dir, "server", "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname",
        "secp256r1", "-dname", "CN=localhost", "-validity", "2", "-keystore", server.toString());
    keytoolWait(dir, "ca", caKey);
    keytoolWait(dir, "server", serverKey);
    keytool(dir, "-certreq", "-alias", "server", "-keystore", server.toString(), "-file", dir.resolve("server.csr")
        .toString());
    keytool(dir, "-gencert", "-alias", "ca", "-keystore", ca.toString(), "-infile", dir.resolve("server.csr").toString(),
        "-outfile", dir.resolve("server.crt").toString(), "-ext", "san=ip:127.0.0.1,dns:localhost",
        "-ext", "eku=serverAuth", "-validity", "2", "-rfc");
    Identity caIdentity = load(ca, "ca");
    List<X509Certificate> chain = new ArrayList<>();
    try (InputStream in = Files.newInputStream(dir.resolve("server.crt"))) {
      chain.add((X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    chain.add(caIdentity.certificate());
    return new Identity[] {caIdentity, new Identity(load(server, "server").key(), chain)};
  }

  private static void keytool(Path dir, String... args) throws IOException, InterruptedException {
    keytoolWait(dir, "keytool", keytoolStart(dir, "keytool", args));
  }

  private static Process keytoolStart(Path dir, String log, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(Arrays.asList(args));
    command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
    return new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve(log + ".log").toFile()).start();
  }

  private static void keytoolWait(Path dir, String log, Process process) throws IOException, InterruptedException {
    if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IOException("keytool failed: " + Files.readString(dir.resolve(log + ".log")));
    }
  }

  private static Identity load(Path store, String alias) throws GeneralSecurityException, IOException {
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keyStore.load(in, PASSWORD.toCharArray());
    }
    PrivateKey key = (PrivateKey) keyStore.getKey(alias, PASSWORD.toCharArray());
    List<X509Certificate> chain = new ArrayList<>();
    for (Certificate certificate : keyStore.getCertificateChain(alias)) {
      chain.add((X509Certificate) certificate);
    }
    return new Identity(key, chain);
  }

  /** PEM blocks of {@code type}, one per DER value. */
  static String pem(String type, byte[]... ders) {
    StringBuilder out = new StringBuilder();
    for (byte[] der : ders) {
      out.append("-----BEGIN ").append(type).append("-----\n")
          .append(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der))
          .append("\n-----END ").append(type).append("-----\n");
    }
    return out.toString();
  }

  /** The chain as a PEM file (the holder's certificate first). */
  static Path writeChain(Path file, List<X509Certificate> chain) throws Exception {
    StringBuilder pem = new StringBuilder();
    for (X509Certificate certificate : chain) {
      pem.append(pem("CERTIFICATE", certificate.getEncoded()));
    }
    return Files.writeString(file, pem, StandardCharsets.US_ASCII);
  }

  /** The key as an unencrypted PKCS#8 PEM file. */
  static Path writePkcs8(Path file, PrivateKey key) throws IOException {
    return Files.writeString(file, pem("PRIVATE KEY", key.getEncoded()), StandardCharsets.US_ASCII);
  }

  /** An SSL context that trusts {@code certificate} only. */
  static SSLContext trusting(X509Certificate certificate) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("trusted", certificate);
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }
}
