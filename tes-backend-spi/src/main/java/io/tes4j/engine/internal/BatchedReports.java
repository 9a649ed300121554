package io.tes4j.engine.internal;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

/**
 * Applies the backend's reports of many tasks together, on one reporter thread, for an engine whose
 * store is durable and which has no listener: the reports of every task waiting are applied with
 * one store write for all of them ({@code TaskStore.updateAll}, one sync), instead of a reporter
 * thread per task, each woken and then parked until its own commit.
 *
 * <p>The drainer takes every task waiting, applies their reports and writes them, and goes on while
 * tasks wait: under load, the reports that come during one write are the next batch, as in a group
 * commit, and no thread is woken for them. It gives its thread back as soon as nothing waits. A
 * task waits here at most once at a time (its own {@link Run} queues its reports meanwhile), and
 * each task's reports are applied in the order the backend made them. Thread-safe. Internal.
 */
final class BatchedReports {
  private final ConcurrentLinkedQueue<Run> waiting = new ConcurrentLinkedQueue<>();
  /** A drainer is scheduled or running; it takes every run added before it clears this. */
  private final AtomicBoolean draining = new AtomicBoolean();
  private final Executor thread;
  private final UnaryOperator<List<Run>> apply;

  /**
   * @param thread where the drainer runs (the engine's reporter threads)
   * @param apply applies the reports of the runs given, and returns those that may have more (they
   *     wait again); it never throws
   */
  BatchedReports(Executor thread, UnaryOperator<List<Run>> apply) {
    this.thread = thread;
    this.apply = apply;
  }

  /**
   * Queues a run whose reports wait, and schedules the drainer when none is running.
   *
   * @throws RejectedExecutionException when the drainer's thread refused it (the engine is
   *     closing); the runs waiting are then for {@link #takeWaiting}
   */
  void add(Run run) {
    waiting.add(run);
    RunQueues.scheduleDrainer(draining, thread, this::drain);
  }

  /** Takes the runs waiting, whose reports the caller applies another way (or drops). */
  List<Run> takeWaiting() {
    return RunQueues.take(waiting, Integer.MAX_VALUE);
  }

  private void drain() {
    try {
      while (true) {
        List<Run> batch = RunQueues.take(waiting, RunQueues.MAX_BATCH);
        if (!batch.isEmpty()) {
          waiting.addAll(apply.apply(batch));
        } else if (RunQueues.doneDraining(draining, waiting)) {
          return;
        }
      }
    } catch (RuntimeException | Error e) {
      draining.set(false); // the next add schedules a new drainer
      throw e;
    }
  }
}
