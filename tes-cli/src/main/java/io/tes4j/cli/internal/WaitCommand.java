package io.tes4j.cli.internal;

import io.tes4j.api.TesClient;
import io.tes4j.api.TesTimeoutException;
import io.tes4j.api.internal.Durations;
import io.tes4j.model.ExecutorLog;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.TaskLog;
import io.tes4j.model.View;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tes4j wait ID}: waits until the task ends and prints its final state. */
@Command(
    name = "wait",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Wait until a task ends; print its final state (COMPLETE, EXECUTOR_ERROR, SYSTEM_ERROR,"
          + " CANCELED or PREEMPTED) on standard output.",
      "Polls the server, from every 0.2 s up to every 5 s. On timeout, prints the state the task"
          + " is in and exits 1; the task goes on running.",
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the task ended COMPLETE",
      "1:the task ended in another state, or did not end within --timeout",
      "2:usage error",
      "3:server unreachable, timed out, or server error",
      "4:task not found",
      "5:authentication refused",
    })
final class WaitCommand extends RemoteCommand {
  @Parameters(index = "0", paramLabel = "ID", description = "The task's id.")
  private String id;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "24h",
      description =
          "How long to wait: 30s, 10m, 2h, 1d, or ISO-8601 (PT10M). Default: ${DEFAULT-VALUE}.")
  private Duration timeout;

  WaitCommand(Context ctx) {
    super(ctx);
  }

  @Override
  int run(TesClient client) {
    long start = System.nanoTime();
    Task task;
    try {
      task = client.await(id, timeout);
    } catch (TesTimeoutException e) {
      if (System.nanoTime() - start < timeout.toNanos()) {
        throw e; // one request timed out, not the wait
      }
      State now = client.getTask(id, View.MINIMAL).stateOrUnknown();
      ctx.out().println(now);
      ctx.error(
          "task " + id + " did not end within " + Durations.format(timeout) + "; it is " + now
              + " and goes on running");
      return ExitCodes.FAILED;
    }
    State state = task.stateOrUnknown();
    ctx.out().println(state);
    if (state == State.COMPLETE) {
      return ExitCodes.OK;
    }
    ctx.error("task " + id + " ended " + state + failedExecutor(task));
    return ExitCodes.FAILED;
  }

  /** {@code  (executor 1 exited with code 2)} from the last attempt's logs, or nothing. */
  private static String failedExecutor(Task task) {
    List<ExecutorLog> logs = task.lastLog().map(TaskLog::logs).orElse(List.of());
    for (int i = 0; i < logs.size(); i++) {
      Integer exit = logs.get(i).exitCode();
      if (exit != null && exit != 0) {
        return " (executor " + i + " exited with code " + exit + ")";
      }
    }
    return "";
  }
}
