package io.tes4j.engine;

import io.tes4j.store.StoredTask;
import io.tes4j.store.TaskPage;
import io.tes4j.store.TaskQuery;
import io.tes4j.store.TaskStore;
import io.tes4j.store.TaskStoreException;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A {@link TaskStore} over another that fails writes on purpose: every write {@link #failWhen}
 * matches, and a share ({@link #failRate}) of the others, chosen by a seeded random, so a run
 * repeats. Half the random failures happen before the write, half after it (the write landed, its
 * answer was lost: what a broken connection after a commit does). A share ({@link #slowRate}) of the
 * writes wait {@link #slowNanos} first. Reads fail only when {@link #failReads} is set.
 */
final class FaultyTaskStore implements TaskStore {
  /** Which writes: {@code insert} or {@code update}, and the task. */
  record Write(String operation, StoredTask task) {}

  final TaskStore delegate;
  private final Random random;
  volatile double failRate;
  volatile double slowRate;
  volatile long slowNanos = TimeUnit.MILLISECONDS.toNanos(1);
  volatile Predicate<Write> failWhen = write -> false;
  /** The writes that land, then fail: their answer is lost. */
  volatile Predicate<Write> failAfterWhen = write -> false;
  volatile boolean failReads;

  final AtomicLong writes = new AtomicLong();
  final AtomicLong failedBefore = new AtomicLong();
  final AtomicLong failedAfter = new AtomicLong();
  final AtomicLong slowed = new AtomicLong();
  /** Calls of {@link #updateAll} with more than one task: the engine wrote in batches. */
  final AtomicLong groupWrites = new AtomicLong();

  FaultyTaskStore(TaskStore delegate, long seed) {
    this.delegate = delegate;
    this.random = new Random(seed);
  }

  FaultyTaskStore(TaskStore delegate) {
    this(delegate, 1);
  }

  /** No write fails from now on. */
  FaultyTaskStore healed() {
    failWhen = write -> false;
    failAfterWhen = write -> false;
    failRate = 0;
    slowRate = 0;
    failReads = false;
    return this;
  }

  @Override
  public void insert(StoredTask task) {
    write(new Write("insert", task), () -> delegate.insert(task));
  }

  @Override
  public void update(StoredTask task) {
    write(new Write("update", task), () -> delegate.update(task));
  }

  /** Each task as {@link #update}, so each fails on its own, as a durable store's group does. */
  @Override
  public java.util.Map<String, RuntimeException> updateAll(List<StoredTask> tasks) {
    if (tasks.size() > 1) {
      groupWrites.incrementAndGet();
    }
    return TaskStore.super.updateAll(tasks);
  }

  private void write(Write write, Runnable action) {
    writes.incrementAndGet();
    boolean fail;
    boolean after;
    boolean slow;
    synchronized (random) {
      fail = random.nextDouble() < failRate;
      after = random.nextBoolean();
      slow = random.nextDouble() < slowRate;
    }
    if (slow) {
      slowed.incrementAndGet();
      try {
        TimeUnit.NANOSECONDS.sleep(slowNanos);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TaskStoreException(write.operation(), write.task().id(), "interrupted while slow on purpose", e);
      }
    }
    if (failWhen.test(write) || fail && !after) {
      failedBefore.incrementAndGet();
      throw injected(write, "before writing");
    }
    action.run();
    if (fail || failAfterWhen.test(write)) {
      failedAfter.incrementAndGet();
      throw injected(write, "after writing: the write landed, its answer was lost");
    }
  }

  private static TaskStoreException injected(Write write, String when) {
    return new TaskStoreException(write.operation(), write.task().id(),
        "injected failure of " + write.operation() + " of task " + write.task().id() + " (" + write.task().task().state()
            + ", " + when + ")", null);
  }

  private void read(String operation) {
    if (failReads) {
      throw new TaskStoreException(operation, null, "injected failure of " + operation, null);
    }
  }

  @Override
  public Optional<StoredTask> get(String id) {
    read("get");
    return delegate.get(id);
  }

  @Override
  public TaskPage list(TaskQuery query) {
    read("list");
    return delegate.list(query);
  }

  @Override
  public List<StoredTask> unfinished() {
    read("unfinished");
    return delegate.unfinished();
  }

  @Override
  public long count() {
    read("count");
    return delegate.count();
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String toString() {
    return "FaultyTaskStore[" + delegate + "]";
  }
}
