package io.tes4j.engine;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waits for what the engine does on its own threads, instead of sleeping a guessed time. */
final class Eventually {
  /** How long a condition may take on a slow, busy CI machine. */
  static final Duration WAIT = Duration.ofSeconds(30);

  private Eventually() {}

  /** Returns once {@code condition} holds; fails, naming {@code what}, after {@link #WAIT}. */
  static void eventually(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + WAIT + ": " + what);
      }
      try {
        TimeUnit.MILLISECONDS.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for: " + what, e);
      }
    }
  }
}
