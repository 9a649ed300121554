package io.tes4j.backend.local.internal;

import io.tes4j.transfer.Stager;
import io.tes4j.transfer.TransferException;
import java.nio.file.Path;

/** Container paths: normalising them and mapping them under a task's work directory. */
final class ContainerPaths {
  private ContainerPaths() {}

  /** As {@link Stager#normalize}. */
  static String normalize(String path) {
    return Stager.normalize(path);
  }

  /** The parent of a normalised path; {@code /} for {@code /} and for top-level names. */
  static String parent(String normalized) {
    int slash = normalized.lastIndexOf('/');
    return slash <= 0 ? "/" : normalized.substring(0, slash);
  }

  /** As {@link Stager#hasWildcard}. */
  static boolean hasWildcard(String path) {
    return Stager.hasWildcard(path);
  }

  /** As {@link Stager#staticParent}. */
  static String staticParent(String pattern) {
    return Stager.staticParent(pattern);
  }

  /** Whether {@code path} is {@code ancestor} or below it (both normalised). */
  static boolean isAtOrBelow(String path, String ancestor) {
    return path.equals(ancestor)
        || ancestor.equals("/")
        || path.startsWith(ancestor + "/");
  }

  /**
   * Where {@code containerPath} lives under {@code root} ({@link Stager#hostPath}).
   *
   * @param what the task field, for the message: {@code executors[0].workdir}
   * @throws LaunchException naming the field when the path is not absolute or leaves the root
   */
  static Path hostPath(Path root, String containerPath, String what) {
    try {
      return Stager.hostPath(root, containerPath);
    } catch (TransferException e) {
      throw new LaunchException(what + ": " + e.getMessage(), e);
    }
  }
}
