package io.tes4j.backend.local.internal;

import java.nio.charset.StandardCharsets;

/**
 * Keeps the last {@code capacity} bytes written to it: the tail of an executor's stdout or
 * stderr for its executor log. Thread-safe.
 */
final class TailBuffer {
  private final byte[] ring;
  private long written; // total bytes ever written; guarded by this

  /** A buffer keeping the last {@code capacity} bytes. */
  TailBuffer(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive, was " + capacity);
    }
    this.ring = new byte[capacity];
  }

  /** Appends {@code length} bytes of {@code bytes} from {@code offset}. */
  synchronized void write(byte[] bytes, int offset, int length) {
    if (length >= ring.length) {
      // only the last ring.length bytes can stay
      int skip = length - ring.length;
      long start = written + skip;
      for (int i = 0; i < ring.length; i++) {
        ring[(int) ((start + i) % ring.length)] = bytes[offset + skip + i];
      }
    } else {
      for (int i = 0; i < length; i++) {
        ring[(int) ((written + i) % ring.length)] = bytes[offset + i];
      }
    }
    written += length;
  }

  /** How many bytes were written in all. */
  synchronized long written() {
    return written;
  }

  /**
   * The kept bytes as UTF-8 text. When earlier bytes were dropped, a character cut in two at the
   * start is dropped too (rather than shown as a replacement character).
   */
  synchronized String text() {
    int size = (int) Math.min(written, ring.length);
    byte[] tail = new byte[size];
    long start = written - size;
    for (int i = 0; i < size; i++) {
      tail[i] = ring[(int) ((start + i) % ring.length)];
    }
    int from = 0;
    if (written > ring.length) {
      // skip UTF-8 continuation bytes (10xxxxxx) left over from a character cut at the start
      while (from < size && from < 3 && (tail[from] & 0xC0) == 0x80) {
        from++;
      }
    }
    return new String(tail, from, size - from, StandardCharsets.UTF_8);
  }
}
