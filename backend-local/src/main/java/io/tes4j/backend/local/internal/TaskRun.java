package io.tes4j.backend.local.internal;

import io.tes4j.api.TesException;
import io.tes4j.model.Executor;
import io.tes4j.model.OutputFileLog;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.Violation;
import io.tes4j.spi.TaskEvents;
import io.tes4j.transfer.Stager;
import io.tes4j.transfer.internal.LocalPaths;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task on the local backend, from staging to its terminal state, on one thread: stages the
 * inputs into the work directory, runs the executors in order (each one process, its stdout and
 * stderr copied to their files and kept as tails), stages the outputs, removes the work directory
 * unless asked to keep it, and reports every step to the task's {@link TaskEvents}. No thread but
 * the task's own serves it: while an executor runs, that thread copies what its output pipes hold
 * between short waits for its end ({@link StreamPump}).
 *
 * <p>{@link #cancel()} and {@link #stopForClose()} may come from any thread at any time: a staging
 * in progress is interrupted, a running executor is stopped through its runtime (its process tree
 * killed, its container removed), and no later step starts.
 */
public final class TaskRun implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(TaskRun.class);

  /** How much of an executor's stdout and of its stderr its log keeps: the last 64 KiB. */
  public static final int TAIL_BYTES = 64 * 1024;

  /** The shortest pause between two looks at a running executor's output pipes: 1 ms. */
  static final long MIN_PAUSE_NANOS = 1_000_000;

  /** The longest, once it has written nothing for a while: 50 ms (a pipe holds 64 KiB meanwhile). */
  static final long MAX_PAUSE_NANOS = 50_000_000;

  private final Task task;
  private final TaskEvents events;
  private final String runId;
  private final Path root;
  private final Launcher launcher;
  private final Stager stager;
  private final boolean keep;
  private final ExecutorService pool;
  private final CompletableFuture<State> done = new CompletableFuture<>();

  private final Object lock = new Object();
  private boolean stopRequested; // guarded by lock
  private String stopReason; // guarded by lock; null for a user's cancel
  private Thread worker; // guarded by lock
  private boolean interruptible; // guarded by lock: true only while staging
  private Process current; // guarded by lock
  private int currentIndex; // guarded by lock
  private Launcher.Prepared prepared; // guarded by lock

  /**
   * @param task the task, with its id
   * @param events where its progress goes
   * @param runId this run's name: the work directory's and, in containers' names
   * @param root the task's work directory (created), the root of its container paths
   * @param launcher how executors run
   * @param stager how inputs and outputs move
   * @param keep whether the work directory stays when the task ends
   * @param pool where stops run
   */
  public TaskRun(
      Task task,
      TaskEvents events,
      String runId,
      Path root,
      Launcher launcher,
      Stager stager,
      boolean keep,
      ExecutorService pool) {
    this.task = Objects.requireNonNull(task, "task");
    this.events = Objects.requireNonNull(events, "events");
    this.runId = runId;
    this.root = root;
    this.launcher = launcher;
    this.stager = stager;
    this.keep = keep;
    this.pool = pool;
  }

  /** Completes with the terminal state once it was reported (and the work directory handled). */
  public CompletableFuture<State> done() {
    return done;
  }

  /** Stops the task because its user asked: it ends CANCELED. Returns at once. */
  public void cancel() {
    stop(null);
  }

  /** Stops the task because the backend closes: it ends SYSTEM_ERROR, saying so. Returns at once. */
  public void stopForClose() {
    stop("the local backend was closed while the task ran; its processes were stopped");
  }

  private void stop(String reason) {
    Process process;
    int index;
    Launcher.Prepared running;
    synchronized (lock) {
      if (stopRequested || done.isDone()) {
        return;
      }
      stopRequested = true;
      stopReason = reason;
      if (interruptible && worker != null) {
        worker.interrupt();
      }
      process = current;
      index = currentIndex;
      running = prepared;
    }
    if (process != null) {
      LOG.debug("{}: stopping executor {}", runId, index);
      try {
        pool.execute(() -> running.stop(index, process));
      } catch (RejectedExecutionException e) {
        running.stop(index, process);
      }
    }
  }

  @Override
  public void run() {
    synchronized (lock) {
      worker = Thread.currentThread();
    }
    State end = State.SYSTEM_ERROR;
    try {
      end = execute();
    } catch (Stopped e) {
      // reported below
    } catch (RuntimeException | Error e) {
      LOG.warn("{}: the local backend failed", runId, e);
      report(() -> events.systemLog("the local backend failed: " + e));
    }
    Thread.interrupted(); // an interrupt meant for a staging that just ended
    String reason;
    boolean stopped;
    synchronized (lock) {
      stopped = stopRequested;
      reason = stopReason;
      current = null;
    }
    if (stopped) {
      end = reason == null ? State.CANCELED : State.SYSTEM_ERROR;
      if (reason != null) {
        report(() -> events.systemLog(reason));
      }
    }
    if (!keep) {
      List<String> problems = LocalPaths.deleteTree(root);
      if (!problems.isEmpty()) {
        LOG.warn("{}: could not remove all of the work directory {}: {}", runId, root, problems);
        report(() -> events.systemLog(
            "could not remove all of the work directory " + root + " (" + problems.size() + " problems; the first: "
                + problems.get(0) + ")"));
      }
    }
    State terminal = end;
    report(() -> events.finished(terminal));
    synchronized (lock) {
      done.complete(terminal);
    }
  }

  private State execute() {
    events.initializing();
    events.metadata("local.runtime", launcher.runtime().parameter());
    launcher.hostSandbox().ifPresent(sandbox -> events.metadata("local.sandbox", sandbox.parameter()));
    events.metadata("local.workdir", root.toString());
    List<Violation> problems = launcher.check(task);
    if (!problems.isEmpty()) {
      // refused when the engine created it; here for tasks that did not come through it
      problems.forEach(problem -> events.systemLog("runtime=" + launcher.runtime().parameter()
          + " cannot run this task: " + problem));
      return State.SYSTEM_ERROR;
    }
    launcher.notes(task).forEach(events::systemLog);
    if (!staged("staging the inputs failed: ", () -> {
      stager.stageInputs(task, root);
      return null;
    })) {
      return State.SYSTEM_ERROR;
    }
    Launcher.Prepared ready;
    try {
      ready = launcher.prepare(task, root, runId);
    } catch (LaunchException e) {
      events.systemLog(e.getMessage());
      return State.SYSTEM_ERROR;
    }
    try {
      State failed = runExecutors(ready);
      if (failed != null) {
        return failed;
      }
    } finally {
      ready.close();
    }
    List<OutputFileLog> uploaded = new ArrayList<>();
    if (!staged("staging the outputs failed: ", () -> {
      uploaded.addAll(stager.stageOutputs(task, root));
      return null;
    })) {
      return State.SYSTEM_ERROR;
    }
    events.outputs(List.copyOf(uploaded));
    return State.COMPLETE;
  }

  /** Runs the executors in order; the state the task ends in when one failed, else null. */
  private State runExecutors(Launcher.Prepared ready) {
    synchronized (lock) {
      if (stopRequested) {
        throw new Stopped();
      }
      prepared = ready;
    }
    events.running();
    for (int i = 0; i < task.executors().size(); i++) {
      String what = "executors[" + i + "]";
      Executor executor = task.executors().get(i);
      Outcome outcome;
      try {
        outcome = runExecutor(i, ready);
      } catch (LaunchException e) {
        checkStopped();
        events.systemLog(e.getMessage());
        return State.SYSTEM_ERROR;
      }
      checkStopped();
      if (outcome.writeFailure() != null) {
        events.systemLog(outcome.writeFailure());
        return State.SYSTEM_ERROR;
      }
      Optional<String> runtimeFailure = ready.runtimeFailure(outcome.exitCode(), outcome.stderrTail());
      if (runtimeFailure.isPresent()) {
        events.systemLog(what + ": " + runtimeFailure.get());
        return State.SYSTEM_ERROR;
      }
      if (outcome.exitCode() != 0) {
        if (Boolean.TRUE.equals(executor.ignoreError())) {
          events.systemLog(what + " exited with " + outcome.exitCode() + "; ignore_error is set, so the task goes on");
        } else {
          events.systemLog(what + " exited with " + outcome.exitCode()
              + (i + 1 < task.executors().size() ? "; the executors after it did not run" : ""));
          return State.EXECUTOR_ERROR;
        }
      }
    }
    return null;
  }

  /**
   * Runs a staging step that a stop may interrupt; false (with a system log naming what failed)
   * when it failed.
   */
  private boolean staged(String failure, Supplier<Void> step) {
    synchronized (lock) {
      if (stopRequested) {
        throw new Stopped();
      }
      interruptible = true;
    }
    RuntimeException problem = null;
    try {
      step.get();
    } catch (RuntimeException e) {
      problem = e;
    } finally {
      synchronized (lock) {
        interruptible = false;
      }
      Thread.interrupted();
    }
    checkStopped();
    if (problem != null) {
      LOG.debug("{}: {}{}", runId, failure, problem.toString());
      events.systemLog(failure + (problem instanceof TesException ? problem.getMessage() : problem.toString()));
      return false;
    }
    return true;
  }

  /** Runs executor {@code index}; what its command line needed (an env file) is removed after, however it ended. */
  private Outcome runExecutor(int index, Launcher.Prepared ready) {
    try {
      return runExecutor(index, ready, ready.command(index));
    } finally {
      ready.release(index);
    }
  }

  private Outcome runExecutor(int index, Launcher.Prepared ready, List<String> argv) {
    Executor executor = task.executors().get(index);
    String what = "executors[" + index + "]";
    ProcessBuilder builder = new ProcessBuilder(argv).directory(root.toFile());
    builder.environment().clear();
    builder.environment().putAll(ready.environment(index));
    if (executor.stdin() != null) {
      Path stdin = ContainerPaths.hostPath(root, executor.stdin(), what + ".stdin");
      if (!Files.isRegularFile(stdin)) {
        throw new LaunchException(what + ".stdin: " + executor.stdin() + " is not a file");
      }
      builder.redirectInput(stdin.toFile());
    } else {
      builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    }
    OutputStream stdoutFile = open(executor.stdout(), what + ".stdout");
    OutputStream stderrFile;
    try {
      stderrFile = open(executor.stderr(), what + ".stderr");
    } catch (LaunchException e) {
      closeQuietly(stdoutFile);
      throw e;
    }
    Instant start;
    Process process;
    synchronized (lock) {
      if (stopRequested) {
        closeQuietly(stdoutFile);
        closeQuietly(stderrFile);
        throw new Stopped();
      }
      start = Instant.now();
      try {
        process = builder.start();
      } catch (IOException e) {
        closeQuietly(stdoutFile);
        closeQuietly(stderrFile);
        throw new LaunchException(
            what + ": cannot start " + builder.command().get(0) + " (runtime=" + launcher.runtime().parameter()
                + "): " + e.getMessage(), e);
      }
      current = process;
      currentIndex = index;
    }
    LOG.debug("{}: executor {} started", runId, index);
    events.executorStarted(index, start);
    TailBuffer stdoutTail = new TailBuffer(TAIL_BYTES);
    TailBuffer stderrTail = new TailBuffer(TAIL_BYTES);
    StreamPump stdoutPump = new StreamPump(process.getInputStream(), stdoutFile, stdoutTail);
    StreamPump stderrPump = new StreamPump(process.getErrorStream(), stderrFile, stderrTail);
    int exitCode = waitFor(process, stdoutPump, stderrPump);
    stdoutPump.finish();
    stderrPump.finish();
    synchronized (lock) {
      current = null;
    }
    Instant end = Instant.now();
    LOG.debug("{}: executor {} exited with {}", runId, index, exitCode);
    events.executorFinished(index, end, exitCode, stdoutTail.text(), stderrTail.text());
    String writeFailure = null;
    if (stdoutPump.writeFailure() != null) {
      writeFailure = what + ".stdout: cannot write " + executor.stdout() + ": " + stdoutPump.writeFailure();
    } else if (stderrPump.writeFailure() != null) {
      writeFailure = what + ".stderr: cannot write " + executor.stderr() + ": " + stderrPump.writeFailure();
    }
    return new Outcome(exitCode, stderrTail.text(), writeFailure);
  }

  /** A file for an executor's stdout or stderr at {@code containerPath}, or {@code null} for none. */
  private OutputStream open(String containerPath, String what) {
    if (containerPath == null) {
      return null;
    }
    Path file = ContainerPaths.hostPath(root, containerPath, what);
    try {
      Files.createDirectories(file.getParent());
      return new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024);
    } catch (IOException e) {
      throw new LaunchException(what + ": cannot write " + containerPath + ": " + e, e);
    }
  }

  /**
   * Waits for {@code process} to end while copying its output: what the pipes hold is taken
   * whenever the process is waited for, at once again while a pipe was full, and after a pause
   * otherwise, which grows while the process writes nothing ({@link #MIN_PAUSE_NANOS} to {@link
   * #MAX_PAUSE_NANOS}). The end itself is seen at once: {@link Process#waitFor(long, TimeUnit)}
   * returns when it comes.
   */
  private static int waitFor(Process process, StreamPump stdout, StreamPump stderr) {
    boolean interrupted = false;
    long pause = MIN_PAUSE_NANOS;
    try {
      while (true) {
        boolean full = stdout.pump() | stderr.pump();
        if (full) {
          pause = MIN_PAUSE_NANOS;
          if (!process.isAlive()) {
            return process.exitValue();
          }
          continue;
        }
        try {
          if (process.waitFor(pause, TimeUnit.NANOSECONDS)) {
            return process.exitValue();
          }
        } catch (InterruptedException e) {
          interrupted = true; // only a stop interrupts, and it kills the process: keep waiting
        }
        pause = Math.min(pause * 2, MAX_PAUSE_NANOS);
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void checkStopped() {
    synchronized (lock) {
      if (stopRequested) {
        throw new Stopped();
      }
    }
  }

  /** Calls the engine, which must not stop this run from ending and cleaning up. */
  private void report(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      LOG.warn("{}: reporting to the engine failed", runId, e);
    }
  }

  private static void closeQuietly(OutputStream out) {
    if (out != null) {
      try {
        out.close();
      } catch (IOException e) {
        // nothing was written yet
      }
    }
  }

  /** How an executor ended. */
  private record Outcome(int exitCode, String stderrTail, String writeFailure) {}

  /** The run was stopped (cancel or close): unwinds to the terminal report. */
  private static final class Stopped extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Stopped() {
      super(null, null, false, false);
    }
  }
}
