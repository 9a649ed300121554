package io.tes4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.api.ListTasksRequest;
import io.tes4j.api.TesAsyncClient;
import io.tes4j.api.TesClient;
import io.tes4j.api.TesClientException;
import io.tes4j.engine.TesEngine;
import io.tes4j.model.ListTasksResponse;
import io.tes4j.model.ServiceInfo;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import io.tes4j.server.auth.Authenticator;
import io.tes4j.server.auth.Authenticators;
import io.tes4j.testing.MockBackend;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * Which requests the server answers on the network thread that read them (reads and small creates
 * over an engine's memory store: no hand-off to a worker thread) and which go to a worker thread
 * (everything that may block), decided by {@link TesApi#answersWithoutBlocking}.
 */
class AnswersAtOnceTest {
  private static final String HELLO = "{\"name\":\"hello\",\"executors\":[{\"image\":\"alpine:3.20\",\"command\":[\"echo\",\"hi\"]}]}";
  private static final String TASKS = TesApi.SPEC_BASE_PATH + "/tasks";

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
  private TesEngine engine;

  @BeforeEach
  void open() {
    engine = TesEngine.builder().backend(MockBackend.builder().delay(Duration.ZERO).build()).build();
  }

  @AfterEach
  void close() {
    engine.close();
  }

  @Test
  void readsAndSmallCreatesAreAnsweredAtOnceOverTheMemoryStoreWithoutAuthentication() {
    TesApi api = TesApi.builder(engine).build();

    assertThat(api.answersWithoutBlocking("GET", TASKS + "/01ABC", -1)).isTrue();
    assertThat(api.answersWithoutBlocking("GET", TASKS, -1)).isTrue();
    assertThat(api.answersWithoutBlocking("GET", "/v1/tasks/", -1)).as("TESP API's base").isTrue();
    assertThat(api.answersWithoutBlocking("POST", TASKS, 2_000)).isTrue();
    assertThat(api.answersWithoutBlocking("POST", TASKS, TesApi.MAX_BODY_ANSWERED_AT_ONCE)).isTrue();

    assertThat(api.answersWithoutBlocking("POST", TASKS, TesApi.MAX_BODY_ANSWERED_AT_ONCE + 1))
        .as("a large body is validated on a worker thread").isFalse();
    assertThat(api.answersWithoutBlocking("POST", TASKS, -1)).as("a body of unknown length").isFalse();
    assertThat(api.answersWithoutBlocking("POST", TASKS + "/01ABC:cancel", 0)).as("a cancel calls the backend").isFalse();
    assertThat(api.answersWithoutBlocking("GET", TesApi.SPEC_BASE_PATH + "/service-info", -1))
        .as("service info goes through the application's customizer").isFalse();
    assertThat(api.answersWithoutBlocking("GET", "/nowhere", -1)).isFalse();
    assertThat(api.answersWithoutBlocking("DELETE", TASKS + "/01ABC", -1)).isFalse();
    assertThat(api.answersWithoutBlocking("get", TASKS, -1)).as("methods are case-sensitive").isFalse();
  }

  @Test
  void nothingIsAnsweredAtOnceWhenTheClientTheAuthenticatorOrThePolicyMayBlock(@TempDir Path dir) throws Exception {
    assertThat(TesApi.builder(new ForwardingTesClient(engine)).build().answersWithoutBlocking("GET", TASKS, -1))
        .as("a client that does not say it answers from memory (e.g. the HTTP client)").isFalse();
    Authenticator own = authorization -> io.tes4j.server.auth.Identity.ANONYMOUS;
    assertThat(TesApi.builder(engine).authenticator(own).build().answersWithoutBlocking("GET", TASKS, -1))
        .as("an authenticator of the application's own may call out").isFalse();
    Path users = dir.resolve("users");
    Files.writeString(users, "alice:" + BCrypt.hashpw("alice-pw", BCrypt.gensalt("$2y", 4)) + "\n");
    assertThat(TesApi.builder(engine).authenticator(Authenticators.basic(users)).build()
        .answersWithoutBlocking("GET", TASKS, -1)).as("Basic: bcrypt costs milliseconds").isFalse();

    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, "worker read,submit sha256:" + sha256("worker-token") + "\n");
    TesApi bearer = TesApi.builder(engine).authenticator(Authenticators.bearerTokens(tokens)).build();
    assertThat(bearer.answersWithoutBlocking("GET", TASKS, -1)).as("a bearer token is a digest compared").isTrue();
    assertThat(bearer.answersWithoutBlocking("POST", TASKS, 100)).isTrue();
    assertThat(TesApi.builder(engine)
        .authenticator(Authenticators.anyOf(List.of(Authenticators.bearerTokens(tokens), Authenticators.basic(users))))
        .build().answersWithoutBlocking("GET", TASKS, -1)).as("tokens or Basic: a Basic request costs bcrypt").isFalse();
    assertThat(TesApi.builder(engine)
        .authenticator(Authenticators.anyOf(List.of(Authenticators.bearerTokens(tokens), Authenticators.bearerTokens(tokens))))
        .build().answersWithoutBlocking("GET", TASKS, -1)).as("two token files").isTrue();
    Authenticator ownInMemory = new Authenticator() {
      @Override
      public io.tes4j.server.auth.Identity authenticate(String authorization) {
        return io.tes4j.server.auth.Identity.ANONYMOUS;
      }

      @Override
      public boolean authenticatesWithoutBlocking() {
        return true;
      }
    };
    assertThat(TesApi.builder(engine).authenticator(ownInMemory).build().answersWithoutBlocking("GET", TASKS, -1))
        .as("an authenticator of the application's own that says it does not block").isTrue();

    TesApi rooted = TesApi.builder(engine).policy(TaskPolicy.builder().fileRoots(dir).build()).build();
    assertThat(rooted.answersWithoutBlocking("GET", TASKS, -1)).as("reads do not look at file roots").isTrue();
    assertThat(rooted.answersWithoutBlocking("POST", TASKS, 100))
        .as("a task's file: URLs are checked against the file system").isFalse();
  }

  @Test
  void theServerAnswersOnTheNetworkThreadExactlyWhatTheApiSaysNeverWaits() throws Exception {
    Map<String, Boolean> onNetworkThread = whereCalled(true, server -> {
      String id = send(server, "POST", "/tasks", HELLO, 200);
      send(server, "GET", "/tasks/" + id + "?view=FULL", null, 200);
      send(server, "GET", "/tasks?page_size=5", null, 200);
      send(server, "POST", "/tasks/" + id + ":cancel", "", 200);
      send(server, "POST", "/tasks", bigTask(), 200);
    });
    assertThat(onNetworkThread).containsExactlyInAnyOrderEntriesOf(Map.of(
        "createTask hello", true, "getTask", true, "listTasks", true, "cancelTask", false, "createTask big", false));
  }

  @Test
  void aClientThatMayBlockIsCalledOnWorkerThreadsOnly() throws Exception {
    Map<String, Boolean> onNetworkThread = whereCalled(false, server -> {
      String id = send(server, "POST", "/tasks", HELLO, 200);
      send(server, "GET", "/tasks/" + id, null, 200);
      send(server, "GET", "/tasks", null, 200);
    });
    assertThat(onNetworkThread).containsExactlyInAnyOrderEntriesOf(Map.of(
        "createTask hello", false, "getTask", false, "listTasks", false));
  }

  /** Requests to a server over the engine; per client call, whether it ran on a network thread. */
  private Map<String, Boolean> whereCalled(boolean clientAnswersWithoutBlocking, Conversation conversation) throws Exception {
    Map<String, Boolean> onNetworkThread = new ConcurrentHashMap<>();
    RecordingClient recording = new RecordingClient(engine, clientAnswersWithoutBlocking, onNetworkThread);
    try (TesServer server = TesServer.builder(recording).port(0).start()) {
      conversation.with(server);
    }
    return onNetworkThread;
  }

  /** What a test sends to the server. */
  @FunctionalInterface
  private interface Conversation {
    void with(TesServer server) throws Exception;
  }

  @Test
  void requestsBlockedInTheClientNeverStallOtherConnections() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    TesClient slow = new ForwardingTesClient(engine) {
      @Override
      public Task getTask(String id, View view) {
        if (id.equals("slow")) {
          try {
            release.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return super.getTask(id, view);
      }
    };
    // 2 threads: at most 2 network threads, as many as the requests that block (each on a connection
    // of its own), and 2 worker threads left for the one that must still be answered.
    try (TesServer server = TesServer.builder(slow).port(0).threads(2).start()) {
      List<CompletableFuture<HttpResponse<String>>> blocked = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        blocked.add(http.sendAsync(request(server, "GET", "/tasks/slow", null), HttpResponse.BodyHandlers.ofString()));
      }
      Thread.sleep(200); // the slow requests are in the client by now, or queued for a worker
      HttpResponse<String> info = http.sendAsync(request(server, "GET", "/service-info", null),
          HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS);
      assertThat(info.statusCode()).isEqualTo(200);
      assertThat(blocked).allMatch(future -> !future.isDone());
      release.countDown();
      for (CompletableFuture<HttpResponse<String>> future : blocked) {
        assertThat(future.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(404);
      }
    }
  }

  /**
   * Creates that wait for the client (an engine's durable store) hold no server thread: with 2
   * threads, 40 pending creates leave the server answering; each is answered when its future
   * completes, a failure as the synchronous create's (503 with Retry-After for a retryable one).
   */
  @Test
  void createsWaitingForTheStoreHoldNoServerThread() throws Exception {
    LinkedBlockingQueue<CompletableFuture<String>> pending = new LinkedBlockingQueue<>();
    TesAsyncClient later = new TesAsyncClient() {
      @Override
      public CompletableFuture<ServiceInfo> serviceInfo() {
        return engine.async().serviceInfo();
      }

      @Override
      public CompletableFuture<String> createTask(Task task) {
        CompletableFuture<String> id = new CompletableFuture<>();
        pending.add(id);
        return id;
      }

      @Override
      public CompletableFuture<Task> getTask(String id, View view) {
        return engine.async().getTask(id, view);
      }

      @Override
      public CompletableFuture<ListTasksResponse> listTasks(ListTasksRequest request) {
        return engine.async().listTasks(request);
      }

      @Override
      public CompletableFuture<Void> cancelTask(String id) {
        return engine.async().cancelTask(id);
      }

      @Override
      public CompletableFuture<Task> await(String id, Duration timeout) {
        return engine.async().await(id, timeout);
      }

      @Override
      public TesClient sync() {
        return engine;
      }

      @Override
      public boolean holdsThreadPerCall() {
        return false;
      }
    };
    TesClient durable = new ForwardingTesClient(engine) {
      @Override
      public String createTask(Task task) {
        throw new AssertionError("the server waits for a create without a thread: it uses async()");
      }

      @Override
      public TesAsyncClient async() {
        return later;
      }
    };
    int creates = 40;
    try (TesServer server = TesServer.builder(durable).port(0).threads(2).start()) {
      List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
      for (int i = 0; i < creates; i++) {
        answers.add(http.sendAsync(request(server, "POST", "/tasks", HELLO), HttpResponse.BodyHandlers.ofString()));
      }
      List<CompletableFuture<String>> ids = new ArrayList<>();
      for (int i = 0; i < creates; i++) {
        CompletableFuture<String> id = pending.poll(30, TimeUnit.SECONDS);
        assertThat(id).as("create " + i + " reached the client").isNotNull();
        ids.add(id);
      }

      HttpResponse<String> info = http.sendAsync(request(server, "GET", "/service-info", null),
          HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS);
      assertThat(info.statusCode()).as("answered while %d creates wait", creates).isEqualTo(200);
      assertThat(answers).noneMatch(CompletableFuture::isDone);

      ids.get(0).completeExceptionally(
          new TesClientException("the task store failed to store the new task: the disk is full", null, true));
      for (int i = 1; i < creates; i++) {
        ids.get(i).complete("task-" + i);
      }
      List<String> bodies = new ArrayList<>();
      int refused = 0;
      for (CompletableFuture<HttpResponse<String>> answer : answers) {
        HttpResponse<String> response = answer.get(30, TimeUnit.SECONDS);
        if (response.statusCode() == 503) {
          refused++;
          assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
        } else {
          assertThat(response.statusCode()).isEqualTo(200);
          bodies.add(response.body());
        }
      }
      assertThat(refused).isEqualTo(1);
      List<String> expected = new ArrayList<>();
      for (int i = 1; i < creates; i++) {
        expected.add("{\"id\":\"task-" + i + "\"}");
      }
      assertThat(bodies).containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  /** A task document of about 70 KiB: larger than a network thread validates. */
  private static String bigTask() {
    return "{\"name\":\"big\",\"description\":\"" + "x".repeat(70 * 1024)
        + "\",\"executors\":[{\"image\":\"alpine:3.20\",\"command\":[\"true\"]}]}";
  }

  private HttpRequest request(TesServer server, String method, String path, String body) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(server.uri() + path)).timeout(Duration.ofSeconds(60));
    if (body == null) {
      return builder.method(method, HttpRequest.BodyPublishers.noBody()).build();
    }
    return builder.header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body)).build();
  }

  /**
   * Sends one request, its headers and body in one write (so that a body that arrived late, which a
   * worker thread reads, does not blur what is tested); its answer's id when it has one.
   */
  private String send(TesServer server, String method, String path, String body, int status) throws Exception {
    byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    String head = method + " " + server.uri().getPath() + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + content.length + "\r\n")
        + "Connection: close\r\n\r\n";
    byte[] request = new byte[head.length() + content.length];
    System.arraycopy(head.getBytes(StandardCharsets.US_ASCII), 0, request, 0, head.length());
    System.arraycopy(content, 0, request, head.length(), content.length);
    String answer;
    try (Socket socket = new Socket(server.uri().getHost(), server.uri().getPort())) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(request);
      answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(answer).as(method + " " + path).startsWith("HTTP/1.1 " + status + " ");
    int at = answer.indexOf("\"id\":\"");
    return at < 0 ? null : answer.substring(at + 6, answer.indexOf('"', at + 6));
  }

  private static String sha256(String text) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** Records, per call, whether it ran on one of Jetty's network threads, the selector's. */
  private static final class RecordingClient extends ForwardingTesClient {
    private final boolean answersWithoutBlocking;
    private final Map<String, Boolean> onNetworkThread;

    RecordingClient(TesClient delegate, boolean answersWithoutBlocking, Map<String, Boolean> onNetworkThread) {
      super(delegate);
      this.answersWithoutBlocking = answersWithoutBlocking;
      this.onNetworkThread = onNetworkThread;
    }

    @Override
    public boolean answersWithoutBlocking() {
      return answersWithoutBlocking;
    }

    private void record(String call) {
      // Jetty's selector produces on a pool thread and runs a non-blocking task itself ("produce,
      // consume": pcRunTask); a request handed to a worker runs from the pool's job queue instead.
      boolean selector = StackWalker.getInstance().walk(frames -> frames.anyMatch(
          frame -> frame.getClassName().endsWith(".AdaptiveExecutionStrategy") && frame.getMethodName().equals("pcRunTask")));
      onNetworkThread.put(call, selector);
    }

    @Override
    public String createTask(Task task) {
      record("createTask " + task.name());
      return super.createTask(task);
    }

    @Override
    public Task getTask(String id, View view) {
      record("getTask");
      return super.getTask(id, view);
    }

    @Override
    public ListTasksResponse listTasks(ListTasksRequest request) {
      record("listTasks");
      return super.listTasks(request);
    }

    @Override
    public void cancelTask(String id) {
      record("cancelTask");
      super.cancelTask(id);
    }
  }
}
