package io.tes4j.backend.local.internal;

import io.tes4j.backend.local.LocalRuntime;
import io.tes4j.model.Executor;
import io.tes4j.model.Task;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs executors with {@code docker run} or {@code podman run}, which take the same options:
 *
 * <pre>
 * docker run --rm [-i] --name tes4j-RUN-0 [--cpus N] [--memory BYTES]
 *     -v HOST:CONTAINER[:ro]... [-w WORKDIR] -e NAME=VALUE... --entrypoint ARGV0 IMAGE ARGV1...
 * </pre>
 *
 * <p>{@code --entrypoint} makes the command the whole argv, as TES says, whatever entrypoint the
 * image declares. {@code -i} only when the executor has a {@code stdin}, which the backend pipes
 * in. On cancel, {@code docker rm -f NAME} stops and removes the container, and the client
 * process is killed.
 */
final class ContainerLauncher extends ContainerRuntimeLauncher {
  private static final Logger LOG = LoggerFactory.getLogger(ContainerLauncher.class);


  /**
   * @param runtime {@link LocalRuntime#DOCKER} or {@link LocalRuntime#PODMAN}
   * @param executable the runtime's program
   * @param environment the runtime's environment ({@code DOCKER_HOST}, {@code HOME}...)
   */
  ContainerLauncher(LocalRuntime runtime, Path executable, Map<String, String> environment) {
    super(runtime, executable, environment);
  }

  @Override
  public Prepared prepare(Task task, Path root, String runId) {
    List<Mount> mounts = checkAndPlanMounts(task, root);
    for (Mount mount : mounts) {
      if (mount.containerPath().indexOf(':') >= 0 || mount.hostPath().toString().indexOf(':') >= 0) {
        throw new LaunchException(
            "runtime=" + runtime.parameter() + " cannot mount " + mount.containerPath() + ": its -v option"
                + " separates paths with ':', and this path (or the work directory " + root + ") holds one");
      }
    }
    List<String> volumes = new ArrayList<>();
    for (Mount mount : mounts) {
      volumes.add("-v");
      volumes.add(mount.hostPath() + ":" + mount.containerPath() + (mount.readOnly() ? ":ro" : ""));
    }
    List<String> limits = limits(task.resources());

    return new Prepared() {
      @Override
      public List<String> command(int index) {
        Executor executor = task.executors().get(index);
        List<String> argv = new ArrayList<>(List.of(executable.toString(), "run", "--rm"));
        if (executor.stdin() != null) {
          argv.add("-i");
        }
        argv.add("--name");
        argv.add(containerName(runId, index));
        argv.addAll(limits);
        argv.addAll(volumes);
        if (executor.workdir() != null) {
          argv.add("-w");
          argv.add(executor.workdir());
        }
        executor.env().forEach((name, value) -> {
          argv.add("-e");
          argv.add(name + "=" + value);
        });
        argv.add("--entrypoint");
        argv.add(executor.command().get(0));
        argv.add(executor.image());
        argv.addAll(executor.command().subList(1, executor.command().size()));
        return argv;
      }

      @Override
      public Map<String, String> environment(int index) {
        return environment;
      }

      @Override
      public void stop(int index, Process process) {
        String name = containerName(runId, index);
        try {
          ProcessBuilder builder =
              new ProcessBuilder(executable.toString(), "rm", "-f", name)
                  .redirectErrorStream(true)
                  .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                  .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
          builder.environment().clear();
          builder.environment().putAll(environment);
          Process remove = builder.start();
          if (!remove.waitFor(10, TimeUnit.SECONDS)) {
            LOG.warn("{} rm -f {} did not end in 10 s; killing the client only", runtime.parameter(), name);
            remove.destroyForcibly();
          }
        } catch (IOException e) {
          LOG.warn("cannot run {} rm -f {}: {}", runtime.parameter(), name, e.toString());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          ProcessTrees.kill(process);
        }
      }

      @Override
      public Optional<String> runtimeFailure(int exitCode, String stderrTail) {
        if (exitCode != 125) {
          return Optional.empty();
        }
        return Optional.of(
            "runtime=" + runtime.parameter() + " could not run the container (exit 125 is the runtime's"
                + " own failure, not the command's): " + lastLine(stderrTail));
      }
    };
  }

  /** {@code tes4j-RUN-INDEX}: the container's name, to stop it. */
  static String containerName(String runId, int index) {
    return "tes4j-" + runId + "-" + index;
  }

  /** The last line of {@code text} that is not blank, or {@code (nothing on stderr)}. */
  static String lastLine(String text) {
    return text.lines().filter(line -> !line.isBlank()).reduce((a, b) -> b).orElse("(nothing on stderr)").strip();
  }
}
