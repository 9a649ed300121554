package io.tes4j.backend.pulsar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.tes4j.backend.pulsar.FakePulsar.RecordedRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fake Pulsar against PULSAR.md: every route and quirk, over real HTTP on loopback, with real
 * job processes.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "job processes are managed through /proc and setsid")
class FakePulsarTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final String HTML_UTF8 = "text/html; charset=UTF-8";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private final HttpClient http = newClient();
  private final List<FakePulsar> fakes = new ArrayList<>();
  private FakePulsar pulsar;

  @BeforeEach
  void startFake() throws IOException {
    pulsar = track(FakePulsar.start(tmp.resolve("staging")));
  }

  @AfterEach
  void closeFakes() {
    fakes.forEach(FakePulsar::close);
    for (FakePulsar fake : fakes) {
      assertThat(fake.runningProcesses()).as("job processes left after close").isZero();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Conventions (§2)

  @Test
  void healthzAnswersTheVersionAsJsonLabelledTextHtml() throws Exception {
    HttpResponse<String> response = call(pulsar, "GET", "/healthz");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).contains(HTML_UTF8);
    assertThat(JSON.readTree(response.body())).isEqualTo(JSON.readTree("{\"version\": \"0.15.16.dev0\"}"));
    assertThat(pulsar.baseUrl().toString()).isEqualTo("http://127.0.0.1:" + pulsar.port() + "/");
  }

  @Test
  void privateTokenIsRequiredAsAQueryParameterOnly() throws Exception {
    FakePulsar secured = track(FakePulsar.builder(tmp.resolve("secured")).privateToken("s3cret").start());

    assertThat(call(secured, "GET", "/healthz").statusCode()).isEqualTo(401);
    assertThat(call(secured, "GET", "/healthz", "private_token", "wrong").statusCode()).isEqualTo(401);
    HttpResponse<String> withHeader = http.send(HttpRequest.newBuilder(uri(secured, "/healthz"))
        .header("private_token", "s3cret").header("X-Private-Token", "s3cret").GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(withHeader.statusCode()).as("a header is not accepted").isEqualTo(401);
    assertThat(call(secured, "POST", "/jobs", "job_id", "nope").statusCode()).isEqualTo(401);
    assertThat(secured.jobDirectory("nope")).doesNotExist();
    // Routing comes first: an unknown path is 404 even without the token.
    assertThat(call(secured, "GET", "/nowhere").statusCode()).isEqualTo(404);

    assertThat(call(secured, "GET", "/healthz", "private_token", "s3cret").statusCode()).isEqualTo(200);
    HttpResponse<String> setup = call(secured, "POST", "/jobs", "job_id", "tok", "private_token", "s3cret");
    assertThat(setup.statusCode()).isEqualTo(200);
    assertThat(secured.jobDirectory("tok")).isDirectory();
    assertThat(secured.requests()).filteredOn(r -> r.is("POST", "/jobs"))
        .extracting(r -> r.parameter("private_token")).containsExactly(null, "s3cret");
  }

  @Test
  void wrongMethodOnAKnownPathIs404AndStatusAnswersEveryMethod() throws Exception {
    assertThat(call(pulsar, "GET", "/jobs").statusCode()).isEqualTo(404);
    assertThat(call(pulsar, "GET", "/jobs/x/cancel").statusCode()).isEqualTo(404);
    assertThat(call(pulsar, "PUT", "/jobs/x/submit", "command_line", "true").statusCode()).isEqualTo(404);
    assertThat(call(pulsar, "GET", "/jobs/x").statusCode()).isEqualTo(404);
    assertThat(call(pulsar, "DELETE", "/healthz").statusCode()).isEqualTo(404);
    assertThat(call(pulsar, "GET", "/jobs/x/status/more").statusCode()).isEqualTo(404);

    for (String method : List.of("GET", "POST", "PUT", "DELETE")) {
      HttpResponse<String> status = call(pulsar, method, "/jobs/x/status");
      assertThat(status.statusCode()).as(method).isEqualTo(200);
      assertThat(JSON.readTree(status.body()).get("status").asText()).isEqualTo("lost");
    }
    // Known but unconfigured: no file cache, no object store.
    assertThat(call(pulsar, "GET", "/cache/status", "path", "/x").statusCode()).isEqualTo(500);
    assertThat(call(pulsar, "GET", "/objects/1/exists").statusCode()).isEqualTo(500);
    assertThat(pulsar.requests()).filteredOn(r -> r.route() == null).hasSize(6);
  }

  @Test
  void missingRequiredParameterIs500() throws Exception {
    assertThat(call(pulsar, "POST", "/jobs").statusCode()).isEqualTo(500);
    setup("params");
    assertThat(call(pulsar, "POST", "/jobs/params/files", "name", "a").statusCode()).isEqualTo(500);
    assertThat(call(pulsar, "GET", "/jobs/params/files").statusCode()).isEqualTo(500);
    assertThat(call(pulsar, "GET", "/jobs/params/files/path", "name", "a").statusCode()).isEqualTo(500);
    assertThat(call(pulsar, "POST", "/jobs/params/submit").statusCode()).isEqualTo(500);
    HttpResponse<String> badJson = call(pulsar, "POST", "/jobs/params/submit", "command_line", "true", "env", "[");
    assertThat(badJson.statusCode()).isEqualTo(500);
    assertThat(badJson.body()).contains("Internal Server Error");
    assertThat(status("params").get("status").asText()).isEqualTo("preprocessing");
  }

  @Test
  void managersPrefixTheRoutesAndAnUnknownManagerIs500() throws Exception {
    FakePulsar managed = track(FakePulsar.builder(tmp.resolve("managed")).manager("gpu").start());

    HttpResponse<String> setup = call(managed, "POST", "/managers/gpu/jobs", "job_id", "m1");
    assertThat(setup.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(setup.body()).get("job_directory").asText())
        .isEqualTo(managed.jobDirectory("m1").toString());
    assertThat(call(managed, "POST", "/managers/gpu/jobs/m1/submit", "command_line", "echo managed")
        .statusCode()).isEqualTo(200);
    JsonNode done = awaitDone(managed, "/managers/gpu/jobs/m1/status");
    assertThat(done.get("job_stdout").asText()).isEqualTo("managed\n");

    assertThat(call(managed, "GET", "/managers/_default_/healthz").statusCode()).isEqualTo(200);
    assertThat(call(managed, "GET", "/managers/nope/healthz").statusCode()).isEqualTo(500);
    assertThat(call(managed, "POST", "/managers/nope/jobs", "job_id", "m2").statusCode()).isEqualTo(500);
    assertThat(managed.jobDirectory("m2")).doesNotExist();
    assertThat(call(managed, "GET", "/managers/nope/nothing").statusCode()).isEqualTo(404);
    assertThat(managed.requests()).filteredOn(r -> r.is("POST", "/jobs/{job_id}/submit"))
        .extracting(RecordedRequest::manager).containsExactly("gpu");
  }

  // ---------------------------------------------------------------------------------------------
  // Setup, files (§3.1, §3.2, §3.7)

  @Test
  void setupCreatesTheJobDirectoryAndAnswersItsConfig() throws Exception {
    HttpResponse<String> response = call(pulsar, "POST", "/jobs", "job_id", "j1", "use_metadata", "true");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).contains(HTML_UTF8);
    Path job = pulsar.jobDirectory("j1");
    String root = job.toString();
    ObjectNode expected = JSON.createObjectNode();
    expected.put("job_directory", root);
    expected.put("working_directory", root + "/working");
    expected.put("metadata_directory", root + "/metadata");
    expected.put("outputs_directory", root + "/outputs");
    expected.put("configs_directory", root + "/configs");
    expected.put("tools_directory", root + "/tool_files");
    expected.put("inputs_directory", root + "/inputs");
    expected.put("unstructured_files_directory", root + "/unstructured");
    expected.put("path_separator", "/");
    expected.put("job_id", "j1");
    expected.set("system_properties", JSON.createObjectNode().put("separator", "/"));
    expected.put("pulsar_version", "0.15.16.dev0");
    expected.putNull("preserve_galaxy_python_environment");
    assertThat(JSON.readTree(response.body())).isEqualTo(expected);
    assertThat(Path.of(root)).isAbsolute();
    for (String directory : List.of("inputs", "working", "outputs", "configs", "tool_files", "metadata")) {
      assertThat(job.resolve(directory)).isDirectory();
    }
    assertThat(job.resolve("unstructured")).doesNotExist();
    assertThat(job.resolve("tool_id")).hasContent("\"\"");

    JsonNode status = status("j1");
    assertThat(status.get("complete").isTextual()).isTrue();
    assertThat(status).isEqualTo(JSON.readTree("{\"complete\":\"false\",\"status\":\"preprocessing\",\"job_id\":\"j1\"}"));

    // Setting up again neither fails nor resets the job.
    upload("j1", "input", "kept.txt", "kept".getBytes(StandardCharsets.UTF_8));
    JsonNode again = JSON.readTree(call(pulsar, "POST", "/jobs", "job_id", "j1", "tool_id", "cat1").body());
    assertThat(again.get("tool_id").asText()).isEqualTo("cat1");
    assertThat(job.resolve("inputs/kept.txt")).hasContent("kept");
  }

  @Test
  void uploadsGoWhereTheirTypeSaysNestedOrFlattened() throws Exception {
    setup("up");
    Path job = pulsar.jobDirectory("up");

    assertThat(upload("up", "input", "a/b/c.txt", bytes("nested"))).isEqualTo(job + "/inputs/a/b/c.txt");
    assertThat(job.resolve("inputs/a/b/c.txt")).hasContent("nested");
    assertThat(upload("up", "input", "/abs/x.txt", bytes("x"))).isEqualTo(job + "/inputs/abs/x.txt");
    assertThat(upload("up", "unstructured", "u/v.txt", bytes("u"))).isEqualTo(job + "/unstructured/u/v.txt");
    assertThat(upload("up", "tool", "t/tool.xml", bytes("t"))).isEqualTo(job + "/tool_files/t/tool.xml");
    assertThat(upload("up", "metadata", "m/n.json", bytes("m"))).isEqualTo(job + "/metadata/m/n.json");
    assertThat(upload("up", "config", "../../evil.txt", bytes("c"))).isEqualTo(job + "/configs/evil.txt");
    assertThat(job.resolve("configs/evil.txt")).hasContent("c");
    assertThat(upload("up", "workdir", "x/y.txt", bytes("w"))).isEqualTo(job + "/working/y.txt");
    assertThat(upload("up", "jobdir", "d/e.txt", bytes("j"))).isEqualTo(job + "/e.txt");

    HttpResponse<String> escape = post(uri(pulsar, "/jobs/up/files", "name", "../../evil.txt", "type", "input"),
        bytes("evil"));
    assertThat(escape.statusCode()).isEqualTo(500);
    assertThat(tmp.resolve("staging/evil.txt")).doesNotExist();
    assertThat(job.resolve("evil.txt")).doesNotExist();
    HttpResponse<String> unknownType = post(uri(pulsar, "/jobs/up/files", "name", "f", "type", "bogus"),
        bytes("f"));
    assertThat(unknownType.statusCode()).isEqualTo(500);

    JsonNode path = JSON.readTree(call(pulsar, "GET", "/jobs/up/files/path", "name", "p/q.txt", "type", "input").body());
    assertThat(path.get("path").asText()).isEqualTo(job + "/inputs/p/q.txt");
    JsonNode outputPath = JSON.readTree(call(pulsar, "GET", "/jobs/up/files/path", "name", "r/s", "type", "output").body());
    assertThat(outputPath.get("path").asText()).isEqualTo(job + "/outputs/r/s");
  }

  @Test
  void binaryFilesRoundTripAndMissingDownloadsAre500() throws Exception {
    setup("bin");
    byte[] data = new byte[2 * 1024 * 1024];
    new Random(42).nextBytes(data);
    upload("bin", "output", "sub/data.bin", data);

    HttpResponse<byte[]> download = download(uri(pulsar, "/jobs/bin/files", "name", "sub/data.bin", "type", "output"));
    assertThat(download.statusCode()).isEqualTo(200);
    assertThat(download.headers().firstValue("Content-Length")).as("streamed").isEmpty();
    assertThat(download.body().length).isEqualTo(data.length);
    assertThat(Arrays.equals(download.body(), data)).as("byte-identical").isTrue();
    // type defaults to output
    HttpResponse<byte[]> defaultType = download(uri(pulsar, "/jobs/bin/files", "name", "sub/data.bin"));
    assertThat(Arrays.equals(defaultType.body(), data)).as("byte-identical").isTrue();

    assertThat(call(pulsar, "GET", "/jobs/bin/files", "name", "nothing.txt").statusCode()).isEqualTo(500);
    assertThat(call(pulsar, "GET", "/jobs/never/files", "name", "x").statusCode()).isEqualTo(500);
    upload("bin", "input", "secret.txt", bytes("secret"));
    assertThat(call(pulsar, "GET", "/jobs/bin/files", "name", "../inputs/secret.txt").statusCode())
        .as("escape").isEqualTo(500);
    assertThatThrownBy(() -> call(newClient(), pulsar, "GET", "/jobs/bin/files", "name", "sub"))
        .as("a directory is an OSError: the connection is dropped").isInstanceOf(IOException.class);
  }

  // ---------------------------------------------------------------------------------------------
  // Submit and run (§3.3, §3.4, §4, §5)

  @Test
  void submitRunsTheCommandLineOfTheQueryToComplete() throws Exception {
    setup("run");
    HttpResponse<String> submitted = submit("run",
        "echo hello; echo to-stderr >&2; pwd; mkdir -p ../outputs/sub; echo o > ../outputs/sub/o.txt; echo w > w.txt");
    assertThat(submitted.statusCode()).isEqualTo(200);
    assertThat(submitted.body()).isEqualTo("OK");
    assertThat(submitted.headers().firstValue("Content-Type")).contains(HTML_UTF8);

    JsonNode done = awaitDone("run");
    Path job = pulsar.jobDirectory("run");
    assertThat(done.get("status").asText()).isEqualTo("complete");
    assertThat(done.get("complete").asText()).isEqualTo("true");
    assertThat(done.get("returncode").isInt()).isTrue();
    assertThat(done.get("returncode").asInt()).isZero();
    assertThat(done.get("job_stdout").asText()).isEqualTo("hello\n" + job + "/working\n");
    assertThat(done.get("job_stderr").asText()).isEqualTo("to-stderr\n");
    assertThat(done.get("stdout").asText()).isEmpty();
    assertThat(done.get("stderr").asText()).isEmpty();
    assertThat(done.get("job_id").asText()).isEqualTo("run");
    assertThat(done.get("working_directory").asText()).isEqualTo(job + "/working");
    assertThat(done.get("metadata_directory").asText()).isEqualTo(job + "/metadata");
    assertThat(done.get("job_directory").asText()).isEqualTo(job.toString());
    assertThat(strings(done.get("working_directory_contents"))).containsExactly("w.txt");
    assertThat(strings(done.get("outputs_directory_contents"))).containsExactly("sub/o.txt");
    assertThat(strings(done.get("metadata_directory_contents"))).contains("job_stdout", "job_stderr");
    assertThat(strings(done.get("job_directory_contents"))).contains("command.sh", "return_code", "metadata",
        "working", "working.orig", "outputs.orig", "configs.orig", "launch_config", "preprocessed",
        "final_status", "postprocessed", "tool_id", "home", "tmp").doesNotContain("pid", "submitted");
    assertThat(done.get("system_properties")).isEqualTo(JSON.readTree("{\"separator\":\"/\"}"));
    assertThat(done.get("pulsar_version").asText()).isEqualTo("0.15.16.dev0");
    assertThat(done.get("realized_dynamic_file_sources")).isEmpty();
    assertThat(job.resolve("return_code")).hasContent("0");
    assertThat(job.resolve("final_status")).hasContent("\"complete\"");
    assertThat(Files.readString(job.resolve("command.sh")))
        .startsWith("#!/bin/bash")
        .contains("cd '" + job + "/working'")
        .contains("; return_code=$?; echo $return_code > '" + job + "/return_code';");

    HttpResponse<String> jobStdout = call(pulsar, "GET", "/jobs/run/files", "name", "job_stdout",
        "type", "output_metadata");
    assertThat(jobStdout.body()).startsWith("hello\n");
    assertThat(call(pulsar, "GET", "/jobs/run/files", "name", "w.txt", "type", "output_workdir").body())
        .isEqualTo("w\n");
    assertThat(call(pulsar, "GET", "/jobs/run/files", "name", "return_code", "type", "output_jobdir")
        .statusCode()).as("the job directory root cannot be downloaded").isEqualTo(500);
  }

  @Test
  void theFirstStatusAfterTheProcessEndsIsPostprocessing() throws Exception {
    setup("post");
    submit("post", "true");

    List<String> seen = new ArrayList<>();
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (seen.isEmpty() || !seen.get(seen.size() - 1).equals("complete")) {
      assertThat(System.nanoTime()).as("complete within the timeout, saw %s", seen).isLessThan(deadline);
      JsonNode status = status("post");
      String value = status.get("status").asText();
      assertThat(status.get("complete").asText()).isEqualTo(value.equals("complete") ? "true" : "false");
      if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(value)) {
        seen.add(value);
      }
      Thread.sleep(10);
    }
    assertThat(seen).containsSubsequence("postprocessing", "complete");
    assertThat(seen.get(seen.size() - 2)).isEqualTo("postprocessing");
    assertThat(seen).doesNotContain("preprocessing", "failed", "cancelled", "lost");
  }

  @Test
  void aNonZeroExitIsStillCompleteWithItsReturnCode() throws Exception {
    setup("rc3");
    submit("rc3", "(exit 3)");
    setup("exit5");
    submit("exit5", "echo before; exit 5");

    JsonNode rc3 = awaitDone("rc3");
    assertThat(rc3.get("status").asText()).isEqualTo("complete");
    assertThat(rc3.get("returncode").asInt()).isEqualTo(3);
    // exit leaves the script before it writes return_code: the process's status is recorded instead.
    JsonNode exit5 = awaitDone("exit5");
    assertThat(exit5.get("status").asText()).isEqualTo("complete");
    assertThat(exit5.get("returncode").asInt()).isEqualTo(5);
    assertThat(exit5.get("job_stdout").asText()).isEqualTo("before\n");
  }

  @Test
  void envEntriesAreExportedAndTheEnvironmentIsClean() throws Exception {
    FakePulsar withEnv = track(FakePulsar.builder(tmp.resolve("env"))
        .environment(Map.of("EXTRA_VAR", "extra-value")).start());
    ArrayNode env = JSON.createArrayNode();
    env.addObject().put("name", "GREETING").put("value", "say \"hi\" to $LC_CTYPE");
    env.addObject().put("name", "RAW_ONE").put("value", "$EXTRA_VAR").put("raw", true);
    env.addObject().put("execute", "EXECUTED=yes; export EXECUTED");
    call(withEnv, "POST", "/jobs", "job_id", "env");
    call(withEnv, "POST", "/jobs/env/submit", "command_line",
        "printf '%s|%s|%s|%s\\n' \"$GREETING\" \"$RAW_ONE\" \"$EXECUTED\" \"$EXTRA_VAR\"; env -0 > ../metadata/env",
        "env", env.toString());

    JsonNode done = awaitDone(withEnv, "/jobs/env/status");
    assertThat(done.get("job_stdout").asText()).isEqualTo("say \"hi\" to C.UTF-8|extra-value|yes|extra-value\n");
    Set<String> names = new HashSet<>();
    for (String entry : Files.readString(withEnv.jobDirectory("env").resolve("metadata/env")).split("\0")) {
      names.add(entry.substring(0, entry.indexOf('=')));
    }
    assertThat(names).contains("HOME", "PATH", "TMPDIR", "LC_CTYPE", "EXTRA_VAR", "GREETING")
        .isSubsetOf("HOME", "PATH", "TMPDIR", "LC_CTYPE", "EXTRA_VAR", "GREETING", "RAW_ONE", "EXECUTED",
            "_GALAXY_JOB_HOME_DIR", "_GALAXY_JOB_TMP_DIR", "PWD", "OLDPWD", "SHLVL", "_");
    Path job = withEnv.jobDirectory("env");
    assertThat(Files.readString(job.resolve("command.sh")))
        .contains("GREETING=\"say \\\"hi\\\" to $LC_CTYPE\"; export GREETING")
        .contains("RAW_ONE=$EXTRA_VAR; export RAW_ONE");
  }

  @Test
  void aBadEnvEntryFailsTheJobNotTheRequest() throws Exception {
    setup("badenv");
    HttpResponse<String> response = call(pulsar, "POST", "/jobs/badenv/submit", "command_line", "true",
        "env", "[{\"value\": \"no name\"}]");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode done = status("badenv");
    assertThat(done.get("status").asText()).isEqualTo("failed");
    assertThat(done.get("returncode").asInt()).isEqualTo(1);
    assertThat(pulsar.jobDirectory("badenv").resolve("stderr")).hasContent("'name'");
  }

  @Test
  void theStreamsOfAStatusAreCutToTheMaximumStreamSize() throws Exception {
    FakePulsar small = track(FakePulsar.builder(tmp.resolve("small")).maximumStreamSize(10).start());
    call(small, "POST", "/jobs", "job_id", "s");
    call(small, "POST", "/jobs/s/submit", "command_line",
        "printf 0123456789abcdef; printf 'E%.0s' {1..20} >&2; echo out > ../metadata/tool_stdout;"
            + " echo err > ../metadata/tool_stderr");

    JsonNode done = awaitDone(small, "/jobs/s/status");
    assertThat(done.get("job_stdout").asText()).isEqualTo("0123456789");
    assertThat(done.get("job_stderr").asText()).isEqualTo("EEEEEEEEEE");
    assertThat(done.get("stdout").asText()).isEqualTo("out\n");
    assertThat(done.get("stderr").asText()).isEqualTo("err\n");
  }

  @Test
  void aFormBodyIsIgnoredSoSubmitWithoutTheQueryIs500() throws Exception {
    setup("form");
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri(pulsar, "/jobs/form/submit"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("command_line=echo+hi")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(status("form").get("status").asText()).isEqualTo("preprocessing");
    assertThat(pulsar.jobDirectory("form").resolve("command.sh")).doesNotExist();
  }

  @Test
  void submitOfAJobNeverSetUpDropsTheConnection() {
    assertThatThrownBy(() -> call(newClient(), pulsar, "POST", "/jobs/ghost/submit", "command_line", "echo boo"))
        .isInstanceOf(IOException.class);
    assertThat(pulsar.jobDirectory("ghost")).doesNotExist();
    assertThat(pulsar.requests()).filteredOn(r -> r.is("POST", "/jobs/{job_id}/submit")).hasSize(1);
  }

  @Test
  void setupParamsSetTheJobUpInsideSubmit() throws Exception {
    HttpResponse<String> response = call(pulsar, "POST", "/jobs/oneshot/submit",
        "command_line", "echo __PULSAR_JOBS_DIRECTORY__", "setup_params", "{\"job_id\": \"oneshot\"}");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode done = awaitDone("oneshot");
    assertThat(done.get("returncode").asInt()).isZero();
    assertThat(done.get("job_stdout").asText()).isEqualTo(pulsar.stagingDirectory() + "\n");
  }

  @Test
  void aSecondSubmitOfAStartedOrFinishedJobIsIgnored() throws Exception {
    setup("twice");
    submit("twice", "echo first");
    awaitDone("twice");

    HttpResponse<String> again = submit("twice", "echo second");
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.body()).isEqualTo("OK");
    assertThat(Files.readString(pulsar.jobDirectory("twice").resolve("command.sh"))).doesNotContain("second");
    Thread.sleep(100);
    JsonNode status = status("twice");
    assertThat(status.get("job_stdout").asText()).isEqualTo("first\n");

    setup("busy");
    submit("busy", "while [ ! -e ../metadata/go ]; do sleep 0.02; done; echo busy");
    awaitStatus("busy", "running");
    assertThat(submit("busy", "echo other").body()).isEqualTo("OK");
    Files.writeString(pulsar.jobDirectory("busy").resolve("metadata/go"), "");
    assertThat(awaitDone("busy").get("job_stdout").asText()).isEqualTo("busy\n");
    assertThat(pulsar.requests()).filteredOn(r -> r.is("POST", "/jobs/{job_id}/submit")).hasSize(4);
  }

  @Test
  void aRunningJobHasAPidFileAndItsOwnProcessGroup() throws Exception {
    setup("pid");
    submit("pid", "while [ ! -e ../metadata/go ]; do sleep 0.02; done");
    awaitStatus("pid", "running");

    Path job = pulsar.jobDirectory("pid");
    long pid = awaitPid(pulsar, "pid");
    assertThat(FakePulsar.processGroup(pid)).as("setsid: the job leads its own process group").isEqualTo(pid);
    assertThat(job.resolve("running")).hasContent("true");
    assertThat(job.resolve("submitted")).exists();
    assertThat(pulsar.runningProcesses()).isEqualTo(1);

    Files.writeString(job.resolve("metadata/go"), "");
    assertThat(awaitDone("pid").get("returncode").asInt()).isZero();
    assertThat(job.resolve("pid")).doesNotExist();
    assertThat(pulsar.runningProcesses()).isZero();
  }

  // ---------------------------------------------------------------------------------------------
  // Cancel, clean, lost (§3.5, §3.6)

  @Test
  void cancelKillsARunningJobAndItsChildren() throws Exception {
    setup("sleeper");
    submit("sleeper", "sleep 60 & echo $! > ../metadata/child.pid; wait");
    awaitStatus("sleeper", "running");
    Path childFile = pulsar.jobDirectory("sleeper").resolve("metadata/child.pid");
    await("the child's pid is written", () -> readableLong(childFile) > 0);
    long child = readableLong(childFile);
    long pid = awaitPid(pulsar, "sleeper");
    assertThat(FakePulsar.isRunning(child)).isTrue();

    HttpResponse<String> cancel = call(pulsar, "PUT", "/jobs/sleeper/cancel");
    assertThat(cancel.statusCode()).isEqualTo(200);
    assertThat(cancel.body()).isEqualTo("OK");

    JsonNode status = status("sleeper");
    assertThat(status.get("status").asText()).isEqualTo("cancelled");
    assertThat(status.get("complete").asText()).isEqualTo("true");
    assertThat(status.get("returncode").asInt()).isEqualTo(-9);
    await("the job process is gone", () -> !FakePulsar.isRunning(pid));
    await("its sleep child is gone", () -> !FakePulsar.isRunning(child));
    assertThat(pulsar.runningProcesses()).isZero();
    assertThat(pulsar.jobDirectory("sleeper").resolve("cancelled")).hasContent("true");
  }

  @Test
  void cancelWhilePreprocessingIsANoOpSoTheJobStillRuns() throws Exception {
    setup("early");
    assertThat(call(pulsar, "PUT", "/jobs/early/cancel").body()).isEqualTo("OK");
    assertThat(status("early").get("status").asText()).isEqualTo("preprocessing");
    assertThat(pulsar.jobDirectory("early").resolve("cancelled")).doesNotExist();

    submit("early", "echo ran");
    JsonNode done = awaitDone("early");
    assertThat(done.get("status").asText()).isEqualTo("complete");
    assertThat(done.get("job_stdout").asText()).isEqualTo("ran\n");
  }

  @Test
  void cancelOfAFinishedOrUnknownJobChangesNothing() throws Exception {
    setup("finished");
    submit("finished", "echo fine");
    awaitDone("finished");

    assertThat(call(pulsar, "PUT", "/jobs/finished/cancel").body()).isEqualTo("OK");
    JsonNode status = status("finished");
    assertThat(status.get("status").asText()).isEqualTo("complete");
    assertThat(status.get("returncode").asInt()).isZero();

    HttpResponse<String> unknown = call(pulsar, "PUT", "/jobs/unknown/cancel");
    assertThat(unknown.statusCode()).isEqualTo(200);
    assertThat(unknown.body()).isEqualTo("OK");
    assertThat(pulsar.jobDirectory("unknown")).doesNotExist();
  }

  @Test
  void deleteRemovesTheJobDirectoryWithoutKillingAndTheJobIsThenLost() throws Exception {
    setup("gone");
    submit("gone", "touch ../metadata/started; sleep 60");
    // Not just "running": until the command starts, the script's own mkdir -p would recreate the
    // directory a clean removes (so would Pulsar's).
    await("the command runs", () -> Files.exists(pulsar.jobDirectory("gone").resolve("metadata/started")));
    long pid = awaitPid(pulsar, "gone");

    HttpResponse<String> delete = call(pulsar, "DELETE", "/jobs/gone");
    assertThat(delete.statusCode()).isEqualTo(200);
    assertThat(delete.body()).isEqualTo("OK");
    assertThat(pulsar.jobDirectory("gone")).doesNotExist();
    assertThat(status("gone").get("status").asText()).isEqualTo("lost");
    assertThat(FakePulsar.isRunning(pid)).as("clean does not kill").isTrue();
    assertThat(pulsar.runningProcesses()).isEqualTo(1);

    assertThat(call(pulsar, "DELETE", "/jobs/never-there").body()).isEqualTo("OK");
    pulsar.close();
    assertThat(FakePulsar.isRunning(pid)).as("close kills what the fake started").isFalse();
    assertThat(pulsar.runningProcesses()).isZero();
  }

  @Test
  void anUnknownJobIsLostNotNotFound() throws Exception {
    HttpResponse<String> response = call(pulsar, "GET", "/jobs/nobody/status");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode lost = JSON.readTree(response.body());
    assertThat(lost.get("complete").asText()).isEqualTo("true");
    assertThat(lost.get("status").asText()).isEqualTo("lost");
    assertThat(lost.get("returncode").isNull()).isTrue();
    assertThat(lost.get("job_stdout").asText()).isEmpty();
    assertThat(lost.get("stdout").asText()).isEmpty();
    assertThat(lost.get("job_directory").asText()).isEqualTo(pulsar.jobDirectory("nobody").toString());
    assertThat(lost.get("job_directory_contents")).isEmpty();
    assertThat(lost.get("working_directory_contents")).isEmpty();
    assertThat(lost.get("pulsar_version").asText()).isEqualTo("0.15.16.dev0");
  }

  // ---------------------------------------------------------------------------------------------
  // Remote staging (§6)

  @Test
  void remoteStagingWritesMessagesBeforeTheJobRuns() throws Exception {
    setup("msg");
    ArrayNode setup = JSON.createArrayNode();
    setup.addObject().put("name", "in.txt").put("type", "input")
        .putObject("action").put("action_type", "message").put("contents", "héllo\n");
    setup.addObject().put("name", "cfg/x.conf").put("type", "config")
        .putObject("action").put("action_type", "message").put("contents", "k=v");
    ObjectNode staging = JSON.createObjectNode();
    staging.set("setup", setup);

    call(pulsar, "POST", "/jobs/msg/submit", "command_line", "cat ../inputs/in.txt ../configs/x.conf",
        "remote_staging", staging.toString());

    JsonNode done = awaitDone("msg");
    assertThat(done.get("returncode").asInt()).isZero();
    assertThat(done.get("job_stdout").asText()).isEqualTo("héllo\nk=v");
    assertThat(pulsar.jobDirectory("msg").resolve("inputs/in.txt")).hasContent("héllo\n");
  }

  @Test
  void remoteTransfersDownloadFromLoopbackAndCancelWaitsForThem() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    HttpServer files = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    files.createContext("/", exchange -> {
      try (exchange) {
        String path = exchange.getRequestURI().getPath();
        if (path.equals("/slow")) {
          release.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        if (path.equals("/missing")) {
          exchange.sendResponseHeaders(404, -1);
          return;
        }
        byte[] body = ("payload of " + path).getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    files.start();
    String base = "http://127.0.0.1:" + files.getAddress().getPort();
    try {
      setup("fetched");
      submitStaged("fetched", "cat ../inputs/dl.txt", transfer("dl.txt", base + "/data", true, false));
      JsonNode done = awaitDone("fetched");
      assertThat(done.get("returncode").asInt()).isZero();
      assertThat(done.get("job_stdout").asText()).isEqualTo("payload of /data");

      setup("held");
      submitStaged("held", "cat ../inputs/held.txt", transfer("held.txt", base + "/slow", true, false));
      assertThat(status("held").get("status").asText()).isEqualTo("preprocessing");
      assertThat(call(pulsar, "PUT", "/jobs/held/cancel").body()).isEqualTo("OK");
      assertThat(status("held").get("status").asText()).isEqualTo("preprocessing");
      release.countDown();
      JsonNode held = awaitDone("held");
      assertThat(held.get("status").asText()).as("the cancel was a no-op").isEqualTo("complete");
      assertThat(held.get("job_stdout").asText()).isEqualTo("payload of /slow");

      setup("missing");
      submitStaged("missing", "echo never", transfer("m.txt", base + "/missing", true, false));
      JsonNode failed = awaitDone("missing");
      assertThat(failed.get("status").asText()).isEqualTo("failed");
      assertThat(failed.get("returncode").asInt()).isEqualTo(1);
      assertThat(failed.get("stderr").asText()).isEmpty();
      assertThat(failed.get("job_stderr").asText()).isEmpty();
      assertThat(Files.readString(pulsar.jobDirectory("missing").resolve("stderr"))).contains("404");
      assertThat(pulsar.jobDirectory("missing").resolve("inputs/m.txt")).doesNotExist();

      setup("nopath");
      submitStaged("nopath", "echo never", transfer("n.txt", base + "/data", false, true));
      JsonNode noPath = awaitDone("nopath");
      assertThat(noPath.get("status").asText()).isEqualTo("failed");
      assertThat(pulsar.jobDirectory("nopath").resolve("stderr")).hasContent("'path'");
    } finally {
      release.countDown();
      files.stop(0);
    }
  }

  @Test
  void remoteTransfersElsewhereThanLoopbackFailTheJob() throws Exception {
    setup("far");
    // 192.0.2.0/24 is TEST-NET-1: the fake must refuse it before any traffic.
    submitStaged("far", "echo never", transfer("f.txt", "http://192.0.2.1/file", true, false));

    JsonNode failed = awaitDone("far");
    assertThat(failed.get("status").asText()).isEqualTo("failed");
    assertThat(Files.readString(pulsar.jobDirectory("far").resolve("stderr"))).contains("loopback");
  }

  // ---------------------------------------------------------------------------------------------
  // Fault injection

  @Test
  void failNextAnswers500ThenServesAgain() throws Exception {
    pulsar.failNext(2);

    for (int i = 0; i < 2; i++) {
      HttpResponse<String> failed = call(pulsar, "GET", "/healthz");
      assertThat(failed.statusCode()).isEqualTo(500);
      assertThat(failed.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
      assertThat(failed.body()).contains("<html>").contains("Internal Server Error");
    }
    assertThat(call(pulsar, "GET", "/healthz").statusCode()).isEqualTo(200);
    assertThat(pulsar.requests()).hasSize(3).allMatch(r -> r.is("GET", "/healthz"));
  }

  @Test
  void dropNextClosesTheConnectionWithoutAnAnswer() throws Exception {
    pulsar.dropNext(1);

    assertThatThrownBy(() -> call(newClient(), pulsar, "PUT", "/jobs/any/cancel")).isInstanceOf(IOException.class);
    assertThat(call(newClient(), pulsar, "PUT", "/jobs/any/cancel").body()).isEqualTo("OK");
    assertThat(pulsar.requests()).hasSize(2).allMatch(r -> r.is("PUT", "/jobs/{job_id}/cancel"));
  }

  @Test
  void delayHoldsEveryRequest() throws Exception {
    call(pulsar, "GET", "/healthz"); // a warm client, so that only the delay is measured
    pulsar.delay(Duration.ofMillis(400));
    long start = System.nanoTime();
    assertThat(call(pulsar, "GET", "/healthz").statusCode()).isEqualTo(200);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));

    pulsar.delay(Duration.ZERO);
    start = System.nanoTime();
    call(pulsar, "GET", "/healthz");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(400));
  }

  // ---------------------------------------------------------------------------------------------
  // Restart

  @Test
  void aRestartedFakeOnTheSameDirectoryAndPortKeepsTheJobs() throws Exception {
    Path staging = tmp.resolve("restart");
    FakePulsar first = track(FakePulsar.start(staging));
    int port = first.port();
    call(first, "POST", "/jobs", "job_id", "done");
    call(first, "POST", "/jobs/done/submit", "command_line", "echo done");
    awaitDone(first, "/jobs/done/status");
    call(first, "POST", "/jobs", "job_id", "waiting");
    call(first, "POST", "/jobs", "job_id", "late");
    call(first, "POST", "/jobs/late/submit", "command_line",
        "while [ ! -e ../metadata/go ]; do sleep 0.02; done; echo late; (exit 7)");
    call(first, "POST", "/jobs", "job_id", "adopted");
    call(first, "POST", "/jobs/adopted/submit", "command_line", "sleep 60");
    await("both jobs run", () -> statusOf(first, "late").equals("running") && statusOf(first, "adopted").equals("running"));

    first.close(false);
    assertThatThrownBy(() -> call(newClient(), first, "GET", "/healthz")).isInstanceOf(IOException.class);
    FakePulsar second = track(FakePulsar.start(staging, port));

    assertThat(second.baseUrl()).isEqualTo(first.baseUrl());
    assertThat(second.runningProcesses()).as("the processes outlived the first fake").isEqualTo(2);
    JsonNode done = JSON.readTree(call(second, "GET", "/jobs/done/status").body());
    assertThat(done.get("status").asText()).isEqualTo("complete");
    assertThat(done.get("returncode").asInt()).isZero();
    assertThat(done.get("job_stdout").asText()).isEqualTo("done\n");
    assertThat(statusOf(second, "waiting")).isEqualTo("preprocessing");
    assertThat(statusOf(second, "late")).isEqualTo("running");

    Files.writeString(second.jobDirectory("late").resolve("metadata/go"), "");
    // As in Pulsar: the process ends, but its pid file stays, which only the first fake's monitor
    // would have removed, so the job says running for ever; a cancel ends it.
    await("the late job's script ends", () -> Files.exists(second.jobDirectory("late").resolve("return_code")));
    assertThat(statusOf(second, "late")).isEqualTo("running");
    assertThat(call(second, "PUT", "/jobs/late/cancel").body()).isEqualTo("OK");
    JsonNode late = JSON.readTree(call(second, "GET", "/jobs/late/status").body());
    assertThat(late.get("status").asText()).isEqualTo("cancelled");
    assertThat(late.get("job_stdout").asText()).isEqualTo("late\n");

    assertThat(call(second, "PUT", "/jobs/adopted/cancel").body()).isEqualTo("OK");
    JsonNode adopted = JSON.readTree(call(second, "GET", "/jobs/adopted/status").body());
    assertThat(adopted.get("status").asText()).isEqualTo("cancelled");
    assertThat(adopted.get("returncode").asInt()).isEqualTo(-9);
    assertThat(second.runningProcesses()).isZero();

    // The restarted fake runs new jobs as well.
    call(second, "POST", "/jobs/waiting/submit", "command_line", "echo finally");
    assertThat(awaitDone(second, "/jobs/waiting/status").get("job_stdout").asText()).isEqualTo("finally\n");
  }

  @Test
  void closeKillsTheJobProcesses() throws Exception {
    setup("killed");
    submit("killed", "sleep 60");
    awaitStatus("killed", "running");
    long pid = awaitPid(pulsar, "killed");
    assertThat(pulsar.runningProcesses()).isEqualTo(1);

    pulsar.close();

    assertThat(FakePulsar.isRunning(pid)).isFalse();
    assertThat(pulsar.runningProcesses()).isZero();
    assertThatThrownBy(() -> call(newClient(), pulsar, "GET", "/healthz")).isInstanceOf(IOException.class);
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private FakePulsar track(FakePulsar fake) {
    fakes.add(fake);
    return fake;
  }

  private static HttpClient newClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .proxy(HttpClient.Builder.NO_PROXY)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  private static URI uri(FakePulsar fake, String path, String... parameters) {
    StringJoiner query = new StringJoiner("&");
    for (int i = 0; i < parameters.length; i += 2) {
      query.add(URLEncoder.encode(parameters[i], StandardCharsets.UTF_8) + "="
          + URLEncoder.encode(parameters[i + 1], StandardCharsets.UTF_8));
    }
    String base = fake.baseUrl().toString();
    return URI.create(base.substring(0, base.length() - 1) + path
        + (parameters.length == 0 ? "" : "?" + query));
  }

  private HttpResponse<String> call(FakePulsar fake, String method, String path, String... parameters)
      throws IOException, InterruptedException {
    return call(http, fake, method, path, parameters);
  }

  private static HttpResponse<String> call(HttpClient client, FakePulsar fake, String method, String path,
      String... parameters) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(uri(fake, path, parameters))
        .timeout(TIMEOUT)
        .method(method, HttpRequest.BodyPublishers.noBody())
        .build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(URI uri, byte[] body) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<byte[]> download(URI uri) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private void setup(String jobId) throws IOException, InterruptedException {
    assertThat(call(pulsar, "POST", "/jobs", "job_id", jobId).statusCode()).isEqualTo(200);
  }

  private HttpResponse<String> submit(String jobId, String commandLine) throws IOException, InterruptedException {
    return call(pulsar, "POST", "/jobs/" + jobId + "/submit", "command_line", commandLine);
  }

  private void submitStaged(String jobId, String commandLine, JsonNode action)
      throws IOException, InterruptedException {
    ObjectNode staging = JSON.createObjectNode();
    staging.putArray("setup").add(action);
    HttpResponse<String> response = call(pulsar, "POST", "/jobs/" + jobId + "/submit",
        "command_line", commandLine, "remote_staging", staging.toString());
    assertThat(response.statusCode()).isEqualTo(200);
  }

  /** A remote_transfer setup entry of type input; {@code path} and {@code source} as asked. */
  private static JsonNode transfer(String name, String url, boolean withPath, boolean withSource) {
    ObjectNode entry = JSON.createObjectNode().put("name", name).put("type", "input");
    ObjectNode action = entry.putObject("action").put("action_type", "remote_transfer").put("url", url);
    if (withPath) {
      action.put("path", "/client/side/" + name);
    }
    if (withSource) {
      action.putObject("source").put("path", "/client/side/" + name);
    }
    return entry;
  }

  private String upload(String jobId, String type, String name, byte[] body) throws Exception {
    HttpResponse<String> response = post(uri(pulsar, "/jobs/" + jobId + "/files", "name", name, "type", type),
        body);
    assertThat(response.statusCode()).as("upload %s as %s", name, type).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).contains(HTML_UTF8);
    return JSON.readTree(response.body()).get("path").asText();
  }

  private JsonNode status(String jobId) throws IOException, InterruptedException {
    HttpResponse<String> response = call(pulsar, "GET", "/jobs/" + jobId + "/status");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).contains(HTML_UTF8);
    return JSON.readTree(response.body());
  }

  private String statusOf(FakePulsar fake, String jobId) {
    try {
      return JSON.readTree(call(fake, "GET", "/jobs/" + jobId + "/status").body()).get("status").asText();
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private JsonNode awaitDone(String jobId) throws Exception {
    return awaitDone(pulsar, "/jobs/" + jobId + "/status");
  }

  private JsonNode awaitDone(FakePulsar fake, String statusPath) throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      HttpResponse<String> response = call(fake, "GET", statusPath);
      assertThat(response.statusCode()).isEqualTo(200);
      JsonNode status = JSON.readTree(response.body());
      if (status.get("complete").asText().equals("true")) {
        return status;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not done within " + TIMEOUT + ": " + status);
      }
      Thread.sleep(20);
    }
  }

  private void awaitStatus(String jobId, String wanted) {
    await(jobId + " is " + wanted, () -> statusOf(pulsar, jobId).equals(wanted));
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("gave up waiting until " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting until " + what, e);
      }
    }
  }

  /**
   * The pid of a job's process, once recorded: like Pulsar, the fake writes it only after the
   * process started, so the job may already be running its command.
   */
  private static long awaitPid(FakePulsar fake, String jobId) {
    Path pidFile = fake.jobDirectory(jobId).resolve("pid");
    await(jobId + " has a pid file", () -> Files.exists(pidFile));
    try {
      String text = Files.readString(pidFile);
      assertThat(text).as("store_metadata writes the pid as a JSON string").matches("\"\\d+\"");
      return Long.parseLong(text.replace("\"", ""));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(value -> values.add(value.asText()));
    return values;
  }

  private static long readableLong(Path file) {
    try {
      String text = Files.readString(file).strip();
      return text.isEmpty() ? -1 : Long.parseLong(text);
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }
}
