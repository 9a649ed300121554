package io.tes4j.server;

import io.tes4j.api.TesClient;
import io.tes4j.model.ServiceInfo;
import io.tes4j.server.auth.AuthenticationException;
import io.tes4j.server.auth.Authenticator;
import io.tes4j.server.internal.JdkHttpRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TES 1.1 HTTP API over a {@link TesClient}, on the JDK's HTTP server (no other dependency). It
 * serves the spec's {@code /ga4gh/tes/v1/...} and TESP API's {@code /v1/...}; what it answers, and
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
 * it binds {@code 0.0.0.0}.
 *
 * <p><b>Threads.</b> Requests run on a bounded pool ({@link Builder#threads(int)}); when every thread
 * is busy and 1024 requests wait, the accepting thread answers the next one itself, which slows
 * accepting down rather than dropping requests.
 *
 * <p><b>Slow clients.</b> The JDK's HttpServer reads a request's headers and body on a pool
 * thread, so a client that sends them slowly holds a thread. A request must therefore arrive whole
 * within 60 s (the JDK's {@code sun.net.httpserver.maxReqTime}, which this server sets unless the
 * system property is already set), else its connection is closed; and the pool is large (64
 * threads by default). A server open to untrusted networks should still sit behind a reverse proxy
 * (nginx, HAProxy), which also gives it TLS.
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

  /** The default grace period of {@link #close()}. */
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);

  private final TesClient tes;
  private final JdkHttpRunner runner;
  private final URI uri;
  private final Duration grace;
  private final boolean closeClient;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);

  private TesServer(TesClient tes, JdkHttpRunner runner, String host, Duration grace, boolean closeClient) {
    this.tes = tes;
    this.runner = runner;
    this.grace = grace;
    this.closeClient = closeClient;
    String shownHost = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    this.uri = URI.create("http://" + shownHost + ":" + runner.address().getPort() + TesApi.SPEC_BASE_PATH);
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
   * The API's base URL, e.g. {@code http://127.0.0.1:8000/ga4gh/tes/v1}; its host is the address
   * bound, so {@code 0.0.0.0} when the server listens on every interface.
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
    // Threads mostly wait (on clients, on the store), so many more than cores; see "Slow clients".
    private int threads = Math.max(64, 8 * Runtime.getRuntime().availableProcessors());

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
     * How many requests are answered at once.
     *
     * @param threads at least 1; default the larger of 64 and 8 per processor
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
      JdkHttpRunner runner;
      try {
        runner = JdkHttpRunner.start(api.build(), new InetSocketAddress(address, port), threads);
      } catch (IOException e) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        throw new UncheckedIOException("cannot listen on " + host + ":" + port + ": " + why, e);
      }
      TesServer server = new TesServer(tes, runner, host, shutdownGrace, closeClientOnShutdown);
      LOG.info("serving TES 1.1 at {} ({} threads)", server.uri(), threads);
      return server;
    }
  }
}
