package io.tes4j.store;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** Checks of arguments that every store makes alike. Internal to this package. */
final class StoreChecks {
  private StoreChecks() {}

  /**
   * Checks that no id appears twice in {@code tasks}, as {@link TaskStore#updateAll} requires.
   *
   * @throws IllegalArgumentException naming the first id that appears twice
   */
  static void requireDistinctIds(List<StoredTask> tasks) {
    Set<String> seen = new HashSet<>();
    for (StoredTask task : tasks) {
      Objects.requireNonNull(task, "a task of tasks");
      if (!seen.add(task.id())) {
        throw new IllegalArgumentException("updateAll: the task " + task.id() + " appears twice; give each task once");
      }
    }
  }
}
