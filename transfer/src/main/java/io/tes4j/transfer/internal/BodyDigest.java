package io.tes4j.transfer.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * A checksum an HTTP server announced for the body it sends: {@code Repr-Digest} (RFC 9530),
 * {@code Digest} (RFC 3230) or {@code Content-MD5}; the strongest algorithm given is checked.
 * Internal.
 *
 * @param algorithm the {@link MessageDigest} algorithm
 * @param header the header it came from, for messages
 * @param expected the announced digest
 */
record BodyDigest(String algorithm, String header, byte[] expected) {

  /** Algorithms we check, strongest first, as the headers name them. */
  private static final String[][] ALGORITHMS = {
    {"sha-512", "SHA-512"}, {"sha-256", "SHA-256"}, {"md5", "MD5"}
  };

  /** The digest announced in {@code headers}, if any we can check and parse. */
  static Optional<BodyDigest> announced(ResponseHeaders headers) {
    if (headers.firstValue("Content-Encoding").filter(e -> !e.equalsIgnoreCase("identity")).isPresent()) {
      return Optional.empty(); // the digest would be of the encoded bytes
    }
    for (String[] algorithm : ALGORITHMS) {
      Optional<byte[]> repr = find(headers, "Repr-Digest", algorithm[0], true);
      if (repr.isPresent()) {
        return Optional.of(new BodyDigest(algorithm[1], "Repr-Digest", repr.get()));
      }
      Optional<byte[]> digest = find(headers, "Digest", algorithm[0], false);
      if (digest.isPresent()) {
        return Optional.of(new BodyDigest(algorithm[1], "Digest", digest.get()));
      }
    }
    return headers.firstValue("Content-MD5")
        .flatMap(BodyDigest::base64)
        .map(md5 -> new BodyDigest("MD5", "Content-MD5", md5));
  }

  /** {@code name=value} in the comma-separated header; RFC 9530 wraps values in colons. */
  private static Optional<byte[]> find(ResponseHeaders headers, String header, String name, boolean colons) {
    for (String line : headers.allValues(header)) {
      for (String member : line.split(",")) {
        int eq = member.indexOf('=');
        if (eq < 0 || !member.substring(0, eq).strip().toLowerCase(Locale.ROOT).equals(name)) {
          continue;
        }
        String value = member.substring(eq + 1).strip();
        if (colons) {
          if (value.length() < 2 || !value.startsWith(":") || !value.endsWith(":")) {
            continue;
          }
          value = value.substring(1, value.length() - 1);
        }
        Optional<byte[]> bytes = base64(value);
        if (bytes.isPresent()) {
          return bytes;
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<byte[]> base64(String value) {
    try {
      return Optional.of(Base64.getDecoder().decode(value.strip()));
    } catch (IllegalArgumentException notBase64) {
      // A malformed header is no checksum: the size is still checked.
      return Optional.empty();
    }
  }

  /** A fresh digest to feed the body into. */
  MessageDigest start() {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has " + algorithm, e);
    }
  }

  /** Whether {@code actual} matches the announced digest. */
  boolean matches(byte[] actual) {
    return MessageDigest.isEqual(expected, actual);
  }

  /**
   * Whether the digest is of the whole object even when the answer is a part of it (206):
   * {@code Repr-Digest} and {@code Digest} are of the representation; {@code Content-MD5} is of
   * the body sent.
   */
  boolean ofWholeObject() {
    return !header.equals("Content-MD5");
  }

  /** The algorithm in the header's words, for messages. */
  String describe() {
    return algorithm + " from " + header;
  }
}
