package io.tes4j.server.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server's TLS identity from two PEM files, as certbot, openssl and most CAs write them: the
 * certificate chain (the server's certificate first, then the intermediates), and its private key,
 * unencrypted, as PKCS#8 ({@code BEGIN PRIVATE KEY}: RSA, EC, Ed25519 or Ed448), PKCS#1 ({@code
 * BEGIN RSA PRIVATE KEY}) or SEC1 ({@code BEGIN EC PRIVATE KEY}). Every error names the file and
 * what is wrong with it; none ever shows a byte of the key. Internal.
 */
public final class PemKeyStore {
  /** The alias of the key entry in the key store. */
  public static final String ALIAS = "tes4j";

  private static final Pattern BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----\\R(.*?)-----END \\1-----", Pattern.DOTALL);
  private static final String ACCEPTED = "an unencrypted PKCS#8 (BEGIN PRIVATE KEY), PKCS#1 (BEGIN RSA PRIVATE KEY)"
      + " or SEC1 (BEGIN EC PRIVATE KEY) PEM key";

  private static final byte[] RSA_ENCRYPTION = {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d,
      0x01, 0x01, 0x01};
  private static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

  private PemKeyStore() {}

  /** A key store and the password of its one key entry, {@value #ALIAS}. */
  public record Loaded(KeyStore keyStore, String password) {
    /** Never shows the password. */
    @Override
    public String toString() {
      return "PemKeyStore.Loaded[" + ALIAS + "]";
    }
  }

  /**
   * Reads the chain and the key, checks that the key is the first certificate's, and puts both in
   * an in-memory key store with a random password.
   *
   * @param certificateFile PEM, one or more {@code CERTIFICATE} blocks, the server's first
   * @param keyFile PEM, the first certificate's private key, unencrypted
   * @return the key store
   * @throws IllegalArgumentException naming the file and the problem: unreadable, no certificate or
   *     key in it, an encrypted or unknown kind of key, a key that is not the certificate's
   */
  public static Loaded load(Path certificateFile, Path keyFile) {
    List<X509Certificate> chain = certificates(certificateFile);
    PrivateKey key = privateKey(keyFile);
    checkPair(chain.get(0), key, certificateFile, keyFile);
    try {
      byte[] random = new byte[18];
      new SecureRandom().nextBytes(random);
      String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(ALIAS, key, password.toCharArray(), chain.toArray(Certificate[]::new));
      return new Loaded(store, password);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot use the key of " + keyFile + " with the certificates of "
          + certificateFile + ": " + e.getClass().getSimpleName(), e);
    }
  }

  /** The certificates of a PEM file, in order. */
  static List<X509Certificate> certificates(Path file) {
    String text = read(file, "certificate");
    List<X509Certificate> chain = new ArrayList<>();
    Matcher block = BLOCK.matcher(text);
    CertificateFactory factory;
    try {
      factory = CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException("this JVM has no X.509 support", e);
    }
    while (block.find()) {
      if (!block.group(1).equals("CERTIFICATE")) {
        continue; // e.g. a key in a combined file: not read here, never shown
      }
      byte[] der = base64(block.group(2), file, "certificate " + (chain.size() + 1));
      try {
        chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
      } catch (CertificateException e) {
        throw new IllegalArgumentException(file + ": certificate " + (chain.size() + 1)
            + " is not a valid X.509 certificate (" + e.getMessage() + ")", e);
      }
    }
    if (chain.isEmpty()) {
      throw new IllegalArgumentException(file + ": no PEM certificate in it; expected the server's certificate"
          + " (-----BEGIN CERTIFICATE-----), then its intermediates");
    }
    return chain;
  }

  /** The first private key of a PEM file. */
  static PrivateKey privateKey(Path file) {
    String text = read(file, "key");
    Matcher block = BLOCK.matcher(text);
    while (block.find()) {
      String type = block.group(1);
      String body = block.group(2);
      switch (type) {
        case "ENCRYPTED PRIVATE KEY" -> throw encrypted(file);
        case "PRIVATE KEY" -> {
          return pkcs8(base64(body, file, "key"), file);
        }
        case "RSA PRIVATE KEY" -> {
          if (body.contains("ENCRYPTED")) {
            throw encrypted(file); // OpenSSL's legacy encryption: Proc-Type: 4,ENCRYPTED
          }
          return pkcs8(wrapPkcs1(base64(body, file, "key")), file);
        }
        case "EC PRIVATE KEY" -> {
          if (body.contains("ENCRYPTED")) {
            throw encrypted(file);
          }
          return pkcs8(wrapSec1(base64(body, file, "key"), file), file);
        }
        default -> {
          // EC PARAMETERS (openssl ecparam -genkey writes it first), a certificate: skipped.
        }
      }
    }
    throw new IllegalArgumentException(file + ": no private key in it; expected " + ACCEPTED);
  }

  private static IllegalArgumentException encrypted(Path file) {
    return new IllegalArgumentException(file + ": the private key is encrypted, which is not supported; decrypt it"
        + " (openssl pkey -in ENCRYPTED.pem -out " + file.getFileName() + ") and let only the server's user read"
        + " the file; expected " + ACCEPTED);
  }

  private static String read(Path file, String what) {
    try {
      return Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      String why = e instanceof java.nio.file.NoSuchFileException ? "no such file"
          : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
          : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      throw new IllegalArgumentException("cannot read the TLS " + what + " file " + file + ": " + why, e);
    }
  }

  private static byte[] base64(String body, Path file, String what) {
    try {
      return Base64.getMimeDecoder().decode(body.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": the " + what + " is not valid base64 PEM", null);
    }
  }

  /** A PKCS#8 key of any algorithm the JDK knows. */
  private static PrivateKey pkcs8(byte[] der, Path file) {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    try {
      for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS")) {
        try {
          return KeyFactory.getInstance(algorithm).generatePrivate(spec);
        } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
          // Not this algorithm: the next one.
        }
      }
    } finally {
      Arrays.fill(der, (byte) 0);
    }
    throw new IllegalArgumentException(file + ": the private key is not an RSA, EC, Ed25519 or Ed448 key this JVM"
        + " can read; expected " + ACCEPTED);
  }

  /** PKCS#1 RSAPrivateKey → PKCS#8 PrivateKeyInfo: version 0, rsaEncryption with NULL parameters. */
  static byte[] wrapPkcs1(byte[] pkcs1) {
    byte[] algorithm = der(0x30, concat(RSA_ENCRYPTION, new byte[] {0x05, 0x00}));
    return der(0x30, concat(new byte[] {0x02, 0x01, 0x00}, algorithm, der(0x04, pkcs1)));
  }

  /**
   * SEC1 ECPrivateKey → PKCS#8 PrivateKeyInfo: version 0, ecPublicKey with the curve that SEC1's
   * optional {@code [0] parameters} names (OpenSSL always writes it).
   */
  static byte[] wrapSec1(byte[] sec1, Path file) {
    byte[] curve = sec1Curve(sec1);
    if (curve == null) {
      throw new IllegalArgumentException(file + ": the EC private key names no curve (its parameters are missing);"
          + " expected " + ACCEPTED);
    }
    byte[] algorithm = der(0x30, concat(EC_PUBLIC_KEY, curve));
    return der(0x30, concat(new byte[] {0x02, 0x01, 0x00}, algorithm, der(0x04, sec1)));
  }

  /** The curve OID (tag, length and value) in SEC1's {@code [0]}, or {@code null}. */
  private static byte[] sec1Curve(byte[] sec1) {
    try {
      int[] outer = header(sec1, 0);
      if (sec1[0] != 0x30) {
        return null;
      }
      int at = outer[0];
      int end = outer[0] + outer[1];
      while (at < end) {
        int tag = sec1[at] & 0xff;
        int[] element = header(sec1, at);
        if (tag == 0xa0) {
          int[] oid = header(sec1, element[0]);
          if (sec1[element[0]] != 0x06) {
            return null; // explicit curve parameters, not a named curve
          }
          return Arrays.copyOfRange(sec1, element[0], oid[0] + oid[1]);
        }
        at = element[0] + element[1];
      }
      return null;
    } catch (ArrayIndexOutOfBoundsException e) {
      return null; // truncated: the key factory will say so
    }
  }

  /** {content offset, content length} of the DER element at {@code at}. */
  private static int[] header(byte[] der, int at) {
    int first = der[at + 1] & 0xff;
    if (first < 0x80) {
      return new int[] {at + 2, first};
    }
    int bytes = first & 0x7f;
    if (bytes == 0 || bytes > 3) {
      throw new ArrayIndexOutOfBoundsException("unsupported DER length");
    }
    int length = 0;
    for (int i = 0; i < bytes; i++) {
      length = (length << 8) | (der[at + 2 + i] & 0xff);
    }
    return new int[] {at + 2 + bytes, length};
  }

  private static byte[] der(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
    out.write(tag);
    int length = content.length;
    if (length < 0x80) {
      out.write(length);
    } else if (length < 0x100) {
      out.write(0x81);
      out.write(length);
    } else if (length < 0x10000) {
      out.write(0x82);
      out.write(length >> 8);
      out.write(length);
    } else {
      out.write(0x83);
      out.write(length >> 16);
      out.write(length >> 8);
      out.write(length);
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  /** Signs with the key and checks with the certificate: the pair must belong together. */
  private static void checkPair(X509Certificate certificate, PrivateKey key, Path certificateFile, Path keyFile) {
    PublicKey publicKey = certificate.getPublicKey();
    if (!publicKey.getAlgorithm().equals(key.getAlgorithm())
        && !(publicKey.getAlgorithm().startsWith("Ed") && key.getAlgorithm().startsWith("Ed"))) {
      throw mismatch(certificateFile, keyFile, "the key is " + key.getAlgorithm() + ", the certificate's "
          + publicKey.getAlgorithm());
    }
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "EdDSA", "Ed25519", "Ed448" -> key.getAlgorithm();
      default -> null; // RSASSA-PSS needs parameters: the TLS handshake checks it instead
    };
    if (algorithm == null) {
      return;
    }
    try {
      byte[] probe = "tes4j: does this key belong to this certificate?".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(probe);
      if (!verifier.verify(signature)) {
        throw mismatch(certificateFile, keyFile, "a signature made with the key does not verify with the certificate");
      }
    } catch (GeneralSecurityException e) {
      throw mismatch(certificateFile, keyFile, e.getClass().getSimpleName());
    }
  }

  private static IllegalArgumentException mismatch(Path certificateFile, Path keyFile, String why) {
    return new IllegalArgumentException("the private key in " + keyFile + " is not the key of the first certificate in "
        + certificateFile + " (" + why + "); the certificate file must start with the server's own certificate");
  }
}
