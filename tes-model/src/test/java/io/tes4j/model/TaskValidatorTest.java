package io.tes4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tes4j.api.InvalidTaskException;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link TaskValidator#validate(Task)}: one rule at a time, then all of them at once. */
class TaskValidatorTest {

  private static final Executor ECHO = Executor.of("alpine:3.20", "echo", "hi");

  /** A valid task with one executor, changed by {@code change}. */
  private static Task task(UnaryOperator<Task.Builder> change) {
    return change.apply(Task.builder().addExecutor(ECHO)).build();
  }

  /** A valid task whose only executor is {@code executor}. */
  private static Task withExecutor(Executor executor) {
    return Task.builder().addExecutor(executor).build();
  }

  /** Asserts that {@code task} has exactly one violation, at {@code path}, saying {@code fragment}. */
  private static Violation onlyViolation(Task task, String path, String fragment) {
    List<Violation> violations = TaskValidator.validate(task);
    assertThat(violations).as("violations of %s", task).hasSize(1);
    Violation violation = violations.get(0);
    assertThat(violation.path()).isEqualTo(path);
    assertThat(violation.message()).contains(fragment);
    return violation;
  }

  private static void valid(Task task) {
    assertThat(TaskValidator.validate(task)).as("violations of %s", task).isEmpty();
  }

  @Test
  void aMinimalTaskIsValid() {
    valid(Fixtures.minimalTask());
  }

  @Test
  void aTaskCopiedFromAServerIsValid() {
    // id, state, logs and creation_time are filled by servers; sending them back is not an error.
    valid(Fixtures.fullTask());
  }

  @Test
  void aNullTaskIsAProgrammingError() {
    assertThatThrownBy(() -> TaskValidator.validate(null)).isInstanceOf(NullPointerException.class);
  }

  @Nested
  class Executors {
    @Test
    void atLeastOneIsRequired() {
      Violation v = onlyViolation(Task.builder().name("x").build(), "executors", "must contain at least one executor");
      assertThat(v.toString()).startsWith("executors: must contain at least one executor");
    }

    @Test
    void imageIsRequired() {
      onlyViolation(withExecutor(Executor.builder().command("true").build()), "executors[0].image", "is required");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "\t"})
    void imageMustNotBeBlank(String image) {
      onlyViolation(withExecutor(Executor.of(image, "true")), "executors[0].image", "must not be blank");
    }

    @Test
    void imageMustNotHoldWhitespace() {
      onlyViolation(
          withExecutor(Executor.of("ubuntu 20.04", "true")), "executors[0].image", "'ubuntu 20.04'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--volume=/:/host", "--privileged", "-v", "-"})
    void anImageMustNotStartWithADashWhichRuntimesWouldReadAsAnOption(String image) {
      Violation v = onlyViolation(withExecutor(Executor.of(image, "true")), "executors[0].image", "must not start with '-'");
      assertThat(v.message())
          .isEqualTo("must not start with '-', was '" + image + "'; an image is a name such as ubuntu:22.04 or"
              + " registry.example.org/team/tool:1.2, never an option");
    }

    @Test
    void anImageMustNotHoldControlCharacters() {
      for (String image : List.of("alpine\0", "alpine\u001b[1m", "a\u007fb")) {
        Violation v = onlyViolation(withExecutor(Executor.of(image, "true")), "executors[0].image", "control characters");
        assertThat(v.message()).as("the message shows them escaped").doesNotContain("\0").doesNotContain("\u001b");
      }
    }

    @Test
    void commandMustNotBeEmpty() {
      onlyViolation(withExecutor(Executor.of("alpine")), "executors[0].command", "must not be empty");
    }

    @Test
    void theProgramMustNotBeBlank() {
      onlyViolation(withExecutor(Executor.of("alpine", " ", "x")), "executors[0].command[0]", "program");
      // Later arguments may be empty strings: "" is a valid argument.
      valid(withExecutor(Executor.of("alpine", "printf", "")));
    }

    @Test
    void eachExecutorIsCheckedAtItsOwnIndex() {
      Task task = Task.builder().addExecutor(ECHO).addExecutor(Executor.of("", "true")).build();

      onlyViolation(task, "executors[1].image", "must not be blank");
    }

    @ParameterizedTest
    @ValueSource(strings = {"workdir", "stdin", "stdout", "stderr"})
    void containerPathsMustBeAbsolute(String field) {
      Violation v = onlyViolation(withExecutor(set(field, "data/file")), "executors[0]." + field, "absolute");
      assertThat(v.message()).contains("'data/file'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"workdir", "stdin", "stdout", "stderr"})
    void containerPathsMustNotClimbOut(String field) {
      onlyViolation(withExecutor(set(field, "/data/../etc/passwd")), "executors[0]." + field, "'..'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"workdir", "stdin", "stdout", "stderr"})
    void containerPathsMustNotBeEmpty(String field) {
      onlyViolation(withExecutor(set(field, "")), "executors[0]." + field, "must not be blank");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/data", "/data/", "/data/./x", "/data/..x/y", "/", "/a/...b"})
    void pathsWithDotsThatStayInsideAreValid(String path) {
      valid(withExecutor(set("workdir", path)));
    }

    @Test
    void containerPathsAreOptional() {
      valid(withExecutor(Executor.of("alpine", "true")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1X", "A-B", "A B", "", "é", "A.B"})
    void environmentVariableNamesMustBePortable(String name) {
      Violation v =
          onlyViolation(
              withExecutor(ECHO.toBuilder().env("OK", "1").env(name, "v").build()),
              "executors[0].env[\"" + name + "\"]",
              "invalid environment variable name '" + name + "'");
      assertThat(v.message()).endsWith("must start with a letter or underscore and hold only letters, digits and underscores");
    }

    @ParameterizedTest
    @ValueSource(strings = {"PATH", "_x", "a1", "JAVA_HOME", "_"})
    void portableEnvironmentVariableNamesAreValid(String name) {
      valid(withExecutor(ECHO.toBuilder().env(name, "").build()));
    }

    private Executor set(String field, String path) {
      Executor.Builder b = ECHO.toBuilder();
      switch (field) {
        case "workdir" -> b.workdir(path);
        case "stdin" -> b.stdin(path);
        case "stdout" -> b.stdout(path);
        case "stderr" -> b.stderr(path);
        default -> throw new IllegalArgumentException(field);
      }
      return b.build();
    }
  }

  @Nested
  class Inputs {
    @Test
    void pathIsRequired() {
      onlyViolation(task(t -> t.addInput(Input.builder().url("s3://b/x").build())), "inputs[0].path", "is required");
    }

    @Test
    void pathMustBeAbsolute() {
      onlyViolation(task(t -> t.addInput(Input.ofUrl("s3://b/x", "in/x"))), "inputs[0].path", "'in/x'");
    }

    @Test
    void pathMustNotClimbOut() {
      onlyViolation(task(t -> t.addInput(Input.ofUrl("s3://b/x", "/in/../x"))), "inputs[0].path", "'..'");
    }

    @Test
    void urlOrContentIsRequired() {
      onlyViolation(task(t -> t.addInput(Input.builder().path("/in/x").build())), "inputs[0]", "needs url or content");
    }

    @Test
    void aBlankUrlIsNoUrl() {
      Violation v =
          onlyViolation(
              task(t -> t.addInput(Input.builder().path("/in/x").url(" ").build())), "inputs[0]", "needs url or content");
      assertThat(v.message()).contains("url is blank");
    }

    @Test
    void urlAndContentTogetherAreAnError() {
      Violation v =
          onlyViolation(
              task(t -> t.addInput(Input.builder().path("/in/x").url("s3://b/x").content("x").build())),
              "inputs[0]",
              "set either url or content, not both");
      assertThat(v.message()).contains("content wins over url per the spec, so url would be ignored");
    }

    @Test
    void anEmptyContentIsAValidEmptyFile() {
      valid(task(t -> t.addInput(Input.ofContent("", "/in/empty"))));
    }

    @Test
    void aBlankUrlBesideContentIsAnError() {
      onlyViolation(
          task(t -> t.addInput(Input.builder().path("/in/x").url("").content("x").build())),
          "inputs[0].url",
          "must not be blank");
    }

    @Test
    void aDirectoryCannotHaveContent() {
      onlyViolation(
          task(t -> t.addInput(Input.builder().path("/in/d").content("x").type(FileType.DIRECTORY).build())),
          "inputs[0].content",
          "DIRECTORY");
      valid(task(t -> t.addInput(Input.builder().path("/in/d").url("s3://b/d/").type(FileType.DIRECTORY).build())));
    }

    @Test
    void twoInputsCannotShareAPathEvenWrittenWithATrailingSlash() {
      Task task =
          task(
              t ->
                  t.addInput(Input.ofUrl("s3://b/x", "/in/x"))
                      .addInput(Input.ofUrl("s3://b/y", "/in/y"))
                      .addInput(Input.ofUrl("s3://b/z", "/in/x/")));

      Violation v = onlyViolation(task, "inputs[2].path", "duplicate input path '/in/x/' (also inputs[0].path)");
      assertThat(v.message()).isEqualTo("duplicate input path '/in/x/' (also inputs[0].path)");
    }
  }

  @Nested
  class Outputs {
    @Test
    void urlIsRequired() {
      onlyViolation(task(t -> t.addOutput(Output.builder().path("/out/x").build())), "outputs[0].url", "is required");
    }

    @Test
    void urlMustNotBeBlank() {
      onlyViolation(task(t -> t.addOutput(Output.of("/out/x", " "))), "outputs[0].url", "must not be blank");
    }

    @Test
    void pathIsRequired() {
      onlyViolation(task(t -> t.addOutput(Output.builder().url("s3://b/x").build())), "outputs[0].path", "is required");
    }

    @Test
    void pathMustBeAbsoluteAndStayInside() {
      onlyViolation(task(t -> t.addOutput(Output.of("out/x", "s3://b/x"))), "outputs[0].path", "absolute");
      onlyViolation(task(t -> t.addOutput(Output.of("/out/../x", "s3://b/x"))), "outputs[0].path", "'..'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/work/*.txt", "/work/file?.txt", "/work/[ab].txt", "/work/*/out.txt"})
    void wildcardsNeedAPathPrefix(String path) {
      Violation v =
          onlyViolation(
              task(t -> t.addOutput(Output.of(path, "s3://b/out/"))),
              "outputs[0].path_prefix",
              "path has wildcards, so path_prefix is required: the part of the path stripped before appending to url");
      assertThat(v.message()).contains("use '/work'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/work", "/work/", "/", "/work//"})
    void aPathPrefixNamingAParentDirectoryIsValid(String prefix) {
      valid(task(t -> t.addOutput(Output.builder().path("/work/*.txt").pathPrefix(prefix).url("s3://b/out/").build())));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/wo", "/work/a", "/other"})
    void aPathPrefixMustBeADirectoryPrefixOfThePath(String prefix) {
      Violation v =
          onlyViolation(
              task(t -> t.addOutput(Output.builder().path("/work/*.txt").pathPrefix(prefix).url("s3://b/").build())),
              "outputs[0].path_prefix",
              "is not a directory prefix of path '/work/*.txt'");
      assertThat(v.message()).startsWith("'" + prefix + "'");
    }

    @Test
    void aPathPrefixMustBeAbsolute() {
      onlyViolation(
          task(t -> t.addOutput(Output.builder().path("/work/*.txt").pathPrefix("work").url("s3://b/").build())),
          "outputs[0].path_prefix",
          "absolute");
    }

    @Test
    void aPathPrefixMustNotHoldWildcards() {
      onlyViolation(
          task(t -> t.addOutput(Output.builder().path("/work/*/a.txt").pathPrefix("/work/*").url("s3://b/").build())),
          "outputs[0].path_prefix",
          "must not contain wildcards");
    }

    @Test
    void aPathPrefixWithoutWildcardsIsAnError() {
      Violation v =
          onlyViolation(
              task(t -> t.addOutput(Output.builder().path("/work/a.txt").pathPrefix("/work").url("s3://b/a").build())),
              "outputs[0].path_prefix",
              "path_prefix is only allowed when path has wildcards");
      assertThat(v.message()).isEqualTo("path_prefix is only allowed when path has wildcards (*, ?, [...]); TES ignores it otherwise");
    }

    @Test
    void twoOutputsCannotShareAPath() {
      Task task =
          task(t -> t.addOutput(Output.of("/out/x", "s3://b/1")).addOutput(Output.of("/out//x", "s3://b/2")));

      onlyViolation(task, "outputs[1].path", "duplicate output path '/out//x' (also outputs[0].path)");
    }

    @Test
    void anInputAndAnOutputMayShareAPath() {
      // A task may update a file in place: download it, change it, upload it.
      valid(task(t -> t.addInput(Input.ofUrl("s3://b/x", "/data/x")).addOutput(Output.of("/data/x", "s3://b/x2"))));
    }
  }

  @Nested
  class Volumes {
    @Test
    void mustBeAbsolute() {
      onlyViolation(task(t -> t.volumes("vol/A")), "volumes[0]", "absolute");
    }

    @Test
    void mustNotClimbOut() {
      onlyViolation(task(t -> t.volumes("/vol/A", "/vol/../B")), "volumes[1]", "'..'");
    }

    @Test
    void mustNotBeBlank() {
      onlyViolation(task(t -> t.volumes(" ")), "volumes[0]", "must not be blank");
    }

    @Test
    void mustNotRepeat() {
      onlyViolation(task(t -> t.volumes("/vol/A", "/vol/A/")), "volumes[1]", "(also volumes[0])");
    }
  }

  @Nested
  class ResourcesRules {
    @Test
    void negativeAmountsAreErrors() {
      Task task = task(t -> t.resources(Resources.builder().cpuCores(-1.0).ramGb(-0.5).diskGb(-2.0).build()));

      assertThat(TaskValidator.validate(task))
          .containsExactly(
              new Violation("resources.cpu_cores", "must not be negative, was -1"),
              new Violation("resources.ram_gb", "must not be negative, was -0.5"),
              new Violation("resources.disk_gb", "must not be negative, was -2"));
    }

    @Test
    void zeroAndFractionsAreValid() {
      valid(task(t -> t.resources(Resources.builder().cpuCores(0.25).ramGb(0.0).diskGb(1.5).build())));
    }

    @Test
    void amountsMustBeFinite() {
      onlyViolation(
          task(t -> t.resources(Resources.builder().ramGb(Double.POSITIVE_INFINITY).build())),
          "resources.ram_gb",
          "must be a finite number, was Infinity");
      onlyViolation(
          task(t -> t.resources(Resources.builder().cpuCores(Double.NaN).build())),
          "resources.cpu_cores",
          "was NaN");
    }

    @Test
    void zonesMustNotBeBlank() {
      onlyViolation(task(t -> t.resources(Resources.builder().zones("us-west-1", " ").build())), "resources.zones[1]", "blank");
    }

    @Test
    void backendParameterNamesMustNotBeBlank() {
      onlyViolation(
          task(t -> t.resources(Resources.builder().backendParameter("", "x").build())),
          "resources.backend_parameters[\"\"]",
          "must not be blank");
    }

    @Test
    void backendParameterNamesAreCaseInsensitive() {
      onlyViolation(
          task(t -> t.resources(Resources.builder().backendParameter("VmSize", "a").backendParameter("vmsize", "b").build())),
          "resources.backend_parameters.vmsize",
          "duplicate backend parameter 'vmsize': keys are case-insensitive, and 'VmSize' is also set");
    }
  }

  @Test
  void everyProblemIsReportedAtOnceInDocumentOrder() {
    Task task =
        Task.builder()
            .addInput(Input.builder().path("in/a").build())
            .addInput(Input.ofUrl("s3://b/x", "/in/x"))
            .addOutput(Output.of("/out/*.txt", "s3://b/out/"))
            .resources(Resources.builder().cpuCores(-2.0).build())
            .addExecutor(Executor.of("alpine", "true"))
            .addExecutor(Executor.builder().image("").workdir("tmp").env("1X", "a").build())
            .volumes("/vol/A", "vol/B")
            .build();

    List<Violation> violations = TaskValidator.validate(task);

    assertThat(violations)
        .extracting(Violation::path)
        .containsExactly(
            "inputs[0]",
            "inputs[0].path",
            "outputs[0].path_prefix",
            "resources.cpu_cores",
            "executors[1].image",
            "executors[1].command",
            "executors[1].workdir",
            "executors[1].env[\"1X\"]",
            "volumes[1]");
    assertThat(violations.get(7).message()).startsWith("invalid environment variable name '1X'");
    assertThat(violations).isUnmodifiable();
  }

  @Test
  void requireValidReturnsAValidTask() {
    Task task = Fixtures.minimalTask();

    assertThat(TaskValidator.requireValid(task)).isSameAs(task);
  }

  @Test
  void requireValidThrowsWithEveryViolation() {
    Task task = Task.builder().volumes("rel").build();

    InvalidTaskException e = catchThrowableOfType(InvalidTaskException.class, () -> TaskValidator.requireValid(task));

    assertThat(e.violations()).isEqualTo(TaskValidator.validate(task)).hasSize(2);
    assertThat(e.statusCode()).isEqualTo(400);
    assertThat(e.retryable()).isFalse();
    assertThat(e.getMessage())
        .startsWith("invalid task: executors: must contain at least one executor")
        .contains("; volumes[0]: must be an absolute path");
  }

  @Test
  void tagsAndLogsAreNotRestricted() {
    valid(
        task(
            t ->
                t.tags(Map.of("any key at all", "", "k", "v"))
                    .state(State.EXECUTOR_ERROR)
                    .addLog(TaskLog.builder().addLog(ExecutorLog.builder().exitCode(-1).build()).build())));
  }
}
