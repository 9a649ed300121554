package io.tes4j.client.internal;

import io.tes4j.api.ListTasksRequest;
import io.tes4j.api.TesAsyncClient;
import io.tes4j.api.TesClient;
import io.tes4j.api.internal.Polling;
import io.tes4j.model.ListTasksResponse;
import io.tes4j.model.ServiceInfo;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The non-blocking view of a {@code TesHttpClient}: every call is an {@code HttpClient.sendAsync},
 * retries are scheduled rather than slept, and {@link #await} holds no thread between polls.
 * Internal.
 */
public final class HttpTesAsyncClient implements TesAsyncClient {
  private final TesClient sync;
  private final HttpTransport transport;
  private final TesRoutes routes;

  /** The asynchronous view of {@code sync}, which sends through {@code transport}. */
  public HttpTesAsyncClient(TesClient sync, HttpTransport transport, TesRoutes routes) {
    this.sync = sync;
    this.transport = transport;
    this.routes = routes;
  }

  /**
   * Sends the call {@code route} describes. A bad argument (an empty task id, a null task) fails
   * the future like any other error rather than throwing here, so callers handle one path.
   */
  private <T> CompletableFuture<T> send(Supplier<HttpCall<T>> route) {
    HttpCall<T> call;
    try {
      call = route.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return transport.sendAsync(call);
  }

  @Override
  public CompletableFuture<ServiceInfo> serviceInfo() {
    return send(routes::serviceInfo);
  }

  @Override
  public CompletableFuture<String> createTask(Task task) {
    return send(() -> routes.createTask(task));
  }

  @Override
  public CompletableFuture<Task> getTask(String id, View view) {
    return send(() -> routes.getTask(id, view));
  }

  @Override
  public CompletableFuture<ListTasksResponse> listTasks(ListTasksRequest request) {
    return send(() -> routes.listTasks(request));
  }

  @Override
  public CompletableFuture<Void> cancelTask(String id) {
    return send(() -> routes.cancelTask(id));
  }

  @Override
  public CompletableFuture<Task> await(String id, Duration timeout) {
    return Polling.awaitAsync(this, id, timeout, transport.pollingExecutor());
  }

  @Override
  public TesClient sync() {
    return sync;
  }

  @Override
  public boolean holdsThreadPerCall() {
    return false;
  }
}
