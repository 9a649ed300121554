package io.tes4j.engine;

import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.spi.Backend;
import io.tes4j.spi.Capabilities;
import io.tes4j.spi.TaskEvents;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * A backend the test drives by hand: it only records what the engine asks, and the test reports
 * each task's progress through {@link #events(String)} on its own thread, so every step is
 * deterministic.
 */
class FakeBackend implements Backend {
  /** One task the engine started. */
  record Started(Task task, TaskEvents events, String handle) {}

  final Capabilities capabilities;
  final Map<String, Started> byId = new ConcurrentHashMap<>();
  final List<String> startedIds = new CopyOnWriteArrayList<>();
  final List<String> cancelled = new CopyOnWriteArrayList<>();
  final List<String> resumed = new CopyOnWriteArrayList<>();
  volatile RuntimeException failStart;
  /** Called inside start, before it returns or throws (to play events that race the handle). */
  volatile BiConsumer<Task, TaskEvents> duringStart;
  volatile boolean forgetOnResume;
  /** What {@link #check} answers; nothing by default, as the SPI's default method. */
  volatile java.util.function.Function<Task, List<io.tes4j.model.Violation>> checks = task -> List.of();
  volatile boolean closed;
  /** So many next cancels throw, each counted in {@link #cancelAttempts}. */
  final java.util.concurrent.atomic.AtomicInteger failCancels = new java.util.concurrent.atomic.AtomicInteger();
  final List<String> cancelAttempts = new CopyOnWriteArrayList<>();

  FakeBackend() {
    this(Capabilities.basic());
  }

  FakeBackend(Capabilities capabilities) {
    this.capabilities = capabilities;
  }

  static FakeBackend resuming() {
    return new FakeBackend(new Capabilities(true, true, Set.of(), Set.of(), List.of()));
  }

  static FakeBackend withParameters(String... keys) {
    return new FakeBackend(new Capabilities(true, false, Set.of(), Set.of(keys), List.of("file:///data")));
  }

  @Override
  public Capabilities capabilities() {
    return capabilities;
  }

  @Override
  public List<io.tes4j.model.Violation> check(Task task) {
    return checks.apply(task);
  }

  @Override
  public String start(Task task, TaskEvents events) {
    BiConsumer<Task, TaskEvents> hook = duringStart;
    if (hook != null) {
      hook.accept(task, events);
    }
    RuntimeException failure = failStart;
    if (failure != null) {
      throw failure;
    }
    String handle = "handle-" + task.id();
    byId.put(task.id(), new Started(task, events, handle));
    synchronized (startedIds) {
      startedIds.add(task.id());
      startedIds.notifyAll();
    }
    return handle;
  }

  @Override
  public void cancel(String handle) {
    cancelAttempts.add(handle);
    if (failCancels.getAndUpdate(n -> Math.max(n - 1, 0)) > 0) {
      throw new io.tes4j.api.BackendException("the cluster is unreachable");
    }
    synchronized (cancelled) {
      cancelled.add(handle);
      cancelled.notifyAll();
    }
  }

  /** Waits until {@code count} cancels went through (retries run on the engine's thread). */
  void awaitCancelled(int count) {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    synchronized (cancelled) {
      while (cancelled.size() < count) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("expected " + count + " cancels, got " + cancelled);
        }
        try {
          java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(cancelled, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
  }

  @Override
  public boolean resume(String handle, Task task, TaskEvents events) {
    resumed.add(handle);
    if (forgetOnResume || !byId.containsKey(task.id())) {
      return false;
    }
    byId.put(task.id(), new Started(task, events, handle));
    return true;
  }

  @Override
  public void close() {
    closed = true;
  }

  /**
   * Waits until {@code count} tasks were started: the engine admits on its own thread once a task
   * ends, so the test waits for that start instead of sleeping.
   */
  void awaitStarted(int count) {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    synchronized (startedIds) {
      while (startedIds.size() < count) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("expected " + count + " tasks started, got " + startedIds);
        }
        try {
          java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(startedIds, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
  }

  /** The events of a started task. */
  TaskEvents events(String id) {
    Started started = byId.get(id);
    if (started == null) {
      throw new AssertionError("task " + id + " was not started; started: " + startedIds);
    }
    return started.events();
  }

  /** Reports a whole successful run with one executor. */
  void complete(String id) {
    TaskEvents events = events(id);
    events.initializing();
    events.running();
    events.executorStarted(0, Instant.parse("2026-11-22T10:00:01Z"));
    events.executorFinished(0, Instant.parse("2026-11-22T10:00:02Z"), 0, "out", "err");
    events.finished(State.COMPLETE);
  }

  /** Reports RUNNING. */
  void run(String id) {
    events(id).running();
  }
}
