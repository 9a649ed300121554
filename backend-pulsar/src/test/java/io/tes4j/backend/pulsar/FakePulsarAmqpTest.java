package io.tes4j.backend.pulsar;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Delivery;
import com.sun.net.httpserver.HttpServer;
import io.tes4j.backend.pulsar.FakePulsar.AmqpMessage;
import io.tes4j.backend.pulsar.FakePulsar.AmqpOutcome;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * FakePulsar's message-queue mode against a real AMQP broker, driven with the plain RabbitMQ client
 * as a Galaxy-like client would: PULSAR.md §7, checked against bind_amqp.py, amqp_exchange.py and
 * stateful.py.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "job processes are managed through /proc and setsid")
class FakePulsarAmqpTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DEFAULT = FakePulsar.DEFAULT_MANAGER;

  @TempDir static Path brokerDirectory;
  private static EmbeddedBroker broker;

  @TempDir Path tmp;
  private final HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();
  private final List<FakePulsar> fakes = new ArrayList<>();
  /** Every queue a test or its fakes may have declared, deleted after each test (the broker is shared). */
  private final Set<String> queues = new LinkedHashSet<>();
  private Connection client;
  private Channel channel;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = EmbeddedBroker.start(brokerDirectory);
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @BeforeEach
  void connect() throws Exception {
    ConnectionFactory factory = broker.connectionFactory();
    factory.setAutomaticRecoveryEnabled(false); // a broker restart test reconnects by hand
    client = factory.newConnection("galaxy-like-test-client");
    channel = client.createChannel();
    channel.exchangeDeclare("pulsar", "direct", true);
  }

  @AfterEach
  void cleanUp() throws Exception {
    fakes.forEach(FakePulsar::close);
    for (FakePulsar fake : fakes) {
      assertThat(fake.runningProcesses()).as("job processes left after close").isZero();
    }
    for (String queue : queues) {
      // One channel per delete: deleting a queue that is not there may close the channel.
      try (Channel deleting = client.createChannel()) {
        deleting.queueDelete(queue);
      } catch (IOException | RuntimeException e) {
        // not there
      }
    }
    if (client.isOpen()) {
      client.close();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Setup, lifecycle and the status payloads

  @Test
  void aSetupMessageRunsAJobSetUpOverHttpAndHttpSubmitsArePublishedToo() throws Exception {
    FakePulsar pulsar = start(builder());
    Updates updates = listen(pulsar, DEFAULT);

    assertThat(http(pulsar, "POST", "/jobs", "job_id", "mq-1").statusCode()).isEqualTo(200);
    send(pulsar.amqpQueue(DEFAULT, "setup"), setupMessage("mq-1", "echo hi"));

    JsonNode done = updates.awaitTerminal("mq-1");
    assertThat(done.get("status").asText()).isEqualTo("complete");
    assertThat(done.get("complete").asText()).isEqualTo("true");
    assertThat(done.get("returncode").asInt()).isZero();
    assertThat(done.get("job_stdout").asText()).isEqualTo("hi\n");
    assertThat(pulsar.amqpMessages()).singleElement().satisfies(message -> {
      assertThat(message.queue()).isEqualTo("pulsar__setup");
      assertThat(message.manager()).isEqualTo(DEFAULT);
      assertThat(message.contentType()).isEqualTo("application/json");
      assertThat(message.body().get("job_id").asText()).isEqualTo("mq-1");
      assertThat(message.outcome()).isEqualTo(AmqpOutcome.PROCESSED);
    });
    // What kombu sends: exchange pulsar, routing key = queue name, JSON, utf-8, persistent.
    Delivery delivery = updates.deliveries.get(updates.deliveries.size() - 1);
    assertThat(delivery.getEnvelope().getExchange()).isEqualTo("pulsar");
    assertThat(delivery.getEnvelope().getRoutingKey()).isEqualTo("pulsar__status_update");
    assertThat(delivery.getProperties().getContentType()).isEqualTo("application/json");
    assertThat(delivery.getProperties().getContentEncoding()).isEqualTo("utf-8");
    assertThat(delivery.getProperties().getDeliveryMode()).isEqualTo(2);
    assertThat(status(pulsar, "mq-1").get("status").asText()).isEqualTo("complete");

    // The web app runs beside the queue: a job submitted over HTTP is monitored and published too.
    assertThat(http(pulsar, "POST", "/jobs", "job_id", "http-1").statusCode()).isEqualTo(200);
    assertThat(http(pulsar, "POST", "/jobs/http-1/submit", "command_line", "echo there").statusCode()).isEqualTo(200);
    assertThat(updates.awaitTerminal("http-1").get("job_stdout").asText()).isEqualTo("there\n");
  }

  @Test
  void setupParamsMakeTheSetupMessageCreateTheJobDirectoryItself() throws Exception {
    FakePulsar pulsar = start(builder());
    Updates updates = listen(pulsar, DEFAULT);
    ObjectNode setup = setupMessage("self-1", "echo __PULSAR_JOBS_DIRECTORY__ > ../outputs/where.txt");
    setup.putObject("setup_params").put("job_id", "self-1").put("tool_id", "cat1").put("tool_version", "1.0");

    send(pulsar.amqpQueue(DEFAULT, "setup"), setup);

    JsonNode done = updates.awaitTerminal("self-1");
    assertThat(done.get("status").asText()).isEqualTo("complete");
    assertThat(strings(done.get("outputs_directory_contents"))).containsExactly("where.txt");
    assertThat(Files.readString(pulsar.jobDirectory("self-1").resolve("outputs/where.txt")))
        .isEqualTo(pulsar.stagingDirectory() + "\n");
    assertThat(Files.readString(pulsar.jobDirectory("self-1").resolve("tool_id"))).isEqualTo("\"cat1\"");
  }

  @Test
  void runningIsPublishedOnceAndCompleteCarriesTheResults() throws Exception {
    FakePulsar pulsar = start(builder());
    Updates updates = listen(pulsar, DEFAULT);

    send(pulsar.amqpQueue(DEFAULT, "setup"), setupWithSetupParams("life-1",
        "sleep 0.6; echo out; echo err >&2; echo data > ../outputs/result.txt; exit 3"));

    JsonNode done = updates.awaitTerminal("life-1");
    assertThat(done.get("status").asText()).isEqualTo("complete");
    assertThat(done.get("returncode").asInt()).as("a non-zero exit is still complete").isEqualTo(3);
    assertThat(done.get("job_stdout").asText()).isEqualTo("out\n");
    assertThat(done.get("job_stderr").asText()).isEqualTo("err\n");
    assertThat(strings(done.get("outputs_directory_contents"))).containsExactly("result.txt");
    assertThat(done.get("job_directory").asText()).isEqualTo(pulsar.jobDirectory("life-1").toString());
    assertThat(done.get("pulsar_version").asText()).isEqualTo(FakePulsar.VERSION);
    // Not preprocessing, not queued, not postprocessing: running (once), then the final status.
    assertThat(updates.statuses("life-1")).containsExactly("running", "complete");
    assertThat(updates.forJob("life-1").get(0))
        .isEqualTo(JSON.readTree("{\"complete\": \"false\", \"status\": \"running\", \"job_id\": \"life-1\"}"));
    // Serialized as Python's json.dumps does it.
    assertThat(updates.raw("life-1").get(0))
        .isEqualTo("{\"complete\": \"false\", \"status\": \"running\", \"job_id\": \"life-1\"}");

    // A status request answers the same final dictionary; nothing was published in between.
    send(pulsar.amqpQueue(DEFAULT, "status"), statusRequest("life-1"));
    updates.await("the answer to the status request", () -> updates.forJob("life-1").size() == 3);
    assertThat(updates.statuses("life-1")).containsExactly("running", "complete", "complete");
    assertThat(updates.forJob("life-1").get(2)).isEqualTo(done);
  }

  @Test
  void aFailedPreprocessingAndAFailedSubmitPublishFailed() throws Exception {
    FakePulsar pulsar = start(builder());
    Updates updates = listen(pulsar, DEFAULT);

    // The launch fails (env is not a list): the job fails in preprocessing, return code 1.
    ObjectNode badEnv = setupMessage("fail-1", "echo never");
    badEnv.putObject("setup_params").put("job_id", "fail-1");
    badEnv.put("env", "not-a-list");
    send(pulsar.amqpQueue(DEFAULT, "setup"), badEnv);
    JsonNode failed = updates.awaitTerminal("fail-1");
    assertThat(failed.get("status").asText()).isEqualTo("failed");
    assertThat(failed.get("returncode").asInt()).isEqualTo(1);
    assertThat(status(pulsar, "fail-1").get("status").asText()).isEqualTo("failed");

    // A job never set up: the launch config cannot be written, submit_job raises, and
    // handle_failure_before_launch publishes failed, with the empty fields of a missing directory.
    send(pulsar.amqpQueue(DEFAULT, "setup"), setupMessage("fail-2", "echo never"));
    JsonNode notSetUp = updates.awaitTerminal("fail-2");
    assertThat(notSetUp.get("status").asText()).isEqualTo("failed");
    assertThat(notSetUp.get("returncode").isNull()).isTrue();
    assertThat(notSetUp.get("job_directory_contents")).isEmpty();
    assertThat(pulsar.jobDirectory("fail-2")).doesNotExist();
    assertThat(pulsar.amqpMessages()).extracting(AmqpMessage::outcome)
        .containsExactly(AmqpOutcome.PROCESSED, AmqpOutcome.FAILED);
  }

  @Test
  void aKillPublishesNothingUntilAStatusRequestAnswersCancelled() throws Exception {
    FakePulsar pulsar = start(builder());
    Updates updates = listen(pulsar, DEFAULT);
    send(pulsar.amqpQueue(DEFAULT, "setup"), setupWithSetupParams("kill-1", "sleep 30"));
    updates.await("running", () -> updates.statuses("kill-1").contains("running"));

    // A status request of a running job: the short form.
    send(pulsar.amqpQueue(DEFAULT, "status"), statusRequest("kill-1"));
    updates.await("the answer", () -> updates.forJob("kill-1").size() == 2);
    assertThat(updates.forJob("kill-1").get(1)).isEqualTo(updates.forJob("kill-1").get(0));

    send(pulsar.amqpQueue(DEFAULT, "kill"), JSON.createObjectNode().put("job_id", "kill-1"));
    await("the kill to be processed", () -> pulsar.amqpMessages().stream()
        .anyMatch(m -> m.queue().equals("pulsar__kill") && m.outcome() == AmqpOutcome.PROCESSED));
    // The monitor sees the job cancelled (and records it final) without publishing anything.
    await("the monitor to see the cancel", () -> Files.exists(pulsar.jobDirectory("kill-1").resolve("final_status")));
    assertThat(pulsar.runningProcesses()).isZero();

    send(pulsar.amqpQueue(DEFAULT, "status"), statusRequest("kill-1"));
    JsonNode cancelled = updates.awaitTerminal("kill-1");
    assertThat(cancelled.get("status").asText()).isEqualTo("cancelled");
    assertThat(cancelled.get("returncode").asInt()).isEqualTo(-9);
    assertThat(updates.statuses("kill-1")).containsExactly("running", "running", "cancelled");
  }

  @Test
  void aStatusRequestForAnUnknownJobPublishesLost() throws Exception {
    FakePulsar pulsar = start(builder());
    Updates updates = listen(pulsar, DEFAULT);

    send(pulsar.amqpQueue(DEFAULT, "status"), statusRequest("never-seen").put("force_noack", true));

    JsonNode lost = updates.awaitTerminal("never-seen");
    assertThat(lost.get("status").asText()).isEqualTo("lost");
    assertThat(lost.get("complete").asText()).isEqualTo("true");
    assertThat(lost.get("returncode").isNull()).isTrue();
    assertThat(lost.get("job_stdout").asText()).isEmpty();
    assertThat(lost.get("outputs_directory_contents")).isEmpty();
    assertThat(lost).isEqualTo(status(pulsar, "never-seen"));
    assertThat(pulsar.jobDirectory("never-seen")).doesNotExist();
  }

  // ---------------------------------------------------------------------------------------------
  // Queues and routing

  @Test
  void anUpdateWithNoStatusUpdateQueueBoundIsLost() throws Exception {
    FakePulsar pulsar = start(builder());

    send(pulsar.amqpQueue(DEFAULT, "setup"), setupWithSetupParams("drop-1", "echo unheard"));

    await("the complete update to be published", () -> pulsar.publishedUpdates().stream()
        .anyMatch(u -> u.path("job_id").asText().equals("drop-1") && u.path("status").asText().equals("complete")));
    await("the broker to return it", () -> pulsar.unroutedUpdates().stream()
        .anyMatch(u -> u.path("job_id").asText().equals("drop-1")));
    // Pulsar declares only the exchange: a queue declared afterwards has nothing.
    String queue = pulsar.amqpQueue(DEFAULT, "status_update");
    queues.add(queue);
    channel.queueDeclare(queue, true, false, false, null);
    channel.queueBind(queue, "pulsar", queue);
    assertThat(channel.basicGet(queue, true)).isNull();
  }

  @Test
  void aMessageThatIsNotJsonStopsItsConsumerAndGoesBackToTheQueue() throws Exception {
    FakePulsar pulsar = start(builder());
    Updates updates = listen(pulsar, DEFAULT);
    String setupQueue = pulsar.amqpQueue(DEFAULT, "setup");

    sendRaw(setupQueue, "text/plain", JSON.writeValueAsBytes(setupWithSetupParams("plain-1", "echo no")));

    await("the refusal", () -> pulsar.amqpMessages().stream().anyMatch(m -> m.outcome() == AmqpOutcome.REFUSED));
    AmqpMessage refused = pulsar.amqpMessages().get(0);
    assertThat(refused.queue()).isEqualTo(setupQueue);
    assertThat(refused.contentType()).isEqualTo("text/plain");
    assertThat(refused.body()).isNull();
    // kombu's ContentDisallowed ends Pulsar's setup consumer: the message is back in its queue,
    // and the setups after it wait there too (until Pulsar restarts, and meets it again).
    await("the message back in its queue, with no consumer", () -> queueState(setupQueue).equals("1 ready, 0 consumers"),
        () -> queueState(setupQueue));
    send(setupQueue, setupWithSetupParams("json-1", "echo yes"));
    await("the next setup waiting", () -> queueState(setupQueue).equals("2 ready, 0 consumers"),
        () -> queueState(setupQueue));
    assertThat(pulsar.jobDirectory("plain-1")).doesNotExist();
    assertThat(pulsar.jobDirectory("json-1")).doesNotExist();

    // The other consumers go on. A message with no content type is decoded as text (kombu trusts
    // application/data): processing a str fails, and the message is acked.
    sendRaw(pulsar.amqpQueue(DEFAULT, "status"), null, bytes("{\"job_id\": \"text-1\"}"));
    await("the text message", () -> pulsar.amqpMessages().size() == 2);
    AmqpMessage text = pulsar.amqpMessages().get(1);
    assertThat(text.outcome()).isEqualTo(AmqpOutcome.FAILED);
    assertThat(text.body().isTextual()).isTrue();
    send(pulsar.amqpQueue(DEFAULT, "status"), statusRequest("still-answered"));
    assertThat(updates.awaitTerminal("still-answered").get("status").asText()).isEqualTo("lost");
    assertThat(updates.forJob("text-1")).isEmpty();
  }

  @Test
  void aManagerOtherThanTheDefaultHasItsOwnQueues() throws Exception {
    FakePulsar pulsar = start(builder().manager("gpu"));
    // "pulsar_gpu_" + "_" + name: the prefix ends with an underscore and another joins the name.
    assertThat(pulsar.amqpQueue("gpu", "setup")).isEqualTo("pulsar_gpu__setup");
    assertThat(pulsar.amqpQueue(DEFAULT, "setup")).isEqualTo("pulsar__setup");
    Updates gpuUpdates = listen(pulsar, "gpu");
    String defaultUpdates = pulsar.amqpQueue(DEFAULT, "status_update");
    queues.add(defaultUpdates);
    channel.queueDeclare(defaultUpdates, true, false, false, null);
    channel.queueBind(defaultUpdates, "pulsar", defaultUpdates);

    send("pulsar_gpu__setup", setupWithSetupParams("gpu-1", "echo on-gpu"));

    JsonNode done = gpuUpdates.awaitTerminal("gpu-1");
    assertThat(done.get("job_stdout").asText()).isEqualTo("on-gpu\n");
    assertThat(gpuUpdates.deliveries.get(0).getEnvelope().getRoutingKey()).isEqualTo("pulsar_gpu__status_update");
    assertThat(channel.queueDeclarePassive(defaultUpdates).getMessageCount()).isZero();
    assertThat(JSON.readTree(http(pulsar, "GET", "/managers/gpu/jobs/gpu-1/status").body()).get("status").asText())
        .isEqualTo("complete");
  }

  @Test
  void amqpKeyPrefixNamesEveryQueue() throws Exception {
    FakePulsar pulsar = start(builder().amqpKeyPrefix("site7"));
    assertThat(pulsar.amqpQueue(DEFAULT, "setup")).isEqualTo("site7_setup");
    Updates updates = listen(pulsar, DEFAULT);

    send("site7_setup", setupWithSetupParams("prefix-1", "echo prefixed"));

    assertThat(updates.awaitTerminal("prefix-1").get("job_stdout").asText()).isEqualTo("prefixed\n");
    assertThat(updates.deliveries.get(0).getEnvelope().getRoutingKey()).isEqualTo("site7_status_update");
  }

  @Test
  void theDefaultVirtualHostIsReachedWithADoubleSlash() throws Exception {
    URI uri = URI.create("amqp://" + broker.user() + ":" + broker.password() + "@127.0.0.1:" + broker.port() + "//");
    FakePulsar pulsar = start(builder().amqp(uri));
    Updates updates = listen(pulsar, DEFAULT);

    send(pulsar.amqpQueue(DEFAULT, "setup"), setupWithSetupParams("slash-1", "echo slash"));

    assertThat(updates.awaitTerminal("slash-1").get("status").asText()).isEqualTo("complete");
  }

  // ---------------------------------------------------------------------------------------------
  // Delivery faults

  @Test
  void duplicateUpdatesPublishesEveryUpdateTwice() throws Exception {
    FakePulsar pulsar = start(builder());
    Updates updates = listen(pulsar, DEFAULT);
    pulsar.duplicateUpdates(true);

    send(pulsar.amqpQueue(DEFAULT, "setup"), setupWithSetupParams("twice-1", "echo twice"));

    updates.await("two complete updates",
        () -> updates.statuses("twice-1").stream().filter("complete"::equals).count() == 2);
    List<String> statuses = updates.statuses("twice-1");
    for (String status : new LinkedHashSet<>(statuses)) {
      assertThat(statuses.stream().filter(status::equals).count()).as(status).isEqualTo(2);
    }
  }

  @Test
  void dropUpdatesLosesTheNextUpdates() throws Exception {
    FakePulsar pulsar = start(builder());
    Updates updates = listen(pulsar, DEFAULT);
    pulsar.dropUpdates(1);

    send(pulsar.amqpQueue(DEFAULT, "setup"), setupWithSetupParams("lossy-1", "sleep 0.5; echo lossy"));

    assertThat(updates.awaitTerminal("lossy-1").get("status").asText()).isEqualTo("complete");
    // The monitor saw it running, but that update was dropped.
    assertThat(Files.exists(pulsar.jobDirectory("lossy-1").resolve("running"))).isTrue();
    assertThat(updates.statuses("lossy-1")).containsExactly("complete");
    assertThat(pulsar.publishedUpdates()).extracting(u -> u.path("status").asText()).containsExactly("complete");
  }

  @Test
  void staleUpdateAfterTerminalFollowsTheFinalStatusWithRunning() throws Exception {
    FakePulsar pulsar = start(builder());
    Updates updates = listen(pulsar, DEFAULT);
    pulsar.staleUpdateAfterTerminal(true);

    send(pulsar.amqpQueue(DEFAULT, "setup"), setupWithSetupParams("stale-1", "echo stale"));

    updates.await("the stale update", () -> {
      List<String> statuses = updates.statuses("stale-1");
      return statuses.size() >= 2 && statuses.get(statuses.size() - 2).equals("complete");
    });
    List<JsonNode> received = updates.forJob("stale-1");
    assertThat(received.get(received.size() - 1))
        .isEqualTo(JSON.readTree("{\"complete\": \"false\", \"status\": \"running\", \"job_id\": \"stale-1\"}"));
  }

  @Test
  void publishUpdateSendsARawUpdate() throws Exception {
    FakePulsar pulsar = start(builder());
    Updates updates = listen(pulsar, DEFAULT);

    pulsar.publishUpdate(DEFAULT, JSON.readTree("{\"complete\": \"false\", \"status\": \"queued\", \"job_id\": \"raw-1\"}"));

    updates.await("the raw update", () -> updates.statuses("raw-1").equals(List.of("queued")));
    assertThat(pulsar.publishedUpdates()).hasSize(1);
  }

  // ---------------------------------------------------------------------------------------------
  // Acknowledgements

  @Test
  void acknowledgedUpdatesAreNotRepublishedAndOthersAreWithForceNoack() throws Exception {
    FakePulsar pulsar = start(builder().amqpAcknowledge(true).amqpAckRepublishTime(Duration.ofMillis(500)));
    Updates updates = listen(pulsar, DEFAULT);

    send(pulsar.amqpQueue(DEFAULT, "setup"), setupWithSetupParams("ack-1", "echo acked"));
    JsonNode first = updates.awaitTerminal("ack-1");
    String uuid = first.get("acknowledge_uuid").asText();
    assertThat(first.get("acknowledge_queue").asText()).isEqualTo("status_update_ack");
    assertThat(first.get("acknowledge_submit_queue").asText()).isEqualTo("status_update");
    assertThat(first.has("force_noack")).isFalse();
    acknowledgeAll(pulsar, updates, "ack-1");
    await("the acknowledgement", () -> pulsar.acknowledgedUpdates().contains(uuid));

    send(pulsar.amqpQueue(DEFAULT, "setup"), setupWithSetupParams("ack-2", "echo not-acked"));
    JsonNode unacknowledged = updates.awaitTerminal("ack-2");
    updates.await("the republication", () -> updates.forJob("ack-2").stream()
        .anyMatch(u -> u.path("force_noack").asBoolean(false)));
    JsonNode republished = updates.forJob("ack-2").stream().filter(u -> u.has("force_noack")).findFirst().orElseThrow();
    assertThat(republished.get("acknowledge_uuid")).isEqualTo(unacknowledged.get("acknowledge_uuid"));
    assertThat(republished.get("status").asText()).isEqualTo("complete");
    assertThat(updates.forJob("ack-1")).noneMatch(u -> u.has("force_noack"));
    acknowledgeAll(pulsar, updates, "ack-2");
    await("the late acknowledgement",
        () -> pulsar.acknowledgedUpdates().contains(unacknowledged.get("acknowledge_uuid").asText()));
    assertThat(pulsar.amqpMessages()).filteredOn(m -> m.queue().equals("pulsar__status_update_ack"))
        .extracting(AmqpMessage::outcome).containsOnly(AmqpOutcome.ACKNOWLEDGEMENT);
  }

  @Test
  void aSetupThatAsksForAnAcknowledgementGetsOneAndItsRepetitionIsSkipped() throws Exception {
    FakePulsar pulsar = start(builder().amqpAcknowledge(true));
    Updates updates = listen(pulsar, DEFAULT);
    Updates setupAcks = listenTo(pulsar.amqpQueue(DEFAULT, "setup_ack"));
    ObjectNode setup = setupWithSetupParams("once-1", "echo once");
    setup.put("acknowledge_uuid", "client-uuid-1").put("acknowledge_queue", "setup_ack");

    send(pulsar.amqpQueue(DEFAULT, "setup"), setup);
    send(pulsar.amqpQueue(DEFAULT, "setup"), setup);

    await("both setups taken", () -> pulsar.amqpMessages().size() == 2);
    assertThat(pulsar.amqpMessages()).extracting(AmqpMessage::outcome)
        .containsExactly(AmqpOutcome.PROCESSED, AmqpOutcome.DUPLICATE);
    setupAcks.await("two acknowledgements", () -> setupAcks.bodies().size() == 2);
    assertThat(setupAcks.bodies()).containsOnly(JSON.readTree("{\"acknowledge_uuid_response\": \"client-uuid-1\"}"));
    assertThat(updates.awaitTerminal("once-1").get("job_stdout").asText()).isEqualTo("once\n");
  }

  // ---------------------------------------------------------------------------------------------
  // Pulsar down, Pulsar restarted

  @Test
  void whilePausedMessagesWaitInTheirQueues() throws Exception {
    FakePulsar pulsar = start(builder());
    Updates updates = listen(pulsar, DEFAULT);
    String setupQueue = pulsar.amqpQueue(DEFAULT, "setup");
    pulsar.pauseConsuming(true);

    send(setupQueue, setupWithSetupParams("wait-1", "echo waited"));

    await("the setup waiting", () -> queueState(setupQueue).equals("1 ready, 0 consumers"),
        () -> queueState(setupQueue));
    assertThat(pulsar.amqpMessages()).isEmpty();
    pulsar.pauseConsuming(false);
    assertThat(updates.awaitTerminal("wait-1").get("job_stdout").asText()).isEqualTo("waited\n");
  }

  @Test
  void aBrokerRestartIsSurvivedAndWhatCouldNotBePublishedGoesOutLater() throws Exception {
    // With acknowledgements, an update that went out while nobody had a queue bound is published
    // again until acknowledged: the test does not depend on who comes back first, client or fake.
    FakePulsar pulsar = start(builder().amqpAcknowledge(true).amqpAckRepublishTime(Duration.ofMillis(300))
        .statusOutboxDrainInterval(Duration.ofMillis(200)));
    Updates before = listen(pulsar, DEFAULT);
    send(pulsar.amqpQueue(DEFAULT, "setup"), setupWithSetupParams("restart-1", "sleep 1; echo survived"));
    before.await("running", () -> before.statuses("restart-1").contains("running"));

    broker.restart(); // memory store: every queue is gone, every connection closed
    connect();
    Updates after = listen(pulsar, DEFAULT);

    JsonNode done = after.awaitTerminal("restart-1");
    assertThat(done.get("status").asText()).isEqualTo("complete");
    assertThat(done.get("job_stdout").asText()).isEqualTo("survived\n");
    // The fake's consumers came back and declared their queues again.
    String setupQueue = pulsar.amqpQueue(DEFAULT, "setup");
    await("the setup consumer back", () -> queueState(setupQueue).equals("0 ready, 1 consumers"),
        () -> queueState(setupQueue));
    send(setupQueue, setupWithSetupParams("restart-2", "echo again"));
    assertThat(after.awaitTerminal("restart-2").get("job_stdout").asText()).isEqualTo("again\n");
  }

  @Test
  void aPulsarWhoseBrokerIsDownStillStartsAndServesHttp() throws Exception {
    int nothingThere;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      nothingThere = socket.getLocalPort();
    }
    FakePulsar pulsar = FakePulsar.builder(tmp.resolve("staging"))
        .amqp(URI.create("amqp://guest:guest@127.0.0.1:" + nothingThere + "/")).start();
    fakes.add(pulsar);

    assertThat(http(pulsar, "GET", "/healthz").statusCode()).isEqualTo(200);
    assertThat(pulsar.amqpMessages()).isEmpty();
  }

  @Test
  void aRestartedPulsarPublishesLostForStartedJobsAndGoesOnWithStagedOnes() throws Exception {
    Path staging = tmp.resolve("staging");
    CountDownLatch staged = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger downloads = new AtomicInteger();
    HttpServer files = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
    ExecutorService fileThreads = Executors.newCachedThreadPool();
    files.setExecutor(fileThreads);
    files.createContext("/in.txt", exchange -> {
      if (downloads.incrementAndGet() == 1) {
        staged.countDown();
        awaitLatch(release); // the first Pulsar goes down in the middle of this download
      }
      byte[] body = bytes("staged input\n");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      } catch (IOException e) {
        // the first Pulsar is gone
      }
    });
    files.start();
    try {
      FakePulsar first = start(builder(staging));
      Updates updates = listen(first, DEFAULT);
      send(first.amqpQueue(DEFAULT, "setup"), setupWithSetupParams("started-1", "sleep 30"));
      updates.await("running", () -> updates.statuses("started-1").contains("running"));
      ObjectNode stagedSetup = setupWithSetupParams("staged-1", "sleep 0.5; cat ../inputs/in.txt");
      stagedSetup.putObject("remote_staging").putArray("setup").addObject()
          .put("name", "in.txt").put("type", "input").putObject("action")
          .put("action_type", "remote_transfer")
          .put("url", "http://127.0.0.1:" + files.getAddress().getPort() + "/in.txt")
          .put("path", "/client/in.txt");
      send(first.amqpQueue(DEFAULT, "setup"), stagedSetup);
      assertThat(staged.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();

      first.close(false);
      release.countDown();
      FakePulsar second = start(builder(staging));

      // queued_python cannot recover a job whose command was already dequeued: lost.
      JsonNode lost = updates.awaitTerminal("started-1");
      assertThat(lost.get("status").asText()).isEqualTo("lost");
      assertThat(strings(lost.get("job_directory_contents"))).contains("pid", "running");
      // The staging is resumed, and that job runs and is published as usual.
      JsonNode done = updates.awaitTerminal("staged-1");
      assertThat(done.get("status").asText()).isEqualTo("complete");
      assertThat(done.get("job_stdout").asText()).isEqualTo("staged input\n");
      assertThat(updates.statuses("staged-1")).containsExactly("running", "complete");
      assertThat(second.runningProcesses()).as("the started job still runs").isEqualTo(1);
    } finally {
      release.countDown();
      files.stop(0);
      fileThreads.shutdownNow();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private FakePulsar.Builder builder() {
    return builder(tmp.resolve("staging"));
  }

  private FakePulsar.Builder builder(Path staging) {
    return FakePulsar.builder(staging).amqp(broker.amqpUri()).monitorInterval(Duration.ofMillis(100));
  }

  private FakePulsar start(FakePulsar.Builder builder) throws IOException {
    FakePulsar fake = builder.start();
    fakes.add(fake);
    for (String manager : List.of(DEFAULT, "gpu")) {
      for (String name : List.of("setup", "kill", "status", "status_update", "status_update_ack", "setup_ack")) {
        queues.add(fake.amqpQueue(manager, name));
      }
    }
    return fake;
  }

  /** A Galaxy-like client's status_update queue, declared and bound before anything is published. */
  private Updates listen(FakePulsar pulsar, String manager) throws IOException {
    return listenTo(pulsar.amqpQueue(manager, "status_update"));
  }

  private Updates listenTo(String queue) throws IOException {
    queues.add(queue);
    channel.queueDeclare(queue, true, false, false, null);
    channel.queueBind(queue, "pulsar", queue);
    Updates updates = new Updates();
    channel.basicConsume(queue, true, (tag, delivery) -> updates.deliveries.add(delivery), tag -> { });
    return updates;
  }

  private void send(String routingKey, JsonNode body) throws IOException {
    sendRaw(routingKey, "application/json", JSON.writeValueAsBytes(body));
  }

  private void sendRaw(String routingKey, String contentType, byte[] body) throws IOException {
    AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
        .contentType(contentType).contentEncoding("utf-8").deliveryMode(2).build();
    channel.basicPublish("pulsar", routingKey, properties, body);
  }

  /** Answers every acknowledgement request of a job's updates so far, as Galaxy's client does. */
  private void acknowledgeAll(FakePulsar pulsar, Updates updates, String jobId) throws IOException {
    for (JsonNode update : updates.forJob(jobId)) {
      ObjectNode ack = JSON.createObjectNode().put("acknowledge_uuid_response", update.get("acknowledge_uuid").asText());
      send(pulsar.amqpQueue(DEFAULT, update.get("acknowledge_queue").asText()), ack);
    }
  }

  /** "N ready, M consumers" of a queue, from a passive declare. */
  private String queueState(String queue) {
    try {
      AMQP.Queue.DeclareOk ok = channel.queueDeclarePassive(queue);
      return ok.getMessageCount() + " ready, " + ok.getConsumerCount() + " consumers";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ObjectNode setupMessage(String jobId, String commandLine) {
    ObjectNode setup = JSON.createObjectNode();
    setup.put("job_id", jobId);
    setup.put("command_line", commandLine);
    setup.putArray("env");
    setup.putObject("remote_staging");
    setup.putNull("dependencies_description");
    setup.putObject("submit_params");
    return setup;
  }

  private static ObjectNode setupWithSetupParams(String jobId, String commandLine) {
    ObjectNode setup = setupMessage(jobId, commandLine);
    setup.putObject("setup_params").put("job_id", jobId);
    return setup;
  }

  private static ObjectNode statusRequest(String jobId) {
    return JSON.createObjectNode().put("job_id", jobId).put("request", "status");
  }

  private HttpResponse<String> http(FakePulsar pulsar, String method, String path, String... parameters)
      throws IOException, InterruptedException {
    StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
    for (int i = 0; i < parameters.length; i += 2) {
      query.add(URLEncoder.encode(parameters[i], StandardCharsets.UTF_8) + "="
          + URLEncoder.encode(parameters[i + 1], StandardCharsets.UTF_8));
    }
    URI uri = pulsar.baseUrl().resolve(path.substring(1) + query);
    return http.send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode status(FakePulsar pulsar, String jobId) throws Exception {
    return JSON.readTree(http(pulsar, "GET", "/jobs/" + jobId + "/status").body());
  }

  private static List<String> strings(JsonNode array) {
    List<String> strings = new ArrayList<>();
    array.forEach(node -> strings.add(node.asText()));
    return strings;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      latch.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void await(String what, BooleanSupplier condition) {
    await(what, condition, () -> "");
  }

  /** Waits for the condition, for at most TIMEOUT; {@code state} says what there was instead. */
  private static void await(String what, BooleanSupplier condition, Supplier<String> state) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + " " + state.get());
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }

  /** What a client's consumer of a queue received, in order. */
  private static final class Updates {
    final List<Delivery> deliveries = new CopyOnWriteArrayList<>();

    List<JsonNode> bodies() {
      List<JsonNode> bodies = new ArrayList<>();
      for (Delivery delivery : deliveries) {
        try {
          bodies.add(JSON.readTree(delivery.getBody()));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return bodies;
    }

    List<JsonNode> forJob(String jobId) {
      return bodies().stream().filter(body -> body.path("job_id").asText().equals(jobId)).toList();
    }

    List<String> raw(String jobId) {
      List<String> raw = new ArrayList<>();
      for (Delivery delivery : deliveries) {
        String text = new String(delivery.getBody(), StandardCharsets.UTF_8);
        if (text.contains("\"job_id\": \"" + jobId + "\"")) {
          raw.add(text);
        }
      }
      return raw;
    }

    List<String> statuses(String jobId) {
      return forJob(jobId).stream().map(body -> body.path("status").asText()).toList();
    }

    /** The first update of the job that says it is complete ("complete": "true"). */
    JsonNode awaitTerminal(String jobId) {
      Predicate<JsonNode> terminal = body -> body.path("complete").asText().equals("true");
      try {
        await("a terminal update of " + jobId, () -> forJob(jobId).stream().anyMatch(terminal));
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "; received " + statuses(jobId), e);
      }
      return forJob(jobId).stream().filter(terminal).findFirst().orElseThrow();
    }

    void await(String what, BooleanSupplier condition) {
      FakePulsarAmqpTest.await(what, condition);
    }
  }
}
