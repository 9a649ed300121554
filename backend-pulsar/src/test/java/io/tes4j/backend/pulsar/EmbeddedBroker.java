package io.tes4j.backend.pulsar;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.qpid.server.SystemLauncher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real AMQP 0-9-1 broker for tests: Apache Qpid Broker-J, started in this JVM with a memory store
 * and listening on {@code 127.0.0.1} only, on a free port.
 *
 * <p>It has one virtual host, {@value #VIRTUAL_HOST}, which is also the default one: a client that
 * asks for {@code /} (or for no virtual host) reaches it through the port's default alias. One user,
 * {@value #USER} / {@value #PASSWORD}, authenticates with PLAIN over the plain-text port.
 *
 * <p>{@link #restart()} stops the broker and starts it again on the same port: everything it held
 * (exchanges, queues, messages, bindings, consumers' connections) is gone, as after a crash of a
 * broker without persistence, which is what a client's reconnection test wants.
 *
 * <pre>{@code
 * try (EmbeddedBroker broker = EmbeddedBroker.start(tmp.resolve("broker"))) {
 *   Connection connection = broker.connectionFactory().newConnection();
 *   ...
 * }
 * }</pre>
 */
public final class EmbeddedBroker implements AutoCloseable {
  /** The broker's one user. */
  public static final String USER = "tes4j";
  /** The password of {@link #USER}. */
  public static final String PASSWORD = "broker-secret";
  /** The broker's one virtual host (also its default one). */
  public static final String VIRTUAL_HOST = "pulsar";

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);

  static {
    // Broker-J logs its operational messages (qpid.message.*) and its internals (org.apache.qpid.*)
    // at INFO through slf4j: dozens of lines per start, connection and queue. Tests want only its
    // warnings. slf4j-simple reads these properties when each logger is made, and Broker-J makes
    // its loggers only when it starts, after this. A level given with -D wins.
    quiet("org.apache.qpid");
    quiet("qpid");
  }

  private final Path workDirectory;
  private final int port;
  private SystemLauncher launcher;

  private EmbeddedBroker(Path workDirectory, int port) {
    this.workDirectory = workDirectory;
    this.port = port;
  }

  /**
   * Starts a broker that keeps its work files (its configuration, nothing else: the store is in
   * memory) under {@code workDirectory}, created if missing. It takes about a second and a half.
   */
  public static EmbeddedBroker start(Path workDirectory) throws Exception {
    Files.createDirectories(workDirectory);
    EmbeddedBroker broker = new EmbeddedBroker(workDirectory.toAbsolutePath(), freePort());
    broker.launch();
    return broker;
  }

  /** The port the broker listens on, on {@code 127.0.0.1}; the same after a {@link #restart()}. */
  public int port() {
    return port;
  }

  /** The user to connect as. */
  public String user() {
    return USER;
  }

  /** The password of {@link #user()}. */
  public String password() {
    return PASSWORD;
  }

  /** The named virtual host ({@value #VIRTUAL_HOST}); {@code /} reaches the same one. */
  public String virtualHost() {
    return VIRTUAL_HOST;
  }

  /** {@code amqp://USER:PASSWORD@127.0.0.1:PORT/VHOST}, as kombu and Pulsar's app.yml write it. */
  public URI amqpUri() {
    return URI.create("amqp://" + encode(USER) + ":" + encode(PASSWORD) + "@" + host() + ":" + port + "/"
        + encode(VIRTUAL_HOST));
  }

  /**
   * A RabbitMQ client connection factory for this broker (host, port, user, password and virtual
   * host set; automatic recovery left at the client's default, which is on).
   */
  public ConnectionFactory connectionFactory() {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost(host());
    factory.setPort(port);
    factory.setUsername(USER);
    factory.setPassword(PASSWORD);
    factory.setVirtualHost(VIRTUAL_HOST);
    return factory;
  }

  /**
   * Stops the broker and starts it again on the same port. With the memory store, all queues,
   * exchanges and messages are gone; clients' connections are closed and must reconnect.
   */
  public synchronized void restart() throws Exception {
    stop();
    // The port was just closed; bind again, retrying briefly should the system still hold it.
    Exception last = null;
    for (int attempt = 0; attempt < 50; attempt++) {
      try {
        launch();
        return;
      } catch (Exception e) {
        last = e;
        stop();
        Thread.sleep(100);
      }
    }
    throw last;
  }

  /** Stops the broker. */
  @Override
  public synchronized void close() {
    stop();
  }

  private synchronized void launch() throws Exception {
    Path config = workDirectory.resolve("config.json");
    Files.writeString(config, configuration(), StandardCharsets.UTF_8);
    Map<String, String> context = new LinkedHashMap<>();
    context.put("qpid.work_dir", workDirectory.resolve("work").toString());
    context.put("qpid.amqp_port", Integer.toString(port));
    Map<String, Object> attributes = new LinkedHashMap<>();
    attributes.put("type", "Memory");
    attributes.put("initialConfigurationLocation", config.toUri().toString());
    attributes.put("startupLoggedToSystemOut", false);
    attributes.put("context", context);
    SystemLauncher started = new SystemLauncher();
    try {
      started.startup(attributes);
    } catch (Exception e) {
      try {
        started.shutdown();
      } catch (RuntimeException ignored) {
        // a half-started broker: what matters is the startup failure
      }
      throw e;
    }
    launcher = started;
    LOG.info("AMQP broker listening on {}:{}", host(), port);
  }

  private void stop() {
    if (launcher != null) {
      try {
        launcher.shutdown();
      } finally {
        launcher = null;
      }
    }
  }

  /** The broker's initial configuration: one PLAIN user, one AMQP 0-9-1 port, one memory host. */
  private String configuration() {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    root.put("name", "tes4j-test-broker");
    root.put("modelVersion", "9.0");
    ObjectNode authentication = root.putArray("authenticationproviders").addObject();
    authentication.put("name", "plain");
    authentication.put("type", "Plain");
    // PLAIN is refused on a port without TLS unless no mechanism is "secure only".
    authentication.putArray("secureOnlyMechanisms");
    ObjectNode user = authentication.putArray("users").addObject();
    user.put("name", USER);
    user.put("type", "managed");
    user.put("password", PASSWORD);
    ObjectNode amqp = root.putArray("ports").addObject();
    amqp.put("name", "AMQP");
    amqp.put("type", "AMQP");
    amqp.put("port", "${qpid.amqp_port}");
    amqp.put("bindingAddress", host());
    amqp.putArray("protocols").add("AMQP_0_9_1");
    amqp.put("authenticationProvider", "plain");
    ArrayNode aliases = amqp.putArray("virtualhostaliases");
    aliases.addObject().put("name", "nameAlias").put("type", "nameAlias");
    // Connections that ask for "/" (kombu's default, amqp://host//) or for no host land here.
    aliases.addObject().put("name", "defaultAlias").put("type", "defaultAlias");
    ObjectNode node = root.putArray("virtualhostnodes").addObject();
    node.put("name", VIRTUAL_HOST);
    node.put("type", "Memory");
    node.put("defaultVirtualHostNode", "true");
    node.put("virtualHostInitialConfiguration", "{\"type\": \"Memory\"}");
    try {
      return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Always the IPv4 loopback literal: the broker never listens anywhere else. */
  private static String host() {
    return "127.0.0.1";
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(host()), 0));
      return socket.getLocalPort();
    }
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  private static void quiet(String loggerName) {
    String key = "org.slf4j.simpleLogger.log." + loggerName;
    if (System.getProperty(key) == null) {
      System.setProperty(key, "warn");
    }
  }

  @Override
  public String toString() {
    return "EmbeddedBroker[" + host() + ":" + port + "/" + VIRTUAL_HOST + "]";
  }
}
