package io.tes4j.backend.pulsar;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What runs a task's executors on the Pulsar host: the {@code runtime} parameter of a {@code
 * pulsar+http:} URI. Pulsar itself has no container API: tes4j writes the container command of
 * each executor into the job's command line, which Pulsar runs with {@code bash} in the job's
 * working directory.
 */
public enum PulsarRuntime {
  /** {@code docker run --rm}, one named container per executor (the default). */
  DOCKER("docker"),
  /** {@code singularity exec}, with docker images read as {@code docker://}. */
  SINGULARITY("singularity"),
  /** {@code apptainer exec}, with docker images read as {@code docker://}. */
  APPTAINER("apptainer"),
  /**
   * No container image: the executors' commands run with the Pulsar host's own programs, as Pulsar
   * runs Galaxy tools, each in a bubblewrap ({@code bwrap}) sandbox that shows the host's system
   * directories read-only and the task's files at their paths, and hides the rest of the host.
   */
  NONE("none");

  private final String parameter;

  PulsarRuntime(String parameter) {
    this.parameter = parameter;
  }

  /** The value of the {@code runtime} parameter, e.g. {@code docker}. */
  public String parameter() {
    return parameter;
  }

  /** The runtime a {@code runtime} parameter names, ignoring case and surrounding blanks. */
  public static Optional<PulsarRuntime> fromParameter(String value) {
    String wanted = value.strip().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(r -> r.parameter.equals(wanted)).findFirst();
  }

  /** Every parameter value, for messages: {@code docker, singularity, apptainer, none}. */
  public static String allParameters() {
    return Arrays.stream(values()).map(PulsarRuntime::parameter).collect(Collectors.joining(", "));
  }
}
