package io.tes4j.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.model.State;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link MemoryTaskStore}: the contract (the tests that reopen the store are skipped: it keeps
 * nothing across a process), then what is particular to it.
 */
class MemoryTaskStoreTest extends TaskStoreContract {

  @Override
  protected TaskStore newStore() {
    return new MemoryTaskStore();
  }

  @Test
  void duplicateAndMissingIdsAreRefusedWithPlainMessages() {
    store.insert(task("a", "x", Map.of()));

    assertThatThrownBy(() -> store.insert(task("a", "x", Map.of())))
        .isInstanceOf(IllegalStateException.class).hasMessage("a task with id a is already stored");
    assertThatThrownBy(() -> store.update(task("b", State.QUEUED)))
        .isInstanceOf(IllegalStateException.class).hasMessage("no task with id b is stored");
  }

  /** A new engine built on the same instance finds the tasks: how tests play a restart. */
  @Test
  void closeKeepsTheTasks() {
    store.insert(task(id(1), State.QUEUED));

    store.close();

    assertThat(store.get(id(1))).isPresent();
    assertThat(store).hasToString("MemoryTaskStore[1 tasks]");
  }
}
