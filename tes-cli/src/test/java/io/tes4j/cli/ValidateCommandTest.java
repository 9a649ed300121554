package io.tes4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {
  static final String VALID =
      """
      {
        "name": "ok",
        "executors": [ { "image": "alpine:3.20", "command": ["echo", "hi"] } ]
      }
      """;

  /** Three problems: a blank image, an empty command, a relative input path. */
  static final String INVALID =
      """
      {
        "inputs": [ { "path": "relative/in.txt", "content": "x" } ],
        "executors": [ { "image": " ", "command": [] } ]
      }
      """;

  @TempDir Path dir;

  private String write(String name, String content) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, content);
    return file.toString();
  }

  @Test
  void validFilesExitZeroAndPrintNothing() throws IOException {
    String a = write("a.json", VALID);
    String b = write("b.json", VALID.replace("\"ok\"", "\"other\""));

    CliResult r = CliResult.run(Map.of(), "validate", a, b);

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEmpty();
  }

  @Test
  void verboseSaysOkOnStandardErrorOnly() throws IOException {
    String a = write("a.json", VALID);

    CliResult r = CliResult.run(Map.of(), "validate", "--verbose", a);

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).isEmpty();
    assertThat(r.errLines()).containsExactly(a + ": ok");
  }

  @Test
  void everyProblemOfAnInvalidFileIsOneLineWithFileAndPath() throws IOException {
    String bad = write("bad.json", INVALID);

    CliResult r = CliResult.run(Map.of(), "validate", bad);

    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.errLines())
        .containsExactly(
            bad
                + ": inputs[0].path: must be an absolute path inside the container (starting with"
                + " /), was 'relative/in.txt'",
            bad
                + ": executors[0].image: must not be blank; give the container image to run, e.g."
                + " ubuntu:22.04",
            bad
                + ": executors[0].command: must not be empty; give the program to run, then its"
                + " arguments, e.g. [\"echo\", \"hello\"]");
  }

  @Test
  void aValidAndAnInvalidFileExitOneAndReportOnlyTheInvalidOne() throws IOException {
    String good = write("good.json", VALID);
    String bad = write("bad.json", INVALID);

    CliResult r = CliResult.run(Map.of(), "validate", good, bad);

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.errLines()).allMatch(l -> l.startsWith(bad + ": ")).hasSize(3);
  }

  @Test
  void badJsonIsReportedWithLineAndColumn() throws IOException {
    String broken = write("broken.json", "{\n  \"executors\": [ {\"image\": \"alpine\",, } ]\n}\n");

    CliResult r = CliResult.run(Map.of(), "validate", broken);

    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(r.errLines())
        .containsExactly(
            broken
                + ": $: line 2, column 37: Unexpected character (','): was expecting double-quote"
                + " to start field name");
  }

  @Test
  void aMissingFileCannotBeRead() {
    String missing = dir.resolve("nope.json").toString();

    CliResult r = CliResult.run(Map.of(), "validate", missing);

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.errLines()).containsExactly(missing + ": cannot read: no such file");
  }

  @Test
  void aDirectoryCannotBeRead() {
    CliResult r = CliResult.run(Map.of(), "validate", dir.toString());

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.errLines()).containsExactly(dir + ": cannot read: is a directory");
  }

  @Test
  void aFileThatIsNotUtf8CannotBeRead() throws IOException {
    Path latin1 = dir.resolve("latin1.json");
    Files.write(latin1, new byte[] {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xE9, '"', '}'});

    CliResult r = CliResult.run(Map.of(), "validate", latin1.toString());

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.errLines()).containsExactly(latin1 + ": cannot read: not UTF-8 text");
  }

  @Test
  void dashReadsStandardInput() {
    CliResult ok = CliResult.runWithStdin(VALID, Map.of(), "validate", "-");
    CliResult bad = CliResult.runWithStdin(INVALID, Map.of(), "validate", "-");

    assertThat(ok.code()).as(ok.toString()).isZero();
    assertThat(ok.err()).isEmpty();
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.errLines()).hasSize(3).allMatch(l -> l.startsWith("<stdin>: "));
  }

  @Test
  void withoutFilesItIsAUsageError() {
    CliResult r = CliResult.run(Map.of(), "validate");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(2);
    assertThat(r.errLines().get(0)).startsWith("tes4j: Missing required parameter");
    assertThat(r.errLines().get(1)).isEqualTo("Try 'tes4j validate --help' for more information.");
  }

  @Test
  void everyExampleTaskIsValid() throws IOException {
    Path examples = Path.of("..", "examples", "tasks");
    List<String> files;
    try (Stream<Path> list = Files.list(examples)) {
      files = list.filter(p -> p.toString().endsWith(".json")).map(Path::toString).sorted().toList();
    }
    assertThat(files)
        .extracting(f -> Path.of(f).getFileName().toString())
        .contains("hello.json", "multi-step.json", "wildcard-outputs.json");

    CliResult r = CliResult.run(Map.of(), Stream.concat(Stream.of("validate"), files.stream()).toArray(String[]::new));

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.err()).isEmpty();
  }
}
