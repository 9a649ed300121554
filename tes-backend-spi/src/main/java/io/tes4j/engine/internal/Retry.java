package io.tes4j.engine.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * How often, and how far apart, the engine tries again something that failed: a store write, or a
 * backend's cancel. The wait before retry {@code n} (1 for the first) is {@code backoff * 2^(n-1)},
 * at most {@code maxBackoff}. Internal.
 *
 * @param attempts how many times it is tried at most, the first one included (1: no retry)
 * @param backoff the wait before the first retry; zero retries at once
 * @param maxBackoff the longest wait: between two retries, and between two passes of the engine's
 *     re-writer of the tasks the store did not take
 */
public record Retry(int attempts, Duration backoff, Duration maxBackoff) {
  /** The most attempts allowed: more would hold a task's lock, or a backend's thread, too long. */
  public static final int MAX_ATTEMPTS = 100;

  /** A store write: 3 attempts, 50 ms then 100 ms apart; the re-writer waits at most 30 s between passes. */
  public static final Retry STORE_DEFAULT = new Retry(3, Duration.ofMillis(50), Duration.ofSeconds(30));

  /** A backend's cancel: 3 attempts, 1 s then 2 s apart. */
  public static final Retry CANCEL_DEFAULT = new Retry(3, Duration.ofSeconds(1), Duration.ofSeconds(30));

  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException naming the value at fault and what is allowed
   */
  public Retry {
    Objects.requireNonNull(backoff, "backoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (attempts < 1 || attempts > MAX_ATTEMPTS) {
      throw new IllegalArgumentException(
          "attempts must be from 1 (no retry) to " + MAX_ATTEMPTS + ", was " + attempts);
    }
    if (backoff.isNegative()) {
      throw new IllegalArgumentException("backoff must not be negative, was " + backoff);
    }
    if (maxBackoff.compareTo(backoff) < 0) {
      throw new IllegalArgumentException(
          "maxBackoff must not be shorter than backoff, was " + maxBackoff + " < " + backoff);
    }
  }

  /**
   * The wait before retry {@code retry}.
   *
   * @param retry 1 for the first retry
   * @return {@code backoff * 2^(retry-1)}, at most {@code maxBackoff}, in nanoseconds
   */
  public long delayNanos(int retry) {
    long first = nanos(backoff);
    long max = nanos(maxBackoff);
    if (first == 0) {
      return 0;
    }
    int doublings = Math.min(Math.max(retry - 1, 0), 62);
    long delay = first > (max >> doublings) ? max : first << doublings;
    return Math.min(delay, max);
  }

  /** The longest wait, in nanoseconds. */
  public long maxNanos() {
    return nanos(maxBackoff);
  }

  private static long nanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}
