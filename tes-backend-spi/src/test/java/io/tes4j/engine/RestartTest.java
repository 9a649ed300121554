package io.tes4j.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.api.ListTasksRequest;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import io.tes4j.store.MemoryTaskStore;
import io.tes4j.store.StoredTask;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A second engine built on the store of the first: what it queues again, resumes or ends. */
class RestartTest {
  private final MemoryTaskStore store = new MemoryTaskStore();

  private static State state(TesEngine engine, String id) {
    return engine.getTask(id, View.MINIMAL).state();
  }

  @Test
  void queuedTasksQueueAgainAndStartOnTheNewEngine() {
    FakeBackend first = new FakeBackend();
    String running;
    String queued1;
    String queued2;
    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(first).store(store).maxRunning(1).build()) {
      running = engine.createTask(Tasks.named("running"));
      queued1 = engine.createTask(Tasks.named("q1"));
      queued2 = engine.createTask(Tasks.named("q2"));
      first.run(running);
    }
    assertThat(first.closed).isTrue();

    FakeBackend second = FakeBackend.resuming();
    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(second).store(store).maxRunning(1).build()) {
      // The running task is unknown to the new backend: it ends SYSTEM_ERROR, and q1 takes its slot.
      Task lost = engine.getTask(running);
      assertThat(lost.state()).isEqualTo(State.SYSTEM_ERROR);
      assertThat(lost.logs().get(0).systemLogs()).containsExactly(
          "the engine restarted and the backend FakeBackend no longer knows the task (handle handle-" + running + ")");
      second.awaitStarted(1);
      assertThat(second.startedIds).containsExactly(queued1);
      assertThat(state(engine, queued2)).isEqualTo(State.QUEUED);
      second.complete(queued1);
      second.awaitStarted(2);
      assertThat(second.startedIds).containsExactly(queued1, queued2);
    }
  }

  @Test
  void aBackendThatResumesReattachesToRunningTasks() {
    FakeBackend backend = FakeBackend.resuming();
    String running;
    String initializing;
    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(backend).store(store).build()) {
      running = engine.createTask(Tasks.named("running"));
      initializing = engine.createTask(Tasks.named("initializing"));
      backend.run(running);
    }

    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(backend).store(store).build()) {
      assertThat(backend.resumed).containsExactlyInAnyOrder("handle-" + running, "handle-" + initializing);
      assertThat(state(engine, running)).isEqualTo(State.RUNNING);
      assertThat(state(engine, initializing)).isEqualTo(State.INITIALIZING);

      backend.complete(initializing); // reported through the new engine's events
      backend.events(running).finished(State.EXECUTOR_ERROR);

      assertThat(engine.await(initializing, Duration.ofSeconds(10)).state()).isEqualTo(State.COMPLETE);
      assertThat(engine.await(running, Duration.ofSeconds(10)).state()).isEqualTo(State.EXECUTOR_ERROR);
      String next = engine.createTask(Tasks.named("after the restart"));
      assertThat(next).isGreaterThan(initializing);
    }
  }

  @Test
  void aResumedCancelingTaskIsCancelledAgainAndEndsCanceled() {
    FakeBackend backend = FakeBackend.resuming();
    String id;
    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(backend).store(store).build()) {
      id = engine.createTask(Tasks.named("a"));
      backend.run(id);
      engine.cancelTask(id);
    }
    backend.cancelled.clear();

    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(backend).store(store).build()) {
      assertThat(state(engine, id)).isEqualTo(State.CANCELING);
      assertThat(backend.cancelled).containsExactly("handle-" + id);
      backend.events(id).finished(State.SYSTEM_ERROR);
      assertThat(state(engine, id)).isEqualTo(State.CANCELED);
    }
  }

  @Test
  void aBackendThatCannotResumeHasItsStartedTasksEndedWithTheReason() {
    FakeBackend backend = new FakeBackend(); // Capabilities.basic(): no resume
    String running;
    String canceling;
    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(backend).store(store).build()) {
      running = engine.createTask(Tasks.named("running"));
      backend.run(running);
      canceling = engine.createTask(Tasks.named("canceling"));
      engine.cancelTask(canceling);
    }

    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(backend).store(store).build()) {
      for (String id : List.of(running, canceling)) {
        Task task = engine.getTask(id);
        assertThat(task.state()).isEqualTo(State.SYSTEM_ERROR);
        assertThat(task.logs().get(0).systemLogs())
            .containsExactly("the engine restarted and the backend FakeBackend cannot re-attach to running tasks");
        assertThat(task.logs().get(0).endTime()).isNotNull();
      }
      assertThat(backend.resumed).isEmpty();
      assertThat(engine.listTasks(ListTasksRequest.builder().state(State.SYSTEM_ERROR).build()).tasks()).hasSize(2);
    }
  }

  @Test
  void aStartedTaskWithoutAHandleIsNotStartedTwice() {
    FakeBackend backend = FakeBackend.resuming();
    String id;
    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(backend).store(store).build()) {
      id = engine.createTask(Tasks.named("a"));
    }
    // As if the engine had stopped while the backend's start was running: INITIALIZING, no handle.
    store.update(new StoredTask(store.get(id).orElseThrow().task(), null));

    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(backend).store(store).build()) {
      Task task = engine.getTask(id);
      assertThat(task.state()).isEqualTo(State.SYSTEM_ERROR);
      assertThat(task.logs().get(0).systemLogs()).singleElement().asString()
          .startsWith("the engine restarted while the backend FakeBackend was starting the task")
          .endsWith("not started again, since it may already be running");
      assertThat(backend.startedIds).containsExactly(id);
    }
  }

  @Test
  void aResumeThatThrowsEndsTheTaskWithTheMessage() {
    FakeBackend backend = new FakeBackend(FakeBackend.resuming().capabilities) {
      @Override
      public boolean resume(String handle, Task task, io.tes4j.spi.TaskEvents events) {
        throw new io.tes4j.api.BackendException("cluster unreachable");
      }
    };
    String id;
    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(backend).store(store).build()) {
      id = engine.createTask(Tasks.named("a"));
    }

    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(backend).store(store).build()) {
      assertThat(engine.getTask(id).logs().get(0).systemLogs()).singleElement().asString()
          .endsWith("failed to re-attach to the task (handle handle-" + id + "): cluster unreachable");
    }
  }
}
