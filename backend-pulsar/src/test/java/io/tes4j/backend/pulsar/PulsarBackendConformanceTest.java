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
 * The conformance kit over {@code pulsar+http:} with runtime=docker, against {@link FakePulsar}
 * (Pulsar's REST routes, running each job's command line with bash as Pulsar does) whose jobs find
 * {@link FakeDocker} on their PATH (docker run emulated with bubblewrap, so container paths exist).
 * The restart rule opens a second backend on the same server, as a restarted engine would.
 */
class PulsarBackendConformanceTest extends BackendConformance {
  @TempDir Path work;
  private FakeDocker docker;
  private FakePulsar pulsar;

  @BeforeEach
  void startPulsar() throws Exception {
    FakeDocker.assumeUsable(); // bubblewrap plays the containers
    docker = FakeDocker.install(work.resolve("bin"));
    pulsar = FakePulsar.builder(work.resolve("staging"))
        .environment(Map.of("PATH", docker.binDirectory() + ":" + System.getenv("PATH")))
        .start();
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
        BackendConfig.uri("pulsar+" + pulsar.baseUrl()),
        Map.of("pollInterval", "50ms", "workdir", work.resolve("engine").toString())));
  }
}
