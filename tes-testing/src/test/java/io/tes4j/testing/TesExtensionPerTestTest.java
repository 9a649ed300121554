package io.tes4j.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.api.ListTasksRequest;
import io.tes4j.api.TesClient;
import io.tes4j.engine.TesEngine;
import io.tes4j.model.Executor;
import io.tes4j.model.Task;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A TesExtension in an instance field: a fresh engine per test, closed after it. */
class TesExtensionPerTestTest {
  private static final List<TesEngine> ENGINES = new ArrayList<>();

  @RegisterExtension TesExtension tes = TesExtension.mock();

  @RepeatedTest(2)
  void eachTestHasItsOwnEmptyEngine(TesClient client) {
    assertThat(client.listTasks(ListTasksRequest.all()).tasks()).isEmpty();
    client.createTask(Task.builder().addExecutor(Executor.of("a", "b")).build());
    ENGINES.add(tes.engine());
  }

  @Test
  void anExtensionThatHasNotStartedSaysSo() {
    TesExtension unused = TesExtension.mock();

    assertThatThrownBy(unused::engine)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("the TesExtension has not started");
  }

  @AfterAll
  static void theEnginesWereDistinctAndAreClosed() {
    assertThat(ENGINES).hasSize(2);
    assertThat(ENGINES.get(0)).isNotSameAs(ENGINES.get(1));
    assertThat(ENGINES).allSatisfy(engine -> assertThat(engine.toString()).endsWith(", closed]"));
  }
}
