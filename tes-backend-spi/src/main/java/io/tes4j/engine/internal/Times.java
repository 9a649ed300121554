package io.tes4j.engine.internal;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** RFC 3339 timestamps in UTC, to the millisecond: {@code 2026-11-22T10:15:30.123Z}. Internal. */
public final class Times {
  private static final DateTimeFormatter RFC_3339 =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);

  private Times() {}

  /** The last text made, with its millisecond: events of one millisecond share one string. */
  private static volatile Last last = new Last(Long.MIN_VALUE, "");

  private record Last(long millis, String text) {}

  /** {@code instant} as RFC 3339 in UTC, with milliseconds. */
  public static String format(Instant instant) {
    long millis = instant.getEpochSecond() * 1000 + instant.getNano() / 1_000_000;
    Last cached = last;
    if (cached.millis == millis) {
      return cached.text;
    }
    String text = write(instant);
    last = new Last(millis, text);
    return text;
  }

  private static String write(Instant instant) {
    long seconds = instant.getEpochSecond();
    long days = Math.floorDiv(seconds, 86_400);
    if (days < -719_468 || days > 2_932_896) { // outside years 0000 to 9999: let java.time write it
      return RFC_3339.format(instant);
    }
    int secondOfDay = Math.floorMod(seconds, 86_400);
    // Days to civil date (Howard Hinnant's algorithm), without the allocations of java.time.
    long z = days + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long dayOfEra = z - era * 146_097;
    long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
    long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    long mp = (5 * dayOfYear + 2) / 153;
    int day = (int) (dayOfYear - (153 * mp + 2) / 5 + 1);
    int month = (int) (mp < 10 ? mp + 3 : mp - 9);
    int year = (int) (yearOfEra + era * 400 + (month <= 2 ? 1 : 0));
    char[] text = new char[24];
    digits(text, 0, year, 4);
    text[4] = '-';
    digits(text, 5, month, 2);
    text[7] = '-';
    digits(text, 8, day, 2);
    text[10] = 'T';
    digits(text, 11, secondOfDay / 3600, 2);
    text[13] = ':';
    digits(text, 14, secondOfDay / 60 % 60, 2);
    text[16] = ':';
    digits(text, 17, secondOfDay % 60, 2);
    text[19] = '.';
    digits(text, 20, instant.getNano() / 1_000_000, 3);
    text[23] = 'Z';
    return new String(text);
  }

  private static void digits(char[] text, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      text[i] = (char) ('0' + value % 10);
      value /= 10;
    }
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
