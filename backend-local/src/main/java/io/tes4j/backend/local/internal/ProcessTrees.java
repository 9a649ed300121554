package io.tes4j.backend.local.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** Kills processes with everything they started. */
final class ProcessTrees {
  /** How long {@link #killSandbox} waits for the sandbox program to make its namespace's first process. */
  static final Duration SANDBOX_SETUP_WAIT = Duration.ofSeconds(2);

  private ProcessTrees() {}

  /**
   * Sends SIGKILL to {@code process} and to every descendant it has now. The descendants are
   * listed first, so that none is lost to re-parenting when its parent dies.
   */
  static void kill(Process process) {
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroyForcibly();
    for (ProcessHandle descendant : descendants) {
      descendant.destroyForcibly();
    }
  }

  /**
   * Kills a host sandbox: {@code launcher} is {@code bwrap} or {@code unshare --fork}, which makes
   * exactly one child, the first process (PID 1) of a new PID namespace, then waits for it. When
   * the first process of a PID namespace dies, the kernel kills every other process in it, so
   * killing that child kills all the executor started, however deep.
   *
   * <p>The launcher may not have made its child yet (a stop that comes while it starts): it is then
   * waited for, at most {@link #SANDBOX_SETUP_WAIT}, before anything is killed. Killing the
   * launcher first would not do: a child it makes between a listing and the kill is left running,
   * re-parented, out of reach (bubblewrap's child even blocks forever waiting for its dead parent,
   * or runs the command if it was past that). The kernel makes no child for a process that has
   * SIGKILL pending, so once the child was seen, or the launcher killed, none can come after.
   */
  static void killSandbox(Process launcher) {
    long deadline = System.nanoTime() + SANDBOX_SETUP_WAIT.toNanos();
    List<ProcessHandle> children = launcher.children().toList();
    while (children.isEmpty() && launcher.isAlive() && System.nanoTime() - deadline < 0) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
      children = launcher.children().toList();
    }
    List<ProcessHandle> descendants = launcher.descendants().toList();
    for (ProcessHandle child : children) {
      child.destroyForcibly();
    }
    launcher.destroyForcibly();
    for (ProcessHandle descendant : descendants) {
      descendant.destroyForcibly();
    }
  }
}
