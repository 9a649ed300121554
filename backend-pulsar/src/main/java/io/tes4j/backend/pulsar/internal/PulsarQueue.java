package io.tes4j.backend.pulsar.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.ShutdownSignalException;
import io.tes4j.api.BackendException;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulsar's message-queue mode (PULSAR.md §7), over AMQP 0-9-1: jobs are launched with {@code
 * setup} messages, killed with {@code kill} messages and asked for with {@code status} requests;
 * Pulsar publishes each job's status on {@code status_update}, which this class consumes. Files do
 * not go through the queue (Pulsar has no such route): the web app's HTTP file routes carry them
 * ({@link PulsarClient}). Thread-safe.
 *
 * <p>What Pulsar expects, and what this class does about it:
 *
 * <ul>
 *   <li>The exchange {@code pulsar} (direct, durable); a queue per message kind, named as its
 *       routing key {@code PREFIX_KIND}, where the prefix is {@code pulsar_} for the manager {@code
 *       _default_} (so {@code pulsar__setup}) and {@code pulsar_MANAGER_} for the others (so {@code
 *       pulsar_gpu__setup}), unless
 *       Pulsar's {@code amqp_key_prefix} is set.
 *   <li>Pulsar declares only the exchange when it publishes: an update published before any client
 *       declared and bound {@code PREFIX_status_update} is dropped. This class declares and binds it
 *       when it connects, before it publishes anything, with the arguments Pulsar's own consumer
 *       uses (durable, not exclusive, not auto-deleted), so either side may declare it first.
 *   <li>Messages are JSON, content type {@code application/json}, persistent. Every publish waits
 *       for the broker's confirm, so a setup the broker did not take fails here, visibly.
 *   <li>Updates are delivered at least once and in no promised order: the receiver ({@link
 *       PulsarJob#observed}) ignores whatever comes after a terminal status. When Pulsar asks for
 *       acknowledgements ({@code amqp_acknowledge}), each update is acknowledged on the queue it
 *       names, so Pulsar does not publish it again.
 * </ul>
 *
 * <p>The connection is opened on first use, not when the backend opens: a broker that is down
 * makes tasks wait and retry, not the engine fail to start. Once open, the client library recovers
 * it by itself after a network failure or a broker restart, declaring the exchange, the queue, its
 * binding and the consumer again (which a broker that kept nothing needs). An update that comes
 * while the connection is down stays in the durable queue; one that Pulsar published while no
 * queue existed is lost, which is why the backend also asks for the status of any job it has not
 * heard of for a while.
 */
public final class PulsarQueue implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PulsarQueue.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger THREADS = new AtomicInteger();

  /** Pulsar's exchange (amqp_exchange.py {@code DEFAULT_EXCHANGE_NAME}). */
  public static final String EXCHANGE = "pulsar";

  private final ConnectionFactory factory;
  private final String prefix;
  private final Duration publishTimeout;
  private final String description;
  private volatile Consumer<JsonNode> listener = update -> { };
  private Connection connection;
  private Channel publisher;
  private boolean closed;

  /**
   * @param factory connects to the broker (its host, port, credentials, virtual host and TLS set)
   * @param manager the Pulsar job manager whose queues these are
   * @param keyPrefix Pulsar's {@code amqp_key_prefix}, or null for Pulsar's default
   * @param publishTimeout how long a publish waits for the broker's confirm
   * @param description the broker, for messages (never the password)
   */
  public PulsarQueue(
      ConnectionFactory factory, String manager, String keyPrefix, Duration publishTimeout, String description) {
    this.factory = Objects.requireNonNull(factory, "factory");
    this.prefix = keyPrefix(manager, keyPrefix);
    this.publishTimeout = Objects.requireNonNull(publishTimeout, "publishTimeout");
    this.description = Objects.requireNonNull(description, "description");
    factory.setAutomaticRecoveryEnabled(true);
    factory.setTopologyRecoveryEnabled(true);
    factory.setNetworkRecoveryInterval(2_000);
    factory.setThreadFactory(daemonThreads());
  }

  /**
   * A connection factory for {@code amqp://USER:PASS@HOST[:PORT]/[VHOST]} or {@code amqps://...}
   * (the virtual host percent-decoded; none or {@code /} is the broker's default, {@code /}). For
   * {@code amqps}, the server's certificate is checked against the JVM's trusted ones and its host
   * name: unlike the client library's {@code setUri}, which trusts any certificate.
   *
   * @throws IllegalArgumentException for another scheme, or no host
   */
  public static ConnectionFactory connectionFactory(URI broker, Duration connectTimeout) {
    String scheme = broker.getScheme() == null ? "" : broker.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("amqp") || scheme.equals("amqps")) || broker.getHost() == null) {
      throw new IllegalArgumentException("a broker URL is amqp://USER:PASSWORD@HOST:PORT/VHOST or amqps://...");
    }
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost(broker.getHost());
    boolean tls = scheme.equals("amqps");
    factory.setPort(broker.getPort() >= 0 ? broker.getPort() : tls ? 5671 : 5672);
    String userInfo = broker.getRawUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      factory.setUsername(decode(colon < 0 ? userInfo : userInfo.substring(0, colon)));
      if (colon >= 0) {
        factory.setPassword(decode(userInfo.substring(colon + 1)));
      }
    }
    String path = broker.getRawPath();
    factory.setVirtualHost(path == null || path.isEmpty() || path.equals("/") ? "/" : decode(path.substring(1)));
    factory.setConnectionTimeout((int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
    factory.setHandshakeTimeout((int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
    factory.setRequestedHeartbeat(60);
    if (tls) {
      try {
        factory.useSslProtocol(SSLContext.getDefault());
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("this JVM has no default TLS context", e);
      }
      factory.enableHostnameVerification();
    }
    return factory;
  }

  /** The routing-key prefix of a manager's queues, as Pulsar computes it. */
  static String keyPrefix(String manager, String keyPrefix) {
    if (keyPrefix != null) {
      return keyPrefix;
    }
    return manager == null || manager.equals("_default_") ? "pulsar_" : "pulsar_" + manager + "_";
  }

  /** The queue (and routing key) of message kind {@code name}: {@code PREFIX_NAME}. */
  public String queue(String name) {
    return prefix + "_" + name;
  }

  /** The broker and the queues' prefix, for messages: never the password. */
  public String description() {
    return description;
  }

  /** Who receives each status update, as Pulsar's JSON. Set before the first use. */
  public void onUpdate(Consumer<JsonNode> listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  // -----------------------------------------------------------------------------------------------
  // Messages.

  /**
   * Launches a job that was set up over HTTP and whose files were uploaded: the {@code setup}
   * message, which Pulsar treats as the REST submit. A job launched twice runs once: Pulsar ignores
   * a second setup of a launched job.
   *
   * @param setupParams when not null, Pulsar sets the job up first ({@code {"job_id": ...}})
   * @param remoteStaging Pulsar's {@code remote_staging}, or null
   */
  public void setup(String jobId, String commandLine, Map<String, Object> setupParams, JsonNode remoteStaging) {
    ObjectNode message = JSON.createObjectNode();
    message.put("job_id", jobId);
    message.put("command_line", commandLine);
    if (setupParams != null) {
      message.set("setup_params", JSON.valueToTree(setupParams));
    }
    if (remoteStaging != null) {
      message.set("remote_staging", remoteStaging);
    }
    publish("setup", message, "setup of job " + jobId);
  }

  /** Asks Pulsar to kill the job ({@code kill}); Pulsar publishes nothing when it did. */
  public void kill(String jobId) {
    ObjectNode message = JSON.createObjectNode();
    message.put("job_id", jobId);
    publish("kill", message, "kill of job " + jobId);
  }

  /** Asks Pulsar to publish the job's current status ({@code status} request). */
  public void requestStatus(String jobId) {
    ObjectNode message = JSON.createObjectNode();
    message.put("job_id", jobId);
    message.put("request", "status");
    publish("status", message, "status request of job " + jobId);
  }

  /**
   * Connects, when not connected yet: declares the exchange, declares and binds the status-update
   * queue and starts consuming it. Called before every publish, and by the backend's poller, so
   * that updates are received even when nothing is published.
   *
   * @throws BackendException (retryable) when the broker cannot be reached
   */
  public synchronized void connect() {
    if (closed) {
      throw new BackendException("the queue client of " + description + " is closed", null, false);
    }
    if (connection != null) {
      return;
    }
    Connection opened = null;
    try {
      opened = factory.newConnection("tes4j");
      Channel consumer = opened.createChannel();
      consumer.exchangeDeclare(EXCHANGE, "direct", true);
      String updates = queue("status_update");
      consumer.queueDeclare(updates, true, false, false, null);
      consumer.queueBind(updates, EXCHANGE, updates);
      consumer.basicQos(256);
      consumer.basicConsume(updates, false, "tes4j-" + updates,
          (tag, delivery) -> deliver(consumer, delivery),
          tag -> LOG.warn("{}: the broker cancelled the consumer of {}", description, updates));
      Channel publishing = opened.createChannel();
      publishing.confirmSelect();
      connection = opened;
      publisher = publishing;
      LOG.info("{}: connected; consuming {}", description, updates);
    } catch (IOException | TimeoutException | RuntimeException e) {
      if (opened != null) {
        try {
          opened.abort();
        } catch (RuntimeException ignored) {
          // closing what failed half-way; the failure below is the one to report
          LOG.trace("abort after a failed connect", ignored);
        }
      }
      throw new BackendException(description + ": cannot connect to the broker: " + reason(e), e, true);
    }
  }

  private synchronized void publish(String kind, JsonNode message, String what) {
    connect();
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(message);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
        .contentType("application/json")
        .contentEncoding("utf-8")
        .deliveryMode(2)
        .build();
    try {
      if (!publisher.isOpen() && connection.isOpen()) {
        // Closed by the broker (a channel error), not by a network failure that recovery mends.
        publisher = connection.createChannel();
        publisher.confirmSelect();
      }
      publisher.basicPublish(EXCHANGE, queue(kind), properties, body);
      // Not waitForConfirmsOrDie, which closes the channel on a nack or a timeout.
      if (!publisher.waitForConfirms(publishTimeout.toMillis())) {
        throw new BackendException(what + " through " + description + ": the broker refused the message (nack)", null,
            true);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BackendException(what + " through " + description + " was interrupted", e, true);
    } catch (IOException | TimeoutException | ShutdownSignalException e) {
      throw new BackendException(what + " through " + description + " failed: " + reason(e), e, true);
    } catch (RuntimeException e) {
      // AlreadyClosedException while the connection recovers, among others.
      throw new BackendException(what + " through " + description + " failed: " + reason(e), e, true);
    }
  }

  /** One status update: acknowledged to Pulsar when it asks, handed on, then acked to the broker. */
  private void deliver(Channel channel, Delivery delivery) throws IOException {
    JsonNode update = null;
    try {
      update = JSON.readTree(delivery.getBody());
    } catch (IOException e) {
      LOG.warn("{}: a status update that is not JSON was dropped: {}", description, e.getMessage());
    }
    if (update != null && update.isObject()) {
      JsonNode uuid = update.get("acknowledge_uuid");
      JsonNode ackQueue = update.get("acknowledge_queue");
      if (uuid != null && uuid.isTextual() && ackQueue != null && ackQueue.isTextual()) {
        acknowledge(uuid.asText(), ackQueue.asText());
      }
      try {
        listener.accept(update);
      } catch (RuntimeException e) {
        LOG.error("{}: handling the status update of job {} failed", description, update.path("job_id").asText(), e);
      }
    } else if (update != null) {
      LOG.warn("{}: a status update that is not a JSON object was dropped", description);
    }
    channel.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
  }

  /** Pulsar's acknowledgement protocol: {@code {"acknowledge_uuid_response": UUID}} on {@code PREFIX_QUEUE}. */
  private void acknowledge(String uuid, String ackQueue) {
    ObjectNode answer = JSON.createObjectNode();
    answer.put("acknowledge_uuid_response", uuid);
    try {
      publish(ackQueue, answer, "acknowledgement of update " + uuid);
    } catch (BackendException e) {
      // Pulsar publishes the update again after amqp_ack_republish_time: nothing is lost.
      LOG.warn("{}: {}", description, e.getMessage());
    }
  }

  /** Closes the connection; no more updates are received. */
  @Override
  public synchronized void close() {
    closed = true;
    if (connection != null) {
      try {
        connection.close(5_000);
      } catch (IOException | RuntimeException e) {
        LOG.debug("{}: closing the connection: {}", description, e.toString());
      }
      connection = null;
    }
  }

  /** The broker and prefix; never the password. */
  @Override
  public String toString() {
    return "PulsarQueue[" + description + ", " + queue("*") + "]";
  }

  private static String reason(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getMessage() == null) {
      cause = cause.getCause();
    }
    String message = cause.getMessage();
    return message == null ? cause.getClass().getSimpleName() : message;
  }

  private static String decode(String text) {
    return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static ThreadFactory daemonThreads() {
    return r -> {
      Thread t = new Thread(r, "tes4j-pulsar-amqp-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
