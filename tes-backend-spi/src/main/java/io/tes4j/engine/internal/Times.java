package io.tes4j.engine.internal;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** RFC 3339 timestamps in UTC, to the millisecond: {@code 2026-11-22T10:15:30.123Z}. Internal. */
public final class Times {
  private static final DateTimeFormatter RFC_3339 =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);

  private Times() {}

  /** {@code instant} as RFC 3339 in UTC, with milliseconds. */
  public static String format(Instant instant) {
    return RFC_3339.format(instant);
  }

  /** A duration in words a person reads at once: {@code 250 ms}, {@code 10 s}, {@code 2 min}. */
  public static String format(java.time.Duration duration) {
    long millis;
    try {
      millis = duration.toMillis();
    } catch (ArithmeticException e) {
      return duration.toString();
    }
    if (millis < 1000) {
      return millis + " ms";
    }
    if (millis % 60_000 == 0) {
      return millis / 60_000 + " min";
    }
    if (millis % 1000 == 0) {
      return millis / 1000 + " s";
    }
    return millis / 1000.0 + " s";
  }
}
