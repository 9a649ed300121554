package io.tes4j.api.internal;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations written and read the way people write them: {@code 500ms}, {@code 30s}, {@code 10m}. */
public final class Durations {
  private static final Pattern HUMAN =
      Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?", Pattern.CASE_INSENSITIVE);

  private Durations() {}

  /** {@code 1h30m}, {@code 10m}, {@code 2.5s}, {@code 250ms}. */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    if (d.toMillis() < 1000) {
      return d.toMillis() + "ms";
    }
    long seconds = d.getSeconds();
    int millis = d.toMillisPart();
    StringBuilder out = new StringBuilder();
    if (seconds >= 3600) {
      out.append(seconds / 3600).append('h');
      seconds %= 3600;
    }
    if (seconds >= 60) {
      out.append(seconds / 60).append('m');
      seconds %= 60;
    }
    if (seconds > 0 || millis > 0) {
      out.append(seconds);
      if (millis > 0) {
        out.append(String.format(Locale.ROOT, ".%03d", millis).replaceAll("0+$", ""));
      }
      out.append('s');
    }
    return out.toString();
  }

  /**
   * Reads {@code 250ms}, {@code 30s}, {@code 10m}, {@code 2h}, {@code 1d}, a bare number of
   * seconds, or an ISO-8601 duration ({@code PT10M}).
   *
   * @throws IllegalArgumentException naming the text and the accepted forms
   */
  public static Duration parse(String text) {
    String t = text == null ? "" : text.strip();
    Matcher m = HUMAN.matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
      return switch (unit) {
        case "ms" -> Duration.ofMillis(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        default -> Duration.ofSeconds(n);
      };
    }
    try {
      return Duration.parse(t);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "invalid duration '" + text + "': use a number with ms, s, m, h or d (e.g. 30s, 10m), or ISO-8601 (PT10M)");
    }
  }
}
