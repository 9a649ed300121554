package io.tes4j.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.model.State;
import io.tes4j.model.View;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * maxRunning and tag limits: FIFO, and a task held back by a tag limit does not hold back later
 * tasks that the limit does not concern. Admission after a task ends runs on the engine's thread,
 * so those checks wait for the backend's start with {@link FakeBackend#awaitStarted}.
 */
class AdmissionTest {
  private final FakeBackend backend = new FakeBackend();

  private static State state(TesEngine engine, String id) {
    return engine.getTask(id, View.MINIMAL).state();
  }

  @Test
  void maxRunningAdmitsInCreationOrder() {
    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(backend).maxRunning(2).build()) {
      String a = engine.createTask(Tasks.named("a"));
      String b = engine.createTask(Tasks.named("b"));
      String c = engine.createTask(Tasks.named("c"));
      String d = engine.createTask(Tasks.named("d"));

      assertThat(backend.startedIds).containsExactly(a, b);
      assertThat(state(engine, c)).isEqualTo(State.QUEUED);
      assertThat(state(engine, d)).isEqualTo(State.QUEUED);

      backend.complete(b);
      backend.awaitStarted(3);
      assertThat(backend.startedIds).containsExactly(a, b, c);
      assertThat(state(engine, d)).isEqualTo(State.QUEUED);

      engine.cancelTask(a); // CANCELING still holds its slot
      assertThat(state(engine, a)).isEqualTo(State.CANCELING);
      assertThat(backend.startedIds).containsExactly(a, b, c);
      backend.events(a).finished(State.CANCELED);
      backend.awaitStarted(4);
      assertThat(backend.startedIds).containsExactly(a, b, c, d);
    }
  }

  @Test
  void aTagLimitHoldsBackOnlyTheTasksItConcerns() {
    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(backend).tagLimit("lts", "write", 2).build()) {
      String w1 = engine.createTask(Tasks.tagged("lts", "write"));
      String w2 = engine.createTask(Tasks.tagged("lts", "write"));
      String w3 = engine.createTask(Tasks.tagged("lts", "write"));
      String read = engine.createTask(Tasks.tagged("lts", "read"));
      String other = engine.createTask(Tasks.named("other"));
      String w4 = engine.createTask(Tasks.tagged("lts", "write"));

      assertThat(backend.startedIds).containsExactly(w1, w2, read, other);
      assertThat(state(engine, w3)).isEqualTo(State.QUEUED);
      assertThat(state(engine, w4)).isEqualTo(State.QUEUED);

      backend.complete(w2);
      backend.awaitStarted(5);
      assertThat(backend.startedIds).containsExactly(w1, w2, read, other, w3);
      backend.events(w1).finished(State.SYSTEM_ERROR);
      backend.awaitStarted(6);
      assertThat(backend.startedIds).containsExactly(w1, w2, read, other, w3, w4);
    }
  }

  @Test
  void maxRunningAndTagLimitsTogether() {
    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(backend).maxRunning(2).tagLimit("gpu", "1", 1).build()) {
      String g1 = engine.createTask(Tasks.tagged("gpu", "1"));
      String g2 = engine.createTask(Tasks.tagged("gpu", "1"));
      String p1 = engine.createTask(Tasks.named("p1"));
      String p2 = engine.createTask(Tasks.named("p2"));

      assertThat(backend.startedIds).containsExactly(g1, p1);

      backend.complete(g1); // g2 is the oldest waiting and the gpu limit has room again
      backend.awaitStarted(3);
      assertThat(backend.startedIds).containsExactly(g1, p1, g2);
      assertThat(state(engine, p2)).isEqualTo(State.QUEUED);
    }
  }

  @Test
  void aTaskCancelledWhileQueuedFreesItsPlaceInTheQueue() {
    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(backend).maxRunning(1).build()) {
      String a = engine.createTask(Tasks.named("a"));
      String b = engine.createTask(Tasks.named("b"));
      String c = engine.createTask(Tasks.named("c"));

      engine.cancelTask(b);
      engine.cancelTask(a); // CANCELING: the slot is still held
      backend.events(a).finished(State.CANCELED);
      backend.awaitStarted(2);

      assertThat(backend.startedIds).containsExactly(a, c);
      assertThat(state(engine, b)).isEqualTo(State.CANCELED);
    }
  }

  /** A flood of long tasks holds at most maxQueued waiting: the next create is refused, retryable. */
  @Test
  void maxQueuedRefusesACreateWhileSoManyWaitAndTakesItOnceOneStarted() {
    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(backend).maxRunning(1)
        .parameter("maxQueued", "2").build()) {
      String running = engine.createTask(Tasks.named("running"));
      String first = engine.createTask(Tasks.named("queued-1"));
      engine.createTask(Tasks.named("queued-2"));
      backend.awaitStarted(1);

      assertThatThrownBy(() -> engine.createTask(Tasks.named("one too many")))
          .isInstanceOfSatisfying(io.tes4j.api.QueueFullException.class, e -> assertThat(e.retryable()).isTrue())
          .hasMessage("the engine's queue is full (maxQueued=2 tasks waiting QUEUED): try again once some have started");
      assertThat(engine.async().createTask(Tasks.named("async too")))
          .as("the async create is refused alike").isCompletedExceptionally();
      assertThat(engine.listTasks(io.tes4j.api.ListTasksRequest.builder().build()).tasks()).hasSize(3);

      backend.complete(running); // queued-1 starts: one place is free
      backend.awaitStarted(2);
      assertThat(backend.startedIds).containsExactly(running, first);
      String taken = engine.createTask(Tasks.named("taken now"));
      assertThat(state(engine, taken)).isEqualTo(State.QUEUED);
    }
  }

  @Test
  void aFailedStartFreesItsSlot() {
    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(backend).maxRunning(1).build()) {
      backend.failStart = new io.tes4j.api.BackendException("full");
      String a = engine.createTask(Tasks.named("a"));
      backend.failStart = null;
      String b = engine.createTask(Tasks.named("b"));

      assertThat(state(engine, a)).isEqualTo(State.SYSTEM_ERROR);
      backend.awaitStarted(1);
      assertThat(backend.startedIds).containsExactly(b);
    }
  }

  /** A backend that proposes {@code max} as the engine's default {@code maxRunning}. */
  private static FakeBackend proposing(int max) {
    return new FakeBackend() {
      @Override
      public OptionalInt defaultMaxRunning() {
        return OptionalInt.of(max);
      }
    };
  }

  private static List<String> createFive(TesEngine engine) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(engine.createTask(Tasks.named("t" + i)));
    }
    return ids;
  }

  @Test
  void withoutMaxRunningTheBackendsDefaultHoldsBackTheOtherTasksQueued() {
    FakeBackend limited = proposing(2);
    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(limited).build()) {
      List<String> ids = createFive(engine);

      assertThat(limited.startedIds).containsExactly(ids.get(0), ids.get(1));
      assertThat(ids.subList(2, 5)).allSatisfy(id -> assertThat(state(engine, id)).isEqualTo(State.QUEUED));
      limited.complete(ids.get(0));
      limited.awaitStarted(3);
      assertThat(limited.startedIds).containsExactly(ids.get(0), ids.get(1), ids.get(2));
    }
  }

  @Test
  void maxRunningSetByTheUserWinsOverTheBackendsDefaultLargerOrSmaller() {
    FakeBackend larger = proposing(2);
    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(larger).maxRunning(4).build()) {
      createFive(engine);
      assertThat(larger.startedIds).hasSize(4);
    }
    FakeBackend smaller = proposing(2);
    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(smaller).parameter("maxRunning", "1").build()) {
      createFive(engine);
      assertThat(smaller.startedIds).hasSize(1);
    }
  }

  @Test
  void aBackendWithoutADefaultHasNoLimitAndAProposalBelowOneIsIgnored() {
    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(backend).build()) {
      createFive(engine);
      assertThat(backend.startedIds).hasSize(5);
    }
    FakeBackend broken = proposing(0);
    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(broken).build()) {
      createFive(engine);
      assertThat(broken.startedIds).hasSize(5);
    }
  }

  @Test
  void limitsMustAllowAtLeastOneTask() {
    assertThatThrownBy(() -> TesEngine.builder().engineExecutor(Runnable::run).maxRunning(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRunning must be at least 1, was 0");
    assertThatThrownBy(() -> TesEngine.builder().engineExecutor(Runnable::run).maxQueued(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxQueued must be at least 1, was 0");
    assertThatThrownBy(() -> TesEngine.builder().engineExecutor(Runnable::run).backend(backend)
            .parameter("maxQueued", "none").build())
        .isInstanceOf(io.tes4j.api.TesClientException.class)
        .hasMessage("maxQueued must be a whole number of tasks from 1 to 2147483647 (e.g. maxQueued=10000), was 'none'");
    assertThatThrownBy(() -> TesEngine.builder().engineExecutor(Runnable::run).tagLimit("lts", "write", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the tag limit lts=write must allow at least 1 task, was 0");
    assertThatThrownBy(() -> TesEngine.builder().engineExecutor(Runnable::run).tagLimit("lts", "write", 1).tagLimit("lts", "write", 2))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the tag limit lts=write is set twice");
  }
}
