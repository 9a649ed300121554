package io.tes4j.store;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Where the engine keeps tasks. Implementations are thread-safe; each call is atomic, and a call
 * that returned normally is durable for a durable store (a crash right after it loses nothing).
 *
 * <p>Ids are time-ordered strings that sort in creation order, so "newest first" is descending id
 * order. The engine is the only writer of a store, so no optimistic locking is needed: a durable
 * store refuses a second engine ({@link JdbcTaskStore} throws {@link TaskStoreInUseException} when
 * another one holds its database).
 */
public interface TaskStore extends AutoCloseable {

  /**
   * Adds a new task.
   *
   * @throws IllegalStateException when a task with the same id exists
   */
  void insert(StoredTask task);

  /**
   * Adds a new task as {@link #insert} does, with the outcome in a future instead of a wait, so that
   * the caller's thread is free while the task becomes durable: {@link JdbcTaskStore} queues it for
   * its writer (or commits it at once when nothing else waits) and completes the future from its
   * own thread once the commit is synced. The engine calls it for the tasks a server creates, so
   * that a request waiting for its task to be durable holds no thread.
   *
   * <p>The future completes normally when the task is stored (durable for a durable store), and
   * exceptionally with what {@link #insert} would have thrown. Callbacks on it may run on the
   * store's thread: they must not block. The default calls {@link #insert} on the calling thread
   * and returns a completed future.
   *
   * @param task the new task
   * @return completed once the task is stored
   * @throws NullPointerException when {@code task} is null
   */
  default CompletableFuture<Void> insertAsync(StoredTask task) {
    Objects.requireNonNull(task, "task");
    try {
      insert(task);
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The task with this id, if any. */
  Optional<StoredTask> get(String id);

  /**
   * Replaces a task (its whole document and handle).
   *
   * @throws IllegalStateException when no task has its id
   */
  void update(StoredTask task);

  /**
   * Replaces several tasks, each as {@link #update} does, where the store can in one durable write:
   * {@link JdbcTaskStore} commits them together, with one sync for all. The engine calls it when it
   * changes many tasks at once (a batch of starts, the backend's reports for many tasks), so that
   * it waits once, not once per task.
   *
   * <p>Each task is stored or fails on its own: one that fails (no task with its id, a database
   * error) does not keep the others from being stored. When this returns, every task not named in
   * the answer is durable.
   *
   * @param tasks the tasks to store, each id at most once
   * @return what each task that was not stored failed with, by task id, in the order given; empty
   *     when all were stored
   * @throws IllegalArgumentException when an id appears twice
   */
  default Map<String, RuntimeException> updateAll(List<StoredTask> tasks) {
    Objects.requireNonNull(tasks, "tasks");
    StoreChecks.requireDistinctIds(tasks);
    Map<String, RuntimeException> failures = new LinkedHashMap<>();
    for (StoredTask task : tasks) {
      try {
        update(task);
      } catch (RuntimeException e) {
        failures.put(task.id(), e); // the caller gets it, task by task
      }
    }
    return failures;
  }

  /** The tasks that match {@code query}, newest first, at most {@code query.limit()} of them. */
  TaskPage list(TaskQuery query);

  /**
   * Every task not in a terminal state (QUEUED, INITIALIZING, RUNNING, PAUSED, CANCELING), oldest
   * first: what a restarted engine must re-attach or end.
   */
  List<StoredTask> unfinished();

  /** The number of tasks stored. */
  long count();

  /**
   * Whether every call of this store returns from memory: no I/O, no wait for a lock held across
   * I/O, no failure to retry. The engine then tells a server it may answer on a thread that must
   * never block ({@code TesClient.answersWithoutBlocking()}). False unless an implementation knows
   * better: a wrong {@code true} would stall every connection of such a thread behind one slow call.
   *
   * @return false by default; {@link MemoryTaskStore}: true
   */
  default boolean isInMemory() {
    return false;
  }

  /** Releases files and connections. */
  @Override
  void close();
}
