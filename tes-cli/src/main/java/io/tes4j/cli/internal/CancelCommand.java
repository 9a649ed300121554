package io.tes4j.cli.internal;

import io.tes4j.api.TesClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code tes4j cancel ID}: asks the server to cancel a task. */
@Command(
    name = "cancel",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Cancel a task. Prints nothing on success.",
      "Canceling a task that already ended changes nothing. Use 'tes4j wait ID' to wait until it"
          + " is CANCELED.",
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the server accepted the cancellation",
      "2:usage error",
      "3:server unreachable, timed out, or server error",
      "4:task not found",
      "5:authentication refused",
    })
final class CancelCommand extends RemoteCommand {
  @Parameters(index = "0", paramLabel = "ID", description = "The task's id.")
  private String id;

  CancelCommand(Context ctx) {
    super(ctx);
  }

  @Override
  int run(TesClient client) {
    client.cancelTask(id);
    return ExitCodes.OK;
  }
}
