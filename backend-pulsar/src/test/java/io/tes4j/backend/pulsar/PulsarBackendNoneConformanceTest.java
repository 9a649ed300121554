package io.tes4j.backend.pulsar;

import io.tes4j.spi.Backend;
import io.tes4j.spi.BackendConfig;
import io.tes4j.testing.conformance.BackendConformance;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance kit over {@code pulsar+http:} with runtime=none, against {@link FakePulsar}:
 * no container and no docker, each executor run with this machine's programs in the bubblewrap
 * sandbox the command line makes, where the task's files are at their paths.
 */
class PulsarBackendNoneConformanceTest extends BackendConformance {
  @TempDir Path work;
  private FakePulsar pulsar;

  @BeforeEach
  void startPulsar() throws Exception {
    FakeDocker.assumeUsable(); // the same check: bubblewrap works here
    pulsar = FakePulsar.builder(work.resolve("staging")).start();
  }

  @AfterEach
  void stopPulsar() {
    if (pulsar != null) { // null when the assumption in the set-up skipped the test
      pulsar.close();
    }
  }

  @Override
  protected Backend newBackend() {
    return new PulsarBackendProvider().open(BackendConfig.of(
        BackendConfig.uri("pulsar+" + pulsar.baseUrl() + "?runtime=none"),
        Map.of("pollInterval", "50ms", "workdir", work.resolve("engine").toString())));
  }
}
