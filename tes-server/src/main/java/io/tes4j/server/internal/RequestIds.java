package io.tes4j.server.internal;

import java.util.concurrent.ThreadLocalRandom;

/** Request ids: the client's {@code X-Request-Id} when sane, else a new random one. Internal. */
public final class RequestIds {
  /** The longest client-supplied request id that is kept. */
  public static final int MAX_LENGTH = 128;

  private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();

  private RequestIds() {}

  /**
   * {@code offered} when it is 1 to {@value #MAX_LENGTH} printable ASCII characters without spaces
   * (so it cannot forge log lines or headers), else a new id of 16 random characters.
   */
  public static String choose(String offered) {
    return isSane(offered) ? offered : generate();
  }

  /** Whether {@code id} can be used as it is. */
  public static boolean isSane(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c <= ' ' || c >= 127) {
        return false;
      }
    }
    return true;
  }

  /**
   * A new id: 16 characters from {@code [0-9a-z]} (about 82 bits). Ids only tell requests apart in
   * the logs, they guard nothing, so {@link ThreadLocalRandom} does: a {@code SecureRandom} read
   * {@code /dev/urandom} under one lock, and showed in profiles of the server under load.
   */
  public static String generate() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] id = new char[16];
    // Eight characters from each of two random 63-bit numbers (36^8 < 2^63): 2 calls, not 16.
    for (int half = 0; half < 2; half++) {
      long bits = random.nextLong() >>> 1;
      for (int i = 0; i < 8; i++) {
        id[half * 8 + i] = ALPHABET[(int) (bits % ALPHABET.length)];
        bits /= ALPHABET.length;
      }
    }
    return new String(id);
  }
}
