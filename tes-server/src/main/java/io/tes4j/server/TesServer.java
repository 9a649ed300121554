package io.tes4j.server;

import io.tes4j.api.TesClient;
import io.tes4j.model.ServiceInfo;
import io.tes4j.server.auth.AuthenticationException;
import io.tes4j.server.auth.Authenticator;
import io.tes4j.server.internal.JettyRunner;
import io.tes4j.server.internal.PemKeyStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TES 1.1 HTTP API over a {@link TesClient}, on Jetty (its core HTTP/1.1 server, no servlets).
 * It serves the spec's {@code /ga4gh/tes/v1/...} and TESP API's {@code /v1/...}; what it answers, and
 * how, is {@link TesApi}'s (routes, statuses, isolation, request ids).
 *
 * <pre>{@code
 * try (TesClient engine = TesClient.connect("local:");
 *     TesServer server = TesServer.builder(engine).port(8000).start()) {
 *   System.out.println("TES at " + server.uri());
 *   server.awaitShutdown();
 * }
 * }</pre>
 *
 * <p><b>Binding.</b> Without authentication (an {@link Authenticator} that lets a request without
 * credentials through, such as {@link Authenticator#none()}), the server binds {@code 127.0.0.1}
 * unless told otherwise, and binding another address then logs a loud warning; with authentication
 * it binds {@code 0.0.0.0}, and warns when that is without TLS, since passwords and tokens would
 * then cross the network in clear text.
 *
 * <p><b>TLS.</b> {@link Builder#tls(Path, Path)} takes a PEM certificate chain and its private key,
 * so that Basic and Bearer credentials need no TLS proxy in front; the URI is then {@code https}.
 *
 * <p><b>Slow and many clients.</b> Jetty reads requests without a thread per connection, and so
 * does the server with request bodies: a client that sends slowly holds a connection, never a
 * thread. Its hold is limited too: a new connection's first request (TLS handshake included) must
 * arrive within {@link Builder#headerTimeout(Duration)} (20 s), a kept-alive connection may then
 * wait {@link Builder#idleTimeout(Duration)} (30 s) for its next request, whose headers are again due
 * within the header timeout once they began; a body must arrive whole within {@link
 * Builder#bodyTimeout(Duration)} (60 s). A connection late with its headers is closed (there is no
 * request to answer yet); a request late with its body is answered 408 and its connection closed.
 * Headers larger than {@link Builder#maxHeaderBytes(int)} (32 KiB) get 431, a body larger than
 * {@link Builder#maxRequestBytes(long)} 413. Beyond {@link Builder#maxConnections(int)} open
 * connections (10,000), new ones wait in the listen backlog until one closes.
 *
 * <p><b>Threads.</b> A request that has arrived whole is answered on a bounded pool ({@link
 * Builder#threads(int)}), since the {@link TesClient} may block (on a store, a remote server);
 * requests beyond that wait in Jetty's queue, which the connection limit bounds (one request at a
 * time per HTTP/1.1 connection). Jetty's acceptor and selectors have threads of their own.
 *
 * <p><b>Shutdown.</b> {@link #close()} refuses new requests (503, connection closed), lets those in
 * flight finish for up to {@link Builder#shutdownGrace(Duration)}, then releases the port. The
 * {@link TesClient} stays open unless {@link Builder#closeClientOnShutdown(boolean)}: an engine
 * closed after the server keeps its tasks in its store.
 */
public final class TesServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("io.tes4j.server");

  /** The default port. */
  public static final int DEFAULT_PORT = 8000;

  /**
   * The default of {@link Builder#threads(int)}: 4 per processor, at least 8. Only whole requests
   * take one; more threads than that mostly add context switches (on 2 cores under 64 connections,
   * 64 threads took 15 % to twice the CPU per request of 8, from run to run; benchmarks/README.md).
   */
  public static final int DEFAULT_THREADS = Math.max(8, 4 * Runtime.getRuntime().availableProcessors());

  /** The default grace period of {@link #close()}. */
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);

  /** The default of {@link Builder#headerTimeout(Duration)}: 20 s. */
  public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(20);

  /** The default of {@link Builder#bodyTimeout(Duration)}: 60 s, 10 MiB at 170 KiB/s. */
  public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(60);

  /** The default of {@link Builder#idleTimeout(Duration)}: 30 s. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

  /** The default of {@link Builder#maxConnections(int)}. */
  public static final int DEFAULT_MAX_CONNECTIONS = 10_000;

  /** The default of {@link Builder#maxHeaderBytes(int)}: 32 KiB (a large JWT fits). */
  public static final int DEFAULT_MAX_HEADER_BYTES = 32 * 1024;

  private final TesClient tes;
  private final JettyRunner runner;
  private final URI uri;
  private final Duration grace;
  private final boolean closeClient;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);

  private TesServer(TesClient tes, JettyRunner runner, String host, boolean tls, Duration grace, boolean closeClient) {
    this.tes = tes;
    this.runner = runner;
    this.grace = grace;
    this.closeClient = closeClient;
    String shownHost = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    this.uri = URI.create((tls ? "https://" : "http://") + shownHost + ":" + runner.address().getPort() + TesApi.SPEC_BASE_PATH);
  }

  /**
   * A builder for a server over {@code tes}.
   *
   * @param tes the client that answers: usually a {@code TesEngine}; must be thread-safe
   * @return a new builder
   */
  public static Builder builder(TesClient tes) {
    return new Builder(tes);
  }

  /**
   * The API's base URL, e.g. {@code http://127.0.0.1:8000/ga4gh/tes/v1} ({@code https} with TLS);
   * its host is the address bound, so {@code 0.0.0.0} when the server listens on every interface.
   *
   * @return the base URL clients use
   */
  public URI uri() {
    return uri;
  }

  /**
   * The port the server listens on (the one chosen when the builder said 0).
   *
   * @return the port
   */
  public int port() {
    return runner.address().getPort();
  }

  /**
   * Blocks until {@link #close()} has run (from another thread or a shutdown hook).
   *
   * @throws InterruptedException when the waiting thread is interrupted
   */
  public void awaitShutdown() throws InterruptedException {
    stopped.await();
  }

  /**
   * Stops gracefully: new requests are refused (503), requests in flight finish (up to the
   * builder's grace period), then the port is released. Does not close the {@link TesClient} unless
   * the builder said {@link Builder#closeClientOnShutdown(boolean)}. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      int left = runner.stop(grace);
      if (left > 0) {
        LOG.warn("stopped with {} request(s) still running after the grace period of {} s", left, grace.toSeconds());
      } else {
        LOG.info("stopped serving {}", uri);
      }
      if (closeClient) {
        tes.close();
      }
    } finally {
      stopped.countDown();
    }
  }

  /** Whether small answers leave at once (TCP_NODELAY on accepted connections). */
  boolean sendsWithoutDelay() {
    return runner.sendsWithoutDelay();
  }

  /** How many connections are open now. */
  int openConnections() {
    return runner.openConnections();
  }

  @Override
  public String toString() {
    return "TesServer[" + uri + (closed.get() ? ", closed" : "") + "]";
  }

  /** The address bound when the builder names none. */
  static String defaultBind(boolean anonymous) {
    return anonymous ? "127.0.0.1" : "0.0.0.0";
  }

  /**
   * Whether {@code authenticator} lets a request without credentials through, as {@link
   * Authenticator#none()} does.
   */
  static boolean allowsAnonymous(Authenticator authenticator) {
    try {
      return authenticator.authenticate(null) != null;
    } catch (AuthenticationException e) {
      return false;
    } catch (RuntimeException e) {
      // It cannot even refuse an empty request: it needs credentials, so treat it as authentication.
      LOG.debug("the authenticator failed on a request without credentials ({}); treating it as authentication",
          e.toString());
      return false;
    }
  }

  /** Settings of a {@link TesServer}; every one has a default. Not thread-safe. */
  public static final class Builder {
    private final TesClient tes;
    private final TesApi.Builder api;
    private Authenticator authenticator = Authenticator.none();
    private String bind;
    private int port = DEFAULT_PORT;
    private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;
    private boolean closeClientOnShutdown;
    // Only whole requests take a thread; they may wait on the store or a remote server.
    private int threads = DEFAULT_THREADS;
    private Duration headerTimeout = DEFAULT_HEADER_TIMEOUT;
    private Duration bodyTimeout = DEFAULT_BODY_TIMEOUT;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private int maxHeaderBytes = DEFAULT_MAX_HEADER_BYTES;
    private PemKeyStore.Loaded tls;

    private Builder(TesClient tes) {
      this.tes = Objects.requireNonNull(tes, "tes");
      this.api = TesApi.builder(tes);
    }

    /**
     * The address to bind.
     *
     * @param address an IP address or host name; default {@code 127.0.0.1} without
     *     authentication, else {@code 0.0.0.0}
     * @return this builder
     */
    public Builder bind(String address) {
      this.bind = Objects.requireNonNull(address, "address");
      return this;
    }

    /**
     * The port.
     *
     * @param port 0 to 65535; 0 picks a free one. Default 8000
     * @return this builder
     * @throws IllegalArgumentException when out of range
     */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * Who may call.
     *
     * @param authenticator default {@link Authenticator#none()}
     * @return this builder
     */
    public Builder authenticator(Authenticator authenticator) {
      this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
      api.authenticator(authenticator);
      return this;
    }

    /**
     * What tasks may reference.
     *
     * @param policy default {@link TaskPolicy#defaults()}
     * @return this builder
     */
    public Builder policy(TaskPolicy policy) {
      api.policy(policy);
      return this;
    }

    /**
     * Whether a user sees and cancels only their own tasks (see {@link TesApi}).
     *
     * @param isolate default false
     * @return this builder
     */
    public Builder isolateUsers(boolean isolate) {
      api.isolateUsers(isolate);
      return this;
    }

    /**
     * The largest request body accepted; larger ones get 413, and no more than one byte beyond it
     * is read.
     *
     * @param bytes at least 1; default 10 MiB
     * @return this builder
     */
    public Builder maxRequestBytes(long bytes) {
      api.maxRequestBytes(bytes);
      return this;
    }

    /**
     * How long {@link #close()} waits for requests in flight.
     *
     * @param grace not negative; default 30 s
     * @return this builder
     */
    public Builder shutdownGrace(Duration grace) {
      if (Objects.requireNonNull(grace, "grace").isNegative()) {
        throw new IllegalArgumentException("shutdownGrace must not be negative, was " + grace);
      }
      this.shutdownGrace = grace;
      return this;
    }

    /**
     * Whether {@link TesServer#close()} also closes the {@link TesClient}.
     *
     * @param close default false
     * @return this builder
     */
    public Builder closeClientOnShutdown(boolean close) {
      this.closeClientOnShutdown = close;
      return this;
    }

    /**
     * How many requests are answered at once (a slow client does not take one of these threads
     * while its request arrives).
     *
     * @param threads at least 1; default 4 per processor, at least 8 ({@link TesServer#DEFAULT_THREADS})
     * @return this builder
     */
    public Builder threads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be at least 1, was " + threads);
      }
      this.threads = threads;
      return this;
    }

    /**
     * Serves HTTPS with this identity instead of plain HTTP. The files are read now, and the key is
     * checked against the certificate.
     *
     * @param certificateChain a PEM file: the server's certificate, then the intermediates (as
     *     certbot's {@code fullchain.pem})
     * @param privateKey a PEM file: the certificate's private key, unencrypted, as PKCS#8 ({@code
     *     BEGIN PRIVATE KEY}: RSA, EC, Ed25519), PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) or SEC1
     *     ({@code BEGIN EC PRIVATE KEY})
     * @return this builder
     * @throws IllegalArgumentException naming the file and what is wrong: unreadable, no certificate
     *     or key in it, an encrypted key, a key that is not the certificate's (never showing the key)
     */
    public Builder tls(Path certificateChain, Path privateKey) {
      this.tls = PemKeyStore.load(Objects.requireNonNull(certificateChain, "certificateChain"),
          Objects.requireNonNull(privateKey, "privateKey"));
      return this;
    }

    /**
     * How long a request's headers may take to arrive: from the accept (TLS handshake included)
     * for a connection's first request, from its first bytes for a later one. A connection late
     * with them is closed.
     *
     * @param timeout positive; default 20 s
     * @return this builder
     */
    public Builder headerTimeout(Duration timeout) {
      this.headerTimeout = positive(timeout, "headerTimeout");
      return this;
    }

    /**
     * How long a request's body may take to arrive, from its headers on. A request late with it is
     * answered 408 and its connection closed.
     *
     * @param timeout positive; default 60 s
     * @return this builder
     */
    public Builder bodyTimeout(Duration timeout) {
      this.bodyTimeout = positive(timeout, "bodyTimeout");
      return this;
    }

    /**
     * How long a kept-alive connection may wait for its next request, and how long any read or
     * write may wait for a byte, before the connection is closed.
     *
     * @param timeout positive; default 30 s
     * @return this builder
     */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = positive(timeout, "idleTimeout");
      return this;
    }

    /**
     * How many connections may be open at once; beyond it, new ones wait in the listen backlog
     * until one closes. Each open connection needs a file descriptor ({@code ulimit -n}).
     *
     * @param connections at least 1; default 10,000
     * @return this builder
     */
    public Builder maxConnections(int connections) {
      if (connections < 1) {
        throw new IllegalArgumentException("maxConnections must be at least 1, was " + connections);
      }
      this.maxConnections = connections;
      return this;
    }

    /**
     * The largest request line and headers accepted, together; larger ones get 431.
     *
     * @param bytes at least 1024; default 32 KiB
     * @return this builder
     */
    public Builder maxHeaderBytes(int bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxHeaderBytes must be at least 1024, was " + bytes);
      }
      this.maxHeaderBytes = bytes;
      return this;
    }

    private static Duration positive(Duration timeout, String name) {
      if (Objects.requireNonNull(timeout, name).isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + timeout);
      }
      return timeout;
    }

    /**
     * Changes what {@code service-info} answers (see {@link TesApi.Builder#serviceInfo}).
     *
     * @param customizer applied to the client's service info on each request
     * @return this builder
     */
    public Builder serviceInfo(UnaryOperator<ServiceInfo> customizer) {
      api.serviceInfo(customizer);
      return this;
    }

    /**
     * Binds and starts serving.
     *
     * @return the running server
     * @throws UncheckedIOException when the address cannot be bound (the port is taken, the address
     *     is not this machine's, the host name is unknown), saying which address
     */
    public TesServer start() {
      boolean anonymous = allowsAnonymous(authenticator);
      String host = bind != null ? bind : defaultBind(anonymous);
      InetAddress address;
      try {
        address = InetAddress.getByName(host);
      } catch (UnknownHostException e) {
        throw new UncheckedIOException("cannot listen on " + host + ": unknown host", e);
      }
      if (anonymous && !address.isLoopbackAddress()) {
        LOG.warn("**************************************************************************************");
        LOG.warn("TES server on {} WITHOUT AUTHENTICATION: anyone who can reach it can run tasks on this"
            + " machine's backend. Bind 127.0.0.1, or set an authenticator (tes4j serve --auth).", host);
        LOG.warn("**************************************************************************************");
      }
      if (!anonymous && tls == null && !address.isLoopbackAddress()) {
        LOG.warn("TES server on {} with authentication but WITHOUT TLS: passwords and tokens cross the network in"
            + " clear text. Give it a certificate (tes4j serve --tls-cert FILE --tls-key FILE), or put a TLS proxy"
            + " in front and bind 127.0.0.1.", host);
      }
      JettyRunner runner;
      try {
        runner = JettyRunner.start(api.build(), new JettyRunner.Settings(new InetSocketAddress(address, port),
            threads, headerTimeout, bodyTimeout, idleTimeout, maxConnections, maxHeaderBytes, tls));
      } catch (IOException e) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        throw new UncheckedIOException("cannot listen on " + host + ":" + port + ": " + why, e);
      }
      TesServer server = new TesServer(tes, runner, host, tls != null, shutdownGrace, closeClientOnShutdown);
      LOG.info("serving TES 1.1 at {} ({} threads)", server.uri(), threads);
      return server;
    }
  }
}
