package io.tes4j.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.engine.TesEngine;
import io.tes4j.model.Executor;
import io.tes4j.model.ExecutorLog;
import io.tes4j.model.Output;
import io.tes4j.model.OutputFileLog;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import io.tes4j.store.MemoryTaskStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mock backend under a real engine: default runs, scripted outcomes, recordings, cancel, resume. */
class MockBackendTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final MockBackend mock = MockBackend.builder().delay(Duration.ZERO).build();
  // Tasks start on createTask's thread: the mock has each one when createTask returns.
  private final TesEngine engine = TesEngine.builder().backend(mock).engineExecutor(Runnable::run).build();

  @AfterEach
  void close() {
    engine.close();
  }

  private static Task task(String name) {
    return Task.builder().name(name)
        .addExecutor(Executor.of("alpine", "echo", "1"))
        .addExecutor(Executor.of("alpine", "echo", "2"))
        .addOutput(Output.of("/out/a", "s3://b/a"))
        .build();
  }

  @Test
  void anUnscriptedTaskCompletesWithEveryExecutorExitingZero() {
    List<State> states = new ArrayList<>();
    try (TesEngine watched = TesEngine.builder().backend(MockBackend.builder().delay(Duration.ofMillis(5)).build())
        .listener((id, from, to) -> states.add(to)).build()) {
      String id = watched.createTask(task("plain"));

      Task done = watched.await(id, WAIT);

      assertThat(done.state()).isEqualTo(State.COMPLETE);
      assertThat(done.logs().get(0).logs()).extracting(ExecutorLog::exitCode).containsExactly(0, 0);
      assertThat(done.logs().get(0).logs()).allSatisfy(log -> {
        assertThat(log.startTime()).isNotNull();
        assertThat(log.endTime()).isNotNull();
      });
      assertThat(done.logs().get(0).outputs()).containsExactly(OutputFileLog.of("s3://b/a", "/out/a", 0));
      assertThat(states).containsExactly(State.QUEUED, State.INITIALIZING, State.RUNNING, State.COMPLETE);
    }
  }

  @Test
  void outcomesByNameTagAndPredicateTheFirstRuleWins() {
    mock.onName("fails", Outcome.fail(3).withStderr("bad input").withStdout("partial"))
        .onTag("kind", "broken", Outcome.systemError("disk full"))
        .on(t -> t.name() != null && t.name().startsWith("spot"), Outcome.preempted())
        .onName("fails", Outcome.complete());

    Task failed = engine.await(engine.createTask(task("fails")), WAIT);
    Task broken = engine.await(engine.createTask(task("x").toBuilder().tag("kind", "broken").build()), WAIT);
    Task spot = engine.await(engine.createTask(task("spot-1")), WAIT);

    assertThat(failed.state()).isEqualTo(State.EXECUTOR_ERROR);
    assertThat(failed.logs().get(0).logs()).containsExactly(
        new ExecutorLog(failed.logs().get(0).logs().get(0).startTime(), failed.logs().get(0).logs().get(0).endTime(),
            "partial", "bad input", 3));
    assertThat(broken.state()).isEqualTo(State.SYSTEM_ERROR);
    assertThat(broken.logs().get(0).systemLogs()).containsExactly("disk full");
    assertThat(spot.state()).isEqualTo(State.PREEMPTED);
  }

  @Test
  void anIgnoredErrorLetsTheNextExecutorsRun() {
    mock.defaultOutcome(Outcome.fail(1));
    Task task = Task.builder()
        .addExecutor(Executor.builder().image("alpine").command("false").ignoreError(true).build())
        .addExecutor(Executor.of("alpine", "true"))
        .build();

    Task done = engine.await(engine.createTask(task), WAIT);

    assertThat(done.state()).isEqualTo(State.COMPLETE);
    assertThat(done.logs().get(0).logs()).extracting(ExecutorLog::exitCode).containsExactly(1, 0);
  }

  @Test
  void enqueuedOutcomesGoToTheNextTasksInTurn() {
    mock.enqueue(Outcome.fail(1), Outcome.fail(2));

    List<Integer> exits = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Task done = engine.await(engine.createTask(task("t" + i)), WAIT);
      exits.add(done.logs().get(0).logs().get(0).exitCode());
    }

    assertThat(exits).containsExactly(1, 2, 0);
  }

  @Test
  void aRefusedTaskEndsSystemErrorWithTheReason() {
    mock.onName("nope", Outcome.refuse("no capacity"));

    Task done = engine.await(engine.createTask(task("nope")), WAIT);

    assertThat(done.state()).isEqualTo(State.SYSTEM_ERROR);
    assertThat(done.logs().get(0).systemLogs()).containsExactly("the backend MockBackend could not start the task: no capacity");
  }

  @Test
  void receivedTasksAreRecordedAndCanBeTaken() {
    String a = engine.createTask(task("a"));
    String b = engine.createTask(task("b"));

    assertThat(mock.take(WAIT).id()).isEqualTo(a);
    assertThat(mock.take().id()).isEqualTo(b);
    assertThat(mock.received()).extracting(Task::name).containsExactly("a", "b");
    assertThatThrownBy(() -> mock.take(Duration.ofMillis(1)))
        .isInstanceOf(AssertionError.class)
        .hasMessage("no task reached the mock backend within PT0.001S");

    mock.reset();
    assertThat(mock.received()).isEmpty();
  }

  @Test
  void aHangingTaskRunsUntilCancelled() {
    mock.onName("stuck", Outcome.hang());
    String id = engine.createTask(task("stuck"));
    mock.take(WAIT);
    CompletableFuture<Task> end = engine.async().await(id, WAIT);

    engine.cancelTask(id);

    Task done = end.join();
    assertThat(done.state()).isEqualTo(State.CANCELED);
    assertThat(done.logs().get(0).logs().get(0).exitCode()).isEqualTo(143);
    assertThat(mock.cancelled()).containsExactly(id);
  }

  @Test
  void finishEndsARunningTaskNow() {
    mock.defaultOutcome(Outcome.hang());
    String id = engine.createTask(task("a"));
    mock.take(WAIT);

    mock.finish(id, Outcome.fail(9));

    assertThat(engine.await(id, WAIT).state()).isEqualTo(State.EXECUTOR_ERROR);
    assertThatThrownBy(() -> mock.finish(id, Outcome.complete()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("task " + id + " is not running on this mock backend");
    assertThatThrownBy(() -> mock.finish(id, Outcome.hang())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aDelayedOutcomeWaitsItsDelay() {
    mock.onName("slow", Outcome.complete().withDelay(Duration.ofHours(1)));
    String id = engine.createTask(task("slow"));
    mock.take(WAIT);

    assertThat(engine.getTask(id, View.MINIMAL).state()).isIn(State.INITIALIZING, State.RUNNING);
    mock.finish(id, Outcome.complete());
    assertThat(engine.await(id, WAIT).state()).isEqualTo(State.COMPLETE);
  }

  private static void awaitHandleStored(MemoryTaskStore store, String id) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (store.get(id).orElseThrow().handle() == null) {
      assertThat(System.nanoTime()).as("the handle of task %s stored within %s", id, WAIT).isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  @Test
  void aNewEngineOnTheSameStoreAndMockResumesItsTasks() throws InterruptedException {
    MemoryTaskStore store = new MemoryTaskStore();
    MockBackend shared = MockBackend.builder().delay(Duration.ZERO).build();
    shared.defaultOutcome(Outcome.hang());
    TesEngine crashed = TesEngine.builder().backend(shared).store(store).build(); // never closed: a crash
    String id = crashed.createTask(task("long"));
    shared.take(WAIT);
    assertThat(crashed.getTask(id, View.MINIMAL).state()).isIn(State.INITIALIZING, State.RUNNING);
    // The mock has the task as soon as its start is called; the engine stores the handle the start
    // returns with the mock's first reports (RUNNING). A crash before the handle is stored would
    // rightly end the task SYSTEM_ERROR on restart; the crash here comes once both are.
    awaitHandleStored(store, id);
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (store.get(id).orElseThrow().task().state() != State.RUNNING) {
      assertThat(System.nanoTime()).as("RUNNING stored within %s", WAIT).isLessThan(deadline);
      Thread.sleep(5);
    }

    try (TesEngine restarted = TesEngine.builder().backend(shared).store(store).build()) {
      shared.finish(id, Outcome.complete());
      assertThat(restarted.await(id, WAIT).state()).isEqualTo(State.COMPLETE);
      assertThat(crashed.getTask(id, View.MINIMAL).state()).isEqualTo(State.COMPLETE); // one store
    }
    crashed.close();
  }

  @Test
  void aReopenedMockResumesTheTasksOfTheClosedOneAndKeepsItsScript() throws InterruptedException {
    MemoryTaskStore store = new MemoryTaskStore();
    MockBackend first = MockBackend.builder().delay(Duration.ZERO).build();
    first.onName("stuck", Outcome.hang()).onName("slow", Outcome.complete().withDelay(Duration.ofHours(1)))
        .onName("bad", Outcome.fail(4));
    String stuck;
    String slow;
    CountDownLatch running = new CountDownLatch(2);
    try (TesEngine before = TesEngine.builder().backend(first).store(store).engineExecutor(Runnable::run)
        .listener((id, from, to) -> {
          if (to == State.RUNNING) {
            running.countDown();
          }
        }).build()) {
      stuck = before.createTask(task("stuck"));
      slow = before.createTask(task("slow"));
      assertThat(running.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    }
    assertThatThrownBy(() -> mock.reopen())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("close this mock backend");

    MockBackend second = first.reopen();
    try (TesEngine after = TesEngine.builder().backend(second).store(store).engineExecutor(Runnable::run).build()) {
      assertThat(after.getTask(stuck, View.MINIMAL).state()).isEqualTo(State.RUNNING);
      assertThat(after.getTask(slow, View.MINIMAL).state()).isEqualTo(State.RUNNING);

      after.cancelTask(stuck);
      second.finish(slow, Outcome.complete());

      assertThat(after.await(stuck, WAIT).state()).isEqualTo(State.CANCELED);
      assertThat(after.await(slow, WAIT).state()).isEqualTo(State.COMPLETE);
      assertThat(second.cancelled()).containsExactly(stuck);
      assertThat(after.await(after.createTask(task("bad")), WAIT).state()).isEqualTo(State.EXECUTOR_ERROR);
      assertThat(second.received()).extracting(Task::name).containsExactly("bad");
    }
  }

  @Test
  void filesOfAnOutcomeAreWrittenToFileOutputsWithTheirSize(@TempDir Path tmp) throws IOException {
    String url = tmp.resolve("out/a.txt").toUri().toString();
    mock.onName("writes", Outcome.complete().withFile("/out/a", "héllo\n"));
    Task task = task("writes").toBuilder().outputs(List.of(Output.of("/out/a", url), Output.of("/out/b", "s3://b/b"))).build();

    Task done = engine.await(engine.createTask(task), WAIT);

    assertThat(done.state()).isEqualTo(State.COMPLETE);
    assertThat(done.logs().get(0).outputs()).containsExactly(
        OutputFileLog.of(url, "/out/a", 7), OutputFileLog.of("s3://b/b", "/out/b", 0));
    assertThat(Files.readString(Path.of(URI.create(url)))).isEqualTo("héllo\n");
    assertThat(Outcome.complete().withFile("/x", "1").withDelay(Duration.ZERO).files()).containsEntry("/x", "1");
    assertThat(new Outcome(Outcome.Kind.COMPLETE, 0, null, null, null, null)).isEqualTo(Outcome.complete());
  }

  @Test
  void aFileThatCannotBeWrittenIsASystemError(@TempDir Path tmp) throws IOException {
    Path blocked = Files.writeString(tmp.resolve("file"), "not a directory");
    String url = blocked.resolve("a.txt").toUri().toString();
    mock.onName("writes", Outcome.complete().withFile("/out/a", "x"));

    Task done = engine.await(engine.createTask(task("writes").toBuilder()
        .outputs(List.of(Output.of("/out/a", url))).build()), WAIT);

    assertThat(done.state()).isEqualTo(State.SYSTEM_ERROR);
    assertThat(done.logs().get(0).systemLogs()).singleElement().asString()
        .startsWith("the mock backend could not write the output /out/a to " + url);
  }

  @Test
  void outcomesCheckTheirValues() {
    assertThatThrownBy(() -> Outcome.fail(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Outcome.complete().withDelay(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
    assertThat(Outcome.hang().ownDelay()).isEmpty();
    assertThat(mock.capabilities().cancelRunning()).isTrue();
    assertThat(mock.capabilities().resume()).isTrue();
    assertThat(mock.delay()).isZero();
  }

  @Test
  void aClosedMockRefusesTasks() {
    mock.close();

    Task done = engine.getTask(engine.createTask(task("late")));

    assertThat(done.state()).isEqualTo(State.SYSTEM_ERROR);
    assertThat(mock.resume("mock-1", done, null)).isFalse();
  }
}
