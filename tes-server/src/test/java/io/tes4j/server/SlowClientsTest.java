package io.tes4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.engine.TesEngine;
import io.tes4j.model.TesJson;
import io.tes4j.testing.MockBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Slow clients over real sockets on 127.0.0.1: they hold no thread, normal requests are answered
 * beside them, and their connections are closed once their read timeout passes (never before).
 */
class SlowClientsTest {
  private static final Duration HEADER_TIMEOUT = Duration.ofMillis(1000);
  private static final Duration BODY_TIMEOUT = Duration.ofMillis(1500);
  private static final String HALF_A_HEADER_LINE = "GET /ga4gh/tes/v1/service-info HTTP/1.1\r\nHost: 127.0";
  private static final String HEADERS_AND_ONE_BYTE = "POST /ga4gh/tes/v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      + "Content-Type: application/json\r\nX-Request-Id: slow-%d\r\nContent-Length: 1000\r\n\r\n{";

  private TesEngine engine;
  private TesServer server;
  private final List<Socket> sockets = new ArrayList<>();

  @BeforeEach
  void open() {
    engine = TesEngine.builder().backend(MockBackend.builder().delay(Duration.ZERO).build()).build();
  }

  @AfterEach
  void close() throws IOException {
    for (Socket socket : sockets) {
      socket.close();
    }
    if (server != null) {
      server.close();
    }
    engine.close();
  }

  private void start(TesServer.Builder builder) {
    server = builder.port(0).shutdownGrace(Duration.ofSeconds(5)).start();
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket("127.0.0.1", server.port());
    socket.setSoTimeout(15_000);
    sockets.add(socket);
    return socket;
  }

  private static void send(Socket socket, String text) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(text.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** Everything the server sends until it closes the connection. */
  private static String readToEnd(Socket socket) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[4096];
    int read;
    while ((read = in.read(buffer)) >= 0) {
      bytes.write(buffer, 0, read);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void twoHundredSlowConnectionsHoldNoThreadAndAreClosedAfterTheirTimeout() throws Exception {
    // Fewer threads than slow clients by far: each would hold one if reading took a thread.
    start(TesServer.builder(engine).threads(4).headerTimeout(HEADER_TIMEOUT).bodyTimeout(BODY_TIMEOUT));
    List<Socket> halfHeaders = new ArrayList<>();
    List<Socket> halfBodies = new ArrayList<>();
    long opened = System.nanoTime();
    for (int i = 0; i < 100; i++) {
      Socket header = connect();
      send(header, HALF_A_HEADER_LINE);
      halfHeaders.add(header);
      Socket body = connect();
      send(body, String.format(HEADERS_AND_ONE_BYTE, i));
      halfBodies.add(body);
    }
    long sent = System.nanoTime();

    // A normal request beside them is answered (a generous bound, not a timing goal).
    HttpResponse<String> info = HttpClient.newHttpClient().sendAsync(
            HttpRequest.newBuilder(URI.create(server.uri() + "/service-info")).build(),
            HttpResponse.BodyHandlers.ofString())
        .get(5, TimeUnit.SECONDS);
    assertThat(info.statusCode()).isEqualTo(200);
    assertThat(info.body()).contains("\"name\"");

    // Half a header line: the connection is closed, with nothing to answer, after the header timeout.
    for (Socket socket : halfHeaders) {
      assertThat(readToEnd(socket)).isEmpty();
    }
    assertThat(Duration.ofNanos(System.nanoTime() - opened)).as("not closed before the header timeout")
        .isGreaterThanOrEqualTo(HEADER_TIMEOUT);

    // Headers and 1 byte of 1,000: 408 in the API's JSON, then the connection is closed.
    for (int i = 0; i < halfBodies.size(); i++) {
      String answer = readToEnd(halfBodies.get(i));
      assertThat(answer).startsWith("HTTP/1.1 408 ").containsIgnoringCase("Connection: close")
          .containsIgnoringCase("X-Request-Id: slow-" + i + "\r\n");
      var json = TesJson.reader().readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
      assertThat(json.get("status").asInt()).isEqualTo(408);
      assertThat(json.get("message").asText()).isEqualTo("the request body did not arrive within 1500 ms");
      assertThat(json.get("request_id").asText()).isEqualTo("slow-" + i);
    }
    assertThat(Duration.ofNanos(System.nanoTime() - sent)).as("not answered before the body timeout")
        .isGreaterThanOrEqualTo(BODY_TIMEOUT);
    assertThat(engine.listTasks(io.tes4j.api.ListTasksRequest.all()).tasks()).as("no half task created").isEmpty();
    // Only the HTTP client's kept-alive connection may remain.
    awaitOpenConnectionsAtMost(1);
  }

  @Test
  void aKeptAliveConnectionMayWaitQuietlyButNotTrickleItsNextRequest() throws Exception {
    start(TesServer.builder(engine).headerTimeout(Duration.ofMillis(500)).bodyTimeout(BODY_TIMEOUT));
    Socket socket = connect();
    String get = "GET /ga4gh/tes/v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    send(socket, get);
    assertThat(readAnswer(socket)).startsWith("HTTP/1.1 200 ").endsWith("{\"tasks\":[]}");

    // Quiet for three header timeouts: a kept-alive connection may wait (until the idle timeout).
    Thread.sleep(1500);
    send(socket, get);
    assertThat(readAnswer(socket)).startsWith("HTTP/1.1 200 ");

    // The next request's first bytes, then nothing: closed once the header timeout passed.
    long started = System.nanoTime();
    send(socket, "GET /ga4gh/tes/v1/ta");
    assertThat(readToEnd(socket)).isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
  }

  @Test
  void aBodyThatArrivesInPiecesWithinItsTimeoutIsAccepted() throws Exception {
    start(TesServer.builder(engine).headerTimeout(HEADER_TIMEOUT).bodyTimeout(Duration.ofSeconds(10)));
    byte[] task = Requests.HELLO.getBytes(StandardCharsets.UTF_8);
    Socket socket = connect();
    send(socket, "POST /ga4gh/tes/v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + task.length + "\r\n\r\n");
    for (int at = 0; at < task.length; at += 20) {
      socket.getOutputStream().write(task, at, Math.min(20, task.length - at));
      socket.getOutputStream().flush();
      Thread.sleep(20);
    }
    String answer = readAnswer(socket);
    assertThat(answer).startsWith("HTTP/1.1 200 ").contains("{\"id\":\"");
  }

  @Test
  void beyondTheConnectionLimitNewConnectionsWaitUntilOneCloses() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    start(TesServer.builder(engine).maxConnections(4));
    List<Socket> slow = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Socket socket = connect();
      send(socket, HALF_A_HEADER_LINE);
      slow.add(socket);
    }
    awaitOpenConnections(4);
    CompletableFuture<HttpResponse<String>> waiting = http.sendAsync(
        HttpRequest.newBuilder(URI.create(server.uri() + "/service-info")).build(), HttpResponse.BodyHandlers.ofString());
    Thread.sleep(300);
    assertThat(waiting).as("not accepted while 4 connections are open").isNotDone();
    assertThat(server.openConnections()).isEqualTo(4);
    // One closes: the waiting connection is accepted and served.
    slow.get(0).close();
    assertThat(waiting.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }

  @Test
  void closeRefusesARequestStillSendingItsBodyInsteadOfWaitingForIt() throws Exception {
    server = TesServer.builder(engine).port(0).shutdownGrace(Duration.ofSeconds(60)).start();
    Socket slow = connect();
    send(slow, String.format(HEADERS_AND_ONE_BYTE, 7));
    Thread.sleep(500);
    // Within the grace period, but the request has not reached the API: answered 503 at once.
    CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
    String answer = readToEnd(slow);
    assertThat(answer).startsWith("HTTP/1.1 503 ").containsIgnoringCase("X-Request-Id: slow-7\r\n")
        .contains("the server is shutting down");
    closing.get(30, TimeUnit.SECONDS);
    assertThat(engine.listTasks(io.tes4j.api.ListTasksRequest.all()).tasks()).isEmpty();
  }

  @Test
  void headersOverTheLimitGet431InTheApisJson() throws Exception {
    start(TesServer.builder(engine).maxHeaderBytes(4096));
    Socket socket = connect();
    send(socket, "GET /ga4gh/tes/v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: big-1\r\nX-Padding: "
        + "a".repeat(8000) + "\r\n\r\n");
    String answer = readToEnd(socket);
    assertThat(answer).startsWith("HTTP/1.1 431 ").containsIgnoringCase("Content-Type: application/json");
    var json = TesJson.reader().readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
    assertThat(json.get("status").asInt()).isEqualTo(431);
    assertThat(json.get("request_id").asText()).isNotBlank();
  }

  /** One answer with a Content-Length body, leaving the connection open. */
  private static String readAnswer(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed after " + head);
      }
      head.write(b);
    }
    String headers = head.toString(StandardCharsets.US_ASCII);
    int length = 0;
    for (String line : headers.split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring("content-length:".length()).strip());
      }
    }
    byte[] body = in.readNBytes(length);
    return headers + new String(body, StandardCharsets.UTF_8);
  }

  private void awaitOpenConnectionsAtMost(int most) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (server.openConnections() > most && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(server.openConnections()).isLessThanOrEqualTo(most);
  }

  private void awaitOpenConnections(int expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (server.openConnections() != expected && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(server.openConnections()).isEqualTo(expected);
  }
}
