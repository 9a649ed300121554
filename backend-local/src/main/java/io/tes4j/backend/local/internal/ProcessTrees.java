package io.tes4j.backend.local.internal;

import java.util.List;

/** Kills processes with everything they started. */
final class ProcessTrees {
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
}
