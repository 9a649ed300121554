package io.tes4j.transfer.internal;

import io.tes4j.transfer.Credentials;
import io.tes4j.transfer.ObjectInfo;
import io.tes4j.transfer.StorageUrl;
import io.tes4j.transfer.TransferException;
import io.tes4j.transfer.TransferException.Reason;
import io.tes4j.transfer.TransferSettings;
import io.tes4j.transfer.spi.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code http} and {@code https} storage, over {@code java.net.http}: GET (ranges when asked),
 * HEAD for sizes (or a one-byte ranged GET where HEAD is refused, as for presigned URLs), PUT with a
 * streamed body of known length, DELETE. HTTP has no listing, so {@link #list} refuses.
 *
 * <p>Redirects are followed here, not by the client (at most {@value #MAX_REDIRECTS}), so that the
 * {@code Authorization} header is decided for each hop: configured credentials go only to the host
 * they belong to, a URL's own {@code user:password@} only to that URL's scheme, host and port, and
 * nothing is sent over {@code http} after a redirect from {@code https}. Headers are never logged.
 *
 * <p>A body that stalls for longer than the read timeout fails (the client's own timeout stops at
 * the headers). A body is checked against {@code Content-Length} and, when the server gives one,
 * against its {@code Repr-Digest}, {@code Digest} or {@code Content-MD5}. Internal.
 */
public final class HttpStorage implements Storage {
  private static final Logger LOG = LoggerFactory.getLogger(HttpStorage.class);

  /** The most redirects followed for one request. */
  static final int MAX_REDIRECTS = 5;

  /** What {@link #list} says. */
  public static final String NO_LISTING =
      "HTTP has no directory listing: a DIRECTORY input over http(s) cannot be fetched; list the"
          + " files as separate inputs";

  private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
  private static final Pattern CONTENT_RANGE =
      Pattern.compile("^\\s*bytes\\s+(?:(\\d+)-(\\d+)|\\*)/(\\d+|\\*)\\s*$", Pattern.CASE_INSENSITIVE);
  private static final int BUFFER = 64 * 1024;
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final TransferSettings settings;
  private final ExecutorService executor;
  private final HttpClient client;
  private volatile boolean closed;

  /** A storage with its own client, using the timeouts and credentials of {@code settings}. */
  public HttpStorage(TransferSettings settings) {
    this.settings = settings;
    this.executor =
        Executors.newCachedThreadPool(
            task -> {
              Thread thread = new Thread(task, "tes4j-http-storage-" + THREADS.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(settings.connectTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .executor(executor)
            .build();
  }

  // ---------------------------------------------------------------------------------------------
  // Operations.

  @Override
  public Optional<ObjectInfo> stat(StorageUrl url) {
    Answer answer = exchange("HEAD", url, Map.of(), null, true);
    answer.discard();
    int status = answer.status();
    if (status / 100 == 2) {
      HttpHeaders headers = answer.headers();
      return Optional.of(
          new ObjectInfo(
              url,
              headers.firstValueAsLong("Content-Length").orElse(-1),
              false,
              lastModified(url, headers),
              etag(headers)));
    }
    if (status == 404 || status == 410) {
      return Optional.empty();
    }
    if (status == 405 || status == 501 || status == 403) {
      // HEAD refused, or not covered by a presigned GET signature: ask for the first byte instead.
      LOG.debug("HEAD {} answered {}: asking for one byte with GET", url, status);
      return rangeStat(url);
    }
    throw failure(url, answer, "HEAD");
  }

  private Optional<ObjectInfo> rangeStat(StorageUrl url) {
    Answer answer = exchange("GET", url, Map.of("Range", "bytes=0-0"), null, true);
    answer.discard();
    int status = answer.status();
    HttpHeaders headers = answer.headers();
    long size;
    if (status == 206 || status == 416) {
      size = contentRange(headers).map(ContentRange::total).orElse(status == 416 ? 0L : -1L);
    } else if (status / 100 == 2) {
      size = headers.firstValueAsLong("Content-Length").orElse(-1);
    } else if (status == 404 || status == 410) {
      return Optional.empty();
    } else {
      throw failure(url, answer, "GET");
    }
    return Optional.of(new ObjectInfo(url, size, false, lastModified(url, headers), etag(headers)));
  }

  @Override
  public InputStream openRead(StorageUrl url, long offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must not be negative, was " + offset);
    }
    Map<String, String> headers = offset > 0 ? Map.of("Range", "bytes=" + offset + "-") : Map.of();
    Answer answer = exchange("GET", url, headers, null, true);
    int status = answer.status();
    if (offset > 0 && status == 416) {
      answer.discard();
      Optional<ContentRange> range = contentRange(answer.headers());
      if (range.isPresent() && range.get().total() == offset) {
        return InputStream.nullInputStream(); // reading from the very end: nothing left
      }
      throw new TransferException(
          Reason.FAILED,
          url.toString(),
          "cannot read from byte " + offset + ": the server says the range is not satisfiable (416)",
          null);
    }
    if (offset > 0 && status == 206) {
      Optional<ContentRange> range = contentRange(answer.headers());
      if (range.isEmpty() || range.get().first() != offset) {
        answer.discard();
        throw new TransferException(
            Reason.FAILED,
            url.toString(),
            "asked for the bytes from " + offset + " but the server sent "
                + answer.headers().firstValue("Content-Range").orElse("no Content-Range"),
            null);
      }
      return answer.body(settings);
    }
    if (status == 200) {
      BodyStream body = answer.body(settings);
      if (offset > 0) {
        LOG.debug("GET {} ignored the Range header: skipping {} bytes", url, offset);
        try {
          body.skipNBytes(offset);
        } catch (IOException e) {
          body.close();
          throw network(url, e);
        }
      }
      return body;
    }
    answer.discard();
    throw status / 100 == 2
        ? new TransferException(
            Reason.FAILED, url.toString(), "unexpected answer " + status + " to GET", null)
        : failure(url, answer, "GET");
  }

  @Override
  public long download(StorageUrl url, Path target, LongConsumer progress) {
    Answer answer = exchange("GET", url, Map.of(), null, true);
    int status = answer.status();
    if (status / 100 != 2 || status == 206) {
      answer.discard();
      throw status == 206
          ? new TransferException(
              Reason.FAILED, url.toString(), "answered 206 (a part) to a GET for all of it", null)
          : failure(url, answer, "GET");
    }
    Optional<BodyDigest> digest = BodyDigest.announced(answer.headers());
    MessageDigest md = digest.map(BodyDigest::start).orElse(null);
    long total = 0;
    try (BodyStream in = answer.body(settings);
        OutputStream out = Files.newOutputStream(target, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      byte[] buffer = new byte[BUFFER];
      while (true) {
        int n;
        try {
          n = in.read(buffer);
        } catch (IOException e) {
          throw network(url, e);
        }
        if (n < 0) {
          break;
        }
        if (md != null) {
          md.update(buffer, 0, n);
        }
        out.write(buffer, 0, n);
        total += n;
        progress.accept(n);
      }
    } catch (IOException e) {
      throw Failures.of(url, e); // writing the local file: disk full, permissions
    }
    if (md != null && !digest.get().matches(md.digest())) {
      throw new TransferException(
          Reason.CORRUPT,
          url.toString(),
          "the " + total + " bytes received do not match the checksum (" + digest.get().describe() + ")",
          null);
    }
    return total;
  }

  @Override
  public long write(StorageUrl url, InputStream data, long size, LongConsumer progress) {
    MonotoneProgress counter = new MonotoneProgress(progress);
    BodyPublisher body =
        size == 0
            ? BodyPublishers.noBody()
            : counted(BodyPublishers.ofInputStream(() -> data), size, counter); // size -1: chunked
    // The stream can be read once only: a redirect cannot be followed with the body.
    return put(url, () -> body, false, counter);
  }

  @Override
  public long upload(Path source, StorageUrl url, LongConsumer progress) {
    MonotoneProgress counter = new MonotoneProgress(progress);
    long size;
    try {
      size = Files.size(source);
    } catch (IOException e) {
      throw Failures.of(LocalPaths.fileUrl(source), e);
    }
    Supplier<BodyPublisher> body =
        () -> {
          if (size == 0) {
            return BodyPublishers.noBody();
          }
          try {
            return counted(BodyPublishers.ofFile(source), size, counter);
          } catch (java.io.FileNotFoundException e) {
            throw Failures.of(LocalPaths.fileUrl(source), e);
          }
        };
    // A file can be sent again, so a 307 or 308 redirect is followed.
    return put(url, body, true, counter);
  }

  private long put(StorageUrl url, Supplier<BodyPublisher> body, boolean replayable, MonotoneProgress counter) {
    Answer answer = exchange("PUT", url, Map.of(), body, replayable, counter);
    answer.discard();
    if (answer.status() / 100 == 2) {
      return counter.attemptBytes();
    }
    throw failure(url, answer, "PUT");
  }

  @Override
  public List<ObjectInfo> list(StorageUrl prefix) {
    throw new TransferException(Reason.UNSUPPORTED, prefix.toString(), NO_LISTING, null);
  }

  @Override
  public void delete(StorageUrl url) {
    Answer answer = exchange("DELETE", url, Map.of(), null, true);
    answer.discard();
    int status = answer.status();
    if (status / 100 != 2 && status != 404 && status != 410) {
      throw failure(url, answer, "DELETE");
    }
  }

  /** Stops the client's threads; exchanges under way fail. */
  @Override
  public void close() {
    closed = true;
    executor.shutdown();
  }

  // ---------------------------------------------------------------------------------------------
  // Exchanges, redirects and credentials.

  /** An answer, with the URL that gave it (after redirects). */
  private record Answer(StorageUrl url, HttpResponse<Flow.Publisher<List<ByteBuffer>>> response) {
    int status() {
      return response.statusCode();
    }

    HttpHeaders headers() {
      return response.headers();
    }

    /** The body, read with the read timeout and checked against Content-Length. */
    BodyStream body(TransferSettings settings) {
      long expected = headers().firstValueAsLong("Content-Length").orElse(-1);
      BodyStream stream = new BodyStream(settings.readTimeout(), expected);
      response.body().subscribe(stream);
      return stream;
    }

    /** Drops the body, closing the exchange. */
    void discard() {
      response.body().subscribe(new Discarding());
    }
  }

  /** Cancels the body as soon as it is offered. */
  private static final class Discarding implements Flow.Subscriber<List<ByteBuffer>> {
    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      subscription.cancel();
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
      // cancelled: nothing more is asked for
    }

    @Override
    public void onError(Throwable throwable) {
      // the body was not wanted; the answer's status tells what happened
    }

    @Override
    public void onComplete() {
      // nothing to do
    }
  }

  /**
   * Sends {@code method} to {@code url}, following redirects: every one for GET, HEAD and DELETE;
   * for a body, 307 and 308 only, and only when the body can be sent again.
   */
  private Answer exchange(
      String method,
      StorageUrl url,
      Map<String, String> headers,
      Supplier<BodyPublisher> body,
      boolean replayable) {
    return exchange(method, url, headers, body, replayable, null);
  }

  /**
   * As above; with {@code sending}, the request has no overall timeout (it would include the time
   * to send the body) and times out instead when neither the body nor the answer moves for the read
   * timeout.
   */
  private Answer exchange(
      String method,
      StorageUrl url,
      Map<String, String> headers,
      Supplier<BodyPublisher> body,
      boolean replayable,
      MonotoneProgress sending) {
    if (closed) {
      throw new IllegalStateException("this HTTP storage is closed");
    }
    StorageUrl hop = url;
    for (int hops = 0; ; hops++) {
      HttpRequest request = request(method, hop, url, headers, body, sending == null);
      HttpResponse<Flow.Publisher<List<ByteBuffer>>> response =
          sending == null ? send(url, request) : sendWatched(url, request, sending);
      int status = response.statusCode();
      LOG.debug("{} {} -> {}", method, hop, status);
      Optional<String> location = response.headers().firstValue("Location");
      if (!REDIRECTS.contains(status) || location.isEmpty()) {
        return new Answer(hop, response);
      }
      new Answer(hop, response).discard();
      StorageUrl next = redirectTarget(url, hop, location.get());
      boolean sameMethod = status == 307 || status == 308;
      if ((body != null || method.equals("DELETE")) && (!sameMethod || !replayable)) {
        throw new TransferException(
            Reason.FAILED,
            url.toString(),
            method + " was redirected (" + status + ") to " + next
                + ", which is not followed for " + method + "; use the final URL",
            null);
      }
      if (hops >= MAX_REDIRECTS) {
        throw new TransferException(
            Reason.FAILED,
            url.toString(),
            "more than " + MAX_REDIRECTS + " redirects (the last to " + next + ")",
            null);
      }
      hop = next;
    }
  }

  private StorageUrl redirectTarget(StorageUrl url, StorageUrl hop, String location) {
    StorageUrl next;
    try {
      URI target = hop.toUri().resolve(location.strip());
      next = StorageUrl.parse(target.toString());
    } catch (IllegalArgumentException | TransferException e) {
      throw new TransferException(
          Reason.FAILED, url.toString(), "redirected to an invalid location: " + e.getMessage(), e);
    }
    if (!next.scheme().equals("http") && !next.scheme().equals("https")) {
      throw new TransferException(
          Reason.FAILED,
          url.toString(),
          "redirected to " + next + ", which is not an http(s) URL",
          null);
    }
    return next;
  }

  private HttpRequest request(
      String method,
      StorageUrl hop,
      StorageUrl origin,
      Map<String, String> headers,
      Supplier<BodyPublisher> body,
      boolean timeout) {
    HttpRequest.Builder builder;
    try {
      builder = HttpRequest.newBuilder(hop.toUri());
    } catch (IllegalArgumentException e) {
      throw new TransferException(
          Reason.INVALID_URL, hop.toString(), "not a usable http(s) URL: " + e.getMessage(), e);
    }
    if (timeout) {
      builder.timeout(settings.readTimeout()); // covers the wait for the headers
    }
    if (hop.scheme().equals("http")) {
      builder.version(HttpClient.Version.HTTP_1_1); // no h2c upgrade dance with plain servers
    }
    headers.forEach(builder::header);
    authorization(hop, origin).ifPresent(value -> builder.header("Authorization", value));
    builder.method(method, body == null ? BodyPublishers.noBody() : body.get());
    return builder.build();
  }

  private HttpResponse<Flow.Publisher<List<ByteBuffer>>> send(StorageUrl url, HttpRequest request) {
    try {
      return client.send(request, BodyHandlers.ofPublisher());
    } catch (IOException e) {
      throw network(url, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransferException(Reason.FAILED, url.toString(), "interrupted", e);
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException("this HTTP storage is closed", e);
    }
  }

  /**
   * Sends a request with a body, waiting as long as the body moves: the client's own timeout runs
   * until the answer's headers, so it would cut a large upload that is merely slow. Times out when
   * no byte was handed to the connection, and no answer came, for the read timeout.
   */
  private HttpResponse<Flow.Publisher<List<ByteBuffer>>> sendWatched(
      StorageUrl url, HttpRequest request, MonotoneProgress sending) {
    CompletableFuture<HttpResponse<Flow.Publisher<List<ByteBuffer>>>> future;
    try {
      future = client.sendAsync(request, BodyHandlers.ofPublisher());
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException("this HTTP storage is closed", e);
    }
    long seen = sending.activity();
    while (true) {
      try {
        return future.get(settings.readTimeout().toNanos(), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        long now = sending.activity();
        if (now == seen) {
          future.cancel(true);
          throw new TransferException(
              Reason.UNREACHABLE,
              url.toString(),
              "timed out: nothing moved for " + settings.readTimeout().toMillis() + " ms after "
                  + sending.attemptBytes() + " bytes were sent",
              e);
        }
        seen = now;
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof IOException io) {
          throw network(url, io);
        }
        if (cause instanceof RuntimeException runtime) {
          throw runtime;
        }
        throw new TransferException(Reason.FAILED, url.toString(), String.valueOf(cause), cause);
      } catch (InterruptedException e) {
        future.cancel(true);
        Thread.currentThread().interrupt();
        throw new TransferException(Reason.FAILED, url.toString(), "interrupted", e);
      }
    }
  }

  /**
   * The {@code Authorization} value for a request to {@code hop} that started at {@code origin}:
   * the origin URL's own user info if {@code hop} has the same scheme, host and port; else the
   * configured credentials of {@code hop}'s host; nothing over plain http after https.
   */
  Optional<String> authorization(StorageUrl hop, StorageUrl origin) {
    if (origin.scheme().equals("https") && hop.scheme().equals("http")) {
      return Optional.empty();
    }
    if (origin.user() != null && sameOrigin(hop, origin)) {
      return Optional.of(basic(origin.user(), origin.password() == null ? "" : origin.password()));
    }
    return settings.credentialsFor(hop).map(HttpStorage::header);
  }

  private static String header(Credentials credentials) {
    return credentials.isBearer()
        ? "Bearer " + credentials.secret()
        : basic(credentials.user(), credentials.secret());
  }

  private static String basic(String user, String password) {
    String pair = user + ":" + password;
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  static boolean sameOrigin(StorageUrl a, StorageUrl b) {
    return a.scheme().equals(b.scheme())
        && a.host() != null
        && b.host() != null
        && a.host().equalsIgnoreCase(b.host())
        && effectivePort(a) == effectivePort(b);
  }

  private static int effectivePort(StorageUrl url) {
    if (url.port() > 0) {
      return url.port();
    }
    return url.scheme().equals("https") ? 443 : 80;
  }

  // ---------------------------------------------------------------------------------------------
  // Failures and headers.

  /** A connection failure: unreachable (retryable) unless the classification knows better. */
  private static TransferException network(StorageUrl url, IOException e) {
    TransferException classified = IoFailures.classify(url, e);
    if (classified.reason() != Reason.FAILED) {
      return classified;
    }
    return new TransferException(
        Reason.UNREACHABLE, url.toString(), "the connection broke: " + e.getMessage(), e);
  }

  /** The failure an unwanted status means, naming the host for credential problems. */
  private static TransferException failure(StorageUrl url, Answer answer, String method) {
    int status = answer.status();
    String redirected = answer.url() == url ? "" : " (redirected to " + answer.url() + ")";
    String where = url.toString();
    if (status == 404 || status == 410) {
      return new TransferException(Reason.NOT_FOUND, where, "not found (" + status + ")" + redirected, null);
    }
    if (status == 401 || status == 403) {
      return new TransferException(
          Reason.ACCESS_DENIED,
          where,
          "access denied (" + status + "): check the credentials for host " + answer.url().host() + redirected,
          null);
    }
    if (status == 408 || status == 429 || status / 100 == 5) {
      return new TransferException(
          Reason.SERVER_ERROR, where, "the server answered " + status + " to " + method + redirected, null);
    }
    if (REDIRECTS.contains(status)) {
      return new TransferException(
          Reason.FAILED, where, "redirect (" + status + ") without a Location header" + redirected, null);
    }
    return new TransferException(
        Reason.FAILED, where, "the server answered " + status + " to " + method + redirected, null);
  }

  private static String etag(HttpHeaders headers) {
    return headers.firstValue("ETag")
        .map(String::strip)
        .map(tag -> tag.startsWith("W/") ? tag.substring(2) : tag)
        .map(tag -> tag.length() >= 2 && tag.startsWith("\"") && tag.endsWith("\"")
            ? tag.substring(1, tag.length() - 1)
            : tag)
        .orElse(null);
  }

  private static Instant lastModified(StorageUrl url, HttpHeaders headers) {
    Optional<String> value = headers.firstValue("Last-Modified");
    if (value.isEmpty()) {
      return null;
    }
    try {
      return ZonedDateTime.parse(value.get(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      LOG.debug("{} sent an unreadable Last-Modified date: {}", url, e.getMessage());
      return null;
    }
  }

  /** A parsed {@code Content-Range}: first byte ({@code -1} for {@code *}) and total size. */
  private record ContentRange(long first, long total) {}

  private static Optional<ContentRange> contentRange(HttpHeaders headers) {
    Optional<String> value = headers.firstValue("Content-Range");
    if (value.isEmpty()) {
      return Optional.empty();
    }
    Matcher m = CONTENT_RANGE.matcher(value.get());
    if (!m.matches()) {
      return Optional.empty();
    }
    long first = m.group(1) == null ? -1 : Long.parseLong(m.group(1));
    long total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
    return Optional.of(new ContentRange(first, total));
  }

  // ---------------------------------------------------------------------------------------------
  // Upload progress.

  /**
   * Counts the bytes handed to the connection. When a body is sent again (after a redirect), the
   * count restarts, but progress is reported only past the furthest point already reported.
   */
  private static final class MonotoneProgress {
    private final LongConsumer progress;
    private final AtomicLong attempt = new AtomicLong();
    private final AtomicLong reported = new AtomicLong();
    private final AtomicLong activity = new AtomicLong();

    MonotoneProgress(LongConsumer progress) {
      this.progress = progress;
    }

    void restart() {
      attempt.set(0);
    }

    void add(long bytes) {
      activity.incrementAndGet();
      long now = attempt.addAndGet(bytes);
      long before = reported.getAndAccumulate(now, Math::max);
      if (now > before) {
        progress.accept(now - before);
      }
    }

    long attemptBytes() {
      return attempt.get();
    }

    /** Grows with every buffer handed over, across attempts: a heartbeat. */
    long activity() {
      return activity.get();
    }
  }

  /** {@code source} with a known length, counting what it hands over. */
  private static BodyPublisher counted(Flow.Publisher<ByteBuffer> source, long size, MonotoneProgress counter) {
    Flow.Publisher<ByteBuffer> counting =
        subscriber -> {
          counter.restart();
          source.subscribe(
              new Flow.Subscriber<ByteBuffer>() {
                @Override
                public void onSubscribe(Flow.Subscription subscription) {
                  subscriber.onSubscribe(subscription);
                }

                @Override
                public void onNext(ByteBuffer item) {
                  counter.add(item.remaining());
                  subscriber.onNext(item);
                }

                @Override
                public void onError(Throwable throwable) {
                  subscriber.onError(throwable);
                }

                @Override
                public void onComplete() {
                  subscriber.onComplete();
                }
              });
        };
    return size > 0 ? BodyPublishers.fromPublisher(counting, size) : BodyPublishers.fromPublisher(counting);
  }

  @Override
  public String toString() {
    return "HttpStorage[connectTimeout=" + settings.connectTimeout() + ", readTimeout="
        + settings.readTimeout() + "]";
  }
}
