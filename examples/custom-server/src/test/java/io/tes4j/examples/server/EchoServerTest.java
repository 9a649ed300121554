package io.tes4j.examples.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.client.TesHttpClient;
import io.tes4j.model.Executor;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import io.tes4j.server.TesServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EchoServerTest {

  @Test
  void aTaskSubmittedOverHttpRunsOnTheCustomBackend() {
    try (TesServer server = EchoServer.start(0);
        TesHttpClient client = TesHttpClient.create(server.uri())) {
      assertThat(client.serviceInfo().name()).contains("echo");
      String id = client.createTask(Task.builder()
          .name("two-steps")
          .addExecutor(Executor.of("alpine:3.20", "echo", "hello"))
          .addExecutor(Executor.of("alpine:3.20", "wc", "-l"))
          .build());

      Task done = client.await(id, Duration.ofSeconds(20));

      assertThat(done.state()).isEqualTo(State.COMPLETE);
      assertThat(done.lastLog().orElseThrow().logs()).extracting(log -> log.stdout())
          .containsExactly("echo hello\n", "wc -l\n");
      assertThat(client.getTask(id, View.MINIMAL).name()).isNull();
      assertThat(client.getTask(id, View.BASIC).name()).isEqualTo("two-steps");
    }
  }
}
