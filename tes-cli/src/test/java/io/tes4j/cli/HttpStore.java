package io.tes4j.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HTTP object store on 127.0.0.1 and a random port, over the JDK's {@code HttpServer}: GET
 * (with {@code Range}), HEAD and PUT on an in-memory map of paths. Paths under a protected prefix
 * need one user and password (Basic); others are open.
 */
final class HttpStore implements AutoCloseable {
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();
  private final Map<String, String> protectedPrefixes = new ConcurrentHashMap<>();

  HttpStore() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** The URL of {@code path}, e.g. {@code /data/a.txt}. */
  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** The URL of {@code path} with a user and password in it. */
  String url(String user, String password, String path) {
    return "http://" + user + ":" + password + "@127.0.0.1:" + server.getAddress().getPort() + path;
  }

  void put(String path, byte[] data) {
    files.put(path, data);
  }

  /** What is stored at {@code path}, or {@code null}. */
  byte[] get(String path) {
    return files.get(path);
  }

  /** Paths starting with {@code prefix} answer 401 without these credentials. */
  void protect(String prefix, String user, String password) {
    String pair = user + ":" + password;
    protectedPrefixes.put(prefix, "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      for (Map.Entry<String, String> p : protectedPrefixes.entrySet()) {
        if (path.startsWith(p.getKey())
            && !p.getValue().equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
          exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"store\"");
          exchange.sendResponseHeaders(401, -1);
          return;
        }
      }
      switch (exchange.getRequestMethod()) {
        case "PUT" -> {
          files.put(path, body);
          exchange.sendResponseHeaders(201, -1);
        }
        case "HEAD" -> {
          byte[] data = files.get(path);
          if (data == null) {
            exchange.sendResponseHeaders(404, -1);
          } else {
            exchange.getResponseHeaders().set("Content-Length", String.valueOf(data.length));
            exchange.sendResponseHeaders(200, -1);
          }
        }
        case "GET" -> get(exchange, path);
        default -> exchange.sendResponseHeaders(405, -1);
      }
    }
  }

  private void get(HttpExchange exchange, String path) throws IOException {
    byte[] data = files.get(path);
    if (data == null) {
      exchange.sendResponseHeaders(404, -1);
      return;
    }
    int first = 0;
    int last = data.length - 1;
    String range = exchange.getRequestHeaders().getFirst("Range");
    Matcher m = range == null ? null : RANGE.matcher(range);
    if (m != null && m.matches()) {
      first = Integer.parseInt(m.group(1));
      if (!m.group(2).isEmpty()) {
        last = Math.min(last, Integer.parseInt(m.group(2)));
      }
      if (first >= data.length) {
        exchange.getResponseHeaders().set("Content-Range", "bytes */" + data.length);
        exchange.sendResponseHeaders(416, -1);
        return;
      }
      exchange.getResponseHeaders().set("Content-Range", "bytes " + first + "-" + last + "/" + data.length);
    }
    int length = last - first + 1;
    exchange.sendResponseHeaders(m != null && m.matches() ? 206 : 200, length == 0 ? -1 : length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(data, first, length);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
