package io.tes4j.spi;

import io.tes4j.model.OutputFileLog;
import io.tes4j.model.State;
import java.time.Instant;
import java.util.List;

/**
 * How a {@link Backend} reports one task's progress to the engine. The engine implements it; the
 * backend may call it from any thread, holding its own locks. Each task's reports are applied in
 * the order they were made, and stored, so a task's state survives a restart on a durable store.
 * A call returns at once: the engine's reporter threads apply and store the report, so that a
 * backend's thread never waits for the store; or, when nothing on the way can block (the engine's
 * store in memory, no listener), the call applies it itself before it returns, taking no lock the
 * backend could be waiting for and calling no backend method (unless another thread is applying
 * the same task's reports at that moment, such as the engine storing the handle {@code start}
 * returned: that thread then applies this one too, right after, in order). When the store keeps failing, the
 * engine keeps the change in memory and writes it later (see {@code TesEngine}, "When the store or
 * the backend fails"); a call never throws because the store failed.
 *
 * <p>The usual sequence: {@link #initializing()} (staging inputs), {@link #running()}, then for each
 * executor {@link #executorStarted} and {@link #executorFinished}, then {@link #outputs}, and at last
 * one {@link #finished}. The engine enforces the TES state machine: a report that would make an
 * illegal transition is ignored and logged (with the task id), and every report after a terminal
 * state is ignored, since a backend racing a cancel is normal. While the task is CANCELING, a
 * terminal report ends it CANCELED.
 */
public interface TaskEvents {

  /**
   * The task is being prepared: the backend took it and stages its inputs. The engine already
   * stored the task as INITIALIZING when it called {@link Backend#start}, so this call changes
   * nothing; it is accepted for backends that report every step.
   */
  void initializing();

  /** The inputs are in place and the first executor starts (INITIALIZING → RUNNING). */
  void running();

  /**
   * Executor {@code index} (0-based, in the task's order) started.
   *
   * @param index the executor's position in {@code task.executors}
   * @param startTime when it started
   */
  void executorStarted(int index, Instant startTime);

  /**
   * Executor {@code index} ended.
   *
   * @param index the executor's position in {@code task.executors}
   * @param endTime when it ended
   * @param exitCode its exit code (by convention 128 + the signal number when a signal killed it)
   * @param stdoutTail the end of its standard output (the backend bounds it, e.g. to 64 KiB), or
   *     {@code null}
   * @param stderrTail the end of its standard error, bounded the same way, or {@code null}
   */
  void executorFinished(int index, Instant endTime, int exitCode, String stdoutTail, String stderrTail);

  /**
   * The files uploaded by the output stage, as the spec's output file logs (url, path, size). May be
   * called more than once; the lists are appended.
   */
  void outputs(List<OutputFileLog> outputs);

  /**
   * A line for the task log's {@code system_logs}: what the system (not an executor) did or could not
   * do, e.g. "resources are not enforced on runtime=host". Never put secrets in it.
   */
  void systemLog(String message);

  /** A key/value for the task log's {@code metadata}, e.g. {@code k8s.job=task-abc}. */
  void metadata(String key, String value);

  /**
   * The task ended.
   *
   * @param state a terminal state: COMPLETE, EXECUTOR_ERROR, SYSTEM_ERROR, CANCELED or PREEMPTED
   * @throws IllegalArgumentException when {@code state} is not terminal
   */
  void finished(State state);

  /** Convenience: a system log line, then {@link #finished} with SYSTEM_ERROR. */
  default void failed(String systemLog) {
    systemLog(systemLog);
    finished(State.SYSTEM_ERROR);
  }
}
