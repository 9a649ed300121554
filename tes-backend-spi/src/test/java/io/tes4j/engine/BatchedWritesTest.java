package io.tes4j.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.model.State;
import io.tes4j.model.View;
import io.tes4j.store.StoredTask;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How the engine writes a store that may block (a durable one) when it has no listener and runs on
 * its own threads: the starts of a burst are stored INITIALIZING in groups, one store call for
 * many tasks (one sync for a durable store), each before its task reaches the backend; and the
 * backend's reports of many tasks are written together too. With a listener, each task keeps its
 * own writes.
 */
class BatchedWritesTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  /** More than the starts in a row after which the engine batches them. */
  private static final int WARM_UP = 40;

  /** A store that does not say it is in memory, so the engine treats it as one that may block. */
  private static final class CountingStore extends ForwardingTaskStore {
    /** The tasks of each updateAll call, in order. */
    final List<List<StoredTask>> groups = new CopyOnWriteArrayList<>();
    /** When set, a write of an ended task waits for it: the reports made meanwhile pile up. */
    volatile CountDownLatch holdEnds;

    @Override
    public void update(StoredTask task) {
      holdIfEnded(List.of(task));
      super.update(task);
    }

    @Override
    public Map<String, RuntimeException> updateAll(List<StoredTask> tasks) {
      groups.add(List.copyOf(tasks));
      holdIfEnded(tasks);
      return super.updateAll(tasks);
    }

    private void holdIfEnded(List<StoredTask> tasks) {
      CountDownLatch hold = holdEnds;
      if (hold != null && tasks.stream().anyMatch(t -> t.task().state().isTerminal())) {
        try {
          assertThat(hold.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }

    /** The largest group written whose tasks are all in {@code state}. */
    int largestGroup(State state) {
      return groups.stream()
          .filter(group -> group.stream().allMatch(t -> t.task().state() == state))
          .mapToInt(List::size)
          .max()
          .orElse(0);
    }
  }

  private final CountingStore store = new CountingStore();
  private final FakeBackend backend = new FakeBackend();
  /** The state the store held for each task when the backend was asked to start it. */
  private final Map<String, State> storedAtStart = new ConcurrentHashMap<>();

  BatchedWritesTest() {
    backend.duringStart = (task, events) ->
        storedAtStart.put(task.id(), store.delegate.get(task.id()).orElseThrow().task().state());
  }

  @AfterEach
  void release() {
    CountDownLatch hold = store.holdEnds;
    if (hold != null) {
      hold.countDown();
    }
  }

  @Test
  void aBurstIsStoredInitializingInGroupsEachBeforeItsStart() {
    int burst = 300;
    try (TesEngine engine = TesEngine.builder().backend(backend).store(store).maxRunning(10_000).build()) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < WARM_UP; i++) { // starts one after the other, so that the engine finds them quick
        String id = engine.createTask(Tasks.named("warm-up " + i));
        backend.awaitStarted(i + 1);
        ids.add(id);
      }
      // A start slower than 1 ms (a busy machine, a GC pause) stops the batching until 16 starts in
      // a row were quick again: a few bursts give it the chance to resume.
      for (int round = 0; round < 5 && store.largestGroup(State.INITIALIZING) < 2; round++) {
        for (int i = 0; i < burst; i++) {
          ids.add(engine.createTask(Tasks.named("burst " + round + "." + i)));
        }
        backend.awaitStarted(ids.size());
      }

      assertThat(store.largestGroup(State.INITIALIZING)).as("tasks stored INITIALIZING by one store call")
          .isGreaterThan(1);
      // A task reaches the backend only once its INITIALIZING is stored: a restarted engine never
      // starts it twice.
      assertThat(storedAtStart).hasSize(ids.size());
      assertThat(storedAtStart.values()).containsOnly(State.INITIALIZING);

      // The backend reports the end of every task from one thread while the first end is being
      // written: the others wait, and are written together.
      store.holdEnds = new CountDownLatch(1);
      for (String id : ids) {
        backend.complete(id);
      }
      store.holdEnds.countDown();
      for (String id : ids) {
        assertThat(engine.await(id, WAIT).state()).isEqualTo(State.COMPLETE);
        assertThat(store.delegate.get(id).orElseThrow().task()).isEqualTo(engine.getTask(id, View.FULL));
      }
      assertThat(store.largestGroup(State.COMPLETE)).as("ended tasks written by one store call").isGreaterThan(1);
      assertThat(engine.core().admittedCount()).isZero();
      assertThat(engine.core().unfinishedCount()).isZero();
    }
  }

  @Test
  void withAListenerEachTaskIsWrittenOnItsOwn() {
    List<State> told = new CopyOnWriteArrayList<>();
    try (TesEngine engine = TesEngine.builder().backend(backend).store(store).maxRunning(10_000)
        .listener((id, from, to) -> told.add(to))
        .build()) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < WARM_UP + 100; i++) {
        ids.add(engine.createTask(Tasks.named("task " + i)));
      }
      backend.awaitStarted(ids.size());
      for (String id : ids) {
        backend.complete(id);
      }
      for (String id : ids) {
        assertThat(engine.await(id, WAIT).state()).isEqualTo(State.COMPLETE);
      }
      assertThat(store.groups).as("store calls for several tasks").isEmpty();
      assertThat(storedAtStart.values()).containsOnly(State.INITIALIZING);
    }
  }
}
