package io.tes4j.backend.pulsar;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.tes4j.engine.TesEngine;
import io.tes4j.model.Executor;
import io.tes4j.model.Input;
import io.tes4j.model.Output;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import io.tes4j.spi.BackendConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code staging=pulsar}: Pulsar writes content inputs and downloads http(s) file inputs itself
 * (its remote staging), against {@link FakePulsar} with runtime=none and a real HTTP server on
 * loopback that Pulsar downloads from.
 */
class PulsarRemoteStagingTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;
  private FakePulsar pulsar;
  private HttpServer files;
  private final List<String> served = new CopyOnWriteArrayList<>();
  private final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

  @BeforeEach
  void start() throws Exception {
    FakeDocker.assumeUsable(); // runtime=none runs the executors in bubblewrap
    pulsar = FakePulsar.builder(work.resolve("staging")).start();
    files = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    files.createContext("/", exchange -> {
      served.add(exchange.getRequestURI().getPath());
      if (exchange.getRequestURI().getPath().startsWith("/slow/")) {
        try {
          release.await(); // a slow download: until the test lets it go
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      byte[] body = ("served " + exchange.getRequestURI().getPath() + "\n").getBytes(StandardCharsets.UTF_8);
      boolean missing = exchange.getRequestURI().getPath().contains("missing");
      exchange.sendResponseHeaders(missing ? 404 : 200, missing ? -1 : body.length);
      if (!missing) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
      exchange.close();
    });
    files.start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    if (files != null) {
      files.stop(0);
    }
    if (pulsar != null) {
      pulsar.close();
    }
  }

  private String url(String path) {
    return "http://127.0.0.1:" + files.getAddress().getPort() + path;
  }

  private TesEngine engine(Map<String, String> parameters) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("pollInterval", "50ms");
    all.put("runtime", "none");
    all.put("staging", "pulsar");
    all.put("workdir", work.resolve("engine").toString());
    all.putAll(parameters);
    return TesEngine.builder()
        .backend(new PulsarBackendProvider().open(BackendConfig.of(BackendConfig.uri("pulsar+" + pulsar.baseUrl()), all)))
        .build();
  }

  private Task catTask(Path out, Input... inputs) {
    Task.Builder task = Task.builder()
        .addExecutor(Executor.of("ignored", "sh", "-c", "cat /in/* > /out/all.txt"))
        .addOutput(Output.of("/out/all.txt", out.toUri().toString()));
    for (Input input : inputs) {
      task.addInput(input);
    }
    return task.build();
  }

  private List<FakePulsar.RecordedRequest> inputUploads() {
    return pulsar.requests().stream()
        .filter(r -> r.is("POST", "/jobs/{job_id}/files") && "input".equals(r.parameter("type")))
        .toList();
  }

  private JsonNode remoteStaging() throws IOException {
    FakePulsar.RecordedRequest submit = pulsar.requests().stream()
        .filter(r -> r.is("POST", "/jobs/{job_id}/submit")).findFirst().orElseThrow();
    String text = submit.parameter("remote_staging");
    return text == null ? null : JSON.readTree(text);
  }

  @Test
  void pulsarWritesContentInputsAndDownloadsUrlInputsItself() throws Exception {
    Path out = work.resolve("results/all.txt");
    try (TesEngine engine = engine(Map.of())) {
      String id = engine.createTask(catTask(out,
          Input.ofContent("written by pulsar\n", "/in/a.txt"),
          Input.ofUrl(url("/data/b.txt"), "/in/b.txt")));
      Task task = engine.await(id, TIMEOUT);
      assertThat(task.state()).as("%s", engine.getTask(id, View.FULL)).isEqualTo(State.COMPLETE);
    }
    assertThat(out).hasContent("written by pulsar\nserved /data/b.txt\n");
    assertThat(inputUploads()).as("nothing uploaded by this machine").isEmpty();
    assertThat(served).containsExactly("/data/b.txt"); // once, by Pulsar
    JsonNode setup = remoteStaging().get("setup");
    assertThat(setup).hasSize(2);
    assertThat(setup.get(0).get("name").asText()).isEqualTo("in/a.txt");
    assertThat(setup.get(0).get("action").get("action_type").asText()).isEqualTo("message");
    assertThat(setup.get(1).get("action").get("action_type").asText()).isEqualTo("remote_transfer");
    assertThat(setup.get(1).get("action").get("path").asText()).as("Pulsar's from_dict needs path").isEqualTo("/in/b.txt");
  }

  @Test
  void largeContentAndWhatPulsarCannotFetchStillGoThroughThisMachine() throws Exception {
    Path out = work.resolve("results/all.txt");
    String large = "x".repeat(20_000) + "\n";
    Path local = work.resolve("local.txt");
    java.nio.file.Files.writeString(local, "from a file url\n");
    try (TesEngine engine = engine(Map.of())) {
      String id = engine.createTask(catTask(out,
          Input.ofContent(large, "/in/1-large.txt"),
          Input.ofContent("small\n", "/in/2-small.txt"),
          Input.ofUrl(local.toUri().toString(), "/in/3-local.txt")));
      Task task = engine.await(id, TIMEOUT);
      assertThat(task.state()).as("%s", engine.getTask(id, View.FULL)).isEqualTo(State.COMPLETE);
    }
    assertThat(out).hasContent(large + "small\nfrom a file url\n");
    List<String> uploaded = new ArrayList<>();
    inputUploads().forEach(r -> uploaded.add(r.parameter("name")));
    // over 16 KiB, the content would lengthen the submit URL: uploaded; file: is not Pulsar's to read
    assertThat(uploaded).containsExactlyInAnyOrder("in/1-large.txt", "in/3-local.txt");
    assertThat(remoteStaging().get("setup")).hasSize(1);
  }

  @Test
  void underARestrictivePolicyUrlInputsPassThroughThisMachineWhichChecksEveryHop() throws Exception {
    Path out = work.resolve("results/all.txt");
    // The policy allows the loopback server by name: not permissive, so Pulsar (which follows
    // redirects and resolves names itself) is not trusted with the URL.
    try (TesEngine engine = engine(Map.of("allowHosts", "127.0.0.1", "privateAddresses", "refuse"))) {
      String id = engine.createTask(catTask(out, Input.ofUrl(url("/data/c.txt"), "/in/c.txt")));
      Task task = engine.await(id, TIMEOUT);
      assertThat(task.state()).as("%s", engine.getTask(id, View.FULL)).isEqualTo(State.COMPLETE);
    }
    assertThat(out).hasContent("served /data/c.txt\n");
    assertThat(inputUploads()).extracting(r -> r.parameter("name")).containsExactly("in/c.txt");
    assertThat(remoteStaging()).isNull();
  }

  @Test
  void aTaskCancelledWhilePulsarDownloadsItsInputsIsNeverLaunched() throws Exception {
    Path ran = work.resolve("ran");
    try (TesEngine engine = engine(Map.of())) {
      // The executor would leave a mark in an output; the input takes until release to download.
      String id = engine.createTask(Task.builder()
          .addExecutor(Executor.of("ignored", "sh", "-c", "echo ran > /out/ran.txt; sleep 600"))
          .addInput(Input.ofUrl(url("/slow/data.txt"), "/in/data.txt"))
          .addOutput(Output.of("/out/ran.txt", ran.toUri().toString()))
          .build());
      await(() -> served.contains("/slow/data.txt"), "Pulsar to start downloading");
      engine.cancelTask(id);
      Task task = engine.await(id, TIMEOUT);
      assertThat(task.state()).isEqualTo(State.CANCELED);
    } finally {
      release.countDown();
    }
    // Pulsar's download ends now; with the job's directory gone, the job is never launched.
    Thread.sleep(500);
    assertThat(pulsar.runningProcesses()).isZero();
    assertThat(pulsar.stagingDirectory().toFile().list((dir, name) -> name.startsWith("tes4j-"))).isEmpty();
  }

  private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void aDownloadPulsarCouldNotMakeFailsTheTaskSayingItMayBeTheCause() throws Exception {
    try (TesEngine engine = engine(Map.of())) {
      String id = engine.createTask(catTask(work.resolve("never.txt"), Input.ofUrl(url("/missing.txt"), "/in/m.txt")));
      Task task = engine.await(id, TIMEOUT);
      assertThat(task.state()).isEqualTo(State.SYSTEM_ERROR);
      Task full = engine.getTask(id, View.FULL);
      assertThat(full.logs().get(full.logs().size() - 1).systemLogs())
          .anySatisfy(line -> assertThat(line).contains("status failed").contains("staging=pulsar"));
    }
    assertThat(pulsar.stagingDirectory().toFile().list((dir, name) -> name.startsWith("tes4j-")))
        .as("the failed job was cleaned").isEmpty();
  }
}
