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

  @Test
  void aBoundedStoreDropsTheTasksThatEndedFirstAndKeepsEveryUnfinishedOne() {
    MemoryTaskStore bounded = new MemoryTaskStore(2);
    for (int i = 1; i <= 5; i++) {
      bounded.insert(task(id(i), State.QUEUED));
    }
    for (int i : new int[] {2, 1, 4}) {
      bounded.update(task(id(i), State.COMPLETE));
    }
    // Three ended, two kept: task 2, which ended first, is gone, as if it never was.
    assertThat(bounded.get(id(2))).isEmpty();
    assertThat(bounded.get(id(1))).isPresent();
    assertThat(bounded.get(id(4))).isPresent();
    assertThat(bounded.count()).isEqualTo(4);
    assertThat(bounded.droppedCount()).isEqualTo(1);
    assertThatThrownBy(() -> bounded.update(task(id(2), State.COMPLETE)))
        .isInstanceOf(IllegalStateException.class).hasMessage("no task with id " + id(2) + " is stored");

    // A task running again leaves the count of ended ones; an ended task inserted joins it.
    bounded.update(task(id(1), State.RUNNING));
    bounded.insert(task(id(6), State.SYSTEM_ERROR));
    assertThat(bounded.get(id(4))).isPresent();
    assertThat(bounded.get(id(6))).isPresent();
    bounded.update(task(id(5), State.CANCELED));
    assertThat(bounded.get(id(4))).as("ended before 6 and 5").isEmpty();
    assertThat(bounded.droppedCount()).isEqualTo(2);

    // Unfinished tasks are never dropped, however many end.
    for (int i = 7; i <= 20; i++) {
      bounded.insert(task(id(i), State.EXECUTOR_ERROR));
    }
    assertThat(bounded.list(new TaskQuery(null, null, Map.of(), null, 100)).tasks())
        .extracting(StoredTask::id).containsExactly(id(20), id(19), id(3), id(1));
    assertThat(bounded.unfinished()).extracting(StoredTask::id).containsExactly(id(1), id(3));
    assertThat(bounded).hasToString("MemoryTaskStore[4 tasks, keeping 2 ended, 16 dropped]");
  }

  @Test
  void tasksEndingOnManyThreadsLeaveExactlyTheBoundOfEndedTasks() throws Exception {
    MemoryTaskStore bounded = new MemoryTaskStore(100);
    int threads = 8;
    int each = 2_000;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int first = t * each;
        done.add(pool.submit(() -> {
          for (int i = first; i < first + each; i++) {
            bounded.insert(task(id(i), State.QUEUED));
            if (i % 10 != 0) { // one in ten stays unfinished
              bounded.update(task(id(i), State.COMPLETE));
            }
          }
        }));
      }
      for (java.util.concurrent.Future<?> future : done) {
        future.get(1, java.util.concurrent.TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    int unfinished = threads * each / 10;
    assertThat(bounded.unfinished()).hasSize(unfinished);
    assertThat(bounded.count()).isEqualTo(unfinished + 100);
    assertThat(bounded.droppedCount()).isEqualTo(threads * each - unfinished - 100);
  }

  @Test
  void aBoundKeepsAtLeastOneEndedTask() {
    assertThatThrownBy(() -> new MemoryTaskStore(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("keepEnded must be at least 1, was 0");
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
