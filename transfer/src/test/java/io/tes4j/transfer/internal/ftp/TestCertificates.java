package io.tes4j.transfer.internal.ftp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * A self-signed certificate for 127.0.0.1 made with the JDK's {@code keytool}, for TLS tests, and a
 * trust manager that trusts exactly it.
 */
final class TestCertificates {
  static final String PASSWORD = "test-keystore-pw";

  private TestCertificates() {}

  /** A new PKCS12 key store in {@code dir} with a key and self-signed certificate for 127.0.0.1. */
  static Path selfSigned(Path dir) throws IOException, InterruptedException {
    return selfSigned(dir, "ip:127.0.0.1,dns:localhost");
  }

  /** As {@link #selfSigned(Path)}, for the names in {@code subjectAltNames} ({@code dns:x,ip:y}). */
  static Path selfSigned(Path dir, String subjectAltNames) throws IOException, InterruptedException {
    Path keystore = Files.createTempFile(dir, "ftp-server-", ".p12");
    Files.delete(keystore); // keytool wants to create it
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process process =
        new ProcessBuilder(
                List.of(
                    keytool.toString(), "-genkeypair", "-alias", "ftp", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=tes4j test", "-ext", "SAN=" + subjectAltNames, "-validity", "2",
                    "-storetype", "PKCS12", "-keystore", keystore.toString(),
                    "-storepass", PASSWORD, "-keypass", PASSWORD))
            .redirectErrorStream(true)
            .start();
    String output;
    try (InputStream in = process.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0 || !Files.exists(keystore)) {
      process.destroyForcibly();
      throw new IOException("keytool failed: " + output);
    }
    return keystore;
  }

  /** A trust manager that trusts the certificate in {@code keystore} and nothing else. */
  static X509TrustManager trusting(Path keystore) throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      store.load(in, PASSWORD.toCharArray());
    }
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    for (TrustManager manager : factory.getTrustManagers()) {
      if (manager instanceof X509TrustManager x509) {
        return x509;
      }
    }
    throw new GeneralSecurityException("no X.509 trust manager");
  }
}
