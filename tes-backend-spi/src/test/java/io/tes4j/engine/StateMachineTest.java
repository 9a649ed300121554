package io.tes4j.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tes4j.api.BackendException;
import io.tes4j.api.TaskNotFoundException;
import io.tes4j.model.ExecutorLog;
import io.tes4j.model.OutputFileLog;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.TaskLog;
import io.tes4j.model.View;
import io.tes4j.spi.TaskEvents;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every path through the TES state machine, driven by hand through a {@link FakeBackend}. */
class StateMachineTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T10:00:00.123Z"), ZoneOffset.UTC);

  private final FakeBackend backend = new FakeBackend();
  private final TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(backend).clock(CLOCK).build();

  @AfterEach
  void close() {
    engine.close();
  }

  private State state(String id) {
    return engine.getTask(id, View.MINIMAL).state();
  }

  @Test
  void aTaskIsStartedAtOnceAndStoredInitializingWithItsStartTime() {
    String id = engine.createTask(Tasks.named("a"));

    Task task = engine.getTask(id);
    assertThat(task.state()).isEqualTo(State.INITIALIZING);
    assertThat(task.id()).hasSize(26);
    assertThat(task.creationTime()).isEqualTo("2026-11-22T10:00:00.123Z");
    assertThat(task.logs()).singleElement().extracting(TaskLog::startTime).isEqualTo("2026-11-22T10:00:00.123Z");
    assertThat(backend.byId.get(id).task().id()).isEqualTo(id);
    assertThat(backend.byId.get(id).task().state()).isEqualTo(State.INITIALIZING);
  }

  @Test
  void aCompleteRunFillsTheTaskLog() {
    String id = engine.createTask(Tasks.named("a"));
    TaskEvents events = backend.events(id);

    events.initializing();
    events.running();
    assertThat(state(id)).isEqualTo(State.RUNNING);
    events.executorStarted(0, Instant.parse("2026-11-22T10:00:01Z"));
    Task running = engine.getTask(id);
    assertThat(running.logs().get(0).logs()).containsExactly(
        ExecutorLog.builder().startTime("2026-11-22T10:00:01.000Z").build());
    events.executorFinished(0, Instant.parse("2026-11-22T10:00:02.5Z"), 0, "hello\n", "warning\n");
    events.outputs(List.of(OutputFileLog.of("s3://b/out", "/out/a", 12)));
    events.outputs(List.of(OutputFileLog.of("s3://b/out2", "/out/b", 3)));
    events.systemLog("ran on host h1");
    events.metadata("host", "h1");
    events.finished(State.COMPLETE);

    Task done = engine.getTask(id, View.FULL);
    assertThat(done.state()).isEqualTo(State.COMPLETE);
    TaskLog log = done.logs().get(0);
    assertThat(log.startTime()).isEqualTo("2026-11-22T10:00:00.123Z");
    assertThat(log.endTime()).isEqualTo("2026-11-22T10:00:00.123Z");
    assertThat(log.logs()).containsExactly(
        new ExecutorLog("2026-11-22T10:00:01.000Z", "2026-11-22T10:00:02.500Z", "hello\n", "warning\n", 0));
    assertThat(log.outputs()).containsExactly(
        OutputFileLog.of("s3://b/out", "/out/a", 12), OutputFileLog.of("s3://b/out2", "/out/b", 3));
    assertThat(log.systemLogs()).containsExactly("ran on host h1");
    assertThat(log.metadata()).containsEntry("host", "h1");
    assertThat(engine.await(id, Duration.ZERO)).isEqualTo(done);
  }

  @ParameterizedTest
  @EnumSource(value = State.class, names = {"EXECUTOR_ERROR", "SYSTEM_ERROR", "PREEMPTED", "CANCELED"})
  void aRunningTaskEndsInTheStateTheBackendReports(State end) {
    String id = engine.createTask(Tasks.named("a"));
    backend.run(id);
    backend.events(id).executorStarted(0, Instant.parse("2026-11-22T10:00:01Z"));
    backend.events(id).executorFinished(0, Instant.parse("2026-11-22T10:00:02Z"), 3, null, "boom");

    backend.events(id).finished(end);

    Task task = engine.getTask(id);
    assertThat(task.state()).isEqualTo(end);
    assertThat(task.logs().get(0).logs().get(0).exitCode()).isEqualTo(3);
    assertThat(task.logs().get(0).endTime()).isNotNull();
  }

  @ParameterizedTest
  @EnumSource(value = State.class, names = {"SYSTEM_ERROR", "PREEMPTED", "CANCELED"})
  void anInitializingTaskCanEndBeforeItRuns(State end) {
    String id = engine.createTask(Tasks.named("a"));

    backend.events(id).systemLog("could not pull the image");
    backend.events(id).finished(end);

    assertThat(state(id)).isEqualTo(end);
    assertThat(engine.getTask(id).logs().get(0).systemLogs()).containsExactly("could not pull the image");
  }

  @Test
  void failedIsASystemLogThenSystemError() {
    String id = engine.createTask(Tasks.named("a"));

    backend.events(id).failed("disk full");

    assertThat(state(id)).isEqualTo(State.SYSTEM_ERROR);
    assertThat(engine.getTask(id).logs().get(0).systemLogs()).containsExactly("disk full");
  }

  @Test
  void aBackendExceptionFromStartEndsTheTaskSystemErrorWithTheMessage() {
    backend.failStart = new BackendException("no container runtime: install docker or podman");

    String id = engine.createTask(Tasks.named("a"));

    Task task = engine.getTask(id);
    assertThat(task.state()).isEqualTo(State.SYSTEM_ERROR);
    assertThat(task.logs().get(0).systemLogs())
        .containsExactly("the backend FakeBackend could not start the task: no container runtime: install docker or podman");
    assertThat(task.logs().get(0).startTime()).isNotNull();
    assertThat(task.logs().get(0).endTime()).isNotNull();
  }

  @Test
  void anyOtherExceptionFromStartEndsTheTaskSystemErrorToo() {
    backend.failStart = new IllegalStateException("bug");

    String id = engine.createTask(Tasks.named("a"));

    assertThat(engine.getTask(id).state()).isEqualTo(State.SYSTEM_ERROR);
    assertThat(engine.getTask(id).logs().get(0).systemLogs().get(0)).endsWith("java.lang.IllegalStateException: bug");
  }

  @Test
  void anEndReportedForAReattachedTaskStillInitializingPassesThroughRunning() {
    // The first engine stored INITIALIZING and the handle, then stopped before it stored the
    // RUNNING its backend reported; the backend, still running the task, reports its end to the next.
    io.tes4j.store.MemoryTaskStore store = new io.tes4j.store.MemoryTaskStore();
    FakeBackend backend = FakeBackend.resuming();
    String id;
    try (TesEngine first = TesEngine.builder().engineExecutor(Runnable::run).backend(backend).store(store).build()) {
      id = first.createTask(Tasks.named("a"));
    }
    assertThat(store.get(id).orElseThrow().task().state()).isEqualTo(State.INITIALIZING);
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (TesEngine next = TesEngine.builder().engineExecutor(Runnable::run).backend(backend).store(store).clock(CLOCK)
        .listener((task, from, to) -> seen.add(from + "->" + to)).build()) {
      backend.events(id).finished(State.COMPLETE);

      assertThat(next.getTask(id).state()).isEqualTo(State.COMPLETE);
      assertThat(seen).containsSubsequence("INITIALIZING->RUNNING", "RUNNING->COMPLETE");
    }
  }

  @Test
  void illegalReportsAreIgnored() {
    String id = engine.createTask(Tasks.named("a"));
    TaskEvents events = backend.events(id);

    events.finished(State.COMPLETE); // INITIALIZING -> COMPLETE skips RUNNING
    events.finished(State.EXECUTOR_ERROR);
    assertThat(state(id)).isEqualTo(State.INITIALIZING);

    events.running();
    events.initializing(); // RUNNING -> INITIALIZING goes back
    assertThat(state(id)).isEqualTo(State.RUNNING);

    events.executorStarted(5, Instant.EPOCH); // there is one executor
    assertThat(engine.getTask(id).logs().get(0).logs()).isEmpty();
    assertThatThrownBy(() -> events.finished(State.RUNNING))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("terminal state");
  }

  @Test
  void reportsAfterTheEndAreIgnored() {
    String id = engine.createTask(Tasks.named("a"));
    backend.complete(id);
    Task done = engine.getTask(id);

    TaskEvents events = backend.events(id);
    events.running();
    events.executorFinished(0, Instant.EPOCH, 9, "late", "late");
    events.systemLog("late");
    events.outputs(List.of(OutputFileLog.of("s3://b/late", "/late", 1)));
    events.metadata("late", "yes");
    events.finished(State.SYSTEM_ERROR);

    assertThat(engine.getTask(id)).isEqualTo(done);
  }

  @Test
  void eventsBeforeStartReturnsAreKeptAndTheHandleIsStoredAfter() {
    backend.duringStart = (task, events) -> {
      events.running();
      events.finished(State.COMPLETE);
    };

    String id = engine.createTask(Tasks.named("fast"));

    assertThat(state(id)).isEqualTo(State.COMPLETE);
  }

  // -- cancel in every state --------------------------------------------------------------------

  @Test
  void cancellingAQueuedTaskEndsItCanceledWithoutTheBackend() {
    try (TesEngine limited = TesEngine.builder().engineExecutor(Runnable::run).backend(backend).maxRunning(1).build()) {
      String first = limited.createTask(Tasks.named("first"));
      String queued = limited.createTask(Tasks.named("queued"));
      assertThat(limited.getTask(queued, View.MINIMAL).state()).isEqualTo(State.QUEUED);

      limited.cancelTask(queued);

      Task task = limited.getTask(queued);
      assertThat(task.state()).isEqualTo(State.CANCELED);
      assertThat(task.logs()).isEmpty();
      assertThat(backend.startedIds).containsExactly(first);
      assertThat(backend.cancelled).isEmpty();

      backend.complete(first); // frees the slot: the cancelled task is not started
      assertThat(backend.startedIds).containsExactly(first);
    }
  }

  @Test
  void cancellingAnInitializingTaskGoesCancelingThenCanceled() {
    String id = engine.createTask(Tasks.named("a"));

    engine.cancelTask(id);

    assertThat(state(id)).isEqualTo(State.CANCELING);
    assertThat(backend.cancelled).containsExactly("handle-" + id);
    backend.events(id).finished(State.CANCELED);
    assertThat(state(id)).isEqualTo(State.CANCELED);
  }

  @Test
  void cancellingARunningTaskGoesCancelingAndAnyTerminalReportEndsItCanceled() {
    String id = engine.createTask(Tasks.named("a"));
    backend.run(id);

    engine.cancelTask(id);
    assertThat(state(id)).isEqualTo(State.CANCELING);

    backend.events(id).running(); // a report racing the cancel changes nothing
    backend.events(id).executorFinished(0, Instant.EPOCH, 137, null, null);
    assertThat(state(id)).isEqualTo(State.CANCELING);
    backend.events(id).finished(State.COMPLETE);

    Task task = engine.getTask(id);
    assertThat(task.state()).isEqualTo(State.CANCELED);
    assertThat(task.logs().get(0).logs().get(0).exitCode()).isEqualTo(137);
    assertThat(task.logs().get(0).endTime()).isNotNull();
  }

  @Test
  void cancelIsIdempotentWhileCanceling() {
    String id = engine.createTask(Tasks.named("a"));
    backend.run(id);

    engine.cancelTask(id);
    engine.cancelTask(id);
    engine.cancelTask(id);

    assertThat(state(id)).isEqualTo(State.CANCELING);
    assertThat(backend.cancelled).containsExactly("handle-" + id);
  }

  @ParameterizedTest
  @EnumSource(value = State.class, names = {"COMPLETE", "EXECUTOR_ERROR", "SYSTEM_ERROR", "PREEMPTED", "CANCELED"})
  void cancellingAFinishedTaskChangesNothing(State end) {
    String id = engine.createTask(Tasks.named("a"));
    backend.run(id);
    backend.events(id).finished(end);
    Task before = engine.getTask(id);

    engine.cancelTask(id);
    engine.cancelTask(id);

    assertThat(engine.getTask(id)).isEqualTo(before);
    assertThat(backend.cancelled).isEmpty();
  }

  @Test
  void aCancelWhileTheBackendIsStartingIsSentOnceTheHandleIsKnown() {
    backend.duringStart = (task, events) -> engine.cancelTask(task.id());

    String id = engine.createTask(Tasks.named("a"));

    assertThat(state(id)).isEqualTo(State.CANCELING);
    assertThat(backend.cancelled).containsExactly("handle-" + id);
  }

  @Test
  void aStartFailureWhileCancelingEndsCanceled() {
    backend.duringStart = (task, events) -> engine.cancelTask(task.id());
    backend.failStart = new BackendException("refused");

    String id = engine.createTask(Tasks.named("a"));

    Task task = engine.getTask(id);
    assertThat(task.state()).isEqualTo(State.CANCELED);
    assertThat(task.logs().get(0).systemLogs()).containsExactly("the backend FakeBackend could not start the task: refused");
    assertThat(backend.cancelled).isEmpty();
  }

  @Test
  void unknownIdsAreTaskNotFound() {
    assertThatThrownBy(() -> engine.getTask("nope", View.FULL))
        .isInstanceOf(TaskNotFoundException.class)
        .hasMessage("task not found: nope");
    assertThatThrownBy(() -> engine.cancelTask("nope")).isInstanceOf(TaskNotFoundException.class);
    assertThatThrownBy(() -> engine.await("nope", Duration.ofSeconds(1))).isInstanceOf(TaskNotFoundException.class);
    assertThat(catchThrowableOfType(TaskNotFoundException.class, () -> engine.getTask("x", null)).statusCode())
        .isEqualTo(404);
  }
}
