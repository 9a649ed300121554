package io.tes4j.engine;

import io.tes4j.api.BackendException;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.spi.Backend;
import io.tes4j.spi.Capabilities;
import io.tes4j.spi.TaskEvents;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A backend whose tasks run on its own threads: each reports RUNNING, its executor's start and end,
 * and its end (COMPLETE, or EXECUTOR_ERROR for one in ten), after random delays of up to {@code
 * maxDelayMicros}. A share ({@link #failRate}) of the starts and cancels throw, chosen by a seeded
 * random; a start throws a {@link BackendException} or, as a bug would, another exception. A cancel
 * that goes through ends the task CANCELED a moment later; its other reports may still come, as a
 * real backend's race its cancel. One task in {@link #slowEvery} runs {@link #slowMicros} instead, so
 * that a cancel can find it running.
 */
final class FlakyBackend implements Backend {
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final Random random;
  private final long maxDelayMicros;
  private final ScheduledThreadPoolExecutor threads;
  private final Map<String, TaskEvents> running = new ConcurrentHashMap<>();
  volatile double failRate;
  /** One task in this many runs {@link #slowMicros}; 0: none. */
  volatile int slowEvery;
  volatile long slowMicros;

  final AtomicLong starts = new AtomicLong();
  final AtomicLong failedStarts = new AtomicLong();
  final AtomicLong cancels = new AtomicLong();
  final AtomicLong failedCancels = new AtomicLong();
  /** What a report to the engine threw: it never should, whatever the store does. */
  final java.util.Queue<Throwable> reportFailures = new java.util.concurrent.ConcurrentLinkedQueue<>();

  FlakyBackend(long seed, double failRate, long maxDelayMicros) {
    this.random = new Random(seed);
    this.failRate = failRate;
    this.maxDelayMicros = maxDelayMicros;
    this.threads = new ScheduledThreadPoolExecutor(4, r -> {
      Thread thread = new Thread(r, "flaky-backend-" + THREADS.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  @Override
  public Capabilities capabilities() {
    return Capabilities.basic();
  }

  private boolean fails() {
    synchronized (random) {
      return random.nextDouble() < failRate;
    }
  }

  private long delay() {
    synchronized (random) {
      return maxDelayMicros == 0 ? 0 : random.nextLong(maxDelayMicros + 1);
    }
  }

  private boolean slow() {
    synchronized (random) {
      return slowEvery > 0 && random.nextInt(slowEvery) == 0;
    }
  }

  private int exitCode() {
    synchronized (random) {
      return random.nextInt(10) == 0 ? 3 : 0;
    }
  }

  @Override
  public String start(Task task, TaskEvents events) {
    starts.incrementAndGet();
    if (fails()) {
      failedStarts.incrementAndGet();
      if (starts.get() % 2 == 0) {
        throw new BackendException("injected: no capacity for task " + task.id());
      }
      throw new IllegalStateException("injected: a bug in start for task " + task.id());
    }
    String handle = "flaky-" + task.id();
    running.put(handle, events);
    int exit = exitCode();
    long runs = slow() ? slowMicros : delay();
    later(() -> {
      events.running();
      events.executorStarted(0, Instant.now());
      later(() -> {
        events.executorFinished(0, Instant.now(), exit, "out", exit == 0 ? "" : "boom");
        events.finished(exit == 0 ? State.COMPLETE : State.EXECUTOR_ERROR);
        running.remove(handle);
      }, runs);
    }, delay());
    return handle;
  }

  @Override
  public void cancel(String handle) {
    cancels.incrementAndGet();
    if (fails()) {
      failedCancels.incrementAndGet();
      throw new BackendException("injected: the cancel of " + handle + " was lost");
    }
    TaskEvents events = running.remove(handle);
    if (events != null) {
      later(() -> events.finished(State.CANCELED));
    }
  }

  /** Runs {@code report} on the backend's threads after a random delay, keeping what it throws. */
  private void later(Runnable report) {
    later(report, delay());
  }

  /** Runs {@code report} on the backend's threads after {@code micros}, keeping what it throws. */
  private void later(Runnable report, long micros) {
    threads.schedule(() -> {
      try {
        report.run();
      } catch (RuntimeException | Error e) {
        reportFailures.add(e);
      }
    }, micros, TimeUnit.MICROSECONDS);
  }

  @Override
  public boolean resume(String handle, Task task, TaskEvents events) {
    return false;
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }
}
