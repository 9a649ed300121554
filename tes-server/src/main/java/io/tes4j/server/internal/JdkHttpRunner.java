package io.tes4j.server.internal;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tes4j.server.ApiRequest;
import io.tes4j.server.ApiResponse;
import io.tes4j.server.TesApi;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link TesApi} on the JDK's {@link HttpServer}: reads each request (no more than one byte
 * beyond the API's body limit), hands it over, and writes the answer. It counts the requests in
 * flight so that {@link #stop(Duration)} can let them finish. Internal.
 */
public final class JdkHttpRunner {
  private static final Logger LOG = LoggerFactory.getLogger("io.tes4j.server");
  private static final AtomicInteger THREADS = new AtomicInteger();

  /** Requests queued beyond the busy threads before the accepting thread runs them itself. */
  private static final int QUEUE = 1024;

  private final TesApi api;
  private final HttpServer server;
  private final ThreadPoolExecutor executor;
  private final Object flight = new Object();
  private int inFlight;
  private volatile boolean stopping;

  private JdkHttpRunner(TesApi api, HttpServer server, ThreadPoolExecutor executor) {
    this.api = api;
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds {@code address} and starts serving.
   *
   * @throws IOException when the address cannot be bound (e.g. the port is taken)
   */
  public static JdkHttpRunner start(TesApi api, InetSocketAddress address, int threads) throws IOException {
    jdkServerSettingsUnlessSet();
    HttpServer server = HttpServer.create(address, 0);
    ThreadPoolExecutor executor = new ThreadPoolExecutor(
        threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE),
        task -> {
          Thread thread = new Thread(task, "tes4j-server-" + THREADS.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        },
        // Beyond the queue, the thread that accepts connections answers the request itself, which
        // slows accepting down: back-pressure instead of an unbounded queue or dropped requests.
        new ThreadPoolExecutor.CallerRunsPolicy());
    executor.allowCoreThreadTimeOut(true);
    JdkHttpRunner runner = new JdkHttpRunner(api, server, executor);
    server.createContext("/", runner::serve);
    server.setExecutor(executor);
    server.start();
    return runner;
  }

  /** The JDK's switch for TCP_NODELAY on the HttpServer's connections. */
  static final String NO_DELAY_PROPERTY = "sun.net.httpserver.nodelay";

  /** The JDK's limit, in seconds, on the time a request (headers and body) takes to arrive. */
  static final String MAX_REQUEST_TIME_PROPERTY = "sun.net.httpserver.maxReqTime";

  /** The default of {@link #MAX_REQUEST_TIME_PROPERTY}: 10 MiB (the body limit) at 170 KiB/s. */
  static final String MAX_REQUEST_SECONDS = "60";

  /**
   * Sets the JDK HttpServer's TCP_NODELAY and request time limit, each unless the user set the
   * system property. TCP_NODELAY: the JDK writes an
   * answer's headers and body separately; with Nagle's algorithm on, the body then waits for the
   * client's delayed ACK of the headers, about 40 ms on Linux, on every request of a kept-alive
   * connection (measured with wrk: 1,300 requests/s with 64 connections, all near 44 ms). The JDK
   * reads both properties once, when its first HttpServer starts, so this must come before.
   */
  static void jdkServerSettingsUnlessSet() {
    if (System.getProperty(NO_DELAY_PROPERTY) == null) {
      System.setProperty(NO_DELAY_PROPERTY, "true");
    }
    // The JDK reads a request on a pool thread: without a limit, a client sending its headers a
    // byte at a time holds a thread forever, and as many such clients as threads stop the server
    // (seen with 20 half-sent requests against 8 threads). With it, their connections are closed.
    if (System.getProperty(MAX_REQUEST_TIME_PROPERTY) == null) {
      System.setProperty(MAX_REQUEST_TIME_PROPERTY, MAX_REQUEST_SECONDS);
    }
  }

  /** The address bound, with the port chosen when 0 was asked. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  private void serve(HttpExchange exchange) throws IOException {
    synchronized (flight) {
      inFlight++;
    }
    try (exchange) {
      if (stopping) {
        // A request on a kept-alive connection after close() began: refused, the connection closed.
        // Like every other error answer, it carries a request id, the client's when it sent one.
        String requestId = RequestIds.choose(exchange.getRequestHeaders().getFirst("X-Request-Id"));
        exchange.getResponseHeaders().set("Connection", "close");
        send(exchange, 503, Map.of("Content-Type", "application/json", "Retry-After", "1", "X-Request-Id", requestId),
            ("{\"status\":503,\"message\":\"the server is shutting down\",\"request_id\":\""
                + new String(JsonStringEncoder.getInstance().quoteAsString(requestId)) + "\"}")
                .getBytes(StandardCharsets.UTF_8));
        return;
      }
      ApiResponse response = api.handle(request(exchange));
      send(exchange, response.status(), response.headers(), response.body());
    } catch (IOException e) {
      // The client went away while the request or answer was on the wire: nothing to answer.
      LOG.debug("{} {}: connection failed: {}", exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
          e.toString());
    } finally {
      synchronized (flight) {
        inFlight--;
        flight.notifyAll();
      }
    }
  }

  private ApiRequest request(HttpExchange exchange) throws IOException {
    // A declared length over the limit is answered 413 by the API from the header alone: reading
    // would wait for bytes the client may send only after an answer (Expect: 100-continue).
    byte[] body = declaredTooLarge(exchange) ? new byte[0] : readBody(exchange.getRequestBody(), api.maxRequestBytes());
    return new ApiRequest(
        exchange.getRequestMethod(),
        exchange.getRequestURI().getRawPath(),
        exchange.getRequestURI().getRawQuery(),
        exchange.getRequestHeaders(),
        body,
        null);
  }

  private boolean declaredTooLarge(HttpExchange exchange) {
    String declared = exchange.getRequestHeaders().getFirst("Content-Length");
    if (declared == null) {
      return false;
    }
    try {
      return Long.parseLong(declared.strip()) > api.maxRequestBytes();
    } catch (NumberFormatException e) {
      return false; // the JDK server refuses such a request before it gets here
    }
  }

  /** The body, or its first {@code limit + 1} bytes when it is longer (the API then answers 413). */
  static byte[] readBody(InputStream in, long limit) throws IOException {
    int cap = (int) Math.min(Integer.MAX_VALUE - 16, limit + 1);
    byte[] buffer = new byte[Math.min(cap, 8192)];
    int length = 0;
    while (length < cap) {
      if (length == buffer.length) {
        buffer = Arrays.copyOf(buffer, (int) Math.min(cap, (long) buffer.length * 2));
      }
      int read = in.read(buffer, length, buffer.length - length);
      if (read < 0) {
        break;
      }
      length += read;
    }
    return length == buffer.length ? buffer : Arrays.copyOf(buffer, length);
  }

  private static void send(HttpExchange exchange, int status, Map<String, String> headers, byte[] body)
      throws IOException {
    headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
    if (status == 413) {
      // The rest of the body was not read: the connection cannot carry another request.
      exchange.getResponseHeaders().set("Connection", "close");
    }
    if (exchange.getRequestMethod().equalsIgnoreCase("HEAD")) {
      body = new byte[0]; // the status and headers only (HEAD is answered 405 with Allow)
    }
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /**
   * Stops: requests arriving from now on are refused (503), those in flight may finish within
   * {@code grace}, then the port is released and the threads end.
   *
   * @return how many requests were still in flight when the grace period ended (0 normally)
   */
  public int stop(Duration grace) {
    stopping = true;
    long deadline = System.nanoTime() + grace.toNanos();
    int left;
    synchronized (flight) {
      while (inFlight > 0) {
        long wait = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (wait <= 0) {
          break;
        }
        try {
          flight.wait(wait);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      left = inFlight;
    }
    server.stop(0);
    executor.shutdownNow();
    return left;
  }
}
