package io.tes4j.backend.local;

import static io.tes4j.backend.local.HostRuntimeTest.quickTransfers;
import static io.tes4j.backend.local.HostRuntimeTest.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.model.Executor;
import io.tes4j.model.FileType;
import io.tes4j.model.Input;
import io.tes4j.model.Output;
import io.tes4j.model.Resources;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container runtimes' command lines, run by fake {@code docker}, {@code podman}, {@code
 * apptainer} and {@code singularity} programs that record their argv and run the command on this
 * machine (see {@link FakeRuntimes}).
 */
class ContainerRuntimeTest {
  @TempDir Path tmp;

  private LocalBackend backend(FakeRuntimes fakes, LocalRuntime runtime) {
    LocalBackend.Builder builder = LocalBackend.builder()
        .environment(fakes.environment())
        .workRoot(tmp.resolve("work"))
        .keepWorkDirectories(true)
        .transferSettings(quickTransfers());
    if (runtime != null) {
      builder.runtime(runtime);
    }
    return builder.build();
  }

  private static RecordingEvents run(LocalBackend backend, Task task) {
    RecordingEvents events = new RecordingEvents();
    backend.start(task, events);
    events.awaitFinished();
    return events;
  }

  /** This process's uid:gid, which docker and podman run containers as by default. */
  static final String ENGINE_IDS = new com.sun.security.auth.module.UnixSystem().getUid() + ":"
      + new com.sun.security.auth.module.UnixSystem().getGid();

  /** The name of the one private directory under {@code workRoot}. */
  static String privateDirectory(Path workRoot) throws IOException {
    try (java.util.stream.Stream<Path> entries = Files.list(workRoot)) {
      return entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".tes4j-private-"))
          .findFirst().orElseThrow();
    }
  }

  private static List<String> runCall(FakeRuntimes fakes) throws IOException {
    return fakes.calls().stream().filter(c -> c.get(1).equals("run") || c.get(1).equals("exec")).findFirst().orElseThrow();
  }

  @Test
  void dockerRunsEachExecutorWithItsMountsLimitsWorkdirEnvAndEntrypoint() throws IOException {
    FakeRuntimes fakes = new FakeRuntimes(tmp.resolve("fake"), "docker");
    Path results = Files.createDirectories(tmp.resolve("results"));
    Task task = task()
        .addInput(Input.ofContent("a\n", "/in/a.txt"))
        .addInput(Input.ofContent("b\n", "/in/b.txt"))
        .addInput(Input.ofContent("seed\n", "/vol/shared/seed.txt")) // under a read-write volume: no mount of its own
        .addOutput(Output.of("/out/result.txt", results.resolve("result.txt").toUri().toString()))
        .addOutput(Output.builder().path("/results").type(FileType.DIRECTORY).url(results.toUri() + "dir").build())
        .addOutput(Output.builder().path("/logs/*.log").pathPrefix("/logs").url(results.toUri() + "logs").build())
        .volumes("/vol/shared")
        .resources(Resources.builder().cpuCores(1.5).ramGb(0.5).diskGb(10.0).build())
        .addExecutor(Executor.builder().image("alpine:3.20")
            .command("sh", "-c", "echo hi; echo err >&2")
            .workdir("/vol/shared")
            .env("A", "1").env("B", "x y")
            .stdin("/in/a.txt").stdout("/out/result.txt")
            .build())
        .build();

    try (LocalBackend backend = backend(fakes, LocalRuntime.DOCKER)) {
      RecordingEvents events = run(backend, task);

      assertThat(events.awaitFinished()).as("%s", events.systemLogs()).isEqualTo(State.COMPLETE);
      Path root = Path.of(events.metadata().get("local.workdir"));
      String runId = root.getFileName().toString();
      String envFile = root.getParent().resolve(privateDirectory(root.getParent())) + "/" + runId + "-0.env";
      assertThat(runCall(fakes)).containsExactly(
          fakes.program("docker").toString(), "run", "--rm", "-i", "--name=tes4j-" + runId + "-0",
          "--user=" + ENGINE_IDS,
          "--cpus=1.5", "--memory=536870912",
          "--volume=" + root.resolve("logs") + ":/logs",
          "--volume=" + root.resolve("out") + ":/out",
          "--volume=" + root.resolve("results") + ":/results",
          "--volume=" + root.resolve("in/a.txt") + ":/in/a.txt:ro",
          "--volume=" + root.resolve("in/b.txt") + ":/in/b.txt:ro",
          "--volume=" + root.resolve("vol/shared") + ":/vol/shared",
          "--workdir=/vol/shared",
          "--env-file=" + envFile,
          "--entrypoint=sh", "--", "alpine:3.20", "-c", "echo hi; echo err >&2");
      assertThat(fakes.envFileCopy("tes4j-" + runId + "-0")).hasContent("A=1\nB=x y");
      assertThat(Path.of(envFile)).as("removed once the executor ended").doesNotExist();
      assertThat(events.executor(0).stdout()).isEqualTo("hi\n");
      assertThat(events.executor(0).stderr()).isEqualTo("err\n");
      assertThat(results.resolve("result.txt")).hasContent("hi");
      assertThat(events.metadata()).containsEntry("local.runtime", "docker");
      assertThat(events.systemLogs()).containsExactly("runtime=docker enforces cpu_cores and ram_gb only; disk_gb=10 is ignored");
      assertThat(backend.capabilities().enforcedResources()).containsExactlyInAnyOrder("cpu_cores", "ram_gb");
    }
  }

  @Test
  void podmanTakesTheSameCommandLine() throws IOException {
    FakeRuntimes fakes = new FakeRuntimes(tmp.resolve("fake"), "podman");
    try (LocalBackend backend = backend(fakes, LocalRuntime.PODMAN)) {
      RecordingEvents events = run(backend, task().addExecutor(Executor.of("alpine", "echo", "hi there")).build());

      assertThat(events.awaitFinished()).isEqualTo(State.COMPLETE);
      String runId = Path.of(events.metadata().get("local.workdir")).getFileName().toString();
      assertThat(runCall(fakes)).containsExactly(
          fakes.program("podman").toString(), "run", "--rm", "--name=tes4j-" + runId + "-0", "--user=" + ENGINE_IDS,
          "--entrypoint=[\"echo\"]", "--", "alpine", "hi there");
      assertThat(events.executor(0).stdout()).isEqualTo("hi there\n");
    }
  }

  @Test
  void anExitCodeIsTheCommandsAndNonZeroIsAnExecutorError() throws IOException {
    FakeRuntimes fakes = new FakeRuntimes(tmp.resolve("fake"), "docker");
    try (LocalBackend backend = backend(fakes, LocalRuntime.DOCKER)) {
      RecordingEvents events = run(backend, task()
          .addExecutor(Executor.of("alpine", "sh", "-c", "exit 7"))
          .addExecutor(Executor.of("alpine", "echo", "never"))
          .build());

      assertThat(events.calls()).containsExactly(
          "initializing", "running", "executorStarted 0", "executorFinished 0 7", "finished EXECUTOR_ERROR");
      assertThat(fakes.calls()).hasSize(1);
    }
  }

  @Test
  void exit125IsTheRuntimesOwnFailureAndASystemError() throws IOException {
    FakeRuntimes fakes = new FakeRuntimes(tmp.resolve("fake"), "docker");
    try (LocalBackend backend = backend(fakes, LocalRuntime.DOCKER)) {
      RecordingEvents events = run(backend, task().addExecutor(Executor.of("broken-image", "true")).build());

      assertThat(events.awaitFinished()).isEqualTo(State.SYSTEM_ERROR);
      assertThat(events.executor(0).exitCode()).isEqualTo(125);
      assertThat(events.systemLogs()).containsExactly(
          "executors[0]: runtime=docker could not run the container (exit 125 is the runtime's own failure, not"
              + " the command's): docker: Error response from daemon: pull access denied for broken-image.");
    }
  }

  @Test
  void cancelRemovesTheContainerAndKillsTheClient() throws IOException {
    FakeRuntimes fakes = new FakeRuntimes(tmp.resolve("fake"), "docker");
    String seconds = Integer.toString(ThreadLocalRandom.current().nextInt(100_000, 999_999));
    try (LocalBackend backend = backend(fakes, LocalRuntime.DOCKER)) {
      RecordingEvents events = new RecordingEvents();
      String handle = backend.start(task().addExecutor(Executor.of("alpine", "sleep", seconds)).build(), events);
      String name = "tes4j-" + handle + "-0";
      Waits.until("the container runs", () -> Files.exists(fakes.pidFile(name))
          && !Processes.withArguments("sleep", seconds).isEmpty());
      List<ProcessHandle> sleeps = Processes.withArguments("sleep", seconds);

      backend.cancel(handle);

      assertThat(events.awaitFinished()).isEqualTo(State.CANCELED);
      assertThat(fakes.calls()).contains(List.of(fakes.program("docker").toString(), "rm", "-f", name));
      Waits.until("the sleep is dead", () -> sleeps.stream().noneMatch(Processes::running));
    }
  }

  @Test
  void apptainerExecsWithBindsPwdAndQuotedEnv() throws IOException {
    FakeRuntimes fakes = new FakeRuntimes(tmp.resolve("fake"), "apptainer");
    Task task = task()
        .addInput(Input.ofContent("a\n", "/in/a.txt"))
        .addOutput(Output.of("/out/x.txt", tmp.resolve("x.txt").toUri().toString()))
        .resources(Resources.builder().cpuCores(2.0).ramGb(1.0).build())
        .addExecutor(Executor.builder().image("alpine:3.20").command("sh", "-c", "cat /dev/null; echo hi")
            .workdir("/work").env("A", "1").env("B", "x,\"y\"").stdout("/out/x.txt").build())
        .build();
    try (LocalBackend backend = backend(fakes, LocalRuntime.APPTAINER)) {
      RecordingEvents events = run(backend, task);

      assertThat(events.awaitFinished()).as("%s", events.systemLogs()).isEqualTo(State.COMPLETE);
      Path root = Path.of(events.metadata().get("local.workdir"));
      assertThat(runCall(fakes)).containsExactly(
          fakes.program("apptainer").toString(), "exec", "--containall", "--no-eval",
          "--pwd=/work",
          "--bind=" + root.resolve("out") + ":/out",
          "--bind=" + root.resolve("in/a.txt") + ":/in/a.txt:ro",
          "--cpus=2", "--memory=1073741824",
          "--", "docker://alpine:3.20", "sh", "-c", "cat /dev/null; echo hi");
      assertThat(fakes.environments().get(0))
          .containsEntry("APPTAINERENV_A", "1").containsEntry("APPTAINERENV_B", "x,\"y\"")
          .doesNotContainKeys("A", "B");
      assertThat(events.executor(0).stdout()).isEqualTo("hi\n");
      assertThat(tmp.resolve("x.txt")).hasContent("hi");
    }
  }

  @Test
  void singularityKeepsImagesThatNameTheirSourceAndReportsFatalErrors() throws IOException {
    FakeRuntimes fakes = new FakeRuntimes(tmp.resolve("fake"), "singularity");
    Path image = Files.writeString(Files.createDirectories(tmp.resolve("images")).resolve("tool.sif"), "SIF");
    try (LocalBackend backend = backend(fakes, LocalRuntime.SINGULARITY)) {
      RecordingEvents events = run(backend, task()
          .addExecutor(Executor.of("library://alpine:3.20", "true"))
          .addExecutor(Executor.of(image.toString(), "true"))
          .addExecutor(Executor.of("broken-image", "true"))
          .build());

      assertThat(events.awaitFinished()).isEqualTo(State.SYSTEM_ERROR);
      List<String> images = new ArrayList<>();
      for (List<String> call : fakes.calls()) {
        images.add(call.get(call.size() - 2));
      }
      assertThat(images).containsExactly("library://alpine:3.20", image.toString(), "docker://broken-image");
      assertThat(events.systemLogs()).containsExactly(
          "executors[2]: runtime=singularity could not run the container: FATAL:   Unable to handle"
              + " docker://broken-image uri: failed to get checksum");
    }
  }

  @Test
  void cancellingApptainerKillsItsProcessTree() throws IOException {
    FakeRuntimes fakes = new FakeRuntimes(tmp.resolve("fake"), "apptainer");
    String seconds = Integer.toString(ThreadLocalRandom.current().nextInt(100_000, 999_999));
    try (LocalBackend backend = backend(fakes, LocalRuntime.APPTAINER)) {
      RecordingEvents events = new RecordingEvents();
      String handle = backend.start(
          task().addExecutor(Executor.of("alpine", "sh", "-c", "sleep " + seconds + " & wait")).build(), events);
      Waits.until("the sleep runs", () -> !Processes.withArguments("sleep", seconds).isEmpty());
      List<ProcessHandle> sleeps = Processes.withArguments("sleep", seconds);

      backend.cancel(handle);

      assertThat(events.awaitFinished()).isEqualTo(State.CANCELED);
      Waits.until("the sleep is dead", () -> sleeps.stream().noneMatch(Processes::running));
    }
  }

  @Test
  void whatACommandLineCannotCarryIsASystemErrorThatNamesTheFieldButNoValue() throws IOException {
    FakeRuntimes fakes = new FakeRuntimes(tmp.resolve("fake"), "docker");
    try (LocalBackend backend = backend(fakes, LocalRuntime.DOCKER)) {
      RecordingEvents badName = run(backend, task()
          .addExecutor(Executor.builder().image("alpine").command("true").env("A=B", "top-secret-value").build())
          .build());
      assertThat(badName.awaitFinished()).isEqualTo(State.SYSTEM_ERROR);
      assertThat(badName.systemLogs()).containsExactly(
          "runtime=docker cannot run this task: executors[0].env[\"A=B\"]: invalid environment variable name 'A=B':"
              + " must start with a letter or underscore and hold only letters, digits and underscores");
      assertThat(String.join("\n", badName.systemLogs())).doesNotContain("top-secret-value");

      RecordingEvents colon = run(backend, task()
          .addInput(Input.ofContent("x", "/in/a:b.txt"))
          .addExecutor(Executor.of("alpine", "true"))
          .build());
      assertThat(colon.awaitFinished()).isEqualTo(State.SYSTEM_ERROR);
      assertThat(colon.systemLogs()).anySatisfy(line -> assertThat(line)
          .startsWith("runtime=docker cannot mount /in/a:b.txt: its -v option separates paths with ':'"));
      assertThat(fakes.calls()).isEmpty();
    }
  }

  @Test
  void anOutputDirectlyUnderTheRootIsMountedAsAFile() throws IOException {
    FakeRuntimes fakes = new FakeRuntimes(tmp.resolve("fake"), "docker");
    try (LocalBackend backend = backend(fakes, LocalRuntime.DOCKER)) {
      RecordingEvents events = run(backend, task()
          .addOutput(Output.of("/result.txt", tmp.resolve("result.txt").toUri().toString()))
          .addExecutor(Executor.of("alpine", "true"))
          .build());

      assertThat(events.awaitFinished()).isEqualTo(State.COMPLETE);
      Path root = Path.of(events.metadata().get("local.workdir"));
      assertThat(runCall(fakes)).contains("--volume=" + root.resolve("result.txt") + ":/result.txt");
    }
  }
}
