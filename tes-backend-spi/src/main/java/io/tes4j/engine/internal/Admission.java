package io.tes4j.engine.internal;

import io.tes4j.model.State;
import java.util.Comparator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;

/**
 * Which queued tasks may start: at most {@code maxRunning} admitted at once, and at most a given
 * number per tag limit (a tag key and value). Thread-safe. Internal.
 *
 * <p>Tasks wait in creation order, grouped by the set of tag limits they count against; each pass
 * admits, among the groups whose limits all have room, the oldest head, until {@code maxRunning} is
 * reached or no group can go. So a task held back by a tag limit never holds back a later task that
 * the limit does not concern, and order is kept among the tasks a limit holds back. Each admission
 * costs a look at every group, whatever the length of the queue.
 */
final class Admission {
  /** Ids sort in creation order. */
  private static final Comparator<Run> BY_ID = Comparator.comparing(run -> run.id);

  /** One tag limit and how many admitted tasks count against it. */
  private static final class Limit {
    final String key;
    final String value;
    final int max;
    int inUse;

    Limit(String key, String value, int max) {
      this.key = key;
      this.value = value;
      this.max = max;
    }
  }

  /** The waiting tasks that count against the same limits, oldest first. */
  private static final class Group {
    final long limits;
    final PriorityQueue<Run> waiting = new PriorityQueue<>(BY_ID);

    Group(long limits) {
      this.limits = limits;
    }
  }

  private final int maxRunning;
  private final Limit[] limits;
  private final BooleanSupplier paused;
  private final List<Group> groups = new ArrayList<>();
  private int admitted;

  /**
   * @param maxRunning at most this many admitted at once
   * @param tagLimits the tag limits, at most 64
   * @param paused while true, nothing is admitted (the store cannot record a start); it must take
   *     no lock
   */
  Admission(int maxRunning, List<TagLimit> tagLimits, BooleanSupplier paused) {
    this.paused = paused;
    if (tagLimits.size() > 64) {
      throw new IllegalArgumentException("at most 64 tag limits, not " + tagLimits.size());
    }
    this.maxRunning = maxRunning;
    this.limits = new Limit[tagLimits.size()];
    for (int i = 0; i < limits.length; i++) {
      TagLimit limit = tagLimits.get(i);
      limits[i] = new Limit(limit.key(), limit.value(), limit.max());
    }
  }

  /** The limits a task with these tags counts against, one bit per limit. */
  long limitsOf(Map<String, String> tags) {
    long bits = 0;
    if (tags.isEmpty()) {
      return bits;
    }
    for (int i = 0; i < limits.length; i++) {
      if (limits[i].value.equals(tags.get(limits[i].key))) {
        bits |= 1L << i;
      }
    }
    return bits;
  }

  /** Adds a QUEUED task to its group, in id (creation) order. */
  synchronized void enqueue(Run run) {
    group(run.limits).waiting.add(run);
  }

  /** {@link #enqueue}, then {@link #admit}, under one lock. */
  synchronized List<Run> enqueueAndAdmit(Run run) {
    enqueue(run);
    return admit();
  }

  /**
   * Admits a new task at once when nothing waits ahead of it and the limits have room (so order is
   * kept); returns whether it did. When not, the caller queues it ({@link #enqueueAndAdmit}).
   */
  synchronized boolean admitAlone(Run run) {
    if (admitted >= maxRunning || !hasRoom(run.limits) || paused.getAsBoolean() || waiting()) {
      return false;
    }
    take(run);
    return true;
  }

  /** Counts a task that is already running (re-attached after a restart) as admitted. */
  synchronized void admitted(Run run) {
    take(run);
  }

  /** Whether some task waits (perhaps one cancelled since, which a pass drops). */
  synchronized boolean waiting() {
    for (Group group : groups) {
      if (!group.waiting.isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Admits what the limits allow, in order; the caller starts the tasks returned. Admits nothing
   * while paused: whoever ends the pause calls this again.
   */
  synchronized List<Run> admit() {
    List<Run> admittedNow = List.of();
    if (paused.getAsBoolean()) {
      return admittedNow;
    }
    while (admitted < maxRunning) {
      Group best = null;
      Run bestHead = null;
      for (Group group : groups) {
        Run head = group.waiting.peek();
        while (head != null && head.state() != State.QUEUED) {
          group.waiting.poll(); // cancelled while waiting
          head = group.waiting.peek();
        }
        if (head != null && hasRoom(group.limits) && (bestHead == null || head.id.compareTo(bestHead.id) < 0)) {
          best = group;
          bestHead = head;
        }
      }
      if (best == null) {
        break;
      }
      best.waiting.poll();
      take(bestHead);
      if (admittedNow.isEmpty()) {
        admittedNow = new ArrayList<>(2);
      }
      admittedNow.add(bestHead);
    }
    return admittedNow;
  }

  /** How many tasks hold a slot now: admitted, and not released since. */
  synchronized int admittedCount() {
    return admitted;
  }

  /** Gives back what an admitted task took, once; returns whether some task waits. */
  synchronized boolean release(Run run) {
    if (run.admitted && !run.released) {
      run.released = true;
      admitted--;
      for (int i = 0; i < limits.length; i++) {
        if ((run.limits & (1L << i)) != 0) {
          limits[i].inUse--;
        }
      }
    }
    return waiting();
  }

  private void take(Run run) {
    run.admitted = true;
    admitted++;
    for (int i = 0; i < limits.length; i++) {
      if ((run.limits & (1L << i)) != 0) {
        limits[i].inUse++;
      }
    }
  }

  private boolean hasRoom(long bits) {
    for (int i = 0; bits != 0 && i < limits.length; i++) {
      if ((bits & (1L << i)) != 0 && limits[i].inUse >= limits[i].max) {
        return false;
      }
    }
    return true;
  }

  private Group group(long bits) {
    for (Group group : groups) {
      if (group.limits == bits) {
        return group;
      }
    }
    Group group = new Group(bits);
    groups.add(group);
    return group;
  }
}
