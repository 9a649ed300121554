package io.tes4j.backend.pulsar.internal;

import io.tes4j.model.FileType;
import io.tes4j.model.Input;
import io.tes4j.model.Output;
import io.tes4j.model.Task;
import io.tes4j.model.Violation;
import io.tes4j.transfer.Stager;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where a task's container paths are on the Pulsar host, and the mounts that show them to a
 * container: every input read-only at its path, every output's directory (the output itself for
 * a DIRECTORY, the fixed part before the first wildcard of a pattern, the parent of a FILE) and
 * every volume read-write.
 *
 * <p>Unlike the local backend's work directory, the Pulsar job has two sources, {@code inputs/}
 * and {@code outputs/} ({@link JobLayout}), so a mount below another is only redundant when both
 * come from the same one (a volume inside an output directory: {@code outputs/d/v} is already
 * inside {@code outputs/d}). A mount below one of the other source is kept (an input inside an
 * output directory), and its mount point is created in the parent's host directory beforehand,
 * since the parent may be read-only in the container. Mounts are ordered parents first, as the
 * runtimes mount them in order. So an input inside an output directory leaves its mount point in
 * that directory on the host: an empty file or directory, which a DIRECTORY output collects as
 * such (the local backend, with one source, collects the input's content there).
 *
 * <p>A path the container sees is on the host under its deepest covering mount's source; a path
 * under no mount (a {@code stdout} file elsewhere) is placed under {@code outputs/}.
 *
 * <p>What cannot be mounted (a path {@code /}, the same path as an input and as something
 * writable, a mount inside a mounted file) is listed by {@link #problems()}; only container
 * runtimes report them. Paths that are not absolute, or hold {@code ..} or NUL, are left out of
 * the plan (the checks report them).
 */
final class MountPlan {
  private final List<ContainerMount> mounts;
  private final List<ContainerMount> allMounts;
  private final List<String> writableDirectories;
  private final List<String> writableFiles;
  private final Map<ContainerMount, ContainerMount> mountPointParents;
  private final List<Violation> problems;

  private MountPlan(
      List<ContainerMount> mounts,
      List<ContainerMount> allMounts,
      List<String> writableDirectories,
      List<String> writableFiles,
      Map<ContainerMount, ContainerMount> mountPointParents,
      List<Violation> problems) {
    this.mounts = List.copyOf(mounts);
    this.allMounts = List.copyOf(allMounts);
    this.writableDirectories = List.copyOf(writableDirectories);
    this.writableFiles = List.copyOf(writableFiles);
    this.mountPointParents = mountPointParents;
    this.problems = List.copyOf(problems);
  }

  /** Plans the mounts of {@code task}. */
  static MountPlan of(Task task) {
    List<ContainerMount> candidates = new ArrayList<>();
    List<String> writableDirectories = new ArrayList<>();
    List<String> writableFiles = new ArrayList<>();
    List<Violation> problems = new ArrayList<>();
    for (int i = 0; i < task.inputs().size(); i++) {
      Input input = task.inputs().get(i);
      String field = "inputs[" + i + "].path";
      if (input == null || !isValidPath(input.path())) {
        continue;
      }
      String path = Stager.normalize(input.path());
      if (path.equals("/")) {
        problems.add(new Violation(field, "a container's / cannot be mounted; place the input below it"));
        continue;
      }
      candidates.add(new ContainerMount(path, ContainerMount.Kind.INPUT, field));
    }
    for (int i = 0; i < task.outputs().size(); i++) {
      Output output = task.outputs().get(i);
      String field = "outputs[" + i + "].path";
      if (output == null || !isValidPath(output.path())) {
        continue;
      }
      String path = Stager.normalize(output.path());
      String directory;
      if (Stager.hasWildcard(path)) {
        directory = Stager.staticParent(path);
      } else if (output.type() == FileType.DIRECTORY) {
        directory = path;
      } else {
        directory = parent(path);
        if (directory.equals("/") && !path.equals("/")) {
          writableFiles.add(path);
          candidates.add(new ContainerMount(path, ContainerMount.Kind.WRITABLE_FILE, field));
          continue;
        }
      }
      if (directory.equals("/")) {
        problems.add(new Violation(field, "a container's / cannot be mounted, and this output would need it"
            + " writable; put the outputs in a directory, e.g. /outputs"));
        continue;
      }
      writableDirectories.add(directory);
      candidates.add(new ContainerMount(directory, ContainerMount.Kind.WRITABLE_DIRECTORY, field));
    }
    for (int i = 0; i < task.volumes().size(); i++) {
      String volume = task.volumes().get(i);
      String field = "volumes[" + i + "]";
      if (!isValidPath(volume)) {
        continue;
      }
      String path = Stager.normalize(volume);
      if (path.equals("/")) {
        problems.add(new Violation(field, "a container's / cannot be mounted; use a directory such as /shared"));
        continue;
      }
      writableDirectories.add(path);
      candidates.add(new ContainerMount(path, ContainerMount.Kind.WRITABLE_DIRECTORY, field));
    }

    // One mount per path. An input and something writable at the same path cannot both be
    // mounted (they come from inputs/ and outputs/): the writable one is kept, so that `none`,
    // which mounts nothing, still places the path by the layout rule, and containers are refused.
    Map<String, ContainerMount> byPath = new TreeMap<>();
    for (ContainerMount candidate : candidates) {
      ContainerMount existing = byPath.get(candidate.containerPath());
      if (existing == null) {
        byPath.put(candidate.containerPath(), candidate);
      } else if (existing.kind() != candidate.kind()) {
        problems.add(new Violation(candidate.field(), candidate.containerPath() + " is also the path of "
            + existing.field() + ": an input is staged under the job's inputs/ and what executors write under its"
            + " outputs/, so one path cannot be both (nor a file and a directory); give them separate paths"));
        if (existing.kind() == ContainerMount.Kind.INPUT) {
          byPath.put(candidate.containerPath(), candidate);
        }
      }
    }
    List<ContainerMount> sorted = new ArrayList<>(byPath.values());
    sorted.sort(Comparator.comparingLong((ContainerMount m) -> depth(m.containerPath()))
        .thenComparing(ContainerMount::containerPath));
    List<ContainerMount> kept = new ArrayList<>();
    Map<ContainerMount, ContainerMount> mountPointParents = new LinkedHashMap<>();
    for (ContainerMount mount : sorted) {
      Optional<ContainerMount> parent = deepestCovering(kept, mount.containerPath(), true);
      if (parent.isEmpty()) {
        kept.add(mount);
      } else if (parent.get().kind() == ContainerMount.Kind.WRITABLE_FILE) {
        problems.add(new Violation(mount.field(), mount.containerPath() + " lies inside the file "
            + parent.get().containerPath() + " of " + parent.get().field()));
      } else if (parent.get().readOnly() == mount.readOnly()) {
        // Same source directory (inputs/ or outputs/): the parent mount shows it already.
        continue;
      } else {
        kept.add(mount);
        mountPointParents.put(mount, parent.get());
      }
    }
    return new MountPlan(kept, candidates, writableDirectories, writableFiles, mountPointParents, problems);
  }

  /** The mounts a container needs, parents first. */
  List<ContainerMount> mounts() {
    return mounts;
  }

  /** Every mount the task asks for, redundant ones included, in the task's order (for checks). */
  List<ContainerMount> allMounts() {
    return allMounts;
  }

  /**
   * The mount, among {@link #mounts()}, inside which {@code mount} lies with a different source,
   * whose host directory must hold its mount point; empty when none (mounted on the image).
   */
  Optional<ContainerMount> mountPointParent(ContainerMount mount) {
    return Optional.ofNullable(mountPointParents.get(mount));
  }

  /** Every output directory and volume (container paths), to create under {@code outputs/}. */
  List<String> writableDirectories() {
    return writableDirectories;
  }

  /** FILE outputs directly under {@code /}, mounted as files, to create (empty) under {@code outputs/}. */
  List<String> writableFiles() {
    return writableFiles;
  }

  /** What a container runtime cannot mount. */
  List<Violation> problems() {
    return problems;
  }

  /**
   * Whether an executor could read {@code containerPath} (normalised) from the job: it is an
   * input's path or below one, or below an output's directory or a volume.
   */
  boolean isReadable(String containerPath) {
    return allMounts.stream().anyMatch(m -> isAtOrBelow(containerPath, m.containerPath()));
  }

  /** Where {@code containerPath} (valid) is on the Pulsar host: under its deepest covering mount, else outputs/. */
  String hostPath(JobLayout layout, String containerPath) {
    String path = Stager.normalize(containerPath);
    return deepestCovering(mounts, path, false)
        .map(m -> join(m.hostBase(layout), path))
        .orElseGet(() -> join(layout.outputsDirectory(), path));
  }

  /** The deepest of {@code mounts} at {@code path} or above it (strictly above when {@code strictly}). */
  private static Optional<ContainerMount> deepestCovering(List<ContainerMount> mounts, String path, boolean strictly) {
    ContainerMount best = null;
    for (ContainerMount mount : mounts) {
      boolean covers = strictly
          ? !path.equals(mount.containerPath()) && isAtOrBelow(path, mount.containerPath())
          : isAtOrBelow(path, mount.containerPath());
      if (covers && (best == null || depth(mount.containerPath()) > depth(best.containerPath()))) {
        best = mount;
      }
    }
    return Optional.ofNullable(best);
  }

  /** Whether {@code path} can be placed: absolute, with no {@code ..} segment and no NUL. */
  static boolean isValidPath(String path) {
    if (path == null || !path.startsWith("/") || path.indexOf('\0') >= 0) {
      return false;
    }
    for (String segment : path.split("/")) {
      if (segment.equals("..")) {
        return false;
      }
    }
    return true;
  }

  /** The parent of a normalised path; {@code /} for {@code /} and for top-level names. */
  static String parent(String normalized) {
    int slash = normalized.lastIndexOf('/');
    return slash <= 0 ? "/" : normalized.substring(0, slash);
  }

  /** Whether {@code path} is {@code ancestor} or below it (both normalised). */
  static boolean isAtOrBelow(String path, String ancestor) {
    return path.equals(ancestor) || ancestor.equals("/") || path.startsWith(ancestor + "/");
  }

  /** {@code base} (a host directory) followed by {@code containerPath} (normalised): {@code base} itself for {@code /}. */
  static String join(String base, String containerPath) {
    String trimmed = base;
    while (trimmed.length() > 1 && trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    if (containerPath.equals("/")) {
      return trimmed;
    }
    return trimmed.equals("/") ? containerPath : trimmed + containerPath;
  }

  private static long depth(String path) {
    return path.chars().filter(c -> c == '/').count();
  }
}
