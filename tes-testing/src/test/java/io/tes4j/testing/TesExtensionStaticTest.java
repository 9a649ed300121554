package io.tes4j.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.api.TesAsyncClient;
import io.tes4j.api.TesClient;
import io.tes4j.engine.TesEngine;
import io.tes4j.model.Executor;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A static TesExtension: one engine for the class, parameters resolved everywhere. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TesExtensionStaticTest {
  @RegisterExtension
  static TesExtension tes = TesExtension.mock().delay(Duration.ZERO).engine(b -> b.maxRunning(4))
      .backend(b -> b.backendParameters("VmSize"));

  private static TesEngine first;

  @BeforeAll
  static void scriptTheMock(MockBackend mock) {
    mock.onName("bad", Outcome.fail(7));
  }

  @Test
  @Order(1)
  void resolvesTheClientTheEngineAndTheMock(TesClient client, TesEngine engine, TesAsyncClient async, MockBackend mock) {
    first = engine;
    assertThat(client).isSameAs(engine).isSameAs(tes.client()).isSameAs(tes.engine());
    assertThat(async.sync()).isSameAs(engine);
    assertThat(mock).isSameAs(tes.mockBackend());
    assertThat(engine.serviceInfo().tesResourcesBackendParameters()).containsExactly("VmSize");

    String id = client.createTask(Task.builder().name("bad").addExecutor(Executor.of("a", "b")).build());

    assertThat(client.await(id, Duration.ofSeconds(30)).state()).isEqualTo(State.EXECUTOR_ERROR);
  }

  @Test
  @Order(2)
  void theEngineAndItsTasksStayForTheClass(TesEngine engine, MockBackend mock) {
    assertThat(engine).isSameAs(first);
    assertThat(mock.received()).extracting(Task::name).containsExactly("bad");
  }
}
