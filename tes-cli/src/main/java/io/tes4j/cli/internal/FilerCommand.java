package io.tes4j.cli.internal;

import io.tes4j.model.OutputFileLog;
import io.tes4j.model.Task;
import io.tes4j.model.TesJson;
import io.tes4j.model.TesJsonException;
import io.tes4j.model.Violation;
import io.tes4j.transfer.Stager;
import io.tes4j.transfer.StorageUrl;
import io.tes4j.transfer.TransferException;
import io.tes4j.transfer.TransferListener;
import io.tes4j.transfer.TransferPolicy;
import io.tes4j.transfer.TransferSettings;
import io.tes4j.transfer.Transfers;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tes4j filer stage-in|stage-out}: stages a task's inputs into a work directory, or its
 * outputs out of it, as a backend's pod or job does around the executors. Runs from the runnable
 * jar alone.
 */
@Command(
    name = "filer",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Stage a task's files, for backends that run the filer as a step of their own (the"
          + " Kubernetes backend's pods): stage-in before the executors, stage-out after them.",
      "Container paths map under --root: /in/x.txt is ROOT/in/x.txt, and nothing may leave ROOT.",
    },
    synopsisSubcommandLabel = "COMMAND",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:staged",
      "1:the task is invalid or cannot be read, or a transfer failed",
      "2:usage error",
    })
final class FilerCommand implements Callable<Integer> {
  private final Context ctx;

  @Spec private CommandSpec spec;

  private FilerCommand(Context ctx) {
    this.ctx = ctx;
  }

  /** {@code filer} with its subcommands. */
  static CommandLine commandLine(Context ctx) {
    CommandLine filer = new CommandLine(new FilerCommand(ctx));
    filer.addSubcommand(new StageIn(ctx));
    filer.addSubcommand(new StageOut(ctx));
    return filer;
  }

  @Override
  public Integer call() {
    ctx.error("filer: no command given: use stage-in or stage-out");
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }

  /** What both stages share: reading the task, the settings, and turning failures into one line. */
  abstract static class Stage implements Callable<Integer> {
    final Context ctx;

    @Option(
        names = "--task",
        required = true,
        paramLabel = "TASK.json",
        description = "The task (TES 1.1 JSON); - reads standard input.")
    private String taskFile;

    @Option(
        names = "--root",
        required = true,
        paramLabel = "DIR",
        description = "The task's work directory on this host, under which container paths map.")
    private String root;

    @Option(
        names = "--file-root",
        paramLabel = "DIR",
        description =
            "Allow file: URLs in the task only inside DIR (repeatable). Without it, file: URLs may"
                + " name any file this process can read: set it when the task comes from others.")
    private List<String> fileRoots = new ArrayList<>();

    @Option(
        names = "--allow-scheme",
        paramLabel = "S",
        description = "Allow only URLs of this scheme (repeatable), at every hop; with --file-root, file"
            + " too. Default: any.")
    private List<String> schemes = new ArrayList<>();

    @Option(
        names = "--allow-host",
        paramLabel = "H",
        description =
            "Allow only this host (repeatable): a name, *.example.org, an IP address, or * for any."
                + " Default: any. With --private-addresses refuse, an entry other than * also lets the"
                + " hosts it names have non-public addresses.")
    private List<String> hosts = new ArrayList<>();

    @Option(
        names = "--private-addresses",
        paramLabel = "allow|refuse",
        description =
            "Whether connections may go to loopback, link-local (169.254.169.254), private and other"
                + " non-public addresses; checked on the address actually connected, at every hop"
                + " (redirects, S3 endpoint, FTP data). Default: allow. A backend running the filer for"
                + " a server's tasks passes the server's policy with these options and --file-root.")
    private String privateAddresses;

    @Option(
        names = "--verbose",
        description = "Write one line per file moved on standard error: SOURCE -> TARGET (N bytes).")
    private boolean verbose;

    @Mixin private TransferOptions options = new TransferOptions();

    Stage(Context ctx) {
      this.ctx = ctx;
    }

    /** The command's name in error lines, e.g. {@code filer stage-in}. */
    abstract String name();

    /** Stages with {@code stager}; returns the exit code. */
    abstract int stage(Stager stager, Task task, Path root);

    @Override
    public final Integer call() {
      Path rootPath = path("--root", root);
      TransferSettings.Builder builder;
      try {
        builder = options.settings(ctx);
      } catch (TransferException e) {
        throw new TransferFailed(name(), e); // the netrc file cannot be read
      }
      if (!fileRoots.isEmpty()) {
        List<Path> roots = new ArrayList<>();
        for (String r : fileRoots) {
          roots.add(path("--file-root", r));
        }
        builder.fileRoots(roots);
      }
      builder.policy(policy());
      TransferSettings settings;
      try {
        settings = builder.build();
      } catch (IllegalArgumentException e) {
        throw new UsageError(e.getMessage());
      }
      Optional<Task> task = readTask();
      if (task.isEmpty()) {
        return ExitCodes.FAILED;
      }
      try (Transfers transfers = Transfers.create(settings)) {
        return stage(new Stager(transfers, verbose ? new Verbose(ctx) : TransferListener.NONE), task.get(), rootPath);
      } catch (TransferException e) {
        throw new TransferFailed(name(), e);
      }
    }

    /** The transfer policy of the options: permissive unless one of them says otherwise. */
    private TransferPolicy policy() {
      TransferPolicy.Builder policy = TransferPolicy.builder();
      try {
        if (!schemes.isEmpty()) {
          List<String> allowed = new ArrayList<>(schemes);
          if (!fileRoots.isEmpty()) {
            allowed.add("file"); // as serve: file roots allow file: locations under them
          }
          policy.allowSchemes(allowed.toArray(String[]::new));
        }
        policy.allowHosts(hosts.toArray(String[]::new));
      } catch (IllegalArgumentException e) {
        throw new UsageError((schemes.isEmpty() ? "--allow-host: " : "--allow-scheme or --allow-host: ") + e.getMessage());
      }
      if (privateAddresses != null) {
        switch (privateAddresses.strip().toLowerCase(java.util.Locale.ROOT)) {
          case "allow" -> policy.allowPrivateAddresses(true);
          case "refuse" -> policy.allowPrivateAddresses(false);
          default -> throw new UsageError(
              "invalid --private-addresses '" + privateAddresses + "': use allow or refuse");
        }
      }
      return policy.build();
    }

    private static Path path(String option, String value) {
      try {
        return Path.of(value).toAbsolutePath().normalize();
      } catch (InvalidPathException e) {
        throw new UsageError("invalid " + option + " '" + value + "': " + e.getReason());
      }
    }

    /** The task, or empty after writing {@code FILE: JSONPATH: message} lines. */
    private Optional<Task> readTask() {
      Optional<String> json = TaskFiles.read(ctx, taskFile);
      if (json.isEmpty() || !TaskFiles.validate(ctx, taskFile, json.get())) {
        return Optional.empty();
      }
      try {
        return Optional.of(TesJson.read(json.get(), Task.class));
      } catch (TesJsonException e) {
        // The validator accepted what the mapper refuses: report it the same way.
        TaskFiles.report(ctx, taskFile, List.of(new Violation(e.path(), e.getMessage())));
        return Optional.empty();
      }
    }
  }

  /** {@code filer stage-in}. */
  @Command(
      name = "stage-in",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      description = {
        "Write the task's content inputs, download its URL inputs (FILE, or DIRECTORY recursively)"
            + " to their container paths under --root, and create its volumes. Prints nothing.",
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:every input is in place",
        "1:the task is invalid or cannot be read, or an input failed: one line,"
            + " tes4j: filer stage-in: inputs[i] (URL → PATH): reason",
        "2:usage error",
      })
  static final class StageIn extends Stage {
    StageIn(Context ctx) {
      super(ctx);
    }

    @Override
    String name() {
      return "filer stage-in";
    }

    @Override
    int stage(Stager stager, Task task, Path root) {
      stager.stageInputs(task, root);
      return ExitCodes.OK;
    }
  }

  /** {@code filer stage-out}. */
  @Command(
      name = "stage-out",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      description = {
        "Upload the task's outputs from their container paths under --root: FILE, DIRECTORY"
            + " recursively, and wildcard paths with path_prefix. Prints the output file logs, a"
            + " JSON array of {\"url\", \"path\", \"size_bytes\"}, one per file uploaded, for the"
            + " task's logs. A declared output that is missing uploads nothing and fails.",
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:every output is uploaded (the JSON array is printed)",
        "1:the task is invalid or cannot be read, or an output is missing or failed: one line,"
            + " tes4j: filer stage-out: outputs[i] ...: reason",
        "2:usage error",
      })
  static final class StageOut extends Stage {
    StageOut(Context ctx) {
      super(ctx);
    }

    @Override
    String name() {
      return "filer stage-out";
    }

    @Override
    int stage(Stager stager, Task task, Path root) {
      List<OutputFileLog> logs = stager.stageOutputs(task, root);
      ctx.out().println(TesJson.writePretty(logs));
      return ExitCodes.OK;
    }
  }

  /** Writes one line per file moved. */
  private static final class Verbose implements TransferListener {
    private final Context ctx;

    Verbose(Context ctx) {
      this.ctx = ctx;
    }

    @Override
    public void completed(StorageUrl source, StorageUrl target, long bytes) {
      ctx.line(source + " -> " + target + " (" + bytes + " bytes)");
    }

    @Override
    public void retrying(StorageUrl source, int attempt, Throwable failure) {
      ctx.line("retrying " + source + " (attempt " + attempt + " failed: " + failure.getMessage() + ")");
    }
  }
}
