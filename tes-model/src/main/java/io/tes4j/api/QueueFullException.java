package io.tes4j.api;

/**
 * A new task was refused because as many tasks as the engine's limit ({@code maxQueued}) wait
 * QUEUED already. Retryable: the same task is taken once some of them have started. A server
 * answers it with 503 and {@code Retry-After}.
 *
 * <pre>{@code
 * try {
 *   id = tes.createTask(task);
 * } catch (QueueFullException e) {
 *   // back off, then submit again
 * }
 * }</pre>
 */
public class QueueFullException extends TesClientException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message how many wait and the limit, for the caller
   */
  public QueueFullException(String message) {
    super(message, null, true);
  }
}
