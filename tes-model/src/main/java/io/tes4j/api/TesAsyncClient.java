package io.tes4j.api;

import io.tes4j.model.ListTasksResponse;
import io.tes4j.model.ServiceInfo;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The asynchronous view of a {@link TesClient}, from {@link TesClient#async()}. Each future fails
 * with the same {@link TesException} the blocking call would throw (wrapped in a
 * {@link java.util.concurrent.CompletionException} by {@code join()}).
 *
 * <pre>{@code
 * TesAsyncClient tes = client.async();
 * tes.createTask(task)
 *    .thenCompose(id -> tes.await(id, Duration.ofHours(1)))
 *    .thenAccept(done -> System.out.println(done.state()));
 * }</pre>
 */
public interface TesAsyncClient {
  /** As {@link TesClient#serviceInfo()}. */
  CompletableFuture<ServiceInfo> serviceInfo();

  /** As {@link TesClient#createTask(Task)}. */
  CompletableFuture<String> createTask(Task task);

  /** As {@link TesClient#getTask(String, View)}. */
  CompletableFuture<Task> getTask(String id, View view);

  /** As {@link TesClient#listTasks(ListTasksRequest)}. */
  CompletableFuture<ListTasksResponse> listTasks(ListTasksRequest request);

  /** As {@link TesClient#cancelTask(String)}. */
  CompletableFuture<Void> cancelTask(String id);

  /**
   * As {@link TesClient#await(String, Duration)}, without holding a thread while waiting between
   * polls. Cancelling the returned future stops the polling (the task itself is not cancelled).
   */
  CompletableFuture<Task> await(String id, Duration timeout);

  /** The blocking client this view belongs to. */
  TesClient sync();

  /**
   * Whether each call in progress holds a thread that waits for it: true for the default {@link
   * TesClient#async()} view, which runs the blocking calls on a pool; false for the HTTP client
   * (non-blocking I/O) and the engine on its own threads with no listener (whose {@link
   * #createTask} completes when its store has written the task). A server hands to the calls of a client that holds no thread the requests
   * that would otherwise each keep one of its own threads waiting ({@code TesApi.handleAsync}).
   *
   * @return true unless the implementation knows its calls wait without a thread each
   */
  default boolean holdsThreadPerCall() {
    return true;
  }
}
