package io.tes4j.cli.internal;

import io.tes4j.api.TesClient;
import io.tes4j.model.TesJson;
import io.tes4j.model.View;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tes4j get ID}: one task, as JSON. */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Print one task as JSON (indented).",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "2:usage error",
      "3:server unreachable, timed out, or server error",
      "4:task not found",
      "5:authentication refused",
    })
final class GetCommand extends RemoteCommand {
  @Parameters(index = "0", paramLabel = "ID", description = "The task's id.")
  private String id;

  @Option(
      names = "--view",
      paramLabel = "VIEW",
      defaultValue = "FULL",
      description =
          "How much of the task: ${COMPLETION-CANDIDATES} (MINIMAL: id and state; BASIC: no logs'"
              + " stdout/stderr, no input content). Default: ${DEFAULT-VALUE}.")
  private View view;

  GetCommand(Context ctx) {
    super(ctx);
  }

  @Override
  int run(TesClient client) {
    ctx.out().println(TesJson.writePretty(client.getTask(id, view)));
    return ExitCodes.OK;
  }
}
