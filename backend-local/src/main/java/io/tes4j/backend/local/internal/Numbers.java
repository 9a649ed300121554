package io.tes4j.backend.local.internal;

import java.math.BigDecimal;

/** Numbers for command lines and messages. */
final class Numbers {
  private Numbers() {}

  /** {@code 2} for 2.0, {@code 0.5} for 0.5: no exponent, no trailing zeros. */
  static String plain(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }

  /** {@code ram_gb} in bytes, a GB being 2^30 bytes (the reading that never gives less memory). */
  static long bytes(double gigabytes) {
    return Math.round(gigabytes * 1024 * 1024 * 1024);
  }
}
