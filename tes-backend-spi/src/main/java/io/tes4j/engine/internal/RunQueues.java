package io.tes4j.engine.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/** The queues of {@link BatchedStarts} and {@link BatchedReports}, and their drainers. Internal. */
final class RunQueues {
  /** At most so many tasks are written with one store call by a drainer. */
  static final int MAX_BATCH = 256;

  private RunQueues() {}

  /** Takes up to {@code max} runs off {@code queue}, oldest first. */
  static List<Run> take(Queue<Run> queue, int max) {
    List<Run> taken = new ArrayList<>();
    while (taken.size() < max) {
      Run run = queue.poll();
      if (run == null) {
        break;
      }
      taken.add(run);
    }
    return taken;
  }

  /**
   * The drainer found its queues empty: clears {@code draining}, and returns whether the drainer is
   * done. Not when a run was added after its last look and before the flag cleared (that run found
   * a drainer running and scheduled none): the drainer then takes the flag back and goes on, unless
   * a new drainer was scheduled for it meanwhile.
   */
  static boolean doneDraining(AtomicBoolean draining, Queue<?>... queues) {
    draining.set(false);
    for (Queue<?> queue : queues) {
      if (!queue.isEmpty()) {
        return !draining.compareAndSet(false, true);
      }
    }
    return true;
  }

  /**
   * Schedules {@code drain} on {@code thread} unless a drainer is scheduled or running already
   * ({@code draining} set); returns whether it scheduled one.
   *
   * @throws RuntimeException what {@code thread} threw when it refused the drainer; {@code
   *     draining} is then clear again
   */
  static boolean scheduleDrainer(AtomicBoolean draining, Executor thread, Runnable drain) {
    if (!draining.compareAndSet(false, true)) {
      return false;
    }
    try {
      thread.execute(drain);
    } catch (RuntimeException e) {
      draining.set(false);
      throw e;
    }
    return true;
  }
}
