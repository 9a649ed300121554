package io.tes4j.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tes4j.model.ExecutorLog;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.TaskLog;
import io.tes4j.model.View;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link TesClient#await} and its asynchronous form, over a task whose states are scripted. */
@Timeout(20)
class AwaitTest {

  /**
   * A task that goes through {@code states}, one per MINIMAL poll, then stays in the last one. The
   * FULL view carries a log, so a test can tell which view it got.
   */
  static final class ScriptedTask extends FakeTesClient {
    private final List<State> states;
    final List<View> views = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger polls = new AtomicInteger();
    final CountDownLatch secondPoll = new CountDownLatch(2);

    ScriptedTask(State... states) {
      this.states = Arrays.asList(states);
    }

    @Override
    public Task getTask(String id, View view) {
      views.add(view);
      if (view == View.MINIMAL) {
        int poll = polls.getAndIncrement();
        secondPoll.countDown();
        return new Task(id, states.get(Math.min(poll, states.size() - 1)), null, null, null, null, null, null, null, null, null, null);
      }
      State last = states.get(Math.min(Math.max(polls.get() - 1, 0), states.size() - 1));
      return Task.builder()
          .id(id)
          .state(last)
          .name("full")
          .addLog(TaskLog.builder().addLog(ExecutorLog.builder().exitCode(0).build()).build())
          .build();
    }
  }

  @Test
  void returnsTheFullViewOnceTheTaskEnds() {
    ScriptedTask client = new ScriptedTask(State.QUEUED, State.RUNNING, State.COMPLETE);

    Task done = client.await("t1", Duration.ofSeconds(10));

    assertThat(done.state()).isEqualTo(State.COMPLETE);
    assertThat(done.name()).isEqualTo("full");
    assertThat(done.logs()).hasSize(1);
    assertThat(client.views).containsExactly(View.MINIMAL, View.MINIMAL, View.MINIMAL, View.FULL);
  }

  @Test
  void aTaskThatAlreadyEndedIsReturnedAtOnce() {
    ScriptedTask client = new ScriptedTask(State.EXECUTOR_ERROR);

    long start = System.nanoTime();
    Task done = client.await("t1", Duration.ofSeconds(10));

    assertThat(done.state()).isEqualTo(State.EXECUTOR_ERROR);
    assertThat(client.views).containsExactly(View.MINIMAL, View.FULL);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(150));
  }

  @Test
  void cancelingPausedAndUnknownAreWaitedThrough() {
    ScriptedTask client = new ScriptedTask(State.CANCELING, State.PAUSED, State.UNKNOWN, State.CANCELED);

    Task done = client.await("t1", Duration.ofSeconds(10));

    assertThat(done.state()).isEqualTo(State.CANCELED);
    assertThat(client.polls).hasValue(4);
  }

  @Test
  void aTaskWithoutAStateIsWaitedThrough() {
    ScriptedTask client = new ScriptedTask(null, State.PREEMPTED);

    assertThat(client.await("t1", Duration.ofSeconds(10)).state()).isEqualTo(State.PREEMPTED);
  }

  @Test
  void aTimeoutNamesTheTaskAndItsLastState() {
    ScriptedTask client = new ScriptedTask(State.RUNNING);

    TesTimeoutException e =
        catchThrowableOfType(TesTimeoutException.class, () -> client.await("job-42", Duration.ofMillis(50)));

    assertThat(e).hasMessage("task job-42 did not end within 50ms; it was RUNNING");
    assertThat(e.retryable()).isTrue();
    assertThat(client.views).doesNotContain(View.FULL);
  }

  @Test
  void aZeroTimeoutPollsOnce() {
    assertThat(new ScriptedTask(State.COMPLETE).await("t1", Duration.ZERO).state()).isEqualTo(State.COMPLETE);
    ScriptedTask running = new ScriptedTask(State.QUEUED);
    assertThatThrownBy(() -> running.await("t1", Duration.ZERO)).isInstanceOf(TesTimeoutException.class);
    assertThat(running.polls).hasValue(1);
  }

  @Test
  void aNegativeTimeoutIsRejected() {
    assertThatThrownBy(() -> new ScriptedTask(State.RUNNING).await("t1", Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout must not be negative");
  }

  @Test
  void anInterruptStopsWaitingAndKeepsTheFlag() {
    ScriptedTask client = new ScriptedTask(State.RUNNING);
    Thread.currentThread().interrupt();
    try {
      TesClientException e =
          catchThrowableOfType(TesClientException.class, () -> client.await("job-42", Duration.ofSeconds(10)));

      assertThat(e).isNotInstanceOf(TesTimeoutException.class).hasMessageContaining("job-42");
      assertThat(e.getCause()).isInstanceOf(InterruptedException.class);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted(); // leave the test thread clean for the next test
    }
  }

  @Test
  void errorsFromTheServerReachTheCaller() {
    FakeTesClient client =
        new FakeTesClient() {
          @Override
          public Task getTask(String id, View view) {
            throw new TaskNotFoundException(id);
          }
        };

    assertThatThrownBy(() -> client.await("gone", Duration.ofSeconds(1)))
        .isInstanceOf(TaskNotFoundException.class)
        .hasMessage("task not found: gone");
  }

  @Test
  void asyncAwaitCompletesWithTheFullView() {
    ScriptedTask client = new ScriptedTask(State.RUNNING, State.COMPLETE);

    Task done = client.async().await("t1", Duration.ofSeconds(10)).join();

    assertThat(done.state()).isEqualTo(State.COMPLETE);
    assertThat(done.name()).isEqualTo("full");
    assertThat(client.views).containsExactly(View.MINIMAL, View.MINIMAL, View.FULL);
  }

  @Test
  void asyncAwaitFailsWithTheTimeout() {
    CompletableFuture<Task> future = new ScriptedTask(State.QUEUED).async().await("job-7", Duration.ofMillis(50));

    assertThatThrownBy(future::join)
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOf(TesTimeoutException.class)
        .hasMessage("task job-7 did not end within 50ms; it was QUEUED");
  }

  @Test
  void asyncAwaitFailsWithTheServersError() {
    FakeTesClient client =
        new FakeTesClient() {
          @Override
          public Task getTask(String id, View view) {
            throw new TaskNotFoundException(id);
          }
        };

    assertThatThrownBy(() -> client.async().await("gone", Duration.ofSeconds(1)).join())
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOf(TaskNotFoundException.class);
  }

  @Test
  void cancellingTheAsyncAwaitStopsPolling() throws InterruptedException {
    ScriptedTask client = new ScriptedTask(State.RUNNING);
    CompletableFuture<Task> future = client.async().await("t1", Duration.ofMinutes(5));
    assertThat(client.secondPoll.await(5, TimeUnit.SECONDS)).as("two polls").isTrue();

    assertThat(future.cancel(true)).isTrue();
    int pollsAtCancel = client.polls.get();
    // Uncancelled, the next polls would come 0.3 s, 0.75 s and 1.4 s after the second one.
    Thread.sleep(1_500);

    assertThat(client.polls.get()).isLessThanOrEqualTo(pollsAtCancel + 1);
    assertThat(client.views).doesNotContain(View.FULL);
    assertThat(future).isCancelled();
  }

  @Test
  void theAsyncViewBelongsToItsClient() {
    ScriptedTask client = new ScriptedTask(State.COMPLETE);

    assertThat(client.async().sync()).isSameAs(client);
    assertThat(client.async().getTask("t1", View.MINIMAL).join().state()).isEqualTo(State.COMPLETE);
  }
}
