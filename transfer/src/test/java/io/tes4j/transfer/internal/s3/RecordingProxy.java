package io.tes4j.transfer.internal.s3;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP relay on 127.0.0.1 in front of an HTTP server, for tests: it records the head (request line
 * and headers) of every request it passes on and can damage one byte of the next request body it
 * sees. It relays bytes unchanged otherwise, so signed requests stay valid: the server sees the
 * relay's address in the {@code Host} header, which is what the client signed.
 *
 * <p>It understands requests whose bodies have a {@code Content-Length}, which is what the S3
 * storage and MinIO's client send.
 */
final class RecordingProxy implements AutoCloseable {
  private final ServerSocket server;
  private final InetSocketAddress target;
  private final List<String> heads = Collections.synchronizedList(new ArrayList<>());
  private final List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());
  private final List<IOException> relayErrors = Collections.synchronizedList(new ArrayList<>());
  private final AtomicBoolean damageNextBody = new AtomicBoolean();
  private final Thread acceptor;

  RecordingProxy(URI target) throws IOException {
    this.target = new InetSocketAddress(target.getHost(), target.getPort());
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::accept, "recording-proxy");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The relay's address, to use as the S3 endpoint. */
  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  /** Every request head so far (request line and headers), in order. */
  List<String> heads() {
    synchronized (heads) {
      return List.copyOf(heads);
    }
  }

  /** The values of header {@code name} in requests whose line starts with {@code method}. */
  List<String> headerValues(String method, String name) {
    List<String> values = new ArrayList<>();
    String prefix = name.toLowerCase(Locale.ROOT) + ":";
    for (String head : heads()) {
      if (!head.startsWith(method + " ")) {
        continue;
      }
      for (String line : head.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith(prefix)) {
          values.add(line.substring(prefix.length()).strip());
        }
      }
    }
    return values;
  }

  /**
   * How relays ended other than by a clean end of stream: mostly a side closing its connection
   * (keep-alive connections are closed when the client or the proxy closes), kept for diagnosis.
   */
  List<IOException> relayErrors() {
    synchronized (relayErrors) {
      return List.copyOf(relayErrors);
    }
  }

  /** Flips one bit in the middle of the next request body of at least 2 bytes. */
  void damageNextBody() {
    damageNextBody.set(true);
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(target.getAddress(), target.getPort());
        sockets.add(client);
        sockets.add(upstream);
        start(() -> requests(client, upstream));
        start(() -> pump(upstream, client));
      } catch (IOException e) {
        if (!server.isClosed()) {
          throw new IllegalStateException("the recording proxy failed to accept", e);
        }
      }
    }
  }

  private static void start(Runnable task) {
    Thread t = new Thread(task, "recording-proxy-relay");
    t.setDaemon(true);
    t.start();
  }

  /** Relays requests from client to server, recording heads and measuring bodies. */
  private void requests(Socket client, Socket upstream) {
    try (InputStream in = client.getInputStream(); OutputStream out = upstream.getOutputStream()) {
      while (true) {
        String head = readHead(in);
        if (head == null) {
          break;
        }
        heads.add(head);
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        long length = contentLength(head);
        byte[] buffer = new byte[64 * 1024];
        long damageAt = length >= 2 && damageNextBody.getAndSet(false) ? length / 2 : -1;
        long sent = 0;
        while (sent < length) {
          int n = in.read(buffer, 0, (int) Math.min(buffer.length, length - sent));
          if (n < 0) {
            return;
          }
          if (damageAt >= sent && damageAt < sent + n) {
            buffer[(int) (damageAt - sent)] ^= 0x01;
          }
          out.write(buffer, 0, n);
          sent += n;
        }
        out.flush();
      }
    } catch (IOException e) {
      relayErrors.add(e); // one side closed its connection: the relay ends with it
    } finally {
      close(upstream);
      close(client);
    }
  }

  private void pump(Socket from, Socket to) {
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      in.transferTo(out);
    } catch (IOException e) {
      relayErrors.add(e); // one side closed its connection: the relay ends with it
    } finally {
      close(from);
      close(to);
    }
  }

  /** The bytes up to and including the blank line, or {@code null} at the end of the stream. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    for (int b; (b = in.read()) >= 0; ) {
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
      if (matched == end.length) {
        return head.toString(StandardCharsets.ISO_8859_1);
      }
    }
    return null;
  }

  private static long contentLength(String head) {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        return Long.parseLong(line.substring("content-length:".length()).strip());
      }
    }
    return 0;
  }

  private void close(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      relayErrors.add(e);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    synchronized (sockets) {
      for (Socket socket : sockets) {
        close(socket);
      }
    }
  }
}
