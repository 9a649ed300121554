package io.tes4j.api;

/** No task has this id (HTTP 404). */
public class TaskNotFoundException extends TesServiceException {
  private static final long serialVersionUID = 1L;
  private final String taskId;

  public TaskNotFoundException(String taskId) {
    this(taskId, null);
  }

  public TaskNotFoundException(String taskId, String body) {
    super("task not found: " + taskId, 404, body);
    this.taskId = taskId;
  }

  /** The id that was asked for. */
  public String taskId() {
    return taskId;
  }
}
