package io.tes4j.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import io.tes4j.store.MemoryTaskStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Where the engine starts admitted tasks by default: on its own starter threads, so that {@code
 * createTask} returns once the task is stored, several start at once, and closing leaves the tasks
 * not started yet QUEUED for the next engine.
 */
class StarterThreadsTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** Holds every start until {@link #open} counts down; counts the starts in progress. */
  private final CountDownLatch open = new CountDownLatch(1);
  private final AtomicInteger starting = new AtomicInteger();
  private final AtomicInteger mostAtOnce = new AtomicInteger();
  private final List<String> startThreads = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final FakeBackend backend = new FakeBackend();

  StarterThreadsTest() {
    backend.duringStart = (task, events) -> {
      startThreads.add(Thread.currentThread().getName());
      mostAtOnce.accumulateAndGet(starting.incrementAndGet(), Math::max);
      try {
        if (!open.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
          throw new AssertionError("the test never let the starts go on");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while held", e);
      } finally {
        starting.decrementAndGet();
      }
    };
  }

  @AfterEach
  void letGo() {
    open.countDown();
  }

  private static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + WAIT + ": " + what);
      }
      Thread.sleep(5);
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
  void eightTasksStartAtOnceAndTheOthersWaitForAStarter() throws InterruptedException {
    try (TesEngine engine = TesEngine.builder().backend(backend).build()) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        ids.add(engine.createTask(Tasks.named("t" + i)));
      }

      eventually("8 starts in progress", () -> starting.get() == 8);
      Thread.sleep(100); // a ninth start, were there a ninth thread, would have begun by now
      assertThat(starting.get()).isEqualTo(8);
      assertThat(ids.stream().filter(id -> engine.getTask(id, View.MINIMAL).state() == State.QUEUED)).hasSize(4);

      open.countDown();
      backend.awaitStarted(12);
      assertThat(mostAtOnce.get()).isEqualTo(8);
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
    for (int i = 0; i < 10; i++) {
      ids.add(engine.createTask(Tasks.named("t" + i)));
    }
    eventually("8 starts in progress", () -> starting.get() == 8);
    Thread closer = new Thread(engine::close);
    closer.start();
    eventually("the engine is closing", engine.core()::isClosed);
    open.countDown();
    closer.join(WAIT.toMillis());

    // The two that never reached a starter are QUEUED in the store, and a new engine runs them.
    List<String> queued = ids.stream()
        .filter(id -> store.get(id).orElseThrow().task().state() == State.QUEUED)
        .toList();
    assertThat(queued).containsExactlyInAnyOrderElementsOf(ids.subList(8, 10)); // submitted after the 8 threads were busy
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
        .startExecutor(job -> {
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
    try (TesEngine engine = TesEngine.builder().backend(backend).startExecutor(Runnable::run).build()) {
      String id = engine.createTask(Tasks.named("a"));

      assertThat(backend.startedIds).containsExactly(id);
      assertThat(engine.getTask(id, View.MINIMAL).state()).isEqualTo(State.INITIALIZING);
    }
  }
}
