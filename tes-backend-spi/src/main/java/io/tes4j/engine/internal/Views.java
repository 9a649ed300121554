package io.tes4j.engine.internal;

import io.tes4j.model.ExecutorLog;
import io.tes4j.model.Input;
import io.tes4j.model.Task;
import io.tes4j.model.TaskLog;
import io.tes4j.model.View;
import java.util.ArrayList;
import java.util.List;

/** The spec's MINIMAL, BASIC and FULL views of a stored (FULL) task. Internal. */
public final class Views {
  private Views() {}

  /**
   * {@code task} in {@code view}; {@code null} means MINIMAL, the spec's default. FULL is the task
   * itself; BASIC leaves out the executor logs' stdout and stderr, the inputs' content and the task
   * logs' system_logs; MINIMAL keeps only id and state.
   */
  public static Task of(Task task, View view) {
    if (view == null || view == View.MINIMAL) {
      return new Task(task.id(), task.state(), null, null, null, null, null, null, null, null, null, null);
    }
    return view == View.FULL ? task : basic(task);
  }

  private static Task basic(Task task) {
    boolean content = false;
    for (Input input : task.inputs()) {
      content |= input.content() != null;
    }
    boolean logs = false;
    for (TaskLog log : task.logs()) {
      logs |= !log.systemLogs().isEmpty();
      for (ExecutorLog executorLog : log.logs()) {
        logs |= executorLog.stdout() != null || executorLog.stderr() != null;
      }
    }
    if (!content && !logs) {
      return task;
    }
    List<Input> inputs = task.inputs();
    if (content) {
      inputs = new ArrayList<>(task.inputs().size());
      for (Input input : task.inputs()) {
        inputs.add(input.content() == null
            ? input
            : new Input(input.name(), input.description(), input.url(), input.path(), input.type(), null, input.streamable()));
      }
    }
    List<TaskLog> taskLogs = task.logs();
    if (logs) {
      taskLogs = new ArrayList<>(task.logs().size());
      for (TaskLog log : task.logs()) {
        List<ExecutorLog> executorLogs = new ArrayList<>(log.logs().size());
        for (ExecutorLog e : log.logs()) {
          executorLogs.add(e.stdout() == null && e.stderr() == null
              ? e
              : new ExecutorLog(e.startTime(), e.endTime(), null, null, e.exitCode()));
        }
        taskLogs.add(new TaskLog(executorLogs, log.metadata(), log.startTime(), log.endTime(), log.outputs(), List.of()));
      }
    }
    // The records' constructors keep the lists that did not change (List.copyOf of a List.copyOf).
    return new Task(task.id(), task.state(), task.name(), task.description(), inputs, task.outputs(), task.resources(),
        task.executors(), task.volumes(), task.tags(), taskLogs, task.creationTime());
  }
}
