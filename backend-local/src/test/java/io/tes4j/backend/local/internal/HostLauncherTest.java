package io.tes4j.backend.local.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.api.BackendException;
import io.tes4j.model.Executor;
import io.tes4j.model.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** The host launcher's command line and environment, and its trial sandbox, without running a task. */
@EnabledOnOs(value = OS.LINUX, disabledReason = "runtime=host needs Linux namespaces (unshare)")
class HostLauncherTest {
  @TempDir Path tmp;

  private static Path script(Path dir, String name, String text) throws IOException {
    Path file = Files.writeString(Files.createDirectories(dir).resolve(name), "#!/bin/sh\n" + text);
    assertThat(file.toFile().setExecutable(true)).isTrue();
    return file;
  }

  @Test
  void valuesReachUnshareOnlyUnderPrefixedNamesAndTheScriptOnlyGetsTheNames() {
    String secret = "s3cr3t-" + UUID.randomUUID();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("LD_PRELOAD", "/in/" + secret + ".so");
    env.put("PATH", "/in/bin");
    env.put("IFS", secret);
    env.put("ENV", "/in/" + secret);
    Task task = Task.builder()
        .addExecutor(Executor.builder().image("none").command("--privileged", secret + "-argument").env(env).build())
        .build();
    HostLauncher launcher = new HostLauncher(Path.of("/usr/bin/unshare"), Path.of("/bin/sh"));

    Launcher.Prepared prepared = launcher.prepare(task, tmp, "run");
    List<String> argv = prepared.command(0);
    Map<String, String> environment = prepared.environment(0);

    assertThat(environment).containsOnlyKeys(
        "PATH", "TES4J_ENV_PATH", "TES4J_ENV_HOME", "TES4J_ENV_LD_PRELOAD", "TES4J_ENV_IFS", "TES4J_ENV_ENV");
    assertThat(environment).containsEntry("PATH", Executables.STANDARD_PATH)
        .containsEntry("TES4J_ENV_PATH", "/in/bin").containsEntry("TES4J_ENV_LD_PRELOAD", "/in/" + secret + ".so");
    int end = argv.lastIndexOf("--");
    assertThat(argv.subList(end + 1, argv.size())).containsExactly(
        "/",
        "-i PATH=${TES4J_ENV_PATH} HOME=${TES4J_ENV_HOME} LD_PRELOAD=${TES4J_ENV_LD_PRELOAD} IFS=${TES4J_ENV_IFS}"
            + " ENV=${TES4J_ENV_ENV}",
        "--privileged", secret + "-argument");
    assertThat(argv.subList(0, end)).allSatisfy(a -> assertThat(a).doesNotContain(secret));
  }

  @Test
  void aNameThatCouldBreakTheEnvSpecificationNeverReachesIt() {
    for (String name : List.of("A}", "A B", "-u", "A=${X}", "")) {
      assertThatThrownBy(() -> HostLauncher.envSpecification(List.of("OK", name)))
          .isInstanceOf(LaunchException.class);
    }
    assertThat(HostLauncher.envSpecification(List.of("_a1", "B"))).isEqualTo("-i _a1=${TES4J_ENV__a1} B=${TES4J_ENV_B}");
  }

  @Test
  @Timeout(60)
  void theTrialSandboxIsKilledWithEverythingItStartedWhenItHangsWhateverItWrites() throws IOException {
    Path pidFile = tmp.resolve("child.pid");
    // writes more than a pipe holds (64 KiB), then hangs with a child: reading the output before the
    // time limit would never end
    Path unshare = script(tmp.resolve("bin"), "unshare",
        "head -c 200000 /dev/zero | tr '\\0' x\n"
            + "sleep 1000 &\n"
            + "echo $! > '" + pidFile + "'\n"
            + "wait\n");
    HostLauncher launcher = new HostLauncher(unshare, Path.of("/bin/sh"));

    assertThatThrownBy(() -> launcher.probe(tmp.resolve("scratch"), Duration.ofSeconds(1)))
        .isInstanceOf(BackendException.class)
        .hasMessageStartingWith("runtime=host: a trial executor in a sandbox did not end in 1 s; it was killed.");

    long child = Long.parseLong(Files.readString(pidFile).strip());
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (running(child)) {
      assertThat(System.nanoTime()).as("the trial's child was killed").isLessThan(deadline);
      Thread.onSpinWait();
    }
    try (Stream<Path> left = Files.list(tmp.resolve("scratch"))) {
      assertThat(left).as("its sandbox and output file are removed").isEmpty();
    }
  }

  @Test
  void aTrialSandboxThatFailsSaysWhatTheSystemSaid() throws IOException {
    Path unshare = script(tmp.resolve("bin"), "unshare",
        "head -c 100000 /dev/zero | tr '\\0' x\necho\necho 'unshare: unshare failed: Operation not permitted' >&2\nexit 1\n");
    HostLauncher launcher = new HostLauncher(unshare, Path.of("/bin/sh"));

    assertThatThrownBy(() -> launcher.probe(tmp.resolve("scratch"), Duration.ofSeconds(30)))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("and this system refused: ")
        .hasMessageContaining("unshare: unshare failed: Operation not permitted. Allow unprivileged user namespaces");
  }

  @Test
  void anEnvWithoutSplitStringsIsNamedInTheTrialsFailure() throws IOException {
    // what busybox's env or an old coreutils says to -S, after a sandbox that was set up fine
    Path unshare = script(tmp.resolve("bin"), "unshare", "echo \"env: invalid option -- 'S'\" >&2\nexit 125\n");
    HostLauncher launcher = new HostLauncher(unshare, Path.of("/bin/sh"));

    assertThatThrownBy(() -> launcher.probe(tmp.resolve("scratch"), Duration.ofSeconds(30)))
        .isInstanceOf(BackendException.class)
        .hasMessageStartingWith("runtime=host passes each executor's environment with env -S (GNU coreutils 8.30 or"
            + " later), and /usr/bin/env here refused: env: invalid option -- 'S'.");
  }

  /** Alive and not a zombie. */
  private static boolean running(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException e) {
      return false;
    }
  }
}
