package io.tes4j.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link TesHttpClient} repeats a call that failed in a way that may pass on a second try.
 *
 * <p>What is retried:
 *
 * <ul>
 *   <li>GetServiceInfo, GetTask, ListTasks and CancelTask are idempotent, so they are retried after
 *       a connection failure (refused, connect timeout, broken mid-answer), after a request
 *       timeout, and after the answers 429, 502, 503 and 504.
 *   <li>CreateTask is <b>not</b> idempotent: a second POST may create a second task. It is retried
 *       only when the request certainly did not reach the server (connection refused, connect
 *       timeout) or when the server answered 429 or 503, which say it refused to process the
 *       request. It is never retried after a request timeout, a 502 or 504, or a connection that
 *       broke after the request was sent, because the task may have been created.
 *   <li>Nothing else is retried: not 500 (a server bug will not go away by asking again, and the
 *       TES spec gives no reason to think it would), not other 4xx answers.
 * </ul>
 *
 * <p>The delay before retry {@code n} (1 for the first retry) is {@code initialDelay * 2^(n-1)}, at
 * most {@code maxDelay}, shortened by a random part of up to {@code jitterFactor} of itself so that
 * many clients do not retry in step. A {@code Retry-After} header on a 429 or 503 answer (in
 * seconds or as an HTTP date) replaces that delay, capped at {@code maxDelay} so that a server
 * cannot stall a call for long.
 *
 * @param maxAttempts how many times a call is sent at most, the first one included (1: no retry)
 * @param initialDelay the delay before the first retry
 * @param maxDelay the longest delay between two attempts, and the cap on {@code Retry-After}
 * @param jitterFactor the share of each delay that is random, 0 (none) to 1
 */
public record RetrySettings(
    int maxAttempts, Duration initialDelay, Duration maxDelay, double jitterFactor) {

  /** The most attempts allowed: more would hide an outage behind a very long call. */
  public static final int MAX_ATTEMPTS = 100;

  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException naming the value at fault and what is allowed
   * @throws NullPointerException when a delay is {@code null}
   */
  public RetrySettings {
    Objects.requireNonNull(initialDelay, "initialDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS) {
      throw new IllegalArgumentException(
          "maxAttempts must be between 1 (no retry) and " + MAX_ATTEMPTS + ", was " + maxAttempts);
    }
    if (initialDelay.isNegative()) {
      throw new IllegalArgumentException("initialDelay must not be negative, was " + initialDelay);
    }
    if (maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException(
          "maxDelay must not be shorter than initialDelay, was " + maxDelay + " < " + initialDelay);
    }
    if (!(jitterFactor >= 0.0 && jitterFactor <= 1.0)) { // also rejects NaN
      throw new IllegalArgumentException(
          "jitterFactor must be between 0 and 1, was " + jitterFactor);
    }
  }

  /** 4 attempts, 200 ms before the first retry, at most 10 s between attempts, 50 % jitter. */
  public static RetrySettings defaults() {
    return new RetrySettings(4, Duration.ofMillis(200), Duration.ofSeconds(10), 0.5);
  }

  /** One attempt: every failure reaches the caller at once. */
  public static RetrySettings none() {
    return new RetrySettings(1, Duration.ZERO, Duration.ZERO, 0.0);
  }

  /** These settings with another number of attempts. */
  public RetrySettings withMaxAttempts(int maxAttempts) {
    return new RetrySettings(maxAttempts, initialDelay, maxDelay, jitterFactor);
  }
}
