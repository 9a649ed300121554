package io.tes4j.cli.internal;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code tes4j}: without a command, shows the usage on standard error and exits 2. */
@Command(
    name = "tes4j",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Validate GA4GH TES tasks and run them on a TES 1.1 server; copy task files between local"
          + " disk, HTTP(S), FTP and S3 (cp), and stage a task's inputs and outputs (filer).",
      "",
      "The server comes from --server URL or TES_SERVER; credentials from --user/--password,"
          + " --token, or TES_USER/TES_PASSWORD/TES_TOKEN (options win over the environment).",
      "Results go to standard output (JSON, an id, a state); errors are one line on standard error.",
    },
    synopsisSubcommandLabel = "COMMAND",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:invalid task, the task did not end COMPLETE, or a transfer failed (cp, filer)",
      "2:usage error (unknown command or option, bad value, no server)",
      "3:server unreachable, timed out, or server error (5xx)",
      "4:task not found",
      "5:authentication refused (401, 403)",
    },
    footer = {"", "Run 'tes4j COMMAND --help' for a command's options. Example tasks: examples/tasks/."})
final class TopCommand implements Callable<Integer> {
  private final Context ctx;

  @Spec private CommandSpec spec;

  @Option(
      names = "--debug",
      scope = ScopeType.INHERIT,
      description = "On an error, also show the stack trace (secrets are still hidden).")
  private boolean debug;

  TopCommand(Context ctx) {
    this.ctx = ctx;
  }

  boolean debug() {
    return debug;
  }

  @Override
  public Integer call() {
    ctx.error("no command given");
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }
}
