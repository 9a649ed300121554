package io.tes4j.cli.internal;

import io.tes4j.api.InvalidTaskException;
import io.tes4j.api.TesClient;
import io.tes4j.model.Task;
import io.tes4j.model.TesJson;
import io.tes4j.model.TesJsonException;
import io.tes4j.model.Violation;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code tes4j submit FILE}: validates a task file, submits it, prints the new task's id. */
@Command(
    name = "submit",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Validate a task file and submit it; print only the new task's id on standard output.",
      "An invalid task is not sent: its problems are listed on standard error as"
          + " FILE: JSONPATH: message, as by 'tes4j validate'.",
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:submitted",
      "1:the task is invalid (found here or by the server), or the file cannot be read",
      "2:usage error (no server, conflicting credentials)",
      "3:server unreachable, timed out, or server error",
      "5:authentication refused",
    })
final class SubmitCommand extends RemoteCommand {
  @Parameters(index = "0", paramLabel = "FILE", description = "The task file; - reads standard input.")
  private String file;

  private Task task;

  SubmitCommand(Context ctx) {
    super(ctx);
  }

  @Override
  int prepare() {
    Optional<String> json = TaskFiles.read(ctx, file);
    if (json.isEmpty() || !TaskFiles.validate(ctx, file, json.get())) {
      return ExitCodes.FAILED;
    }
    try {
      task = TesJson.read(json.get(), Task.class);
    } catch (TesJsonException e) {
      // The validator accepted what the mapper refuses: report it the same way, send nothing.
      TaskFiles.report(ctx, file, List.of(new Violation(e.path(), e.getMessage())));
      return ExitCodes.FAILED;
    }
    return ExitCodes.OK;
  }

  @Override
  int run(TesClient client) {
    String id;
    try {
      id = client.createTask(task);
    } catch (InvalidTaskException e) {
      List<Violation> violations = e.violations();
      if (violations.isEmpty()) {
        String body = e.body().map(String::strip).orElse("");
        violations =
            List.of(
                new Violation(
                    "$", "rejected by the server" + (body.isEmpty() ? "" : ": " + body)));
      }
      TaskFiles.report(ctx, file, violations);
      return ExitCodes.FAILED;
    }
    ctx.out().println(id);
    return ExitCodes.OK;
  }
}
