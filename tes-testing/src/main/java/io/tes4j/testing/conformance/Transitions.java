package io.tes4j.testing.conformance;

import io.tes4j.engine.TaskListener;
import io.tes4j.model.State;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The changes of state of every task of the kit's engines, as their listeners saw them; a test
 * waits here for a state, woken by the change (no polling).
 */
final class Transitions implements TaskListener {

  /** One change of state. */
  record Change(State from, State to) {
    @Override
    public String toString() {
      return from + "->" + to;
    }
  }

  private final Map<String, List<Change>> changes = new HashMap<>();

  @Override
  public synchronized void stateChanged(String taskId, State from, State to) {
    changes.computeIfAbsent(taskId, id -> new ArrayList<>()).add(new Change(from, to));
    notifyAll();
  }

  /** The changes of the task so far, in order. */
  synchronized List<Change> of(String taskId) {
    return List.copyOf(changes.getOrDefault(taskId, List.of()));
  }

  /** The states the task entered so far, in order. */
  synchronized List<State> statesOf(String taskId) {
    List<State> states = new ArrayList<>();
    for (Change change : changes.getOrDefault(taskId, List.of())) {
      states.add(change.to());
    }
    return states;
  }

  /**
   * Waits until the task has entered {@code state}; false when it ended in another state first,
   * or when {@code timeout} passed.
   */
  synchronized boolean await(String taskId, State state, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<Change> seen = changes.getOrDefault(taskId, List.of());
      for (Change change : seen) {
        if (change.to() == state) {
          return true;
        }
      }
      if (!seen.isEmpty() && seen.get(seen.size() - 1).to().isTerminal()) {
        return false;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }
}
