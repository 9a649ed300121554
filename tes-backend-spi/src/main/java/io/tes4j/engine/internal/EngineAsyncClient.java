package io.tes4j.engine.internal;

import io.tes4j.api.ListTasksRequest;
import io.tes4j.api.TesAsyncClient;
import io.tes4j.api.TesClient;
import io.tes4j.model.ListTasksResponse;
import io.tes4j.model.ServiceInfo;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The asynchronous view of an engine. The engine's calls never wait for a task, so they run on the
 * calling thread and return completed futures, except two that wait without a thread: {@link
 * #createTask}, for the store to hold the task, and {@link #await}. Internal.
 */
public final class EngineAsyncClient implements TesAsyncClient {
  private final TesClient engine;
  private final EngineCore core;

  /**
   * @param engine the engine, for {@link #sync()}
   * @param core what it runs on
   */
  public EngineAsyncClient(TesClient engine, EngineCore core) {
    this.engine = engine;
    this.core = core;
  }

  private static <T> CompletableFuture<T> now(Supplier<T> call) {
    try {
      return CompletableFuture.completedFuture(call.get());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<ServiceInfo> serviceInfo() {
    return now(core::serviceInfo);
  }

  /** Completes once the task is stored: on the store's thread for a store that queues its writes. */
  @Override
  public CompletableFuture<String> createTask(Task task) {
    return core.createAsync(task);
  }

  @Override
  public CompletableFuture<Task> getTask(String id, View view) {
    return now(() -> core.get(id, view));
  }

  @Override
  public CompletableFuture<ListTasksResponse> listTasks(ListTasksRequest request) {
    return now(() -> core.list(request));
  }

  @Override
  public CompletableFuture<Void> cancelTask(String id) {
    return now(() -> {
      core.cancel(id);
      return null;
    });
  }

  @Override
  public CompletableFuture<Task> await(String id, Duration timeout) {
    return core.awaitAsync(id, timeout);
  }

  @Override
  public TesClient sync() {
    return engine;
  }

  @Override
  public boolean holdsThreadPerCall() {
    return !core.createsWithoutThread();
  }
}
