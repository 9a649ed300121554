package io.tes4j.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.model.State;
import io.tes4j.model.View;
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
    try (TesEngine engine = TesEngine.builder().backend(backend).maxRunning(2).build()) {
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
    try (TesEngine engine = TesEngine.builder().backend(backend).tagLimit("lts", "write", 2).build()) {
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
    try (TesEngine engine = TesEngine.builder().backend(backend).maxRunning(2).tagLimit("gpu", "1", 1).build()) {
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
    try (TesEngine engine = TesEngine.builder().backend(backend).maxRunning(1).build()) {
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

  @Test
  void aFailedStartFreesItsSlot() {
    try (TesEngine engine = TesEngine.builder().backend(backend).maxRunning(1).build()) {
      backend.failStart = new io.tes4j.api.BackendException("full");
      String a = engine.createTask(Tasks.named("a"));
      backend.failStart = null;
      String b = engine.createTask(Tasks.named("b"));

      assertThat(state(engine, a)).isEqualTo(State.SYSTEM_ERROR);
      backend.awaitStarted(1);
      assertThat(backend.startedIds).containsExactly(b);
    }
  }

  @Test
  void limitsMustAllowAtLeastOneTask() {
    assertThatThrownBy(() -> TesEngine.builder().maxRunning(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRunning must be at least 1, was 0");
    assertThatThrownBy(() -> TesEngine.builder().tagLimit("lts", "write", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the tag limit lts=write must allow at least 1 task, was 0");
    assertThatThrownBy(() -> TesEngine.builder().tagLimit("lts", "write", 1).tagLimit("lts", "write", 2))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the tag limit lts=write is set twice");
  }
}
