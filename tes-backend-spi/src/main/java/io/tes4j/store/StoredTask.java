package io.tes4j.store;

import io.tes4j.model.Task;
import java.util.Objects;

/**
 * One task as the engine keeps it.
 *
 * @param task the whole task (FULL view): the document as submitted plus its id, state, creation
 *     time and logs
 * @param handle what the backend's {@code start} returned, or {@code null} before the task started
 */
public record StoredTask(Task task, String handle) {

  /** Checks that the task has an id and a state. */
  public StoredTask {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(task.id(), "task.id");
    Objects.requireNonNull(task.state(), "task.state");
  }

  /** The task's id. */
  public String id() {
    return task.id();
  }
}
