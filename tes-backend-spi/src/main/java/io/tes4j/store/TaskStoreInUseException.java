package io.tes4j.store;

/**
 * Another engine holds the store: a {@link JdbcTaskStore} is the one writer of its database, and
 * the second one opened on the same SQLite file or PostgreSQL schema fails with this exception
 * (operation {@code open}) while the first is open, in this process or another. The message names
 * the store, where its lock is, and who holds it when that can be told (process id and host).
 *
 * <p>An open store whose lock was lost (its PostgreSQL connection died and another engine took
 * the lock meanwhile, or its lock file was deleted) refuses every later write with this exception
 * too, its operation and task those of the write: this engine must stop, since another one writes
 * the store.
 */
public class TaskStoreInUseException extends TaskStoreException {
  private static final long serialVersionUID = 1L;

  /** Who holds the store, as far as known, or {@code null}. */
  private final String holder;

  /**
   * A store held by another engine.
   *
   * @param operation {@code open}, or the write refused: {@code insert}, {@code update}
   * @param taskId the task of the refused write, or {@code null}
   * @param message the whole message: the store, its lock, the holder, what to do
   * @param holder who holds the lock ({@code tes4j engine pid 4242 on host node-1 since ...}), or
   *     {@code null} when unknown
   * @param cause what the database or the file system threw, or {@code null}
   */
  public TaskStoreInUseException(String operation, String taskId, String message, String holder, Throwable cause) {
    super(operation, taskId, message, cause);
    this.holder = holder;
  }

  /**
   * Who holds the store's lock, as far as it could be told.
   *
   * @return e.g. {@code tes4j engine pid 4242 on host node-1 since 2026-12-07T10:00:00Z}, or
   *     {@code null} when unknown
   */
  public String holder() {
    return holder;
  }
}
