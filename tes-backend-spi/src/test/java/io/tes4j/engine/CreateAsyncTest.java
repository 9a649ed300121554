package io.tes4j.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.api.TesAsyncClient;
import io.tes4j.api.TesClientException;
import io.tes4j.model.State;
import io.tes4j.model.View;
import io.tes4j.store.StoredTask;
import io.tes4j.store.TaskStoreException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The engine's asynchronous create, which a server uses so that a request waiting for the store
 * holds no thread: its future completes only once the store holds the task, the task reaches the
 * backend only then, and a failed insert fails the future as {@code createTask} would throw,
 * leaking no slot.
 */
class CreateAsyncTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** A store whose inserts wait for the test: each is stored when {@link #storeNext} is called. */
  private static final class GatedStore extends ForwardingTaskStore {
    final LinkedBlockingQueue<Runnable> pending = new LinkedBlockingQueue<>();
    /** When set, every insert fails with it (the async one and the retries). */
    volatile RuntimeException failure;
    final AtomicInteger inserts = new AtomicInteger();

    @Override
    public CompletableFuture<Void> insertAsync(StoredTask task) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      pending.add(() -> {
        try {
          insert(task);
          done.complete(null);
        } catch (RuntimeException e) {
          done.completeExceptionally(e);
        }
      });
      return done;
    }

    @Override
    public void insert(StoredTask task) {
      inserts.incrementAndGet();
      RuntimeException fail = failure;
      if (fail != null) {
        throw fail;
      }
      super.insert(task);
    }

    void storeNext() throws InterruptedException {
      Runnable insert = pending.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(insert).as("an insert waits").isNotNull();
      insert.run();
    }
  }

  private final GatedStore store = new GatedStore();
  private final FakeBackend backend = new FakeBackend();

  private TesEngine engine() {
    return TesEngine.builder().backend(backend).store(store)
        .storeRetry(3, Duration.ofMillis(1), Duration.ofMillis(5)).build();
  }

  @Test
  void theFutureCompletesOnceTheStoreHoldsTheTaskAndOnlyThenDoesTheTaskStart() throws Exception {
    try (TesEngine engine = engine()) {
      TesAsyncClient async = engine.async();
      assertThat(async.holdsThreadPerCall()).as("no listener: the create waits without a thread").isFalse();

      CompletableFuture<String> created = async.createTask(Tasks.named("async"));

      Thread.sleep(50);
      assertThat(created).as("not acknowledged before it is stored").isNotDone();
      assertThat(backend.startedIds).isEmpty();
      assertThat(store.delegate.count()).isZero();

      store.storeNext();
      String id = created.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(store.delegate.get(id)).isPresent();
      backend.awaitStarted(1);
      assertThat(backend.startedIds).containsExactly(id);
      backend.complete(id);
      assertThat(engine.await(id, WAIT).state()).isEqualTo(State.COMPLETE);
      assertThat(store.delegate.get(id).orElseThrow().task()).isEqualTo(engine.getTask(id, View.FULL));
    }
  }

  @Test
  void aFailedInsertIsRetriedThenFailsTheFutureAsCreateTaskThrowsAndFreesTheSlot() throws Exception {
    try (TesEngine engine = engine()) {
      store.failure = new TaskStoreException("insert", null, "the disk is full", null);

      CompletableFuture<String> created = engine.async().createTask(Tasks.named("refused"));
      store.storeNext();

      assertThat(created).failsWithin(WAIT)
          .withThrowableOfType(ExecutionException.class)
          .havingCause()
          .isInstanceOfSatisfying(TesClientException.class, e -> assertThat(e.retryable()).isTrue())
          .withMessageContaining("the disk is full")
          .withMessageContaining("no task was created");
      assertThat(store.inserts.get()).as("the async attempt, then the retries").isEqualTo(3);
      assertThat(backend.startedIds).isEmpty();
      assertThat(engine.core().admittedCount()).isZero();

      // The store is back: the next task is created and runs.
      store.failure = null;
      CompletableFuture<String> next = engine.async().createTask(Tasks.named("next"));
      store.storeNext();
      String id = next.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      backend.awaitStarted(1);
      backend.complete(id);
      assertThat(engine.await(id, WAIT).state()).isEqualTo(State.COMPLETE);
    }
  }

  @Test
  void anInvalidTaskFailsTheFutureAtOnceAndStoresNothing() {
    try (TesEngine engine = engine()) {
      CompletableFuture<String> created = engine.async().createTask(Tasks.named("bad").toBuilder().executors(List.of()).build());

      assertThat(created).isCompletedExceptionally();
      assertThat(store.pending).isEmpty();
      assertThat(store.inserts.get()).isZero();
    }
  }

  /** An executor of the caller's could run a retry of the insert on the store's own thread. */
  @Test
  void withAnEngineExecutorTheCreateRunsOnTheCallersThreadAsCreateTaskDoes() throws Exception {
    try (TesEngine engine = TesEngine.builder().backend(backend).store(store).engineExecutor(Runnable::run).build()) {
      assertThat(engine.async().holdsThreadPerCall()).isTrue();

      CompletableFuture<String> created = engine.async().createTask(Tasks.named("inline"));

      assertThat(created).isDone();
      assertThat(store.pending).isEmpty();
      assertThat(store.delegate.get(created.get())).isPresent();
    }
  }

  @Test
  void withAListenerTheCreateRunsOnTheCallersThreadAsCreateTaskDoes() throws Exception {
    List<State> told = new CopyOnWriteArrayList<>();
    try (TesEngine engine = TesEngine.builder().backend(backend).store(store)
        .listener((id, from, to) -> told.add(to)).build()) {
      assertThat(engine.async().holdsThreadPerCall()).isTrue();

      CompletableFuture<String> created = engine.async().createTask(Tasks.named("told"));

      // Inserted on this thread (a listener may block; it must never hold up the store's thread).
      assertThat(created).isDone();
      assertThat(store.pending).isEmpty();
      String id = created.get();
      assertThat(told).startsWith(State.QUEUED);
      assertThat(store.delegate.get(id)).isPresent();
    }
  }
}
