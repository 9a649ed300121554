package io.tes4j.backend.local;

import java.util.function.BooleanSupplier;

/** Waiting for something that happens in other processes, without asserting how long it takes. */
final class Waits {
  private Waits() {}

  /** Polls {@code condition} until it holds; fails after two minutes, so a broken test does not hang. */
  static void until(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("gave up waiting until " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting until " + what, e);
      }
    }
  }
}
