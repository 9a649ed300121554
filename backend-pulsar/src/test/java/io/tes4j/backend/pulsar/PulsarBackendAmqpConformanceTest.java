package io.tes4j.backend.pulsar;

import io.tes4j.spi.Backend;
import io.tes4j.spi.BackendConfig;
import io.tes4j.testing.conformance.BackendConformance;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance kit over {@code pulsar+amqp:} with runtime=none: {@link FakePulsar} takes its
 * launches, kills and status requests from a real broker ({@link EmbeddedBroker}) and publishes the
 * statuses there, while the files go over its HTTP routes.
 */
class PulsarBackendAmqpConformanceTest extends BackendConformance {
  @TempDir static Path brokerWork;
  private static EmbeddedBroker broker;

  @TempDir Path work;
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
  void startPulsar() throws Exception {
    FakeDocker.assumeUsable(); // the same check: bubblewrap works here
    pulsar = FakePulsar.builder(work.resolve("staging"))
        .amqp(broker.amqpUri())
        .monitorInterval(Duration.ofMillis(100))
        .start();
  }

  @AfterEach
  void stopPulsar() {
    if (pulsar != null) {
      pulsar.close();
    }
  }

  @Override
  protected Backend newBackend() {
    return new PulsarBackendProvider().open(BackendConfig.of(
        BackendConfig.uri("pulsar+amqp://" + broker.user() + ":" + broker.password() + "@127.0.0.1:" + broker.port()
            + "/" + broker.virtualHost() + "?runtime=none"),
        // statusRequestAfter stays at its default (60 s), longer than the kit waits for a task: every
        // case must pass on pushed updates alone, as a lost update would otherwise be hidden.
        Map.of("files", pulsar.baseUrl().toString(), "pollInterval", "50ms",
            "workdir", work.resolve("engine").toString())));
  }
}
