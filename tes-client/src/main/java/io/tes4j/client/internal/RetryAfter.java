package io.tes4j.client.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Reads a {@code Retry-After} header: a number of seconds, or an HTTP date (RFC 9110). Internal.
 */
public final class RetryAfter {
  private RetryAfter() {}

  /**
   * The delay {@code value} asks for: 0 for a date in the past, empty when it is neither a
   * non-negative number of seconds nor an HTTP date.
   */
  public static Optional<Duration> parse(String value, Clock clock) {
    String text = value.strip();
    if (!text.isEmpty() && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      // Very long numbers are capped rather than rejected: they still mean "much later".
      return Optional.of(
          text.length() > 12
              ? Duration.ofSeconds(999_999_999_999L)
              : Duration.ofSeconds(Long.parseLong(text)));
    }
    try {
      ZonedDateTime at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME);
      Duration delay = Duration.between(clock.instant(), at.toInstant());
      return Optional.of(delay.isNegative() ? Duration.ZERO : delay);
    } catch (DateTimeParseException notADate) {
      // Neither form: ignore the header and fall back on the usual back-off, as RFC 9110 allows.
      return Optional.empty();
    }
  }
}
