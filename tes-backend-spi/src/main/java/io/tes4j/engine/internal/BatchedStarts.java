package io.tes4j.engine.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Starts admitted tasks in batches on one starter thread, for an engine on which nothing in a start
 * blocks: its store is in memory, and the backend's start has returned at once lately, as its
 * contract asks ({@link #isQuick}).
 *
 * <p>Why: waking a starter thread for every task cost more than the start itself (a futex wake-up,
 * a context switch, often a preemption of the thread that admitted the task, and the same again for
 * the backend's own thread). Here the first task after a quiet spell wakes the drainer at once;
 * while tasks keep coming, the drainer takes whatever waits once per {@link #PERIOD_NANOS}, woken by
 * its own timer, so a start waits at most that long and a burst costs one wake-up, not one per
 * task. The drainer gives its thread back after {@link #IDLE_PERIODS} periods without a task.
 *
 * <p>A start that turns out slow must not hold up the others: after one, what waits is handed back
 * (each task then gets a starter thread of its own, as when batching is off, until {@link
 * #QUICK_STREAK} starts in a row were quick again), and once the drainer has been inside one start
 * for longer than {@link #STUCK_NANOS}, the watchdog (and any {@link #add}) hands back what waits
 * behind it. Thread-safe. Internal.
 */
final class BatchedStarts {
  /** How long a task waits for the drainer at most while tasks keep coming: 1 ms. */
  static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  /** Quiet periods after which the drainer gives its thread back (100 ms). */
  static final int IDLE_PERIODS = 100;
  /** A backend's start that takes longer than this is slow: 1 ms. */
  static final long QUICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  /** How many quick starts in a row make the backend's starts quick again. */
  static final int QUICK_STREAK = 16;
  /** A drainer inside one start for longer than this is stuck: what waits is handed back. */
  static final long STUCK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final ConcurrentLinkedQueue<Run> waiting = new ConcurrentLinkedQueue<>();
  /** A drainer is scheduled or running; it takes every run added before it clears this. */
  private final AtomicBoolean draining = new AtomicBoolean();
  private final Executor thread;
  private final ScheduledExecutorService watchdog;
  private final Consumer<Run> start;
  private final Consumer<List<Run>> handBack;
  /**
   * Quick starts in a row, up to {@link #QUICK_STREAK}; 0 after a slow one. Updated by every thread
   * that starts tasks without a lock: a lost update only delays the switch by a start or two.
   */
  private volatile int quickStreak;
  /** When the drainer entered the start it is in ({@link System#nanoTime}), or 0. */
  private volatile long inStartSince;
  private volatile boolean stopped;

  /**
   * @param thread where the drainer runs (the engine's starter threads)
   * @param watchdog where the drainer is checked while it runs, every {@link #STUCK_NANOS} (the
   *     engine's thread)
   * @param start starts one run, and never throws
   * @param handBack gives each run a starter thread of its own (the engine's path when batching is
   *     off), and never throws
   */
  BatchedStarts(Executor thread, ScheduledExecutorService watchdog, Consumer<Run> start, Consumer<List<Run>> handBack) {
    this.thread = thread;
    this.watchdog = watchdog;
    this.start = start;
    this.handBack = handBack;
  }

  /** Whether the backend's last {@link #QUICK_STREAK} starts were quick, so batching pays. */
  boolean isQuick() {
    return quickStreak >= QUICK_STREAK;
  }

  /** Records how long a backend's start took, on whatever thread made it. */
  void took(long nanos) {
    int streak = quickStreak;
    if (nanos > QUICK_NANOS) {
      if (streak != 0) {
        quickStreak = 0;
      }
    } else if (streak < QUICK_STREAK) {
      quickStreak = streak + 1;
    }
  }

  /**
   * Queues {@code runs} for the drainer, and schedules it when none is running.
   *
   * @return the runs the caller must start another way: those waiting behind a stuck drainer;
   *     usually none
   * @throws java.util.concurrent.RejectedExecutionException when the drainer's thread refused it
   *     (the engine is closing, or its starter threads are all taken); the runs stay queued, for
   *     {@link #takeWaiting}
   */
  List<Run> add(List<Run> runs) {
    waiting.addAll(runs);
    if (draining.compareAndSet(false, true)) {
      try {
        thread.execute(this::drain);
      } catch (RuntimeException e) {
        draining.set(false);
        throw e;
      }
      return List.of();
    }
    return stuckHandBack();
  }

  /** Takes the runs waiting, which the caller starts another way. */
  List<Run> takeWaiting() {
    return poll();
  }

  /** Stops the drainer after the start it is in, and returns the runs it has not started. */
  List<Run> stop() {
    stopped = true;
    return poll();
  }

  private void drain() {
    ScheduledFuture<?> watch = null;
    try {
      watch = watchdog.scheduleWithFixedDelay(this::handBackIfStuck, STUCK_NANOS, STUCK_NANOS, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // The engine is closing: nothing will be started for long.
    }
    try {
      drainUntilQuiet();
    } catch (RuntimeException | Error e) {
      draining.set(false); // the next add schedules a new drainer
      throw e;
    } finally {
      if (watch != null) {
        watch.cancel(false);
      }
    }
  }

  private void drainUntilQuiet() {
    int quiet = 0;
    while (!stopped) {
      Run run = waiting.poll();
      if (run != null) {
        quiet = 0;
        if (!isQuick()) { // a start was slow: the rest get threads of their own
          List<Run> rest = new ArrayList<>();
          rest.add(run);
          rest.addAll(poll());
          handBack.accept(rest);
          continue;
        }
        inStartSince = System.nanoTime() | 1; // never 0
        try {
          start.accept(run);
        } finally {
          inStartSince = 0;
        }
        continue;
      }
      if (++quiet > IDLE_PERIODS) {
        draining.set(false);
        // A run added after the last poll and before the flag cleared found a drainer running:
        // take it, unless another drainer was scheduled for it meanwhile.
        if (waiting.isEmpty() || !draining.compareAndSet(false, true)) {
          return;
        }
        quiet = 0;
        continue;
      }
      LockSupport.parkNanos(this, PERIOD_NANOS);
      if (Thread.interrupted()) {
        draining.set(false);
        return; // the starter threads are shut down: the engine is closing
      }
    }
    draining.set(false);
  }

  /**
   * On the watchdog's thread, while the drainer runs: when it has been inside one start for longer
   * than {@link #STUCK_NANOS}, the tasks waiting behind it get threads of their own.
   */
  private void handBackIfStuck() {
    List<Run> left = stuckHandBack();
    if (!left.isEmpty()) {
      handBack.accept(left);
    }
  }

  /** The runs waiting, taken, when the drainer is stuck in a start; else none. */
  private List<Run> stuckHandBack() {
    long since = inStartSince;
    if (since != 0 && System.nanoTime() - since > STUCK_NANOS) {
      quickStreak = 0;
      return poll();
    }
    return List.of();
  }

  private List<Run> poll() {
    List<Run> batch = new ArrayList<>();
    for (Run run = waiting.poll(); run != null; run = waiting.poll()) {
      batch.add(run);
    }
    return batch;
  }
}
