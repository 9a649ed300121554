package io.tes4j.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.api.ListTasksRequest;
import io.tes4j.model.ListTasksResponse;
import io.tes4j.api.TesClientException;
import io.tes4j.engine.internal.EngineCore;
import io.tes4j.model.Executor;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import io.tes4j.store.JdbcTaskStore;
import io.tes4j.store.MemoryTaskStore;
import io.tes4j.store.StoredTask;
import io.tes4j.store.TaskStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of tasks through a store that fails 20 % of its writes (half before writing, half
 * after: the answer lost), some slowly, and is down altogether twice (while tasks are submitted,
 * and after), and a backend that throws on 20 % of its starts and cancels and runs one task in twenty
 * for 20 ms, while the test cancels about one task in ten (queued, starting or running; without a
 * listener, a watcher cancels running tasks it lists): every task ends, every wait returns, no
 * admission slot is lost, listeners see each task's steps in order, reads show each task's true
 * state while the store lags, and once the faults stop the store agrees with the engine on every
 * task. The submitting clients try a refused createTask again after 1 ms, as a client told 503 with
 * {@code Retry-After} would. The faults come from a fixed seed, printed with a summary of the
 * figures ({@code -Dtes4j.faults.seed=N} and {@code -Dtes4j.faults.tasks=N} change them); the
 * threads' timing still varies from run to run.
 */
class FaultInjectionTest {
  private static final long SEED = Long.getLong("tes4j.faults.seed", 20_261_122L);
  private static final int TASKS = Integer.getInteger("tes4j.faults.tasks", 10_000);
  private static final int SUBMITTERS = 4;
  private static final Duration WAIT = Duration.ofMinutes(2);

  /** The TES steps a task may take; anything else is a step out of order. */
  private static final Map<State, Set<State>> LEGAL = new EnumMap<>(Map.of(
      State.UNKNOWN, EnumSet.of(State.QUEUED),
      State.QUEUED, EnumSet.of(State.INITIALIZING, State.CANCELED, State.SYSTEM_ERROR),
      State.INITIALIZING, EnumSet.of(State.RUNNING, State.CANCELING, State.SYSTEM_ERROR, State.CANCELED),
      State.RUNNING, EnumSet.of(State.CANCELING, State.COMPLETE, State.EXECUTOR_ERROR, State.SYSTEM_ERROR),
      State.CANCELING, EnumSet.of(State.CANCELED)));

  /**
   * With a listener, and without one: the engine then starts tasks and applies the backend's
   * reports in batches, with one store call for many tasks, in which each task's write fails or
   * lands on its own.
   */
  @ParameterizedTest(name = "listener: {0}")
  @ValueSource(booleans = {true, false})
  void tenThousandTasksOverAFaultyMemoryStore(boolean listening) throws Exception {
    run("memory" + batchedIf(listening), new MemoryTaskStore(), TASKS, listening);
  }

  @ParameterizedTest(name = "listener: {0}")
  @ValueSource(booleans = {true, false})
  void fewerTasksOverAFaultySqliteStore(boolean listening, @TempDir Path dir) throws Exception {
    try (TaskStore sqlite = JdbcTaskStore.open("jdbc:sqlite:" + dir.resolve("tasks.db"))) {
      run("SQLite" + batchedIf(listening), sqlite, Math.max(TASKS / 40, 100), listening);
    }
  }

  private static String batchedIf(boolean listening) {
    return listening ? "" : " (no listener: batched writes)";
  }

  private static final Duration OUTAGE = Duration.ofMillis(150);

  /** What one submitting thread did. */
  private record Submitted(List<String> ids, int refused, int cancelled, int cancelledStarted) {}

  /**
   * @param listening whether the engine has a listener, which checks every task's steps and cancels
   *     one started task in twenty; without one, the engine batches its writes
   */
  private void run(String storeName, TaskStore base, int count, boolean listening) throws Exception {
    FaultyTaskStore store = new FaultyTaskStore(base, SEED);
    store.failRate = 0.2;
    store.slowRate = 0.02;
    store.slowNanos = TimeUnit.MICROSECONDS.toNanos(200);
    FlakyBackend backend = new FlakyBackend(SEED + 1, 0.2, 300);
    backend.slowEvery = 20; // these are still running when a cancel comes
    backend.slowMicros = TimeUnit.MILLISECONDS.toMicros(20);
    Map<String, List<State[]>> steps = new ConcurrentHashMap<>();
    System.out.printf("fault injection over the %s store: seed %d, %d tasks%n", storeName, SEED, count);

    // The test cancels one started task in ten, on its own thread, as a user would.
    ExecutorService canceller = Executors.newSingleThreadExecutor();
    java.util.Queue<Throwable> cancelFailures = new java.util.concurrent.ConcurrentLinkedQueue<>();
    java.util.concurrent.atomic.AtomicReference<TesEngine> built = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicInteger cancelledStarted = new java.util.concurrent.atomic.AtomicInteger();
    Random cancels = new Random(SEED + 2);
    TesEngine.Builder builder = TesEngine.builder().backend(backend).store(store).maxRunning(16)
        .storeRetry(3, Duration.ofNanos(100_000), Duration.ofMillis(5))
        .cancelRetry(3, Duration.ofNanos(100_000), Duration.ofMillis(5));
    if (listening) {
      builder.listener((id, from, to) -> {
          steps.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(new State[] {from, to});
          boolean cancel;
          synchronized (cancels) {
            cancel = (to == State.INITIALIZING || to == State.RUNNING) && cancels.nextInt(20) == 0;
          }
          if (cancel) {
            cancelledStarted.incrementAndGet();
            canceller.execute(() -> {
              try {
                built.get().cancelTask(id);
              } catch (RuntimeException e) {
                cancelFailures.add(e);
              }
            });
          }
        });
    }
    TesEngine engine = builder.build();
    built.set(engine);
    EngineCore core = engine.core();
    LogCapture log = LogCapture.start();
    long started = System.nanoTime();
    List<String> ids = new ArrayList<>();
    int refused = 0;
    int cancelled = 0;
    int submittedStarted = 0;
    List<CompletableFuture<Task>> ends = new ArrayList<>();
    long ranNanos;
    long endsInMemory;
    long[] atOutageEnd = new long[2];
    long drainedAfterOutage;
    java.util.concurrent.atomic.AtomicInteger submittedSoFar = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicBoolean watching = new java.util.concurrent.atomic.AtomicBoolean(true);
    if (!listening) {
      // No listener to tell the test when a task starts: a watcher lists the running tasks and
      // cancels one in four of those it sees, as a user would.
      canceller.execute(() -> {
        Random watch = new Random(SEED + 3);
        while (watching.get()) { // until every task ended
          try {
            for (Task running : engine.listTasks(ListTasksRequest.builder().state(State.RUNNING).view(View.MINIMAL)
                .pageSize(50).build()).tasks()) {
              if (watch.nextInt(4) == 0) {
                engine.cancelTask(running.id());
                cancelledStarted.incrementAndGet();
              }
            }
            TimeUnit.MILLISECONDS.sleep(1);
          } catch (TesClientException e) {
            if (!e.retryable()) {
              cancelFailures.add(e);
              return;
            }
            // Refused while the store is down (retryable): the watcher lists again, as a client would.
          } catch (InterruptedException e) {
            return;
          } catch (RuntimeException e) {
            cancelFailures.add(e);
            return;
          }
        }
      });
    }
    try {
      ExecutorService submitters = Executors.newFixedThreadPool(SUBMITTERS + 1);
      try {
        // An outage of the whole store once half the tasks are in.
        Future<?> outage = submitters.submit(() -> {
          while (submittedSoFar.get() < count / 2) {
            TimeUnit.MILLISECONDS.sleep(1);
          }
          down(store, () -> { });
          return null;
        });
        List<Future<Submitted>> futures = new ArrayList<>();
        for (int t = 0; t < SUBMITTERS; t++) {
          long seed = SEED + 10 + t;
          int share = count / SUBMITTERS + (t < count % SUBMITTERS ? 1 : 0);
          futures.add(submitters.submit(() -> submit(engine, new Random(seed), share, submittedSoFar)));
        }
        for (Future<Submitted> future : futures) {
          Submitted submitted = future.get(WAIT.toMinutes(), TimeUnit.MINUTES);
          ids.addAll(submitted.ids());
          refused += submitted.refused();
          cancelled += submitted.cancelled();
          submittedStarted += submitted.cancelledStarted();
        }
        outage.get(WAIT.toMinutes(), TimeUnit.MINUTES);
      } finally {
        submitters.shutdownNow();
      }
      java.util.concurrent.atomic.AtomicInteger ended = new java.util.concurrent.atomic.AtomicInteger();
      for (String id : ids) {
        ends.add(engine.async().await(id, WAIT).whenComplete((task, error) -> ended.incrementAndGet()));
      }
      // A second outage once half the tasks ended: those that end meanwhile end in memory, the
      // queued ones wait.
      while (ended.get() < ids.size() / 2) {
        TimeUnit.MILLISECONDS.sleep(1);
      }
      down(store, () -> {
        atOutageEnd[0] = core.unwrittenCount();
        atOutageEnd[1] = countByListing(engine, State.QUEUED);
      });
      // The random faults go on: the first moment nothing is unwritten, what the outage left is written.
      long outageEnded = System.nanoTime();
      while (core.unwrittenCount() > 0 && System.nanoTime() - outageEnded < TimeUnit.SECONDS.toNanos(10)) {
        TimeUnit.MICROSECONDS.sleep(100);
      }
      drainedAfterOutage = core.unwrittenCount() == 0 ? System.nanoTime() - outageEnded : -1;
      CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new)).get(WAIT.toMinutes(), TimeUnit.MINUTES);
      ranNanos = System.nanoTime() - started;
      endsInMemory = core.storeEndsKeptInMemory();
      watching.set(false);
      canceller.shutdown();
      assertThat(canceller.awaitTermination(WAIT.toMinutes(), TimeUnit.MINUTES)).isTrue();
      assertThat(cancelFailures).as("cancelTask threw").isEmpty();

      // Every task ended, once, by legal steps in order, and freed its slot.
      Map<State, Integer> byState = new EnumMap<>(State.class);
      int notStarted = 0;
      int canceledRunning = 0;
      for (int i = 0; i < ids.size(); i++) {
        Task end = ends.get(i).join();
        if (end.state() == State.SYSTEM_ERROR && end.logs().get(0).systemLogs().contains(
            "the engine's task store failed to record the start of the task, so it was not started")) {
          notStarted++;
        }
        assertThat(end.state().isTerminal()).as("task %s ended", ids.get(i)).isTrue();
        if (end.state() == State.CANCELED && !end.logs().isEmpty() && end.logs().get(0).startTime() != null) {
          canceledRunning++;
        }
        byState.merge(end.state(), 1, Integer::sum);
        if (listening) {
          checkSteps(ids.get(i), steps.get(ids.get(i)), end.state());
        }
        assertThat(engine.getTask(ids.get(i), View.MINIMAL).state()).as("task %s read while the store fails", ids.get(i))
            .isEqualTo(end.state());
      }
      assertThat(canceledRunning).as("tasks canceled while they ran").isPositive();
      assertThat(core.unfinishedCount()).isZero();
      assertThat(core.admittedCount()).as("admission slots still taken").isZero();
      assertThat(backend.reportFailures).as("a backend's report threw").isEmpty();
      assertThat(countByListing(engine, State.COMPLETE)).isEqualTo(byState.getOrDefault(State.COMPLETE, 0));
      if (!listening) {
        assertThat(store.groupWrites.get()).as("store calls that wrote several tasks at once").isPositive();
      }
      assertThat(log.errors()).as("each change kept in memory is an ERROR line").isGreaterThanOrEqualTo(
          core.storeKeptInMemory());

      // Recovery: the faults stop, and the engine writes what the store lacks.
      long failedBefore = store.failedBefore.get();
      long failedAfter = store.failedAfter.get();
      long writes = store.writes.get();
      long slowed = store.slowed.get();
      store.healed();
      long healed = System.nanoTime();
      long unwrittenAtRecovery = core.unwrittenCount();
      eventually(() -> core.unwrittenCount() == 0);
      long drainNanos = System.nanoTime() - healed;

      for (int i = 0; i < ids.size(); i++) {
        StoredTask stored = store.delegate.get(ids.get(i)).orElseThrow();
        assertThat(stored.task()).as("task %s in the store", ids.get(i)).isEqualTo(ends.get(i).join());
      }
      assertThat(store.delegate.unfinished()).as("tasks a restarted engine would take up").isEmpty();
      long unacknowledged = store.delegate.count() - ids.size();
      assertThat(unacknowledged).isBetween(0L, (long) refused);

      System.out.printf("fault injection over the %s store (seed %d): %d tasks submitted from %d threads, maxRunning 16;"
              + " %d createTask refused (retryable, tried again), %d cancels by the test (%d of started tasks)%n",
          storeName, SEED, count, SUBMITTERS, refused, cancelled + cancelledStarted.get(),
          submittedStarted + cancelledStarted.get());
      System.out.printf("  store: %d writes, %d failed (%d before writing, %d after: answer lost), %d slow;"
              + " engine: %d store calls failed, %d retries, %d changes kept in memory (%d ERROR lines),"
              + " %d tasks ended in memory; %d store calls wrote several tasks at once%n",
          writes, failedBefore + failedAfter, failedBefore, failedAfter, slowed, core.storeFailedCalls(),
          core.storeRetries(), core.storeKeptInMemory(), log.errors(), endsInMemory, store.groupWrites.get());
      System.out.printf("  backend: %d starts (%d threw), %d cancels (%d threw); ended: %s, %d of the CANCELED while"
              + " they ran%n",
          backend.starts.get(), backend.failedStarts.get(), backend.cancels.get(), backend.failedCancels.get(), byState,
          canceledRunning);
      System.out.printf("  two outages of %d ms; at the end of the second, %d tasks were held in memory unwritten (%s)"
              + " and %d waited QUEUED; %d tasks ended SYSTEM_ERROR, not started, as their start could not be stored;"
              + " all ended in %d ms%n",
          OUTAGE.toMillis(), atOutageEnd[0], drainedAfterOutage < 0 ? "not all written within 10 s"
              : "all written " + TimeUnit.NANOSECONDS.toMillis(drainedAfterOutage) + " ms after it",
          atOutageEnd[1], notStarted, TimeUnit.NANOSECONDS.toMillis(ranNanos));
      System.out.printf("  after the faults stopped, %d tasks were unwritten, drained in %d ms; %d tasks re-written in"
              + " all; %d unacknowledged tasks the store kept, marked SYSTEM_ERROR%n",
          unwrittenAtRecovery, TimeUnit.NANOSECONDS.toMillis(drainNanos), core.storeRewritten(), unacknowledged);
    } finally {
      watching.set(false);
      canceller.shutdownNow();
      engine.close();
      log.close();
    }
    assertThat(log.text()).doesNotContain("closing: the task store did not take");
  }

  /**
   * Every write of the store fails for {@link #OUTAGE}; {@code atEnd} runs just before it ends; the
   * random faults go on after.
   */
  private static void down(FaultyTaskStore store, Runnable atEnd) throws InterruptedException {
    store.failWhen = write -> true;
    TimeUnit.NANOSECONDS.sleep(OUTAGE.toNanos());
    atEnd.run();
    store.failWhen = write -> false;
  }

  private static Submitted submit(TesEngine engine, Random random, int count, java.util.concurrent.atomic.AtomicInteger sofar)
      throws InterruptedException {
    List<String> ids = new ArrayList<>(count);
    int refused = 0;
    int cancelled = 0;
    int cancelledStarted = 0;
    for (int i = 0; i < count; i++) {
      Task task = Task.builder().name("t" + i).addExecutor(Executor.of("alpine", "true")).build();
      while (true) {
        try {
          ids.add(engine.createTask(task));
          break;
        } catch (TesClientException e) {
          assertThat(e.retryable()).isTrue();
          refused++;
          TimeUnit.MILLISECONDS.sleep(1);
        }
      }
      sofar.incrementAndGet();
      if (random.nextInt(20) == 0) {
        String id = random.nextBoolean() ? ids.get(ids.size() - 1) : ids.get(random.nextInt(ids.size()));
        State before;
        try {
          before = engine.getTask(id, View.MINIMAL).state();
        } catch (TesClientException e) {
          before = null; // an ended task read from the store during its outage: only the count misses it
        }
        engine.cancelTask(id);
        cancelled++;
        if (before == State.INITIALIZING || before == State.RUNNING) {
          cancelledStarted++;
        }
      }
    }
    return new Submitted(ids, refused, cancelled, cancelledStarted);
  }

  private static void checkSteps(String id, List<State[]> taken, State end) {
    assertThat(taken).as("steps of task %s", id).isNotEmpty();
    State at = State.UNKNOWN;
    for (State[] step : taken) {
      assertThat(step[0]).as("task %s: a step from %s after reaching %s", id, step[0], at).isEqualTo(at);
      assertThat(LEGAL.getOrDefault(at, Set.of())).as("task %s: %s -> %s", id, at, step[1]).contains(step[1]);
      at = step[1];
    }
    assertThat(at).as("task %s's last step", id).isEqualTo(end);
  }

  private static int countByListing(TesEngine engine, State state) {
    int found = 0;
    String token = null;
    do {
      ListTasksResponse page = engine.listTasks(
          ListTasksRequest.builder().state(state).view(View.MINIMAL).pageSize(500).pageToken(token).build());
      for (Task task : page.tasks()) {
        assertThat(task.state()).isEqualTo(state);
      }
      found += page.tasks().size();
      token = page.nextPageToken();
    } while (token != null);
    return found;
  }

  private static void eventually(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("the engine wrote every task within %s", WAIT).isLessThan(deadline);
      TimeUnit.MILLISECONDS.sleep(1);
    }
  }
}
