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
      return Task.builder().id(task.id()).state(task.state()).build();
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
    Task.Builder basic = task.toBuilder();
    if (content) {
      List<Input> inputs = new ArrayList<>(task.inputs().size());
      for (Input input : task.inputs()) {
        inputs.add(input.content() == null ? input : input.toBuilder().content(null).build());
      }
      basic.inputs(inputs);
    }
    if (logs) {
      List<TaskLog> taskLogs = new ArrayList<>(task.logs().size());
      for (TaskLog log : task.logs()) {
        List<ExecutorLog> executorLogs = new ArrayList<>(log.logs().size());
        for (ExecutorLog executorLog : log.logs()) {
          executorLogs.add(
              executorLog.stdout() == null && executorLog.stderr() == null
                  ? executorLog
                  : executorLog.toBuilder().stdout(null).stderr(null).build());
        }
        taskLogs.add(log.toBuilder().logs(executorLogs).systemLogs(List.of()).build());
      }
      basic.logs(taskLogs);
    }
    return basic.build();
  }
}
