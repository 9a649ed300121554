package io.tes4j.server.internal;

import io.tes4j.server.ApiRequest;
import io.tes4j.server.ApiResponse;
import io.tes4j.server.TesApi;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link TesApi} on Jetty (its core Handler API, no servlets). Jetty's selector reads
 * requests without a thread per connection; the handler reads a body asynchronously too (no more
 * than one byte beyond the API's limit), so a slow client holds a connection, never a thread, and
 * {@link ReadDeadlines} bounds how long it may hold even that. A request takes a thread from the
 * pool for {@link TesApi#handle}, which may block on the engine and its store, unless the API
 * answers it from memory at once ({@link TesApi#answersWithoutBlocking}: reads and small creates
 * on the memory store), which the selector thread that read it then answers itself. It counts the requests in
 * flight so that {@link #stop(Duration)} can let them finish. Internal.
 */
public final class JettyRunner {
  private static final Logger LOG = LoggerFactory.getLogger("io.tes4j.server");
  private static final HttpField JSON_TYPE = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "application/json");

  /**
   * What the runner needs from {@code TesServer.Builder}.
   *
   * @param address where to listen
   * @param threads the threads that answer requests (Jetty's selector and acceptor get their own)
   * @param headerTimeout see {@link ReadDeadlines}
   * @param bodyTimeout see {@link ReadDeadlines}
   * @param idleTimeout how long a kept-alive connection may wait for its next request
   * @param maxConnections beyond it, new connections wait in the listen backlog
   * @param maxHeaderBytes the request line and headers, larger ones get 431
   * @param tls the key store of the TLS identity, or {@code null} for plain HTTP
   */
  public record Settings(
      InetSocketAddress address,
      int threads,
      Duration headerTimeout,
      Duration bodyTimeout,
      Duration idleTimeout,
      int maxConnections,
      int maxHeaderBytes,
      PemKeyStore.Loaded tls) {}

  private final TesApi api;
  private final QueuedThreadPool pool;
  private final Server server;
  private final ServerConnector connector;
  private final ReadDeadlines deadlines;
  private final String bodyTimeoutText;
  private final AtomicInteger inFlight = new AtomicInteger();
  private InetSocketAddress bound;
  private final Object flight = new Object();
  private volatile boolean stopping;

  private JettyRunner(TesApi api, Settings settings) {
    this.api = api;
    this.bodyTimeoutText = describe(settings.bodyTimeout());
    // Jetty's own work (one acceptor, the selectors) runs on the pool too: room for it on top. A
    // selector answers what the API answers at once itself (reads and creates on the memory store),
    // so there is one per core, up to the threads asked for, for those to use every core.
    int selectors = Math.max(1, Math.min(settings.threads(), Runtime.getRuntime().availableProcessors()));
    int acceptors = 1;
    QueuedThreadPool pool = new QueuedThreadPool(settings.threads() + selectors + acceptors + 2,
        Math.min(8, settings.threads() + selectors + acceptors), 60_000);
    pool.setName("tes4j-server");
    pool.setDaemon(true);
    ScheduledExecutorScheduler scheduler = new ScheduledExecutorScheduler("tes4j-server-timer", true);
    this.pool = pool;
    this.server = new Server(pool, scheduler, null);
    this.deadlines = new ReadDeadlines(settings.headerTimeout(), settings.bodyTimeout(), scheduler);

    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    http.setRequestHeaderSize(settings.maxHeaderBytes());
    // TesApi routes on the raw path and decodes a task id itself (a%2Fb is the id a/b, a path
    // with .. is a 404), as the JDK's server let it: Jetty must not refuse such paths first.
    http.setUriCompliance(UriCompliance.UNSAFE);
    HttpConnectionFactory plain = new HttpConnectionFactory(http);
    if (settings.tls() == null) {
      this.connector = new ServerConnector(server, acceptors, selectors, plain);
    } else {
      SslContextFactory.Server ssl = new SslContextFactory.Server();
      ssl.setKeyStore(settings.tls().keyStore());
      ssl.setKeyStorePassword(settings.tls().password());
      ssl.setCertAlias(PemKeyStore.ALIAS);
      this.connector = new ServerConnector(server, acceptors, selectors,
          new SslConnectionFactory(ssl, plain.getProtocol()), plain);
    }
    connector.setHost(settings.address().getAddress().getHostAddress());
    connector.setPort(settings.address().getPort());
    connector.setIdleTimeout(settings.idleTimeout().toMillis());
    // Room for bursts of new connections, and for those waiting while maxConnections are open
    // (the JVM's default backlog is 50; the kernel may cap it lower, at net.core.somaxconn).
    connector.setAcceptQueueSize(1024);
    // Small answers go out at once; Nagle's algorithm would hold them for the client's delayed ACK.
    connector.setAcceptedTcpNoDelay(true);
    connector.addBean(deadlines);
    server.addConnector(connector);
    server.addBean(new NetworkConnectionLimit(settings.maxConnections(), connector));
    server.setHandler(new ApiHandler());
    server.setErrorHandler(new JsonErrors());
  }

  /**
   * Binds {@code settings.address()} and starts serving.
   *
   * @throws IOException when the address cannot be bound (e.g. the port is taken)
   */
  public static JettyRunner start(TesApi api, Settings settings) throws IOException {
    JettyRunner runner = new JettyRunner(api, settings);
    try {
      // Bind first, so that a taken port is a plain IOException, before any thread starts.
      runner.connector.open();
    } catch (IOException e) {
      Throwable cause = e.getCause() instanceof IOException ? e.getCause() : e;
      throw cause instanceof IOException io ? io : e;
    }
    try {
      runner.server.start();
    } catch (Exception e) {
      runner.stopQuietly();
      throw new IOException(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), e);
    }
    runner.bound = new InetSocketAddress(settings.address().getAddress(), runner.connector.getLocalPort());
    runner.deadlines.start();
    return runner;
  }

  /** The address bound, with the port chosen when 0 was asked. */
  public InetSocketAddress address() {
    return bound;
  }

  /** Whether accepted connections send small writes at once (TCP_NODELAY). */
  public boolean sendsWithoutDelay() {
    return connector.getAcceptedTcpNoDelay();
  }

  /** How many connections are open now. */
  public int openConnections() {
    return deadlines.connections();
  }

  /**
   * Stops: requests arriving from now on are refused (503), those in flight may finish within
   * {@code grace}, then the port is released and the threads end.
   *
   * @return how many requests were still in flight when the grace period ended (0 normally)
   */
  public int stop(Duration grace) {
    stopping = true;
    // Requests still waiting for their body have not reached the API: refused now, not waited for.
    deadlines.refuseReading();
    long deadline = System.nanoTime() + grace.toNanos();
    int left;
    synchronized (flight) {
      while (inFlight.get() > 0) {
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
      left = inFlight.get();
    }
    deadlines.stop();
    stopQuietly();
    return left;
  }

  private void stopQuietly() {
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("stopping the HTTP server failed: {}", e.toString());
    }
  }

  private void finished() {
    inFlight.decrementAndGet();
    if (stopping) {
      synchronized (flight) {
        flight.notifyAll();
      }
    }
  }

  /**
   * Every request, called on the selector thread that read its headers: refused while stopping,
   * answered there when the API answers it from memory at once ({@link TesApi#answersWithoutBlocking}),
   * else handed to a pool thread, where its body is read and the API may block on the engine and
   * its store.
   */
  private final class ApiHandler extends Handler.Abstract {
    ApiHandler() {
      // It never blocks itself: what may block goes to the pool (see handle).
      super(InvocationType.NON_BLOCKING);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      inFlight.incrementAndGet();
      ReadDeadlines.Watch watch = deadlines.requestStarted(request.getConnectionMetaData().getConnection());
      Exchange exchange = new Exchange(request, response, callback, watch);
      if (stopping) {
        // After close() began: refused, the connection closed.
        exchange.refuse();
      } else if (declaredTooLarge(request)) {
        // Answered 413 by the API from the header alone: reading would wait for bytes the client
        // may send only after an answer (Expect: 100-continue). The API authenticates first: the pool.
        onPool(exchange, () -> exchange.dispatch(new byte[0]));
      } else if (api.answersWithoutBlocking(request.getMethod(), request.getHttpURI().getPath(),
          request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH))) {
        // Answered from memory: here, without waking a pool thread (half the time of a small answer
        // on one keep-alive connection). The body is read without blocking; when part of it is
        // late, Jetty calls the exchange back on a pool thread, which answers it.
        exchange.read();
      } else {
        onPool(exchange, exchange::read);
      }
      return true;
    }

    private void onPool(Exchange exchange, Runnable work) {
      try {
        pool.execute(work);
      } catch (RejectedExecutionException e) {
        // The pool is stopping, or its queue is full: an answer, not a connection left hanging.
        exchange.answerError(503, "the server is too busy to take this request", "Retry-After", "1");
      }
    }
  }

  private boolean declaredTooLarge(Request request) {
    long declared = request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
    return declared > api.maxRequestBytes();
  }

  /** One request: its body as it arrives, then its answer, sent once. */
  private final class Exchange implements Runnable, ReadDeadlines.Reading {
    private final Request request;
    private final Response response;
    private final Callback callback;
    private final ReadDeadlines.Watch watch;
    private final AtomicBoolean answered = new AtomicBoolean();
    private final int cap;
    private byte[] body;
    private int length;
    private boolean waiting;

    Exchange(Request request, Response response, Callback callback, ReadDeadlines.Watch watch) {
      this.request = request;
      this.response = response;
      this.callback = callback;
      this.watch = watch;
      this.cap = (int) Math.min(Integer.MAX_VALUE - 16, api.maxRequestBytes() + 1);
    }

    /** Jetty's demand callback: more of the body may be there. */
    @Override
    public void run() {
      read();
    }

    /** Reads what has arrived, up to one byte beyond the limit; demands more, or answers. */
    void read() {
      while (!answered.get()) {
        Content.Chunk chunk = request.read();
        if (chunk == null) {
          if (stopping) {
            refuse();
            return;
          }
          if (!waiting) {
            waiting = true;
            deadlines.readingBody(watch, this);
          }
          request.demand(this);
          return;
        }
        if (Content.Chunk.isFailure(chunk)) {
          Throwable failure = chunk.getFailure();
          if (!chunk.isLast()) {
            // Jetty's idle timeout: no byte of the body for that long.
            timedOut();
          } else if (answered.compareAndSet(false, true)) {
            deadlines.bodyRead(watch);
            LOG.debug("{} {}: the request failed while its body was read: {}", request.getMethod(),
                request.getHttpURI().getPath(), failure.toString());
            complete(failure);
          }
          return;
        }
        boolean last;
        try {
          append(chunk.getByteBuffer());
          last = chunk.isLast();
        } finally {
          chunk.release();
        }
        if (last || length >= cap) {
          deadlines.bodyRead(watch);
          dispatch(body == null ? new byte[0] : length == body.length ? body : Arrays.copyOf(body, length));
          return;
        }
      }
    }

    private void append(ByteBuffer bytes) {
      int take = Math.min(bytes.remaining(), cap - length);
      if (take == 0) {
        return;
      }
      if (body == null) {
        long declared = request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
        int first = declared > 0 ? (int) Math.min(cap, declared) : Math.min(cap, Math.max(take, 8192));
        body = new byte[Math.max(first, take)];
      } else if (length + take > body.length) {
        body = Arrays.copyOf(body, (int) Math.min(cap, Math.max((long) body.length * 2, length + take)));
      }
      bytes.get(body, length, take);
      length += take;
    }

    /** The body deadline passed (or Jetty's idle timeout): 408, and the connection closed. */
    @Override
    public void timedOut() {
      answerError(408, "the request body did not arrive within " + bodyTimeoutText);
    }

    /** The server stops before the body arrived: 503, as a request arriving now would get. */
    @Override
    public void refuse() {
      answerError(503, "the server is shutting down", "Retry-After", "1");
    }

    /**
     * Answers an error of the server's own, not the API's, unless the request is answered already:
     * the JSON error body with a request id (the client's when it sent a sane one), the connection
     * closed (the rest of the body is not read), and the access log line.
     */
    void answerError(int status, String message, String... extraHeaders) {
      String requestId = RequestIds.choose(request.getHeaders().get("X-Request-Id"));
      if (answerOnce(ErrorBodies.answer(status, message, requestId, extraHeaders), true)) {
        AccessLog.log(requestId, request.getMethod(), request.getHttpURI().getPath(), status,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - request.getHeadersNanoTime()), null);
      }
    }

    /**
     * Hands the whole request to the API on this thread (a pool thread, or the selector thread for a
     * request the API answers at once), and sends its answer once it is ready: at once, or for a
     * create that waits for the task store, from the thread that completes it, so that no thread
     * waits with the request ({@link TesApi#handleAsync}).
     */
    void dispatch(byte[] bytes) {
      if (!answered.compareAndSet(false, true)) {
        return;
      }
      CompletableFuture<ApiResponse> answer;
      try {
        HttpURI uri = request.getHttpURI();
        answer = api.handleAsync(new ApiRequest(request.getMethod(), uri.getPath(), uri.getQuery(),
            headers(request.getHeaders()), bytes, null));
      } catch (RuntimeException | Error e) {
        notAnswered(e);
        return;
      }
      answer.whenComplete((sent, e) -> {
        if (e != null) {
          notAnswered(e);
        } else {
          send(sent, sent.status() == 413);
        }
      });
    }

    /** TesApi answers every problem itself: this is a bug of this class or of the JVM. */
    private void notAnswered(Throwable e) {
      LOG.error("{} {}: the request could not be answered", request.getMethod(), request.getHttpURI().getPath(), e);
      complete(e);
    }

    /** Sends {@code answer} unless the request is already answered; whether it sent it. */
    boolean answerOnce(ApiResponse answer, boolean close) {
      if (!answered.compareAndSet(false, true)) {
        return false;
      }
      deadlines.bodyRead(watch);
      send(answer, close);
      return true;
    }

    private void send(ApiResponse answer, boolean close) {
      try {
        response.setStatus(answer.status());
        HttpFields.Mutable headers = response.getHeaders();
        for (Map.Entry<String, String> header : answer.headers().entrySet()) {
          if (header.getKey().equals("Content-Type") && header.getValue().equals(JSON_TYPE.getValue())) {
            headers.put(JSON_TYPE); // encoded once, not on every answer
          } else {
            headers.put(header.getKey(), header.getValue());
          }
        }
        if (close) {
          // The rest of the body was not read: the connection cannot carry another request.
          headers.put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
        }
        byte[] bytes = answer.body();
        if ("HEAD".equalsIgnoreCase(request.getMethod())) {
          bytes = new byte[0]; // the status and headers only (HEAD is answered 405 with Allow)
        }
        headers.put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), new Completion());
      } catch (RuntimeException e) {
        LOG.debug("{} {}: the answer could not be sent: {}", request.getMethod(), request.getHttpURI().getPath(),
            e.toString());
        complete(e);
      }
    }

    private void complete(Throwable failure) {
      deadlines.requestDone(watch);
      try {
        if (failure == null) {
          callback.succeeded();
        } else {
          callback.failed(failure);
        }
      } finally {
        finished();
      }
    }

    /** The answer is written (or the connection failed): the request is over. */
    private final class Completion implements Callback {
      @Override
      public void succeeded() {
        complete(null);
      }

      @Override
      public void failed(Throwable failure) {
        // The client went away while the answer was on the wire: nothing more to do.
        LOG.debug("{} {}: the answer could not be sent: {}", request.getMethod(), request.getHttpURI().getPath(),
            failure.toString());
        complete(failure);
      }

      @Override
      public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
      }
    }
  }

  /** Jetty's headers as the API takes them: by name, in any case, every value in order. */
  private static Map<String, List<String>> headers(HttpFields fields) {
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (HttpField field : fields) {
      headers.computeIfAbsent(field.getName(), name -> new ArrayList<>(1)).add(field.getValue());
    }
    return headers;
  }

  private static String describe(Duration duration) {
    long millis = duration.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
  }

  /** Jetty's own error answers (a malformed request, headers too large) in the API's JSON. */
  private static final class JsonErrors implements Request.Handler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      int status = response.getStatus();
      String message = null;
      Object cause = request.getAttribute(org.eclipse.jetty.server.handler.ErrorHandler.ERROR_EXCEPTION);
      if (cause instanceof org.eclipse.jetty.http.HttpException http) {
        status = http.getCode();
        response.setStatus(status);
        message = http.getReason();
      }
      Object attribute = request.getAttribute(org.eclipse.jetty.server.handler.ErrorHandler.ERROR_MESSAGE);
      if (attribute instanceof String text) {
        message = text;
      }
      if (message == null) {
        message = org.eclipse.jetty.http.HttpStatus.getMessage(status);
      }
      String requestId = RequestIds.choose(request.getHeaders().get("X-Request-Id"));
      ApiResponse answer = ErrorBodies.answer(status, message, requestId);
      HttpFields.Mutable headers = response.getHeaders();
      answer.headers().forEach(headers::put);
      boolean noBody = "HEAD".equalsIgnoreCase(request.getMethod())
          || org.eclipse.jetty.http.HttpStatus.hasNoBody(status);
      byte[] bytes = noBody ? new byte[0] : answer.body();
      headers.put(HttpHeader.CONTENT_LENGTH, bytes.length);
      response.write(true, ByteBuffer.wrap(bytes), callback);
      return true;
    }
  }
}
