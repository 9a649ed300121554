package io.tes4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.model.OutputFileLog;
import io.tes4j.model.TesJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tes4j filer stage-in|stage-out}, end to end over file: and a real HTTP store. */
class FilerCommandTest {
  private static HttpStore http;

  @TempDir Path dir;

  @BeforeAll
  static void startServer() throws IOException {
    http = new HttpStore();
  }

  @AfterAll
  static void stopServer() {
    http.close();
  }

  private String write(String name, String content) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
    return file.toString();
  }

  /** A task with content, HTTP and file: inputs, and FILE, DIRECTORY and wildcard outputs. */
  private String task(Path shared, Path results) {
    return """
        {
          "name": "filer-test",
          "inputs": [
            { "path": "/in/hello.txt", "content": "hello from the task" },
            { "path": "/in/data.bin", "url": "%s" },
            { "path": "/in/local.txt", "url": "%s" }
          ],
          "outputs": [
            { "path": "/out/result.txt", "url": "%s", "type": "FILE" },
            { "path": "/out/copy.txt", "url": "%s", "type": "FILE" },
            { "path": "/out/*.log", "path_prefix": "/out/", "url": "%s" },
            { "path": "/out/dir", "url": "%s", "type": "DIRECTORY" }
          ],
          "volumes": ["/scratch"],
          "executors": [ { "image": "alpine:3.20", "command": ["true"] } ]
        }
        """
        .formatted(
            http.url("/inputs/data.bin"),
            shared.resolve("local.txt").toUri(),
            http.url("alice", "Filer-Pw-3", "/results/result.txt"),
            results.resolve("copy.txt").toUri(),
            http.url("/logs/"),
            results.resolve("dir").toUri());
  }

  @Test
  void stagesInputsInAndOutputsOutPrintingTheOutputLogs() throws IOException {
    http.put("/inputs/data.bin", "binary data".getBytes(StandardCharsets.UTF_8));
    Path shared = Files.createDirectories(dir.resolve("shared"));
    Files.writeString(shared.resolve("local.txt"), "from a shared disk");
    Path results = Files.createDirectories(dir.resolve("results"));
    http.protect("/results/", "alice", "Filer-Pw-3");
    String taskFile = write("task.json", task(shared, results));
    Path root = dir.resolve("work");

    CliResult in = CliResult.run(Map.of(), "filer", "stage-in", "--task", taskFile, "--root", root.toString());

    assertThat(in.code()).as(in.toString()).isZero();
    assertThat(in.out()).isEmpty();
    assertThat(in.err()).isEmpty();
    assertThat(root.resolve("in/hello.txt")).hasContent("hello from the task");
    assertThat(root.resolve("in/data.bin")).hasContent("binary data");
    assertThat(root.resolve("in/local.txt")).hasContent("from a shared disk");
    assertThat(root.resolve("scratch")).isDirectory();

    // What the executors would have written.
    Files.createDirectories(root.resolve("out/dir/nested"));
    Files.writeString(root.resolve("out/result.txt"), "the result");
    Files.writeString(root.resolve("out/copy.txt"), "a copy");
    Files.writeString(root.resolve("out/one.log"), "log one");
    Files.writeString(root.resolve("out/two.log"), "log two!");
    Files.writeString(root.resolve("out/dir/a.txt"), "a");
    Files.writeString(root.resolve("out/dir/nested/b.txt"), "bb");

    CliResult out = CliResult.run(Map.of(), "filer", "stage-out", "--task", taskFile, "--root", root.toString());

    assertThat(out.code()).as(out.toString()).isZero();
    assertThat(out.err()).isEmpty();
    List<OutputFileLog> logs = List.of(TesJson.read(out.out(), OutputFileLog[].class));
    assertThat(logs)
        .containsExactly(
            OutputFileLog.of(http.url("alice", "", "/results/result.txt").replace(":@", "@"), "/out/result.txt", 10),
            OutputFileLog.of(results.resolve("copy.txt").toUri().toString(), "/out/copy.txt", 6),
            OutputFileLog.of(http.url("/logs/one.log"), "/out/one.log", 7),
            OutputFileLog.of(http.url("/logs/two.log"), "/out/two.log", 8),
            OutputFileLog.of(results.resolve("dir/a.txt").toUri().toString(), "/out/dir/a.txt", 1),
            OutputFileLog.of(results.resolve("dir/nested/b.txt").toUri().toString(), "/out/dir/nested/b.txt", 2));
    assertThat(out.out()).doesNotContain("Filer-Pw-3");
    assertThat(http.get("/results/result.txt")).asString(StandardCharsets.UTF_8).isEqualTo("the result");
    assertThat(http.get("/logs/two.log")).asString(StandardCharsets.UTF_8).isEqualTo("log two!");
    assertThat(results.resolve("copy.txt")).hasContent("a copy");
    assertThat(results.resolve("dir/nested/b.txt")).hasContent("bb");
  }

  @Test
  void verboseNamesEveryFileMovedOnStandardError() throws IOException {
    http.put("/inputs/v.txt", "v".getBytes(StandardCharsets.UTF_8));
    String taskFile =
        write(
            "v.json",
            """
            { "inputs": [ { "path": "/in/v.txt", "url": "%s" } ],
              "executors": [ { "image": "alpine", "command": ["true"] } ] }
            """
                .formatted(http.url("/inputs/v.txt")));

    CliResult r =
        CliResult.run(Map.of(), "filer", "stage-in", "--verbose", "--task", taskFile, "--root", dir.resolve("w").toString());

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.errLines())
        .containsExactly(http.url("/inputs/v.txt") + " -> " + dir.resolve("w/in/v.txt") + " (1 bytes)");
  }

  @Test
  void anInvalidTaskExitsOneWithItsProblems() throws IOException {
    String taskFile =
        write("bad.json", "{ \"executors\": [ { \"image\": \" \", \"command\": [\"true\"] } ] }");

    CliResult r = CliResult.run(Map.of(), "filer", "stage-in", "--task", taskFile, "--root", dir.resolve("w").toString());

    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.errLines()).singleElement().asString().startsWith(taskFile + ": executors[0].image: must not be blank");
    assertThat(dir.resolve("w")).doesNotExist();

    CliResult missing =
        CliResult.run(Map.of(), "filer", "stage-out", "--task", dir.resolve("none.json").toString(), "--root", dir.toString());
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.errLines()).containsExactly(dir.resolve("none.json") + ": cannot read: no such file");
  }

  @Test
  void aFailedInputOrAMissingOutputIsOneLineNamingIt() throws IOException {
    String taskFile =
        write(
            "fail.json",
            """
            { "inputs": [ { "path": "/in/gone.txt", "url": "%s" } ],
              "outputs": [ { "path": "/out/never.txt", "url": "%s", "type": "FILE" } ],
              "executors": [ { "image": "alpine", "command": ["true"] } ] }
            """
                .formatted(http.url("/inputs/gone.txt"), http.url("/results/never.txt")));
    Path root = Files.createDirectories(dir.resolve("w"));

    CliResult in = CliResult.run(Map.of(), "filer", "stage-in", "--task", taskFile, "--root", root.toString());
    assertThat(in.code()).as(in.toString()).isEqualTo(1);
    assertThat(in.errLines()).singleElement().asString()
        .startsWith("tes4j: filer stage-in: inputs[0] (" + http.url("/inputs/gone.txt") + " → /in/gone.txt): ")
        .contains("not found");

    CliResult out = CliResult.run(Map.of(), "filer", "stage-out", "--task", taskFile, "--root", root.toString());
    assertThat(out.code()).as(out.toString()).isEqualTo(1);
    assertThat(out.out()).isEmpty();
    assertThat(out.errLines()).singleElement().asString()
        .startsWith("tes4j: filer stage-out: outputs[0]")
        .contains("/out/never.txt");
  }

  @Test
  void thePolicyOptionsHoldAtEveryHop() throws IOException {
    String target = http.url("/inputs/policy.bin");
    http.put("/inputs/policy.bin", "policy".getBytes(StandardCharsets.UTF_8));
    String byName = target.replace("127.0.0.1", "localhost");
    String taskFile =
        write(
            "policy.json",
            """
            { "inputs": [ { "path": "/in/a.bin", "url": "%s" } ],
              "executors": [ { "image": "alpine", "command": ["true"] } ] }
            """
                .formatted(byName));
    Path root = dir.resolve("policy-root");

    // A name that resolves to loopback: refused on the address connected to.
    CliResult refused = CliResult.run(Map.of(), "filer", "stage-in", "--task", taskFile, "--root", root.toString(),
        "--private-addresses", "refuse", "--allow-host", "*");
    assertThat(refused.code()).as(refused.toString()).isEqualTo(1);
    assertThat(refused.errLines()).singleElement().asString()
        .startsWith("tes4j: filer stage-in: inputs[0] (" + byName + " → /in/a.bin): refused to connect to localhost:")
        .endsWith("allow it with --allow-host localhost");
    assertThat(root.resolve("in/a.bin")).doesNotExist();

    CliResult named = CliResult.run(Map.of(), "filer", "stage-in", "--task", taskFile, "--root", root.toString(),
        "--private-addresses", "refuse", "--allow-host", "localhost");
    assertThat(named.code()).as(named.toString()).isZero();
    assertThat(root.resolve("in/a.bin")).hasContent("policy");

    CliResult scheme = CliResult.run(Map.of(), "filer", "stage-in", "--task", taskFile, "--root", root.toString(),
        "--allow-scheme", "https");
    assertThat(scheme.code()).isEqualTo(1);
    assertThat(scheme.err()).contains("the scheme 'http' is not allowed by the transfer policy; allowed: https");

    CliResult bad = CliResult.run(Map.of(), "filer", "stage-in", "--task", taskFile, "--root", root.toString(),
        "--private-addresses", "sometimes");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("invalid --private-addresses 'sometimes': use allow or refuse");
    CliResult badHost = CliResult.run(Map.of(), "filer", "stage-in", "--task", taskFile, "--root", root.toString(),
        "--allow-host", "a.*.b");
    assertThat(badHost.code()).isEqualTo(2);
    assertThat(badHost.err()).contains("--allow-host: invalid host 'a.*.b'");
  }

  @Test
  void fileRootsRestrictFileUrls() throws IOException {
    Path allowed = Files.createDirectories(dir.resolve("allowed"));
    Path secret = Files.createDirectories(dir.resolve("secret"));
    Files.writeString(secret.resolve("key.txt"), "private");
    String taskFile =
        write(
            "roots.json",
            """
            { "inputs": [ { "path": "/in/key.txt", "url": "%s" } ],
              "executors": [ { "image": "alpine", "command": ["true"] } ] }
            """
                .formatted(secret.resolve("key.txt").toUri()));
    Path root = dir.resolve("w");

    CliResult refused =
        CliResult.run(
            Map.of(), "filer", "stage-in", "--task", taskFile, "--root", root.toString(), "--file-root", allowed.toString());
    assertThat(refused.code()).as(refused.toString()).isEqualTo(1);
    assertThat(refused.errLines()).singleElement().asString()
        .startsWith("tes4j: filer stage-in: inputs[0]")
        .contains("outside the allowed file roots");
    assertThat(root.resolve("in/key.txt")).doesNotExist();

    CliResult ok =
        CliResult.run(
            Map.of(), "filer", "stage-in", "--task", taskFile, "--root", root.toString(),
            "--file-root", allowed.toString(), "--file-root", secret.toString());
    assertThat(ok.code()).as(ok.toString()).isZero();
    assertThat(root.resolve("in/key.txt")).hasContent("private");

    // Restricting the schemes keeps file: allowed under the roots, as serve does.
    CliResult schemes =
        CliResult.run(
            Map.of(), "filer", "stage-in", "--task", taskFile, "--root", dir.resolve("w2").toString(),
            "--file-root", secret.toString(), "--allow-scheme", "https");
    assertThat(schemes.code()).as(schemes.toString()).isZero();
  }

  @Test
  void theTaskCanComeFromStandardInputAndNoSubcommandIsAUsageError() throws IOException {
    String json =
        """
        { "inputs": [ { "path": "/in/x.txt", "content": "x" } ],
          "executors": [ { "image": "alpine", "command": ["true"] } ] }
        """;
    CliResult r = CliResult.runWithStdin(json, Map.of(), "filer", "stage-in", "--task", "-", "--root", dir.toString());
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(dir.resolve("in/x.txt")).hasContent("x");

    CliResult none = CliResult.run(Map.of(), "filer");
    assertThat(none.code()).isEqualTo(2);
    assertThat(none.err()).startsWith("tes4j: filer: no command given");

    CliResult noRoot = CliResult.run(Map.of(), "filer", "stage-in", "--task", "t.json");
    assertThat(noRoot.code()).isEqualTo(2);
    assertThat(noRoot.err()).contains("--root");
  }
}
