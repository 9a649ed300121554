package io.tes4j.store;

import java.util.List;

/**
 * One page of a {@link TaskStore#list} answer.
 *
 * @param tasks the tasks, newest first
 * @param more whether tasks after the last one also match
 */
public record TaskPage(List<StoredTask> tasks, boolean more) {

  /** Copies the list. */
  public TaskPage {
    tasks = List.copyOf(tasks);
  }
}
