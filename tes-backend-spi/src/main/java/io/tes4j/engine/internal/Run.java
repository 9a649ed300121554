package io.tes4j.engine.internal;

import io.tes4j.model.OutputFileLog;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.spi.TaskEvents;
import io.tes4j.store.StoredTask;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * One task that has not ended, as the engine holds it: its current document, its backend handle, a
 * future completed when it ends, and its place in admission. It is also the {@link TaskEvents} the
 * backend reports to. Its fields are guarded by its own monitor, except where said. Internal.
 */
final class Run implements TaskEvents {
  final EngineCore engine;
  final String id;
  /** The tag limits it counts against, one bit per limit. */
  final long limits;
  /** Completed with the FULL task when it ends. */
  final CompletableFuture<Task> done = new CompletableFuture<>();

  /** The task as last stored: written under the monitor, read anywhere. */
  volatile Task task;
  /** What the backend's start returned, or null. */
  volatile String handle;
  /** The store lacks the latest {@link #task} (its writes failed); the engine writes it later. */
  boolean unwritten;
  /**
   * Its insert failed, so createTask threw: the store may or may not hold it. Set once, before the
   * run is shared.
   */
  volatile boolean mayBeAbsent;

  // Guarded by the admission's monitor.
  boolean admitted;
  boolean released;

  Run(EngineCore engine, Task task, String handle, long limits) {
    this.engine = engine;
    this.id = task.id();
    this.task = task;
    this.handle = handle;
    this.limits = limits;
  }

  State state() {
    return task.state();
  }

  /** The task and its handle, as the store keeps them. */
  StoredTask stored() {
    return new StoredTask(task, handle);
  }

  @Override
  public void initializing() {
    engine.report(this, State.INITIALIZING, null);
  }

  @Override
  public void running() {
    engine.report(this, State.RUNNING, null);
  }

  @Override
  public void executorStarted(int index, Instant startTime) {
    Objects.requireNonNull(startTime, "startTime");
    engine.executorLog(this, index, startTime, null, null, null, null);
  }

  @Override
  public void executorFinished(int index, Instant endTime, int exitCode, String stdoutTail, String stderrTail) {
    Objects.requireNonNull(endTime, "endTime");
    engine.executorLog(this, index, null, endTime, exitCode, stdoutTail, stderrTail);
  }

  @Override
  public void outputs(List<OutputFileLog> outputs) {
    engine.outputs(this, List.copyOf(outputs));
  }

  @Override
  public void systemLog(String message) {
    engine.systemLog(this, Objects.requireNonNull(message, "message"));
  }

  @Override
  public void metadata(String key, String value) {
    engine.metadata(this, Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
  }

  @Override
  public void finished(State state) {
    if (state == null || !state.isTerminal()) {
      throw new IllegalArgumentException(
          "finished(" + state + ") for task " + id
              + ": a task finishes in a terminal state (COMPLETE, EXECUTOR_ERROR, SYSTEM_ERROR, CANCELED or PREEMPTED)");
    }
    engine.report(this, state, null);
  }

  @Override
  public String toString() {
    return "task " + id + " (" + state() + ")";
  }
}
