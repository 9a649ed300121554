package io.tes4j.cli.internal;

import io.tes4j.api.TesClient;
import io.tes4j.model.TesJson;
import picocli.CommandLine.Command;

/** {@code tes4j service-info}: what the server says about itself. */
@Command(
    name = "service-info",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Print the server's service info (GA4GH service-info JSON, indented).",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "2:usage error (no server, conflicting credentials)",
      "3:server unreachable, timed out, or server error",
      "5:authentication refused",
    })
final class ServiceInfoCommand extends RemoteCommand {
  ServiceInfoCommand(Context ctx) {
    super(ctx);
  }

  @Override
  int run(TesClient client) {
    ctx.out().println(TesJson.writePretty(client.serviceInfo()));
    return ExitCodes.OK;
  }
}
