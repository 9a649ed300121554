package io.tes4j.backend.pulsar;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FakeDocker} runs its containers as docker would for the command lines of the Pulsar
 * backend: each test calls {@code docker} by name through {@code bash -c}, with the fake first on
 * {@code PATH}, as a job's command line does. Skipped only where bubblewrap is missing or cannot
 * make namespaces.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FakeDockerTest {
  @TempDir Path tmp;

  private FakeDocker docker;
  private final List<Process> started = new ArrayList<>();

  @BeforeEach
  void install() throws IOException {
    FakeDocker.assumeUsable();
    docker = FakeDocker.install(tmp.resolve("bin"));
  }

  @AfterEach
  void killLeftovers() {
    // a failed test must not leave a sleep behind for the next one
    for (Process process : started) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  @Test
  void aReadOnlyFileVolumeIsReadableAtItsContainerPathAndNotWritable() throws Exception {
    Path input = Files.writeString(tmp.resolve("input.txt"), "the input\n");

    Result result = docker(List.of("run", "--rm", "--name=ro-file", "--volume=" + input + ":/data/in.txt:ro",
        "--entrypoint=sh", "--", "alpine", "-c",
        "cat /data/in.txt; if echo changed > /data/in.txt; then echo WRITTEN; fi"));

    assertThat(result.exit()).as(result.stderr()).isZero();
    assertThat(result.stdout()).isEqualTo("the input\n");
    assertThat(result.stderr()).contains("Read-only file system");
    assertThat(input).hasContent("the input");
  }

  @Test
  void aReadWriteDirectoryVolumeIsWritableAndTheHostSeesTheFile() throws Exception {
    Path work = Files.createDirectories(tmp.resolve("work"));

    Result result = docker(List.of("run", "--rm", "--name=rw-dir", "--volume=" + work + ":/work",
        "--entrypoint=sh", "--", "alpine", "-c", "echo made > /work/out.txt && mkdir /work/sub"));

    assertThat(result.exit()).as(result.stderr()).isZero();
    assertThat(work.resolve("out.txt")).hasContent("made");
    assertThat(work.resolve("sub")).isDirectory();
  }

  @Test
  void aReadOnlyFileInsideAReadWriteDirectoryIsMountedOnItWhateverTheOrderOfTheVolumes() throws Exception {
    Path work = Files.createDirectories(tmp.resolve("work"));
    Path input = Files.writeString(tmp.resolve("input.txt"), "nested input\n");
    String directory = "--volume=" + work + ":/work";
    String file = "--volume=" + input + ":/work/inputs/in.txt:ro";

    // docker mounts parents first whatever the order given: so does the fake
    for (List<String> volumes : List.of(List.of(directory, file), List.of(file, directory))) {
      List<String> args = new ArrayList<>(List.of("run", "--rm", "--name=nested"));
      args.addAll(volumes);
      args.addAll(List.of("--entrypoint=sh", "--", "alpine", "-c",
          "cat /work/inputs/in.txt && echo out > /work/out.txt"
              + " && if echo changed > /work/inputs/in.txt; then echo WRITTEN; fi"));
      Result result = docker(args);

      assertThat(result.exit()).as(result.stderr()).isZero();
      assertThat(result.stdout()).as("%s", volumes).isEqualTo("nested input\n");
      assertThat(result.stderr()).contains("Read-only file system");
      assertThat(work.resolve("out.txt")).hasContent("out");
      assertThat(input).hasContent("nested input");
      // the mount point, made in the host directory as docker makes it, with docker's mode
      assertThat(Files.getPosixFilePermissions(work.resolve("inputs")))
          .isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  @Test
  void theWorkdirIsTheWorkingDirectoryCreatedIfMissingAndSlashByDefault() throws Exception {
    Path work = Files.createDirectories(tmp.resolve("work"));

    Result given = docker(List.of("run", "--rm", "--name=workdir", "--volume=" + work + ":/work",
        "--workdir=/work/a/b", "--entrypoint=pwd", "--", "alpine"));
    Result unset = docker(List.of("run", "--rm", "--name=workdir", "--entrypoint=pwd", "--", "alpine"));

    assertThat(given.exit()).as(given.stderr()).isZero();
    assertThat(given.stdout()).isEqualTo("/work/a/b\n");
    assertThat(work.resolve("a/b")).isDirectory();
    assertThat(unset.stdout()).isEqualTo("/\n");
  }

  @Test
  void envFileValuesArriveLiterallyAndNothingOfTheHostEnvironment() throws Exception {
    Path envFile = Files.writeString(tmp.resolve("env"), String.join("\n",
        "QUOTED=\"a b\"",
        "SINGLE='c'",
        "DOLLAR=$HOME and ${PATH}",
        "COMMAND=$(id) `id`",
        "SPACES=  around  ",
        "EQUALS=a=b",
        "EMPTY=",
        "# a comment",
        "",
        "   INDENTED=kept",
        "BARE_FROM_CALLER",
        "BARE_UNSET",
        "HOME=/home/task",
        "LAST=no newline"));

    Result result = docker(List.of("run", "--rm", "--name=env", "--env-file=" + envFile, "--entrypoint=env",
        "--", "alpine", "-0"), null, Map.of("HOST_SECRET", "leaked", "BARE_FROM_CALLER", "from the caller"));

    assertThat(result.exit()).as(result.stderr()).isZero();
    Map<String, String> seen = new LinkedHashMap<>();
    for (String entry : result.stdout().split("\0")) {
      seen.put(entry.substring(0, entry.indexOf('=')), entry.substring(entry.indexOf('=') + 1));
    }
    assertThat(seen.get("HOSTNAME")).matches("[0-9a-f]{12}");
    seen.remove("HOSTNAME");
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    expected.put("HOME", "/home/task"); // the env file's, over docker's /root
    expected.put("QUOTED", "\"a b\"");
    expected.put("SINGLE", "'c'");
    expected.put("DOLLAR", "$HOME and ${PATH}");
    expected.put("COMMAND", "$(id) `id`");
    expected.put("SPACES", "  around  ");
    expected.put("EQUALS", "a=b");
    expected.put("EMPTY", "");
    expected.put("INDENTED", "kept");
    // a bare name takes the docker client's value, as with docker; an unset one is left out
    expected.put("BARE_FROM_CALLER", "from the caller");
    expected.put("LAST", "no newline");
    assertThat(seen).isEqualTo(expected);
  }

  @Test
  void anEnvFileNameWithABlankIsRefusedAsDockerRefusesIt() throws Exception {
    Path envFile = Files.writeString(tmp.resolve("env"), "A B=1\n");

    Result result = docker(List.of("run", "--rm", "--name=env", "--env-file=" + envFile, "--entrypoint=true",
        "--", "alpine"));

    assertThat(result.exit()).isEqualTo(125);
    assertThat(result.stderr()).contains("poorly formatted environment: variable 'A B' contains whitespaces");
  }

  @Test
  void theExitCodeIsTheCommands() throws Exception {
    assertThat(docker(List.of("run", "--rm", "--name=exit", "--entrypoint=sh", "--", "alpine", "-c", "exit 42"))
        .exit()).isEqualTo(42);
    assertThat(docker(List.of("run", "--rm", "--name=exit", "--entrypoint=true", "--", "alpine")).exit()).isZero();
    Result missing = docker(List.of("run", "--rm", "--name=exit", "--entrypoint=no-such-program", "--", "alpine"));
    assertThat(missing.exit()).as("docker's status for a command not found").isEqualTo(127);
    assertThat(missing.stderr()).contains("no-such-program");
  }

  @Test
  void stdinReachesTheCommandWithDashIAndIsEmptyWithout() throws Exception {
    Result interactive = docker(List.of("run", "--rm", "-i", "--name=stdin", "--entrypoint=cat", "--", "alpine"),
        "line one\nline two\n", Map.of());
    Result detached = docker(List.of("run", "--rm", "--name=stdin", "--entrypoint=cat", "--", "alpine"),
        "not attached\n", Map.of());

    assertThat(interactive.exit()).as(interactive.stderr()).isZero();
    assertThat(interactive.stdout()).isEqualTo("line one\nline two\n");
    assertThat(detached.exit()).as(detached.stderr()).isZero();
    assertThat(detached.stdout()).isEmpty();
  }

  @Test
  void rmDashFKillsTheWholeContainerAndItsDockerRunExits137() throws Exception {
    Path out = tmp.resolve("sleeper.out");
    Process run = start(List.of("run", "--rm", "--name=sleeper", "--entrypoint=sh", "--", "alpine", "-c",
        "sleep 60 & sleep 61"), out);
    await(() -> docker.runningContainers().contains("sleeper"), "the container to start");
    await(() -> run.descendants().filter(p -> p.info().command().orElse("").endsWith("sleep")).count() == 2,
        "both sleeps to start");
    List<ProcessHandle> tree = run.descendants().toList();

    Result conflict = docker(List.of("run", "--rm", "--name=sleeper", "--entrypoint=true", "--", "alpine"));
    Result rm = docker(List.of("rm", "-f", "sleeper"));

    assertThat(conflict.exit()).isEqualTo(125);
    assertThat(conflict.stderr()).contains("The container name \"/sleeper\" is already in use");
    assertThat(rm.exit()).as(rm.stderr()).isZero();
    assertThat(rm.stdout()).isEqualTo("sleeper\n");
    // rm -f returns once the container is gone, as docker's does
    assertThat(docker.runningContainers()).isEmpty();
    assertThat(tree).allSatisfy(process -> assertThat(process.isAlive()).as("%s", process.info()).isFalse());
    assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(run.exitValue()).isEqualTo(137);
    // the name is free again
    assertThat(docker(List.of("run", "--rm", "--name=sleeper", "--entrypoint=true", "--", "alpine")).exit())
        .isZero();
  }

  @Test
  void rmOfAnUnknownContainerSaysSoAndFailsOnlyWithoutDashF() throws Exception {
    Result forced = docker(List.of("rm", "-f", "--", "no-such-container"));
    Result plain = docker(List.of("rm", "no-such-container"));

    // docker rm -f ignores a missing container (docker/cli's rm.go): it says so, and exits 0
    assertThat(forced.exit()).isZero();
    assertThat(forced.stderr()).isEqualTo("Error response from daemon: No such container: no-such-container\n");
    assertThat(plain.exit()).isEqualTo(1);
    assertThat(plain.stderr()).isEqualTo("Error response from daemon: No such container: no-such-container\n");
  }

  @Test
  void aCommandLineOutsideTheEmulatedFormsIsRefusedWith125() throws Exception {
    List<List<String>> refused = List.of(
        List.of("run", "--rm", "--name=bad", "--privileged", "--entrypoint=true", "--", "alpine"),
        List.of("run", "--rm", "--name", "bad", "--entrypoint=true", "--", "alpine"),
        List.of("run", "--rm", "--name=bad", "--entrypoint=true", "alpine"),
        List.of("run", "--rm", "--name=bad", "--entrypoint=true", "--", "-alpine"),
        List.of("run", "--rm", "--name=bad", "--entrypoint=true", "--", "Alpine"),
        List.of("run", "--rm", "--name=bad", "--volume=relative:/data", "--entrypoint=true", "--", "alpine"),
        List.of("run", "--rm", "--name=bad", "--volume=/tmp:data", "--entrypoint=true", "--", "alpine"),
        List.of("run", "--rm", "--name=bad", "--volume=/tmp:/data:z", "--entrypoint=true", "--", "alpine"),
        List.of("run", "--rm", "--name=bad", "--workdir=relative", "--entrypoint=true", "--", "alpine"),
        List.of("run", "--rm", "--name=bad", "--memory=1024", "--entrypoint=true", "--", "alpine"),
        List.of("run", "--rm", "--name=b/d", "--entrypoint=true", "--", "alpine"),
        List.of("run", "--name=bad", "--entrypoint=true", "--", "alpine"),
        List.of("run", "--rm", "--name=bad", "--", "alpine", "true"));
    for (List<String> args : refused) {
      Result result = docker(args);
      assertThat(result.exit()).as("%s: %s", args, result.stderr()).isEqualTo(125);
      assertThat(result.stderr()).as("%s", args).isNotBlank();
    }
    assertThat(docker.runningContainers()).isEmpty();
    Result accepted = docker(List.of("run", "--rm", "--name=good", "--cpus=1", "--memory=67108864", "--user=0:0",
        "--entrypoint=true", "--", "quay.io/biocontainers/samtools:1.17--h00cdaf9_0"));
    assertThat(accepted.exit()).as(accepted.stderr()).isZero();
  }

  @Test
  void hostileArgumentsAndPathsArriveByteIdentical() throws Exception {
    List<String> hostile = List.of("a b", "'", "\"", "$(touch " + tmp.resolve("pwned") + ")",
        "`touch " + tmp.resolve("pwned") + "`", "-x", "--", "--rm", "line one\nline two", "", "*", "\\",
        "; rm -rf /", "$HOME", "tab\there", "\u00e9\u2603");
    // a host directory and a container path with the same characters in their names
    Path work = Files.createDirectories(tmp.resolve("dir with 'quotes' \"and\" $(x) `y` ;"));
    String target = "/data/a b'c\"d$(x)`y`";
    List<String> args = new ArrayList<>(List.of("run", "--rm", "--name=hostile", "--volume=" + work + ":" + target,
        "--workdir=" + target, "--entrypoint=sh", "--", "alpine", "-c",
        "printf '%s\\0' \"$@\" > out; printf '%s' \"$PWD\" > pwd; cat out", "sh"));
    args.addAll(hostile);

    Result result = docker(args);

    assertThat(result.exit()).as(result.stderr()).isZero();
    assertThat(result.stdout()).isEqualTo(String.join("\0", hostile) + "\0");
    assertThat(Files.readString(work.resolve("pwd"))).isEqualTo(target);
    assertThat(tmp.resolve("pwned")).doesNotExist();
    assertThat(docker.invocations()).containsExactly(withDocker(args));
  }

  @Test
  void invocationsRecordTheArgvOfEveryCallInOrder() throws Exception {
    List<List<String>> calls = List.of(
        List.of("run", "--rm", "--name=one", "--entrypoint=echo", "--", "alpine", "new\nline", ""),
        List.of("rm", "-f", "gone"),
        List.of("ps", "-a"),
        List.of());
    for (List<String> call : calls) {
      docker(call);
    }

    assertThat(docker.invocations())
        .containsExactlyElementsOf(calls.stream().map(FakeDockerTest::withDocker).toList());
  }

  @Test
  void anyOtherCommandIsUnsupported() throws Exception {
    Result result = docker(List.of("ps"));

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.stderr()).contains("fake docker: unsupported");
  }

  @Test
  void theContainerHasNoNetworkButLoopback() throws Exception {
    Result result = docker(List.of("run", "--rm", "--name=net", "--entrypoint=cat", "--", "alpine",
        "/proc/net/dev"));

    assertThat(result.exit()).as(result.stderr()).isZero();
    List<String> interfaces = result.stdout().lines().skip(2).map(line -> line.strip().split(":")[0]).toList();
    assertThat(interfaces).containsExactly("lo");
  }

  private static List<String> withDocker(List<String> args) {
    return Stream.concat(Stream.of("docker"), args.stream()).toList();
  }

  private Result docker(List<String> args) throws IOException, InterruptedException {
    return docker(args, null, Map.of());
  }

  /** Runs {@code docker ARGS} as a command line does, found on {@code PATH}, stdin given or empty. */
  private Result docker(List<String> args, String stdin, Map<String, String> environment)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile(tmp, "stdout", ".txt");
    Path err = Files.createTempFile(tmp, "stderr", ".txt");
    ProcessBuilder builder = commandLine(args, environment)
        .redirectOutput(out.toFile())
        .redirectError(err.toFile());
    Process process = builder.start();
    started.add(process);
    try (OutputStream in = process.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("docker %s ends", args).isTrue();
    return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  /** Starts {@code docker ARGS} with stdout and stderr into {@code out}, not waiting. */
  private Process start(List<String> args, Path out) throws IOException {
    Process process = commandLine(args, Map.of())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectErrorStream(true)
        .redirectOutput(out.toFile())
        .start();
    started.add(process);
    return process;
  }

  private ProcessBuilder commandLine(List<String> args, Map<String, String> environment) {
    List<String> command = new ArrayList<>(List.of("bash", "-c", "exec docker \"$@\"", "docker"));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(environment);
    builder.environment().put("PATH",
        docker.binDirectory() + File.pathSeparator + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    return builder;
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /** What a {@code docker} call did: its status, its stdout and its stderr. */
  private record Result(int exit, String stdout, String stderr) {}
}
