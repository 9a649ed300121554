package io.tes4j.backend.local.internal;

import io.tes4j.backend.local.LocalRuntime;
import io.tes4j.model.Executor;
import io.tes4j.model.Task;
import io.tes4j.model.internal.ImageReferences;
import io.tes4j.model.internal.Texts;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Runs executors with {@code apptainer exec} or {@code singularity exec}, which take the same
 * options:
 *
 * <pre>
 * APPTAINERENV_NAME=VALUE... apptainer exec --containall --no-eval [--pwd=WORKDIR]
 *     --bind=HOST:CONTAINER[:ro]... [--cpus=N] [--memory=BYTES] -- IMAGE ARGV...
 * </pre>
 *
 * <p>{@code --containall} gives the executor its own PID and IPC namespaces, an empty {@code /tmp}
 * and home, and none of the runtime's environment. {@code --no-eval} (apptainer 1.1+, SingularityCE
 * 3.10+) passes environment values as they are, as docker does: without it, apptainer would
 * evaluate {@code $(...)} and {@code $VAR} in them inside the container. {@code --cpus} and {@code
 * --memory} need cgroups support (apptainer 1.1+, run as root or with cgroups v2 delegated). On
 * cancel, the process tree is killed.
 *
 * <p><b>The environment</b> goes through the runtime's own process environment, never its command
 * line: each variable {@code NAME} as {@code APPTAINERENV_NAME} (for singularity {@code
 * SINGULARITYENV_NAME}, and {@code APPTAINERENV_NAME} too, which apptainer's {@code singularity}
 * reads without complaint), which the runtime sets as {@code NAME} in the container even with
 * {@code --containall}. A prefixed name steers nothing of the runtime itself (it reads its own
 * settings from {@code APPTAINER_*}), so the task's names are harmless there. Variables of these
 * prefixes in the engine's own environment are not passed on: the container gets the executor's
 * environment only. The runtime gives a few names a meaning of its own ({@code HOME} is refused,
 * {@code PATH}, {@code PREPEND_PATH} and {@code APPEND_PATH} change the container's {@code PATH}).
 *
 * <p><b>Images.</b> {@code docker://} and {@code oras://} references must follow the reference
 * grammar ({@link ImageReferences}), and an image with no scheme ({@code alpine:3.20}) must too:
 * it is passed as {@code docker://alpine:3.20}. {@code library://} and {@code shub://} images are
 * passed as they are when they hold only {@code [A-Za-z0-9._/:@+-]}. Every other scheme is
 * refused ({@code http(s)://} would download from any address, around the task policy; {@code
 * instance://} would join a running instance). A local image (a SIF file or a sandbox directory)
 * is an absolute path with no {@code ..}; when the backend has file roots, it must lie under one
 * of them (checked again, links resolved, before the executor runs), and an empty list of roots
 * allows no local image. Without file roots (an embedded engine's default), any path is allowed,
 * as {@code file:} inputs are. A relative path ({@code ./x.sif}, {@code tool.sif}) is refused.
 * The image comes after {@code --}, so it can never be read as an option.
 */
final class ApptainerLauncher extends ContainerRuntimeLauncher {
  /** The schemes apptainer pulls from that the backend passes on. */
  private static final String LOCAL_OR_REMOTE =
      "use docker://, oras://, library:// or shub://, an image reference such as alpine:3.20 (read as"
          + " docker://), or the absolute path of a local image";

  private final Optional<List<Path>> imageRoots;
  private final List<String> envPrefixes;
  private final Map<String, String> baseEnvironment;

  /**
   * @param runtime {@link LocalRuntime#APPTAINER} or {@link LocalRuntime#SINGULARITY}
   * @param executable the runtime's program
   * @param environment the runtime's own environment
   * @param imageRoots where local images may be: the backend's file roots, when it has them
   */
  ApptainerLauncher(
      LocalRuntime runtime, Path executable, Map<String, String> environment, Optional<List<Path>> imageRoots) {
    super(runtime, executable, environment);
    this.imageRoots = imageRoots.map(List::copyOf);
    this.envPrefixes = runtime == LocalRuntime.SINGULARITY
        ? List.of("SINGULARITYENV_", "APPTAINERENV_")
        : List.of("APPTAINERENV_");
    this.baseEnvironment = environment.entrySet().stream()
        .filter(e -> !e.getKey().startsWith("APPTAINERENV_") && !e.getKey().startsWith("SINGULARITYENV_"))
        .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));
  }

  @Override
  String imageProblem(String image) {
    return imageArgument(image).problem();
  }

  /**
   * The image as the runtime gets it, or why it cannot.
   *
   * @param argument what follows {@code --}, or {@code null}
   * @param problem why not, or {@code null}
   * @param local the local image's path, or {@code null}
   */
  record Image(String argument, String problem, Path local) {
    static Image refused(String problem) {
      return new Image(null, problem, null);
    }
  }

  /** Reads {@code image} (not blank) as the class comment says. */
  Image imageArgument(String image) {
    String name = runtime.parameter();
    if (image.contains("://")) {
      return ImageReferences.apptainerUriProblem(image, name, LOCAL_OR_REMOTE)
          .map(Image::refused)
          .orElseGet(() -> new Image(image, null, null));
    }
    if (image.startsWith("/")) {
      return localImage(image);
    }
    if (image.startsWith(".") || image.endsWith(".sif") || image.endsWith(".simg") || image.endsWith(".sqsh")) {
      return Image.refused("runtime=" + name + " takes a local image only as an absolute path, not "
          + Texts.quote(image));
    }
    if (!ImageReferences.isValid(image)) {
      return Image.refused("runtime=" + name + " cannot read " + Texts.quote(image) + " as an image; "
          + LOCAL_OR_REMOTE);
    }
    return new Image("docker://" + image, null, null);
  }

  private Image localImage(String image) {
    String name = runtime.parameter();
    for (String segment : image.split("/")) {
      if (segment.equals("..")) {
        return Image.refused("runtime=" + name + ": the local image " + Texts.quote(image) + " must not hold a"
            + " '..' segment");
      }
    }
    Path path;
    try {
      path = Path.of(image).normalize();
    } catch (InvalidPathException e) {
      return Image.refused("runtime=" + name + ": " + Texts.quote(image) + " is not a path");
    }
    if (imageRoots.isPresent()) {
      List<Path> roots = imageRoots.get();
      if (roots.isEmpty()) {
        return Image.refused("runtime=" + name + " allows no local image here (the backend's fileRoots is empty);"
            + " use docker://, oras://, library:// or shub://");
      }
      if (roots.stream().noneMatch(path::startsWith)) {
        return Image.refused("runtime=" + name + ": the local image " + Texts.quote(image)
            + " is not under the backend's file roots (" + roots.stream().map(Path::toString)
                .collect(Collectors.joining(", ")) + ")");
      }
    }
    return new Image(path.toString(), null, path);
  }

  /**
   * The local image's real path, under a root's real path when there are roots.
   *
   * @throws LaunchException when it does not exist or a link leads it out of the roots
   */
  private void checkLocalImage(Path local, int index) {
    String what = "executors[" + index + "].image";
    Path real;
    try {
      real = local.toRealPath();
    } catch (NoSuchFileException e) {
      throw new LaunchException(what + ": the local image " + local + " does not exist");
    } catch (IOException e) {
      throw new LaunchException(what + ": cannot read the local image " + local + ": " + e, e);
    }
    if (imageRoots.isPresent()) {
      boolean under = false;
      for (Path root : imageRoots.get()) {
        try {
          under |= real.startsWith(root.toRealPath());
        } catch (IOException e) {
          // a root that does not exist holds nothing
        }
      }
      if (!under) {
        throw new LaunchException(what + ": the local image " + local + " leads to " + real
            + ", which is not under the backend's file roots");
      }
    }
  }

  @Override
  public Prepared prepare(Task task, Path root, String runId) {
    List<Mount> mounts = checkAndPlanMounts(task, root);
    List<String> binds = new ArrayList<>();
    for (Mount mount : mounts) {
      String paths = mount.containerPath() + mount.hostPath();
      if (paths.indexOf(':') >= 0 || paths.indexOf(',') >= 0) {
        throw new LaunchException(
            "runtime=" + runtime.parameter() + " cannot bind " + mount.containerPath() + ": its --bind option"
                + " separates paths with ':' and ',', and this path (or the work directory " + root
                + ") holds one");
      }
      binds.add("--bind=" + mount.hostPath() + ":" + mount.containerPath() + (mount.readOnly() ? ":ro" : ""));
    }
    List<String> limits = limits(task.resources());
    List<Image> images = new ArrayList<>();
    for (int i = 0; i < task.executors().size(); i++) {
      checkAtLaunch(task, i);
      Image image = imageArgument(task.executors().get(i).image());
      if (image.local() != null) {
        checkLocalImage(image.local(), i);
      }
      images.add(image);
    }

    return new Prepared() {
      @Override
      public List<String> command(int index) {
        Executor executor = task.executors().get(index);
        List<String> argv = new ArrayList<>(List.of(executable.toString(), "exec", "--containall", "--no-eval"));
        if (executor.workdir() != null) {
          argv.add("--pwd=" + workdir(executor));
        }
        argv.addAll(binds);
        argv.addAll(limits);
        argv.add("--");
        argv.add(images.get(index).argument());
        argv.addAll(executor.command());
        return argv;
      }

      @Override
      public Map<String, String> environment(int index) {
        Map<String, String> env = new HashMap<>(baseEnvironment);
        task.executors().get(index).env().forEach((name, value) -> {
          for (String prefix : envPrefixes) {
            env.put(prefix + name, value);
          }
        });
        return env;
      }

      @Override
      public void stop(int index, Process process) {
        ProcessTrees.kill(process);
      }

      @Override
      public Optional<String> runtimeFailure(int exitCode, String stderrTail) {
        if (exitCode != 255) {
          return Optional.empty();
        }
        return stderrTail.lines()
            .filter(line -> line.contains("FATAL:"))
            .reduce((a, b) -> b)
            .map(line -> "runtime=" + runtime.parameter() + " could not run the container: " + line.strip());
      }
    };
  }
}
