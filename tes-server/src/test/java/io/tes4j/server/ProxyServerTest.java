package io.tes4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.client.RetrySettings;
import io.tes4j.client.TesHttpClient;
import io.tes4j.engine.TesEngine;
import io.tes4j.model.State;
import io.tes4j.model.View;
import io.tes4j.testing.MockBackend;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A server in front of another TES server through the HTTP client, whose creates wait without a
 * thread ({@code TesApi.handleAsync}): they reach the server behind, and its answers and failures
 * come back as the synchronous path gave them.
 */
class ProxyServerTest {
  private static final String HELLO = "{\"name\":\"hello\",\"executors\":[{\"image\":\"alpine:3.20\",\"command\":[\"echo\",\"hi\"]}]}";

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

  @Test
  void createsThroughTheHttpClientReachTheServerBehindAndItsRefusalsComeBack() throws Exception {
    try (TesEngine engine = TesEngine.builder().backend(MockBackend.builder().delay(Duration.ZERO).build()).build();
        TesServer behind = TesServer.builder(engine).port(0).start();
        TesHttpClient client = TesHttpClient.builder().baseUrl(behind.uri()).retry(RetrySettings.none()).build();
        TesServer front = TesServer.builder(client).port(0).threads(2).start()) {
      assertThat(client.async().holdsThreadPerCall()).isFalse();

      HttpResponse<String> created = post(front, HELLO);
      assertThat(created.statusCode()).isEqualTo(200);
      String id = created.body().replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
      assertThat(engine.await(id, Duration.ofSeconds(30)).state()).isEqualTo(State.COMPLETE);
      assertThat(engine.getTask(id, View.MINIMAL).id()).isEqualTo(id);

      HttpResponse<String> invalid = post(front, "{\"name\":\"no executors\",\"executors\":[]}");
      assertThat(invalid.statusCode()).isEqualTo(400);
      assertThat(invalid.body()).contains("executors");
    }
  }

  @Test
  void aServerBehindThatIsDownIsA503() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort(); // nothing listens there once closed
    }
    try (TesHttpClient client = TesHttpClient.builder().baseUrl(URI.create("http://127.0.0.1:" + closedPort + "/ga4gh/tes/v1"))
            .retry(RetrySettings.none()).build();
        TesServer front = TesServer.builder(client).port(0).start()) {
      HttpResponse<String> answer = post(front, HELLO);

      assertThat(answer.statusCode()).isEqualTo(503);
      assertThat(answer.body()).contains("the TES service is unavailable");
    }
  }

  private HttpResponse<String> post(TesServer server, String body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(server.uri() + "/tasks")).timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
