package io.tes4j.backend.local;

import io.tes4j.spi.Backend;
import io.tes4j.spi.BackendConfig;
import io.tes4j.spi.BackendProvider;
import io.tes4j.transfer.TransferPolicy;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code local:} backend: tasks run on this machine, in containers or as host processes. Found
 * through {@link java.util.ServiceLoader}; {@code TesClient.connect("local:")} opens it.
 *
 * <p>Parameters, in the URI's query ({@code local:?runtime=host&workdir=/scratch/tes&keep=true}) or
 * set on the engine's builder:
 *
 * <ul>
 *   <li>{@code runtime}: {@code docker}, {@code podman}, {@code apptainer}, {@code singularity} or
 *       {@code host}. By default the first of the four container runtimes found on {@code PATH};
 *       when there is none, opening fails with a message that names {@code runtime=host}. {@code
 *       host} is used only when asked for, never as a silent fallback.
 *   <li>{@code sandbox}: what makes each {@code runtime=host} executor's sandbox ({@link
 *       HostSandbox}): {@code auto} (the default: bubblewrap when {@code bwrap} is on {@code PATH}
 *       and works here, else util-linux's {@code unshare}), {@code bwrap} (refused when bubblewrap
 *       is missing or does not work) or {@code unshare}. Only {@code auto} is taken with a
 *       container runtime.
 *   <li>{@code workdir}: the directory under which each task gets its work directory; default
 *       {@code <java.io.tmpdir>/tes4j-local}.
 *   <li>{@code keep}: {@code true} keeps the work directories after their task ends; default
 *       {@code false}.
 *   <li>{@code fileRoots}: comma-separated absolute directories, the only ones {@code file:}
 *       inputs and outputs may use, and the only ones apptainer and singularity may take local
 *       images ({@code /images/tool.sif}) from. Present but empty ({@code fileRoots=}) means none:
 *       no {@code file:} URL and no local image. Absent (the default, for an embedded engine
 *       running its own tasks): unrestricted, any path. A server taking tasks from others must set
 *       it, to its own file roots, or to nothing ({@code fileRoots=}) when it allows none.
 *   <li>{@code allowSchemes}, {@code allowHosts}, {@code privateAddresses}: the transfer policy
 *       that every transfer of the tasks obeys at every hop, redirects, S3 endpoint and FTP data
 *       connections included ({@link io.tes4j.transfer.TransferPolicy#fromParameters}); default
 *       any scheme, host and address. {@code tes4j serve} sets them from its options.
 *   <li>{@code user}: whom docker and podman run containers as: {@code engine} (the default: this
 *       process's uid:gid, so the engine can stage out and delete what the executors write; with
 *       {@code --userns=keep-id} for rootless podman), {@code image} (the image's own {@code
 *       USER}) or {@code UID:GID} in numbers. apptainer, singularity and host always run as the
 *       engine's user, and refuse any value but {@code engine}.
 * </ul>
 *
 * <p>Any other parameter is refused, so that a typo is not silently ignored; so is a bad value,
 * naming the allowed ones.
 *
 * <p><b>How many tasks run at once</b> is the engine's {@code maxRunning} ({@code
 * local:?runtime=docker&maxRunning=8}, a whole number of at least 1, or {@link
 * io.tes4j.engine.TesEngine.Builder#maxRunning}), which the engine takes out of the URI before this
 * provider sees it, so it is not one of {@link #PARAMETERS}. For {@code local:} it defaults to the
 * number of CPUs ({@link LocalBackend#defaultMaxRunning}) instead of no limit: the tasks beyond it
 * wait QUEUED, and 10,000 submissions never start 10,000 containers.
 *
 * <p>Whatever the parameters, the backend refuses what could turn a task's fields against this
 * machine, and the engine refuses such a task when it is created ({@link LocalBackend#check}):
 * images docker or podman would read as options, image sources that bypass the file roots,
 * environment names that are not {@code [A-Za-z_][A-Za-z0-9_]*}; and environment values never
 * appear on a command line.
 */
public final class LocalBackendProvider implements BackendProvider {
  /** The parameters this backend knows. */
  public static final Set<String> PARAMETERS = Set.of(
      "runtime", "sandbox", "workdir", "keep", "fileRoots", "user", "allowSchemes", "allowHosts",
      "privateAddresses");

  private final Map<String, String> environment;

  /** The provider, as {@link java.util.ServiceLoader} makes it. */
  public LocalBackendProvider() {
    this(System.getenv());
  }

  /** A provider that finds the runtimes on {@code environment}'s {@code PATH} (tests). */
  LocalBackendProvider(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  /** {@code local (containers or host processes on this machine)}. */
  @Override
  public String name() {
    return "local (containers or host processes on this machine)";
  }

  /** {@code local}. */
  @Override
  public Set<String> schemes() {
    return Set.of("local");
  }

  /**
   * Opens a {@link LocalBackend} with the config's parameters.
   *
   * @throws IllegalArgumentException for an unknown parameter or a bad value, naming it
   * @throws io.tes4j.api.BackendException when the runtime cannot be used here
   */
  @Override
  public Backend open(BackendConfig config) {
    config.requireOnly(PARAMETERS);
    LocalBackend.Builder builder = LocalBackend.builder().environment(environment);
    config.get("runtime").filter(v -> !v.isBlank()).ifPresent(value -> builder.runtime(
        LocalRuntime.fromParameter(value).orElseThrow(() -> new IllegalArgumentException(
            "local: runtime=" + value + " is not a runtime; use one of " + LocalRuntime.allParameters()))));
    config.get("sandbox").filter(v -> !v.isBlank()).ifPresent(value -> builder.hostSandbox(
        HostSandbox.fromParameter(value).orElseThrow(() -> new IllegalArgumentException(
            "local: sandbox=" + value + " is not a host sandbox; use one of " + HostSandbox.allParameters()))));
    config.get("workdir").filter(v -> !v.isBlank()).ifPresent(value -> builder.workRoot(path("workdir", value)));
    config.get("keep").ifPresent(value -> builder.keepWorkDirectories(bool("keep", value)));
    config.get("fileRoots").ifPresent(value -> {
      List<Path> roots = new ArrayList<>();
      for (String root : value.split(",")) {
        if (!root.isBlank()) {
          Path path = path("fileRoots", root.strip());
          if (!path.isAbsolute()) {
            throw new IllegalArgumentException("local: fileRoots=" + value + ": " + root + " is not an absolute path");
          }
          roots.add(path);
        }
      }
      builder.fileRoots(roots);
    });
    if (config.get(TransferPolicy.ALLOW_SCHEMES).isPresent()
        || config.get(TransferPolicy.ALLOW_HOSTS).isPresent()
        || config.get(TransferPolicy.PRIVATE_ADDRESSES).isPresent()) {
      try {
        builder.transferPolicy(TransferPolicy.fromParameters(config.parameters()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("local: " + e.getMessage(), e);
      }
    }
    config.get("user").ifPresent(value -> {
      try {
        builder.containerUser(value);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("local: " + e.getMessage(), e);
      }
    });
    try {
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("local: " + e.getMessage(), e);
    }
  }

  private static Path path(String name, String value) {
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("local: " + name + "=" + value + " is not a path: " + e.getMessage(), e);
    }
  }

  private static boolean bool(String name, String value) {
    return switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "true", "" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("local: " + name + "=" + value + " must be true or false");
    };
  }
}
