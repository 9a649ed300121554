package io.tes4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tes4j run}: in-process runs on the mock and local backends. */
class RunCommandTest {
  @TempDir Path dir;

  private Path task(String json) throws IOException {
    Path file = dir.resolve("task.json");
    Files.writeString(file, json);
    return file;
  }

  private static String hostTask(String script, Path out) {
    return """
        {"name": "t",
         "inputs": [{"path": "/in/greeting.txt", "content": "hello run"}],
         "outputs": [{"path": "/out/result.txt", "url": "%s", "type": "FILE"}],
         "executors": [{"image": "alpine:3.20", "command": ["sh", "-c", "%s"]}]}
        """.formatted(out.toUri(), script);
  }

  @Test
  void optionsMayComeFromAnArgumentFileSoThatSecretsStayOffTheCommandLine() throws IOException {
    // A backend URI may hold a password or a token, which ps shows to every local user when it
    // is an argument; @FILE (one argument a line) keeps it in a file only its owner reads.
    Path file = task("{\"executors\": [{\"image\": \"alpine\", \"command\": [\"true\"]}]}");
    Path arguments = file.resolveSibling("backend.args");
    java.nio.file.Files.writeString(arguments, "--backend\nmock:?delay=0ms\n");

    CliResult r = CliResult.run(Map.of(), "run", file.toString(), "@" + arguments);

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.err()).contains("COMPLETE");
  }

  @Test
  void aCompleteTaskExitsZeroAfterPrintingEveryStateInOrder() throws IOException {
    Path file = task("{\"executors\": [{\"image\": \"alpine\", \"command\": [\"true\"]}]}");

    CliResult r = CliResult.run(Map.of(), "run", file.toString(), "--backend", "mock:?delay=0ms");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.err().lines().map(line -> line.replaceAll("task \\S+: ", "")))
        .containsExactly("QUEUED", "INITIALIZING", "RUNNING", "COMPLETE");
  }

  @Test
  void onTheHostTheExecutorsOutputGoesToStdoutAndTheOutputIsUploaded() throws IOException {
    Path out = dir.resolve("result.txt");
    Path file = task(hostTask("mkdir -p /out && tr a-z A-Z < /in/greeting.txt | tee /out/result.txt", out));

    CliResult r = CliResult.run(Map.of(), "run", file.toString(), "--backend", "local:?runtime=host");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("HELLO RUN");
    assertThat(out).hasContent("HELLO RUN");
    assertThat(r.err()).contains(": COMPLETE");
  }

  @Test
  void aFailingExecutorExitsOneAndSaysWhichExecutorAndItsStderr() throws IOException {
    Path file = task(hostTask("echo broken >&2; exit 3", dir.resolve("never.txt")));

    CliResult r = CliResult.run(Map.of(), "run", file.toString(), "--backend", "local:?runtime=host");

    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(r.err())
        .contains(": EXECUTOR_ERROR")
        .contains("--- executor 0 stderr ---\nbroken")
        .contains("ended EXECUTOR_ERROR (executor 0 exited with code 3)");
  }

  @Test
  void anInvalidTaskIsNotRunAndEachProblemIsListed() throws IOException {
    Path file = task("{\"executors\": [{\"image\": \"\", \"command\": []}]}");

    CliResult r = CliResult.run(Map.of(), "run", file.toString(), "--backend", "mock:");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("executors[0].image").contains("executors[0].command").doesNotContain("QUEUED");
  }

  @Test
  void aBackendWithNoProviderIsAUsageErrorListingTheSchemes() throws IOException {
    Path file = task("{\"executors\": [{\"image\": \"alpine\", \"command\": [\"true\"]}]}");

    CliResult r = CliResult.run(Map.of(), "run", file.toString(), "--backend", "k9s://ns");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--backend k9s://ns").contains("local").contains("mock");
  }

  @Test
  void anUnknownBackendParameterIsAUsageErrorNamingIt() throws IOException {
    Path file = task("{\"executors\": [{\"image\": \"alpine\", \"command\": [\"true\"]}]}");

    CliResult r = CliResult.run(Map.of(), "run", file.toString(), "--backend", "local:?runtme=host");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("unknown parameter runtme").contains("runtime");
  }

  @Test
  void aWrongBackendUriIsShownWithoutItsQueryWhichMayHoldAPassword() throws IOException {
    Path file = task("{\"executors\": [{\"image\": \"alpine\", \"command\": [\"true\"]}]}");

    CliResult r = CliResult.run(Map.of(), "run", file.toString(), "--backend",
        "mock:?store=memory&store.password=s3cret-pw");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--backend mock:?...: ").contains("store.password is set, but store is memory")
        .doesNotContain("s3cret-pw");
  }

  @Test
  void aSignalCancelsTheTaskWhichEndsCanceledAndTheCommandExitsOne() throws Exception {
    Path file = task("""
        {"executors": [{"image": "alpine", "command": ["sh", "-c", "sleep 60 & sleep 60; wait"]}]}
        """);
    Path err = dir.resolve("err.txt");
    // A child JVM, since the cancel runs in a shutdown hook: SIGTERM (Process.destroy) and Ctrl-C's
    // SIGINT both run it.
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "io.tes4j.cli.Main",
                "run",
                file.toString(),
                "--backend",
                "local:?runtime=host")
            .redirectError(err.toFile())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
      while (!Files.readString(err).contains(": RUNNING") && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      process.destroy();
      assertThat(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    } finally {
      process.destroyForcibly();
    }

    assertThat(process.exitValue()).isEqualTo(1);
    assertThat(Files.readString(err))
        .contains("interrupted: cancelling task")
        .contains(": CANCELING")
        .contains(": CANCELED");
  }

  @Test
  void theExampleTaskRunsOnTheHost() throws IOException {
    Path example = Path.of("..", "examples", "tasks", "hello.json");
    Path out = dir.resolve("hello-result.txt");
    String json = Files.readString(example).replace("file:///tmp/tes4j-hello/result.txt", out.toUri().toString());

    CliResult r = CliResult.run(Map.of(), "run", task(json).toString(), "--backend", "local:?runtime=host");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).contains("hello from tes4j", "words in the greeting: 3", "lines in /etc/hosts: ");
    assertThat(out).content().isEqualTo(r.out());
  }
}
