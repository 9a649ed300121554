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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The mock backend under a real engine: default runs, scripted outcomes, recordings, cancel, resume. */
class MockBackendTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final MockBackend mock = MockBackend.builder().delay(Duration.ZERO).build();
  private final TesEngine engine = TesEngine.builder().backend(mock).build();

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

  @Test
  void aNewEngineOnTheSameStoreAndMockResumesItsTasks() {
    MemoryTaskStore store = new MemoryTaskStore();
    MockBackend shared = MockBackend.builder().delay(Duration.ZERO).build();
    shared.defaultOutcome(Outcome.hang());
    TesEngine crashed = TesEngine.builder().backend(shared).store(store).build(); // never closed: a crash
    String id = crashed.createTask(task("long"));
    shared.take(WAIT);
    assertThat(crashed.getTask(id, View.MINIMAL).state()).isIn(State.INITIALIZING, State.RUNNING);

    try (TesEngine restarted = TesEngine.builder().backend(shared).store(store).build()) {
      shared.finish(id, Outcome.complete());
      assertThat(restarted.await(id, WAIT).state()).isEqualTo(State.COMPLETE);
      assertThat(crashed.getTask(id, View.MINIMAL).state()).isEqualTo(State.COMPLETE); // one store
    }
    crashed.close();
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
