package io.tes4j.backend.local.internal;

import io.tes4j.backend.local.LocalRuntime;
import io.tes4j.model.Executor;
import io.tes4j.model.Task;
import io.tes4j.model.Violation;
import io.tes4j.model.internal.ImageReferences;
import io.tes4j.model.internal.Texts;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs executors with {@code docker run} or {@code podman run}, which take the same options:
 *
 * <pre>
 * docker run --rm [-i] --name=tes4j-RUN-0 [--user=UID:GID] [--userns=keep-id] [--cpus=N]
 *     [--memory=BYTES] --volume=HOST:CONTAINER[:ro]... [--workdir=WORKDIR] [--env-file=FILE]
 *     --entrypoint=ARGV0 -- IMAGE ARGV1...
 * </pre>
 *
 * <p>{@code --entrypoint} makes the command the whole argv, as TES says, whatever entrypoint the
 * image declares (podman gets it as a JSON array, {@code ["ARGV0"]}, since it reads a value that
 * looks like one as a list). {@code -i} only when the executor has a {@code stdin}, which the
 * backend pipes in. On cancel, {@code docker rm -f NAME} stops and removes the container, and the
 * client process is killed.
 *
 * <p><b>Nothing the task chose becomes an option.</b> Every value is written {@code
 * --option=value} in one argument and the options end with {@code --}; the image must be a
 * reference of the distribution grammar ({@link ImageReferences}: it never starts with {@code -}
 * and holds no {@code =}); paths are absolute; for podman, an image naming one of its transports
 * ({@code oci:x}, {@code docker-archive:x}) is refused, since podman would load it from a local
 * path.
 *
 * <p><b>No environment value on a command line, and none in the client's environment.</b> {@code
 * -e NAME=value} would show the value to every local user in {@code /proc/PID/cmdline}. {@code -e
 * NAME}, taking the value from the client's own environment, would put names the task chose in
 * the environment of a process that holds the daemon's socket (root on this machine, for docker):
 * {@code LD_PRELOAD} pointing at a file the task staged, {@code DOCKER_HOST}, {@code
 * DOCKER_CONFIG}, {@code PATH} (docker runs {@code docker-credential-*} helpers found on it),
 * {@code *_PROXY}, {@code CONTAINERS_*}... would steer it. So the executor's environment goes in
 * an env file: {@code NAME=value} lines, read by the client as they are (no quotes, no
 * expansion), written {@code 0600} into a {@code 0700} directory of this process's user beside the
 * work directories and inside no mount ({@link PrivateDirectory}), and removed as soon as the
 * executor ended. Its limits are docker's: a value cannot hold a line break, and a line is at most
 * 65,535 bytes; such a task is refused when it is created ({@link #check}), naming the variable
 * but never its value. The client keeps the engine's environment, untouched by the task. podman
 * 4.7.0 to 4.7.2 read env files as dotenv files (quotes, {@code #} comments, and an empty value
 * taken from podman's own environment, which would hand the engine's variables to the task), so
 * {@link Launchers} refuses those versions.
 *
 * <p><b>Whom the container runs as.</b> By default ({@code user=engine}) this process's uid:gid
 * ({@code --user}), so that what the executors write in the work directory is the engine's to
 * stage out and delete; for rootless podman with {@code --userns=keep-id} too, which maps the
 * engine's uid to itself (without it, the container's users are subordinate uids on the host).
 * {@code user=image} keeps the image's {@code USER} (often root: with a rootful daemon, files it
 * writes may then not be removable); {@code user=UID:GID} gives those ids.
 */
final class ContainerLauncher extends ContainerRuntimeLauncher {
  private static final Logger LOG = LoggerFactory.getLogger(ContainerLauncher.class);

  /** The longest {@code NAME=value} line docker and podman read from an env file (Go's bufio.Scanner). */
  static final int MAX_ENV_LINE_BYTES = 65_535;

  private final ContainerUser user;
  private final List<String> userOptions;
  private final PrivateDirectory privateDirectory;

  /**
   * @param runtime {@link LocalRuntime#DOCKER} or {@link LocalRuntime#PODMAN}
   * @param executable the runtime's program
   * @param environment the runtime's environment ({@code DOCKER_HOST}, {@code HOME}...)
   * @param user whom containers run as, {@link ContainerUser.Kind#ENGINE} resolved to numbers
   * @param privateDirectory where env files go
   */
  ContainerLauncher(
      LocalRuntime runtime, Path executable, Map<String, String> environment, ContainerUser user,
      PrivateDirectory privateDirectory) {
    super(runtime, executable, environment);
    this.user = user;
    this.userOptions = userOptions(runtime, user);
    this.privateDirectory = privateDirectory;
  }

  /** {@code --user=UID:GID}, and {@code --userns=keep-id} for rootless podman as the engine's user. */
  static List<String> userOptions(LocalRuntime runtime, ContainerUser user) {
    List<String> options = new ArrayList<>();
    if (user.kind() == ContainerUser.Kind.IMAGE) {
      return options;
    }
    if (runtime == LocalRuntime.PODMAN && user.kind() == ContainerUser.Kind.ENGINE && user.uid() != 0) {
      options.add("--userns=keep-id");
    }
    options.add("--user=" + user.uid() + ":" + user.gid());
    return options;
  }

  /** Whom containers run as. */
  ContainerUser user() {
    return user;
  }

  @Override
  String imageProblem(String image) {
    if (!ImageReferences.isValid(image)) {
      return "runtime=" + runtime.parameter() + " needs " + ImageReferences.GRAMMAR + "; was " + Texts.quote(image)
          + (image.contains("://") ? " (a scheme such as docker:// is not part of a reference)" : "");
    }
    String transport = runtime == LocalRuntime.PODMAN ? podmanTransport(image) : null;
    if (transport != null) {
      return "runtime=podman would read " + Texts.quote(image) + " as its transport " + transport
          + ": (an image loaded from a local path), not as an image reference; give "
          + ImageReferences.GRAMMAR;
    }
    return null;
  }

  @Override
  void checkEnvironment(Executor executor, int index, List<Violation> violations) {
    executor.env().forEach((name, value) -> {
      if (!Environments.NAME.matcher(name).matches()) {
        return; // Environments reports it
      }
      if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
        violations.add(new Violation(Environments.envPath(index, name),
            "runtime=" + runtime.parameter() + " passes environment values in an env file, one NAME=value line"
                + " each, to keep them off command lines: a value cannot hold a line break (\\n or \\r); pass it as"
                + " an input file, or use runtime=apptainer, singularity or host"));
      } else if (name.length() + 1 + value.getBytes(StandardCharsets.UTF_8).length > MAX_ENV_LINE_BYTES) {
        violations.add(new Violation(Environments.envPath(index, name),
            "runtime=" + runtime.parameter() + " passes environment values in an env file, whose NAME=value"
                + " lines are at most " + MAX_ENV_LINE_BYTES + " bytes (UTF-8); pass a value this large as an"
                + " input file"));
      }
    });
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
      if (!mount.containerPath().startsWith("/") || !mount.hostPath().isAbsolute()) {
        throw new LaunchException("runtime=" + runtime.parameter() + " mounts only absolute paths, not "
            + mount.containerPath());
      }
    }
    List<String> volumes = new ArrayList<>();
    for (Mount mount : mounts) {
      volumes.add("--volume=" + mount.hostPath() + ":" + mount.containerPath() + (mount.readOnly() ? ":ro" : ""));
    }
    List<String> limits = limits(task.resources());

    return new Prepared() {
      @Override
      public List<String> command(int index) {
        checkAtLaunch(task, index);
        Executor executor = task.executors().get(index);
        List<String> argv = new ArrayList<>(List.of(executable.toString(), "run", "--rm"));
        if (executor.stdin() != null) {
          argv.add("-i");
        }
        argv.add("--name=" + containerName(runId, index));
        argv.addAll(userOptions);
        argv.addAll(limits);
        argv.addAll(volumes);
        if (executor.workdir() != null) {
          argv.add("--workdir=" + workdir(executor));
        }
        if (!executor.env().isEmpty()) {
          argv.add("--env-file=" + privateDirectory.write(envFileName(runId, index), envFile(executor)));
        }
        String program = executor.command().get(0);
        argv.add("--entrypoint=" + (runtime == LocalRuntime.PODMAN ? jsonArray(program) : program));
        argv.add("--");
        argv.add(executor.image());
        argv.addAll(executor.command().subList(1, executor.command().size()));
        return argv;
      }

      @Override
      public void release(int index) {
        privateDirectory.delete(envFileName(runId, index));
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

  /** {@code NAME=value} lines, in the executor's order, as docker's env file reader takes them. */
  static byte[] envFile(Executor executor) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    executor.env().forEach((name, value) -> out.writeBytes((name + "=" + value + "\n").getBytes(StandardCharsets.UTF_8)));
    return out.toByteArray();
  }

  /** {@code RUN-INDEX.env}: executor {@code index}'s env file in the private directory. */
  static String envFileName(String runId, int index) {
    return runId + "-" + index + ".env";
  }

  /** {@code ["text"]}: a JSON array of one string. */
  static String jsonArray(String text) {
    StringBuilder json = new StringBuilder("[\"");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        json.append('\\').append(c);
      } else if (c < 0x20) {
        json.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
      } else {
        json.append(c);
      }
    }
    return json.append("\"]").toString();
  }

  /** {@code tes4j-RUN-INDEX}: the container's name, to stop it. */
  static String containerName(String runId, int index) {
    return "tes4j-" + runId + "-" + index;
  }

  /** The last line of {@code text} that is not blank, or {@code (nothing on stderr)}. */
  static String lastLine(String text) {
    return text.lines().filter(line -> !line.isBlank()).reduce((a, b) -> b).orElse("(nothing on stderr)").strip();
  }

  /**
   * The transports of podman's image library ({@code oci:DIR}, {@code docker-archive:FILE}...):
   * podman reads {@code NAME:rest} as one of them before it reads a reference, so {@code oci:x},
   * although a valid reference, would load an image from the directory {@code x}. {@code docker:}
   * is not among them: podman reads {@code docker:tag} as a reference.
   */
  static final Set<String> PODMAN_TRANSPORTS = Set.of(
      "containers-storage", "dir", "docker-archive", "docker-daemon", "oci", "oci-archive", "ostree", "sif",
      "tarball");

  /**
   * The podman transport {@code image} names before its first {@code :}, when it names one.
   *
   * @return the transport, or {@code null}
   */
  static String podmanTransport(String image) {
    int colon = image.indexOf(':');
    if (colon < 0) {
      return null;
    }
    String prefix = image.substring(0, colon);
    return PODMAN_TRANSPORTS.contains(prefix) ? prefix : null;
  }
}
