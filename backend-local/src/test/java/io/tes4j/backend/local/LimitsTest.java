package io.tes4j.backend.local;

import static io.tes4j.backend.local.HostRuntimeTest.quickTransfers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.engine.TesEngine;
import io.tes4j.model.Executor;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How many tasks run at once through an engine over the local backend, and how many threads that
 * takes: 10,000 submissions start as many runtime processes as the limit allows, no more, and the
 * others wait QUEUED. The runtime is the fake docker of {@link FakeRuntimes}, whose containers are
 * this machine's {@code sleep}.
 */
class LimitsTest {
  private static final int SUBMISSIONS = 10_000;

  @TempDir Path tmp;

  private LocalBackend.Builder docker(FakeRuntimes fakes) {
    return LocalBackend.builder()
        .runtime(LocalRuntime.DOCKER)
        .environment(fakes.environment())
        .workRoot(tmp.resolve("work"))
        .transferSettings(quickTransfers());
  }

  /**
   * Samples, every millisecond or so, the JVM's child processes that run the token's containers (a
   * fake {@code docker run} until it execs {@code sleep TOKEN}) and the local backend's threads,
   * keeping the most seen at once.
   */
  private static final class Sampler implements AutoCloseable {
    private final String token;
    private final AtomicInteger children = new AtomicInteger();
    private final AtomicInteger mostChildren = new AtomicInteger();
    private final AtomicInteger mostThreads = new AtomicInteger();
    private final Thread thread;
    private volatile boolean stop;

    Sampler(String token) {
      this.token = token;
      this.thread = new Thread(this::sample, "limits-test-sampler");
      thread.setDaemon(true);
      thread.start();
    }

    private void sample() {
      int round = 0;
      while (!stop) {
        int now = (int) ProcessHandle.current().children()
            .filter(child -> child.info().arguments().map(arguments -> List.of(arguments).contains(token)).orElse(false))
            .count();
        children.set(now);
        mostChildren.accumulateAndGet(now, Math::max);
        if (round++ % 10 == 0) { // listing threads costs more
          mostThreads.accumulateAndGet(localThreads(), Math::max);
        }
        Thread.onSpinWait();
      }
    }

    /** Containers running now, as last sampled. */
    int children() {
      return children.get();
    }

    @Override
    public void close() {
      finish();
    }

    /** Stops sampling; what was seen stays. */
    void finish() {
      stop = true;
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while stopping the sampler", e);
      }
    }
  }

  /** The live threads of the local backend's pools. */
  private static int localThreads() {
    return (int) Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("tes4j-local-"))
        .count();
  }

  private static Map<State, Integer> states(TesEngine engine, List<String> ids) {
    Map<State, Integer> states = new EnumMap<>(State.class);
    for (String id : ids) {
      states.merge(engine.getTask(id, View.MINIMAL).state(), 1, Integer::sum);
    }
    return states;
  }

  private static int started(Map<State, Integer> states) {
    return states.getOrDefault(State.INITIALIZING, 0) + states.getOrDefault(State.RUNNING, 0)
        + states.getOrDefault(State.CANCELING, 0);
  }

  @Test
  void tenThousandSubmissionsRunAtMostTheLimitAtOnceAndTheOthersWaitQueued() throws Exception {
    FakeRuntimes fakes = new FakeRuntimes(tmp.resolve("fake"), "docker");
    int limit = 3;
    int turnover = 20;
    String token = Integer.toString(ThreadLocalRandom.current().nextInt(100_000, 999_999));
    Task task = Task.builder().name("sleeper").addExecutor(Executor.of("alpine", "sleep", token)).build();

    try (TesEngine engine = TesEngine.builder().backend(docker(fakes).maxRunning(limit).build()).build();
        Sampler sampler = new Sampler(token)) {
      List<String> ids = new ArrayList<>(SUBMISSIONS);
      for (int i = 0; i < SUBMISSIONS; i++) {
        ids.add(engine.createTask(task));
      }
      Waits.until(limit + " containers run", () -> sampler.children() == limit);
      Map<State, Integer> states = states(engine, ids);
      assertThat(started(states)).as("%s", states).isEqualTo(limit);
      assertThat(states.get(State.QUEUED)).as("%s", states).isEqualTo(SUBMISSIONS - limit);

      // Each task that ends lets the next one in: the oldest first, never more than the limit.
      for (int i = 0; i < turnover; i++) {
        String oldest = ids.get(i);
        Waits.until("task " + i + " runs", () -> engine.getTask(oldest, View.MINIMAL).state() == State.RUNNING);
        engine.cancelTask(oldest);
        assertThat(engine.await(oldest, java.time.Duration.ofMinutes(2)).state()).isEqualTo(State.CANCELED);
        int next = limit + i;
        Waits.until("task " + next + " starts",
            () -> engine.getTask(ids.get(next), View.MINIMAL).state() != State.QUEUED);
      }
      Waits.until(limit + " containers run again", () -> sampler.children() == limit);
      states = states(engine, ids);
      assertThat(started(states)).as("%s", states).isEqualTo(limit);
      assertThat(states.get(State.CANCELED)).isEqualTo(turnover);
      assertThat(states.get(State.QUEUED)).isEqualTo(SUBMISSIONS - turnover - limit);

      for (int i = ids.size() - 1; i >= 0; i--) { // the queued ones first, so that none starts now
        engine.cancelTask(ids.get(i));
      }
      for (String id : ids) {
        assertThat(engine.await(id, java.time.Duration.ofMinutes(2)).state()).isEqualTo(State.CANCELED);
      }
      sampler.finish();

      assertThat(sampler.mostChildren.get()).as("containers running at once").isEqualTo(limit);
      // one thread per admitted task; a thread that reported its task's end may still be returning
      // to the pool while the next task starts on another
      assertThat(sampler.mostThreads.get()).as("tes4j-local threads at once").isBetween(1, 2 * limit);
      long runs = fakes.calls().stream().filter(call -> call.get(1).equals("run")).count();
      assertThat(runs).as("docker run calls").isEqualTo(limit + turnover);
    }
  }

  @Test
  void theDefaultLimitIsTheNumberOfCpusAndAnEngineTakesItUnlessItsOwnIsSet() throws IOException {
    FakeRuntimes fakes = new FakeRuntimes(tmp.resolve("fake"), "docker");
    try (LocalBackend backend = docker(fakes).build()) {
      assertThat(backend.defaultMaxRunning()).hasValue(Runtime.getRuntime().availableProcessors());
    }
    try (LocalBackend backend = docker(fakes).maxRunning(7).build()) {
      assertThat(backend.defaultMaxRunning()).hasValue(7);
    }
    assertThatThrownBy(() -> LocalBackend.builder().maxRunning(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRunning must be a whole number of tasks, at least 1 (e.g. 4), was 0");
  }
}
