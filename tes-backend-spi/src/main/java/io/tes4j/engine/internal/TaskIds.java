package io.tes4j.engine.internal;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Makes task ids: 26 characters of Crockford base32 (digits and upper-case letters without I, L, O
 * and U), the layout of a ULID: 10 characters of milliseconds since the epoch, then 16 of a random
 * number that is incremented, not redrawn, within one millisecond. So ids are unique, URL-safe, and
 * sort as strings in the order they were made, even many per millisecond or when the clock steps
 * back. Thread-safe. Internal.
 */
public final class TaskIds {
  /** The length of every id. */
  public static final int LENGTH = 26;

  private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
  private static final byte[] VALUES = new byte[128];
  private static final long MAX_MILLIS = (1L << 48) - 1;

  static {
    java.util.Arrays.fill(VALUES, (byte) -1);
    for (int i = 0; i < ALPHABET.length; i++) {
      VALUES[ALPHABET[i]] = (byte) i;
    }
  }

  private long lastMillis = -1;
  private long high; // the top 16 bits of the 80-bit random part
  private long low; // its low 64 bits

  /** The next id, for a task made at {@code nowMillis}. */
  public synchronized String next(long nowMillis) {
    if (nowMillis > lastMillis) {
      lastMillis = Math.min(nowMillis, MAX_MILLIS);
      ThreadLocalRandom random = ThreadLocalRandom.current();
      // The top bit of the random part stays clear, so that increments cannot overflow it in practice.
      high = random.nextInt(1 << 15);
      low = random.nextLong();
    } else if (++low == 0 && ++high > 0xFFFF) {
      lastMillis++;
      high = 0;
    }
    return encode(lastMillis, high, low);
  }

  /** Makes sure the ids made from now on sort after {@code id} (the newest one of a store). */
  public synchronized void observe(String id) {
    if (!isId(id)) {
      return;
    }
    long millis = 0;
    for (int i = 0; i < 10; i++) {
      millis = (millis << 5) | VALUES[id.charAt(i)];
    }
    long hi = 0;
    long lo = 0;
    for (int i = 10; i < LENGTH; i++) {
      hi = (hi << 5) | (lo >>> 59);
      lo = (lo << 5) | VALUES[id.charAt(i)];
    }
    hi &= 0xFFFF;
    if (millis > lastMillis
        || (millis == lastMillis && (Long.compareUnsigned(hi, high) > 0
            || (hi == high && Long.compareUnsigned(lo, low) >= 0)))) {
      lastMillis = millis;
      high = hi;
      low = lo;
    }
  }

  /** Whether {@code text} has the form of an id made here. */
  public static boolean isId(String text) {
    if (text == null || text.length() != LENGTH || text.charAt(0) > '7') {
      return false;
    }
    for (int i = 0; i < LENGTH; i++) {
      char c = text.charAt(i);
      if (c >= 128 || VALUES[c] < 0) {
        return false;
      }
    }
    return true;
  }

  private static String encode(long millis, long high, long low) {
    char[] id = new char[LENGTH];
    for (int i = 9; i >= 0; i--) {
      id[i] = ALPHABET[(int) (millis & 31)];
      millis >>>= 5;
    }
    for (int i = LENGTH - 1; i >= 10; i--) {
      id[i] = ALPHABET[(int) (low & 31)];
      low = (low >>> 5) | ((high & 31) << 59);
      high >>>= 5;
    }
    return new String(id);
  }
}
