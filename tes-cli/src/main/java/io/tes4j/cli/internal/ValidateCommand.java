package io.tes4j.cli.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tes4j validate FILE...}: checks task files without a server. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Check task files (TES 1.1 JSON) without sending them anywhere.",
      "Prints nothing when every file is a valid task; otherwise one line per problem on standard"
          + " error: FILE: JSONPATH: message (e.g. task.json: executors[0].image: must not be blank).",
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every file is a valid task",
      "1:a file is not a valid task, or cannot be read",
      "2:usage error",
    })
final class ValidateCommand implements Callable<Integer> {
  private final Context ctx;

  @Parameters(
      arity = "1..*",
      paramLabel = "FILE",
      description = "Task files to check; - reads standard input.")
  private List<String> files = new ArrayList<>();

  @Option(
      names = "--verbose",
      description = "Also write 'FILE: ok' on standard error for each valid file.")
  private boolean verbose;

  ValidateCommand(Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    boolean allValid = true;
    for (String file : files) {
      Optional<String> json = TaskFiles.read(ctx, file);
      boolean valid = json.isPresent() && TaskFiles.validate(ctx, file, json.get());
      if (valid && verbose) {
        ctx.line(TaskFiles.displayName(file) + ": ok");
      }
      allValid &= valid;
    }
    return allValid ? ExitCodes.OK : ExitCodes.FAILED;
  }
}
