package io.tes4j.store;

import java.util.List;
import java.util.Optional;

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

  /** The task with this id, if any. */
  Optional<StoredTask> get(String id);

  /**
   * Replaces a task (its whole document and handle).
   *
   * @throws IllegalStateException when no task has its id
   */
  void update(StoredTask task);

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
