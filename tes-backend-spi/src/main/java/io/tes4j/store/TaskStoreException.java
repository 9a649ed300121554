package io.tes4j.store;

/**
 * A {@link TaskStore} could not do what it was asked: the database failed, refused the store's
 * schema, or returned a document that cannot be read. The message names the operation and, where
 * there is one, the task; the cause is the database's own exception.
 *
 * <p>This is not what a duplicate insert or an update of a missing task throws: those break the
 * {@link TaskStore} contract and throw {@link IllegalStateException}, whatever the store.
 */
public class TaskStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The operation that failed ({@code insert}, {@code get}, {@code open}...). */
  private final String operation;

  /** The task concerned, or {@code null}. */
  private final String taskId;

  /**
   * A failure of {@code operation} on task {@code taskId}.
   *
   * @param operation what the store was doing: {@code open}, {@code insert}, {@code get}, {@code
   *     update}, {@code list}, {@code unfinished}, {@code count}
   * @param taskId the task concerned, or {@code null} when the operation is about no one task
   * @param message the whole message, which names the operation and the task
   * @param cause what the database threw, or {@code null}
   */
  public TaskStoreException(String operation, String taskId, String message, Throwable cause) {
    super(message, cause);
    this.operation = operation;
    this.taskId = taskId;
  }

  /** The operation that failed: {@code open}, {@code insert}, {@code get}, {@code update}... */
  public String operation() {
    return operation;
  }

  /** The id of the task concerned, or {@code null} when the operation is about no one task. */
  public String taskId() {
    return taskId;
  }
}
