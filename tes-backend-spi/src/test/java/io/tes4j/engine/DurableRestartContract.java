package io.tes4j.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.api.ListTasksRequest;
import io.tes4j.api.TesClientException;
import io.tes4j.model.ExecutorLog;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.TaskLog;
import io.tes4j.model.View;
import io.tes4j.spi.TaskEvents;
import io.tes4j.store.TaskStoreInUseException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A real restart on a durable store that the engine opens from its {@code store} setting: a first
 * engine leaves tasks in every kind of state and is closed; a second engine, opened on the same
 * database, shows each task as it was, takes up the started ones (resumed, or ended SYSTEM_ERROR
 * with the reason by a backend that cannot resume) and runs the queued ones. Each database's test
 * extends this class.
 */
abstract class DurableRestartContract {
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** Sets the durable store on {@code builder}, the same database each time within a test. */
  protected abstract TesEngine.Builder onTheStore(TesEngine.Builder builder);

  /** The {@code fake:} backend URI with the same store in its query, e.g. {@code fake:?store=jdbc:...}. */
  protected abstract String fakeUriOnTheStore();

  /** The tasks the first engine left, and each as it showed it (FULL) before it was closed. */
  record Left(String done, String failed, String running, String initializing, String queued1, String queued2,
      String canceled, Map<String, Task> shown) {
    List<String> ids() {
      return List.of(done, failed, running, initializing, queued1, queued2, canceled);
    }
  }

  /**
   * A first engine over {@code backend} with at most 2 tasks running: one task completes, one fails
   * (exit 3), one runs (its executor started), one is still initializing, two wait behind the limit
   * and one was cancelled while queued. Then it is closed.
   */
  Left leaveTasks(FakeBackend backend) {
    try (TesEngine engine = onTheStore(TesEngine.builder().engineExecutor(Runnable::run).backend(backend).maxRunning(2)).build()) {
      String done = engine.createTask(Tasks.named("done"));
      backend.complete(done);
      String failed = engine.createTask(Tasks.named("failed"));
      TaskEvents events = backend.events(failed);
      events.running();
      events.executorStarted(0, Instant.parse("2026-11-22T10:00:01Z"));
      events.executorFinished(0, Instant.parse("2026-11-22T10:00:02Z"), 3, "", "boom");
      events.finished(State.EXECUTOR_ERROR);
      String running = engine.createTask(Tasks.named("running"));
      backend.run(running);
      backend.events(running).executorStarted(0, Instant.parse("2026-11-22T10:00:03Z"));
      String initializing = engine.createTask(Tasks.named("initializing"));
      String queued1 = engine.createTask(Tasks.named("queued 1"));
      String queued2 = engine.createTask(Tasks.named("queued 2"));
      String canceled = engine.createTask(Tasks.named("canceled"));
      engine.cancelTask(canceled);

      Map<String, Task> shown = new LinkedHashMap<>();
      for (String id : List.of(done, failed, running, initializing, queued1, queued2, canceled)) {
        shown.put(id, engine.getTask(id, View.FULL));
      }
      assertThat(shown.values()).extracting(Task::state).containsExactly(State.COMPLETE, State.EXECUTOR_ERROR,
          State.RUNNING, State.INITIALIZING, State.QUEUED, State.QUEUED, State.CANCELED);
      return new Left(done, failed, running, initializing, queued1, queued2, canceled, shown);
    }
  }

  private static List<String> allIds(TesEngine engine) {
    return engine.listTasks(ListTasksRequest.all()).tasks().stream().map(Task::id).collect(Collectors.toList());
  }

  @Test
  void aBackendThatResumesTakesUpTheStartedTasksAndTheQueuedOnesRunWhenTheyEnd() {
    FakeBackend backend = FakeBackend.resuming(); // its tasks outlive the engine, as a cluster's do
    Left left = leaveTasks(backend);

    try (TesEngine engine = onTheStore(TesEngine.builder().engineExecutor(Runnable::run).backend(backend).maxRunning(2)).build()) {
      for (String id : left.ids()) {
        assertThat(engine.getTask(id, View.FULL)).as("task %s as the first engine showed it", id)
            .isEqualTo(left.shown().get(id));
      }
      assertThat(allIds(engine)).containsExactlyElementsOf(reversed(left.ids()));
      assertThat(backend.resumed).containsExactly("handle-" + left.running(), "handle-" + left.initializing());
      assertThat(backend.startedIds).hasSize(4); // the two queued ones wait: the resumed two hold the slots

      TaskEvents running = backend.events(left.running());
      running.executorFinished(0, Instant.parse("2026-11-22T10:00:09Z"), 0, "finished after the restart", "");
      running.finished(State.COMPLETE);
      Task finished = engine.await(left.running(), WAIT);
      assertThat(finished.state()).isEqualTo(State.COMPLETE);
      TaskLog log = finished.logs().get(0);
      assertThat(log.startTime()).isEqualTo(left.shown().get(left.running()).logs().get(0).startTime());
      assertThat(log.endTime()).isNotNull();
      assertThat(log.logs()).singleElement().satisfies(executor -> {
        assertThat(executor.startTime()).isEqualTo("2026-11-22T10:00:03.000Z");
        assertThat(executor.stdout()).isEqualTo("finished after the restart");
      });

      backend.awaitStarted(5);
      assertThat(backend.startedIds.get(4)).isEqualTo(left.queued1());
      backend.complete(left.queued1());
      backend.complete(left.initializing());
      backend.awaitStarted(6);
      assertThat(backend.startedIds.get(5)).isEqualTo(left.queued2());
      backend.complete(left.queued2());
      for (String id : List.of(left.initializing(), left.queued1(), left.queued2())) {
        assertThat(engine.await(id, WAIT).state()).isEqualTo(State.COMPLETE);
      }
    }

    try (TesEngine engine = onTheStore(TesEngine.builder().engineExecutor(Runnable::run).backend(new FakeBackend())).build()) {
      assertThat(engine.listTasks(ListTasksRequest.builder().view(View.MINIMAL).build()).tasks())
          .extracting(Task::state)
          .containsExactly(State.CANCELED, State.COMPLETE, State.COMPLETE, State.COMPLETE, State.COMPLETE,
              State.EXECUTOR_ERROR, State.COMPLETE);
      String next = engine.createTask(Tasks.named("after two restarts"));
      assertThat(allIds(engine).get(0)).as("new ids still sort after the stored ones").isEqualTo(next);
    }
  }

  @Test
  void aBackendWithoutResumeEndsTheStartedTasksSayingWhyAndRunsTheQueuedOnes() {
    Left left = leaveTasks(new FakeBackend());

    try (TesEngine engine = TesEngine.open(fakeUriOnTheStore() + "&maxRunning=2")) {
      FakeBackend backend = FakeBackendProvider.lastBackend; // a new backend, which cannot resume
      for (String id : List.of(left.done(), left.failed(), left.canceled())) {
        assertThat(engine.getTask(id, View.FULL)).isEqualTo(left.shown().get(id));
      }
      for (String id : List.of(left.running(), left.initializing())) {
        Task lost = engine.getTask(id, View.FULL);
        Task before = left.shown().get(id);
        assertThat(lost.state()).isEqualTo(State.SYSTEM_ERROR);
        TaskLog log = lost.logs().get(0);
        assertThat(log.systemLogs())
            .containsExactly("the engine restarted and the backend fake cannot re-attach to running tasks");
        assertThat(log.startTime()).isEqualTo(before.logs().get(0).startTime());
        assertThat(log.endTime()).isNotNull();
        assertThat(log.logs()).isEqualTo(before.logs().get(0).logs());
      }
      assertThat(engine.getTask(left.running(), View.FULL).logs().get(0).logs())
          .extracting(ExecutorLog::startTime).containsExactly("2026-11-22T10:00:03.000Z");

      backend.awaitStarted(2);
      assertThat(backend.startedIds).containsExactlyInAnyOrder(left.queued1(), left.queued2());
      backend.complete(left.queued1());
      backend.complete(left.queued2());
      assertThat(engine.await(left.queued1(), WAIT).state()).isEqualTo(State.COMPLETE);
      assertThat(engine.await(left.queued2(), WAIT).state()).isEqualTo(State.COMPLETE);
      assertThat(engine.listTasks(ListTasksRequest.builder().state(State.SYSTEM_ERROR).build()).tasks())
          .extracting(Task::id).containsExactly(left.initializing(), left.running());
    }
  }

  /**
   * One engine per store: a second engine on the same database fails at build, saying that
   * another engine holds the store, and closes its backend; the first goes on. Once the first is
   * closed, the next engine builds and finds its tasks.
   */
  @Test
  void aSecondEngineOnTheStoreFailsAtBuildUntilTheFirstIsClosed() {
    String id;
    try (TesEngine first = onTheStore(TesEngine.builder().engineExecutor(Runnable::run).backend(new FakeBackend())).build()) {
      id = first.createTask(Tasks.named("before the second engine"));
      FakeBackend secondBackend = new FakeBackend();

      assertThatThrownBy(() -> onTheStore(TesEngine.builder().engineExecutor(Runnable::run).backend(secondBackend)).build())
          .isInstanceOf(TesClientException.class)
          .hasMessageStartingWith("the store ")
          .hasMessageContaining("another engine holds the task store")
          .hasRootCauseInstanceOf(TaskStoreInUseException.class);
      assertThat(secondBackend.closed).as("the second engine's backend").isTrue();

      String after = first.createTask(Tasks.named("after the second engine failed"));
      assertThat(first.getTask(after, View.MINIMAL).state()).isEqualTo(State.INITIALIZING);
    }
    try (TesEngine next = onTheStore(TesEngine.builder().engineExecutor(Runnable::run).backend(new FakeBackend())).build()) {
      assertThat(next.getTask(id, View.BASIC).name()).isEqualTo("before the second engine");
    }
  }

  private static List<String> reversed(List<String> ids) {
    List<String> out = new java.util.ArrayList<>(ids);
    java.util.Collections.reverse(out);
    return out;
  }
}
