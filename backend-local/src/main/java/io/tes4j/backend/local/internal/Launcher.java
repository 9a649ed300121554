package io.tes4j.backend.local.internal;

import io.tes4j.backend.local.HostSandbox;
import io.tes4j.backend.local.LocalRuntime;
import io.tes4j.model.Task;
import io.tes4j.model.Violation;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Builds the command lines that run a task's executors with one {@link LocalRuntime}. */
public interface Launcher {

  /** The runtime. */
  LocalRuntime runtime();

  /** The sandbox host executors run in ({@code BWRAP} or {@code UNSHARE}); empty for a container runtime. */
  default Optional<HostSandbox> hostSandbox() {
    return Optional.empty();
  }

  /** The {@code tesResources} fields it enforces, by their JSON names. */
  Set<String> enforcedResources();

  /**
   * System log lines for {@code task} before it runs: what will not be honoured (the image on
   * host, resources not enforced).
   */
  List<String> notes(Task task);

  /**
   * What of {@code task} this runtime could never run ({@link io.tes4j.spi.Backend#check}): a
   * variable name or a NUL character no process can carry, an image the runtime cannot read or
   * must not be given, an environment value it cannot pass. Fields the validator requires may be
   * missing; they are skipped. Checked when the engine creates the task and again before it runs.
   */
  List<Violation> check(Task task);

  /** Releases what the launcher keeps beside the tasks; nothing by default. */
  default void close() {}

  /**
   * Readies {@code task}, whose inputs are staged under {@code root}, to run: creates the
   * directories its executors need and plans the mounts.
   *
   * @param runId a name unique to this run, safe in container names ({@code [a-zA-Z0-9_.-]})
   * @throws LaunchException when the task cannot run with this runtime (a path it cannot mount)
   */
  Prepared prepare(Task task, Path root, String runId);

  /** One task, ready to run its executors. */
  interface Prepared {

    /**
     * The argv that runs executor {@code index}. May write files the runtime reads at start (an
     * env file), which {@link #release} removes.
     *
     * @throws LaunchException when the executor cannot run this way
     */
    List<String> command(int index);

    /**
     * Removes what {@link #command} wrote for executor {@code index}; called once that executor's
     * process ended, or could not start. May be called more than once.
     */
    default void release(int index) {}

    /**
     * Removes what {@link Launcher#prepare} wrote for the whole task (the host sandbox's mount
     * table); called once no executor of the task runs any more, however it ended. May be called
     * more than once.
     */
    default void close() {}

    /** The whole environment of that process (the runtime's, not the executor's). */
    Map<String, String> environment(int index);

    /**
     * Stops executor {@code index}, running as {@code process}, at once: its whole process tree,
     * or its container. Returns quickly; may be called more than once.
     */
    void stop(int index, Process process);

    /**
     * Whether an executor that ended with {@code exitCode} and this stderr failed because of the
     * runtime rather than its command (docker's 125, a sandbox that could not be set up): the
     * system log line that says so.
     */
    Optional<String> runtimeFailure(int exitCode, String stderrTail);
  }
}
