package io.tes4j.engine.internal;

import io.tes4j.model.OutputFileLog;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.spi.TaskEvents;
import io.tes4j.store.StoredTask;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task that has not ended, as the engine holds it: its current document, its backend handle, a
 * future completed when it ends, and its place in admission. It is also the {@link TaskEvents} the
 * backend reports to. Its fields are guarded by its own monitor, except where said. Internal.
 */
final class Run implements TaskEvents {
  private static final Logger LOG = LoggerFactory.getLogger("io.tes4j.engine");

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
  /** Taken up from the store by a restarted engine and resumed on the backend; set before it is shared. */
  volatile boolean reattached;
  /**
   * Its QUEUED document while it waits for its launch after it was stored INITIALIZING at its
   * creation, or null; guarded by the monitor.
   */
  Task queuedDoc;
  /** The handle of the last document the store took; guarded by the monitor. */
  String storedHandle;
  /** The store lacks the latest {@link #task} (its writes failed); the engine writes it later. */
  boolean unwritten;
  /**
   * Its insert failed, so createTask threw: the store may or may not hold it. Set once, before the
   * run is shared.
   */
  volatile boolean mayBeAbsent;

  /** The backend's reports not applied yet, oldest first; guarded by itself. */
  private final ArrayDeque<Runnable> reports = new ArrayDeque<>();
  /** A drain of {@link #reports} is scheduled or running; guarded by {@link #reports}. */
  private boolean draining;
  /** The batch of reports being applied, or null; guarded by the monitor. */
  Batch batch;

  // Guarded by the admission's monitor.
  boolean admitted;
  boolean released;

  Run(EngineCore engine, Task task, String handle, long limits) {
    this.engine = engine;
    this.id = task.id();
    this.task = task;
    this.handle = handle;
    this.storedHandle = handle;
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
    post(() -> engine.report(this, State.INITIALIZING, null));
  }

  @Override
  public void running() {
    post(() -> engine.report(this, State.RUNNING, null));
  }

  @Override
  public void executorStarted(int index, Instant startTime) {
    Objects.requireNonNull(startTime, "startTime");
    post(() -> engine.executorLog(this, index, startTime, null, null, null, null));
  }

  @Override
  public void executorFinished(int index, Instant endTime, int exitCode, String stdoutTail, String stderrTail) {
    Objects.requireNonNull(endTime, "endTime");
    post(() -> engine.executorLog(this, index, null, endTime, exitCode, stdoutTail, stderrTail));
  }

  @Override
  public void outputs(List<OutputFileLog> outputs) {
    List<OutputFileLog> copy = List.copyOf(outputs);
    post(() -> engine.outputs(this, copy));
  }

  @Override
  public void systemLog(String message) {
    Objects.requireNonNull(message, "message");
    post(() -> engine.systemLog(this, message));
  }

  @Override
  public void metadata(String key, String value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    post(() -> engine.metadata(this, key, value));
  }

  @Override
  public void finished(State state) {
    if (state == null || !state.isTerminal()) {
      throw new IllegalArgumentException(
          "finished(" + state + ") for task " + id
              + ": a task finishes in a terminal state (COMPLETE, EXECUTOR_ERROR, SYSTEM_ERROR, CANCELED or PREEMPTED)");
    }
    post(() -> engine.report(this, state, null));
  }

  /**
   * Stores the handle the backend's start returned, as a report: after the reports the backend made
   * while it started the task, in the same write as those applied with it, and not at all when one
   * of them was written with it already. The starter thread does not wait for it.
   */
  void storeHandle() {
    post(() -> engine.storeHandle(this));
  }

  /**
   * Applies a report of the backend on the engine's reporter threads, in the order the backend made
   * them: the backend's thread returns at once instead of waiting for the store, so a backend that
   * reports every task from one thread (a scheduler, a watch) is not held to one commit at a time.
   */
  private void post(Runnable report) {
    synchronized (reports) {
      reports.add(report);
      if (draining) {
        return; // the drain in progress takes it, in order
      }
      draining = true;
    }
    engine.applyReports(this, this::drainReports);
  }

  /**
   * Applies the reports waiting, oldest first, until none is left. Those that arrived together are
   * applied as one batch: one store write for all of them (see {@link EngineCore#applyBatch}).
   */
  private void drainReports() {
    for (List<Runnable> batch = takeReports(); !batch.isEmpty(); batch = takeReports()) {
      engine.applyBatch(this, batch);
    }
  }

  /**
   * Takes the reports waiting, oldest first, for a drain that applies them with other tasks' ({@link
   * BatchedReports}); when none is left, the drain of this run is over and an empty list is
   * returned. Until then, the drain must take again after applying what it took.
   */
  List<Runnable> takeReports() {
    synchronized (reports) {
      if (reports.isEmpty()) {
        draining = false;
        return List.of();
      }
      List<Runnable> taken = new ArrayList<>(reports);
      reports.clear();
      return taken;
    }
  }

  /** The document the next change starts from: the batch's latest when a batch is applied. */
  Task latest() {
    Batch open = batch;
    return open != null && open.task != null ? open.task : task;
  }

  /**
   * Changes of one batch of reports, held until the batch ends: the latest document, what changed
   * (for the log), the state changes to tell the listeners, and the end, if the task ended. Guarded
   * by the run's monitor, which the batch holds throughout.
   */
  static final class Batch {
    Task task;
    final List<String> what = new ArrayList<>();
    final List<State[]> changes = new ArrayList<>();
    Task ended;
  }

  /** The reporter threads refused the drain (the engine is closed): the reports are dropped. */
  void dropReports() {
    synchronized (reports) {
      reports.clear();
      draining = false;
    }
  }

  @Override
  public String toString() {
    return "task " + id + " (" + state() + ")";
  }
}
