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

/**
 * Starts admitted tasks in batches on one starter thread, while the backend's start has returned at
 * once lately, as its contract asks ({@link #isQuick}): each batch is moved to INITIALIZING with
 * one store write (one sync for a durable store, instead of one per task), then each task of it is
 * launched on the backend. Tasks stored INITIALIZING already when they were created ({@link
 * #addInitialized}) are only launched.
 *
 * <p>Why: waking a starter thread for every task cost more than the start itself (a futex wake-up,
 * a context switch, often a preemption of the thread that admitted the task, and the same again for
 * the backend's own thread), and with a durable store each starter thread also waited for its own
 * commit. Here the first task after a quiet spell wakes the drainer at once; while tasks keep
 * coming, the drainer takes whatever waits once per {@link #PERIOD_NANOS}, woken by its own timer,
 * so a start waits at most that long (plus the batch's store write) and a burst costs one wake-up,
 * not one per task. The drainer gives its thread back after {@link #IDLE_PERIODS} periods without a
 * task.
 *
 * <p>A start that turns out slow must not hold up the others: after one, what waits is handed back
 * (each task then gets a starter thread of its own, as when batching is off, until {@link
 * #QUICK_STREAK} starts in a row were quick again; the tasks of the batch already INITIALIZING each
 * get a thread to be launched on), and once the drainer has been inside one start for longer than
 * {@link #STUCK_NANOS}, the watchdog (and any {@link #add}) hands back what waits behind it.
 * Thread-safe. Internal.
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

  /** The steps of a start, as the engine makes them. None of them throws. */
  interface Starter {
    /**
     * Moves the runs to INITIALIZING with one store write; returns those to launch (the others were
     * cancelled meanwhile, or could not be stored, and were dealt with).
     */
    List<Run> initialize(List<Run> runs);

    /** Starts one INITIALIZING run on the backend. */
    void launch(Run run);

    /** Gives each run a starter thread of its own, to be initialized and launched there. */
    void startEach(List<Run> runs);

    /** Gives each INITIALIZING run a starter thread of its own, to be launched there. */
    void launchEach(List<Run> runs);
  }

  private final ConcurrentLinkedQueue<Run> waiting = new ConcurrentLinkedQueue<>();
  /** Runs of the drainer's batch that are INITIALIZING and wait for their launch. */
  private final ConcurrentLinkedQueue<Run> initialized = new ConcurrentLinkedQueue<>();
  /** A drainer is scheduled or running; it takes every run added before it clears this. */
  private final AtomicBoolean draining = new AtomicBoolean();
  private final Executor thread;
  private final ScheduledExecutorService watchdog;
  private final Starter starter;
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
   * @param starter the steps of a start
   */
  BatchedStarts(Executor thread, ScheduledExecutorService watchdog, Starter starter) {
    this.thread = thread;
    this.watchdog = watchdog;
    this.starter = starter;
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
    return RunQueues.scheduleDrainer(draining, thread, this::drain) ? List.of() : stuckHandBack();
  }

  /**
   * Queues a run stored INITIALIZING already (when it was created) for the drainer to launch, and
   * schedules the drainer when none is running.
   *
   * @return the runs the caller must start another way, as {@link #add} returns them
   * @throws java.util.concurrent.RejectedExecutionException as {@link #add}; the run stays queued,
   *     for {@link #takeInitialized}
   */
  List<Run> addInitialized(Run run) {
    initialized.add(run);
    return RunQueues.scheduleDrainer(draining, thread, this::drain) ? List.of() : stuckHandBack();
  }

  /** Takes the INITIALIZING runs waiting for their launch, which the caller launches another way. */
  List<Run> takeInitialized() {
    return RunQueues.take(initialized, Integer.MAX_VALUE);
  }

  /** Takes the runs waiting, which the caller starts another way. */
  List<Run> takeWaiting() {
    return poll();
  }

  /**
   * Stops the drainer once it has launched its batch, and returns the runs it has not taken (still
   * QUEUED).
   */
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
      List<Run> batch = RunQueues.take(waiting, RunQueues.MAX_BATCH);
      if (!batch.isEmpty()) {
        quiet = 0;
        if (!isQuick()) { // a start was slow: the rest get threads of their own
          batch.addAll(poll());
          starter.startEach(batch);
          continue;
        }
        initialized.addAll(starter.initialize(batch));
        launchInitialized();
        continue;
      }
      if (!initialized.isEmpty()) { // stored INITIALIZING when they were created
        quiet = 0;
        launchInitialized();
        continue;
      }
      if (++quiet > IDLE_PERIODS) {
        if (RunQueues.doneDraining(draining, waiting, initialized)) {
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
   * Launches the batch's INITIALIZING runs one after the other; after a slow launch, the rest each
   * get a thread of their own.
   */
  private void launchInitialized() {
    for (Run run = initialized.poll(); run != null; run = initialized.poll()) {
      if (!isQuick()) {
        List<Run> rest = new ArrayList<>();
        rest.add(run);
        rest.addAll(RunQueues.take(initialized, Integer.MAX_VALUE));
        starter.launchEach(rest);
        return;
      }
      inStartSince = System.nanoTime() | 1; // never 0
      try {
        starter.launch(run);
      } finally {
        inStartSince = 0;
      }
    }
  }

  /**
   * On the watchdog's thread, while the drainer runs: when it has been inside one start for longer
   * than {@link #STUCK_NANOS}, the tasks waiting behind it get threads of their own.
   */
  private void handBackIfStuck() {
    List<Run> left = stuckHandBack();
    if (!left.isEmpty()) {
      starter.startEach(left);
    }
  }

  /**
   * When the drainer is stuck in a start: hands the batch's INITIALIZING runs to threads of their
   * own, and returns the runs waiting, taken; else returns none.
   */
  private List<Run> stuckHandBack() {
    long since = inStartSince;
    if (since != 0 && System.nanoTime() - since > STUCK_NANOS) {
      quickStreak = 0;
      List<Run> launches = RunQueues.take(initialized, Integer.MAX_VALUE);
      if (!launches.isEmpty()) {
        starter.launchEach(launches);
      }
      return poll();
    }
    return List.of();
  }

  /** Takes every run waiting. */
  private List<Run> poll() {
    return RunQueues.take(waiting, Integer.MAX_VALUE);
  }
}
