package io.tes4j.backend.pulsar.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.backend.pulsar.PulsarRuntime;
import io.tes4j.model.Executor;
import io.tes4j.model.FileType;
import io.tes4j.model.Input;
import io.tes4j.model.Output;
import io.tes4j.model.Resources;
import io.tes4j.model.Task;
import io.tes4j.model.Violation;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The command line of a Pulsar job, run with {@code /bin/bash} in a job directory of this machine
 * ({@link FakePulsarJob}) against fake runtimes that record their argv and run the command here.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "runs /bin/bash, GNU date and the fake runtimes")
class JobScriptTest {
  /** docker's {@code --user} as the job's shell gives it: this process's uid and gid, as the Pulsar user's. */
  private static final String PULSAR_USER = "--user=" + idOf("-u") + ":" + idOf("-g");

  private static String idOf(String flag) {
    try {
      Process id = new ProcessBuilder("id", flag).redirectErrorStream(true).start();
      String out = new String(id.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
      if (id.waitFor() != 0) {
        throw new IllegalStateException("id " + flag + " failed: " + out);
      }
      return out;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @TempDir Path tmp;

  private FakePulsarJob job;
  /** A path whose creation means a value was run by a shell. */
  private Path marker;
  /** Values a shell would act on; each must reach the runtime as one argument, unchanged. */
  private List<String> hostile;

  @BeforeEach
  void setUp() throws IOException {
    job = FakePulsarJob.create(tmp);
    marker = tmp.resolve(FakePulsarJob.MARKER_NAME);
    hostile = List.of(
        "it's",
        "$(touch " + marker + ")",
        "`touch " + marker + "`",
        "line one\ntouch " + marker + "\nline three",
        "--privileged",
        "; rm -rf " + tmp.resolve("staging") + "; touch " + marker,
        "&& touch " + marker,
        "| touch " + marker,
        "*",
        "/*/*",
        "$HOME ${PATH} $0 $1 $@",
        "\"double\" \\back\\slash",
        "'; touch " + marker + "; echo '",
        "",
        " leading and trailing spaces ",
        "tab\there",
        "-x");
  }

  // -------------------------------------------------------------------------------------------
  // docker

  @Test
  void hostileValuesReachDockerByteForByteAsSingleArguments() throws Exception {
    String directory = "/out/$(touch " + marker + ")/; rm -rf x & y";
    String workdir = "/work dir/it's `touch " + marker + "`";
    List<String> command = new ArrayList<>(List.of("printf", "%s\\n"));
    command.addAll(hostile);
    Task task = Task.builder()
        .addOutput(Output.builder().path(directory).type(FileType.DIRECTORY).url("s3://b/o").build())
        .addExecutor(Executor.builder().image("alpine:3.20").command(command).workdir(workdir).build())
        .build();

    String commandLine = JobScript.commandLine(task, job.layout, PulsarRuntime.DOCKER);
    FakePulsarJob.Run run = job.run(commandLine);

    List<String> expected = new ArrayList<>(List.of(
        "docker", "run", PULSAR_USER, "--rm", "--name=tes4j-job-1-0",
        "--volume=" + job.output(directory) + ":" + directory,
        "--workdir=" + workdir,
        "--entrypoint=printf", "--", "alpine:3.20", "%s\\n"));
    expected.addAll(hostile);
    assertThat(job.calls()).singleElement().satisfies(call -> assertThat(call.argv()).isEqualTo(expected));
    assertThat(job.metadataText("tes_exec_0.stdout")).contains(String.join("\n", hostile) + "\n");
    assertThat(run.returnCode()).isZero();
    assertThat(job.metadataText("tes_exec_0.rc")).contains("0\n");
    assertThat(Files.isDirectory(job.output(directory))).isTrue();
    assertThat(job.markers()).isEmpty();
    assertThat(Files.exists(tmp.resolve("staging"))).isTrue();
  }

  @Test
  void aProgramThatLooksLikeAnOptionIsTheEntrypointValueAndNeverADockerOption() throws Exception {
    Task task = Task.builder()
        .addExecutor(Executor.of("alpine:3.20", "--privileged", "--volume=/:/host", "-v", "/:/host"))
        .build();

    job.run(JobScript.commandLine(task, job.layout, PulsarRuntime.DOCKER));

    assertThat(job.calls()).singleElement().satisfies(call -> assertThat(call.argv()).containsExactly(
        "docker", "run", PULSAR_USER, "--rm", "--name=tes4j-job-1-0", "--entrypoint=--privileged", "--", "alpine:3.20",
        "--volume=/:/host", "-v", "/:/host"));
  }

  @Test
  void environmentValuesStayOffTheCommandLineAndReachTheProgramThroughAnEnvFile() throws Exception {
    String secret = "s3cr3t-" + UUID.randomUUID();
    String value = secret + " '$(touch " + marker + ")' `touch " + marker + "` ; $HOME * \"q\" \\";
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SECRET", value);
    env.put("EMPTY", "");
    Task task = Task.builder()
        .addExecutor(Executor.builder().image("alpine:3.20").command("printenv", "SECRET", "EMPTY").env(env).build())
        .addExecutor(Executor.builder().image("alpine:3.20").command("printenv", "SECRET").build())
        .build();

    Map<String, byte[]> files = JobScript.environmentFiles(task, PulsarRuntime.DOCKER);
    String commandLine = JobScript.commandLine(task, job.layout, PulsarRuntime.DOCKER);
    job.upload(files);
    FakePulsarJob.Run run = job.run(commandLine);

    assertThat(files).containsOnlyKeys("tes_env_0.list");
    assertThat(new String(files.get("tes_env_0.list"), StandardCharsets.UTF_8))
        .isEqualTo("SECRET=" + value + "\nEMPTY=\n");
    assertThat(commandLine).doesNotContain(secret);
    List<FakePulsarJob.Call> calls = job.calls();
    assertThat(calls).hasSize(2);
    assertThat(calls).allSatisfy(call -> assertThat(call.argv()).noneMatch(a -> a.contains(secret)));
    assertThat(calls.get(0).argv()).contains("--env-file=" + job.metadata("tes_env_0.list"));
    assertThat(calls.get(0).envFile()).isEqualTo("SECRET=" + value + "\nEMPTY=\n");
    assertThat(calls.get(1).argv()).noneMatch(a -> a.startsWith("--env-file"));
    assertThat(job.metadataText("tes_exec_0.stdout")).contains(value + "\n\n");
    // the second executor has no environment of its own: printenv finds nothing and fails
    assertThat(job.metadataText("tes_exec_1.stdout")).contains("");
    assertThat(job.metadataText("tes_exec_1.rc")).contains("1\n");
    assertThat(run.returnCode()).isEqualTo(1);
    assertThat(job.metadata("tes_env_0.list")).doesNotExist();
    assertThat(job.markers()).isEmpty();
  }

  @Test
  void resourcesMountsWorkdirAndStdinMakeTheDocumentedDockerCommand() throws Exception {
    job.stage("/in/data.txt", "some data\n");
    Task task = Task.builder()
        .resources(Resources.builder().cpuCores(1.5).ramGb(0.5).build())
        .addInput(Input.ofContent("some data\n", "/in/data.txt"))
        .addOutput(Output.of("/out/result.txt", "s3://b/result.txt"))
        .volumes("/shared")
        .addExecutor(Executor.builder().image("registry.example.org:5000/team/tool:1.2").command("cat")
            .workdir("/shared/./w/").stdin("/in/data.txt").env("MODE", "fast").build())
        .build();

    job.upload(JobScript.environmentFiles(task, PulsarRuntime.DOCKER));
    FakePulsarJob.Run run = job.run(JobScript.commandLine(task, job.layout, PulsarRuntime.DOCKER));

    assertThat(job.calls()).singleElement().satisfies(call -> assertThat(call.argv()).containsExactly(
        "docker", "run", PULSAR_USER, "--rm", "--name=tes4j-job-1-0", "-i", "--cpus=1.5", "--memory=536870912",
        "--volume=" + job.output("/out") + ":/out",
        "--volume=" + job.output("/shared") + ":/shared",
        "--volume=" + job.input("/in/data.txt") + ":/in/data.txt:ro",
        "--workdir=/shared/w",
        "--env-file=" + job.metadata("tes_env_0.list"),
        "--entrypoint=cat", "--", "registry.example.org:5000/team/tool:1.2"));
    assertThat(job.metadataText("tes_exec_0.stdout")).contains("some data\n");
    assertThat(run.returnCode()).isZero();
    assertThat(job.metadata("tes_env_0.list")).doesNotExist();
  }

  // -------------------------------------------------------------------------------------------
  // the chain

  @Test
  void perExecutorFilesAreWrittenAndTheTimesParse() throws Exception {
    Task task = Task.builder()
        .addExecutor(Executor.of("alpine:3.20", "sh", "-c", "echo out-0; echo err-0 >&2"))
        .addExecutor(Executor.of("alpine:3.20", "sh", "-c", "echo out-1; echo err-1 >&2; exit 0"))
        .build();
    Instant before = Instant.now().minusSeconds(1);

    FakePulsarJob.Run run = job.run(JobScript.commandLine(task, job.layout, PulsarRuntime.DOCKER));

    Instant after = Instant.now().plusSeconds(1);
    for (int i = 0; i < 2; i++) {
      assertThat(job.metadataText("tes_exec_" + i + ".stdout")).contains("out-" + i + "\n");
      assertThat(job.metadataText("tes_exec_" + i + ".stderr")).contains("err-" + i + "\n");
      assertThat(job.metadataText("tes_exec_" + i + ".rc")).contains("0\n");
      String start = job.metadataText("tes_exec_" + i + ".start").orElseThrow();
      String end = job.metadataText("tes_exec_" + i + ".end").orElseThrow();
      assertThat(start).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z\n");
      assertThat(JobScript.parseTime(start)).isBetween(before, JobScript.parseTime(end));
      assertThat(JobScript.parseTime(end)).isBefore(after);
    }
    assertThat(JobScript.parseTime(job.metadataText("tes_exec_0.end").orElseThrow()))
        .isBeforeOrEqualTo(JobScript.parseTime(job.metadataText("tes_exec_1.start").orElseThrow()));
    assertThat(run.returnCode()).isZero();
    assertThat(run.stdout()).isEmpty();
  }

  @Test
  void aFailingExecutorStopsTheChainSetsTheStatusAndDeletesEveryEnvFile() throws Exception {
    Task task = failingChain();

    job.upload(JobScript.environmentFiles(task, PulsarRuntime.DOCKER));
    assertThat(job.metadata("tes_env_2.list")).exists();
    FakePulsarJob.Run run = job.run(JobScript.commandLine(task, job.layout, PulsarRuntime.DOCKER));

    assertFailingChainStopped(run);
  }

  @Test
  void theCommandLineDoesNotDependOnBashOptions() throws Exception {
    Task task = failingChain();
    job.upload(JobScript.environmentFiles(task, PulsarRuntime.DOCKER));
    // files left by an earlier attempt, which noclobber would refuse to overwrite
    Files.writeString(job.metadata("tes_exec_0.stdout"), "old");
    Files.writeString(job.metadata("tes_exec_0.rc"), "old");

    // with set -e, the job script itself ends at the subshell's status 3, before recording it
    FakePulsarJob.Run run = job.run("set -eu -o noclobber -o pipefail -o noglob",
        JobScript.commandLine(task, job.layout, PulsarRuntime.DOCKER));

    assertFailingChainStopped(run);
  }

  private Task failingChain() {
    return Task.builder()
        .addExecutor(Executor.builder().image("alpine:3.20").command("sh", "-c", "echo one").env("A", "a").build())
        .addExecutor(Executor.of("alpine:3.20", "sh", "-c", "echo two >&2; exit 3"))
        .addExecutor(Executor.builder().image("alpine:3.20").command("touch", marker.toString()).env("C", "c").build())
        .build();
  }

  private void assertFailingChainStopped(FakePulsarJob.Run run) throws IOException {
    assertThat(run.returnCode()).isEqualTo(3);
    assertThat(job.metadataText("tes_exec_0.stdout")).contains("one\n");
    assertThat(job.metadataText("tes_exec_0.rc")).contains("0\n");
    assertThat(job.metadataText("tes_exec_1.stderr")).contains("two\n");
    assertThat(job.metadataText("tes_exec_1.rc")).contains("3\n");
    assertThat(job.metadataText("tes_exec_1.end")).isPresent();
    for (String suffix : List.of("start", "stdout", "stderr", "rc", "end")) {
      assertThat(job.metadata("tes_exec_2." + suffix)).doesNotExist();
    }
    assertThat(job.calls()).hasSize(2);
    assertThat(job.metadata("tes_env_0.list")).doesNotExist();
    assertThat(job.metadata("tes_env_2.list")).doesNotExist();
    assertThat(marker).doesNotExist();
  }

  @Test
  void ignoreErrorContinuesAndTheStatusIsTheFirstFailureNotIgnored() throws Exception {
    Task task = Task.builder()
        .addExecutor(Executor.builder().image("alpine:3.20").command("sh", "-c", "exit 5").ignoreError(true).build())
        .addExecutor(Executor.of("alpine:3.20", "true"))
        .addExecutor(Executor.of("alpine:3.20", "sh", "-c", "exit 7"))
        .addExecutor(Executor.of("alpine:3.20", "true"))
        .build();

    FakePulsarJob.Run run = job.run(JobScript.commandLine(task, job.layout, PulsarRuntime.DOCKER));

    assertThat(job.metadataText("tes_exec_0.rc")).contains("5\n");
    assertThat(job.metadataText("tes_exec_1.rc")).contains("0\n");
    assertThat(job.metadataText("tes_exec_2.rc")).contains("7\n");
    assertThat(job.metadata("tes_exec_3.rc")).doesNotExist();
    assertThat(run.returnCode()).isEqualTo(7);
  }

  @Test
  void ignoredFailuresAloneEndWithStatusZero() throws Exception {
    Task task = Task.builder()
        .addExecutor(Executor.builder().image("alpine:3.20").command("sh", "-c", "exit 5").ignoreError(true).build())
        .addExecutor(Executor.builder().image("alpine:3.20").command("false").ignoreError(true).build())
        .build();

    FakePulsarJob.Run run = job.run(JobScript.commandLine(task, job.layout, PulsarRuntime.DOCKER));

    assertThat(job.metadataText("tes_exec_0.rc")).contains("5\n");
    assertThat(job.metadataText("tes_exec_1.rc")).contains("1\n");
    assertThat(run.returnCode()).isZero();
  }

  @Test
  void stdinStdoutAndStderrPathsUseTheJobsFilesSoLaterExecutorsSeeThem() throws Exception {
    job.stage("/in/data.txt", "hello pulsar\n");
    Task task = Task.builder()
        .addInput(Input.ofUrl("https://example.org/data.txt", "/in/data.txt"))
        .addOutput(Output.of("/out/upper.txt", "s3://b/upper.txt"))
        .addExecutor(Executor.builder().image("alpine:3.20").command("sh", "-c", "cat; echo warning >&2")
            .stdin("/in/data.txt").stdout("/out/copy.txt").stderr("/logs/run/err.txt").build())
        .addExecutor(Executor.builder().image("alpine:3.20").command("tr", "a-z", "A-Z")
            .stdin("/out/copy.txt").stdout("/out/upper.txt").build())
        .build();

    FakePulsarJob.Run run = job.run(JobScript.commandLine(task, job.layout, PulsarRuntime.DOCKER));

    assertThat(run.returnCode()).isZero();
    assertThat(job.calls()).allSatisfy(call -> assertThat(call.argv()).contains("-i"));
    assertThat(job.metadataText("tes_exec_0.stdout")).contains("hello pulsar\n");
    assertThat(job.output("/out/copy.txt")).hasContent("hello pulsar\n");
    assertThat(job.output("/logs/run/err.txt")).hasContent("warning\n");
    assertThat(job.output("/out/upper.txt")).hasContent("HELLO PULSAR\n");
    assertThat(job.metadataText("tes_exec_1.stdout")).contains("HELLO PULSAR\n");
  }

  @Test
  void aStdinThatCannotBeOpenedFailsTheExecutorIntoItsOwnStderr() throws Exception {
    Task task = Task.builder()
        .addInput(Input.ofUrl("https://example.org/data.txt", "/in/data.txt"))
        .addExecutor(Executor.builder().image("alpine:3.20").command("cat").stdin("/in/data.txt").build())
        .build();

    FakePulsarJob.Run run = job.run(JobScript.commandLine(task, job.layout, PulsarRuntime.DOCKER));

    assertThat(run.returnCode()).isEqualTo(1);
    assertThat(job.calls()).isEmpty();
    assertThat(job.metadataText("tes_exec_0.rc")).contains("1\n");
    assertThat(job.metadataText("tes_exec_0.stderr").orElseThrow()).contains("data.txt");
  }

  @Test
  void directoriesOfOutputsVolumesAndStreamFilesAreCreatedUnderOutputs() throws Exception {
    Task task = Task.builder()
        .addOutput(Output.of("/results/a/b.txt", "s3://b/b.txt"))
        .addOutput(Output.builder().path("/results/dir").type(FileType.DIRECTORY).url("s3://b/dir").build())
        .addOutput(Output.builder().path("/glob/x*/y.txt").pathPrefix("/glob/").url("s3://b/g/").build())
        .addOutput(Output.of("/top.txt", "s3://b/top.txt"))
        .volumes("/shared/vol")
        .addExecutor(Executor.builder().image("alpine:3.20").command("true").stdout("/logs/x/out.txt").build())
        .build();

    FakePulsarJob.Run run = job.run(JobScript.commandLine(task, job.layout, PulsarRuntime.DOCKER));

    assertThat(run.returnCode()).isZero();
    assertThat(job.output("/results/a")).isDirectory();
    assertThat(job.output("/results/a/b.txt")).doesNotExist();
    assertThat(job.output("/results/dir")).isDirectory();
    assertThat(job.output("/glob")).isDirectory();
    assertThat(job.output("/glob/x")).doesNotExist();
    assertThat(job.output("/shared/vol")).isDirectory();
    assertThat(job.output("/logs/x/out.txt")).isRegularFile();
    assertThat(job.output("/top.txt")).isEmptyFile();
    assertThat(job.calls()).singleElement().satisfies(call -> assertThat(call.argv()).contains(
        "--volume=" + job.output("/glob") + ":/glob",
        "--volume=" + job.output("/results/a") + ":/results/a",
        "--volume=" + job.output("/top.txt") + ":/top.txt"));
  }

  @Test
  void nestedMountsComeParentsFirstAndTheirMountPointsExist() throws Exception {
    job.stage("/data/in.txt", "in\n");
    job.stage("/data/ref/r.txt", "ref\n");
    job.stage("/refs/a.txt", "a\n");
    Task task = Task.builder()
        .addInput(Input.ofContent("in\n", "/data/in.txt"))
        .addInput(Input.builder().url("https://example.org/ref/").path("/data/ref").type(FileType.DIRECTORY).build())
        .addInput(Input.builder().url("https://example.org/refs/").path("/refs").type(FileType.DIRECTORY).build())
        .addInput(Input.ofContent("a\n", "/refs/a.txt"))
        .addOutput(Output.of("/data/result.txt", "s3://b/result.txt"))
        .addOutput(Output.of("/refs/new/out.txt", "s3://b/out.txt"))
        .volumes("/data/tmp")
        .addExecutor(Executor.of("alpine:3.20", "true"))
        .build();

    FakePulsarJob.Run run = job.run(JobScript.commandLine(task, job.layout, PulsarRuntime.DOCKER));

    assertThat(run.returnCode()).isZero();
    List<String> volumes = job.calls().get(0).argv().stream().filter(a -> a.startsWith("--volume=")).toList();
    assertThat(volumes).containsExactly(
        "--volume=" + job.output("/data") + ":/data",
        "--volume=" + job.input("/refs") + ":/refs:ro",
        "--volume=" + job.input("/data/in.txt") + ":/data/in.txt:ro",
        "--volume=" + job.input("/data/ref") + ":/data/ref:ro",
        "--volume=" + job.output("/refs/new") + ":/refs/new");
    assertThat(job.output("/data/in.txt")).isEmptyFile();
    assertThat(job.output("/data/ref")).isDirectory();
    assertThat(job.input("/refs/new")).isDirectory();
    assertThat(job.output("/refs/new")).isDirectory();
    assertThat(job.output("/data/tmp")).isDirectory();
  }

  // -------------------------------------------------------------------------------------------
  // apptainer, singularity

  @ParameterizedTest
  @EnumSource(value = PulsarRuntime.class, names = {"APPTAINER", "SINGULARITY"})
  void apptainerGetsItsOptionsAndTheEnvironmentOnlyThroughPrefixedVariables(PulsarRuntime runtime)
      throws Exception {
    String secret = "s3cr3t-" + UUID.randomUUID();
    String value = secret + "\nsecond line '$(touch " + marker + ")' `touch " + marker + "` $HOME";
    job.stage("/in/data.txt", "data\n");
    List<String> command = new ArrayList<>(List.of("printf", "%s\\n"));
    command.addAll(hostile);
    Task task = Task.builder()
        .resources(Resources.builder().cpuCores(2.0).ramGb(1.0).build())
        .addInput(Input.ofContent("data\n", "/in/data.txt"))
        .addOutput(Output.builder().path("/out").type(FileType.DIRECTORY).url("s3://b/out/").build())
        .addExecutor(Executor.builder().image("alpine:3.20").command(command).workdir("/out")
            .env("SECRET", value).env("MODE", "it's").build())
        .addExecutor(Executor.builder().image("docker://alpine:3.20").command("true").build())
        .build();

    Map<String, byte[]> files = JobScript.environmentFiles(task, runtime);
    String commandLine = JobScript.commandLine(task, job.layout, runtime);
    job.upload(files);
    FakePulsarJob.Run run = job.run(commandLine);

    assertThat(run.returnCode()).isZero();
    assertThat(commandLine).doesNotContain(secret);
    List<FakePulsarJob.Call> calls = job.calls();
    assertThat(calls).hasSize(2);
    List<String> expected = new ArrayList<>(List.of(
        runtime.parameter(), "exec", "--containall", "--no-eval", "--pwd=/out",
        "--bind=" + job.output("/out") + ":/out",
        "--bind=" + job.input("/in/data.txt") + ":/in/data.txt:ro",
        "--cpus=2", "--memory=1073741824", "--", "docker://alpine:3.20"));
    expected.addAll(command);
    assertThat(calls.get(0).argv()).isEqualTo(expected);
    assertThat(calls.get(0).environment()).containsExactlyInAnyOrder("SECRET=" + value, "MODE=it's");
    assertThat(calls.get(1).argv()).containsExactly(
        runtime.parameter(), "exec", "--containall", "--no-eval",
        "--bind=" + job.output("/out") + ":/out",
        "--bind=" + job.input("/in/data.txt") + ":/in/data.txt:ro",
        "--cpus=2", "--memory=1073741824", "--", "docker://alpine:3.20", "true");
    // Pulsar's own APPTAINERENV_ and SINGULARITYENV_ variables are not passed on, to either executor
    assertThat(calls.get(1).environment()).isEmpty();
    assertThat(calls).allSatisfy(call -> assertThat(call.argv()).noneMatch(a -> a.contains(secret)));
    assertThat(job.metadataText("tes_exec_0.stdout")).contains(String.join("\n", hostile) + "\n");
    assertThat(job.metadata("tes_env_0.list")).doesNotExist();
    assertThat(job.markers()).isEmpty();
  }

  @Test
  void singularityEnvFilesSetBothPrefixes() {
    Task task = Task.builder()
        .addExecutor(Executor.builder().image("alpine:3.20").command("true").env("A", "x'y").build())
        .build();

    assertThat(new String(JobScript.environmentFiles(task, PulsarRuntime.SINGULARITY).get("tes_env_0.list"),
        StandardCharsets.UTF_8)).isEqualTo(
            "export SINGULARITYENV_A='x'\\''y' || return 1\nexport APPTAINERENV_A='x'\\''y' || return 1\n");
    assertThat(new String(JobScript.environmentFiles(task, PulsarRuntime.APPTAINER).get("tes_env_0.list"),
        StandardCharsets.UTF_8)).isEqualTo("export APPTAINERENV_A='x'\\''y' || return 1\n");
    assertThat(new String(JobScript.environmentFiles(task, PulsarRuntime.NONE).get("tes_env_0.list"),
        StandardCharsets.UTF_8)).isEqualTo("export A='x'\\''y' || return 1\n");
  }

  // -------------------------------------------------------------------------------------------
  // none

  @Test
  void noneRunsTheArgvWithTheHostsProgramsInASandboxThatShowsTheTaskPathsAndHidesTheHost() throws Exception {
    io.tes4j.backend.pulsar.FakeDocker.assumeUsable(); // runtime=none needs a working bubblewrap
    String workdir = "/work 'dir' $(touch pwned)";
    Path staged = Path.of(job.layout.inputsDirectory(), "in", "it's.txt");
    Files.createDirectories(staged.getParent());
    Files.writeString(staged, "staged input\n");
    String secret = "s3cr3t-" + UUID.randomUUID();
    String value = secret + "\n'$(touch " + marker + ")' `touch " + marker + "`";
    List<String> command = new ArrayList<>(List.of("sh", "-c",
        "pwd; printf '%s\\n' \"$VALUE\" \"$@\"; cat \"/in/it's.txt\"; echo written > /out/result.txt", "sh"));
    command.addAll(hostile);
    Task task = Task.builder()
        .addInput(Input.ofContent("staged input\n", "/in/it's.txt"))
        .addOutput(Output.of("/out/result.txt", "s3://b/result.txt"))
        .addExecutor(Executor.builder().image("ignored").command(command).workdir(workdir).env("VALUE", value).build())
        .addExecutor(Executor.of("ignored", "sh", "-c", "pwd; test -e '" + job.layout.jobDirectory() + "' || echo hidden"))
        .addExecutor(Executor.of("ignored", "-not-a-program"))
        .build();

    Map<String, byte[]> files = JobScript.environmentFiles(task, PulsarRuntime.NONE);
    String commandLine = JobScript.commandLine(task, job.layout, PulsarRuntime.NONE);
    job.upload(files);
    FakePulsarJob.Run run = job.run(commandLine);

    assertThat(commandLine).doesNotContain(secret);
    assertThat(job.calls()).isEmpty();
    List<String> lines = new ArrayList<>(List.of(workdir, value));
    lines.addAll(hostile);
    lines.add("staged input");
    assertThat(job.metadataText("tes_exec_0.stdout")).contains(String.join("\n", lines) + "\n");
    assertThat(Path.of(job.layout.outputsDirectory(), "out", "result.txt")).hasContent("written\n");
    assertThat(job.metadataText("tes_exec_1.stdout")).contains("/\nhidden\n");
    // env runs the program, and a program that is not found is 127, as in a container
    assertThat(job.metadataText("tes_exec_2.rc")).contains("127\n");
    assertThat(run.returnCode()).isEqualTo(127);
    assertThat(job.metadata("tes_env_0.list")).doesNotExist();
    assertThat(job.markers()).isEmpty();
  }

  @Test
  void noneStopsAnExecutorWhoseEnvironmentCannotBeSet() throws Exception {
    io.tes4j.backend.pulsar.FakeDocker.assumeUsable(); // runtime=none needs a working bubblewrap
    Task task = Task.builder()
        .addExecutor(Executor.builder().image("ignored").command("touch", marker.toString())
            .env("SHELLOPTS", "x").env("OK", "y").build())
        .build();

    job.upload(JobScript.environmentFiles(task, PulsarRuntime.NONE));
    FakePulsarJob.Run run = job.run(JobScript.commandLine(task, job.layout, PulsarRuntime.NONE));

    assertThat(run.returnCode()).isEqualTo(1);
    assertThat(job.metadataText("tes_exec_0.stderr").orElseThrow()).contains("SHELLOPTS");
    assertThat(marker).doesNotExist();
  }

  // -------------------------------------------------------------------------------------------
  // bash -n, cancel

  @ParameterizedTest
  @EnumSource(PulsarRuntime.class)
  void everyCommandLineIsValidBashAsPulsarEmbedsIt(PulsarRuntime runtime) throws Exception {
    Task task = Task.builder()
        .addInput(Input.ofContent("x", "/in/it's $(x).txt"))
        .addOutput(Output.builder().path("/out/`x`/*.txt").pathPrefix("/out/`x`/").url("s3://b/").build())
        .addOutput(Output.of("/top.txt", "s3://b/top.txt"))
        .volumes("/vol\nline")
        .addExecutor(Executor.builder().image("alpine:3.20").command(hostile)
            .workdir("/w\"d").stdin("/in/it's $(x).txt").stdout("/out/`x`/a.txt").stderr("/e/f")
            .env("A", "b").ignoreError(true).build())
        .addExecutor(Executor.of("alpine:3.20", "true"))
        .build();
    String text = JobScript.commandLine(task, job.layout, runtime) + "; return_code=$?; echo $return_code";

    Process process = new ProcessBuilder("/bin/bash", "-n", "-c", text).redirectErrorStream(true).start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEmpty();
    assertThat(process.exitValue()).isZero();
    assertThat(text).startsWith("(\n").contains("\n)");
  }

  @Test
  void containerNamesAreThoseOfTheRunAndTheRemoveCommandPassesThemAsNames() throws Exception {
    Task task = Task.builder()
        .addExecutor(Executor.of("alpine:3.20", "true"))
        .addExecutor(Executor.of("alpine:3.20", "true"))
        .build();

    List<String> names = JobScript.containerNames(job.layout, task);
    job.run(JobScript.commandLine(task, job.layout, PulsarRuntime.DOCKER));
    List<FakePulsarJob.Call> runs = job.calls();
    FakePulsarJob.Run remove = job.run(JobScript.removeContainersCommand(names));

    assertThat(names).containsExactly("tes4j-job-1-0", "tes4j-job-1-1");
    assertThat(runs).extracting(call -> call.argv().get(4)).containsExactly(
        "--name=tes4j-job-1-0", "--name=tes4j-job-1-1");
    assertThat(job.calls().get(2).argv()).containsExactly(
        "docker", "rm", "-f", "--", "tes4j-job-1-0", "tes4j-job-1-1");
    assertThat(remove.returnCode()).isZero();
    assertThat(JobScript.removeContainersCommand(List.of("tes4j-a.b_c-0")))
        .isEqualTo("'docker' 'rm' '-f' '--' 'tes4j-a.b_c-0'");
  }

  @Test
  void aJobIdOrNameDockerWouldNotTakeIsRefused() {
    Task task = Task.builder().addExecutor(Executor.of("alpine:3.20", "true")).build();
    JobLayout layout = new JobLayout("a b;$(x)", "/j", "/j/inputs", "/j/outputs", "/j/metadata", "/j/working");

    assertThatThrownBy(() -> JobScript.containerNames(layout, task)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JobScript.commandLine(task, layout, PulsarRuntime.DOCKER))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(JobScript.commandLine(task, layout, PulsarRuntime.APPTAINER)).doesNotContain("tes4j-");
    assertThatThrownBy(() -> JobScript.removeContainersCommand(List.of("-f")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JobScript.removeContainersCommand(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aLayoutThatCannotBeMountedIsRefused() {
    Task task = Task.builder().addExecutor(Executor.of("alpine:3.20", "true")).build();
    JobLayout colon = new JobLayout("j", "/s/j:1", "/s/j:1/inputs", "/s/j:1/outputs", "/s/j:1/metadata",
        "/s/j:1/working");
    JobLayout comma = new JobLayout("j", "/s/j,1", "/s/j,1/inputs", "/s/j,1/outputs", "/s/j,1/metadata",
        "/s/j,1/working");
    JobLayout relative = new JobLayout("j", "s/j", "s/j/inputs", "s/j/outputs", "s/j/metadata", "s/j/working");

    assertThatThrownBy(() -> JobScript.commandLine(task, colon, PulsarRuntime.DOCKER))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/s/j:1/inputs");
    assertThatThrownBy(() -> JobScript.commandLine(task, comma, PulsarRuntime.APPTAINER))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(JobScript.commandLine(task, comma, PulsarRuntime.DOCKER)).contains("/s/j,1/metadata");
    assertThat(JobScript.commandLine(task, colon, PulsarRuntime.NONE)).contains("/s/j:1/metadata");
    assertThatThrownBy(() -> JobScript.commandLine(task, relative, PulsarRuntime.NONE))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // -------------------------------------------------------------------------------------------
  // check

  @Test
  void dockerNeedsAnImageReference() {
    Task task = Task.builder()
        .addExecutor(Executor.of("Alpine:3.20", "true"))
        .addExecutor(Executor.of("docker://alpine:3.20", "true"))
        .addExecutor(Executor.of("/images/tool.sif", "true"))
        .addExecutor(Executor.of("alpine; touch x", "true"))
        .addExecutor(Executor.of("--privileged", "true"))
        .addExecutor(Executor.of("registry.example.org:5000/team/tool:1.2@sha256:"
            + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "true"))
        .build();

    List<Violation> violations = JobScript.check(task, PulsarRuntime.DOCKER);

    assertThat(violations).extracting(Violation::path).containsExactly(
        "executors[0].image", "executors[1].image", "executors[2].image", "executors[3].image",
        "executors[4].image");
    assertThat(violations.get(1).message()).contains("scheme");
    assertThat(violations.get(2).message()).contains("local image");
    assertThat(violations).allSatisfy(v -> assertThat(v.message()).contains("[registry[:port]/]name[:tag]"));
  }

  @Test
  void apptainerTakesRegistryImagesButNoLocalPath() {
    Task task = Task.builder()
        .addExecutor(Executor.of("alpine:3.20", "true"))
        .addExecutor(Executor.of("docker://alpine:3.20", "true"))
        .addExecutor(Executor.of("library://sylabs/default/alpine:3.20", "true"))
        .addExecutor(Executor.of("/images/tool.sif", "true"))
        .addExecutor(Executor.of("tool.sif", "true"))
        .addExecutor(Executor.of("https://example.org/tool.sif", "true"))
        .addExecutor(Executor.of("instance://running", "true"))
        .addExecutor(Executor.of("docker://-x", "true"))
        .build();

    for (PulsarRuntime runtime : List.of(PulsarRuntime.APPTAINER, PulsarRuntime.SINGULARITY)) {
      List<Violation> violations = JobScript.check(task, runtime);
      assertThat(violations).extracting(Violation::path).containsExactly(
          "executors[3].image", "executors[4].image", "executors[5].image", "executors[6].image",
          "executors[7].image");
      assertThat(violations.get(0).message()).contains("local image");
    }
  }

  @Test
  void noneRefusesNoImageAndNoColonButTheMountsBubblewrapCannotMake() {
    Task task = Task.builder()
        .addInput(Input.builder().url("file:///x").path("/data").type(FileType.DIRECTORY).build())
        .addOutput(Output.of("/data/out.txt", "s3://b/o"))
        .addOutput(Output.builder().path("/").type(FileType.DIRECTORY).url("s3://b/all/").build())
        .volumes("/a:b,c")
        .addExecutor(Executor.of("/images/tool.sif", "true"))
        .addExecutor(Executor.builder().command("true").build())
        .build();

    assertThat(JobScript.check(task, PulsarRuntime.NONE)).extracting(Violation::path).containsExactly(
        "outputs[1].path", "outputs[0].path");
    assertThat(JobScript.check(task, PulsarRuntime.DOCKER)).extracting(Violation::path).containsExactly(
        "outputs[1].path", "outputs[0].path", "volumes[0]", "executors[0].image", "executors[1].image");
  }

  @Test
  void environmentNamesAndValuesAreCheckedWithoutShowingAValue() {
    String secret = "s3cr3t-" + UUID.randomUUID();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("1X", "v");
    env.put("A-B", "v");
    env.put("MULTI", secret + "\nline");
    env.put("CR", secret + "\r");
    env.put("NUL", secret + "\0");
    env.put("LARGE", secret + "x".repeat(70_000));
    env.put("HUGE", secret + "x".repeat(140_000));
    env.put("FINE", secret + " '$(x)' `y` ; *");
    Task task = Task.builder()
        .addExecutor(Executor.builder().image("alpine:3.20").command("true").env(env).build())
        .build();

    List<Violation> docker = JobScript.check(task, PulsarRuntime.DOCKER);
    List<Violation> apptainer = JobScript.check(task, PulsarRuntime.APPTAINER);
    List<Violation> none = JobScript.check(task, PulsarRuntime.NONE);

    assertThat(docker).extracting(Violation::path).containsExactly(
        "executors[0].env[\"1X\"]", "executors[0].env[\"A-B\"]", "executors[0].env.MULTI", "executors[0].env.CR",
        "executors[0].env.NUL", "executors[0].env.LARGE", "executors[0].env.HUGE");
    assertThat(docker.get(2).message()).contains("line break");
    assertThat(docker.get(5).message()).contains("65535");
    assertThat(apptainer).extracting(Violation::path).containsExactly(
        "executors[0].env[\"1X\"]", "executors[0].env[\"A-B\"]", "executors[0].env.NUL", "executors[0].env.HUGE");
    assertThat(none).isEqualTo(apptainer);
    for (List<Violation> violations : List.of(docker, apptainer, none)) {
      assertThat(violations).allSatisfy(v -> assertThat(v.toString()).doesNotContain(secret));
    }
    assertThatThrownBy(() -> JobScript.commandLine(task, job.layout, PulsarRuntime.DOCKER))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("executors[0].env.MULTI")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret));
    assertThatThrownBy(() -> JobScript.environmentFiles(task, PulsarRuntime.DOCKER))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void pathsMustBeAbsoluteWithoutDotDotAndValuesWithoutNul() {
    Task task = Task.builder()
        .addInput(Input.ofContent("x", "in/x.txt"))
        .addOutput(Output.of("/out/../etc/x", "s3://b/x"))
        .volumes("/v\0")
        .addExecutor(Executor.builder().image("alpine:3.20").command("echo", "a\0b").workdir("w")
            .stdout("/o/../x").stderr("/o/__PULSAR_JOBS_DIRECTORY__/e").build())
        .addExecutor(Executor.builder().image("alpine:3.20").command("", "x").build())
        .addExecutor(Executor.builder().image("alpine:3.20").build())
        .build();

    assertThat(JobScript.check(task, PulsarRuntime.DOCKER)).extracting(Violation::path).containsExactly(
        "inputs[0].path", "outputs[0].path", "volumes[0]", "executors[0].command[1]", "executors[0].workdir",
        "executors[0].stdout", "executors[0].stderr", "executors[1].command[0]", "executors[2].command");
    assertThat(JobScript.check(Task.builder().build(), PulsarRuntime.NONE)).extracting(Violation::path)
        .containsExactly("executors");
  }

  @Test
  void stdinMustBeAnInputOrBelowAWritableDirectory() {
    Task task = Task.builder()
        .addInput(Input.ofContent("x", "/in/x.txt"))
        .addInput(Input.builder().url("s3://b/d/").path("/ref").type(FileType.DIRECTORY).build())
        .addOutput(Output.of("/out/result.txt", "s3://b/r"))
        .volumes("/shared")
        .addExecutor(Executor.builder().image("alpine:3.20").command("cat").stdin("/in/x.txt").build())
        .addExecutor(Executor.builder().image("alpine:3.20").command("cat").stdin("/ref/sub/y").build())
        .addExecutor(Executor.builder().image("alpine:3.20").command("cat").stdin("/out/other.txt").build())
        .addExecutor(Executor.builder().image("alpine:3.20").command("cat").stdin("/shared/s").build())
        .addExecutor(Executor.builder().image("alpine:3.20").command("cat").stdin("/etc/passwd").build())
        .addExecutor(Executor.builder().image("alpine:3.20").command("cat").stdin("/in/y.txt").build())
        .build();

    for (PulsarRuntime runtime : PulsarRuntime.values()) {
      List<Violation> violations = JobScript.check(task, runtime);
      assertThat(violations).extracting(Violation::path).containsExactly("executors[4].stdin", "executors[5].stdin");
      assertThat(violations.get(0).message()).contains("'/etc/passwd'").contains("input");
    }
  }

  @Test
  void mountsContainersCannotMakeAreRefused() {
    Task task = Task.builder()
        .addInput(Input.builder().url("s3://b/d/").path("/data").type(FileType.DIRECTORY).build())
        .addInput(Input.ofContent("x", "/"))
        .addOutput(Output.of("/data/result.txt", "s3://b/r"))
        .addOutput(Output.builder().path("/*.txt").pathPrefix("/").url("s3://b/").build())
        .addOutput(Output.of("/a,b/c.txt", "s3://b/c"))
        .addOutput(Output.of("/ok/c:d.txt", "s3://b/cd"))
        .volumes("/x:y")
        .addExecutor(Executor.of("alpine:3.20", "true"))
        .build();

    assertThat(JobScript.check(task, PulsarRuntime.DOCKER)).extracting(Violation::path).containsExactly(
        "inputs[1].path", "outputs[1].path", "outputs[0].path", "volumes[0]");
    assertThat(JobScript.check(task, PulsarRuntime.APPTAINER)).extracting(Violation::path).containsExactly(
        "inputs[1].path", "outputs[1].path", "outputs[0].path", "outputs[2].path", "volumes[0]");
  }

  @Test
  void aQuoteInAWordIsClosedEscapedAndReopened() throws Exception {
    assertThat(ShellQuote.quote("it's")).isEqualTo("'it'\\''s'");
    assertThat(ShellQuote.join(List.of("a b", "", "-x"))).isEqualTo("'a b' '' '-x'");
    assertThatThrownBy(() -> ShellQuote.quote("a\0b")).isInstanceOf(IllegalArgumentException.class);
    // bash reads every quoted word back unchanged
    List<String> words = new ArrayList<>(hostile);
    words.add("\u00e9\u4e2d\ud83d\ude00");
    // in a UTF-8 file, not an argument: the JVM's argv encoding follows the locale
    Path script = Files.writeString(tmp.resolve("words.sh"), "printf '%s\\0' " + ShellQuote.join(words) + "\n");
    Process process = new ProcessBuilder("/bin/bash", script.toString()).directory(new File(tmp.toString())).start();
    String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(printed).isEqualTo(String.join("\0", words) + "\0");
    assertThat(job.markers()).isEmpty();
  }
}
