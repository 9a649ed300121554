package io.tes4j.api.internal;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations written and read the way people write them: {@code 500ms}, {@code 30s}, {@code 10m}. */
public final class Durations {
  private static final String NUMBER = "\\d+(?:\\.\\d+)?";
  private static final Pattern BARE_NUMBER = Pattern.compile(NUMBER);
  private static final Pattern PART =
      Pattern.compile("(" + NUMBER + ")\\s*(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);
  private static final Pattern COMPOUND =
      Pattern.compile("(?:" + NUMBER + "\\s*(?:ms|s|m|h|d)\\s*)+", Pattern.CASE_INSENSITIVE);

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
   * Reads what people write and what {@link #format} prints: {@code 250ms}, {@code 30s},
   * {@code 10m}, {@code 2h}, {@code 1d}, compounds such as {@code 1h30m}, decimals such as
   * {@code 2.5s}, a bare number of seconds, or an ISO-8601 duration ({@code PT10M}).
   *
   * @throws IllegalArgumentException naming the text and the accepted forms
   */
  public static Duration parse(String text) {
    String t = text == null ? "" : text.strip();
    if (BARE_NUMBER.matcher(t).matches()) {
      return ofUnit(new BigDecimal(t), "s");
    }
    if (COMPOUND.matcher(t).matches()) {
      Duration total = Duration.ZERO;
      Matcher part = PART.matcher(t);
      while (part.find()) {
        total = total.plus(ofUnit(new BigDecimal(part.group(1)), part.group(2).toLowerCase(Locale.ROOT)));
      }
      return total;
    }
    try {
      return Duration.parse(t);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "invalid duration '"
              + text
              + "': use numbers with ms, s, m, h or d (e.g. 30s, 10m, 1h30m), or ISO-8601 (PT10M)");
    }
  }

  private static Duration ofUnit(BigDecimal amount, String unit) {
    long nanosPerUnit =
        switch (unit) {
          case "ms" -> 1_000_000L;
          case "m" -> 60_000_000_000L;
          case "h" -> 3_600_000_000_000L;
          case "d" -> 86_400_000_000_000L;
          default -> 1_000_000_000L;
        };
    return Duration.ofNanos(amount.multiply(BigDecimal.valueOf(nanosPerUnit)).longValueExact());
  }
}
