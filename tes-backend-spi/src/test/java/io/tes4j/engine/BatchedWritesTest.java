package io.tes4j.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.model.State;
import io.tes4j.model.View;
import io.tes4j.store.StoredTask;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How the engine writes a store that may block (a durable one) when it has no listener and runs on
 * its own threads: a task that starts at once is inserted INITIALIZING; tasks admitted together are
 * stored INITIALIZING in groups, one store call for many tasks (one sync for a durable store), each
 * before its task reaches the backend; and the backend's reports of many tasks are written together
 * too. With a listener, each task keeps its own writes.
 */
class BatchedWritesTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  /** More than the starts in a row after which the engine batches them. */
  private static final int WARM_UP = 40;

  /** A store that does not say it is in memory, so the engine treats it as one that may block. */
  private static final class CountingStore extends ForwardingTaskStore {
    /** The tasks of each updateAll call, in order. */
    final List<List<StoredTask>> groups = new CopyOnWriteArrayList<>();
    /** The state each task was inserted in. */
    final Map<String, State> inserted = new ConcurrentHashMap<>();
    /** The state of each write (insert, update) of each task, in order. */
    final Map<String, List<State>> writes = new ConcurrentHashMap<>();
    /** When set, a write of an ended task waits for it: the reports made meanwhile pile up. */
    volatile CountDownLatch holdEnds;

    @Override
    public void insert(StoredTask task) {
      super.insert(task);
      inserted.put(task.id(), task.task().state());
      counted(task);
    }

    @Override
    public void update(StoredTask task) {
      holdIfEnded(List.of(task));
      super.update(task);
      counted(task);
    }

    @Override
    public Map<String, RuntimeException> updateAll(List<StoredTask> tasks) {
      groups.add(List.copyOf(tasks));
      holdIfEnded(tasks);
      Map<String, RuntimeException> failures = super.updateAll(tasks);
      tasks.forEach(this::counted);
      return failures;
    }

    private void counted(StoredTask task) {
      writes.computeIfAbsent(task.id(), id -> new CopyOnWriteArrayList<>()).add(task.task().state());
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

  /**
   * Once starts are quick, a new task that finds a free slot and no task waiting ahead of it is
   * stored INITIALIZING by its insert: one durable write fewer per task.
   */
  @Test
  void aTaskThatStartsAtOnceIsStoredInitializingByItsInsert() {
    try (TesEngine engine = TesEngine.builder().backend(backend).store(store).maxRunning(10_000).build()) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < WARM_UP; i++) { // starts one after the other, so that the engine finds them quick
        ids.add(engine.createTask(Tasks.named("warm-up " + i)));
        backend.awaitStarted(ids.size());
      }
      // A start slower than 1 ms (a busy machine, a GC pause) stops the batching until 16 starts in
      // a row were quick again: a few tries give it the chance to resume.
      String quick = null;
      for (int i = 0; i < 200 && quick == null; i++) {
        String id = engine.createTask(Tasks.named("quick " + i));
        ids.add(id);
        backend.awaitStarted(ids.size());
        if (store.inserted.get(id) == State.INITIALIZING) {
          quick = id;
        }
      }
      assertThat(quick).as("a task inserted INITIALIZING").isNotNull();
      assertThat(storedAtStart.get(quick)).isEqualTo(State.INITIALIZING);
      assertThat(store.inserted.values()).containsOnly(State.QUEUED, State.INITIALIZING);

      backend.complete(quick);
      assertThat(engine.await(quick, WAIT).state()).isEqualTo(State.COMPLETE);
      assertThat(engine.getTask(quick, View.FULL).logs().get(0).startTime()).as("its start time").isNotNull();
      assertThat(store.delegate.get(quick).orElseThrow().task()).isEqualTo(engine.getTask(quick, View.FULL));
      // INITIALIZING has no write of its own: the insert stored it.
      assertThat(store.writes.get(quick)).startsWith(State.INITIALIZING).doesNotContain(State.QUEUED)
          .endsWith(State.COMPLETE);
      for (String id : ids) {
        backend.complete(id);
      }
      for (String id : ids) {
        assertThat(engine.await(id, WAIT).state()).isEqualTo(State.COMPLETE);
      }
      assertThat(engine.core().admittedCount()).isZero();
    }
  }

  /**
   * Tasks that waited for a slot are admitted together as ended tasks free theirs: they are stored
   * INITIALIZING in groups, one store call for many (one sync for a durable store), each before its
   * task reaches the backend; and the backend's reports of many tasks are written together too.
   */
  @Test
  void startsThatWaitedAreStoredInitializingInGroupsEachBeforeItsStart() throws InterruptedException {
    int slots = 50;
    try (TesEngine engine = TesEngine.builder().backend(backend).store(store).maxRunning(slots).build()) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < WARM_UP; i++) { // starts one after the other, so that the engine finds them quick
        String id = engine.createTask(Tasks.named("warm-up " + i));
        backend.awaitStarted(ids.size() + 1);
        backend.complete(id);
        ids.add(id);
      }
      // The slots are full, 250 tasks wait; the test ends the running tasks from this thread, and the
      // engine admits those waiting as the ends free the slots. A start slower than 1 ms stops the
      // batching for a while: a few rounds give it the chance to resume.
      for (int round = 0; round < 5 && store.largestGroup(State.INITIALIZING) < 2; round++) {
        List<String> batch = new ArrayList<>();
        for (int i = 0; i < slots + 250; i++) {
          batch.add(engine.createTask(Tasks.named("round " + round + "." + i)));
        }
        ids.addAll(batch);
        Set<String> waiting = new HashSet<>(batch);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!waiting.isEmpty()) {
          assertThat(System.nanoTime() - deadline).as("every task of the round started").isNegative();
          for (String id : backend.startedIds) {
            if (waiting.remove(id)) {
              backend.complete(id);
            }
          }
          Thread.sleep(1);
        }
      }

      assertThat(store.largestGroup(State.INITIALIZING)).as("tasks stored INITIALIZING by one store call")
          .isGreaterThan(1);
      // A task reaches the backend only once its INITIALIZING is stored: a restarted engine never
      // starts it twice.
      assertThat(storedAtStart).hasSize(ids.size());
      assertThat(storedAtStart.values()).containsOnly(State.INITIALIZING);
      for (String id : ids) {
        assertThat(engine.await(id, WAIT).state()).isEqualTo(State.COMPLETE);
        assertThat(store.delegate.get(id).orElseThrow().task()).isEqualTo(engine.getTask(id, View.FULL));
      }
      assertThat(engine.core().admittedCount()).isZero();
      assertThat(engine.core().unfinishedCount()).isZero();
    }
  }

  /** The backend reports the end of many tasks from one thread while the first end is being written. */
  @Test
  void reportsOfManyTasksAreWrittenTogether() {
    try (TesEngine engine = TesEngine.builder().backend(backend).store(store).maxRunning(10_000).build()) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        ids.add(engine.createTask(Tasks.named("task " + i)));
      }
      backend.awaitStarted(ids.size());
      // The others wait for the first end's write, and are written together.
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
