package io.tes4j.engine;

import static io.tes4j.engine.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tes4j.api.ListTasksRequest;
import io.tes4j.api.TesClientException;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import io.tes4j.store.MemoryTaskStore;
import io.tes4j.store.TaskStoreException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A store that fails, and a backend whose start or cancel throws, never wedge a task: each hole
 * found on the engine before, one test each, through a {@link FaultyTaskStore} over a {@link
 * MemoryTaskStore} and a {@link FakeBackend}. Retries are 1 ms apart here, to keep the tests fast.
 */
class StoreFailureTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final FakeBackend backend = new FakeBackend();
  private final FaultyTaskStore store = new FaultyTaskStore(new MemoryTaskStore());

  private TesEngine.Builder engine() {
    return TesEngine.builder().engineExecutor(Runnable::run).backend(backend).store(store)
        .storeRetry(3, Duration.ofMillis(1), Duration.ofMillis(20))
        .cancelRetry(3, Duration.ofMillis(1), Duration.ofMillis(20));
  }

  private static State stored(FaultyTaskStore store, String id) {
    return store.delegate.get(id).orElseThrow().task().state();
  }

  /** Waits for what the engine does on its own thread (admission, re-writes, cancel retries). */
  private static List<String> ids(TesEngine engine, ListTasksRequest request) {
    return engine.listTasks(request).tasks().stream().map(Task::id).collect(Collectors.toList());
  }

  @Test
  void aStoreThatFailsToWriteTheEndStillEndsTheTaskFreesItsSlotAndWritesItOnceItIsBack() throws Exception {
    try (LogCapture log = LogCapture.start(); TesEngine engine = engine().maxRunning(1).build()) {
      String a = engine.createTask(Tasks.named("a"));
      String b = engine.createTask(Tasks.named("b"));
      CompletableFuture<Task> waiting = engine.async().await(a, WAIT);
      store.failWhen = write -> write.task().task().state() == State.COMPLETE;

      backend.complete(a); // the backend's finished() returns: the store's failure is the engine's

      Task done = waiting.join();
      assertThat(done.state()).isEqualTo(State.COMPLETE);
      assertThat(engine.await(a, Duration.ZERO)).isEqualTo(done);
      assertThat(engine.getTask(a, View.FULL)).isEqualTo(done);
      assertThat(done.logs().get(0).endTime()).isNotNull();
      assertThat(ids(engine, ListTasksRequest.builder().state(State.COMPLETE).build())).containsExactly(a);
      assertThat(ids(engine, ListTasksRequest.builder().state(State.RUNNING).build())).isEmpty();
      assertThat(engine.listTasks(ListTasksRequest.all()).tasks()).extracting(Task::state)
          .containsExactly(State.QUEUED, State.COMPLETE);
      assertThat(engine.core().admittedCount()).as("a freed its slot").isZero();
      assertThat(stored(store, a)).as("the store lags").isEqualTo(State.RUNNING);
      assertThat(engine.core().unwrittenCount()).isEqualTo(1);
      assertThat(engine.toString()).contains(", unfinished=1, unwritten=1]");
      assertThat(log.text()).contains("ERROR io.tes4j.engine - task " + a
          + ": the task store failed to write its state COMPLETE (3 attempts); the engine holds the task in memory");

      // b waits while the store fails: it could not record b's start.
      TimeUnit.MILLISECONDS.sleep(50);
      assertThat(backend.startedIds).containsExactly(a);
      assertThat(engine.getTask(b, View.MINIMAL).state()).isEqualTo(State.QUEUED);
      assertThat(log.text()).contains("WARN io.tes4j.engine - the task store fails to write: the engine starts no"
          + " queued task until it takes writes again");

      store.healed();
      eventually("the re-writer writes the task", () -> engine.core().unwrittenCount() == 0);
      assertThat(store.delegate.get(a).orElseThrow().task()).isEqualTo(done);
      backend.awaitStarted(2); // the store is back: b starts
      assertThat(backend.startedIds).containsExactly(a, b);
      assertThat(engine.core().storeRewritten()).isEqualTo(1);
      assertThat(engine.core().storeKeptInMemory()).isEqualTo(1);
      assertThat(engine.core().storeRetries()).isEqualTo(2);
    }
  }

  @Test
  void listTasksShowsTheTasksTheStoreLacksWhereTheyBelongPageByPage() {
    try (TesEngine engine = engine().build()) {
      List<String> all = new java.util.ArrayList<>();
      for (int i = 0; i < 6; i++) {
        all.add(engine.createTask(Tasks.named("t" + i)));
      }
      store.failWhen = write -> write.task().task().state() == State.COMPLETE;
      backend.complete(all.get(1));
      backend.complete(all.get(4));

      ListTasksRequest.Builder complete = ListTasksRequest.builder().state(State.COMPLETE).pageSize(1);
      var first = engine.listTasks(complete.build());
      assertThat(first.tasks()).extracting(Task::id).containsExactly(all.get(4));
      var second = engine.listTasks(complete.pageToken(first.nextPageToken()).build());
      assertThat(second.tasks()).extracting(Task::id).containsExactly(all.get(1));
      if (second.nextPageToken() != null) {
        assertThat(engine.listTasks(complete.pageToken(second.nextPageToken()).build()).tasks()).isEmpty();
      }
      assertThat(ids(engine, ListTasksRequest.builder().state(State.INITIALIZING).pageSize(2).build()))
          .containsExactly(all.get(5), all.get(3));
      assertThat(ids(engine, ListTasksRequest.builder().namePrefix("t4").build())).containsExactly(all.get(4));
      assertThat(engine.listTasks(ListTasksRequest.builder().namePrefix("t4").view(View.MINIMAL).build()).tasks())
          .extracting(Task::state).containsExactly(State.COMPLETE);
    }
  }

  @Test
  void whenTheFirstOfSeveralAdmittedTasksCannotBeStartedTheOthersStillStart() {
    MemoryTaskStore memory = new MemoryTaskStore();
    List<String> queued;
    try (TesEngine first = TesEngine.builder().engineExecutor(Runnable::run).backend(new FakeBackend()).store(memory).maxRunning(1).build()) {
      first.createTask(Tasks.named("holds the slot"));
      queued = List.of(first.createTask(Tasks.named("q1")), first.createTask(Tasks.named("q2")),
          first.createTask(Tasks.named("q3")));
    }
    FaultyTaskStore faulty = new FaultyTaskStore(memory);
    String q1 = queued.get(0);
    faulty.failWhen = write -> write.task().id().equals(q1) && write.task().task().state() == State.INITIALIZING;

    // The restarted engine admits the three queued tasks in one pass.
    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(backend).store(faulty).maxRunning(3)
        .storeRetry(3, Duration.ofMillis(1), Duration.ofMillis(20)).build()) {
      assertThat(backend.startedIds).containsExactly(queued.get(1), queued.get(2));
      Task notStarted = engine.await(q1, WAIT);
      assertThat(notStarted.state()).isEqualTo(State.SYSTEM_ERROR);
      assertThat(notStarted.logs().get(0).systemLogs())
          .containsExactly("the engine's task store failed to record the start of the task, so it was not started");
      assertThat(stored(faulty, q1)).isEqualTo(State.SYSTEM_ERROR); // that write went through
      assertThat(engine.core().admittedCount()).isEqualTo(2);
      backend.complete(queued.get(1));
      backend.complete(queued.get(2));
      assertThat(engine.await(queued.get(2), WAIT).state()).isEqualTo(State.COMPLETE);
      assertThat(engine.core().admittedCount()).isZero();
    }
  }

  @Test
  void whenTheHandleOfTheFirstOfSeveralAdmittedTasksCannotBeStoredTheOthersStillStart() {
    MemoryTaskStore memory = new MemoryTaskStore();
    List<String> queued;
    try (TesEngine first = TesEngine.builder().engineExecutor(Runnable::run).backend(new FakeBackend()).store(memory).maxRunning(1).build()) {
      first.createTask(Tasks.named("holds the slot"));
      queued = List.of(first.createTask(Tasks.named("q1")), first.createTask(Tasks.named("q2")),
          first.createTask(Tasks.named("q3")));
    }
    FaultyTaskStore faulty = new FaultyTaskStore(memory);
    String q1 = queued.get(0);
    faulty.failWhen = write -> write.task().id().equals(q1) && write.task().handle() != null;

    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(backend).store(faulty).maxRunning(3)
        .storeRetry(3, Duration.ofMillis(1), Duration.ofMillis(20)).build()) {
      assertThat(backend.startedIds).containsExactlyElementsOf(queued);
      assertThat(faulty.delegate.get(q1).orElseThrow().handle()).isNull();
      assertThat(engine.core().unwrittenCount()).isEqualTo(1);

      faulty.healed();
      eventually("the handle is written", () -> engine.core().unwrittenCount() == 0);
      assertThat(faulty.delegate.get(q1).orElseThrow().handle()).isEqualTo("handle-" + q1);
    }
  }

  @Test
  void aStartThatThrowsAnErrorDuringAReAdmissionIsLoggedEndsTheTaskAndFreesTheSlot() {
    backend.duringStart = (task, events) -> {
      if ("b".equals(task.name())) {
        throw new NoClassDefFoundError("com/example/cluster/Client");
      }
    };
    try (LogCapture log = LogCapture.start(); TesEngine engine = engine().maxRunning(1).build()) {
      String a = engine.createTask(Tasks.named("a"));
      String b = engine.createTask(Tasks.named("b"));
      String c = engine.createTask(Tasks.named("c"));

      backend.complete(a); // b is admitted on the engine's thread, and its start throws there

      backend.awaitStarted(2);
      assertThat(backend.startedIds).containsExactly(a, c);
      Task failed = engine.await(b, WAIT);
      assertThat(failed.state()).isEqualTo(State.SYSTEM_ERROR);
      assertThat(failed.logs().get(0).systemLogs()).containsExactly(
          "the backend FakeBackend could not start the task: java.lang.NoClassDefFoundError: com/example/cluster/Client");
      assertThat(log.text()).contains("WARN io.tes4j.engine - task " + b + ": the backend FakeBackend failed to start it")
          .contains("java.lang.NoClassDefFoundError: com/example/cluster/Client");
    }
  }

  @Test
  void aFailureOnTheEngineThreadIsLoggedAndTheTaskItWasStartingEndsWithoutHoldingItsSlot() {
    AtomicBoolean armed = new AtomicBoolean();
    String[] victim = new String[1];
    TesEngine.Builder builder = engine().maxRunning(1).listener((id, from, to) -> {
      if (to == State.INITIALIZING && id.equals(victim[0]) && armed.compareAndSet(true, false)) {
        throw new InternalError("a listener ran out of something");
      }
    });
    try (LogCapture log = LogCapture.start(); TesEngine engine = builder.build()) {
      String a = engine.createTask(Tasks.named("a"));
      victim[0] = engine.createTask(Tasks.named("b"));
      String c = engine.createTask(Tasks.named("c"));
      armed.set(true);

      backend.complete(a);

      backend.awaitStarted(2);
      assertThat(backend.startedIds).containsExactly(a, c);
      Task failed = engine.await(victim[0], WAIT);
      assertThat(failed.state()).isEqualTo(State.SYSTEM_ERROR);
      assertThat(failed.logs().get(0).systemLogs())
          .containsExactly("the engine failed to start the task: java.lang.InternalError: a listener ran out of something");
      eventually("the fatal error is logged", () -> log.text().contains(
          "ERROR io.tes4j.engine - task " + victim[0] + ": a fatal error while starting it"));
      assertThat(log.text()).contains("ERROR io.tes4j.engine - task " + victim[0]
          + ": starting it failed in the engine; it is ended SYSTEM_ERROR");
      backend.complete(c);
      assertThat(engine.await(c, WAIT).state()).isEqualTo(State.COMPLETE);
      assertThat(engine.core().admittedCount()).isZero();
    }
  }

  @Test
  void aCancelThatThrowsIsTriedAgainOnTheEngineThread() {
    try (LogCapture log = LogCapture.start(); TesEngine engine = engine().build()) {
      String id = engine.createTask(Tasks.named("a"));
      backend.run(id);
      backend.failCancels.set(2);

      engine.cancelTask(id); // returns: the cancel is retried later

      backend.awaitCancelled(1);
      assertThat(backend.cancelAttempts).containsExactly("handle-" + id, "handle-" + id, "handle-" + id);
      assertThat(engine.getTask(id, View.MINIMAL).state()).isEqualTo(State.CANCELING);
      assertThat(engine.getTask(id, View.FULL).logs().get(0).systemLogs()).isEmpty();
      assertThat(log.text()).contains("WARN io.tes4j.engine - task " + id + ": the backend FakeBackend failed to cancel"
          + " it (handle handle-" + id + "), attempt 1 of 3; trying again in 1 ms");
      backend.events(id).finished(State.CANCELED);
      assertThat(engine.await(id, WAIT).state()).isEqualTo(State.CANCELED);
    }
  }

  @Test
  void aCancelThatKeepsFailingIsReportedAndTheTaskEndsWhenTheBackendSaysSo() {
    try (LogCapture log = LogCapture.start(); TesEngine engine = engine().build()) {
      String id = engine.createTask(Tasks.named("a"));
      backend.run(id);
      backend.failCancels.set(100);

      engine.cancelTask(id);

      String reported = "the backend FakeBackend failed to cancel the task (3 attempts): the cluster is unreachable;"
          + " it may still be running";
      eventually("the failure is in the task's system logs",
          () -> engine.getTask(id, View.FULL).logs().get(0).systemLogs().contains(reported));
      assertThat(backend.cancelAttempts).hasSize(3);
      assertThat(backend.cancelled).isEmpty();
      assertThat(log.text()).contains("ERROR io.tes4j.engine - task " + id + ": the backend FakeBackend failed to"
          + " cancel it (handle handle-" + id + ") at attempt 3 of 3; it stays CANCELING");
      assertThat(engine.getTask(id, View.MINIMAL).state()).isEqualTo(State.CANCELING);
      assertThat(engine.core().admittedCount()).isEqualTo(1); // it may still run: it holds its slot

      backend.events(id).finished(State.COMPLETE);
      assertThat(engine.await(id, WAIT).state()).isEqualTo(State.CANCELED);
      assertThat(engine.core().admittedCount()).isZero();
    }
  }

  @Test
  void createTaskFailsWhenTheStoreCannotStoreTheTaskAndNothingIsCreated() {
    try (TesEngine engine = engine().build()) {
      java.util.concurrent.atomic.AtomicInteger inserts = new java.util.concurrent.atomic.AtomicInteger();
      store.failWhen = write -> !write.operation().equals("insert") || inserts.incrementAndGet() > 0;

      TesClientException e = catchThrowableOfType(TesClientException.class, () -> engine.createTask(Tasks.named("a")));

      assertThat(e.retryable()).isTrue();
      assertThat(e).hasMessageStartingWith("the task store failed to store the new task: injected failure of insert of task ")
          .hasMessageEndingWith(" (QUEUED, before writing); no task was created, try again later")
          .hasCauseInstanceOf(TaskStoreException.class);
      assertThat(inserts).hasValue(3);
      assertThat(engine.listTasks(ListTasksRequest.all()).tasks()).isEmpty();
      assertThat(backend.startedIds).isEmpty();
      assertThat(engine.core().storeRefusedInserts()).isEqualTo(1);

      store.healed();
      eventually("the engine finds the store never had the task", () -> engine.core().unwrittenCount() == 0);
      assertThat(store.delegate.count()).isZero();
      String id = engine.createTask(Tasks.named("b"));
      assertThat(engine.listTasks(ListTasksRequest.all()).tasks()).extracting(Task::id).containsExactly(id);
    }
  }

  @Test
  void anInsertWhoseAnswerWasLostIsFoundByItsRetry() {
    AtomicBoolean once = new AtomicBoolean(true);
    store.failAfterWhen = write -> write.operation().equals("insert") && once.getAndSet(false);
    try (TesEngine engine = engine().build()) {
      String id = engine.createTask(Tasks.named("a"));

      assertThat(engine.getTask(id, View.MINIMAL).state()).isEqualTo(State.INITIALIZING);
      assertThat(backend.startedIds).containsExactly(id);
      assertThat(store.delegate.count()).isEqualTo(1);
      assertThat(engine.core().storeRefusedInserts()).isZero();
    }
  }

  @Test
  void aTaskTheStoreKeptThoughEveryInsertFailedIsMarkedSoThatItNeverRuns() {
    store.failAfterWhen = write -> write.operation().equals("insert");
    String id;
    try (TesEngine engine = engine().storeRetry(1, Duration.ofMillis(1), Duration.ofMillis(20)).build()) {
      TesClientException e = catchThrowableOfType(TesClientException.class, () -> engine.createTask(Tasks.named("a")));
      assertThat(e.retryable()).isTrue();
      id = store.delegate.list(new io.tes4j.store.TaskQuery(null, null, java.util.Map.of(), null, 10)).tasks().get(0).id();

      eventually("the engine marks the task it did not acknowledge", () -> stored(store, id) == State.SYSTEM_ERROR);
      Task marked = store.delegate.get(id).orElseThrow().task();
      assertThat(marked.logs().get(0).systemLogs()).containsExactly(
          "createTask failed: the task store failed to store the task, so it was not acknowledged; it never runs");
      assertThat(backend.startedIds).isEmpty();
    }
    store.healed();
    try (TesEngine restarted = engine().build()) {
      assertThat(restarted.getTask(id, View.MINIMAL).state()).isEqualTo(State.SYSTEM_ERROR);
      assertThat(backend.startedIds).isEmpty();
    }
  }

  @Test
  void aReadTheStoreFailsIsARetryableClientException() {
    try (TesEngine engine = engine().build()) {
      String id = engine.createTask(Tasks.named("a"));
      store.failReads = true;

      TesClientException get = catchThrowableOfType(TesClientException.class, () -> engine.getTask(id, View.FULL));
      TesClientException list = catchThrowableOfType(TesClientException.class, () -> engine.listTasks(ListTasksRequest.all()));

      assertThat(get.retryable()).isTrue();
      assertThat(get).hasMessage("the task store failed to read the task " + id + ": injected failure of get; try again later")
          .hasCauseInstanceOf(TaskStoreException.class);
      assertThat(list.retryable()).isTrue();
      assertThat(list).hasMessage("the task store failed to list tasks: injected failure of list; try again later");
    }
  }

  @Test
  void closeWritesWhatTheStoreLacksWhenItCan() {
    // A re-writer that would wait an hour: close's last attempt is what writes the task.
    TesEngine engine = engine().storeRetry(1, Duration.ofHours(1), Duration.ofHours(1)).build();
    String id = engine.createTask(Tasks.named("a"));
    store.failWhen = write -> write.task().task().state() == State.COMPLETE;
    backend.complete(id);
    Task done = engine.await(id, WAIT);
    assertThat(stored(store, id)).isEqualTo(State.RUNNING);

    store.healed();
    engine.close();

    assertThat(store.delegate.get(id).orElseThrow().task()).isEqualTo(done);
  }

  @Test
  void closeSaysLoudlyWhichTasksTheStoreStillLacks() {
    String id;
    try (LogCapture log = LogCapture.start()) {
      TesEngine engine = engine().storeRetry(1, Duration.ofHours(1), Duration.ofHours(1)).build();
      id = engine.createTask(Tasks.named("a"));
      store.failWhen = write -> write.task().task().state() == State.COMPLETE;
      backend.complete(id);

      engine.close();

      assertThat(log.text()).contains("ERROR io.tes4j.engine - closing: the task store did not take the latest state of 1"
          + " tasks (io.tes4j.store.TaskStoreException: injected failure of update of task " + id
          + " (COMPLETE, before writing)); it keeps an older one: " + id + " (COMPLETE)");
    }
    assertThat(stored(store, id)).isEqualTo(State.RUNNING);
  }

  @Test
  void retrySettingsAreChecked() {
    assertThat(catchThrowableOfType(IllegalArgumentException.class,
        () -> TesEngine.builder().engineExecutor(Runnable::run).storeRetry(0, Duration.ZERO, Duration.ZERO)))
        .hasMessage("storeRetry: attempts must be from 1 (no retry) to 100, was 0");
    assertThat(catchThrowableOfType(IllegalArgumentException.class,
        () -> TesEngine.builder().engineExecutor(Runnable::run).cancelRetry(3, Duration.ofSeconds(2), Duration.ofSeconds(1))))
        .hasMessage("cancelRetry: maxBackoff must not be shorter than backoff, was PT1S < PT2S");
    assertThat(catchThrowableOfType(IllegalArgumentException.class,
        () -> TesEngine.builder().engineExecutor(Runnable::run).storeRetry(3, Duration.ofMillis(-1), Duration.ofSeconds(1))))
        .hasMessage("storeRetry: backoff must not be negative, was PT-0.001S");
  }
}
