package io.tes4j.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.api.TesClient;
import io.tes4j.api.TesClientException;
import io.tes4j.engine.TesEngine;
import io.tes4j.model.Executor;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code mock:} through ServiceLoader: TesClient.connect and TesEngine.open, and its parameters. */
class MockBackendProviderTest {
  private static final Task TASK = Task.builder().addExecutor(Executor.of("alpine", "true")).build();

  @Test
  void connectMockGivesAnEngineOverTheMockBackend() {
    try (TesClient client = TesClient.connect("mock:")) {
      assertThat(client).isInstanceOf(TesEngine.class);
      assertThat(client.serviceInfo().name()).isEqualTo("tes4j engine (mock (tes-testing))");

      String id = client.createTask(TASK);

      assertThat(client.await(id, Duration.ofSeconds(30)).state()).isEqualTo(State.COMPLETE);
    }
  }

  @Test
  void parametersComeFromTheQuery() {
    try (TesEngine engine = TesEngine.open("mock:?delay=0&backend_parameters=VmSize,gpu&record=false")) {
      assertThat(engine.serviceInfo().tesResourcesBackendParameters()).containsExactly("VmSize", "gpu");
      assertThat(engine.await(engine.createTask(TASK), Duration.ofSeconds(30)).state()).isEqualTo(State.COMPLETE);
    }
  }

  @Test
  void durations() {
    assertThat(MockBackendProvider.duration("50ms")).isEqualTo(Duration.ofMillis(50));
    assertThat(MockBackendProvider.duration("2s")).isEqualTo(Duration.ofSeconds(2));
    assertThat(MockBackendProvider.duration("1m")).isEqualTo(Duration.ofMinutes(1));
    assertThat(MockBackendProvider.duration("0")).isZero();
    assertThat(MockBackendProvider.duration("PT0.5S")).isEqualTo(Duration.ofMillis(500));
    assertThatThrownBy(() -> MockBackendProvider.duration("5"))
        .hasMessage("mock: delay must be a duration such as 50ms, 2s, 1m, 0 or PT0.5S, was '5'");
  }

  @Test
  void wrongParametersAreNamed() {
    assertThatThrownBy(() -> TesClient.connect("mock:?delay=soon"))
        .isInstanceOf(TesClientException.class)
        .hasMessageContaining("was 'soon'");
    assertThatThrownBy(() -> TesClient.connect("mock:?speed=1"))
        .isInstanceOf(TesClientException.class)
        .hasMessage("backend URI mock:?...: unknown parameter speed; mock: knows allowHosts, allowSchemes,"
            + " backend_parameters, delay, fileRoots, privateAddresses, record;"
            + " the engine takes maxQueued, maxRunning, store, store.password, store.user, tagLimit.KEY");
    assertThatThrownBy(() -> TesClient.connect("mock:?record=maybe"))
        .isInstanceOf(TesClientException.class)
        .hasMessage("mock: record must be true or false, was 'maybe'");
  }

  @Test
  void anUnknownSchemeListsMock() {
    assertThatThrownBy(() -> TesEngine.open("nomad:"))
        .isInstanceOf(TesClientException.class)
        .hasMessageStartingWith("no backend provider handles the scheme 'nomad' of nomad:. Schemes available: mock."
            + " Providers found: mock (tes-testing) (io.tes4j.testing.MockBackendProvider: mock).");
  }
}
