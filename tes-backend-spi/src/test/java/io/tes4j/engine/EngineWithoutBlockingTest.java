package io.tes4j.engine;

import static io.tes4j.engine.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.model.State;
import io.tes4j.model.View;
import io.tes4j.store.MemoryTaskStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How the engine works when nothing on a task's way can block (its store in memory, no listener,
 * its own threads): the backend's reports are applied on the backend's own thread before its call
 * returns, and quick starts are made in batches on one starter thread; a start that turns slow
 * still holds up no other task.
 */
class EngineWithoutBlockingTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  /** More than the starts in a row after which the engine batches them. */
  private static final int WARM_UP = 40;

  private final FakeBackend backend = new FakeBackend();
  /** The thread of each start, by task name. */
  private final Map<String, String> startThreads = new ConcurrentHashMap<>();
  private final CountDownLatch letSlowGo = new CountDownLatch(1);

  EngineWithoutBlockingTest() {
    backend.duringStart = (task, events) -> {
      startThreads.put(task.name(), Thread.currentThread().getName());
      if (task.name().startsWith("slow")) {
        try {
          letSlowGo.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
  }

  @AfterEach
  void letGo() {
    letSlowGo.countDown();
  }

  /** Runs {@code count} quick tasks to the end, one after the other, so that the engine finds starts quick. */
  private void warmUp(TesEngine engine, int count) {
    for (int i = 0; i < count; i++) {
      String id = engine.createTask(Tasks.named("warm-up " + i));
      backend.awaitStarted(i + 1);
      backend.complete(id);
      assertThat(engine.await(id, WAIT).state()).isEqualTo(State.COMPLETE);
    }
  }

  /**
   * The backend reports from inside its start, on its own thread: no other thread applies this
   * task's reports then (after start returns, the starter applies the handle's, and a report made
   * at that moment is applied by the starter, right after it, in order).
   */
  @Test
  void aReportIsAppliedBeforeTheBackendsCallReturns() {
    MemoryTaskStore store = new MemoryTaskStore();
    Map<String, State> seen = new ConcurrentHashMap<>();
    backend.duringStart = (task, events) -> {
      events.running(); // on the backend's thread: applied by the time it returns
      seen.put("after running", store.get(task.id()).orElseThrow().task().state());
      events.executorStarted(0, Instant.parse("2026-12-07T10:00:01Z"));
      events.executorFinished(0, Instant.parse("2026-12-07T10:00:02Z"), 0, "out", "");
      events.finished(State.COMPLETE);
      seen.put("after finished", store.get(task.id()).orElseThrow().task().state());
    };
    try (TesEngine engine = TesEngine.builder().backend(backend).store(store).build()) {
      String id = engine.createTask(Tasks.named("a"));
      backend.awaitStarted(1);

      assertThat(seen).containsEntry("after running", State.RUNNING).containsEntry("after finished", State.COMPLETE);
      assertThat(engine.await(id, Duration.ZERO).state()).isEqualTo(State.COMPLETE);
      assertThat(engine.getTask(id, View.FULL).logs().get(0).logs()).singleElement()
          .satisfies(log -> assertThat(log.endTime()).isEqualTo("2026-12-07T10:00:02.000Z"));
      assertThat(engine.core().admittedCount()).isZero();
    }
  }

  @Test
  void withAListenerTheReportsAreAppliedOnTheReporterThreadsAsBefore() throws InterruptedException {
    AtomicReference<String> listenerThread = new AtomicReference<>();
    try (TesEngine engine = TesEngine.builder().backend(backend)
        .listener((id, from, to) -> {
          if (to == State.RUNNING) {
            listenerThread.set(Thread.currentThread().getName());
          }
        })
        .build()) {
      String id = engine.createTask(Tasks.named("a"));
      backend.awaitStarted(1);
      backend.events(id).running();
      eventually("RUNNING told", () -> listenerThread.get() != null);

      // A listener is the user's code, which may block: never on the backend's thread.
      assertThat(listenerThread.get()).startsWith("tes4j-report-");
      assertThat(startThreads.get("a")).startsWith("tes4j-start-");
    }
  }

  @Test
  void quickStartsAreMadeInBatchesOnOneStarterThread() {
    int burst = 1000;
    try (TesEngine engine = TesEngine.builder().backend(backend).build()) {
      warmUp(engine, WARM_UP);

      // One drainer takes them, where each task used to wake a starter thread of its own and the
      // 16 starter threads shared them. A start slower than 1 ms on a busy machine (a GC pause, the
      // thread preempted) sends the tasks behind it to threads of their own until 16 starts in a
      // row were quick again: a burst may be spoiled so, and the next one is tried, at most three.
      int started = WARM_UP;
      Map<String, Integer> startsByThread = Map.of();
      for (int round = 0; round < 3 && mostOnOneThread(startsByThread) <= burst / 2; round++) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < burst; i++) {
          names.add("burst " + round + "." + i);
          engine.createTask(Tasks.named(names.get(i)));
        }
        started += burst;
        backend.awaitStarted(started);
        startsByThread = new java.util.HashMap<>();
        for (String name : names) {
          startsByThread.merge(startThreads.get(name), 1, Integer::sum);
        }
      }
      assertThat(mostOnOneThread(startsByThread))
          .as("the most starts of a burst on one thread: %s", startsByThread)
          .isGreaterThan(burst / 2);
    }
  }

  private static int mostOnOneThread(Map<String, Integer> startsByThread) {
    return startsByThread.values().stream().mapToInt(Integer::intValue).max().orElse(0);
  }

  @Test
  void aStartThatBlocksAfterQuickOnesHoldsUpNoOtherTask() throws InterruptedException {
    try (TesEngine engine = TesEngine.builder().backend(backend).build()) {
      warmUp(engine, WARM_UP);

      String slow = engine.createTask(Tasks.named("slow"));
      List<String> behind = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        behind.add(engine.createTask(Tasks.named("behind " + i))); // queued behind the slow start
      }

      // The watchdog finds the drainer inside one start for over 10 ms and gives the tasks behind
      // it threads of their own; the slow one is still held.
      backend.awaitStarted(WARM_UP + 5);
      assertThat(backend.startedIds).containsAll(behind).doesNotContain(slow);
      for (String id : behind) {
        assertThat(startThreads.get(engine.getTask(id, View.BASIC).name())).isNotEqualTo(startThreads.get("slow"));
      }

      // Starts are not batched again until enough in a row were quick: the next ones, slow too,
      // start at once, each on a thread of its own.
      List<String> moreSlow = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        moreSlow.add(engine.createTask(Tasks.named("slow " + i)));
      }
      eventually("the three slow ones start beside the first", () -> startThreads.keySet().containsAll(
          List.of("slow 0", "slow 1", "slow 2")));
      assertThat(new HashSet<>(List.of(startThreads.get("slow"), startThreads.get("slow 0"), startThreads.get("slow 1"),
          startThreads.get("slow 2")))).hasSize(4);

      letSlowGo.countDown();
      backend.awaitStarted(WARM_UP + 5 + 4);
      for (String id : backend.startedIds) {
        backend.complete(id);
      }
      for (String id : backend.startedIds) {
        assertThat(engine.await(id, WAIT).state()).isEqualTo(State.COMPLETE);
      }
      assertThat(engine.core().admittedCount()).isZero();
    }
  }
}
