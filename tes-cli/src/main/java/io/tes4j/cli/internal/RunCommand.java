package io.tes4j.cli.internal;

import io.tes4j.api.InvalidTaskException;
import io.tes4j.api.TesClient;
import io.tes4j.api.TesClientException;
import io.tes4j.api.internal.Providers;
import io.tes4j.engine.TesEngine;
import io.tes4j.model.ExecutorLog;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.TaskLog;
import io.tes4j.model.TesJson;
import io.tes4j.model.TesJsonException;
import io.tes4j.model.View;
import io.tes4j.model.Violation;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tes4j run FILE [--backend URI]}: validates a task file, runs it on a backend (the local
 * machine by default) or a TES server, prints its state changes as they happen and, at the end, the
 * executors' standard output (on standard output) and standard error (on standard error).
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Validate a task file and run it, in this process, on a backend: local: (this machine; the"
          + " default), mock: (a simulation), or any other backend on the class path; an http(s)://"
          + " URL runs it on that TES server instead.",
      "State changes are printed on standard error as they happen. At the end, the executors'"
          + " standard output is printed on standard output and their standard error on standard"
          + " error (as much as the backend kept), then the final state.",
      "Ctrl-C cancels the task, waits for it to stop (at most 30 s) and exits 1.",
      "local: runs each executor in the first container runtime on PATH (docker, podman,"
          + " apptainer, singularity); local:?runtime=host runs the commands on this machine, with"
          + " the container paths mapped into the task's own directory.",
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the task ended COMPLETE",
      "1:the task is invalid, ended in another state, or was cancelled (Ctrl-C)",
      "2:usage error (e.g. no backend for the URI's scheme)",
      "3:the backend or server cannot be used (unreachable, no container runtime, ...)",
    })
final class RunCommand implements Callable<Integer> {
  /** The longest pause between two looks at the task's state. */
  private static final Duration MAX_POLL = Duration.ofMillis(500);

  /** How long to wait for the task: as long as it takes. */
  private static final Duration FOREVER = Duration.ofDays(3650);

  /** How long Ctrl-C waits for the cancelled task to stop. */
  static final Duration CANCEL_WAIT = Duration.ofSeconds(30);

  private final Context ctx;

  @Parameters(index = "0", paramLabel = "FILE", description = "The task file; - reads standard input.")
  private String file;

  @Option(
      names = "--backend",
      paramLabel = "URI",
      defaultValue = "local:",
      description =
          "Where to run: local:, local:?runtime=host, mock:, ... or a TES server's"
              + " http(s):// URL. Default: ${DEFAULT-VALUE}.")
  private String backend;

  RunCommand(Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    checkBackend(backend);
    Optional<String> json = TaskFiles.read(ctx, file);
    if (json.isEmpty() || !TaskFiles.validate(ctx, file, json.get())) {
      return ExitCodes.FAILED;
    }
    Task task;
    try {
      task = TesJson.read(json.get(), Task.class);
    } catch (TesJsonException e) {
      TaskFiles.report(ctx, file, List.of(new Violation(e.path(), e.getMessage())));
      return ExitCodes.FAILED;
    }
    try (TesClient client = open()) {
      return run(client, task);
    }
  }

  /**
   * An engine over the backend, printing each state change as it is stored; or, for an http(s)
   * URL, a client of that TES server, whose states are polled.
   */
  private TesClient open() {
    if (remote()) {
      return TesClient.connect(backend);
    }
    try {
      return TesEngine.builder()
          .backend(backend)
          .listener((taskId, from, to) -> ctx.line("task " + taskId + ": " + to))
          .build();
    } catch (TesClientException e) {
      // No backend for the scheme, or a parameter it refuses: the command line is wrong.
      throw new UsageError("--backend " + Providers.shown(backend) + ": " + e.getMessage());
    }
  }

  private boolean remote() {
    String lower = backend.toLowerCase(Locale.ROOT);
    return lower.startsWith("http://") || lower.startsWith("https://");
  }

  private int run(TesClient client, Task task) {
    String id;
    try {
      id = client.createTask(task);
    } catch (InvalidTaskException e) {
      List<Violation> violations = e.violations();
      if (violations.isEmpty()) {
        violations = List.of(new Violation("$", "rejected: " + e.getMessage()));
      }
      TaskFiles.report(ctx, file, violations);
      return ExitCodes.FAILED;
    }
    if (remote()) {
      ctx.line("task " + id + " submitted to " + Providers.shown(backend)); // the query may hold a password
    }
    CountDownLatch reported = new CountDownLatch(1);
    AtomicInteger exitCode = new AtomicInteger(ExitCodes.FAILED);
    Thread cancelOnInterrupt =
        new Thread(() -> cancel(client, id, reported, exitCode), "tes4j-run-cancel");
    Runtime.getRuntime().addShutdownHook(cancelOnInterrupt);
    try {
      // The engine tells its listener of every change and completes await when the task ends;
      // a server is polled.
      Task done = client instanceof TesEngine ? client.await(id, FOREVER) : follow(client, id);
      report(done);
      exitCode.set(done.state() == State.COMPLETE ? ExitCodes.OK : ExitCodes.FAILED);
      return exitCode.get();
    } finally {
      reported.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(cancelOnInterrupt);
      } catch (IllegalStateException e) {
        // The JVM is shutting down (Ctrl-C): the hook is running and will end the process.
      }
    }
  }

  /** Prints each new state until a terminal one, then returns the task in the FULL view. */
  private Task follow(TesClient client, String id) {
    State shown = null;
    long pause = 20;
    while (true) {
      State state = client.getTask(id, View.MINIMAL).stateOrUnknown();
      if (state != shown) {
        ctx.line("task " + id + ": " + state);
        shown = state;
        pause = 20;
      }
      if (state.isTerminal()) {
        return client.getTask(id, View.FULL);
      }
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TesClientException("interrupted while waiting for task " + id, e);
      }
      pause = Math.min(MAX_POLL.toMillis(), pause * 2);
    }
  }

  /** The executors' output, then the final state and why it failed. */
  private void report(Task done) {
    List<ExecutorLog> logs = done.lastLog().map(TaskLog::logs).orElse(List.of());
    for (int i = 0; i < logs.size(); i++) {
      ExecutorLog log = logs.get(i);
      if (log.stdout() != null && !log.stdout().isEmpty()) {
        ctx.out().print(log.stdout());
        ctx.out().flush();
      }
      if (log.stderr() != null && !log.stderr().isEmpty()) {
        ctx.line("--- executor " + i + " stderr ---");
        ctx.err().print(ctx.redact(log.stderr()));
        ctx.err().flush();
      }
    }
    List<String> systemLogs = done.lastLog().map(TaskLog::systemLogs).orElse(List.of());
    State state = done.stateOrUnknown();
    if (state != State.COMPLETE) {
      for (String line : systemLogs) {
        ctx.line("system log: " + line);
      }
      ctx.error("task " + done.id() + " ended " + state + failedExecutor(logs));
    }
  }

  /** {@code  (executor 1 exited with code 2)}, or nothing. */
  private static String failedExecutor(List<ExecutorLog> logs) {
    for (int i = 0; i < logs.size(); i++) {
      Integer exit = logs.get(i).exitCode();
      if (exit != null && exit != 0) {
        return " (executor " + i + " exited with code " + exit + ")";
      }
    }
    return "";
  }

  /**
   * On Ctrl-C (the JVM shutting down while the task runs): cancels the task, lets the main thread
   * report how it ended (at most {@link #CANCEL_WAIT}), and ends the process with its exit code: 1
   * unless the task had just completed.
   */
  private void cancel(TesClient client, String id, CountDownLatch reported, AtomicInteger exitCode) {
    if (reported.getCount() > 0) {
      ctx.line("interrupted: cancelling task " + id);
      try {
        client.cancelTask(id);
        if (!reported.await(CANCEL_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
          ctx.error("task " + id + " did not stop within " + CANCEL_WAIT.toSeconds() + " s of the cancel");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        ctx.error("could not cancel task " + id + ": " + e.getMessage());
      }
    }
    ctx.out().flush();
    ctx.err().flush();
    // Halt, since System.exit would wait for this very hook; the engine's backend was told to
    // cancel, and the task's processes are gone once it reported CANCELED.
    Runtime.getRuntime().halt(exitCode.get());
  }

  /** Checks that the backend is a URI with a scheme, or says what is wrong with it. */
  private static void checkBackend(String text) {
    if (!text.matches("[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
      throw new UsageError(
          "--backend " + Providers.shown(text) + ": not a URI with a scheme; use local:, local:?runtime=host, mock:"
              + " or http(s)://HOST/...");
    }
  }
}
