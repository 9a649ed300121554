package io.tes4j.backend.local.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.api.BackendException;
import io.tes4j.backend.local.HostSandbox;
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

  private PrivateDirectory privateDirectory() {
    return PrivateDirectory.open(tmp.resolve("private-root"));
  }

  private static Path script(Path dir, String name, String text) throws IOException {
    Path file = Files.writeString(Files.createDirectories(dir).resolve(name), "#!/bin/sh\n" + text);
    assertThat(file.toFile().setExecutable(true)).isTrue();
    return file;
  }

  @Test
  void valuesReachUnshareOnlyUnderPrefixedNamesAndTheScriptOnlyGetsTheNames() throws IOException {
    String secret = "s3cr3t-" + UUID.randomUUID();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("LD_PRELOAD", "/in/" + secret + ".so");
    env.put("PATH", "/in/bin");
    env.put("IFS", secret);
    env.put("ENV", "/in/" + secret);
    Task task = Task.builder()
        .addExecutor(Executor.builder().image("none").command("--privileged", secret + "-argument").env(env).build())
        .build();
    HostLauncher launcher = new HostLauncher(Path.of("/usr/bin/unshare"), Path.of("/bin/sh"), privateDirectory());

    Launcher.Prepared prepared = launcher.prepare(task, Files.createDirectories(tmp.resolve("run")), "run");
    List<String> argv = prepared.command(0);
    Map<String, String> environment = prepared.environment(0);

    assertThat(environment).containsOnlyKeys(
        "PATH", "TES4J_ENV_PATH", "TES4J_ENV_HOME", "TES4J_ENV_LD_PRELOAD", "TES4J_ENV_IFS", "TES4J_ENV_ENV");
    assertThat(environment).containsEntry("PATH", Executables.STANDARD_PATH)
        .containsEntry("TES4J_ENV_PATH", "/in/bin").containsEntry("TES4J_ENV_LD_PRELOAD", "/in/" + secret + ".so");
    // unshare's options, sh -c SCRIPT tes4j-sandbox ROOT FSTAB, then the working directory
    int end = argv.indexOf(HostLauncher.SANDBOX_NAME) + 2;
    assertThat(argv.subList(end + 1, argv.size())).containsExactly(
        "/",
        "-i PATH=${TES4J_ENV_PATH} HOME=${TES4J_ENV_HOME} LD_PRELOAD=${TES4J_ENV_LD_PRELOAD} IFS=${TES4J_ENV_IFS}"
            + " ENV=${TES4J_ENV_ENV}",
        "--privileged", secret + "-argument");
    assertThat(argv.subList(0, end)).allSatisfy(a -> assertThat(a).doesNotContain(secret));
  }

  @Test
  void theMountTableEscapesWhatWouldSplitAFieldAndIsRemovedWithTheTask() throws IOException {
    assertThat(HostLauncher.escape("/a b\tc\nd\\e#f\u00e9")).isEqualTo("/a\\040b\\011c\\012d\\134e\\043f\u00e9");
    PrivateDirectory privateDirectory = privateDirectory();
    HostLauncher launcher = new HostLauncher(Path.of("/usr/bin/unshare"), Path.of("/bin/sh"), privateDirectory);
    Path root = Files.createDirectories(tmp.resolve("run 1"));
    Task task = Task.builder().addExecutor(Executor.of("none", "true")).build();

    Launcher.Prepared prepared = launcher.prepare(task, root, "run-1");
    List<String> argv = prepared.command(0);
    Path fstab = Path.of(argv.get(argv.indexOf(HostLauncher.SANDBOX_NAME) + 2));
    List<String> lines = Files.readAllLines(fstab);

    String escapedRoot = HostLauncher.escape(root.toString());
    assertThat(lines.get(0)).isEqualTo(escapedRoot + " " + escapedRoot + " none bind 0 0");
    assertThat(lines).contains(
        "/usr " + escapedRoot + "/usr none rbind,ro 0 0",
        "/dev/null " + escapedRoot + "/dev/null none bind 0 0",
        "tes4j " + escapedRoot + "/dev/shm tmpfs mode=1777 0 0",
        "proc " + escapedRoot + "/proc proc defaults 0 0");
    assertThat(lines).allSatisfy(line -> assertThat(line.split(" ")[1]).startsWith(escapedRoot));
    assertThat(lines).filteredOn(line -> line.contains(" none ")).allSatisfy(line -> assertThat(line).startsWith("/"));
    assertThat(fstab.startsWith(privateDirectory.path())).as("where the task cannot change it").isTrue();
    prepared.release(0);
    assertThat(fstab).as("kept for the task's next executors").exists();
    prepared.close();
    assertThat(fstab).doesNotExist();
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
    HostLauncher launcher = new HostLauncher(unshare, Path.of("/bin/sh"), privateDirectory());

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
    HostLauncher launcher = new HostLauncher(unshare, Path.of("/bin/sh"), privateDirectory());

    assertThatThrownBy(() -> launcher.probe(tmp.resolve("scratch"), Duration.ofSeconds(30)))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("and this system refused: ")
        .hasMessageContaining("unshare: unshare failed: Operation not permitted. Allow unprivileged user namespaces");
  }

  @Test
  void anEnvWithoutSplitStringsIsNamedInTheTrialsFailure() throws IOException {
    // what busybox's env or an old coreutils says to -S, after a sandbox that was set up fine
    Path unshare = script(tmp.resolve("bin"), "unshare", "echo \"env: invalid option -- 'S'\" >&2\nexit 125\n");
    HostLauncher launcher = new HostLauncher(unshare, Path.of("/bin/sh"), privateDirectory());

    assertThatThrownBy(() -> launcher.probe(tmp.resolve("scratch"), Duration.ofSeconds(30)))
        .isInstanceOf(BackendException.class)
        .hasMessageStartingWith("runtime=host passes each executor's environment with env -S (GNU coreutils 8.30 or"
            + " later), and /usr/bin/env here refused: env: invalid option -- 'S'.");
  }

  @Test
  void bwrapGetsValuesOnlyUnderPrefixedNamesAndNoneOnItsCommandLine() throws IOException {
    String secret = "s3cr3t-" + UUID.randomUUID();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("LD_PRELOAD", "/in/" + secret + ".so");
    env.put("GCONV_PATH", "/in/" + secret);
    env.put("PATH", "/in/bin");
    env.put("MULTI", secret + "\n--unshare-net\n$(id) ${HOME}");
    String workdir = "/work dir/${X} -C";
    Task task = Task.builder()
        .addExecutor(Executor.builder().image("none").command("--privileged", secret + "-argument").env(env)
            .workdir(workdir).build())
        .build();
    PrivateDirectory privateDirectory = privateDirectory();
    HostLauncher launcher = HostLauncher.bwrap(Path.of("/usr/bin/bwrap"), privateDirectory);
    Path root = Files.createDirectories(tmp.resolve("run"));

    Launcher.Prepared prepared = launcher.prepare(task, root, "run");
    List<String> argv = prepared.command(0);
    Map<String, String> environment = prepared.environment(0);

    assertThat(environment).containsOnlyKeys(
        "PATH", "TES4J_ENV_PATH", "TES4J_ENV_HOME", "TES4J_ENV_LD_PRELOAD", "TES4J_ENV_GCONV_PATH", "TES4J_ENV_MULTI");
    assertThat(environment).containsEntry("PATH", Executables.STANDARD_PATH)
        .containsEntry("TES4J_ENV_MULTI", env.get("MULTI"));
    List<String> options = argv.subList(1, 1 + HostLauncher.BWRAP_OPTIONS.size());
    assertThat(argv.get(0)).isEqualTo("/usr/bin/bwrap");
    assertThat(options).isEqualTo(HostLauncher.BWRAP_OPTIONS)
        .contains("--unshare-user", "--unshare-pid", "--as-pid-1", "--new-session", "--die-with-parent");
    assertThat(String.join(" ", options)).contains("--cap-drop ALL").contains("--uid 0 --gid 0");
    int mounts = 1 + options.size();
    assertThat(argv.subList(mounts, mounts + 3)).containsExactly("--bind", root.toString(), "/");
    String joined = String.join("\0", argv);
    assertThat(joined).contains("\0--ro-bind\0/usr\0/usr\0", "\0--dev-bind\0/dev/null\0/dev/null\0",
        "\0--perms\0001777\0--tmpfs\0/dev/shm\0", "\0--proc\0/proc\0");
    int end = argv.indexOf("--");
    assertThat(argv.subList(end - 2, argv.size())).containsExactly(
        "--chdir", "/", "--", "/usr/bin/env", "-C", "/work dir/${X} -C", "-S",
        "-i PATH=${TES4J_ENV_PATH} HOME=${TES4J_ENV_HOME} LD_PRELOAD=${TES4J_ENV_LD_PRELOAD}"
            + " GCONV_PATH=${TES4J_ENV_GCONV_PATH} MULTI=${TES4J_ENV_MULTI}",
        "--privileged", secret + "-argument");
    assertThat(argv.subList(0, argv.size() - 1)).allSatisfy(a -> assertThat(a).doesNotContain(secret));
    assertThat(Files.exists(privateDirectory.path()) ? Files.list(privateDirectory.path()).map(Path::getFileName)
        .map(Path::toString).toList() : List.of()).as("no mount table: bwrap takes the mounts as options")
        .doesNotContain("run.fstab");
    prepared.close();
  }

  @Test
  void bwrapsOwnFailuresAndEnvsAreToldFromTheCommands() {
    assertThat(HostLauncher.bwrapFailure(125,
        "/usr/bin/env: cannot change directory to '/dev/shm/work': No such file or directory\n"))
        .contains("runtime=host could not set up the executor's sandbox: cannot enter the working directory:"
            + " '/dev/shm/work': No such file or directory");
    assertThat(HostLauncher.bwrapFailure(1, "bwrap: Can't mount proc on /newroot/proc: Operation not permitted\n"))
        .contains("runtime=host could not set up the executor's sandbox: bwrap: Can't mount proc on /newroot/proc:"
            + " Operation not permitted");
    // the command's own: exit 1 with more than bwrap's one line, or another code
    assertThat(HostLauncher.bwrapFailure(1, "working\nbwrap: Can't mount proc\n")).isEmpty();
    assertThat(HostLauncher.bwrapFailure(1, "oops\n")).isEmpty();
    assertThat(HostLauncher.bwrapFailure(2, "bwrap: x\n")).isEmpty();
    assertThat(HostLauncher.bwrapFailure(125, "env: something else\n")).isEmpty();
    assertThat(HostLauncher.bwrapFailure(0, "")).isEmpty();
  }

  @Test
  @Timeout(60)
  void aHangingBwrapTrialIsKilledAndNamed() throws IOException {
    Path pidFile = tmp.resolve("child.pid");
    Path bwrap = script(tmp.resolve("bin"), "bwrap",
        "head -c 200000 /dev/zero | tr '\\0' x\nsleep 1000 &\necho $! > '" + pidFile + "'\nwait\n");
    HostLauncher launcher = HostLauncher.bwrap(bwrap, privateDirectory());

    assertThatThrownBy(() -> launcher.probe(tmp.resolve("scratch"), Duration.ofSeconds(1)))
        .isInstanceOf(BackendException.class)
        .hasMessageStartingWith("runtime=host sandbox=bwrap: a trial executor in a sandbox did not end in 1 s; it was"
            + " killed. Is bwrap hanging here? Use sandbox=unshare, or a container runtime");

    long child = Long.parseLong(Files.readString(pidFile).strip());
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (running(child)) {
      assertThat(System.nanoTime()).as("the trial's child was killed").isLessThan(deadline);
      Thread.onSpinWait();
    }
  }

  @Test
  void sandboxBwrapRefusesABwrapThatFailsAndAutoTakesUnshareInstead() throws IOException {
    // what bwrap says where unprivileged user namespaces are disabled
    Path bin = tmp.resolve("bin");
    script(bin, "bwrap", "echo 'bwrap: No permissions to creating new namespace, likely because the kernel does not"
        + " allow non-privileged user namespaces.' >&2\nexit 1\n");
    Files.createSymbolicLink(bin.resolve("unshare"), Path.of("/usr/bin/unshare"));
    String path = bin.toString();

    assertThatThrownBy(() -> HostLauncher.open(HostSandbox.BWRAP, path, tmp.resolve("scratch"), privateDirectory()))
        .isInstanceOf(BackendException.class)
        .hasMessageStartingWith("runtime=host sandbox=bwrap runs each executor in private user, mount and PID"
            + " namespaces made by bubblewrap (" + bin.resolve("bwrap") + "), and it failed here: bwrap: No"
            + " permissions to creating new namespace")
        .hasMessageEndingWith("or use sandbox=unshare or a container runtime");
    HostLauncher auto = HostLauncher.open(HostSandbox.AUTO, path, tmp.resolve("scratch"), privateDirectory());
    assertThat(auto.hostSandbox()).contains(HostSandbox.UNSHARE);
    HostLauncher unshare = HostLauncher.open(HostSandbox.UNSHARE, path, tmp.resolve("scratch"), privateDirectory());
    assertThat(unshare.hostSandbox()).contains(HostSandbox.UNSHARE);
  }

  @Test
  void autoTakesBubblewrapWhenItIsOnThePathAndWorks() {
    String path = System.getenv().getOrDefault("PATH", "");
    org.junit.jupiter.api.Assumptions.assumeTrue(Executables.find("bwrap", path).isPresent(),
        "bubblewrap (bwrap) is not installed: apt-get install bubblewrap");

    HostLauncher auto = HostLauncher.open(HostSandbox.AUTO, path, tmp.resolve("scratch"), privateDirectory());

    assertThat(auto.hostSandbox()).contains(HostSandbox.BWRAP);
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
