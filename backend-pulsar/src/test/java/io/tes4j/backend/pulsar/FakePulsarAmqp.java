package io.tes4j.backend.pulsar;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.Return;
import com.rabbitmq.client.ShutdownSignalException;
import io.tes4j.backend.pulsar.FakePulsar.AmqpMessage;
import io.tes4j.backend.pulsar.FakePulsar.AmqpOutcome;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FakePulsar's message-queue side: what {@code pulsar/messaging/bind_amqp.py}, {@code
 * pulsar/client/amqp_exchange.py} (with kombu) and {@code pulsar/messaging/outbox.py} do, over the
 * RabbitMQ client. FakePulsar owns one when built with {@code amqp(uri)}; it does the jobs' side
 * (submit, kill, status) through {@link Handler}.
 *
 * <p>For each manager, with the key prefix {@code P} ({@code amqp_key_prefix}, else {@code pulsar_}
 * for {@value FakePulsar#DEFAULT_MANAGER} and {@code pulsar_<manager>_} otherwise):
 *
 * <ul>
 *   <li>consumers of {@code P_setup}, {@code P_kill}, {@code P_status} (and {@code
 *       P_status_update_ack} with acknowledgements), each declaring the durable direct exchange
 *       {@code pulsar}, its durable queue, and the binding with the queue's name as routing key;
 *       manual acknowledgement after processing, also after a failure;
 *   <li>status updates published to exchange {@code pulsar} with routing key {@code
 *       P_status_update}, declaring only the exchange (an update nobody bound a queue for is lost),
 *       through a persistent outbox ({@code <persistence>/<manager>-status-outbox/}) retried every
 *       drain interval, as Pulsar's at-least-once delivery;
 *   <li>with acknowledgements, the {@code acknowledge_*} keys on every update, the store of those
 *       not yet acknowledged ({@code <persistence>/amqp_ack-<manager>/publish/}) and their
 *       republication with {@code force_noack}.
 * </ul>
 *
 * <p>Like kombu's consumer with {@code accept=['json']}, a message whose content type is neither
 * {@code application/json} nor one kombu trusts ({@code application/data}, {@code
 * application/text}, none) is not decoded: the exception leaves Pulsar's consume loop, whose thread
 * ends ("consumer quitting in problematic fashion"). The message goes back to its queue, and that
 * queue is not consumed again until Pulsar restarts. This class does the same (outcome {@link
 * AmqpOutcome#REFUSED}), and so for the other errors that escape kombu's callbacks: an empty body,
 * JSON that does not parse, a body that is a number, {@code true} or {@code null}.
 */
final class FakePulsarAmqp {
  /** Pulsar's exchange, direct and durable. */
  static final String EXCHANGE = "pulsar";
  static final String ACK_QUEUE_SUFFIX = "_ack";
  static final String ACK_UUID_KEY = "acknowledge_uuid";
  static final String ACK_QUEUE_KEY = "acknowledge_queue";
  static final String ACK_SUBMIT_QUEUE_KEY = "acknowledge_submit_queue";
  static final String ACK_UUID_RESPONSE_KEY = "acknowledge_uuid_response";
  static final String ACK_FORCE_NOACK_KEY = "force_noack";
  static final String STATUS_UPDATE = "status_update";
  /** Pulsar's ack manager sleeps this long between two looks at the unacknowledged updates. */
  static final Duration ACK_MANAGER_SLEEP = Duration.ofSeconds(15);
  /** Pulsar's heartbeat for its consumers' connections. */
  private static final int HEARTBEAT_SECONDS = 580;
  /** What kombu decodes whatever the accept list: a body that is not JSON, as a Python str. */
  private static final Set<String> TRUSTED_CONTENT = Set.of("application/data", "application/text");
  /** kombu's content encodings that leave the body as bytes. */
  private static final Set<String> SKIP_DECODE = Set.of("binary", "ascii-8bit");
  private static final AtomicInteger CONSUMER_TAGS = new AtomicInteger();

  private static final Logger LOG = LoggerFactory.getLogger(FakePulsar.class.getName() + ".amqp");

  /** The jobs' side, done by FakePulsar. Exceptions are what Pulsar would log and ack. */
  interface Handler {
    /** A {@code setup} message: {@code manager_endpoint_util.submit_job}. */
    void setup(String manager, ObjectNode config) throws Exception;

    /** A {@code kill} message: {@code manager.kill}. */
    void kill(String manager, String jobId) throws Exception;

    /** A {@code status} request: {@code manager.trigger_state_change_callback}. */
    void status(String manager, String jobId) throws Exception;
  }

  /** The AMQP settings of app.yml, as the builder collected them. */
  record Settings(URI uri, String keyPrefix, boolean acknowledge, Duration republishTime, Duration drainInterval) {}

  /** A JSON parser as lenient as Python's json.loads (NaN, Infinity) and as strict (no trailing data). */
  private static final ObjectMapper PYTHON_JSON_READER = JsonMapper.builder()
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();
  /** json.dumps with its defaults: {@code ", "} and {@code ": "} separators, ASCII only. */
  private static final ObjectWriter PYTHON_JSON_WRITER = new ObjectMapper()
      .writer(new PythonSeparators())
      .with(JsonWriteFeature.ESCAPE_NON_ASCII);

  private final Settings settings;
  private final List<String> managers;
  private final Path persistenceDirectory;
  private final Handler handler;
  private final ConnectionFactory factory;
  /** The connection's consumer threads: a slow kill must not hold the other queues back. */
  private final ExecutorService consumerThreads;
  private final Map<String, Outbox> outboxes = new LinkedHashMap<>();
  private final Map<String, UuidStore> publishStores = new LinkedHashMap<>();
  private final Map<String, UuidStore> consumeStores = new LinkedHashMap<>();
  private final List<QueueConsumer> consumers = new CopyOnWriteArrayList<>();
  private final Object connectionLock = new Object();
  private final Object publishLock = new Object();
  private final Object pauseLock = new Object();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean consuming = new AtomicBoolean();
  private volatile Connection connection;
  private Channel publishChannel; // guarded by publishLock
  private volatile boolean paused;
  private Thread connector;
  private Thread ackManager;

  // What tests look at and turn.
  private final List<AmqpMessage> messages = new CopyOnWriteArrayList<>();
  private final List<JsonNode> published = new CopyOnWriteArrayList<>();
  private final List<JsonNode> unrouted = new CopyOnWriteArrayList<>();
  private final List<String> acknowledged = new CopyOnWriteArrayList<>();
  private final AtomicInteger drops = new AtomicInteger();
  private volatile boolean duplicate;
  private volatile boolean staleAfterTerminal;

  FakePulsarAmqp(Settings settings, List<String> managers, Path persistenceDirectory, Handler handler)
      throws IOException {
    this.settings = settings;
    this.managers = List.copyOf(managers);
    this.persistenceDirectory = persistenceDirectory;
    this.handler = handler;
    this.factory = connectionFactory(settings.uri());
    this.consumerThreads = Executors.newCachedThreadPool(daemon("fake-pulsar-amqp-consume"));
    for (String manager : this.managers) {
      outboxes.put(manager, new Outbox(manager, persistenceDirectory.resolve(manager + "-status-outbox")));
      if (settings.acknowledge()) {
        Path stores = persistenceDirectory.resolve("amqp_ack-" + manager);
        publishStores.put(manager, new UuidStore(stores.resolve("publish")));
        consumeStores.put(manager, new UuidStore(stores.resolve("consume")));
      }
    }
  }

  /** The queue name and routing key of {@code name} for {@code manager} ({@code __queue_name}). */
  String queueName(String manager, String name) {
    return keyPrefix(manager) + "_" + name;
  }

  private String keyPrefix(String manager) {
    if (settings.keyPrefix() != null) {
      return settings.keyPrefix();
    }
    return manager.equals(FakePulsar.DEFAULT_MANAGER) ? "pulsar_" : "pulsar_" + manager + "_";
  }

  /**
   * Connects and starts the outboxes (which publish what an earlier instance left in them) and the
   * ack manager. When the broker cannot be reached, keeps trying every second in the background, as
   * Pulsar's consumers do; the consumers themselves start with {@link #startConsuming()}.
   */
  void start() {
    for (Outbox outbox : outboxes.values()) {
      outbox.start();
    }
    if (settings.acknowledge()) {
      ackManager = new Thread(this::ackManager, "fake-pulsar-amqp-acknowledgement-manager");
      ackManager.setDaemon(true);
      ackManager.start();
    }
    try {
      connect();
    } catch (IOException | TimeoutException | RuntimeException e) {
      LOG.warn("cannot connect to the message queue at {}, will retry: {}", masked(), e.toString());
      connector = new Thread(this::keepConnecting, "fake-pulsar-amqp-connect");
      connector.setDaemon(true);
      connector.start();
    }
  }

  /** Starts (or, once connected, will start) the consumers of every manager. */
  void startConsuming() {
    consuming.set(true);
    if (connection != null) {
      openConsumers();
    }
  }

  private void keepConnecting() {
    while (!closed.get() && connection == null) {
      sleep(Duration.ofSeconds(1)); // Pulsar's DEFAULT_RECONNECT_CONSUMER_WAIT
      try {
        connect();
        if (consuming.get()) {
          openConsumers();
        }
      } catch (IOException | TimeoutException | RuntimeException e) {
        LOG.debug("still cannot connect to {}: {}", masked(), e.toString());
      }
    }
  }

  private void connect() throws IOException, TimeoutException {
    synchronized (connectionLock) {
      if (closed.get() || connection != null) {
        return;
      }
      // Automatic recovery redeclares the queues and bindings and restarts the consumers after a
      // broker restart, as kombu's consume loop does when it reconnects.
      Connection opened = factory.newConnection(consumerThreads, "fake-pulsar");
      connection = opened;
      LOG.info("FakePulsar bound to the message queue at {}", masked());
    }
    for (Outbox outbox : outboxes.values()) {
      outbox.wakeUp(); // publish what waited for the broker
    }
  }

  private void openConsumers() {
    synchronized (connectionLock) {
      if (closed.get() || connection == null || !consumers.isEmpty()) {
        return;
      }
      List<String> names = new ArrayList<>(List.of("setup", "kill", "status"));
      if (settings.acknowledge()) {
        names.add(STATUS_UPDATE + ACK_QUEUE_SUFFIX);
      }
      for (String manager : managers) {
        for (String name : names) {
          QueueConsumer consumer = new QueueConsumer(manager, name);
          try {
            consumer.open(connection);
            consumers.add(consumer);
          } catch (IOException | RuntimeException e) {
            LOG.warn("cannot consume {}: {}", consumer.queue, e.toString());
          }
        }
      }
    }
  }

  /**
   * Stops taking messages and waits for those being processed: what is still in the queues (or
   * comes later) waits there for the next FakePulsar.
   */
  void stopConsuming() {
    consuming.set(false);
    for (QueueConsumer consumer : consumers) {
      consumer.stop();
    }
  }

  /** Stops everything: the consumers, the ack manager, the outboxes (after a last drain), the connection. */
  void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    stopConsuming();
    if (connector != null) {
      connector.interrupt();
    }
    if (ackManager != null) {
      ackManager.interrupt();
      join(ackManager);
    }
    for (Outbox outbox : outboxes.values()) {
      outbox.stop();
    }
    Connection open = connection;
    if (open != null) {
      try {
        open.close(2000);
      } catch (IOException | RuntimeException e) {
        LOG.debug("closing the AMQP connection: {}", e.toString());
        open.abort();
      }
    }
    consumerThreads.shutdownNow();
  }

  // ---------------------------------------------------------------------------------------------
  // Test knobs and records

  List<AmqpMessage> messages() {
    return List.copyOf(messages);
  }

  List<JsonNode> published() {
    return published.stream().<JsonNode>map(JsonNode::deepCopy).toList();
  }

  List<JsonNode> unrouted() {
    return unrouted.stream().<JsonNode>map(JsonNode::deepCopy).toList();
  }

  List<String> acknowledged() {
    return List.copyOf(acknowledged);
  }

  void duplicateUpdates(boolean on) {
    duplicate = on;
  }

  void dropUpdates(int count) {
    drops.addAndGet(count);
  }

  void staleUpdateAfterTerminal(boolean on) {
    staleAfterTerminal = on;
  }

  void pauseConsuming(boolean pause) {
    synchronized (pauseLock) {
      paused = pause;
      for (QueueConsumer consumer : consumers) {
        if (pause) {
          consumer.stop();
        } else {
          consumer.resume();
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Publishing

  /**
   * The state change callback of bind_amqp.py: the payload goes to the manager's outbox, which
   * publishes it now if it can, later if it cannot.
   */
  void enqueueUpdate(String manager, ObjectNode payload) {
    Outbox outbox = outboxes.get(manager);
    if (outbox == null) {
      LOG.warn("no outbox for manager {}: status update of job {} lost", manager, payload.path("job_id"));
      return;
    }
    outbox.enqueue(payload);
  }

  /** What the outbox's publish function does, with the test knobs applied. */
  private void publishStatusUpdate(String manager, ObjectNode payload) throws IOException {
    if (FakePulsar.takeOne(drops)) {
      LOG.info("not publishing the {} update of job {} (dropUpdates)", payload.path("status").asText(),
          payload.path("job_id").asText());
      return;
    }
    publish(manager, STATUS_UPDATE, payload.deepCopy());
    if (duplicate) {
      publish(manager, STATUS_UPDATE, payload.deepCopy());
    }
    if (staleAfterTerminal && "true".equals(FakePulsar.text(payload.get("complete")))) {
      ObjectNode stale = payload.objectNode();
      stale.put("complete", "false");
      stale.put("status", "running");
      stale.set("job_id", payload.get("job_id"));
      publish(manager, STATUS_UPDATE, stale);
    }
  }

  /** A raw status update, for tests: no outbox, no knobs; acknowledgement keys as for any other. */
  void publishUpdate(String manager, JsonNode payload) throws IOException {
    if (!managers.contains(manager)) {
      throw new IllegalArgumentException("no manager " + manager);
    }
    if (payload.isObject()) {
      publish(manager, STATUS_UPDATE, ((ObjectNode) payload).deepCopy());
    } else {
      send(queueName(manager, STATUS_UPDATE), payload, true);
    }
  }

  /**
   * PulsarExchange.publish: with acknowledgements, and unless the message is an acknowledgement or
   * says {@code force_noack}, adds the {@code acknowledge_*} keys and stores the payload until it is
   * acknowledged; then declares the exchange and publishes with routing key {@code P_name}.
   */
  private void publish(String manager, String name, ObjectNode payload) throws IOException {
    UuidStore store = publishStores.get(manager);
    if (store != null && !name.endsWith(ACK_QUEUE_SUFFIX) && !payload.has(ACK_FORCE_NOACK_KEY)) {
      String uuid = UUID.randomUUID().toString();
      payload.put(ACK_UUID_KEY, uuid);
      payload.put(ACK_QUEUE_KEY, name + ACK_QUEUE_SUFFIX);
      payload.put(ACK_SUBMIT_QUEUE_KEY, name);
      store.put(uuid, payload);
    }
    send(queueName(manager, name), payload, name.equals(STATUS_UPDATE));
  }

  /** Publishes {@code payload}; a status update is recorded, in the order it was sent. */
  private void send(String routingKey, JsonNode payload, boolean statusUpdate) throws IOException {
    byte[] body = PYTHON_JSON_WRITER.writeValueAsBytes(payload);
    // kombu's message: json, utf-8, persistent, priority 0, empty headers; not mandatory (the fake
    // asks for returns only to log the updates the broker drops).
    AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
        .contentType("application/json")
        .contentEncoding("utf-8")
        .deliveryMode(2)
        .priority(0)
        .headers(Map.of())
        .build();
    synchronized (publishLock) {
      try {
        Channel channel = publishChannel();
        channel.exchangeDeclare(EXCHANGE, "direct", true);
        channel.basicPublish(EXCHANGE, routingKey, true, properties, body);
        if (statusUpdate) {
          published.add(payload.deepCopy());
        }
      } catch (ShutdownSignalException | IllegalStateException e) {
        throw new IOException("cannot publish to " + routingKey + ": " + e.getMessage(), e);
      }
    }
    LOG.debug("published to {}: {}", routingKey, payload);
  }

  private Channel publishChannel() throws IOException {
    if (publishChannel != null && publishChannel.isOpen()) {
      return publishChannel;
    }
    Connection open = connection;
    if (open == null || !open.isOpen()) {
      throw new IOException("not connected to the message queue at " + masked());
    }
    Channel channel = open.createChannel();
    channel.addReturnListener(this::returned);
    publishChannel = channel;
    return channel;
  }

  /** The broker had no queue for a message: an update with no status_update queue bound is lost. */
  private void returned(Return returned) {
    JsonNode payload;
    try {
      payload = PYTHON_JSON_READER.readTree(returned.getBody());
    } catch (IOException e) {
      payload = TextNode.valueOf(new String(returned.getBody(), StandardCharsets.UTF_8));
    }
    if (returned.getRoutingKey().endsWith("_" + STATUS_UPDATE)) {
      unrouted.add(payload);
      LOG.info("status update of job {} dropped by the broker: no queue bound to {} (a client must declare it)",
          payload.path("job_id").asText(), returned.getRoutingKey());
    } else {
      LOG.info("message to {} dropped by the broker: no queue bound", returned.getRoutingKey());
    }
  }

  /**
   * PulsarExchange.ack_manager: republishes, with {@code force_noack}, each update not acknowledged
   * within the republish time, and again after each further republish time until acknowledged.
   * Pulsar looks every 15 s; this looks every quarter of the republish time (at most 15 s) so that
   * tests can use a short one.
   */
  private void ackManager() {
    Duration republish = settings.republishTime();
    Duration sleep = republish.dividedBy(4);
    if (sleep.compareTo(ACK_MANAGER_SLEEP) > 0) {
      sleep = ACK_MANAGER_SLEEP;
    }
    if (sleep.toMillis() < 10) {
      sleep = Duration.ofMillis(10);
    }
    while (!closed.get()) {
      sleep(sleep);
      if (closed.get()) {
        return;
      }
      for (Map.Entry<String, UuidStore> entry : publishStores.entrySet()) {
        String manager = entry.getKey();
        UuidStore store = entry.getValue();
        for (String uuid : store.keys()) {
          try {
            if (store.age(uuid).compareTo(republish) < 0) {
              continue;
            }
            JsonNode stored = store.get(uuid);
            if (!stored.isObject()) {
              store.remove(uuid);
              continue;
            }
            ObjectNode payload = (ObjectNode) stored;
            payload.put(ACK_FORCE_NOACK_KEY, true);
            String queue = FakePulsar.text(payload.get(ACK_SUBMIT_QUEUE_KEY));
            LOG.debug("UUID {} has not been acknowledged, republishing original message on queue {}", uuid, queue);
            publish(manager, queue, payload);
            store.touch(uuid);
          } catch (NoSuchFileException e) {
            // acknowledged meanwhile
          } catch (IOException | RuntimeException e) {
            LOG.warn("Got {}, will retry: {}", e.getClass().getSimpleName(), e.getMessage());
            sleep(Duration.ofSeconds(1));
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Consuming

  /** One consumer thread of bind_amqp.py: one queue of one manager. */
  private final class QueueConsumer {
    final String manager;
    final String name;
    final String queue;
    /** Held while a message is processed, so that stop() can wait for it. */
    final ReentrantLock processing = new ReentrantLock();
    volatile Channel channel;
    volatile String tag;
    /** Whether deliveries are taken; set before the consume, so that the first ones are. */
    volatile boolean taking;
    /** Set when an error escaped the callbacks: Pulsar's consumer thread is gone for good. */
    volatile boolean dead;

    QueueConsumer(String manager, String name) {
      this.manager = manager;
      this.name = name;
      this.queue = queueName(manager, name);
    }

    void open(Connection open) throws IOException {
      Channel opened = open.createChannel();
      opened.exchangeDeclare(EXCHANGE, "direct", true);
      opened.queueDeclare(queue, true, false, false, null);
      opened.queueBind(queue, EXCHANGE, queue);
      channel = opened;
      synchronized (pauseLock) {
        if (!paused) {
          consume();
        }
      }
    }

    private void consume() throws IOException {
      Channel open = channel;
      if (dead || open == null || !open.isOpen() || taking) {
        return;
      }
      taking = true;
      // A tag of our own, unique in the connection: Broker-J names consumers sgen_1 in every
      // channel, and the client's recovery, which keys consumers by tag, would restart only one.
      String consumerTag = "fake-pulsar-" + queue + "-" + CONSUMER_TAGS.incrementAndGet();
      tag = open.basicConsume(queue, false, consumerTag, new DefaultConsumer(open) {
        @Override
        public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
            byte[] body) {
          deliver(envelope, properties, body);
        }
      });
      LOG.debug("Consuming queue '{}'", queue);
    }

    void resume() {
      try {
        consume();
      } catch (IOException | RuntimeException e) {
        LOG.warn("cannot consume {} again: {}", queue, e.toString());
      }
    }

    void stop() {
      Channel open = channel;
      String current = tag;
      taking = false;
      tag = null;
      if (current != null && open != null && open.isOpen()) {
        try {
          open.basicCancel(current);
        } catch (IOException | RuntimeException e) {
          LOG.debug("cancelling the consumer of {}: {}", queue, e.toString());
        }
      }
      processing.lock(); // the message being processed, if any, is finished and acked
      processing.unlock();
    }

    private void deliver(Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
      processing.lock();
      try {
        Channel open = channel;
        if (dead) {
          return; // its channel is closing: the broker puts the message back
        }
        if (!taking || closed.get()) {
          // Delivered before the cancel took effect: back to the queue, untouched.
          open.basicReject(envelope.getDeliveryTag(), true);
          return;
        }
        handle(open, envelope, properties, body);
      } catch (IOException | RuntimeException e) {
        // The broker or the connection went away: kombu's loop reconnects, and the message, never
        // acked, is delivered again.
        LOG.warn("Got {} consuming {}, will retry: {}", e.getClass().getSimpleName(), queue, e.getMessage());
      } finally {
        processing.unlock();
      }
    }

    private void handle(Channel open, Envelope envelope, AMQP.BasicProperties properties, byte[] bytes)
        throws IOException {
      String contentType = properties.getContentType();
      JsonNode body = null;
      try {
        body = decode(contentType, properties.getContentEncoding(), bytes);
        boolean acked = ackCallback(open, envelope, body);
        if (name.equals(STATUS_UPDATE + ACK_QUEUE_SUFFIX)) {
          // This consumer has no callback of its own: a message that was no acknowledgement stays
          // unacknowledged (delivered, never acked) until the connection closes.
          record(body, contentType, acked ? AmqpOutcome.ACKNOWLEDGEMENT : AmqpOutcome.IGNORED, bytes);
          return;
        }
        if (acked) {
          LOG.info("Message is already acknowledged (by an upstream callback?), Pulsar will not handle this message");
          record(body, contentType, AmqpOutcome.DUPLICATE, bytes);
          return;
        }
        boolean processed = process(body);
        open.basicAck(envelope.getDeliveryTag(), false);
        record(body, contentType, processed ? AmqpOutcome.PROCESSED : AmqpOutcome.FAILED, bytes);
      } catch (ConsumerCrash crash) {
        LOG.error("Problem consuming queue {}, consumer quitting in problematic fashion! {}", queue, crash.getMessage());
        dead = true;
        taking = false;
        tag = null;
        record(body, contentType, AmqpOutcome.REFUSED, bytes);
        // Pulsar's consumer leaves its connection: the unacknowledged message goes back to the queue.
        consumerThreads.execute(() -> closeQuietly(open));
      }
    }

    /**
     * The message callback of bind_amqp.py ({@code __processes_message}): the job id must be there,
     * then the manager's method; any failure is logged, and the message acked all the same.
     */
    private boolean process(JsonNode body) {
      String jobId = null;
      try {
        if (!body.isObject()) {
          throw new IllegalArgumentException("AttributeError: '" + pythonType(body) + "' object has no attribute 'get'");
        }
        JsonNode id = body.get("job_id");
        if (!FakePulsar.truthy(id)) {
          throw new IllegalArgumentException("AssertionError: Could not parse job id from body: " + body);
        }
        if (!id.isTextual()) {
          throw new IllegalArgumentException("TypeError: job_id is a " + pythonType(id) + ", not a str");
        }
        jobId = id.textValue();
        switch (name) {
          case "setup" -> handler.setup(manager, (ObjectNode) body);
          case "kill" -> handler.kill(manager, jobId);
          case "status" -> handler.status(manager, jobId);
          default -> throw new IllegalStateException("no processing for queue " + queue);
        }
        return true;
      } catch (Exception e) {
        LOG.warn("Failed to process message with function __process_{}_message for job_id {}: {}", name,
            jobId == null ? "unknown" : jobId, e.toString());
        return false;
      }
    }

    /**
     * PulsarExchange.__ack_callback, run before the message callback: answers a message that asks
     * for an acknowledgement (and, with acknowledgements on, skips one already seen), and takes the
     * acknowledgements of Pulsar's own updates. Returns whether it acked the message.
     */
    private boolean ackCallback(Channel open, Envelope envelope, JsonNode body) throws IOException {
      if (pythonContains(body, ACK_UUID_KEY)) {
        ObjectNode object = subscriptable(body);
        JsonNode uuid = object.get(ACK_UUID_KEY);
        JsonNode ackQueue = object.get(ACK_QUEUE_KEY);
        if (ackQueue == null) {
          throw new ConsumerCrash("KeyError: '" + ACK_QUEUE_KEY + "'");
        }
        if (!ackQueue.isTextual()) {
          throw new ConsumerCrash("TypeError: acknowledge_queue is a " + pythonType(ackQueue));
        }
        ObjectNode response = object.objectNode();
        response.set(ACK_UUID_RESPONSE_KEY, uuid);
        LOG.debug("Acknowledging UUID {} on queue {}", uuid, ackQueue.textValue());
        publish(manager, ackQueue.textValue(), response);
        UuidStore store = consumeStores.get(manager);
        if (store == null) {
          LOG.warn("Received an ack request (UUID: {}, response queue: {}) but ack UUID persistence is not enabled,"
              + " check your config", uuid, ackQueue.textValue());
          return false;
        }
        if (!uuid.isTextual()) {
          throw new ConsumerCrash("TypeError: acknowledge_uuid is a " + pythonType(uuid));
        }
        if (!store.contains(uuid.textValue())) {
          store.put(uuid.textValue(), object.numberNode(System.currentTimeMillis() / 1000.0));
          return false;
        }
        LOG.warn("Message with UUID {} on queue {} has already been performed, skipping callback", uuid.textValue(),
            ackQueue.textValue());
        open.basicAck(envelope.getDeliveryTag(), false);
        return true;
      }
      if (pythonContains(body, ACK_UUID_RESPONSE_KEY)) {
        JsonNode uuid = subscriptable(body).get(ACK_UUID_RESPONSE_KEY);
        UuidStore store = publishStores.get(manager);
        if (store == null) {
          throw new ConsumerCrash("TypeError: 'NoneType' object does not support item deletion");
        }
        if (!uuid.isTextual()) {
          throw new ConsumerCrash("TypeError: acknowledge_uuid_response is a " + pythonType(uuid));
        }
        LOG.debug("Got acknowledgement for UUID {}, will remove from store", uuid.textValue());
        if (!store.remove(uuid.textValue())) {
          LOG.warn("Cannot remove UUID {} from store, already removed", uuid.textValue());
        }
        acknowledged.add(uuid.textValue());
        open.basicAck(envelope.getDeliveryTag(), false);
        return true;
      }
      return false;
    }

    private void record(JsonNode body, String contentType, AmqpOutcome outcome, byte[] bytes) {
      String raw = new String(bytes, StandardCharsets.UTF_8);
      messages.add(new AmqpMessage(manager, queue, body == null ? null : body.deepCopy(), contentType, raw, outcome));
    }
  }

  /** An error that escapes kombu's callbacks and ends Pulsar's consumer thread. */
  private static final class ConsumerCrash extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ConsumerCrash(String message) {
      super(message);
    }
  }

  /**
   * kombu's decoding with {@code accept=['json']}: JSON for {@code application/json}; the body as
   * text for the trusted types (and no type at all, which is {@code application/data}); anything
   * else refused.
   */
  static JsonNode decode(String contentType, String contentEncoding, byte[] bytes) {
    String type = contentType == null || contentType.isEmpty() ? "application/data" : contentType;
    if (!type.equals("application/json") && !TRUSTED_CONTENT.contains(type)) {
      throw new ConsumerCrash("ContentDisallowed: Refusing to deserialize untrusted content of type " + type);
    }
    if (bytes.length == 0) {
      // An empty body stays b'': the ack callback's `in` then raises a TypeError.
      throw new ConsumerCrash("TypeError: a bytes-like object is required, not 'str' (empty body)");
    }
    if (type.equals("application/json")) {
      String text = strictDecode(bytes, StandardCharsets.UTF_8);
      try {
        JsonNode node = PYTHON_JSON_READER.readTree(text);
        if (node == null || node.isMissingNode()) {
          throw new ConsumerCrash("DecodeError: Expecting value");
        }
        return node;
      } catch (JsonProcessingException e) {
        throw new ConsumerCrash("DecodeError: " + e.getOriginalMessage());
      }
    }
    String encoding = contentEncoding == null || contentEncoding.isEmpty() ? "utf-8" : contentEncoding.toLowerCase();
    if (SKIP_DECODE.contains(encoding)) {
      throw new ConsumerCrash("TypeError: a bytes-like object is required, not 'str' (" + encoding + " body)");
    }
    Charset charset;
    try {
      charset = Charset.forName(encoding);
    } catch (IllegalArgumentException e) {
      throw new ConsumerCrash("DecodeError: unknown encoding: " + encoding);
    }
    return TextNode.valueOf(strictDecode(bytes, charset));
  }

  private static String strictDecode(byte[] bytes, Charset charset) {
    try {
      return charset.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new ConsumerCrash("DecodeError: '" + charset.name() + "' codec can't decode the body: " + e);
    }
  }

  /** Python's {@code key in body} for what json.loads returns; a TypeError for scalars. */
  static boolean pythonContains(JsonNode body, String key) {
    if (body.isObject()) {
      return body.has(key);
    }
    if (body.isArray()) {
      for (JsonNode element : body) {
        if (element.isTextual() && element.textValue().equals(key)) {
          return true;
        }
      }
      return false;
    }
    if (body.isTextual()) {
      return body.textValue().contains(key);
    }
    throw new ConsumerCrash("TypeError: argument of type '" + pythonType(body) + "' is not iterable");
  }

  private static ObjectNode subscriptable(JsonNode body) {
    if (!body.isObject()) {
      throw new ConsumerCrash("TypeError: " + pythonType(body) + " indices must be integers");
    }
    return (ObjectNode) body;
  }

  static String pythonType(JsonNode node) {
    if (node == null || node.isNull()) {
      return "NoneType";
    }
    if (node.isObject()) {
      return "dict";
    }
    if (node.isArray()) {
      return "list";
    }
    if (node.isTextual()) {
      return "str";
    }
    if (node.isBoolean()) {
      return "bool";
    }
    return node.isIntegralNumber() ? "int" : "float";
  }

  // ---------------------------------------------------------------------------------------------
  // The persistent outbox (pulsar/messaging/outbox.py)

  /**
   * Each payload is written to {@code <seq>-<id>.json} before it is published, and removed once it
   * was; a thread publishes them in order, at once when woken, and every drain interval otherwise.
   */
  private final class Outbox {
    final String manager;
    final Path directory;
    final Object wake = new Object();
    final AtomicBoolean stopping = new AtomicBoolean();
    final ReentrantLock draining = new ReentrantLock();
    long nextSequence;
    boolean woken;
    Thread thread;

    Outbox(String manager, Path directory) throws IOException {
      this.manager = manager;
      this.directory = directory;
      Files.createDirectories(directory);
      long max = -1;
      for (String entry : entries()) {
        try {
          max = Math.max(max, Long.parseLong(entry.substring(0, entry.indexOf('-'))));
        } catch (RuntimeException e) {
          // not one of ours
        }
      }
      nextSequence = max + 1;
    }

    void start() {
      thread = new Thread(this::run, "fake-pulsar-status-outbox-" + manager);
      thread.setDaemon(true);
      thread.start();
    }

    void enqueue(ObjectNode payload) {
      String id = UUID.randomUUID().toString().replace("-", "");
      long sequence;
      synchronized (this) {
        sequence = nextSequence++;
      }
      Path entry = directory.resolve(String.format("%020d-%s.json", sequence, id));
      Path temporary = directory.resolve(entry.getFileName() + ".tmp");
      ObjectNode record = payload.objectNode();
      record.put("id", id);
      record.put("seq", sequence);
      record.set("payload", payload);
      record.put("ts", System.currentTimeMillis() / 1000.0);
      try {
        Files.write(temporary, PYTHON_JSON_WRITER.writeValueAsBytes(record));
        Files.move(temporary, entry, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        LOG.warn("Failed to persist status update to outbox {}: {}", directory, e.toString());
        try {
          publishStatusUpdate(manager, payload);
        } catch (IOException | RuntimeException direct) {
          LOG.warn("Direct publish failed for unwriteable outbox payload: {}", direct.toString());
        }
        return;
      }
      wakeUp();
    }

    void wakeUp() {
      synchronized (wake) {
        woken = true;
        wake.notifyAll();
      }
    }

    private void run() {
      drainOnce();
      while (!stopping.get()) {
        synchronized (wake) {
          if (!woken) {
            try {
              wake.wait(Math.max(1, settings.drainInterval().toMillis()));
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return;
            }
          }
          woken = false;
        }
        if (stopping.get()) {
          return;
        }
        drainOnce();
      }
    }

    void drainOnce() {
      draining.lock();
      try {
        for (String name : entries()) {
          if (stopping.get() && Thread.currentThread() == thread) {
            return;
          }
          tryPublish(directory.resolve(name));
        }
      } finally {
        draining.unlock();
      }
    }

    private void tryPublish(Path entry) {
      JsonNode record;
      try {
        record = PYTHON_JSON_READER.readTree(Files.readAllBytes(entry));
      } catch (NoSuchFileException e) {
        return;
      } catch (IOException e) {
        LOG.warn("Corrupt outbox entry {}, removing", entry);
        deleteQuietly(entry);
        return;
      }
      JsonNode payload = record.path("payload");
      if (!payload.isObject()) {
        LOG.warn("Corrupt outbox entry {}, removing", entry);
        deleteQuietly(entry);
        return;
      }
      try {
        publishStatusUpdate(manager, (ObjectNode) payload);
      } catch (IOException | RuntimeException e) {
        LOG.warn("Outbox publish failed for {}; will retry on next drain pass: {}", entry.getFileName(), e.toString());
        return;
      }
      deleteQuietly(entry);
    }

    /** Stops the thread, then one last drain: what cannot be published stays for the next start. */
    void stop() {
      stopping.set(true);
      wakeUp();
      if (thread != null) {
        thread.interrupt();
        join(thread);
      }
      drainOnce();
    }

    private List<String> entries() {
      List<String> names = new ArrayList<>();
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, "*.json")) {
        stream.forEach(path -> names.add(path.getFileName().toString()));
      } catch (IOException e) {
        LOG.debug("cannot list {}: {}", directory, e.toString());
      }
      Collections.sort(names);
      return names;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // MessageQueueUUIDStore (pulsar/client/util.py): one file per UUID, its mtime the time

  private static final class UuidStore {
    final Path directory;

    UuidStore(Path directory) throws IOException {
      this.directory = directory;
      Files.createDirectories(directory);
    }

    boolean contains(String uuid) {
      return Files.exists(path(uuid));
    }

    void put(String uuid, JsonNode value) throws IOException {
      Files.write(path(uuid), PYTHON_JSON_WRITER.writeValueAsBytes(value));
    }

    JsonNode get(String uuid) throws IOException {
      return PYTHON_JSON_READER.readTree(Files.readAllBytes(path(uuid)));
    }

    boolean remove(String uuid) {
      try {
        return Files.deleteIfExists(path(uuid));
      } catch (IOException e) {
        return false;
      }
    }

    List<String> keys() {
      List<String> keys = new ArrayList<>();
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
        stream.forEach(path -> keys.add(path.getFileName().toString()));
      } catch (IOException e) {
        LOG.debug("cannot list {}: {}", directory, e.toString());
      }
      return keys;
    }

    Duration age(String uuid) throws IOException {
      long modified = Files.getLastModifiedTime(path(uuid)).toMillis();
      return Duration.ofMillis(System.currentTimeMillis() - modified);
    }

    void touch(String uuid) throws IOException {
      Files.setLastModifiedTime(path(uuid), FileTime.fromMillis(System.currentTimeMillis()));
    }

    private Path path(String uuid) {
      Path path = directory.resolve(uuid).normalize();
      if (!path.getParent().equals(directory) || uuid.isEmpty()) {
        throw new ConsumerCrash("bad UUID for a file name: " + uuid);
      }
      return path;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /**
   * {@code amqp://user:password@host:port/vhost}, as kombu reads it: no path, {@code /}, {@code //}
   * or {@code /%2F} is the virtual host {@code /}; user and password default to guest.
   */
  static ConnectionFactory connectionFactory(URI uri) {
    if (uri.getScheme() == null || !uri.getScheme().equalsIgnoreCase("amqp")) {
      throw new IllegalArgumentException("FakePulsar speaks amqp: only, not " + uri);
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("no host in " + uri);
    }
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost(uri.getHost());
    factory.setPort(uri.getPort() < 0 ? 5672 : uri.getPort());
    String user = "guest";
    String password = "guest";
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      user = URLDecoder.decode(colon < 0 ? userInfo : userInfo.substring(0, colon), StandardCharsets.UTF_8);
      if (colon >= 0) {
        password = URLDecoder.decode(userInfo.substring(colon + 1), StandardCharsets.UTF_8);
      }
    }
    factory.setUsername(user);
    factory.setPassword(password);
    String path = uri.getRawPath();
    String virtualHost = path == null || path.isEmpty() || path.equals("/") ? "/"
        : URLDecoder.decode(path.substring(1), StandardCharsets.UTF_8);
    factory.setVirtualHost(virtualHost);
    factory.setAutomaticRecoveryEnabled(true);
    factory.setTopologyRecoveryEnabled(true);
    factory.setNetworkRecoveryInterval(1000);
    factory.setRequestedHeartbeat(HEARTBEAT_SECONDS);
    factory.setConnectionTimeout(5000);
    return factory;
  }

  /** The broker's URI without its password, for the log (Pulsar's mask_password_from_url). */
  private String masked() {
    URI uri = settings.uri();
    String userInfo = uri.getRawUserInfo();
    String user = userInfo == null ? "" : userInfo.replaceAll(":.*", ":********") + "@";
    return uri.getScheme() + "://" + user + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
        + (uri.getRawPath() == null ? "" : uri.getRawPath());
  }

  private static void closeQuietly(Channel channel) {
    try {
      if (channel.isOpen()) {
        channel.close();
      }
    } catch (IOException | TimeoutException | RuntimeException e) {
      LOG.debug("closing a channel: {}", e.toString());
    }
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      LOG.warn("Failed to remove outbox entry after successful publish: {}", path);
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(Math.max(1, duration.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void join(Thread thread) {
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Python's json.dumps separators. */
  private static final class PythonSeparators extends MinimalPrettyPrinter {
    private static final long serialVersionUID = 1L;

    @Override
    public void writeObjectFieldValueSeparator(JsonGenerator generator) throws IOException {
      generator.writeRaw(": ");
    }

    @Override
    public void writeObjectEntrySeparator(JsonGenerator generator) throws IOException {
      generator.writeRaw(", ");
    }

    @Override
    public void writeArrayValueSeparator(JsonGenerator generator) throws IOException {
      generator.writeRaw(", ");
    }
  }
}
