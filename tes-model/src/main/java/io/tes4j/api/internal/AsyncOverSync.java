package io.tes4j.api.internal;

import io.tes4j.api.ListTasksRequest;
import io.tes4j.api.TesAsyncClient;
import io.tes4j.api.TesClient;
import io.tes4j.model.ListTasksResponse;
import io.tes4j.model.ServiceInfo;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The asynchronous view of a client that only has blocking calls: each call runs on a shared pool
 * of daemon threads, and {@link #await} holds no thread between polls. Internal.
 */
public final class AsyncOverSync implements TesAsyncClient {
  private static final ExecutorService POOL =
      Executors.newCachedThreadPool(
          new java.util.concurrent.ThreadFactory() {
            private final AtomicInteger count = new AtomicInteger();

            @Override
            public Thread newThread(Runnable r) {
              Thread t = new Thread(r, "tes4j-async-" + count.incrementAndGet());
              t.setDaemon(true);
              return t;
            }
          });

  private final TesClient client;

  public AsyncOverSync(TesClient client) {
    this.client = client;
  }

  private static <T> CompletableFuture<T> run(Supplier<T> call) {
    return CompletableFuture.supplyAsync(call, POOL);
  }

  @Override
  public CompletableFuture<ServiceInfo> serviceInfo() {
    return run(client::serviceInfo);
  }

  @Override
  public CompletableFuture<String> createTask(Task task) {
    return run(() -> client.createTask(task));
  }

  @Override
  public CompletableFuture<Task> getTask(String id, View view) {
    return run(() -> client.getTask(id, view));
  }

  @Override
  public CompletableFuture<ListTasksResponse> listTasks(ListTasksRequest request) {
    return run(() -> client.listTasks(request));
  }

  @Override
  public CompletableFuture<Void> cancelTask(String id) {
    return CompletableFuture.runAsync(() -> client.cancelTask(id), POOL);
  }

  @Override
  public CompletableFuture<Task> await(String id, Duration timeout) {
    return Polling.awaitAsync(this, id, timeout, POOL);
  }

  @Override
  public TesClient sync() {
    return client;
  }
}
