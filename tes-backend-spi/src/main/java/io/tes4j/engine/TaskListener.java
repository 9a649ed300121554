package io.tes4j.engine;

import io.tes4j.model.State;

/**
 * Told of every change of state of every task of a {@link TesEngine}: registered with {@link
 * TesEngine.Builder#listener(TaskListener)}.
 *
 * <p>Each task's changes arrive one at a time and in order, after the new state was stored, on the
 * thread that made the change (a caller of {@code createTask} or {@code cancelTask}, a backend's
 * thread, the engine's thread), while that task is locked. So a handler must be fast and must not
 * block: hand slow work (a webhook, a database write) to an executor of your own. It must not
 * throw either; an exception is logged and ignored, and the engine goes on. Reading the engine from
 * a handler ({@code getTask}, {@code listTasks}) is fine; creating or cancelling tasks is not (two
 * handlers cancelling each other's tasks would wait on each other): hand that to another thread.
 *
 * <pre>{@code
 * TesEngine engine = TesEngine.builder()
 *     .backend("local:")
 *     .listener((id, from, to) -> metrics.count("tes.state." + to))
 *     .build();
 * }</pre>
 */
@FunctionalInterface
public interface TaskListener {

  /**
   * A task changed state.
   *
   * @param taskId the task's id; {@code getTask(taskId, View.FULL)} reads the rest
   * @param from the state it left: {@link State#UNKNOWN} for a task just created (which enters
   *     QUEUED)
   * @param to the state it entered, already stored
   */
  void stateChanged(String taskId, State from, State to);
}
