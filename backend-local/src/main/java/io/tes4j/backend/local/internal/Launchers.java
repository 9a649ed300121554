package io.tes4j.backend.local.internal;

import io.tes4j.api.BackendException;
import io.tes4j.backend.local.HostSandbox;
import io.tes4j.backend.local.LocalRuntime;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Chooses and opens the {@link Launcher} of a {@link LocalRuntime}. */
public final class Launchers {
  private static final Logger LOG = LoggerFactory.getLogger(Launchers.class);
  private static final Pattern PODMAN_VERSION = Pattern.compile("podman version (\\d+)\\.(\\d+)\\.(\\d+)");

  private Launchers() {}

  /**
   * What a launcher needs beyond its runtime.
   *
   * @param user whom docker and podman run containers as
   * @param engineIds this process's uid and gid, asked only when {@code user} is {@code engine}
   *     and the runtime is docker or podman
   * @param fileRoots where apptainer's local images may be: the backend's file roots, when it has
   *     them (empty: nowhere)
   * @param hostSandbox what makes {@code host}'s sandboxes; container runtimes take {@code AUTO} only
   */
  public record Settings(
      ContainerUser user, Supplier<long[]> engineIds, Optional<List<Path>> fileRoots, HostSandbox hostSandbox) {
    /** {@code user=engine} with this process's ids, no file roots, {@code sandbox=auto}. */
    public static Settings defaults() {
      return new Settings(ContainerUser.ENGINE, ContainerUser::processIds, Optional.empty(), HostSandbox.AUTO);
    }
  }

  /**
   * The launcher of {@code runtime}, or of the first container runtime on {@code PATH} when it is
   * {@code null}. {@code host} is never chosen unless asked for.
   *
   * @param runtime the runtime asked for, or {@code null}
   * @param environment whose {@code PATH} is searched, and that container runtimes run with
   * @param workRoot where {@code host} tries a sandbox
   * @param settings the user and the file roots
   * @param privateDirectory where the launcher writes what an executor needs and its task must not
   *     see (env files, the host sandbox's mount table); its owner closes it
   * @throws BackendException when the runtime is not there or cannot work here, saying what to do
   * @throws IllegalArgumentException when {@code settings.user} does not apply to the runtime
   */
  public static Launcher open(
      LocalRuntime runtime, Map<String, String> environment, Path workRoot, Settings settings,
      PrivateDirectory privateDirectory) {
    String path = environment.getOrDefault("PATH", "");
    if (runtime == LocalRuntime.HOST) {
      requireEngineUser(runtime, settings.user());
      return HostLauncher.open(settings.hostSandbox(), path, workRoot, privateDirectory);
    }
    if (settings.hostSandbox() != HostSandbox.AUTO) {
      throw new IllegalArgumentException(
          "sandbox=" + settings.hostSandbox().parameter() + " applies to runtime=host only; runtime="
              + (runtime != null ? runtime.parameter() : "(the first container runtime on PATH)")
              + " runs executors in containers: leave sandbox out, or set runtime=host");
    }
    if (runtime != null) {
      Path executable = Executables.find(runtime.parameter(), path)
          .orElseThrow(() -> new BackendException(
              "runtime=" + runtime.parameter() + ": " + runtime.parameter() + " is not on PATH (" + path
                  + "). Install it, choose another runtime (docker, podman, apptainer, singularity), or run"
                  + " the executors as host processes with runtime=host (no container; the image is not used)"));
      return container(runtime, executable, environment, workRoot, settings, privateDirectory);
    }
    for (LocalRuntime candidate : LocalRuntime.containerRuntimes()) {
      Optional<Path> executable = Executables.find(candidate.parameter(), path);
      if (executable.isPresent()) {
        return container(candidate, executable.get(), environment, workRoot, settings, privateDirectory);
      }
    }
    throw new BackendException(
        "the local backend found no container runtime: none of "
            + LocalRuntime.containerRuntimes().stream().map(LocalRuntime::parameter).collect(Collectors.joining(", "))
            + " is on PATH (" + path + "). Install one, or run the executors as host processes with"
            + " runtime=host (local:?runtime=host; no container: the image is not used, resources are"
            + " not enforced)");
  }

  private static Launcher container(
      LocalRuntime runtime, Path executable, Map<String, String> environment, Path workRoot, Settings settings,
      PrivateDirectory privateDirectory) {
    return switch (runtime) {
      case DOCKER, PODMAN -> {
        if (runtime == LocalRuntime.PODMAN) {
          checkPodmanVersion(executable, environment, workRoot);
        }
        ContainerUser user = settings.user();
        if (user.kind() == ContainerUser.Kind.ENGINE) {
          long[] ids = settings.engineIds().get();
          user = user.resolve(ids[0], ids[1]);
        }
        yield new ContainerLauncher(runtime, executable, environment, user, privateDirectory);
      }
      case APPTAINER, SINGULARITY -> {
        requireEngineUser(runtime, settings.user());
        yield new ApptainerLauncher(runtime, executable, environment, settings.fileRoots());
      }
      case HOST -> throw new IllegalArgumentException("host is not a container runtime");
    };
  }

  /** Only docker and podman can choose whom containers run as. */
  private static void requireEngineUser(LocalRuntime runtime, ContainerUser user) {
    if (user.kind() != ContainerUser.Kind.ENGINE) {
      throw new IllegalArgumentException(
          "user=" + user.parameter() + " applies to runtime=docker and podman only; runtime=" + runtime.parameter()
              + (runtime == LocalRuntime.HOST
                  ? " runs executors as the engine's user (root in their own user namespace)"
                  : " always runs containers as the engine's user")
              + ": leave user out, or set user=engine");
    }
  }

  /**
   * Refuses podman 4.7.0 to 4.7.2, whose env file reader took quotes, {@code #} comments and, for
   * an empty value, the variable of podman's own environment: task values would change, and the
   * engine's variables would reach containers. A version that cannot be read is let through.
   */
  private static void checkPodmanVersion(Path executable, Map<String, String> environment, Path workRoot) {
    String said;
    try {
      java.nio.file.Files.createDirectories(workRoot);
      ShortCommands.Result result = ShortCommands.run(
          List.of(executable.toString(), "--version"), environment, workRoot, Duration.ofSeconds(30));
      said = result.output().strip();
    } catch (IOException e) {
      LOG.warn("cannot run {} --version to check it ({}); going on", executable, e.toString());
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BackendException("interrupted while asking " + executable + " for its version", e);
    }
    Matcher version = PODMAN_VERSION.matcher(said);
    if (!version.find()) {
      LOG.warn("cannot read podman's version in '{}'; going on", said);
      return;
    }
    if (version.group(1).equals("4") && version.group(2).equals("7")) {
      throw new BackendException(
          "runtime=podman: podman " + version.group(1) + "." + version.group(2) + "." + version.group(3)
              + " reads env files as dotenv files (quotes, # comments, and an empty value taken from podman's"
              + " own environment), so executor environments would change and the engine's own variables"
              + " could reach containers. Use podman 4.8 or later (or 4.6), or runtime=docker");
    }
  }
}
