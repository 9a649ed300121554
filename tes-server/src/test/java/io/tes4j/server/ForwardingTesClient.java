package io.tes4j.server;

import io.tes4j.api.ListTasksRequest;
import io.tes4j.api.TesClient;
import io.tes4j.model.ListTasksResponse;
import io.tes4j.model.ServiceInfo;
import io.tes4j.model.Task;
import io.tes4j.model.View;

/** A {@link TesClient} that passes every call to another; tests override the calls they change. */
class ForwardingTesClient implements TesClient {
  private final TesClient delegate;

  ForwardingTesClient(TesClient delegate) {
    this.delegate = delegate;
  }

  @Override
  public ServiceInfo serviceInfo() {
    return delegate.serviceInfo();
  }

  @Override
  public String createTask(Task task) {
    return delegate.createTask(task);
  }

  @Override
  public Task getTask(String id, View view) {
    return delegate.getTask(id, view);
  }

  @Override
  public ListTasksResponse listTasks(ListTasksRequest request) {
    return delegate.listTasks(request);
  }

  @Override
  public void cancelTask(String id) {
    delegate.cancelTask(id);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
