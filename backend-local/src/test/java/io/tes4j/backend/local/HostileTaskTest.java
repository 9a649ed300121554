package io.tes4j.backend.local;

import static io.tes4j.backend.local.HostRuntimeTest.quickTransfers;
import static io.tes4j.backend.local.HostRuntimeTest.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tes4j.api.BackendException;
import io.tes4j.api.InvalidTaskException;
import io.tes4j.engine.TesEngine;
import io.tes4j.model.Executor;
import io.tes4j.model.Input;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.Violation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tasks written to turn their fields against the machine, through fake docker, podman, apptainer
 * and singularity programs that record their argv and their own environment ({@link
 * FakeRuntimes}): no value becomes an option, no environment value reaches a command line or the
 * runtime client's own environment, and what a runtime could be tricked with is refused when the
 * task is created.
 */
class HostileTaskTest {
  /** An option as the launchers write them: {@code --name=value}, or a flag alone. */
  private static final Pattern OPTION = Pattern.compile("--[a-z][a-z-]*(=.*)?|-i", Pattern.DOTALL);

  @TempDir Path tmp;

  private LocalBackend backend(FakeRuntimes fakes, LocalRuntime runtime) {
    return LocalBackend.builder()
        .environment(fakes.environment())
        .workRoot(tmp.resolve("work"))
        .transferSettings(quickTransfers())
        .runtime(runtime)
        .build();
  }

  private static RecordingEvents run(LocalBackend backend, Task task) {
    RecordingEvents events = new RecordingEvents();
    backend.start(task, events);
    events.awaitFinished();
    return events;
  }

  /** Values an attacker would choose, each unique so that it can be looked for anywhere. */
  private static Map<String, String> hostileEnvironment(String secret, boolean lineBreaks) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("LD_PRELOAD", "/in/evil.so");
    env.put("DOCKER_HOST", "tcp://attacker.invalid:2375");
    env.put("DOCKER_CONFIG", "/in");
    env.put("CONTAINERS_CONF", "/in/containers.conf");
    env.put("HTTPS_PROXY", "http://attacker.invalid:3128");
    env.put("APPTAINER_BIND", "/:/host");
    env.put("SECRET", secret);
    env.put("DASH", "-e " + secret + "-dash");
    env.put("SUBST", "$(id) `id` ${HOME} " + secret + "-subst");
    env.put("QUOTES", "a'b\"c\\d =x= #not-a-comment " + secret + "-quotes");
    env.put("EMPTY", "");
    if (lineBreaks) {
      env.put("LINES", "first\nsecond\r\nthird " + secret + "-lines");
    }
    return env;
  }

  /**
   * Every argument before {@code --} is an option of the launcher's own form, {@code --} comes
   * right before the image, and after the image come only the command's arguments.
   */
  private static void assertNoValueIsAnOption(List<String> argv, String image, List<String> after) {
    int end = argv.indexOf("--");
    assertThat(end).as("-- ends the options of %s", argv).isPositive();
    for (String option : argv.subList(2, end)) {
      assertThat(option).as("an option of %s", argv).matches(OPTION);
    }
    assertThat(argv.get(end + 1)).isEqualTo(image);
    assertThat(argv.subList(end + 2, argv.size())).isEqualTo(after);
  }

  /** The calls that ran a container ({@code run}, {@code exec}), without podman's version query. */
  private static List<List<String>> runCalls(FakeRuntimes fakes) throws IOException {
    return fakes.calls().stream().filter(c -> c.get(1).equals("run") || c.get(1).equals("exec")).toList();
  }

  private static void assertNowhereIn(List<List<String>> calls, String secret) {
    for (List<String> argv : calls) {
      for (String argument : argv) {
        assertThat(argument).as("an argument of %s", argv).doesNotContain(secret);
      }
    }
  }

  private static String envOutput(RecordingEvents events, int executor) {
    return events.executor(executor).stdout();
  }

  /** {@code NAME=value} for each, as {@code env -0 | tr '\0' '\n'} would not separate them: NUL-separated. */
  private static Map<String, String> parseEnv0(String text) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String entry : text.split("\0")) {
      if (!entry.isEmpty()) {
        int equals = entry.indexOf('=');
        env.put(entry.substring(0, equals), entry.substring(equals + 1));
      }
    }
    return env;
  }

  @ParameterizedTest
  @ValueSource(strings = {"docker", "podman"})
  void dockerAndPodmanGetNoValueAsAnOptionAndNoEnvironmentValueOnTheCommandLineNorInTheirOwnEnvironment(String name)
      throws IOException {
    LocalRuntime runtime = LocalRuntime.fromParameter(name).orElseThrow();
    FakeRuntimes fakes = new FakeRuntimes(tmp.resolve("fake"), name);
    String secret = "s3cr3t-" + UUID.randomUUID();
    Map<String, String> env = hostileEnvironment(secret, false);
    Task task = task()
        .addInput(Input.ofContent("not a library", "/in/evil.so"))
        .addInput(Input.ofContent("x", "/--volume=x/in.txt"))
        .volumes("/--privileged", "/-v")
        .addExecutor(Executor.builder().image("alpine:3.20").command("env", "-0").env(env)
            .workdir("/--privileged").build())
        .addExecutor(Executor.builder().image("registry.example.org:5000/team/tool:1.2")
            .command("--privileged", "--volume=/:/host", "-v", "/:/host").ignoreError(true).build())
        .build();

    try (LocalBackend backend = backend(fakes, runtime)) {
      assertThat(backend.check(task)).isEmpty();
      RecordingEvents events = run(backend, task);

      assertThat(events.awaitFinished()).as("%s", events.systemLogs()).isEqualTo(State.COMPLETE);
      List<List<String>> calls = runCalls(fakes);
      assertThat(calls).hasSize(2);
      assertNoValueIsAnOption(calls.get(0), "alpine:3.20", List.of("-0"));
      assertNoValueIsAnOption(calls.get(1), "registry.example.org:5000/team/tool:1.2",
          List.of("--volume=/:/host", "-v", "/:/host"));
      assertThat(calls.get(0)).contains("--workdir=/--privileged");
      assertThat(calls.get(1)).contains(
          runtime == LocalRuntime.PODMAN ? "--entrypoint=[\"--privileged\"]" : "--entrypoint=--privileged");
      assertThat(calls.get(0)).anySatisfy(a -> assertThat(a).startsWith("--volume=").endsWith(":/--privileged"));
      assertThat(calls.get(0)).anySatisfy(a -> assertThat(a).startsWith("--volume=").endsWith(":/-v"));
      assertThat(calls.get(0)).anySatisfy(a -> assertThat(a).startsWith("--volume=").endsWith(":/--volume=x/in.txt:ro"));
      assertNowhereIn(calls, secret);

      // the client (which holds the daemon's socket) got none of the task's variables
      for (Map<String, String> clientEnvironment : fakes.environments()) {
        assertThat(clientEnvironment).doesNotContainKeys(env.keySet().toArray(String[]::new));
        assertThat(clientEnvironment.values()).allSatisfy(v -> assertThat(v).doesNotContain(secret));
      }
      // the container got every value as it was written
      assertThat(parseEnv0(envOutput(events, 0))).containsAllEntriesOf(env);
      // the env file: owner only, in an owner-only directory, gone once the executor ended
      String container = "tes4j-" + Path.of(events.metadata().get("local.workdir")).getFileName() + "-0";
      assertThat(fakes.envFileCopy(container + ".mode")).hasContent("600");
      assertThat(fakes.envFileCopy(container + ".dirmode")).hasContent("700");
      String envFile = calls.get(0).stream().filter(a -> a.startsWith("--env-file=")).findFirst().orElseThrow()
          .substring("--env-file=".length());
      assertThat(Path.of(envFile)).doesNotExist();
      assertThat(Path.of(envFile).getParent().getParent()).isEqualTo(tmp.resolve("work"));
      assertThat(Path.of(envFile).startsWith(Path.of(events.metadata().get("local.workdir"))))
          .as("outside the work directory, which is mounted").isFalse();
    }
    // closing the backend removes its private directory
    try (Stream<Path> left = Files.list(tmp.resolve("work"))) {
      assertThat(left).noneMatch(p -> p.getFileName().toString().startsWith(".tes4j-private-"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"apptainer", "singularity"})
  void apptainerAndSingularityGetTheEnvironmentPrefixedInTheirOwnEnvironmentAndNoValueAsAnOption(String name)
      throws IOException {
    LocalRuntime runtime = LocalRuntime.fromParameter(name).orElseThrow();
    FakeRuntimes fakes = new FakeRuntimes(tmp.resolve("fake"), name);
    String secret = "s3cr3t-" + UUID.randomUUID();
    Map<String, String> env = hostileEnvironment(secret, true);
    Task task = task()
        .volumes("/--bind=x")
        .addExecutor(Executor.builder().image("docker://alpine:3.20").command("env", "-0").env(env)
            .workdir("/-v").build())
        .addExecutor(Executor.builder().image("alpine")
            .command("--privileged", "--bind=/:/x").ignoreError(true).build())
        .build();

    try (LocalBackend backend = backend(fakes, runtime)) {
      assertThat(backend.check(task)).isEmpty();
      RecordingEvents events = run(backend, task);

      assertThat(events.awaitFinished()).as("%s", events.systemLogs()).isEqualTo(State.COMPLETE);
      List<List<String>> calls = runCalls(fakes);
      assertNoValueIsAnOption(calls.get(0), "docker://alpine:3.20", List.of("env", "-0"));
      assertNoValueIsAnOption(calls.get(1), "docker://alpine", List.of("--privileged", "--bind=/:/x"));
      assertThat(calls.get(0)).contains("--containall", "--no-eval", "--pwd=/-v");
      assertNowhereIn(calls, secret);

      String prefix = runtime == LocalRuntime.SINGULARITY ? "SINGULARITYENV_" : "APPTAINERENV_";
      Map<String, String> runtimeEnvironment = fakes.environments().get(0);
      assertThat(runtimeEnvironment).doesNotContainKeys(env.keySet().toArray(String[]::new));
      env.forEach((key, value) -> assertThat(runtimeEnvironment).containsEntry(prefix + key, value));
      assertThat(fakes.environments().get(1)).noneSatisfy((key, value) -> assertThat(key).startsWith(prefix));
      assertThat(parseEnv0(envOutput(events, 0))).containsAllEntriesOf(env);
    }
  }

  @Test
  void theEnginesOwnPrefixedVariablesDoNotReachApptainerContainers() throws IOException {
    FakeRuntimes fakes = new FakeRuntimes(tmp.resolve("fake"), "apptainer");
    Map<String, String> environment = new LinkedHashMap<>(fakes.environment());
    environment.put("APPTAINERENV_ENGINE_TOKEN", "engine-only");
    environment.put("SINGULARITYENV_OTHER", "engine-only");
    environment.put("ENGINE_SETTING", "kept");
    try (LocalBackend backend = LocalBackend.builder().environment(environment).workRoot(tmp.resolve("work"))
        .transferSettings(quickTransfers()).runtime(LocalRuntime.APPTAINER).build()) {
      RecordingEvents events = run(backend, task().addExecutor(Executor.of("alpine", "env", "-0")).build());

      assertThat(events.awaitFinished()).isEqualTo(State.COMPLETE);
      assertThat(fakes.environments().get(0))
          .doesNotContainKeys("APPTAINERENV_ENGINE_TOKEN", "SINGULARITYENV_OTHER")
          .containsEntry("ENGINE_SETTING", "kept");
    }
  }

  @Test
  void dockerAndPodmanRefuseValuesTheirEnvFileCannotCarryNamingTheVariableButNotTheValue() throws IOException {
    String secret = "s3cr3t-" + UUID.randomUUID();
    for (String name : List.of("docker", "podman")) {
      FakeRuntimes fakes = new FakeRuntimes(tmp.resolve("fake-" + name), name);
      Task task = task().addExecutor(Executor.builder().image("alpine").command("true")
          .env("PEM", "-----BEGIN-----\n" + secret + "\n-----END-----")
          .env("CR", secret + "\r")
          .env("HUGE", "x".repeat(70_000))
          .env("HUGER", "x".repeat(200_000))
          .env("FINE", secret).build()).build();
      try (LocalBackend backend = backend(fakes, LocalRuntime.fromParameter(name).orElseThrow())) {
        List<Violation> violations = backend.check(task);

        assertThat(violations).extracting(Violation::path)
            .containsExactly("executors[0].env.HUGER", "executors[0].env.PEM", "executors[0].env.CR",
                "executors[0].env.HUGE");
        assertThat(violations.get(1).message()).isEqualTo(
            "runtime=" + name + " passes environment values in an env file, one NAME=value line each, to keep them"
                + " off command lines: a value cannot hold a line break (\\n or \\r); pass it as an input file, or"
                + " use runtime=apptainer, singularity or host");
        assertThat(violations.get(0).message()).contains("the kernel refuses a larger environment entry");
        assertThat(violations.get(3).message()).contains("at most 65535 bytes");
        assertThat(violations).allSatisfy(v -> assertThat(v.message()).doesNotContain(secret));

        // started directly, without the engine: refused before anything runs or is staged
        RecordingEvents events = run(backend, task);
        assertThat(events.calls()).containsExactly("initializing", "finished SYSTEM_ERROR");
        assertThat(events.systemLogs()).hasSize(4).allSatisfy(line -> assertThat(line)
            .startsWith("runtime=" + name + " cannot run this task: executors[0].env.").doesNotContain(secret));
        assertThat(runCalls(fakes)).isEmpty();
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "--volume=/:/host", "--privileged", "-v", "/", "--bind=/:/x", "a b", "Alpine", "UPPER:1",
      "docker://alpine", "alpine:3.20 --privileged", "alpine=1", "alpine,x", "alpine:-tag", "alpine@sha256:abc",
      "a..b", "a/", "/alpine", "localhost:/x", "alpine:" })
  void dockerAndPodmanRefuseWhatIsNoImageReference(String image) throws IOException {
    FakeRuntimes fakes = new FakeRuntimes(tmp.resolve("fake"), "docker", "podman");
    for (LocalRuntime runtime : List.of(LocalRuntime.DOCKER, LocalRuntime.PODMAN)) {
      try (LocalBackend backend = backend(fakes, runtime)) {
        List<Violation> violations = backend.check(task().addExecutor(Executor.of(image, "true")).build());

        assertThat(violations).singleElement().satisfies(v -> {
          assertThat(v.path()).isEqualTo("executors[0].image");
          assertThat(v.message()).startsWith("runtime=" + runtime.parameter() + " needs an image reference:"
              + " [registry[:port]/]name[:tag][@digest]");
        });
      }
    }
    assertThat(runCalls(fakes)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "alpine", "alpine:3.20", "library/alpine", "ubuntu:24.04", "registry.example.org:5000/team/tool:1.2",
      "localhost:5000/x", "[::1]:5000/x:y", "a__b/c---d/e.f_g:TAG_1.0-x",
      "alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
      "Registry.Example.org/x", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"})
  void dockerAndPodmanTakeImageReferences(String image) throws IOException {
    FakeRuntimes fakes = new FakeRuntimes(tmp.resolve("fake"), "docker", "podman");
    for (LocalRuntime runtime : List.of(LocalRuntime.DOCKER, LocalRuntime.PODMAN)) {
      try (LocalBackend backend = backend(fakes, runtime)) {
        assertThat(backend.check(task().addExecutor(Executor.of(image, "true")).build())).isEmpty();
      }
    }
  }

  @Test
  void anImageNameLongerThanTheGrammarAllowsIsRefused() throws IOException {
    FakeRuntimes fakes = new FakeRuntimes(tmp.resolve("fake"), "docker");
    try (LocalBackend backend = backend(fakes, LocalRuntime.DOCKER)) {
      assertThat(backend.check(task().addExecutor(Executor.of("a".repeat(255), "true")).build())).isEmpty();
      assertThat(backend.check(task().addExecutor(Executor.of("a".repeat(256), "true")).build())).hasSize(1);
      assertThat(backend.check(task().addExecutor(Executor.of("a-".repeat(5000) + "/", "true")).build())).hasSize(1);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"oci:x", "oci-archive:x", "docker-archive:evil", "dir:5000/x", "containers-storage:x", "sif:x"})
  void podmanRefusesReferencesItWouldReadAsOneOfItsTransports(String image) throws IOException {
    FakeRuntimes fakes = new FakeRuntimes(tmp.resolve("fake"), "docker", "podman");
    try (LocalBackend podman = backend(fakes, LocalRuntime.PODMAN);
        LocalBackend docker = backend(fakes, LocalRuntime.DOCKER)) {
      Task task = task().addExecutor(Executor.of(image, "true")).build();

      assertThat(podman.check(task)).singleElement().satisfies(v -> assertThat(v.message())
          .startsWith("runtime=podman would read '" + image + "' as its transport " + image.split(":")[0] + ":"));
      assertThat(docker.check(task)).as("docker has no transports").isEmpty();
    }
  }

  @Test
  void badEnvironmentNamesAreRefusedByEveryRuntimeAtSubmissionAndAtLaunch() throws IOException {
    FakeRuntimes fakes = new FakeRuntimes(tmp.resolve("fake"), "docker", "podman", "apptainer", "singularity");
    Map<String, String> env = new LinkedHashMap<>();
    for (String name : List.of("A=B", "-e", "1X", "", "A B", "--env-file", "A\nB")) {
      env.put(name, "v");
    }
    Task task = task().addExecutor(Executor.builder().image("alpine").command("true").env(env).build()).build();
    for (LocalRuntime runtime : LocalRuntime.containerRuntimes()) {
      try (LocalBackend backend = backend(fakes, runtime)) {
        assertThat(backend.check(task)).extracting(Violation::path).containsExactly(
            "executors[0].env[\"A=B\"]", "executors[0].env[\"-e\"]", "executors[0].env[\"1X\"]",
            "executors[0].env[\"\"]", "executors[0].env[\"A B\"]", "executors[0].env[\"--env-file\"]",
            "executors[0].env[\"A\nB\"]");

        RecordingEvents events = run(backend, task);
        assertThat(events.awaitFinished()).isEqualTo(State.SYSTEM_ERROR);
        assertThat(events.systemLogs()).hasSize(7);
      }
    }
    assertThat(runCalls(fakes)).isEmpty();
  }

  @Test
  void theEngineRefusesWhatTheRuntimeCouldBeTrickedWithWhenTheTaskIsCreated() throws IOException {
    FakeRuntimes fakes = new FakeRuntimes(tmp.resolve("fake"), "docker");
    String secret = "s3cr3t-" + UUID.randomUUID();
    try (TesEngine engine = TesEngine.builder().backend(backend(fakes, LocalRuntime.DOCKER)).build()) {
      Task task = Task.builder()
          .addExecutor(Executor.builder().image("--volume=/:/host").command("alpine", "sh").build())
          .addExecutor(Executor.builder().image("docker://alpine").command("true").env("KEY", secret + "\n").build())
          .build();

      InvalidTaskException e = catchThrowableOfType(InvalidTaskException.class, () -> engine.createTask(task));

      assertThat(e.statusCode()).isEqualTo(400);
      assertThat(e.violations()).extracting(Violation::path)
          .containsExactly("executors[0].image", "executors[1].image", "executors[1].env.KEY");
      assertThat(e.violations().get(0).message()).as("the validator's").startsWith("must not start with '-'");
      assertThat(e.getMessage()).doesNotContain(secret);
      assertThat(runCalls(fakes)).isEmpty();
    }
  }

  @Test
  void dockerAndPodmanRunAsTheEnginesUserByDefaultOrAsConfigured() throws IOException {
    FakeRuntimes fakes = new FakeRuntimes(tmp.resolve("fake"), "docker", "podman");
    Map<String, List<String>> options = new LinkedHashMap<>();
    record Case(String label, LocalRuntime runtime, String user, long uid, long gid) {}
    List<Case> cases = List.of(
        new Case("docker engine", LocalRuntime.DOCKER, null, 1000, 1001),
        new Case("podman engine rootless", LocalRuntime.PODMAN, "engine", 1000, 1001),
        new Case("podman engine root", LocalRuntime.PODMAN, null, 0, 0),
        new Case("docker image", LocalRuntime.DOCKER, "image", 1000, 1001),
        new Case("podman image", LocalRuntime.PODMAN, "IMAGE", 1000, 1001),
        new Case("docker ids", LocalRuntime.DOCKER, "5:6", 1000, 1001),
        new Case("podman ids", LocalRuntime.PODMAN, " 5:6 ", 1000, 1001));
    for (Case c : cases) {
      LocalBackend.Builder builder = LocalBackend.builder().environment(fakes.environment())
          .workRoot(tmp.resolve("work")).transferSettings(quickTransfers()).runtime(c.runtime())
          .engineIds(c.uid(), c.gid());
      if (c.user() != null) {
        builder.containerUser(c.user());
      }
      try (LocalBackend backend = builder.build()) {
        int before = fakes.calls().size();
        assertThat(run(backend, task().addExecutor(Executor.of("alpine", "true")).build()).awaitFinished())
            .isEqualTo(State.COMPLETE);
        List<String> argv = fakes.calls().get(before);
        options.put(c.label(), argv.stream().filter(a -> a.startsWith("--user") || a.startsWith("--userns")).toList());
      }
    }
    assertThat(options).containsExactly(
        Map.entry("docker engine", List.of("--user=1000:1001")),
        Map.entry("podman engine rootless", List.of("--userns=keep-id", "--user=1000:1001")),
        Map.entry("podman engine root", List.of("--user=0:0")),
        Map.entry("docker image", List.of()),
        Map.entry("podman image", List.of()),
        Map.entry("docker ids", List.of("--user=5:6")),
        Map.entry("podman ids", List.of("--user=5:6")));
  }

  @Test
  void podman47WhichReadsEnvFilesAsDotenvIsRefusedAndOtherVersionsAreTaken() throws IOException {
    FakeRuntimes broken = FakeRuntimes.podmanVersion(tmp.resolve("broken"), "4.7.2");
    assertThatThrownBy(() -> LocalBackend.builder().environment(broken.environment()).workRoot(tmp.resolve("work"))
        .runtime(LocalRuntime.PODMAN).build())
        .isInstanceOf(BackendException.class)
        .hasMessageStartingWith("runtime=podman: podman 4.7.2 reads env files as dotenv files")
        .hasMessageEndingWith("Use podman 4.8 or later (or 4.6), or runtime=docker");
    try (Stream<Path> left = Files.list(tmp.resolve("work"))) {
      assertThat(left).as("the version query's output file is removed").isEmpty();
    }

    for (String version : List.of("4.6.1", "4.8.0", "5.2.0", "14.7.0")) {
      FakeRuntimes fine = FakeRuntimes.podmanVersion(tmp.resolve(version), version);
      try (LocalBackend backend = LocalBackend.builder().environment(fine.environment())
          .workRoot(tmp.resolve("work")).runtime(LocalRuntime.PODMAN).build()) {
        assertThat(backend.runtime()).isEqualTo(LocalRuntime.PODMAN);
      }
    }
  }

  @Test
  void apptainerImagesComeOnlyFromPullSchemesOrFromUnderTheFileRoots() throws IOException {
    FakeRuntimes fakes = new FakeRuntimes(tmp.resolve("fake"), "apptainer");
    Path images = Files.createDirectories(tmp.resolve("images"));
    Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
    Files.writeString(images.resolve("tool.sif"), "SIF");
    Files.writeString(elsewhere.resolve("secret.sif"), "SIF");
    Files.createSymbolicLink(images.resolve("link.sif"), elsewhere.resolve("secret.sif"));

    try (LocalBackend backend = LocalBackend.builder().environment(fakes.environment())
        .workRoot(tmp.resolve("work")).transferSettings(quickTransfers()).runtime(LocalRuntime.APPTAINER)
        .fileRoots(List.of(images)).build()) {
      Map<String, String> refusals = new LinkedHashMap<>();
      List<String> hostile = List.of(
          "/", "/etc/shadow", elsewhere.resolve("secret.sif").toString(), images + "/../elsewhere/secret.sif",
          "./x.sif", "tool.sif", "../x.sif", "--bind=/:/x", "http://169.254.169.254/x.sif", "https://x/y.sif",
          "instance://other", "file:///etc/x.sif", "DOCKER://alpine", "docker://--privileged", "docker://Alpine",
          "oras://a b", "library://../x", "shub://", "oci-archive:/x.tar", "a b");
      for (String image : hostile) {
        List<Violation> violations = backend.check(task().addExecutor(Executor.of(image, "true")).build());
        assertThat(violations).as(image).hasSize(1);
        refusals.put(image, violations.get(0).message());
      }
      assertThat(refusals.get("/etc/shadow"))
          .isEqualTo("runtime=apptainer: the local image '/etc/shadow' is not under the backend's file roots (" + images + ")");
      assertThat(refusals.get("./x.sif")).isEqualTo("runtime=apptainer takes a local image only as an absolute path, not './x.sif'");
      assertThat(refusals.get("http://169.254.169.254/x.sif")).startsWith(
          "runtime=apptainer does not take 'http://' images (other sources would bypass the task policy or reach"
              + " outside the task); use docker://, oras://, library:// or shub://");

      for (String image : List.of("docker://alpine:3.20", "oras://ghcr.io/x/y:1", "library://sylabs/default/alpine:3.11",
          "shub://vsoch/hello-world", "alpine", images.resolve("tool.sif").toString(), images + "/./tool.sif",
          images.resolve("link.sif").toString())) {
        assertThat(backend.check(task().addExecutor(Executor.of(image, "true")).build())).as(image).isEmpty();
      }

      // a link under the roots that leads out of them is caught before the executor runs
      RecordingEvents linked = run(backend, task().addExecutor(Executor.of(images.resolve("link.sif").toString(), "true")).build());
      assertThat(linked.awaitFinished()).isEqualTo(State.SYSTEM_ERROR);
      assertThat(linked.systemLogs()).anySatisfy(line -> assertThat(line).startsWith(
          "executors[0].image: the local image " + images.resolve("link.sif") + " leads to ")
          .endsWith(", which is not under the backend's file roots"));
      RecordingEvents missing = run(backend, task().addExecutor(Executor.of(images.resolve("none.sif").toString(), "true")).build());
      assertThat(missing.systemLogs()).contains("executors[0].image: the local image " + images.resolve("none.sif") + " does not exist");
      assertThat(runCalls(fakes)).isEmpty();

      RecordingEvents fine = run(backend, task().addExecutor(Executor.of(images.resolve("tool.sif").toString(), "true")).build());
      assertThat(fine.awaitFinished()).isEqualTo(State.COMPLETE);
      assertThat(fakes.calls().get(0)).endsWith("--", images.resolve("tool.sif").toString(), "true");
    }
  }

  @Test
  void withEmptyFileRootsApptainerTakesNoLocalImageAndWithoutFileRootsAnyAbsolutePath() throws IOException {
    FakeRuntimes fakes = new FakeRuntimes(tmp.resolve("fake"), "apptainer");
    Task local = task().addExecutor(Executor.of("/opt/images/tool.sif", "true")).build();
    try (LocalBackend none = LocalBackend.builder().environment(fakes.environment()).workRoot(tmp.resolve("work"))
        .runtime(LocalRuntime.APPTAINER).fileRoots(List.of()).build();
        LocalBackend unrestricted = LocalBackend.builder().environment(fakes.environment()).workRoot(tmp.resolve("work"))
            .runtime(LocalRuntime.APPTAINER).build()) {
      assertThat(none.check(local)).singleElement().satisfies(v -> assertThat(v.message())
          .isEqualTo("runtime=apptainer allows no local image here (the backend's fileRoots is empty); use docker://,"
              + " oras://, library:// or shub://"));
      assertThat(unrestricted.check(local)).isEmpty();
      assertThat(unrestricted.check(task().addExecutor(Executor.of("http://x/y.sif", "true")).build()))
          .as("schemes are refused whatever the roots").hasSize(1);
    }
  }

  @Test
  void theUserParameterIsCheckedAndAppliesToDockerAndPodmanOnly() throws IOException {
    FakeRuntimes fakes = new FakeRuntimes(tmp.resolve("fake"), "docker", "apptainer");
    LocalBackendProvider provider = new LocalBackendProvider(fakes.environment());
    String work = "workdir=" + tmp.resolve("work");
    for (String bad : List.of("root", "1000", "-1:0", "1000:", "4294967295:0", "engine,image")) {
      assertThatThrownBy(() -> provider.open(io.tes4j.spi.BackendConfig.of(
          java.net.URI.create("local:?runtime=docker&" + work + "&user=" + bad), Map.of())))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("local: user=" + bad + " is not a container user; use engine (the default: this process's"
              + " uid:gid), image (the image's own USER) or UID:GID in numbers, e.g. 1000:1000");
    }
    assertThatThrownBy(() -> provider.open(io.tes4j.spi.BackendConfig.of(
        java.net.URI.create("local:?runtime=apptainer&" + work + "&user=image"), Map.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("local: user=image applies to runtime=docker and podman only; runtime=apptainer always runs"
            + " containers as the engine's user: leave user out, or set user=engine");
    try (LocalBackend backend = (LocalBackend) provider.open(io.tes4j.spi.BackendConfig.of(
        java.net.URI.create("local:?runtime=apptainer&" + work + "&user=engine"), Map.of()))) {
      assertThat(backend.runtime()).isEqualTo(LocalRuntime.APPTAINER);
    }
    List<String> opened = new ArrayList<>();
    try (LocalBackend backend = (LocalBackend) provider.open(io.tes4j.spi.BackendConfig.of(
        java.net.URI.create("local:?runtime=docker&" + work + "&user=image"), Map.of()))) {
      opened.add(backend.runtime().parameter());
    }
    assertThat(opened).containsExactly("docker");
  }
}
