package io.tes4j.engine;

import io.tes4j.store.MemoryTaskStore;
import io.tes4j.store.StoredTask;
import io.tes4j.store.TaskPage;
import io.tes4j.store.TaskQuery;
import io.tes4j.store.TaskStore;
import java.util.List;
import java.util.Optional;

/** A test store over a {@link MemoryTaskStore} that a test subclasses to change one call. */
abstract class ForwardingTaskStore implements TaskStore {
  final MemoryTaskStore delegate = new MemoryTaskStore();

  @Override
  public void insert(StoredTask task) {
    delegate.insert(task);
  }

  @Override
  public Optional<StoredTask> get(String id) {
    return delegate.get(id);
  }

  @Override
  public void update(StoredTask task) {
    delegate.update(task);
  }

  @Override
  public TaskPage list(TaskQuery query) {
    return delegate.list(query);
  }

  @Override
  public List<StoredTask> unfinished() {
    return delegate.unfinished();
  }

  @Override
  public long count() {
    return delegate.count();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
