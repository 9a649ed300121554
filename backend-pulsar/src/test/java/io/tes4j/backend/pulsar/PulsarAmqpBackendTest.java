package io.tes4j.backend.pulsar;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tes4j.engine.TesEngine;
import io.tes4j.model.Executor;
import io.tes4j.model.Input;
import io.tes4j.model.Output;
import io.tes4j.model.OutputFileLog;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import io.tes4j.spi.Backend;
import io.tes4j.spi.BackendConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pulsar+amqp:} against a real AMQP 0-9-1 broker ({@link EmbeddedBroker}, Apache Qpid
 * Broker-J on 127.0.0.1) and {@link FakePulsar}'s message-queue side: launch, kill and status over
 * the queues, files over HTTP, and at-least-once, out-of-order and lost status updates.
 */
class PulsarAmqpBackendTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir static Path brokerWork;
  private static EmbeddedBroker broker;

  @TempDir Path work;
  private FakeDocker docker;
  private FakePulsar pulsar;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = EmbeddedBroker.start(brokerWork);
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @BeforeEach
  void start() throws Exception {
    FakeDocker.assumeUsable(); // bubblewrap plays the containers, and runs runtime=none
    docker = FakeDocker.install(work.resolve("bin"));
    pulsar = fake(work.resolve("staging"), FakePulsar.builder(work.resolve("staging")));
  }

  private FakePulsar fake(Path staging, FakePulsar.Builder builder) throws IOException {
    return builder
        .environment(Map.of("PATH", docker.binDirectory() + ":" + System.getenv("PATH")))
        .amqp(broker.amqpUri())
        .monitorInterval(Duration.ofMillis(100))
        .start();
  }

  @AfterEach
  void stop() {
    if (pulsar != null) {
      pulsar.close();
    }
  }

  private String uri() {
    return "pulsar+amqp://" + broker.user() + ":" + broker.password() + "@127.0.0.1:" + broker.port() + "/"
        + broker.virtualHost();
  }

  private Backend backend(Map<String, String> parameters) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("files", pulsar.baseUrl().toString());
    all.put("pollInterval", "50ms");
    all.put("workdir", work.resolve("engine").toString());
    all.putAll(parameters);
    return new PulsarBackendProvider().open(BackendConfig.of(BackendConfig.uri(uri()), all));
  }

  private TesEngine engine(Map<String, String> parameters) {
    return TesEngine.builder().backend(backend(parameters)).build();
  }

  private static Task shell(String script) {
    return Task.builder().name("amqp-test").addExecutor(Executor.of("alpine:3.20", "sh", "-c", script)).build();
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    Instant deadline = Instant.now().plus(TIMEOUT);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  private void awaitState(TesEngine engine, String id, State state) throws InterruptedException {
    await(() -> engine.getTask(id).state() == state, "task " + id + " to be " + state);
  }

  private List<String> jobsLeft() throws IOException {
    try (Stream<Path> jobs = Files.list(pulsar.stagingDirectory())) {
      return jobs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(n -> n.startsWith("tes4j-")).toList();
    }
  }

  private List<JsonNode> messages(String queue, String jobId) {
    return pulsar.amqpMessages().stream()
        .filter(m -> m.queue().equals(queue) && jobId.equals(m.body().path("job_id").asText()))
        .map(FakePulsar.AmqpMessage::body)
        .toList();
  }

  private static List<String> systemLogs(Task task) {
    return task.logs().get(task.logs().size() - 1).systemLogs();
  }

  @Test
  void aTaskIsLaunchedOverTheQueueAndItsFilesGoOverHttp() throws Exception {
    Path out = work.resolve("results/out.txt");
    String id;
    try (TesEngine engine = engine(Map.of())) {
      id = engine.createTask(shell("cat /in/greeting.txt > /out/out.txt; echo done").toBuilder()
          .addInput(Input.ofContent("hello over amqp\n", "/in/greeting.txt"))
          .addOutput(Output.of("/out/out.txt", out.toUri().toString()))
          .build());
      Task task = engine.await(id, TIMEOUT);
      assertThat(task.state()).as("%s", engine.getTask(id, View.FULL)).isEqualTo(State.COMPLETE);
      assertThat(task.logs().get(0).logs().get(0).stdout()).isEqualTo("done\n");
      assertThat(task.logs().get(0).metadata()).containsKey("pulsar.queue");
    }
    assertThat(out).hasContent("hello over amqp\n");
    assertThat(jobsLeft()).isEmpty();
    assertThat(docker.runningContainers()).isEmpty();
    String job = "tes4j-" + id;
    List<JsonNode> setups = messages("pulsar__setup", job);
    assertThat(setups).hasSize(1);
    assertThat(setups.get(0).has("setup_params")).as("set up over HTTP already").isFalse();
    assertThat(setups.get(0).get("command_line").asText()).contains("'docker' 'run'");
    // Over HTTP only what the queue cannot carry: no submit, no status, no cancel.
    List<String> routes = pulsar.requests().stream().map(r -> r.method() + " " + r.route()).toList();
    assertThat(routes).doesNotContain("POST /jobs/{job_id}/submit", "PUT /jobs/{job_id}/cancel")
        .noneMatch(route -> route.endsWith("/status"));
    // setup, 1 input, 5 executor files, 1 output, clean
    assertThat(routes).hasSize(9);
    // and on the queue, the setup alone: its statuses were pushed, none was asked for
    assertThat(messages("pulsar__status", job)).isEmpty();
    assertThat(messages("pulsar__kill", job)).isEmpty();
  }

  @Test
  void duplicatedAndOutOfOrderUpdatesChangeNothing() throws Exception {
    pulsar.duplicateUpdates(true);
    pulsar.staleUpdateAfterTerminal(true);
    Path out = work.resolve("results/out.txt");
    try (TesEngine engine = engine(Map.of())) {
      String id = engine.createTask(shell("sleep 0.3; echo once > /out/out.txt").toBuilder()
          .addOutput(Output.of("/out/out.txt", out.toUri().toString()))
          .build());
      Task task = engine.await(id, TIMEOUT);
      assertThat(task.state()).as("%s", engine.getTask(id, View.FULL)).isEqualTo(State.COMPLETE);
      // the duplicate of the terminal update and the stale "running" after it come and go
      String job = "tes4j-" + id;
      await(() -> pulsar.publishedUpdates().stream()
          .filter(u -> job.equals(u.path("job_id").asText()) && u.path("status").asText().equals("running"))
          .count() >= 3, "the running updates, duplicated, and the stale one");
      Thread.sleep(300);
      Task full = engine.getTask(id, View.FULL);
      assertThat(full.state()).isEqualTo(State.COMPLETE);
      assertThat(full.logs()).hasSize(1);
      assertThat(full.logs().get(0).logs()).hasSize(1);
      assertThat(full.logs().get(0).outputs()).extracting(OutputFileLog::url).containsExactly(out.toUri().toString());
      long cleans = pulsar.requests().stream()
          .filter(r -> r.is("DELETE", "/jobs/{job_id}") && r.path().endsWith(job)).count();
      assertThat(cleans).as("collected and cleaned once").isEqualTo(1);
    }
    assertThat(jobsLeft()).isEmpty();
  }

  @Test
  void lostUpdatesAreMadeUpForByAskingForTheStatus() throws Exception {
    pulsar.dropUpdates(2); // the job's updates are lost, as when no queue existed when they were published
    try (TesEngine engine = engine(Map.of("statusRequestAfter", "500ms"))) {
      String id = engine.createTask(shell("echo asked"));
      Task task = engine.await(id, TIMEOUT);
      assertThat(task.state()).as("%s", engine.getTask(id, View.FULL)).isEqualTo(State.COMPLETE);
      assertThat(task.logs().get(0).logs().get(0).stdout()).isEqualTo("asked\n");
      assertThat(messages("pulsar__status", "tes4j-" + id)).isNotEmpty()
          .allSatisfy(m -> assertThat(m.get("request").asText()).isEqualTo("status"));
    }
  }

  @Test
  void cancelKillsOverTheQueueThenAsksForTheStatusSincePulsarPublishesNoCancelled() throws Exception {
    try (TesEngine engine = engine(Map.of("runtime", "none", "statusRequestAfter", "1h"))) {
      String id = engine.createTask(shell("sleep 600"));
      awaitState(engine, id, State.RUNNING);
      engine.cancelTask(id);
      Task task = engine.await(id, TIMEOUT);
      assertThat(task.state()).isEqualTo(State.CANCELED);
      String job = "tes4j-" + id;
      assertThat(messages("pulsar__kill", job)).isNotEmpty();
      assertThat(messages("pulsar__status", job)).as("asked, though statusRequestAfter is an hour").isNotEmpty();
    }
    assertThat(pulsar.runningProcesses()).isZero();
    assertThat(jobsLeft()).isEmpty();
  }

  @Test
  void cancellingADockerTaskRemovesItsContainerThroughAJobLaunchedOverTheQueue() throws Exception {
    try (TesEngine engine = engine(Map.of())) {
      String id = engine.createTask(shell("echo started; sleep 600"));
      awaitState(engine, id, State.RUNNING);
      await(() -> !docker.runningContainers().isEmpty(), "the container");
      engine.cancelTask(id);
      Task task = engine.await(id, TIMEOUT);
      assertThat(task.state()).isEqualTo(State.CANCELED);
      assertThat(docker.runningContainers()).as("containers left running").isEmpty();
      assertThat(messages("pulsar__setup", "tes4j-" + id + "-rm")).hasSize(1)
          .allSatisfy(m -> assertThat(m.get("setup_params").get("job_id").asText()).isEqualTo("tes4j-" + id + "-rm"));
    }
    assertThat(jobsLeft()).as("Pulsar jobs left behind").isEmpty();
  }

  @Test
  void aPulsarThatStopsAnsweringFailsTheTaskAfterGiveUpAfterSayingWhy() throws Exception {
    try (TesEngine engine = engine(Map.of("runtime", "none", "giveUpAfter", "1s", "statusRequestAfter", "200ms"))) {
      String id = engine.createTask(shell("sleep 600"));
      awaitState(engine, id, State.RUNNING);
      pulsar.pauseConsuming(true); // status requests wait in their queue, unanswered
      Task task = engine.await(id, TIMEOUT);
      assertThat(task.state()).isEqualTo(State.SYSTEM_ERROR);
      assertThat(systemLogs(engine.getTask(id, View.FULL))).anySatisfy(line -> assertThat(line)
          .contains("no status of Pulsar job tes4j-" + id)
          .contains("for 1s, although it was asked for"));
    }
    // With its queue consumers silent, the web app's cancel stopped the job before its clean.
    await(() -> pulsar.runningProcesses() == 0, "the job to be killed");
    pulsar.pauseConsuming(false);
  }

  @Test
  void updatesPulsarWantsAcknowledgedAreAcknowledged() throws Exception {
    pulsar.close();
    pulsar = fake(work.resolve("staging-ack"), FakePulsar.builder(work.resolve("staging-ack")).amqpAcknowledge(true));
    try (TesEngine engine = engine(Map.of())) {
      String id = engine.createTask(shell("echo acked"));
      Task task = engine.await(id, TIMEOUT);
      assertThat(task.state()).isEqualTo(State.COMPLETE);
      String job = "tes4j-" + id;
      List<String> uuids = pulsar.publishedUpdates().stream()
          .filter(u -> job.equals(u.path("job_id").asText()) && u.has("acknowledge_uuid"))
          .map(u -> u.get("acknowledge_uuid").asText())
          .toList();
      assertThat(uuids).isNotEmpty();
      await(() -> pulsar.acknowledgedUpdates().containsAll(uuids), "the acknowledgements");
    }
  }

  @Test
  void aResumedJobIsFollowedOverTheQueue() throws Exception {
    Task task = shell("sleep 1; echo resumed").toBuilder().id("01TESTAMQPRESUMED").build();
    String handle;
    try (Backend first = backend(Map.of("runtime", "none"))) {
      handle = first.start(task, new FinishedEvents());
      await(() -> Files.isDirectory(pulsar.jobDirectory(handle)), "the job to be set up");
      await(() -> !messages("pulsar__setup", handle).isEmpty(), "the launch");
    } // the engine stops while the job runs
    FinishedEvents events = new FinishedEvents();
    try (Backend second = backend(Map.of("runtime", "none"))) {
      assertThat(second.resume(handle, task, events)).isTrue();
      assertThat(events.state.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(State.COMPLETE);
      assertThat(events.stdout).isEqualTo("resumed\n");
    }
    assertThat(jobsLeft()).isEmpty();
  }

  @Test
  void aJobPulsarLostInARestartIsKilledBeforeItIsCleaned() throws Exception {
    try (TesEngine engine = engine(Map.of("runtime", "none"))) {
      String id = engine.createTask(shell("sleep 600"));
      awaitState(engine, id, State.RUNNING);
      String job = "tes4j-" + id;
      long pid = Long.parseLong(Files.readString(pulsar.jobDirectory(job).resolve("pid")).replace("\"", "").strip());
      assertThat(ProcessHandle.of(pid)).isPresent();
      // Pulsar restarts; its recovery cannot take the started job over, and publishes lost.
      pulsar.close(false);
      pulsar = fake(work.resolve("staging"), FakePulsar.builder(work.resolve("staging")).port(pulsar.port()));
      Task task = engine.await(id, TIMEOUT);
      assertThat(task.state()).isEqualTo(State.SYSTEM_ERROR);
      assertThat(systemLogs(engine.getTask(id, View.FULL))).anySatisfy(line -> assertThat(line)
          .contains("Pulsar lost the job").contains("it was asked to stop"));
      await(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), "the lost job's process to be killed");
    }
    assertThat(jobsLeft()).isEmpty();
  }

  @Test
  void aBrokerThatCannotBeReachedFailsTheTaskAfterGiveUpAfterSayingWhy() throws Exception {
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort(); // free once closed: nothing listens there
    }
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("files", pulsar.baseUrl().toString());
    parameters.put("pollInterval", "50ms");
    parameters.put("giveUpAfter", "2s");
    parameters.put("workdir", work.resolve("engine").toString());
    Backend backend = new PulsarBackendProvider().open(BackendConfig.of(BackendConfig.uri(
        "pulsar+amqp://" + broker.user() + ":" + broker.password() + "@127.0.0.1:" + closedPort + "/pulsar"), parameters));
    try (TesEngine engine = TesEngine.builder().backend(backend).build()) {
      String id = engine.createTask(shell("echo never"));
      Task task = engine.await(id, TIMEOUT);
      assertThat(task.state()).isEqualTo(State.SYSTEM_ERROR);
      assertThat(systemLogs(engine.getTask(id, View.FULL))).anySatisfy(line -> assertThat(line)
          .contains("cannot connect to the broker")
          .doesNotContain(broker.password()));
    }
    assertThat(jobsLeft()).as("the job set up over HTTP was removed").isEmpty();
  }

  @Test
  void aBrokerRestartIsRecoveredFrom() throws Exception {
    try (TesEngine engine = engine(Map.of("runtime", "none", "statusRequestAfter", "500ms"))) {
      String id = engine.createTask(shell("sleep 2; echo survived"));
      awaitState(engine, id, State.RUNNING);
      broker.restart(); // a broker with a memory store: queues and messages are gone
      Task task = engine.await(id, TIMEOUT);
      assertThat(task.state()).as("%s", engine.getTask(id, View.FULL)).isEqualTo(State.COMPLETE);
      assertThat(task.logs().get(0).logs().get(0).stdout()).isEqualTo("survived\n");
      // and a task launched after the restart runs as well
      String after = engine.createTask(shell("echo after"));
      assertThat(engine.await(after, TIMEOUT).state()).isEqualTo(State.COMPLETE);
    }
  }
}
