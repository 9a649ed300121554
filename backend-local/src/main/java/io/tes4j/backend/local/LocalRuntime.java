package io.tes4j.backend.local;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How the local backend runs an executor: in a container of one of four runtimes, or as a host
 * process. Chosen with the {@code runtime} parameter ({@code local:?runtime=podman}) or {@link
 * LocalBackend.Builder#runtime}; by default the first of {@link #containerRuntimes()} found on
 * {@code PATH}. {@link #HOST} is used only when asked for.
 */
public enum LocalRuntime {
  /** {@code docker run --rm ...}. */
  DOCKER("docker"),
  /** {@code podman run --rm ...}, the same command line as docker. */
  PODMAN("podman"),
  /** {@code apptainer exec --containall ...}; images without a scheme are read as {@code docker://}. */
  APPTAINER("apptainer"),
  /** {@code singularity exec --containall ...}, the same command line as apptainer. */
  SINGULARITY("singularity"),
  /**
   * The executor's command runs on this machine, not in a container: its image is not used, but
   * its container paths are, through a private mount namespace per executor, made by bubblewrap or
   * {@code unshare} ({@link HostSandbox}).
   */
  HOST("host");

  private final String parameter;

  LocalRuntime(String parameter) {
    this.parameter = parameter;
  }

  /** The value of the {@code runtime} parameter, also the program's name: {@code docker}, {@code host}... */
  public String parameter() {
    return parameter;
  }

  /** Whether this is a container runtime (every value but {@link #HOST}). */
  public boolean isContainer() {
    return this != HOST;
  }

  /** The container runtimes, in the order the default choice tries them. */
  public static List<LocalRuntime> containerRuntimes() {
    return List.of(DOCKER, PODMAN, APPTAINER, SINGULARITY);
  }

  /** The runtime whose {@link #parameter()} is {@code value}, ignoring case. */
  public static Optional<LocalRuntime> fromParameter(String value) {
    String wanted = value.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(r -> r.parameter.equals(wanted)).findFirst();
  }

  /** {@code docker, podman, apptainer, singularity, host}: for messages. */
  static String allParameters() {
    return Arrays.stream(values()).map(LocalRuntime::parameter).collect(Collectors.joining(", "));
  }
}
