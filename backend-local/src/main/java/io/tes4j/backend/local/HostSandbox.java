package io.tes4j.backend.local;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What makes the sandbox each executor of {@link LocalRuntime#HOST} runs in: the {@code sandbox}
 * parameter ({@code local:?runtime=host&sandbox=bwrap}) or {@link LocalBackend.Builder#hostSandbox}.
 * Both make the same private user, mount and PID namespaces with the same files in them (see
 * {@code docs/backends/local.md}); bubblewrap makes it with one program where the util-linux
 * sandbox starts six, so a short task costs about half the CPU.
 */
public enum HostSandbox {
  /**
   * The default: {@link #BWRAP} when an executable {@code bwrap} is on {@code PATH} and a trial
   * sandbox made with it works here, {@link #UNSHARE} otherwise.
   */
  AUTO("auto"),
  /** bubblewrap ({@code bwrap}, 0.8 or later), Flatpak's sandbox; the backend refuses to open without it. */
  BWRAP("bwrap"),
  /** util-linux's {@code unshare}, {@code mount} and {@code pivot_root}, driven by a fixed shell script. */
  UNSHARE("unshare");

  private final String parameter;

  HostSandbox(String parameter) {
    this.parameter = parameter;
  }

  /** The value of the {@code sandbox} parameter: {@code auto}, {@code bwrap} or {@code unshare}. */
  public String parameter() {
    return parameter;
  }

  /** The sandbox whose {@link #parameter()} is {@code value}, ignoring case and surrounding blanks. */
  public static Optional<HostSandbox> fromParameter(String value) {
    String wanted = value.strip().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(s -> s.parameter.equals(wanted)).findFirst();
  }

  /** {@code auto, bwrap, unshare}: for messages. */
  static String allParameters() {
    return Arrays.stream(values()).map(HostSandbox::parameter).collect(Collectors.joining(", "));
  }
}
