package io.tes4j.backend.local.internal;

import io.tes4j.api.BackendException;
import io.tes4j.backend.local.LocalRuntime;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** Chooses and opens the {@link Launcher} of a {@link LocalRuntime}. */
public final class Launchers {
  private Launchers() {}

  /**
   * The launcher of {@code runtime}, or of the first container runtime on {@code PATH} when it is
   * {@code null}. {@code host} is never chosen unless asked for.
   *
   * @param runtime the runtime asked for, or {@code null}
   * @param environment whose {@code PATH} is searched, and that container runtimes run with
   * @param workRoot where {@code host} tries a sandbox
   * @throws BackendException when the runtime is not there or cannot work here, saying what to do
   */
  public static Launcher open(LocalRuntime runtime, Map<String, String> environment, Path workRoot) {
    String path = environment.getOrDefault("PATH", "");
    if (runtime == LocalRuntime.HOST) {
      return HostLauncher.open(path, workRoot);
    }
    if (runtime != null) {
      Path executable = Executables.find(runtime.parameter(), path)
          .orElseThrow(() -> new BackendException(
              "runtime=" + runtime.parameter() + ": " + runtime.parameter() + " is not on PATH (" + path
                  + "). Install it, choose another runtime (docker, podman, apptainer, singularity), or run"
                  + " the executors as host processes with runtime=host (no container; the image is not used)"));
      return container(runtime, executable, environment);
    }
    for (LocalRuntime candidate : LocalRuntime.containerRuntimes()) {
      Optional<Path> executable = Executables.find(candidate.parameter(), path);
      if (executable.isPresent()) {
        return container(candidate, executable.get(), environment);
      }
    }
    throw new BackendException(
        "the local backend found no container runtime: none of "
            + LocalRuntime.containerRuntimes().stream().map(LocalRuntime::parameter).collect(Collectors.joining(", "))
            + " is on PATH (" + path + "). Install one, or run the executors as host processes with"
            + " runtime=host (local:?runtime=host; no container: the image is not used, resources are"
            + " not enforced)");
  }

  private static Launcher container(LocalRuntime runtime, Path executable, Map<String, String> environment) {
    return switch (runtime) {
      case DOCKER, PODMAN -> new ContainerLauncher(runtime, executable, environment);
      case APPTAINER, SINGULARITY -> new ApptainerLauncher(runtime, executable, environment);
      case HOST -> throw new IllegalArgumentException("host is not a container runtime");
    };
  }
}
