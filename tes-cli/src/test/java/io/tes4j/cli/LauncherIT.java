package io.tes4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./tes4j} launcher script at the root of the repository, run over the jar this module
 * built, as a user runs it: the class data sharing archive its second run of a command writes (and
 * the later runs map), and that the archive changes nothing else: output, exit codes, standard
 * input, signals.
 *
 * <p>Each test runs a copy of the script in its own directory laid out as the repository is
 * ({@code tes4j}, {@code tes-cli/target/tes4j.jar}), so that the archives it writes are its own.
 */
class LauncherIT {
  private static final Path SCRIPT = Path.of("..", "tes4j").toAbsolutePath().normalize();
  private static final Path JAR = Path.of("target", "tes4j.jar").toAbsolutePath();
  private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

  @TempDir Path root;
  private Path launcher;
  private Path jar;
  private Path cds;
  private HttpServer server;

  @BeforeEach
  void layOutARepository() throws IOException {
    launcher = root.resolve("tes4j");
    Files.copy(SCRIPT, launcher);
    assertThat(launcher.toFile().setExecutable(true)).isTrue();
    jar = root.resolve("tes-cli/target/tes4j.jar");
    Files.createDirectories(jar.getParent());
    Files.copy(JAR, jar);
    cds = jar.getParent().resolve("cds").resolve(JAVA.toString().replaceAll("[^A-Za-z0-9._-]", "_"));
  }

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void theSecondRunOfACommandWritesItsArchiveAndTheNextMapIt() throws Exception {
    Path task = task("{\"executors\":[{\"image\":\"alpine\",\"command\":[\"true\"]}]}");

    Run first = run(Map.of(), null, "validate", task.toString());
    assertThat(first.exit()).isZero();
    assertThat(archives()).as("a command run once pays nothing").isEmpty();

    Run second = run(Map.of(), null, "validate", task.toString());
    assertThat(second.exit()).isZero();
    assertThat(second.out()).isEqualTo(first.out());
    assertThat(second.err()).isEqualTo(first.err());
    Path archive = cds.resolve("validate.jsa");
    assertThat(archive).isNotEmptyFile();
    assertThat(leftovers()).isEmpty();
    FileTime written = Files.getLastModifiedTime(archive);

    Path classLog = root.resolve("classes.log");
    Run third = run(Map.of("TES4J_JAVA_OPTS", "-Xlog:class+load=info:file=" + classLog), null, "validate", task.toString());
    assertThat(third.exit()).isZero();
    assertThat(third.out()).isEqualTo(first.out());
    assertThat(third.err()).isEqualTo(first.err());
    assertThat(Files.getLastModifiedTime(archive)).isEqualTo(written);
    // tes4j's own classes came from the archive, not from the jar.
    assertThat(Files.readAllLines(classLog))
        .anyMatch(line -> line.contains("io.tes4j.cli.Main source: shared objects file (top)"))
        .noneMatch(line -> line.contains("io.tes4j.cli.Main source: file:"));
  }

  @Test
  void theArchiveChangesNeitherTheOutputNorTheExitCodeOfAFailure() throws Exception {
    Path missing = root.resolve("missing.json");
    Run plain = run(Map.of("TES4J_CDS", "off"), null, "validate", missing.toString());
    Run marking = run(Map.of(), null, "validate", missing.toString());
    Run writing = run(Map.of(), null, "validate", missing.toString());
    Run mapping = run(Map.of(), null, "validate", missing.toString());

    assertThat(plain.exit()).isEqualTo(1);
    assertThat(plain.err()).contains("missing.json: cannot read");
    for (Run run : List.of(marking, writing, mapping)) {
      assertThat(run.exit()).isEqualTo(1);
      assertThat(run.out()).isEqualTo(plain.out());
      assertThat(run.err()).isEqualTo(plain.err()); // no CDS warning either
    }
    assertThat(cds.resolve("validate.jsa")).isNotEmptyFile();
  }

  @Test
  void theRunThatWritesTheArchiveStillReadsStandardInput() throws Exception {
    run(Map.of(), "{}", "validate", "-");
    Run run = run(Map.of(), "{\"executors\":[]}", "validate", "-");

    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).contains("<stdin>: executors: must contain at least one executor");
    assertThat(cds.resolve("validate.jsa")).isNotEmptyFile();
  }

  @Test
  void offOrTheUsersOwnSharingOptionsWriteNoArchive() throws Exception {
    Path task = task("{\"executors\":[{\"image\":\"alpine\",\"command\":[\"true\"]}]}");

    for (int i = 0; i < 2; i++) {
      assertThat(run(Map.of("TES4J_CDS", "off"), null, "validate", task.toString()).exit()).isZero();
      // -Xshare:off with an archive being written would stop the JVM: the script must not try.
      assertThat(run(Map.of("TES4J_JAVA_OPTS", "-Xshare:off"), null, "validate", task.toString()).exit()).isZero();
    }

    assertThat(archives()).isEmpty();
  }

  @Test
  void helpServeAndUnknownCommandsWriteNoArchive() throws Exception {
    for (int i = 0; i < 2; i++) {
      assertThat(run(Map.of(), null, "--version").exit()).isZero();
      assertThat(run(Map.of(), null, "serve", "--help").exit()).isZero();
    }
    run(Map.of(), null, "valdate", "x.json");
    Run typo = run(Map.of(), null, "valdate", "x.json");

    assertThat(typo.exit()).isEqualTo(2);
    assertThat(typo.err()).contains("Unmatched argument");
    assertThat(archives()).isEmpty();
  }

  @Test
  void anArchiveOlderThanTheJarIsWrittenAgain() throws Exception {
    Path task = task("{\"executors\":[{\"image\":\"alpine\",\"command\":[\"true\"]}]}");
    assertThat(run(Map.of(), null, "validate", task.toString()).exit()).isZero();
    assertThat(run(Map.of(), null, "validate", task.toString()).exit()).isZero();
    Path archive = cds.resolve("validate.jsa");
    assertThat(archive).isNotEmptyFile();
    FileTime stale = FileTime.from(Instant.now().minusSeconds(3600));
    Files.setLastModifiedTime(archive, stale);
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(60)));

    assertThat(run(Map.of(), null, "validate", task.toString()).exit()).isZero();

    assertThat(Files.getLastModifiedTime(archive)).isGreaterThan(Files.getLastModifiedTime(jar));
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void cpKeepsOneArchivePerSetOfUrlSchemes() throws Exception {
    Path source = task("some bytes");
    Path target = root.resolve("copy.txt");

    for (int i = 0; i < 2; i++) {
      assertThat(run(Map.of(), null, "cp", source.toString(), target.toString()).exit()).isZero();
      assertThat(run(Map.of(), null, "cp", source.toString(), target.toUri().toString()).exit()).isZero();
    }

    assertThat(target).hasContent("some bytes");
    assertThat(archives()).containsExactlyInAnyOrder("cp.jsa", "cp-file.jsa");
  }

  @Test
  void twoRunsWritingTheArchiveAtOnceBothSucceedAndLeaveOneWholeArchive() throws Exception {
    Path task = task("{\"executors\":[{\"image\":\"alpine\",\"command\":[\"true\"]}]}");
    assertThat(run(Map.of(), null, "validate", task.toString()).exit()).isZero();

    CompletableFuture<Run> one = CompletableFuture.supplyAsync(() -> runUnchecked("validate", task.toString()));
    CompletableFuture<Run> two = CompletableFuture.supplyAsync(() -> runUnchecked("validate", task.toString()));

    assertThat(one.get(2, TimeUnit.MINUTES).exit()).isZero();
    assertThat(two.get(2, TimeUnit.MINUTES).exit()).isZero();
    assertThat(archives()).containsExactly("validate.jsa");
    assertThat(leftovers()).isEmpty();
    // The archive left is whole: the JVM maps it with -Xshare:on, which fails on a bad archive.
    Process check =
        new ProcessBuilder(JAVA.toString(), "-Xshare:on", "-XX:SharedArchiveFile=" + cds.resolve("validate.jsa"),
                "-cp", jar.toString(), "-version")
            .redirectErrorStream(true)
            .start();
    String said = read(check.getInputStream());
    assertThat(check.waitFor()).as(said).isZero();
  }

  @Test
  void termStopsTheRunThatWritesTheArchiveAndLeavesNoArchive() throws Exception {
    // A server on which the task never ends, so that `wait` runs until it is stopped.
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      byte[] body = "{\"id\":\"t1\",\"state\":\"RUNNING\"}".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/ga4gh/tes/v1";
    Run first = run(Map.of(), null, "wait", "t1", "--server", url, "--timeout", "1s");
    // It timed out, printing the state the task was in; this run only left the mark.
    assertThat(first.exit()).isEqualTo(1);
    assertThat(first.out()).contains("RUNNING");
    assertThat(archives()).isEmpty();
    Process process = start(Map.of(), "wait", "t1", "--server", url);
    try {
      // Wait until the JVM runs: the launcher has a child, and the server was asked.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (process.descendants().findAny().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      Thread.sleep(1500);
      List<ProcessHandle> jvms = process.descendants().toList();
      assertThat(jvms).isNotEmpty();

      process.destroy(); // SIGTERM to the script only, as a supervisor sends it

      assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the launcher stopped").isTrue();
      assertThat(process.exitValue()).isEqualTo(143);
      for (ProcessHandle jvm : jvms) {
        assertThat(jvm.onExit().get(30, TimeUnit.SECONDS).isAlive()).isFalse();
      }
      assertThat(archives()).isEmpty();
      assertThat(leftovers()).isEmpty();
    } finally {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  // ---------------------------------------------------------------------------------------------

  private record Run(int exit, String out, String err) {}

  private Path task(String json) throws IOException {
    return Files.writeString(Files.createTempFile(root, "task", ".json"), json);
  }

  private List<String> archives() throws IOException {
    return files().stream().filter(name -> name.endsWith(".jsa")).toList();
  }

  /** Temporary archives of runs that ended. */
  private List<String> leftovers() throws IOException {
    return files().stream().filter(name -> name.endsWith(".tmp")).toList();
  }

  private List<String> files() throws IOException {
    if (!Files.isDirectory(cds)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(cds)) {
      return files.map(path -> path.getFileName().toString()).toList();
    }
  }

  private Run runUnchecked(String... args) {
    try {
      return run(Map.of(), null, args);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private Run run(Map<String, String> env, String stdin, String... args) throws Exception {
    Process process = start(env, args);
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
    try (var in = process.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("tes4j %s ended", String.join(" ", args)).isTrue();
    return new Run(process.exitValue(), out.get(), err.get());
  }

  private Process start(Map<String, String> env, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(launcher.toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile());
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.environment().remove("TES4J_JAVA_OPTS");
    builder.environment().remove("TES4J_CDS");
    builder.environment().remove("TES_SERVER");
    builder.environment().putAll(env);
    return builder.start();
  }

  private static String read(InputStream stream) {
    try (stream) {
      return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
