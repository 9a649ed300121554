package io.tes4j.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.api.InvalidTaskException;
import io.tes4j.api.ListTasksRequest;
import io.tes4j.api.TaskNotFoundException;
import io.tes4j.api.TesAuthException;
import io.tes4j.api.TesClient;
import io.tes4j.client.RetrySettings;
import io.tes4j.client.TesAuth;
import io.tes4j.client.TesHttpClient;
import io.tes4j.engine.TesEngine;
import io.tes4j.model.Executor;
import io.tes4j.model.Input;
import io.tes4j.model.ListTasksResponse;
import io.tes4j.model.ServiceInfo;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import io.tes4j.model.Violation;
import io.tes4j.server.auth.AuthenticationException;
import io.tes4j.server.auth.Authenticator;
import io.tes4j.testing.MockBackend;
import io.tes4j.testing.Outcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The server over the wire: TesHttpClient → TesServer → TesEngine on the mock backend. */
class TesServerTest {
  private static final Task HELLO = Task.builder().name("hello").addExecutor(Executor.of("alpine:3.20", "echo", "hello")).build();

  private TesEngine engine;
  private TesServer server;
  private TesHttpClient client;

  @BeforeEach
  void open() {
    MockBackend mock = MockBackend.builder().delay(Duration.ZERO).build();
    mock.onName("hang", Outcome.hang());
    engine = TesEngine.builder().backend(mock).build();
  }

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
    engine.close();
  }

  private TesHttpClient start(TesServer.Builder builder, TesAuth auth) {
    server = builder.port(0).start();
    client = TesHttpClient.builder().baseUrl(server.uri()).auth(auth).retry(RetrySettings.none()).build();
    return client;
  }

  @Test
  void theWirePathRunsEveryOperation() {
    TesHttpClient tes = start(TesServer.builder(engine), TesAuth.none());
    assertThat(server.uri()).isEqualTo(URI.create("http://127.0.0.1:" + server.port() + "/ga4gh/tes/v1"));
    ServiceInfo info = tes.serviceInfo();
    assertThat(info.name()).isEqualTo(engine.serviceInfo().name());

    String id = tes.createTask(HELLO);
    Task done = tes.await(id, Duration.ofSeconds(20));
    assertThat(done.state()).isEqualTo(State.COMPLETE);
    assertThat(done).isEqualTo(engine.getTask(id, View.FULL));
    assertThat(tes.getTask(id, View.MINIMAL)).isEqualTo(Task.builder().id(id).state(State.COMPLETE).build());

    String hanging = tes.createTask(HELLO.toBuilder().name("hang").build());
    ListTasksResponse page = tes.listTasks(ListTasksRequest.builder().namePrefix("han").view(View.BASIC).build());
    assertThat(page.tasks()).extracting(Task::id).containsExactly(hanging);
    tes.cancelTask(hanging);
    assertThat(tes.await(hanging, Duration.ofSeconds(20)).state()).isEqualTo(State.CANCELED);
  }

  @Test
  void answersLeaveWithoutWaitingForDelayedAcks() {
    start(TesServer.builder(engine), TesAuth.none());
    // Without TCP_NODELAY, a small answer can wait ~40 ms for the client's delayed ACK.
    assertThat(server.sendsWithoutDelay()).isTrue();
  }

  @Test
  void slowClientsHoldNoThreadSoFewerThreadsThanSlowClientsStillAnswer() throws Exception {
    start(TesServer.builder(engine).threads(2), TesAuth.none());
    // Three times as many half-sent requests (headers, or headers and part of a body) as threads:
    // the server still answers, since a request takes a thread only once it has arrived whole.
    java.util.List<Socket> slow = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 6; i++) {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.getOutputStream().write((i % 2 == 0
            ? "GET /ga4gh/tes/v1/service-info HTTP/1.1\r\nHost: x\r\n"
            : "POST /ga4gh/tes/v1/tasks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 1000\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
        slow.add(socket);
      }
      assertThat(client.serviceInfo().name()).isEqualTo(engine.serviceInfo().name());
      assertThat(client.createTask(HELLO)).isNotBlank();
    } finally {
      for (Socket socket : slow) {
        socket.close();
      }
    }
  }

  @Test
  void errorsReachTheClientAsItsExceptions() {
    TesHttpClient tes = start(TesServer.builder(engine), TesAuth.none());
    Task invalid = Task.builder()
        .addInput(Input.ofUrl("file:///etc/shadow", "/in/x"))
        .addExecutor(Executor.of("", "echo"))
        .build();
    assertThatThrownBy(() -> tes.createTask(invalid))
        .isInstanceOfSatisfying(InvalidTaskException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(400);
          assertThat(e.violations()).extracting(Violation::path)
              .containsExactlyInAnyOrder("inputs[0].url", "executors[0].image");
        });
    assertThatThrownBy(() -> tes.getTask("NOPE", View.FULL)).isInstanceOf(TaskNotFoundException.class);
    assertThatThrownBy(() -> tes.cancelTask("NOPE")).isInstanceOf(TaskNotFoundException.class);
  }

  @Test
  void credentialsAreCheckedOverTheWire() {
    TesHttpClient alice = start(TesServer.builder(engine).bind("127.0.0.1").authenticator(Requests.tokens())
        .isolateUsers(true), TesAuth.bearer("alice-token"));
    String id = alice.createTask(HELLO);
    try (TesHttpClient bob = client.newBuilder().auth(TesAuth.bearer("bob-token")).build();
        TesHttpClient nobody = client.newBuilder().auth(TesAuth.none()).build();
        TesHttpClient reader = client.newBuilder().auth(TesAuth.bearer("reader-token")).build()) {
      assertThatThrownBy(() -> bob.getTask(id, View.MINIMAL)).isInstanceOf(TaskNotFoundException.class);
      assertThatThrownBy(() -> nobody.getTask(id, View.MINIMAL))
          .isInstanceOfSatisfying(TesAuthException.class, e -> assertThat(e.statusCode()).isEqualTo(401));
      assertThatThrownBy(() -> reader.createTask(HELLO))
          .isInstanceOfSatisfying(TesAuthException.class, e -> assertThat(e.statusCode()).isEqualTo(403));
      assertThat(alice.getTask(id, View.BASIC).tags()).containsEntry(TesApi.OWNER_TAG, "alice");
    }
  }

  @Test
  void bindsLoopbackWithoutAuthenticationAndEveryAddressWithIt() {
    Authenticator required = authorization -> {
      throw new AuthenticationException("credentials required", "Bearer");
    };
    assertThat(TesServer.allowsAnonymous(Authenticator.none())).isTrue();
    assertThat(TesServer.allowsAnonymous(required)).isFalse();
    assertThat(TesServer.allowsAnonymous(Requests.tokens())).isFalse();
    assertThat(TesServer.defaultBind(true)).isEqualTo("127.0.0.1");
    assertThat(TesServer.defaultBind(false)).isEqualTo("0.0.0.0");
  }

  @Test
  void aTakenPortIsAClearError() {
    start(TesServer.builder(engine), TesAuth.none());
    assertThatThrownBy(() -> TesServer.builder(engine).port(server.port()).start())
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageStartingWith("cannot listen on 127.0.0.1:" + server.port() + ": ");
  }

  @Test
  void requestIdIsEchoedAndTheAnswerIsJson() throws Exception {
    start(TesServer.builder(engine), TesAuth.none());
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> answer = http.send(
        HttpRequest.newBuilder(URI.create(server.uri() + "/tasks/NOPE")).header("X-Request-Id", "abc-123").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).isEqualTo(404);
    assertThat(answer.headers().firstValue("X-Request-Id")).hasValue("abc-123");
    assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(answer.body()).contains("\"request_id\":\"abc-123\"");

    HttpResponse<String> head = http.send(
        HttpRequest.newBuilder(URI.create(server.uri() + "/tasks")).method("HEAD", HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(head.statusCode()).isEqualTo(405);
    assertThat(head.headers().firstValue("Allow")).hasValue("GET, POST");

    HttpResponse<String> nextflow = http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/tasks")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(nextflow.statusCode()).isEqualTo(200);
    assertThat(nextflow.body()).isEqualTo("{\"tasks\":[]}");
  }

  @Test
  void aDeclaredBodyOverTheLimitIs413WithoutReadingIt() throws IOException {
    start(TesServer.builder(engine).maxRequestBytes(1024), TesAuth.none());
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /ga4gh/tes/v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: 104857600\r\n\r\n{\"executors\":").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String answer = readAll(socket.getInputStream());
      assertThat(answer).startsWith("HTTP/1.1 413").contains("larger than this server accepts (1024 bytes)");
    }
  }

  @Test
  void aStreamedBodyOverTheLimitIs413() throws Exception {
    start(TesServer.builder(engine).maxRequestBytes(1024), TesAuth.none());
    byte[] body = ("{\"name\":\"" + "x".repeat(4000) + "\"}").getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> answer = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(server.uri() + "/tasks"))
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).isEqualTo(413);
  }

  private static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    int read;
    while ((read = in.read(buffer)) >= 0) {
      bytes.write(buffer, 0, read);
      if (bytes.toString(StandardCharsets.UTF_8).contains("\"request_id\"")) {
        break;
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void closeLetsARequestInFlightFinishThenReleasesThePort() throws Exception {
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    TesClient slow = new SlowServiceInfo(engine, inside, release);
    TesHttpClient tes = start(TesServer.builder(slow).shutdownGrace(Duration.ofSeconds(20)), TesAuth.none());
    CompletableFuture<ServiceInfo> inFlight = CompletableFuture.supplyAsync(tes::serviceInfo);
    assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
    Thread.sleep(200);
    assertThat(closing).as("close waits for the request in flight").isNotDone();
    HttpResponse<String> late = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(server.uri() + "/tasks")).header("X-Request-Id", "late-\"1\"").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(late.statusCode()).as("a request arriving while closing").isEqualTo(503);
    assertThat(late.headers().firstValue("X-Request-Id")).hasValue("late-\"1\"");
    assertThat(io.tes4j.model.TesJson.reader().readTree(late.body()).get("request_id").asText()).isEqualTo("late-\"1\"");
    assertThat(late.body()).contains("shutting down");
    release.countDown();

    assertThat(inFlight.get(10, TimeUnit.SECONDS).name()).isEqualTo(engine.serviceInfo().name());
    closing.get(10, TimeUnit.SECONDS);
    server.awaitShutdown();
    assertThatThrownBy(() -> new Socket("127.0.0.1", server.port()).close()).isInstanceOf(IOException.class);
    assertThat(engine.listTasks(ListTasksRequest.all()).tasks()).as("the engine stays open").isEmpty();
  }

  @Test
  void closeClientOnShutdownClosesTheEngine() {
    start(TesServer.builder(engine).closeClientOnShutdown(true), TesAuth.none());
    server.close();
    assertThatThrownBy(() -> engine.serviceInfo()).hasMessageContaining("closed");
  }

  /** Delegates to the engine; serviceInfo waits until released. */
  private static final class SlowServiceInfo extends ForwardingTesClient {
    private final CountDownLatch inside;
    private final CountDownLatch release;

    SlowServiceInfo(TesClient delegate, CountDownLatch inside, CountDownLatch release) {
      super(delegate);
      this.inside = inside;
      this.release = release;
    }

    @Override
    public ServiceInfo serviceInfo() {
      inside.countDown();
      try {
        if (!release.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("never released");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      return super.serviceInfo();
    }
  }
}
