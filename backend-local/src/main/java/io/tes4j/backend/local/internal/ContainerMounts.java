package io.tes4j.backend.local.internal;

import io.tes4j.model.FileType;
import io.tes4j.model.Input;
import io.tes4j.model.Output;
import io.tes4j.model.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The mounts a container needs to see a task's files at their container paths: every input
 * (read-only), the directory of every output (read-write; the output itself for a DIRECTORY, the
 * fixed part of a wildcard path), and every volume (read-write). The work directory is the
 * source of all of them, so a read-write mount makes any mount below it redundant, and those are
 * dropped. The result is sorted parents first, as runtimes mount them in order.
 */
final class ContainerMounts {
  private ContainerMounts() {}

  /**
   * Plans the mounts of {@code task}, whose inputs are staged under {@code root}, creating the
   * output directories (and, for an output directly under {@code /}, an empty file) to mount.
   *
   * @throws LaunchException naming the input, output or volume that cannot be mounted
   */
  static List<Mount> plan(Task task, Path root) {
    Map<String, Mount> byPath = new TreeMap<>();
    for (int i = 0; i < task.inputs().size(); i++) {
      Input input = task.inputs().get(i);
      String what = "inputs[" + i + "]";
      String path = ContainerPaths.normalize(input.path());
      if (path.equals("/")) {
        throw new LaunchException(what + ": cannot mount an input at /");
      }
      add(byPath, new Mount(path, ContainerPaths.hostPath(root, path, what), true));
    }
    for (int i = 0; i < task.outputs().size(); i++) {
      Output output = task.outputs().get(i);
      String what = "outputs[" + i + "] (" + output.path() + ")";
      String path = ContainerPaths.normalize(output.path());
      String directory;
      if (ContainerPaths.hasWildcard(path)) {
        directory = ContainerPaths.staticParent(path);
      } else if (output.type() == FileType.DIRECTORY) {
        directory = path;
      } else {
        directory = ContainerPaths.parent(path);
        if (directory.equals("/")) {
          // "/" itself cannot be mounted: mount the file, created empty for the executor to fill
          Path file = ContainerPaths.hostPath(root, path, what);
          createFile(file, what);
          add(byPath, new Mount(path, file, false));
          continue;
        }
      }
      if (directory.equals("/")) {
        throw new LaunchException(
            what + ": a container cannot have its / mounted; put the outputs in a directory");
      }
      Path host = ContainerPaths.hostPath(root, directory, what);
      createDirectories(host, what);
      add(byPath, new Mount(directory, host, false));
    }
    for (int i = 0; i < task.volumes().size(); i++) {
      String what = "volumes[" + i + "] (" + task.volumes().get(i) + ")";
      String path = ContainerPaths.normalize(task.volumes().get(i));
      if (path.equals("/")) {
        throw new LaunchException(what + ": a container cannot have its / mounted");
      }
      Path host = ContainerPaths.hostPath(root, path, what);
      createDirectories(host, what);
      add(byPath, new Mount(path, host, false));
    }
    List<Mount> kept = new ArrayList<>();
    for (Mount mount : byPath.values()) {
      boolean covered =
          kept.stream()
              .anyMatch(k -> !k.readOnly() && ContainerPaths.isAtOrBelow(mount.containerPath(), k.containerPath()));
      if (!covered) {
        kept.add(mount);
      }
    }
    kept.sort((a, b) -> compareParentsFirst(a.containerPath(), b.containerPath()));
    return kept;
  }

  /** Keeps one mount per path: read-write when any asks for it. */
  private static void add(Map<String, Mount> byPath, Mount mount) {
    byPath.merge(
        mount.containerPath(),
        mount,
        (a, b) -> new Mount(a.containerPath(), a.hostPath(), a.readOnly() && b.readOnly()));
  }

  /** Fewer segments first, then by name: a parent is always mounted before what is below it. */
  private static int compareParentsFirst(String a, String b) {
    int depth = Long.compare(a.chars().filter(c -> c == '/').count(), b.chars().filter(c -> c == '/').count());
    return depth != 0 ? depth : a.compareTo(b);
  }

  private static void createDirectories(Path directory, String what) {
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new LaunchException(what + ": cannot create " + directory + " to mount: " + e, e);
    }
  }

  private static void createFile(Path file, String what) {
    try {
      Files.createDirectories(file.getParent());
      if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        Files.createFile(file);
      }
    } catch (IOException e) {
      throw new LaunchException(what + ": cannot create " + file + " to mount: " + e, e);
    }
  }
}
