package io.tes4j.backend.local.internal;

import io.tes4j.backend.local.LocalRuntime;
import io.tes4j.model.Executor;
import io.tes4j.model.Task;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs executors with {@code apptainer exec} or {@code singularity exec}, which take the same
 * options:
 *
 * <pre>
 * apptainer exec --containall [--pwd WORKDIR] --bind HOST:CONTAINER[:ro]... --env NAME=VALUE...
 *     [--cpus N] [--memory BYTES] IMAGE ARGV...
 * </pre>
 *
 * <p>{@code --containall} gives the executor its own PID and IPC namespaces, an empty {@code /tmp}
 * and home, and only the environment given with {@code --env}, as a container would. An image
 * without a scheme ({@code alpine:3.20}) is read as {@code docker://alpine:3.20}; {@code
 * library://}, {@code oras://}, {@code docker://} images and paths to {@code .sif} files are
 * passed as they are. {@code --env} reads its value as CSV, so a pair holding a comma or a quote
 * is quoted. {@code --cpus} and {@code --memory} need cgroups support (apptainer 1.1+, run as
 * root or with cgroups v2 delegated). On cancel, the process tree is killed.
 */
final class ApptainerLauncher extends ContainerRuntimeLauncher {

  /**
   * @param runtime {@link LocalRuntime#APPTAINER} or {@link LocalRuntime#SINGULARITY}
   * @param executable the runtime's program
   * @param environment the runtime's own environment
   */
  ApptainerLauncher(LocalRuntime runtime, Path executable, Map<String, String> environment) {
    super(runtime, executable, environment);
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
      binds.add("--bind");
      binds.add(mount.hostPath() + ":" + mount.containerPath() + (mount.readOnly() ? ":ro" : ""));
    }
    List<String> limits = limits(task.resources());

    return new Prepared() {
      @Override
      public List<String> command(int index) {
        Executor executor = task.executors().get(index);
        List<String> argv = new ArrayList<>(List.of(executable.toString(), "exec", "--containall"));
        if (executor.workdir() != null) {
          argv.add("--pwd");
          argv.add(executor.workdir());
        }
        argv.addAll(binds);
        executor.env().forEach((name, value) -> {
          argv.add("--env");
          argv.add(csvField(name + "=" + value));
        });
        argv.addAll(limits);
        argv.add(imageReference(executor.image()));
        argv.addAll(executor.command());
        return argv;
      }

      @Override
      public Map<String, String> environment(int index) {
        return environment;
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

  /** The image as apptainer reads it: {@code docker://} added when there is no scheme and no file. */
  static String imageReference(String image) {
    if (image.contains("://") || image.startsWith("/") || image.startsWith("./") || image.endsWith(".sif")) {
      return image;
    }
    return "docker://" + image;
  }

  /** {@code text} as one CSV field: quoted, with quotes doubled, when it holds a comma, quote or line break. */
  static String csvField(String text) {
    if (text.indexOf(',') < 0 && text.indexOf('"') < 0 && text.indexOf('\n') < 0 && text.indexOf('\r') < 0) {
      return text;
    }
    return '"' + text.replace("\"", "\"\"") + '"';
  }
}
