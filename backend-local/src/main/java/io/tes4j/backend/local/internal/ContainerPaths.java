package io.tes4j.backend.local.internal;

import io.tes4j.transfer.Stager;
import io.tes4j.transfer.TransferException;
import java.nio.file.Path;

/** Container paths: normalising them and mapping them under a task's work directory. */
final class ContainerPaths {
  private ContainerPaths() {}

  /** The path with single slashes, no {@code .} segments and no trailing slash ({@code /} stays). */
  static String normalize(String path) {
    StringBuilder sb = new StringBuilder();
    for (String segment : path.split("/")) {
      if (!segment.isEmpty() && !segment.equals(".")) {
        sb.append('/').append(segment);
      }
    }
    return sb.length() == 0 ? "/" : sb.toString();
  }

  /** The parent of a normalised path; {@code /} for {@code /} and for top-level names. */
  static String parent(String normalized) {
    int slash = normalized.lastIndexOf('/');
    return slash <= 0 ? "/" : normalized.substring(0, slash);
  }

  /** Whether a container path holds POSIX wildcards ({@code *}, {@code ?}, {@code [}). */
  static boolean hasWildcard(String path) {
    return path.indexOf('*') >= 0 || path.indexOf('?') >= 0 || path.indexOf('[') >= 0;
  }

  /** The directories of a normalised pattern before its first segment with a wildcard. */
  static String staticParent(String pattern) {
    StringBuilder sb = new StringBuilder();
    for (String segment : pattern.substring(1).split("/")) {
      if (hasWildcard(segment)) {
        break;
      }
      sb.append('/').append(segment);
    }
    return sb.length() == 0 ? "/" : sb.toString();
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
