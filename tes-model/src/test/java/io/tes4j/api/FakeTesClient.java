package io.tes4j.api;

import io.tes4j.model.ListTasksResponse;
import io.tes4j.model.ServiceInfo;
import io.tes4j.model.Task;
import io.tes4j.model.View;

/**
 * A {@link TesClient} for tests of the interface's default methods. Each test overrides the calls
 * it expects; any other call fails the test, naming the call.
 */
abstract class FakeTesClient implements TesClient {

  @Override
  public ServiceInfo serviceInfo() {
    throw new AssertionError("unexpected call: serviceInfo()");
  }

  @Override
  public String createTask(Task task) {
    throw new AssertionError("unexpected call: createTask(" + task + ")");
  }

  @Override
  public Task getTask(String id, View view) {
    throw new AssertionError("unexpected call: getTask(" + id + ", " + view + ")");
  }

  @Override
  public ListTasksResponse listTasks(ListTasksRequest request) {
    throw new AssertionError("unexpected call: listTasks(" + request + ")");
  }

  @Override
  public void cancelTask(String id) {
    throw new AssertionError("unexpected call: cancelTask(" + id + ")");
  }

  @Override
  public void close() {
    // Nothing to release: the fake holds no connections or threads.
  }
}
