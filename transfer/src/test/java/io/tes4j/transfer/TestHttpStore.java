package io.tes4j.transfer;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HTTP object store on 127.0.0.1 and a random port, over the JDK's {@code HttpServer}: GET
 * (with {@code Range}), HEAD, PUT and DELETE on an in-memory map of paths, with hooks to misbehave
 * (required credentials per host name, redirects, 405 to HEAD, error pages, lying sizes or digests,
 * stalls and a connection dropped in the middle of a body). The server answers to {@code 127.0.0.1} and to
 * {@code localhost}, which tests use as two different hosts.
 */
final class TestHttpStore implements AutoCloseable {
  /**
   * One request as the server saw it; {@code clientPort} is the client's end of the connection, the
   * same for requests that reuse a connection.
   */
  record Seen(
      String method, String path, String host, String authorization, String range, int clientPort, String ifRange) {}

  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final Map<String, String> requiredAuthorization = new ConcurrentHashMap<>();
  private final Map<String, String> redirects = new ConcurrentHashMap<>();
  private final Map<String, Integer> redirectStatus = new ConcurrentHashMap<>();
  private final Map<String, Integer> dropsLeft = new ConcurrentHashMap<>();
  private final Map<String, Long> announcedSizes = new ConcurrentHashMap<>();
  private final Map<String, String> digests = new ConcurrentHashMap<>();
  private final Set<String> stalled = ConcurrentHashMap.newKeySet();
  private final Set<String> stalledPuts = ConcurrentHashMap.newKeySet();
  private final CountDownLatch release = new CountDownLatch(1);
  private volatile boolean refuseHead;
  private volatile boolean ignoreRange;
  private volatile boolean sendDigests;
  private volatile int notFoundBodySize;

  private TestHttpStore() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Starts a store. */
  static TestHttpStore start() throws IOException {
    return new TestHttpStore();
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** The URL of {@code path} at 127.0.0.1, written as TES users write it (not encoded). */
  String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  /** The URL of {@code path} through another host name for the same server. */
  String urlAt(String host, String path) {
    return "http://" + host + ":" + port() + path;
  }

  void put(String path, byte[] data) {
    files.put(path, data);
  }

  byte[] get(String path) {
    return files.get(path);
  }

  /** The requests seen so far. */
  List<Seen> seen() {
    return List.copyOf(seen);
  }

  /** Answers 401 to requests for host name {@code host} without this exact Authorization value. */
  void requireAuthorization(String host, String authorization) {
    requiredAuthorization.put(host, authorization);
  }

  /** Answers requests for {@code path} with a 302 to {@code location}. */
  void redirect(String path, String location) {
    redirect(path, location, 302);
  }

  /** Answers requests for {@code path} with {@code status} (a 3xx) to {@code location}. */
  void redirect(String path, String location, int status) {
    redirects.put(path, location);
    redirectStatus.put(path, status);
  }

  /** 404 answers carry an error page of {@code size} bytes (none when 0, the default). */
  void notFoundBody(int size) {
    notFoundBodySize = size;
  }

  /** The next {@code times} GETs of {@code path} send half the body (or part) and drop the connection. */
  void dropMidBody(String path, int times) {
    dropsLeft.put(path, times);
  }

  /** HEAD announces {@code size} for {@code path}, whatever GET sends. */
  void announceSize(String path, long size) {
    announcedSizes.put(path, size);
  }

  /** Sends {@code Repr-Digest: sha-256=:<value>:} for {@code path} instead of the true one. */
  void announceDigest(String path, String base64Sha256) {
    digests.put(path, base64Sha256);
  }

  /** Sends the true {@code Repr-Digest} with every full GET. */
  void sendDigests(boolean send) {
    sendDigests = send;
  }

  /** GETs of {@code path} send the headers and half the body, then wait until the store closes. */
  void stall(String path) {
    stalled.add(path);
  }

  /** PUTs to {@code path} are neither read nor answered until the store closes. */
  void stallPut(String path) {
    stalledPuts.add(path);
  }

  /** Answers 405 to HEAD, as some servers and presigned URLs do. */
  void refuseHead(boolean refuse) {
    refuseHead = refuse;
  }

  /** Answers 200 with the whole body to ranged GETs, as servers without range support do. */
  void ignoreRange(boolean ignore) {
    ignoreRange = ignore;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      String path = exchange.getRequestURI().getPath();
      Headers in = exchange.getRequestHeaders();
      String host = hostName(in.getFirst("Host"));
      seen.add(new Seen(exchange.getRequestMethod(), path, host, in.getFirst("Authorization"), in.getFirst("Range"),
          exchange.getRemoteAddress().getPort(), in.getFirst("If-Range")));
      if (exchange.getRequestMethod().equals("PUT") && stalledPuts.contains(path)) {
        awaitRelease();
        exchange.sendResponseHeaders(503, -1);
        return;
      }
      byte[] body;
      try (InputStream request = exchange.getRequestBody()) {
        body = request.readAllBytes(); // a well-behaved server reads the request before answering
      }
      String location = redirects.get(path);
      if (location != null) {
        exchange.getResponseHeaders().set("Location", location);
        exchange.sendResponseHeaders(redirectStatus.getOrDefault(path, 302), -1);
        return;
      }
      String required = requiredAuthorization.get(host);
      if (required != null && !required.equals(in.getFirst("Authorization"))) {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"store\"");
        exchange.sendResponseHeaders(401, -1);
        return;
      }
      switch (exchange.getRequestMethod()) {
        case "HEAD" -> head(exchange, path);
        case "GET" -> get(exchange, path);
        case "PUT" -> {
          files.put(path, body);
          exchange.sendResponseHeaders(201, -1);
        }
        case "DELETE" -> {
          if (files.remove(path) == null) {
            notFound(exchange);
          } else {
            exchange.sendResponseHeaders(204, -1);
          }
        }
        default -> exchange.sendResponseHeaders(405, -1);
      }
    } finally {
      exchange.close();
    }
  }

  private void notFound(HttpExchange exchange) throws IOException {
    int size = notFoundBodySize;
    if (size == 0) {
      exchange.sendResponseHeaders(404, -1);
      return;
    }
    exchange.getResponseHeaders().set("Content-Type", "text/html");
    exchange.sendResponseHeaders(404, size);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(new byte[size]);
    }
  }

  private static String hostName(String hostHeader) {
    if (hostHeader == null) {
      return "";
    }
    int colon = hostHeader.lastIndexOf(':');
    return colon < 0 ? hostHeader : hostHeader.substring(0, colon);
  }

  private void head(HttpExchange exchange, String path) throws IOException {
    if (refuseHead) {
      exchange.sendResponseHeaders(405, -1);
      return;
    }
    byte[] data = files.get(path);
    if (data == null) {
      exchange.sendResponseHeaders(404, -1);
      return;
    }
    exchange.getResponseHeaders().set("Content-Length", String.valueOf(announcedSizes.getOrDefault(path, (long) data.length)));
    exchange.getResponseHeaders().set("ETag", etag(data));
    exchange.getResponseHeaders().set("Last-Modified", "Sun, 06 Nov 1994 08:49:37 GMT");
    exchange.sendResponseHeaders(200, -1);
  }

  private static String etag(byte[] data) {
    return "\"" + data.length + "-" + java.util.Arrays.hashCode(data) + "\"";
  }

  private void get(HttpExchange exchange, String path) throws IOException {
    byte[] data = files.get(path);
    if (data == null) {
      notFound(exchange);
      return;
    }
    String range = exchange.getRequestHeaders().getFirst("Range");
    String ifRange = exchange.getRequestHeaders().getFirst("If-Range");
    // If-Range: the range only if the object still has that entity tag, else all of it (RFC 9110).
    boolean rangeApplies = range != null && !ignoreRange && (ifRange == null || ifRange.equals(etag(data)));
    exchange.getResponseHeaders().set("ETag", etag(data));
    String digest = digests.get(path);
    if (digest == null && sendDigests) {
      digest = sha256(data);
    }
    if (digest != null) {
      // Repr-Digest is of the whole object, on a part too.
      exchange.getResponseHeaders().set("Repr-Digest", "sha-256=:" + digest + ":");
    }
    Integer dropsAfterThis = dropsLeft.computeIfPresent(path, (p, n) -> n - 1);
    boolean drop = dropsAfterThis != null && dropsAfterThis >= 0;
    Matcher m = rangeApplies ? RANGE.matcher(range) : null;
    if (m != null && m.matches()) {
      long first = Long.parseLong(m.group(1));
      long last = m.group(2).isEmpty() ? data.length - 1 : Math.min(Long.parseLong(m.group(2)), data.length - 1);
      if (first >= data.length) {
        exchange.getResponseHeaders().set("Content-Range", "bytes */" + data.length);
        exchange.sendResponseHeaders(416, -1);
        return;
      }
      int length = (int) (last - first + 1);
      exchange.getResponseHeaders().set("Content-Range", "bytes " + first + "-" + last + "/" + data.length);
      exchange.sendResponseHeaders(206, length);
      OutputStream out = exchange.getResponseBody();
      if (drop) {
        out.write(data, (int) first, length / 2);
        out.flush();
        return; // the connection drops with the rest of the part missing
      }
      out.write(data, (int) first, length);
      out.close();
      return;
    }
    exchange.sendResponseHeaders(200, data.length == 0 ? -1 : data.length);
    OutputStream out = exchange.getResponseBody();
    if (drop || stalled.contains(path)) {
      out.write(data, 0, data.length / 2);
      out.flush();
      if (stalled.contains(path)) {
        awaitRelease();
      }
      // Closing the exchange with bytes missing makes the server drop the connection.
      return;
    }
    out.write(data);
    out.close();
  }

  private void awaitRelease() {
    try {
      release.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static String sha256(byte[] data) {
    try {
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    release.countDown();
    server.stop(0);
    executor.shutdownNow();
  }
}
