package io.tes4j.backend.pulsar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedBrokerTest {
  @TempDir static Path tmp;
  static EmbeddedBroker broker;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = EmbeddedBroker.start(tmp.resolve("broker"));
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void aMessagePublishedToAQueueComesBackWithItsProperties() throws Exception {
    try (Connection connection = broker.connectionFactory().newConnection();
        Channel channel = connection.createChannel()) {
      channel.exchangeDeclare("x-roundtrip", "direct", true);
      channel.queueDeclare("q-roundtrip", true, false, false, null);
      channel.queueBind("q-roundtrip", "x-roundtrip", "q-roundtrip");
      AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
          .contentType("application/json").contentEncoding("utf-8").deliveryMode(2).build();
      channel.basicPublish("x-roundtrip", "q-roundtrip", properties, "{\"a\": 1}".getBytes(StandardCharsets.UTF_8));

      GetResponse response = getWithin(channel, "q-roundtrip");
      assertThat(new String(response.getBody(), StandardCharsets.UTF_8)).isEqualTo("{\"a\": 1}");
      assertThat(response.getProps().getContentType()).isEqualTo("application/json");
      assertThat(response.getProps().getContentEncoding()).isEqualTo("utf-8");
      assertThat(response.getProps().getDeliveryMode()).isEqualTo(2);
    }
  }

  @Test
  void theUriAndTheDefaultVirtualHostReachTheSameHost() throws Exception {
    assertThat(broker.amqpUri().toString())
        .isEqualTo("amqp://tes4j:broker-secret@127.0.0.1:" + broker.port() + "/pulsar");
    ConnectionFactory byUri = new ConnectionFactory();
    byUri.setUri(broker.amqpUri());
    ConnectionFactory byDefault = broker.connectionFactory();
    byDefault.setVirtualHost("/");
    try (Connection named = byUri.newConnection();
        Connection unnamed = byDefault.newConnection();
        Channel publisher = named.createChannel();
        Channel reader = unnamed.createChannel()) {
      publisher.queueDeclare("q-alias", true, false, false, null);
      publisher.basicPublish("", "q-alias", null, "via the name".getBytes(StandardCharsets.UTF_8));
      assertThat(new String(getWithin(reader, "q-alias").getBody(), StandardCharsets.UTF_8))
          .isEqualTo("via the name");
    }
  }

  @Test
  void aWrongPasswordIsRefused() {
    ConnectionFactory factory = broker.connectionFactory();
    factory.setPassword("not-the-password");
    assertThatThrownBy(factory::newConnection).isInstanceOf(Exception.class);
  }

  @Test
  void aRestartKeepsThePortAndForgetsEverything() throws Exception {
    int port = broker.port();
    try (Connection connection = broker.connectionFactory().newConnection();
        Channel channel = connection.createChannel()) {
      channel.queueDeclare("q-restart", true, false, false, null);
      channel.basicPublish("", "q-restart", null, "before".getBytes(StandardCharsets.UTF_8));
    }

    broker.restart();

    assertThat(broker.port()).isEqualTo(port);
    assertThat(listening(port)).isTrue();
    try (Connection connection = broker.connectionFactory().newConnection()) {
      // The memory store lost the queue: a passive declare fails (and the broker closes the channel).
      Channel channel = connection.createChannel();
      assertThatThrownBy(() -> channel.queueDeclarePassive("q-restart")).isInstanceOf(IOException.class);
      assertThat(channel.isOpen()).isFalse();
    }
    try (Connection connection = broker.connectionFactory().newConnection();
        Channel channel = connection.createChannel()) {
      channel.queueDeclare("q-restart", true, false, false, null);
      channel.basicPublish("", "q-restart", null, "after".getBytes(StandardCharsets.UTF_8));
      assertThat(new String(getWithin(channel, "q-restart").getBody(), StandardCharsets.UTF_8)).isEqualTo("after");
    }
  }

  private static boolean listening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** basicGet until a message is there, for at most 5 s (a publish is asynchronous). */
  private static GetResponse getWithin(Channel channel, String queue) throws Exception {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (System.nanoTime() < deadline) {
      GetResponse response = channel.basicGet(queue, true);
      if (response != null) {
        return response;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no message in " + queue);
  }
}
