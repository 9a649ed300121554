package io.tes4j.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.tes4j.api.TaskNotFoundException;
import io.tes4j.api.TesClientException;
import io.tes4j.api.TesTimeoutException;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** await, sync and async: woken by the task's end, no polling, no thread per wait. */
class AwaitTest {
  private final FakeBackend backend = new FakeBackend();
  private final TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(backend).build();

  @AfterEach
  void close() {
    engine.close();
  }

  @Test
  void thousandsOfAsyncAwaitsCompleteWhenTheirTasksEnd() {
    int count = 5000;
    List<String> ids = new ArrayList<>();
    List<CompletableFuture<Task>> waits = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String id = engine.createTask(Tasks.named("t" + i));
      ids.add(id);
      waits.add(engine.async().await(id, Duration.ofMinutes(5)));
    }
    int threadsWhileWaiting = Thread.activeCount();
    assertThat(waits).noneMatch(CompletableFuture::isDone);

    for (int i = 0; i < count; i++) {
      if (i % 2 == 0) {
        backend.complete(ids.get(i));
      } else {
        backend.run(ids.get(i));
        backend.events(ids.get(i)).finished(State.EXECUTOR_ERROR);
      }
    }

    CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).join();
    for (int i = 0; i < count; i++) {
      Task done = waits.get(i).join();
      assertThat(done.id()).isEqualTo(ids.get(i));
      assertThat(done.state()).isEqualTo(i % 2 == 0 ? State.COMPLETE : State.EXECUTOR_ERROR);
      assertThat(done.logs()).isNotEmpty(); // FULL view
    }
    assertThat(threadsWhileWaiting).isLessThan(100);
  }

  @Test
  void aBlockingAwaitWakesWhenAnotherThreadEndsTheTask() throws Exception {
    String id = engine.createTask(Tasks.named("a"));
    CountDownLatch waiting = new CountDownLatch(1);
    CompletableFuture<Task> result = CompletableFuture.supplyAsync(() -> {
      waiting.countDown();
      return engine.await(id, Duration.ofMinutes(5));
    });
    assertThat(waiting.await(30, TimeUnit.SECONDS)).isTrue();

    backend.complete(id);

    assertThat(result.get(30, TimeUnit.SECONDS).state()).isEqualTo(State.COMPLETE);
  }

  @Test
  void anEndedTaskIsReturnedAtOnce() {
    String id = engine.createTask(Tasks.named("a"));
    backend.complete(id);

    assertThat(engine.await(id, Duration.ZERO).state()).isEqualTo(State.COMPLETE);
    assertThat(engine.async().await(id, Duration.ZERO).join().state()).isEqualTo(State.COMPLETE);
  }

  @Test
  void aTimeoutSaysTheStateAndTheTaskGoesOn() {
    String id = engine.createTask(Tasks.named("a"));
    backend.run(id);

    assertThatThrownBy(() -> engine.await(id, Duration.ofMillis(1)))
        .isInstanceOf(TesTimeoutException.class)
        .hasMessage("task " + id + " did not end within 1 ms; it is RUNNING");
    Throwable async = catchThrowable(() -> engine.async().await(id, Duration.ofMillis(1)).join());
    assertThat(async).isInstanceOf(CompletionException.class).cause()
        .isInstanceOf(TesTimeoutException.class).hasMessageContaining("it is RUNNING");

    backend.complete(id);
    assertThat(engine.await(id, Duration.ofSeconds(1)).state()).isEqualTo(State.COMPLETE);
  }

  @Test
  void unknownIdsAndBadTimeoutsFail() {
    assertThatThrownBy(() -> engine.await("nope", Duration.ofSeconds(1))).isInstanceOf(TaskNotFoundException.class);
    assertThat(catchThrowable(() -> engine.async().await("nope", Duration.ofSeconds(1)).join()))
        .cause().isInstanceOf(TaskNotFoundException.class);
    String id = engine.createTask(Tasks.named("a"));
    assertThatThrownBy(() -> engine.await(id, Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void cancellingTheAsyncWaitLeavesTheTask() {
    String id = engine.createTask(Tasks.named("a"));
    CompletableFuture<Task> wait = engine.async().await(id, Duration.ofDays(365 * 500));

    wait.cancel(false);

    assertThat(engine.getTask(id).state()).isEqualTo(State.INITIALIZING);
    backend.complete(id);
    assertThat(engine.await(id, Duration.ofSeconds(1)).state()).isEqualTo(State.COMPLETE);
  }

  @Test
  void closingTheEngineFailsThePendingWaits() {
    String id = engine.createTask(Tasks.named("a"));
    CompletableFuture<Task> wait = engine.async().await(id, Duration.ofMinutes(5));

    engine.close();

    assertThat(catchThrowable(wait::join)).cause()
        .isInstanceOf(TesClientException.class)
        .hasMessage("the engine was closed before task " + id + " ended (it was INITIALIZING)");
  }
}
