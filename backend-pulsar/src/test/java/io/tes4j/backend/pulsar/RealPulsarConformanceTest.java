package io.tes4j.backend.pulsar;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tes4j.spi.Backend;
import io.tes4j.spi.BackendConfig;
import io.tes4j.testing.conformance.BackendConformance;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance kit against a real Pulsar server of yours, when the environment variable {@value
 * #VARIABLE} holds its backend URI, e.g. {@code pulsar+http://127.0.0.1:8913/?runtime=none} or
 * {@code pulsar+amqp://USER:PASSWORD@127.0.0.1:5672/VHOST?files=http://127.0.0.1:8913/&runtime=none}
 * (skipped without it: the build starts no Pulsar, which needs Python packages):
 *
 * <pre>
 * TES4J_TEST_PULSAR_BACKEND='pulsar+http://127.0.0.1:8913/?runtime=none' \
 *   ./mvnw -pl backend-pulsar -am test -Dtest=RealPulsarConformanceTest -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
class RealPulsarConformanceTest extends BackendConformance {
  /** The environment variable that names the Pulsar backend URI to test. */
  static final String VARIABLE = "TES4J_TEST_PULSAR_BACKEND";

  @TempDir Path work;

  @BeforeEach
  void needsAPulsar() {
    String uri = System.getenv(VARIABLE);
    assumeTrue(uri != null && !uri.isBlank(), VARIABLE + " is not set: no real Pulsar to test against");
  }

  @Override
  protected Backend newBackend() {
    return new PulsarBackendProvider().open(BackendConfig.of(BackendConfig.uri(System.getenv(VARIABLE)),
        Map.of("pollInterval", "200ms", "workdir", work.resolve("engine").toString())));
  }
}
