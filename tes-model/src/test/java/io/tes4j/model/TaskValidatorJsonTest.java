package io.tes4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link TaskValidator#validateJson(String)}: what a task file gets wrong, all at once, each problem
 * with its JSON path, as {@code tes validate FILE} prints it.
 */
class TaskValidatorJsonTest {

  private static final String ECHO = "{\"image\": \"alpine\", \"command\": [\"echo\", \"hi\"]}";

  private static List<Violation> validate(String json) {
    return TaskValidator.validateJson(json);
  }

  private static Violation only(String json) {
    List<Violation> violations = validate(json);
    assertThat(violations).as("violations of %s", json).hasSize(1);
    return violations.get(0);
  }

  @Test
  void aValidDocumentHasNoViolations() {
    assertThat(validate("{\"executors\": [" + ECHO + "]}")).isEmpty();
    assertThat(validate(TesJson.write(Fixtures.fullTask()))).isEmpty();
    assertThat(validate(TesJson.writePretty(Fixtures.fullTask()))).isEmpty();
  }

  @Test
  void readJsonGivesTheTaskReadInTheSamePassAndTheSameViolations() {
    String full = TesJson.write(Fixtures.fullTask());
    TaskValidator.Checked valid = TaskValidator.readJson(full);
    assertThat(valid.violations()).isEmpty();
    assertThat(valid.task()).isEqualTo(TesJson.read(full, Task.class));

    String faulty = "{\"name\": \"n\", \"nmae\": 1, \"executors\": [" + ECHO + ", {\"image\": 7}]}";
    TaskValidator.Checked checked = TaskValidator.readJson(faulty);
    assertThat(checked.violations()).isEqualTo(validate(faulty)).isNotEmpty();
    // What could be read, without the faulty values.
    assertThat(checked.task().name()).isEqualTo("n");
    assertThat(checked.task().executors().get(0).image()).isEqualTo("alpine");

    assertThat(TaskValidator.readJson("[1, 2]").task()).isNull();
  }

  @Test
  void aSyntaxErrorIsReportedAloneWithLineAndColumn() {
    String json = "{\n  \"executor\": [],\n  \"executors\": [\n    {\"image\": \"alpine\",}\n  ]\n}";

    Violation v = only(json);

    assertThat(v.path()).isEqualTo("$");
    assertThat(v.message()).startsWith("line 4, column 24: ").contains("'}'");
  }

  @Test
  void aDuplicateFieldIsASyntaxError() {
    Violation v = only("{\"executors\": [" + ECHO + "],\n \"executors\": []}");

    assertThat(v.path()).isEqualTo("$");
    assertThat(v.message()).startsWith("line 2, column ").contains("Duplicate field 'executors'");
  }

  @Test
  void trailingContentIsASyntaxError() {
    Violation v = only("{\"executors\": [" + ECHO + "]}\n{}");

    assertThat(v.path()).isEqualTo("$");
    assertThat(v.message()).startsWith("line 2, column ").contains("after the end of the JSON document");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "[]                | expected a task object ({...}), found an empty array",
        "\"task\"          | expected a task object ({...}), found a string (\"task\")",
        "42                | expected a task object ({...}), found a number (42)",
        "null              | expected a task object ({...}), found null",
      })
  void theRootMustBeAnObject(String json, String message) {
    assertThat(validate(json)).containsExactly(new Violation("$", message));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  \n "})
  void anEmptyDocumentSaysSo(String json) {
    assertThat(validate(json)).containsExactly(new Violation("$", "the document is empty; expected a task object ({...})"));
  }

  @Test
  void nullIsAProgrammingError() {
    assertThatThrownBy(() -> TaskValidator.validateJson(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void aPathPrefixOnAnInputSaysWhereItBelongs() {
    String json =
        "{\"inputs\": [{\"path\": \"/in/x\", \"url\": \"s3://b/x\", \"path_prefix\": \"/in\"}], \"executors\": [" + ECHO + "]}";

    assertThat(validate(json))
        .containsExactly(
            new Violation(
                "inputs[0].path_prefix",
                "unknown field 'path_prefix': inputs have no path_prefix (it belongs on outputs)"));
  }

  @Test
  void contentOnAnOutputSaysWhereItBelongs() {
    Violation v = only("{\"outputs\": [{\"path\": \"/o\", \"url\": \"s3://b/o\", \"content\": \"x\"}], \"executors\": [" + ECHO + "]}");

    assertThat(v).isEqualTo(new Violation("outputs[0].content", "unknown field 'content': outputs have no content (it belongs on inputs)"));
  }

  @Test
  void aMisspelledFieldListsTheAllowedOnesAndTheLikelyOne() {
    List<Violation> violations = validate("{\"executors\": [{\"image\": \"alpine\", \"comand\": [\"echo\"]}]}");

    assertThat(violations.get(0))
        .isEqualTo(
            new Violation(
                "executors[0].comand",
                "unknown field 'comand'; allowed: image, command, workdir, stdin, stdout, stderr, env, ignore_error"
                    + " (did you mean 'command'?)"));
    // And, since command is then missing, the rule says so too.
    assertThat(violations).extracting(Violation::path).containsExactly("executors[0].comand", "executors[0].command");
  }

  @ParameterizedTest
  @CsvSource({
    "executor, executors",
    "workDir, workdir",
    "Image, image",
    "ignore_errors, ignore_error",
  })
  void nearMissesSuggestTheFieldMeant(String wrong, String meant) {
    String json =
        wrong.equals("executor")
            ? "{\"executor\": [], \"executors\": [" + ECHO + "]}"
            : "{\"executors\": [{\"image\": \"alpine\", \"command\": [\"true\"], \"" + wrong + "\": \"x\"}]}";

    Violation v = validate(json).get(0);

    assertThat(v.message()).startsWith("unknown field '" + wrong + "'").endsWith("(did you mean '" + meant + "'?)");
  }

  @Test
  void aFieldNothingResemblesGetsNoGuess() {
    Violation v = only("{\"executors\": [" + ECHO + "], \"priority\": 5}");

    assertThat(v.path()).isEqualTo("priority");
    assertThat(v.message())
        .isEqualTo(
            "unknown field 'priority'; allowed: id, state, name, description, inputs, outputs, resources,"
                + " executors, volumes, tags, logs, creation_time");
  }

  @Test
  void unknownFieldsAreFoundAtAnyDepth() {
    String json =
        """
        {"executors": [{"image": "alpine", "command": ["true"]}],
         "resources": {"gpus": 1},
         "logs": [{"logs": [{"exit_code": 0, "pid": 7}], "outputs": [{"url": "u", "path": "/p", "size_bytes": "1", "md5": "x"}]}]}
        """;

    assertThat(validate(json))
        .extracting(Violation::path)
        .containsExactly("resources.gpus", "logs[0].logs[0].pid", "logs[0].outputs[0].md5");
  }

  @Test
  void camelCaseAliasesAreKnownFields() {
    String json =
        """
        {"creationTime": "2024-01-02T03:04:05Z",
         "resources": {"cpuCores": 1, "ramGb": 2, "diskGb": 3, "backendParameters": {}, "backendParametersStrict": false},
         "executors": [{"image": "alpine", "command": ["true"], "ignoreError": true}],
         "outputs": [{"path": "/w/*.txt", "pathPrefix": "/w", "url": "s3://b/"}],
         "logs": [{"startTime": "a", "endTime": "b", "systemLogs": [], "outputs": [{"url": "u", "path": "/p", "sizeBytes": "1"}],
                   "logs": [{"startTime": "a", "endTime": "b", "exitCode": 0}]}]}
        """;

    assertThat(validate(json)).isEmpty();
  }

  @Test
  void aFieldGivenUnderBothItsNamesIsReported() {
    Violation v = only("{\"executors\": [" + ECHO + "], \"resources\": {\"cpu_cores\": 1, \"cpuCores\": 2}}");

    assertThat(v)
        .isEqualTo(
            new Violation(
                "resources.cpuCores",
                "'cpuCores' and 'cpu_cores' are two names of the same field 'cpu_cores'; set it once"));
  }

  @Test
  void serverFieldsAndUnknownStatesAreAccepted() {
    String json =
        "{\"id\": \"job-1\", \"state\": \"SOME_FUTURE_STATE\", \"creation_time\": \"2024-01-02T03:04:05Z\","
            + " \"logs\": [{\"logs\": [], \"outputs\": []}], \"executors\": [" + ECHO + "]}";

    assertThat(validate(json)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"executors\": [{\"image\": \"alpine\", \"command\": \"echo hi\"}]}"
            + " | executors[0].command | expected an array of strings, found a string (\"echo hi\")",
        "{\"executors\": [{\"image\": \"alpine\", \"command\": [\"echo\", 1]}]}"
            + " | executors[0].command[1] | expected a string, found a number (1)",
        "{\"executors\": [{\"image\": \"alpine\", \"command\": [\"echo\", null]}]}"
            + " | executors[0].command[1] | expected a string, found null",
        "{\"executors\": [{\"image\": 3, \"command\": [\"true\"]}]}"
            + " | executors[0].image | expected a string, found a number (3)",
        "{\"executors\": [{\"image\": \"a\", \"command\": [\"true\"], \"ignore_error\": \"yes\"}]}"
            + " | executors[0].ignore_error | expected true or false, found a string (\"yes\")",
        "{\"executors\": {\"image\": \"alpine\"}}"
            + " | executors | expected an array of executors ([{...}]), found an object",
        "{\"executors\": [\"alpine echo hi\"]}"
            + " | executors[0] | expected an executor object ({...}), found a string (\"alpine echo hi\")",
        "{\"executors\": [{\"image\": \"a\", \"command\": [\"true\"]}], \"inputs\": [{\"path\": \"/i\", \"url\": \"s3://b\", \"type\": \"FOLDER\"}]}"
            + " | inputs[0].type | expected one of FILE, DIRECTORY, found \"FOLDER\"",
        "{\"executors\": [{\"image\": \"a\", \"command\": [\"true\"]}], \"inputs\": [{\"path\": \"/i\", \"url\": \"s3://b\", \"type\": \"file\"}]}"
            + " | inputs[0].type | expected one of FILE, DIRECTORY, found \"file\" (values are upper case: use \"FILE\")",
        "{\"executors\": [{\"image\": \"a\", \"command\": [\"true\"]}], \"resources\": {\"ram_gb\": \"8\"}}"
            + " | resources.ram_gb | expected a number, found a string (\"8\")",
        "{\"executors\": [{\"image\": \"a\", \"command\": [\"true\"]}], \"resources\": []}"
            + " | resources | expected a resources object ({...}), found an empty array",
        "{\"executors\": [{\"image\": \"a\", \"command\": [\"true\"]}], \"volumes\": \"/vol\"}"
            + " | volumes | expected an array of strings, found a string (\"/vol\")",
        "{\"executors\": [{\"image\": \"a\", \"command\": [\"true\"]}], \"tags\": [\"a\"]}"
            + " | tags | expected an object whose values are strings, found an array",
        "{\"executors\": [{\"image\": \"a\", \"command\": [\"true\"]}], \"state\": 3}"
            + " | state | expected a string, found a number (3)",
        "{\"executors\": [{\"image\": \"a\", \"command\": [\"true\"]}], \"logs\": [{\"logs\": [{\"exit_code\": 1.5}], \"outputs\": []}]}"
            + " | logs[0].logs[0].exit_code | expected a whole number (int32), found a number (1.5)",
        "{\"executors\": [{\"image\": \"a\", \"command\": [\"true\"]}], \"logs\": [{\"logs\": [], \"outputs\": [{\"url\": \"u\", \"path\": \"/p\", \"size_bytes\": \"1 KB\"}]}]}"
            + " | logs[0].outputs[0].size_bytes | expected a whole number written as a string, such as \"1024\", found a string (\"1 KB\")",
      })
  void aValueOfTheWrongTypeIsNamedWithItsPath(String json, String path, String message) {
    assertThat(validate(json)).containsExactly(new Violation(path, message));
  }

  @Test
  void sizeBytesMayBeANumberAndZonesASingleString() {
    String json =
        "{\"executors\": [" + ECHO + "], \"resources\": {\"zones\": \"us-west-1\"},"
            + " \"logs\": [{\"logs\": [], \"outputs\": [{\"url\": \"u\", \"path\": \"/p\", \"size_bytes\": 1024}]}]}";

    assertThat(validate(json)).isEmpty();
  }

  @Test
  void environmentValuesAreNeverQuoted() {
    String json =
        "{\"executors\": [{\"image\": \"a\", \"command\": [\"true\"], \"env\": \"AWS_SECRET_ACCESS_KEY=abc123\"}]}";
    String numbers = "{\"executors\": [{\"image\": \"a\", \"command\": [\"true\"], \"env\": {\"PIN\": 4711}}]}";

    assertThat(validate(json))
        .containsExactly(new Violation("executors[0].env", "expected an object whose values are strings, found a string"));
    assertThat(validate(numbers)).containsExactly(new Violation("executors[0].env.PIN", "expected a string, found a number"));
  }

  @Test
  void credentialsInQuotedUrlsAreMasked() {
    String json = "{\"executors\": [" + ECHO + "], \"inputs\": [\"s3://b/x?X-Amz-Signature=abc123\"]}";

    Violation v = only(json);

    assertThat(v.message()).contains("X-Amz-Signature=****").doesNotContain("abc123");
  }

  @Test
  void aLongValueIsCutInTheMessage() {
    String longCommand = "echo " + "x".repeat(500);

    Violation v = only("{\"executors\": [{\"image\": \"a\", \"command\": \"" + longCommand + "\"}]}");

    assertThat(v.message()).hasSizeLessThan(200).contains("...");
  }

  @Test
  void aRuleIsNotRepeatedWhereTheTypeIsAlreadyWrong() {
    // command is reported as a string; "command must not be empty" would only repeat it.
    Violation v = only("{\"executors\": [{\"image\": \"alpine\", \"command\": \"echo hi\"}]}");

    assertThat(v.path()).isEqualTo("executors[0].command");
  }

  @Test
  void indexesAfterAnElementOfTheWrongTypeStayTrue() {
    String json = "{\"executors\": [" + ECHO + "], \"inputs\": [null, {\"path\": \"in/a\", \"url\": \"s3://b/a\"}]}";

    assertThat(validate(json))
        .containsExactly(
            new Violation("inputs[0]", "expected an input object ({...}), found null"),
            new Violation(
                "inputs[1].path",
                "must be an absolute path inside the container (starting with /), was 'in/a'"));
  }

  @Test
  void everyProblemIsCollectedInOnePassThenTheRules() {
    String json =
        """
        {
          "name": "everything wrong",
          "inputs": [
            {"path": "/in/a", "url": "s3://b/a", "path_prefix": "/in", "type": "FOLDER"},
            {"path": "in/b"}
          ],
          "outputs": [{"path": "/out/*.txt", "url": "s3://b/out/"}],
          "executors": [
            {"image": "alpine", "comand": ["echo"], "env": {"1X": "a"}},
            {"image": "", "command": "ls -l"}
          ],
          "resources": {"cpu_cores": -1, "ram_gb": "lots"},
          "volumes": ["/vol/A", "rel"]
        }
        """;

    List<Violation> violations = validate(json);

    assertThat(violations)
        .extracting(Violation::toString)
        .containsExactly(
            // Structure, in document order.
            "inputs[0].path_prefix: unknown field 'path_prefix': inputs have no path_prefix (it belongs on outputs)",
            "inputs[0].type: expected one of FILE, DIRECTORY, found \"FOLDER\"",
            "executors[0].comand: unknown field 'comand'; allowed: image, command, workdir, stdin, stdout, stderr,"
                + " env, ignore_error (did you mean 'command'?)",
            "executors[1].command: expected an array of strings, found a string (\"ls -l\")",
            "resources.ram_gb: expected a number, found a string (\"lots\")",
            // Then the rules, on what could be read.
            "inputs[1]: needs url or content: url to fetch the file from (e.g. s3://bucket/file), or content to"
                + " hold the text of a small file",
            "inputs[1].path: must be an absolute path inside the container (starting with /), was 'in/b'",
            "outputs[0].path_prefix: path has wildcards, so path_prefix is required: the part of the path"
                + " stripped before appending to url; for '/out/*.txt' use '/out'",
            "resources.cpu_cores: must not be negative, was -1",
            "executors[0].command: must not be empty; give the program to run, then its arguments, e.g."
                + " [\"echo\", \"hello\"]",
            "executors[0].env[\"1X\"]: invalid environment variable name '1X': must start with a letter or"
                + " underscore and hold only letters, digits and underscores",
            "executors[1].image: must not be blank; give the container image to run, e.g. ubuntu:22.04",
            "volumes[1]: must be an absolute path inside the container (starting with /), was 'rel'");
  }

  @Test
  void itAgreesWithValidateOnTasksWrittenByTesJson() {
    Task task =
        Task.builder()
            .addInput(Input.builder().path("rel").build())
            .addExecutor(Executor.of("", "true"))
            .volumes("/v/..")
            .build();

    assertThat(validate(TesJson.write(task))).isEqualTo(TaskValidator.validate(task));
  }
}
