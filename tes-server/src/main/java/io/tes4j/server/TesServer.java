package io.tes4j.server;

import io.tes4j.api.TesClient;
import io.tes4j.server.auth.Authenticator;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * The TES 1.1 HTTP API over a {@link TesClient}, on the JDK's HTTP server. It serves the spec's
 * {@code /ga4gh/tes/v1/...} and TESP API's {@code /v1/...}.
 *
 * <pre>{@code
 * try (TesClient engine = TesClient.connect("local:");
 *     TesServer server = TesServer.builder(engine).port(8000).start()) {
 *   System.out.println("TES at " + server.uri());
 *   server.awaitShutdown();
 * }
 * }</pre>
 *
 * <p>SKELETON: the contract the server's helpers share; the implementation comes next.
 */
public final class TesServer implements AutoCloseable {

  private TesServer() {}

  /** A builder for a server over {@code tes}. */
  public static Builder builder(TesClient tes) {
    return new Builder(tes);
  }

  /** The API's base URL, e.g. {@code http://127.0.0.1:8000/ga4gh/tes/v1}. */
  public URI uri() {
    throw new UnsupportedOperationException("skeleton");
  }

  /** The port the server listens on (the one chosen when the builder said 0). */
  public int port() {
    throw new UnsupportedOperationException("skeleton");
  }

  /** Blocks until {@link #close()} has run (from another thread or a shutdown hook). */
  public void awaitShutdown() throws InterruptedException {
    throw new UnsupportedOperationException("skeleton");
  }

  /**
   * Stops gracefully: no new connections, requests in flight finish (up to the builder's grace
   * period), then the port is released. Does not close the {@link TesClient} unless the builder
   * said {@link Builder#closeClientOnShutdown(boolean)}.
   */
  @Override
  public void close() {
    throw new UnsupportedOperationException("skeleton");
  }

  /** Settings of a {@link TesServer}; every one has a default. */
  public static final class Builder {
    private final TesClient tes;

    private Builder(TesClient tes) {
      this.tes = Objects.requireNonNull(tes, "tes");
    }

    /** The address to bind: default {@code 127.0.0.1} without authentication, else {@code 0.0.0.0}. */
    public Builder bind(String address) {
      throw new UnsupportedOperationException("skeleton");
    }

    /** The port; 0 picks a free one. Default 8000. */
    public Builder port(int port) {
      throw new UnsupportedOperationException("skeleton");
    }

    /** Who may call; default {@link Authenticator#none()}. */
    public Builder authenticator(Authenticator authenticator) {
      throw new UnsupportedOperationException("skeleton");
    }

    /** What tasks may reference; default {@link TaskPolicy#defaults()}. */
    public Builder policy(TaskPolicy policy) {
      throw new UnsupportedOperationException("skeleton");
    }

    /** Whether a user sees and cancels only their own tasks. Default false. */
    public Builder isolateUsers(boolean isolate) {
      throw new UnsupportedOperationException("skeleton");
    }

    /** The largest request body accepted; larger ones get 413. Default 10 MiB. */
    public Builder maxRequestBytes(long bytes) {
      throw new UnsupportedOperationException("skeleton");
    }

    /** How long {@link #close()} waits for requests in flight. Default 30 s. */
    public Builder shutdownGrace(Duration grace) {
      throw new UnsupportedOperationException("skeleton");
    }

    /** Whether {@link TesServer#close()} also closes the {@link TesClient}. Default false. */
    public Builder closeClientOnShutdown(boolean close) {
      throw new UnsupportedOperationException("skeleton");
    }

    /** Binds and starts serving. */
    public TesServer start() {
      throw new UnsupportedOperationException("skeleton " + tes);
    }
  }
}
