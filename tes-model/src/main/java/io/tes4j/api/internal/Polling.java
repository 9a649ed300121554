package io.tes4j.api.internal;

import io.tes4j.api.TesAsyncClient;
import io.tes4j.api.TesClient;
import io.tes4j.api.TesClientException;
import io.tes4j.api.TesTimeoutException;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Waiting for a task by polling its MINIMAL view with a growing delay, then fetching it FULL.
 * Blocking and non-blocking forms share the schedule. Internal.
 */
public final class Polling {
  static final long FIRST_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  static final long MAX_DELAY_NANOS = TimeUnit.SECONDS.toNanos(5);

  private Polling() {}

  /** The delay after {@code previous} (0 for the first poll): x1.5, at most 5 s. */
  static long nextDelay(long previousNanos) {
    return previousNanos == 0
        ? FIRST_DELAY_NANOS
        : Math.min(MAX_DELAY_NANOS, previousNanos + previousNanos / 2);
  }

  private static void checkTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
    }
  }

  private static long deadline(Duration timeout) {
    long now = System.nanoTime();
    try {
      return Math.addExact(now, timeout.toNanos());
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private static TesTimeoutException timedOut(String id, Duration timeout, State last) {
    return new TesTimeoutException(
        "task " + id + " did not end within " + Durations.format(timeout) + "; it was " + last);
  }

  /** Blocks until {@code id} is terminal. */
  public static Task await(TesClient client, String id, Duration timeout) {
    Objects.requireNonNull(id, "id");
    checkTimeout(timeout);
    long deadline = deadline(timeout);
    long delay = 0;
    while (true) {
      State state = client.getTask(id, View.MINIMAL).stateOrUnknown();
      if (state.isTerminal()) {
        return client.getTask(id, View.FULL);
      }
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        throw timedOut(id, timeout, state);
      }
      delay = nextDelay(delay);
      try {
        TimeUnit.NANOSECONDS.sleep(Math.min(delay, remaining));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TesClientException("interrupted while waiting for task " + id, e);
      }
    }
  }

  /**
   * Completes when {@code id} is terminal, without holding a thread between polls: each poll is
   * scheduled on {@code executor} after its delay. Cancelling the result stops the polling.
   */
  public static CompletableFuture<Task> awaitAsync(
      TesAsyncClient client, String id, Duration timeout, Executor executor) {
    Objects.requireNonNull(id, "id");
    checkTimeout(timeout);
    CompletableFuture<Task> result = new CompletableFuture<>();
    poll(client, id, timeout, deadline(timeout), 0, executor, result);
    return result;
  }

  private static void poll(
      TesAsyncClient client,
      String id,
      Duration timeout,
      long deadline,
      long delay,
      Executor executor,
      CompletableFuture<Task> result) {
    if (result.isDone()) {
      return; // cancelled or completed by the caller: stop polling
    }
    client
        .getTask(id, View.MINIMAL)
        .whenComplete(
            (task, error) -> {
              if (result.isDone()) {
                return;
              }
              if (error != null) {
                result.completeExceptionally(unwrap(error));
                return;
              }
              State state = task.stateOrUnknown();
              if (state.isTerminal()) {
                client
                    .getTask(id, View.FULL)
                    .whenComplete(
                        (full, fullError) -> {
                          if (fullError != null) {
                            result.completeExceptionally(unwrap(fullError));
                          } else {
                            result.complete(full);
                          }
                        });
                return;
              }
              long remaining = deadline - System.nanoTime();
              if (remaining <= 0) {
                result.completeExceptionally(timedOut(id, timeout, state));
                return;
              }
              long nextDelay = nextDelay(delay);
              Executor later =
                  CompletableFuture.delayedExecutor(
                      Math.min(nextDelay, remaining), TimeUnit.NANOSECONDS, executor);
              later.execute(
                  () -> poll(client, id, timeout, deadline, nextDelay, executor, result));
            });
  }

  /** The exception inside a {@link CompletionException}. */
  public static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
