package io.tes4j.engine;

import static io.tes4j.engine.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.engine.internal.EngineCore;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import io.tes4j.spi.TaskEvents;
import io.tes4j.store.MemoryTaskStore;
import io.tes4j.store.StoredTask;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Where the engine works by default: admitted tasks start on its own starter threads, so that
 * {@code createTask} returns once the task is stored, several start at once, and closing leaves the
 * tasks not started yet QUEUED for the next engine; the backend's reports are applied on its
 * reporter threads, in order, without the backend's thread waiting for the store.
 */
class EngineThreadsTest {
  private static final int STARTERS = EngineCore.STARTER_THREADS;

  private static final Duration WAIT = Duration.ofSeconds(30);

  /** Holds every start until {@link #open} counts down; counts the starts in progress. */
  private final CountDownLatch open = new CountDownLatch(1);
  private final AtomicInteger starting = new AtomicInteger();
  private final AtomicInteger mostAtOnce = new AtomicInteger();
  private final List<String> startThreads = new CopyOnWriteArrayList<>();
  private final FakeBackend backend = new FakeBackend();

  EngineThreadsTest() {
    backend.duringStart = (task, events) -> {
      startThreads.add(Thread.currentThread().getName());
      mostAtOnce.accumulateAndGet(starting.incrementAndGet(), Math::max);
      try {
        hold(open, "the test never let the starts go on");
      } finally {
        starting.decrementAndGet();
      }
    };
  }

  @AfterEach
  void letGo() {
    open.countDown();
  }

  /** Waits until {@code latch} opens, for a thread the test holds (a start, a store write). */
  private static void hold(CountDownLatch latch, String never) {
    try {
      if (!latch.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError(never);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while held", e);
    }
  }

  @Test
  void createTaskReturnsOnceTheTaskIsStoredWithoutWaitingForTheBackend() throws InterruptedException {
    try (TesEngine engine = TesEngine.builder().backend(backend).build()) {
      String id = engine.createTask(Tasks.named("held"));

      // The backend holds the start, and createTask has returned all the same.
      eventually("the backend's start is called", () -> starting.get() == 1);
      assertThat(engine.getTask(id, View.MINIMAL).state()).isIn(State.QUEUED, State.INITIALIZING);
      assertThat(startThreads).singleElement().asString().startsWith("tes4j-start-");

      open.countDown();
      backend.awaitStarted(1);
      backend.complete(id);
      assertThat(engine.await(id, WAIT).state()).isEqualTo(State.COMPLETE);
    }
  }

  @Test
  void asManyTasksAsStarterThreadsStartAtOnceAndTheOthersWaitForAStarter() throws InterruptedException {
    try (TesEngine engine = TesEngine.builder().backend(backend).build()) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < STARTERS + 4; i++) {
        ids.add(engine.createTask(Tasks.named("t" + i)));
      }

      eventually(STARTERS + " starts in progress", () -> starting.get() == STARTERS);
      Thread.sleep(100); // one more start, were there one more thread, would have begun by now
      assertThat(starting.get()).isEqualTo(STARTERS);
      assertThat(ids.stream().filter(id -> engine.getTask(id, View.MINIMAL).state() == State.QUEUED)).hasSize(4);

      open.countDown();
      backend.awaitStarted(STARTERS + 4);
      assertThat(mostAtOnce.get()).isEqualTo(STARTERS);
      assertThat(backend.startedIds).containsExactlyInAnyOrderElementsOf(ids);
      for (String id : ids) {
        backend.complete(id);
        assertThat(engine.await(id, WAIT).state()).isEqualTo(State.COMPLETE);
      }
      assertThat(engine.core().admittedCount()).isZero();
    }
  }

  @Test
  void closingLeavesTheTasksNotStartedYetQueuedForTheNextEngine() throws InterruptedException {
    MemoryTaskStore store = new MemoryTaskStore();
    List<String> ids = new ArrayList<>();
    TesEngine engine = TesEngine.builder().backend(backend).store(store).build();
    for (int i = 0; i < STARTERS + 2; i++) {
      ids.add(engine.createTask(Tasks.named("t" + i)));
    }
    eventually(STARTERS + " starts in progress", () -> starting.get() == STARTERS);
    Thread closer = new Thread(engine::close);
    closer.start();
    eventually("the engine is closing", engine.core()::isClosed);
    open.countDown();
    closer.join(WAIT.toMillis());

    // The two that never reached a starter are QUEUED in the store, and a new engine runs them.
    List<String> queued = ids.stream()
        .filter(id -> store.get(id).orElseThrow().task().state() == State.QUEUED)
        .toList();
    assertThat(queued).containsExactlyInAnyOrderElementsOf(ids.subList(STARTERS, STARTERS + 2)); // after every starter was busy
    FakeBackend next = new FakeBackend();
    try (TesEngine restarted = TesEngine.builder().backend(next).store(store).build()) {
      next.awaitStarted(2);
      assertThat(next.startedIds).containsExactlyInAnyOrderElementsOf(queued);
      for (String id : queued) {
        next.complete(id);
        assertThat(restarted.await(id, WAIT).state()).isEqualTo(State.COMPLETE);
      }
    }
  }

  @Test
  void aStartExecutorThatRefusesHasTheTaskStartedOnTheAdmittingThread() {
    try (TesEngine engine = TesEngine.builder()
        .backend(backend)
        .engineExecutor(job -> {
          throw new RejectedExecutionException("full");
        })
        .build()) {
      open.countDown();
      String id = engine.createTask(Tasks.named("a"));

      // Started before createTask returned, on its caller's thread: never left QUEUED.
      assertThat(backend.startedIds).containsExactly(id);
      assertThat(startThreads).containsExactly(Thread.currentThread().getName());
      backend.complete(id);
      Task done = engine.await(id, WAIT);
      assertThat(done.state()).isEqualTo(State.COMPLETE);
    }
  }

  @Test
  void aDirectStartExecutorStartsTheTaskBeforeCreateTaskReturns() {
    open.countDown();
    try (TesEngine engine = TesEngine.builder().backend(backend).engineExecutor(Runnable::run).build()) {
      String id = engine.createTask(Tasks.named("a"));

      assertThat(backend.startedIds).containsExactly(id);
      assertThat(engine.getTask(id, View.MINIMAL).state()).isEqualTo(State.INITIALIZING);
    }
  }

  /** A store whose updates to a state in {@link #held} wait until {@link #release} counts down. */
  private static final class GatedStore extends ForwardingTaskStore {
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger waiting = new AtomicInteger();
    final List<State> updates = new CopyOnWriteArrayList<>();
    /** The handle of each update, "-" for none. */
    final List<String> handles = new CopyOnWriteArrayList<>();
    volatile State held;

    @Override
    public void update(StoredTask task) {
      updates.add(task.task().state());
      handles.add(task.handle() == null ? "-" : task.handle());
      if (task.task().state() == held) {
        waiting.incrementAndGet();
        try {
          hold(release, "the test never released the store");
        } finally {
          waiting.decrementAndGet();
        }
      }
      delegate.update(task);
    }
  }

  @Test
  void aBackendsReportReturnsWithoutWaitingForTheStore() throws InterruptedException {
    open.countDown();
    GatedStore store = new GatedStore();
    store.held = State.RUNNING;
    try (TesEngine engine = TesEngine.builder().backend(backend).store(store).build()) {
      String id = engine.createTask(Tasks.named("a"));
      backend.awaitStarted(1);
      eventually("the handle stored", () -> store.get(id).orElseThrow().handle() != null);

      backend.run(id); // returns although the store holds the write of RUNNING
      eventually("the write of RUNNING waits in the store", () -> store.waiting.get() == 1);
      assertThat(store.get(id).orElseThrow().task().state()).isEqualTo(State.INITIALIZING);

      store.release.countDown();
      eventually("RUNNING stored", () -> store.get(id).orElseThrow().task().state() == State.RUNNING);
      assertThat(engine.getTask(id, View.MINIMAL).state()).isEqualTo(State.RUNNING);
    }
  }

  @Test
  void eachTasksReportsAreAppliedInTheOrderTheBackendMadeThem() throws InterruptedException {
    open.countDown();
    Map<String, List<State>> seen = new ConcurrentHashMap<>();
    try (TesEngine engine = TesEngine.builder().backend(backend)
        .listener((id, from, to) -> seen.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(to))
        .build()) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        ids.add(engine.createTask(Tasks.named("t" + i)));
      }
      backend.awaitStarted(50);
      for (String id : ids) {
        eventually("the handle of " + id + " stored", () -> engine.getTask(id, View.MINIMAL).state() == State.INITIALIZING);
      }
      for (String id : ids) {
        backend.complete(id); // from this one thread, every task's whole run, report after report
      }
      for (String id : ids) {
        Task done = engine.await(id, WAIT);
        assertThat(done.state()).isEqualTo(State.COMPLETE);
        assertThat(seen.get(id)).as("task %s", id)
            .containsExactly(State.QUEUED, State.INITIALIZING, State.RUNNING, State.COMPLETE);
        assertThat(engine.getTask(id, View.FULL).logs().get(0).logs()).singleElement()
            .satisfies(log -> assertThat(log.exitCode()).isZero());
      }
    }
  }

  @Test
  void closingAppliesTheReportsTheBackendMadeWhileItClosed() throws InterruptedException {
    open.countDown();
    MemoryTaskStore store = new MemoryTaskStore();
    FakeBackend stopping = new FakeBackend() {
      @Override
      public void close() {
        for (String id : startedIds) {
          events(id).systemLog("the backend stopped the task as it closed");
          events(id).finished(State.SYSTEM_ERROR);
        }
        super.close();
      }
    };
    TesEngine engine = TesEngine.builder().backend(stopping).store(store).build();
    String id = engine.createTask(Tasks.named("a"));
    stopping.awaitStarted(1);
    eventually("the handle stored", () -> store.get(id).orElseThrow().handle() != null);

    engine.close();

    Task stored = store.get(id).orElseThrow().task();
    assertThat(stored.state()).isEqualTo(State.SYSTEM_ERROR);
    assertThat(stored.logs().get(0).systemLogs()).containsExactly("the backend stopped the task as it closed");
  }

  @Test
  void theHandleIsStoredWithTheReportsThatFollowTheStartInOneWrite() {
    GatedStore store = new GatedStore();
    // The engine's jobs (starts, drains of reports) wait until the test runs them: one order, every time.
    java.util.ArrayDeque<Runnable> jobs = new java.util.ArrayDeque<>();
    backend.duringStart = (task, events) -> events.running(); // reported before start returns its handle
    try (TesEngine engine = TesEngine.builder().backend(backend).store(store).engineExecutor(jobs::add).build()) {
      String id = engine.createTask(Tasks.named("a"));
      jobs.remove().run(); // the start: INITIALIZING stored, the backend's start, which reports RUNNING
      assertThat(store.updates).as("the starter wrote INITIALIZING, and not the handle").containsExactly(State.INITIALIZING);
      backend.events(id).executorStarted(0, Instant.parse("2026-12-07T10:00:01Z"));

      jobs.remove().run(); // the drain of the reports: RUNNING, the handle, the executor's start
      assertThat(jobs).isEmpty();

      assertThat(store.updates).containsExactly(State.INITIALIZING, State.RUNNING);
      assertThat(store.handles).containsExactly("-", "handle-" + id);
      assertThat(store.get(id).orElseThrow().task().logs().get(0).logs().get(0).startTime())
          .isEqualTo("2026-12-07T10:00:01.000Z");
    }
  }

  @Test
  void aHandleWrittenWithAReportIsNotWrittenAgain() throws InterruptedException {
    open.countDown();
    GatedStore store = new GatedStore();
    try (TesEngine engine = TesEngine.builder().backend(backend).store(store).build()) {
      String id = engine.createTask(Tasks.named("a"));
      backend.awaitStarted(1);
      eventually("the handle stored", () -> store.get(id).orElseThrow().handle() != null);
      backend.events(id).running();
      eventually("RUNNING stored", () -> store.get(id).orElseThrow().task().state() == State.RUNNING);

      assertThat(store.updates).containsExactly(State.INITIALIZING, State.INITIALIZING, State.RUNNING);
      assertThat(store.handles).containsExactly("-", "handle-" + id, "handle-" + id);
    }
  }

  @Test
  void reportsThatArriveTogetherAreStoredInOneWrite() throws InterruptedException {
    open.countDown();
    GatedStore store = new GatedStore();
    store.held = State.RUNNING;
    Map<String, List<State>> seen = new ConcurrentHashMap<>();
    try (TesEngine engine = TesEngine.builder().backend(backend).store(store)
        .listener((id, from, to) -> seen.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(to))
        .build()) {
      String id = engine.createTask(Tasks.named("a"));
      backend.awaitStarted(1);
      eventually("the handle stored", () -> store.get(id).orElseThrow().handle() != null);
      store.updates.clear();

      TaskEvents events = backend.events(id);
      events.running(); // its write waits in the store; the next reports queue behind it
      eventually("the write of RUNNING waits in the store", () -> store.waiting.get() == 1);
      events.executorStarted(0, Instant.parse("2026-12-07T10:00:01Z"));
      events.executorFinished(0, Instant.parse("2026-12-07T10:00:02Z"), 0, "out", "err");
      events.systemLog("done");
      events.finished(State.COMPLETE);
      assertThat(seen.get(id)).containsExactly(State.QUEUED, State.INITIALIZING); // nothing shown before it is stored
      store.release.countDown();

      Task done = engine.await(id, WAIT);
      assertThat(done.state()).isEqualTo(State.COMPLETE);
      assertThat(store.updates).containsExactly(State.RUNNING, State.COMPLETE); // four reports, one write
      Task stored = store.get(id).orElseThrow().task();
      assertThat(stored).isEqualTo(engine.getTask(id, View.FULL));
      assertThat(stored.logs().get(0).logs()).singleElement().satisfies(log -> {
        assertThat(log.startTime()).isEqualTo("2026-12-07T10:00:01.000Z");
        assertThat(log.endTime()).isEqualTo("2026-12-07T10:00:02.000Z");
        assertThat(log.exitCode()).isZero();
        assertThat(log.stdout()).isEqualTo("out");
      });
      assertThat(stored.logs().get(0).systemLogs()).containsExactly("done");
      assertThat(stored.logs().get(0).endTime()).isNotNull();
      assertThat(seen.get(id)).containsExactly(State.QUEUED, State.INITIALIZING, State.RUNNING, State.COMPLETE);
    }
  }

  @Test
  void whenStartsPileUpTheCallerStartsItsTaskItself() throws Exception {
    try (TesEngine engine = TesEngine.builder().backend(backend).build()) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < STARTERS + EngineCore.STARTS_WAITING; i++) { // starters busy, starts waiting: returned at once
        ids.add(engine.createTask(Tasks.named("t" + i)));
      }
      eventually(STARTERS + " starts in progress", () -> starting.get() == STARTERS);

      // One more: no room to wait, so createTask's own thread starts it (and is held, as the starters are).
      Thread caller = new Thread(() -> ids.add(engine.createTask(Tasks.named("over"))), "the-caller");
      caller.start();
      eventually("the caller starts its task", () -> startThreads.contains("the-caller"));
      assertThat(caller.isAlive()).isTrue(); // createTask has not returned: it waits for the start
      assertThat(starting.get()).isEqualTo(STARTERS + 1);

      open.countDown();
      caller.join(WAIT.toMillis());
      backend.awaitStarted(STARTERS + EngineCore.STARTS_WAITING + 1);
      assertThat(backend.startedIds).containsExactlyInAnyOrderElementsOf(ids);
    }
  }
}
