package io.tes4j.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.api.ListTasksRequest;
import io.tes4j.api.TesClient;
import io.tes4j.api.TesClientException;
import io.tes4j.engine.TesEngine;
import io.tes4j.model.Executor;
import io.tes4j.model.ExecutorLog;
import io.tes4j.model.OutputFileLog;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import io.tes4j.spi.Backend;
import io.tes4j.spi.Capabilities;
import io.tes4j.spi.TaskEvents;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real restarts of an engine over the mock backend on a SQLite file: the first engine is closed,
 * a new one is opened on the same file, and shows every task as it was; the running tasks are
 * resumed and finish, or, on a new mock that never ran them, end SYSTEM_ERROR saying why; queued
 * ones run. And {@code TesClient.connect("mock:?store=jdbc:sqlite:...")} end to end.
 */
class MockRestartTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  private final MockBackend mock = MockBackend.builder().delay(Duration.ZERO).build();
  private final Outliving backend = new Outliving(mock);

  @AfterEach
  void closeTheMock() {
    mock.close();
  }

  private String sqlite() {
    return "jdbc:sqlite:" + dir.resolve("tasks.db");
  }

  private static Task task(String name) {
    return Task.builder().name(name).addExecutor(Executor.of("alpine:3.20", "echo", name)).build();
  }

  /**
   * The mock behind a backend that the engine's close leaves running, as a cluster's tasks outlive
   * the engine that started them (MockBackend resumes only the tasks it runs itself, and stops them
   * when it is closed). It counts the executors started, so the test knows when a hanging task has
   * reported all it will.
   */
  static final class Outliving implements Backend {
    final MockBackend mock;
    final Semaphore executorsStarted = new Semaphore(0);

    Outliving(MockBackend mock) {
      this.mock = mock;
    }

    /** Waits until {@code count} more executors have started. */
    void awaitExecutorsStarted(int count) throws InterruptedException {
      assertThat(executorsStarted.tryAcquire(count, WAIT.toSeconds(), TimeUnit.SECONDS))
          .as("%d executors started", count).isTrue();
    }

    @Override
    public Capabilities capabilities() {
      return mock.capabilities();
    }

    @Override
    public String start(Task task, TaskEvents events) {
      return mock.start(task, new CountingEvents(events, executorsStarted));
    }

    @Override
    public void cancel(String handle) {
      mock.cancel(handle);
    }

    @Override
    public boolean resume(String handle, Task task, TaskEvents events) {
      return mock.resume(handle, task, events);
    }

    /** Leaves the mock running; the test closes it. */
    @Override
    public void close() {}
  }

  /** Passes every event on, and counts the executors started after passing that one on. */
  private record CountingEvents(TaskEvents events, Semaphore executorsStarted) implements TaskEvents {
    @Override
    public void initializing() {
      events.initializing();
    }

    @Override
    public void running() {
      events.running();
    }

    @Override
    public void executorStarted(int index, Instant startTime) {
      events.executorStarted(index, startTime);
      executorsStarted.release();
    }

    @Override
    public void executorFinished(int index, Instant endTime, int exitCode, String stdoutTail, String stderrTail) {
      events.executorFinished(index, endTime, exitCode, stdoutTail, stderrTail);
    }

    @Override
    public void outputs(List<OutputFileLog> outputs) {
      events.outputs(outputs);
    }

    @Override
    public void systemLog(String message) {
      events.systemLog(message);
    }

    @Override
    public void metadata(String key, String value) {
      events.metadata(key, value);
    }

    @Override
    public void finished(State state) {
      events.finished(state);
    }

    @Override
    public void failed(String systemLog) {
      events.failed(systemLog);
    }
  }

  /** The ids of the tasks a first engine left, and each task as it showed it before its close. */
  private record Left(String done, String failed, String hang1, String hang2, String queued1, String queued2,
      String canceled, Map<String, Task> shown) {}

  /**
   * A first engine over the outliving mock, at most 2 tasks running, on the SQLite file: one task
   * completes, one fails, two hang (running), two wait behind them, one is cancelled while queued.
   * Then it is closed, and with it the store it opened.
   */
  private Left leaveTasks() throws InterruptedException {
    mock.onName("hang", Outcome.hang()).onName("fail", Outcome.fail(3).withStderr("boom"));
    try (TesEngine engine = TesEngine.builder().backend(backend).store(sqlite()).maxRunning(2).build()) {
      String done = engine.createTask(task("done"));
      assertThat(engine.await(done, WAIT).state()).isEqualTo(State.COMPLETE);
      String failed = engine.createTask(task("fail"));
      assertThat(engine.await(failed, WAIT).state()).isEqualTo(State.EXECUTOR_ERROR);
      String hang1 = engine.createTask(task("hang"));
      String hang2 = engine.createTask(task("hang"));
      backend.awaitExecutorsStarted(4); // done's, fail's and both hanging ones: they report nothing more
      for (String hanging : List.of(hang1, hang2)) { // the engine applies reports a moment after they are made
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (engine.getTask(hanging, View.MINIMAL).state() != State.RUNNING) {
          assertThat(System.nanoTime()).as("task %s shown RUNNING within %s", hanging, WAIT).isLessThan(deadline);
          Thread.sleep(5);
        }
      }
      String queued1 = engine.createTask(task("queued 1"));
      String queued2 = engine.createTask(task("queued 2"));
      String canceled = engine.createTask(task("canceled"));
      engine.cancelTask(canceled);

      Map<String, Task> shown = new LinkedHashMap<>();
      for (String id : List.of(done, failed, hang1, hang2, queued1, queued2, canceled)) {
        shown.put(id, engine.getTask(id, View.FULL));
      }
      assertThat(shown.values()).extracting(Task::state).containsExactly(State.COMPLETE, State.EXECUTOR_ERROR,
          State.RUNNING, State.RUNNING, State.QUEUED, State.QUEUED, State.CANCELED);
      return new Left(done, failed, hang1, hang2, queued1, queued2, canceled, shown);
    }
  }

  @Test
  void aNewEngineOnTheFileResumesTheRunningTasksAndRunsTheQueuedOnesAfterThem() throws Exception {
    Left left = leaveTasks();

    try (TesEngine engine = TesEngine.builder().backend(backend).store(sqlite()).maxRunning(2).build()) {
      left.shown().forEach((id, before) ->
          assertThat(engine.getTask(id, View.FULL)).as("task %s as the first engine showed it", id).isEqualTo(before));
      assertThat(engine.getTask(left.failed()).logs().get(0).logs())
          .extracting(ExecutorLog::exitCode, ExecutorLog::stderr).containsExactly(org.assertj.core.groups.Tuple.tuple(3, "boom"));

      mock.finish(left.hang1(), Outcome.complete().withStdout("finished after the restart"));
      Task finished = engine.await(left.hang1(), WAIT);
      assertThat(finished.state()).isEqualTo(State.COMPLETE);
      assertThat(finished.logs().get(0).startTime()).isEqualTo(left.shown().get(left.hang1()).logs().get(0).startTime());
      assertThat(finished.logs().get(0).logs()).singleElement().satisfies(log -> {
        assertThat(log.startTime()).isEqualTo(left.shown().get(left.hang1()).logs().get(0).logs().get(0).startTime());
        assertThat(log.stdout()).isEqualTo("finished after the restart");
        assertThat(log.exitCode()).isZero();
      });
      assertThat(engine.await(left.queued1(), WAIT).state()).isEqualTo(State.COMPLETE);

      mock.finish(left.hang2(), Outcome.fail(2));
      assertThat(engine.await(left.hang2(), WAIT).state()).isEqualTo(State.EXECUTOR_ERROR);
      assertThat(engine.await(left.queued2(), WAIT).state()).isEqualTo(State.COMPLETE);
      assertThat(mock.received()).extracting(Task::name)
          .as("no task started twice").containsExactly("done", "fail", "hang", "hang", "queued 1", "queued 2");
    }
  }

  @Test
  void aNewMockThatNeverRanTheTasksEndsThemSystemErrorAndRunsTheQueuedOnes() throws Exception {
    Left left = leaveTasks();

    try (TesClient client = TesClient.connect("mock:?delay=0&maxRunning=2&store=" + sqlite())) {
      for (String id : List.of(left.done(), left.failed(), left.canceled())) {
        assertThat(client.getTask(id)).isEqualTo(left.shown().get(id));
      }
      for (String id : List.of(left.hang1(), left.hang2())) {
        Task lost = client.getTask(id);
        assertThat(lost.state()).isEqualTo(State.SYSTEM_ERROR);
        assertThat(lost.logs().get(0).systemLogs()).singleElement().asString()
            .startsWith("the engine restarted and the backend mock (tes-testing) no longer knows the task (handle mock-");
        assertThat(lost.logs().get(0).logs()).isEqualTo(left.shown().get(id).logs().get(0).logs());
        assertThat(lost.logs().get(0).endTime()).isNotNull();
      }
      assertThat(client.await(left.queued1(), WAIT).state()).isEqualTo(State.COMPLETE);
      assertThat(client.await(left.queued2(), WAIT).state()).isEqualTo(State.COMPLETE);
    }
  }

  @Test
  void connectWithAStoreInTheUriKeepsTheTasksFromOneClientToTheNext() {
    String uri = "mock:?delay=0&store=" + sqlite();
    String id;
    try (TesClient client = TesClient.connect(uri)) {
      assertThat(client).hasToString("TesEngine[backend=mock (tes-testing), store=JdbcTaskStore[SQLite " + sqlite()
          + "], unfinished=0]");
      id = client.createTask(task("kept"));
      assertThat(client.await(id, WAIT).state()).isEqualTo(State.COMPLETE);
    }

    try (TesClient client = TesClient.connect(uri)) {
      Task kept = client.getTask(id);
      assertThat(kept.state()).isEqualTo(State.COMPLETE);
      assertThat(kept.logs().get(0).logs()).extracting(ExecutorLog::exitCode).containsExactly(0);
      assertThat(client.listTasks(ListTasksRequest.all()).tasks().stream().map(Task::id).collect(Collectors.toList()))
          .containsExactly(id);
    }

    assertThatThrownBy(() -> TesClient.connect(uri + "&maxRuning=2"))
        .isInstanceOf(TesClientException.class)
        .hasMessage("backend URI mock:?...: unknown parameter maxRuning; mock: knows allowHosts, allowSchemes,"
            + " backend_parameters, delay, fileRoots, privateAddresses, record;"
            + " the engine takes maxQueued, maxRunning, store, store.password, store.user, tagLimit.KEY;"
            + " maxRuning: did you mean maxRunning?");
    assertThatThrownBy(() -> TesClient.connect("mock:?store=" + dir.resolve("tasks.db")))
        .isInstanceOf(TesClientException.class)
        .hasMessage("backend URI mock:?...: store must be memory (the default), jdbc:sqlite:PATH or"
            + " jdbc:postgresql://HOST:PORT/DB, was '" + dir.resolve("tasks.db") + "'");
  }
}
