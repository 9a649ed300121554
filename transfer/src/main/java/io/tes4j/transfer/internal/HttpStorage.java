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
import java.net.Authenticator;
import java.net.HttpURLConnection;
import java.net.MalformedURLException;
import java.net.PasswordAuthentication;
import java.net.ProtocolException;
import java.net.ResponseCache;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLConnection;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code http} and {@code https} storage, over the JDK's {@link HttpURLConnection}: GET (ranges
 * when asked), HEAD for sizes (or a one-byte ranged GET where HEAD is refused, as for presigned
 * URLs), PUT, DELETE. HTTP has no listing, so {@link #list} refuses.
 *
 * <p><b>Transport.</b> Each request is one {@code HttpURLConnection}, on the caller's thread; the
 * JDK keeps idle connections for reuse. A download reads the body {@value #BUFFER_KIB} KiB at a
 * time straight from the socket and writes it at its position in the target file. An upload of a
 * file is sent with its {@code Content-Length}, read from the file {@value #BUFFER_KIB} KiB at a
 * time; a stream of unknown length is sent chunked. Memory stays at a few buffers per transfer,
 * whatever the size. A plain {@code http} URL loads nothing of TLS; {@code https} uses the JDK's
 * default TLS set-up. (On loopback, this costs a fraction of the CPU time of {@code java.net.http},
 * whose body path hands every chunk between threads.)
 *
 * <p><b>No global state.</b> Every setting is made on the connection: no redirects followed by
 * the JDK, no response cache (when an application installed one with {@link
 * ResponseCache#setDefault}, the connection is told not to use it), and an {@link Authenticator}
 * that answers nothing, so that the JDK neither asks an application's default authenticator nor
 * reuses credentials it cached. No system property is read or set. The one process-wide hook that
 * {@code HttpURLConnection} offers no per-connection switch for is {@link
 * java.net.CookieHandler#setDefault}: the JDK installs no cookie handler, but an application that
 * installs one has its cookies sent and stored here too.
 *
 * <p><b>Policy.</b> Every hop, the URL given and each redirect target, must pass the {@link
 * io.tes4j.transfer.TransferPolicy} of the settings ({@code NOT_ALLOWED} otherwise), and every
 * connection is made only to an address it allows ({@link HttpConnections}): a redirect from an
 * allowed host to {@code http://127.0.0.1/} or to a name that resolves there is refused, as is a
 * redirect to any scheme but {@code http} and {@code https}.
 *
 * <p><b>Redirects</b> are followed here (at most {@value #MAX_REDIRECTS}), so that the {@code
 * Authorization} header is decided for each hop: configured credentials go only to the host they
 * belong to, a URL's own {@code user:password@} only to that URL's scheme, host and port (the URL
 * handed to the JDK never holds it), and nothing is sent over {@code http} after a redirect from
 * {@code https}. A request with a body follows only 307 and 308, and only when the body can be
 * sent again (a file, not a stream). Headers are never logged.
 *
 * <p><b>Timeouts and checks.</b> The connect timeout covers connecting; the read timeout covers the
 * wait for an answer and every read of a body, so a body that stalls for that long fails. An upload
 * whose body does not move for the read timeout is cut off by a watchdog thread, which is started
 * with the first upload. A body is checked against {@code Content-Length} and, when the server
 * gives one, against its {@code Repr-Digest}, {@code Digest} or {@code Content-MD5}. Error bodies
 * are read (up to {@value #DRAIN_LIMIT} bytes) and closed, so that their connection can be reused.
 * Internal.
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

  /** The size of the read and write buffers, in KiB. */
  static final int BUFFER_KIB = 256;

  /** Bytes read from a body, or from a file to upload, at once: few, large system calls. */
  private static final int BUFFER = BUFFER_KIB * 1024;

  /**
   * The most bytes handed to the connection at once when uploading: the unit of progress (and of
   * the watchdog's heartbeat). The JDK writes to the socket in pieces of at most 128 KiB anyway.
   */
  private static final int SEND_SLICE = 64 * 1024;

  /** The most of an unwanted body (an error page, a redirect's text) read to keep its connection. */
  static final int DRAIN_LIMIT = 64 * 1024;

  /** Answers every request for credentials with none. */
  private static final Authenticator NO_CREDENTIALS = new NoCredentials();

  private static final AtomicInteger THREADS = new AtomicInteger();

  private final TransferSettings settings;
  private final HttpConnections connections;
  private final int connectMillis;
  private final int readMillis;
  private final Object lock = new Object();
  private ScheduledExecutorService watchdog; // guarded by lock; made by the first upload
  private volatile boolean closed;

  /** A storage using the timeouts and credentials of {@code settings}. Opens no connection. */
  public HttpStorage(TransferSettings settings) {
    this.settings = settings;
    this.connections = new HttpConnections(settings.policy());
    this.connectMillis = millis(settings.connectTimeout());
    this.readMillis = millis(settings.readTimeout());
  }

  private static int millis(Duration duration) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, duration.toMillis()));
  }

  // ---------------------------------------------------------------------------------------------
  // Operations.

  @Override
  public Optional<ObjectInfo> stat(StorageUrl url) {
    Answer answer = exchange("HEAD", url, Map.of(), null);
    answer.discard();
    int status = answer.status();
    if (status / 100 == 2) {
      ResponseHeaders headers = answer.headers();
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
    Answer answer = exchange("GET", url, Map.of("Range", "bytes=0-0"), null);
    int status = answer.status();
    ResponseHeaders headers = answer.headers();
    long size;
    if (status == 206 || status == 416) {
      answer.discard();
      size = contentRange(headers).map(ContentRange::total).orElse(status == 416 ? 0L : -1L);
    } else if (status / 100 == 2) {
      answer.abandon(); // the whole object may be on its way: close rather than read it
      size = headers.firstValueAsLong("Content-Length").orElse(-1);
    } else if (status == 404 || status == 410) {
      answer.discard();
      return Optional.empty();
    } else {
      answer.discard();
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
    Answer answer = exchange("GET", url, headers, null);
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
        answer.abandon();
        throw new TransferException(
            Reason.FAILED,
            url.toString(),
            "asked for the bytes from " + offset + " but the server sent "
                + answer.headers().firstValue("Content-Range").orElse("no Content-Range"),
            null);
      }
      return answer.body();
    }
    if (status == 200) {
      BodyStream body = answer.body();
      if (offset > 0) {
        LOG.debug("GET {} ignored the Range header: skipping {} bytes", url, offset);
        try {
          body.skipNBytes(offset);
        } catch (IOException e) {
          closeQuietly(url, body);
          throw network(url, e);
        }
      }
      return body;
    }
    if (status / 100 == 2) {
      answer.abandon();
      throw new TransferException(
          Reason.FAILED, url.toString(), "unexpected answer " + status + " to GET", null);
    }
    answer.discard();
    throw failure(url, answer, "GET");
  }

  @Override
  public long download(StorageUrl url, Path target, LongConsumer progress) {
    Answer answer = exchange("GET", url, Map.of(), null);
    int status = answer.status();
    if (status / 100 != 2 || status == 206) {
      if (status / 100 == 2) {
        answer.abandon();
        throw new TransferException(
            Reason.FAILED, url.toString(), "answered 206 (a part) to a GET for all of it", null);
      }
      answer.discard();
      throw failure(url, answer, "GET");
    }
    return save(url, answer, target, 0, progress);
  }

  /**
   * Asks for the rest of the object from {@code offset}, only if it still has {@code etag} ({@code
   * If-Range}): a 206 is appended; a 200 (the object changed, or the server ignores ranges) is the
   * whole object, written over the file from its start.
   */
  @Override
  public long resume(StorageUrl url, Path target, long offset, String etag, LongConsumer progress) {
    if (etag == null || etag.isEmpty() || offset <= 0) {
      return -1;
    }
    Answer answer =
        exchange("GET", url, Map.of("Range", "bytes=" + offset + "-", "If-Range", '"' + etag + '"'), null);
    int status = answer.status();
    if (status == 206) {
      String range = answer.headers().firstValue("Content-Range").orElse("");
      if (!range.startsWith("bytes " + offset + "-")) {
        answer.abandon();
        throw new TransferException(
            Reason.CORRUPT, url.toString(), "asked for the bytes from " + offset + " but got '" + range + "'", null);
      }
      return save(url, answer, target, offset, progress);
    }
    if (status == 200) {
      LOG.debug("GET {} from byte {} answered the whole object: it changed, or ranges are not served", url, offset);
      return save(url, answer, target, 0, progress);
    }
    if (status / 100 == 2) {
      answer.abandon();
      throw new TransferException(Reason.FAILED, url.toString(), "unexpected answer " + status + " to GET", null);
    }
    answer.discard();
    throw failure(url, answer, "GET");
  }

  /**
   * Writes the answer's body into {@code target} from {@code start}, after which the file ends,
   * checking the digest the server announced; returns the file's size.
   */
  private long save(StorageUrl url, Answer answer, Path target, long start, LongConsumer progress) {
    Optional<BodyDigest> digest = BodyDigest.announced(answer.headers());
    MessageDigest md = digest.map(BodyDigest::start).orElse(null);
    long total;
    // No TRUNCATE_EXISTING: see LocalPaths.createTempSibling. READ: to digest a part already there.
    try (BodyStream in = answer.body();
        FileChannel out = FileChannel.open(target, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      if (md != null && start > 0 && digest.get().ofWholeObject()) {
        digestPrefix(out, start, md); // the digest covers the bytes already there too
      }
      total = receive(url, target, in, out, start, md, progress);
      out.truncate(start + total); // a shorter whole object over a longer old part
    } catch (IOException e) {
      throw Failures.of(LocalPaths.fileUrl(target), e); // opening or closing the local file
    }
    if (md != null && !digest.get().matches(md.digest())) {
      throw new TransferException(
          Reason.CORRUPT,
          url.toString(),
          "the " + total + " bytes received do not match the checksum (" + digest.get().describe() + ")",
          null);
    }
    return start + total;
  }

  /** Feeds the first {@code length} bytes of {@code file} into {@code md}. */
  private static void digestPrefix(FileChannel file, long length, MessageDigest md) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(BUFFER, length));
    for (long position = 0; position < length; ) {
      buffer.clear().limit((int) Math.min(buffer.capacity(), length - position));
      int n = file.read(buffer, position);
      if (n < 0) {
        throw new IOException("the partial download shrank to " + position + " bytes");
      }
      buffer.flip();
      md.update(buffer);
      position += n;
    }
  }

  /**
   * Copies {@code in} into {@code out} from position {@code start}, feeding {@code md} when given;
   * returns the number of bytes copied. A failure of the connection is the URL's, a failure to
   * write is the local file's.
   */
  private static long receive(
      StorageUrl url, Path target, BodyStream in, FileChannel out, long start, MessageDigest md,
      LongConsumer progress) {
    byte[] buffer = new byte[BUFFER];
    ByteBuffer wrapped = ByteBuffer.wrap(buffer);
    long position = start;
    long total = 0;
    while (true) {
      int n;
      try {
        n = in.fill(buffer);
      } catch (IOException e) {
        throw network(url, e);
      }
      if (n == 0) {
        return total;
      }
      if (md != null) {
        md.update(buffer, 0, n);
      }
      wrapped.clear().limit(n);
      try {
        while (wrapped.hasRemaining()) {
          position += out.write(wrapped, position);
        }
      } catch (IOException e) {
        throw Failures.of(LocalPaths.fileUrl(target), e); // disk full, permissions
      }
      total += n;
      progress.accept(n);
    }
  }

  @Override
  public long write(StorageUrl url, InputStream data, long size, LongConsumer progress) {
    // The stream can be read once only: a redirect cannot be followed with the body.
    return put(url, new StreamBody(url, data, size), new UploadProgress(progress));
  }

  @Override
  public long upload(Path source, StorageUrl url, LongConsumer progress) {
    long size;
    try {
      size = Files.size(source);
    } catch (IOException e) {
      throw Failures.of(LocalPaths.fileUrl(source), e);
    }
    // A file can be sent again, so a 307 or 308 redirect is followed.
    return put(url, new FileBody(source, size), new UploadProgress(progress));
  }

  private long put(StorageUrl url, Body body, UploadProgress counter) {
    Answer answer = exchange("PUT", url, Map.of(), new Sending(body, counter));
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
    Answer answer = exchange("DELETE", url, Map.of(), null);
    answer.discard();
    int status = answer.status();
    if (status / 100 != 2 && status != 404 && status != 410) {
      throw failure(url, answer, "DELETE");
    }
  }

  /** Stops the watchdog; requests made afterwards fail. Idle connections stay with the JDK. */
  @Override
  public void close() {
    closed = true;
    synchronized (lock) {
      if (watchdog != null) {
        watchdog.shutdownNow();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Exchanges, redirects and credentials.

  /** An answer, with the URL that gave it (after redirects) and the connection holding its body. */
  private record Answer(StorageUrl url, HttpURLConnection connection, int status, ResponseHeaders headers) {
    /** The body of a successful answer, read with the read timeout and checked against its length. */
    BodyStream body() {
      long expected = headers.firstValueAsLong("Content-Length").orElse(-1);
      try {
        return new BodyStream(connection, connection.getInputStream(), expected);
      } catch (IOException e) {
        connection.disconnect();
        throw network(url, e);
      }
    }

    /**
     * Reads and drops a body that is not wanted (an error page, a redirect's text, HEAD's none), so
     * that the connection can serve the next request; a body longer than {@value #DRAIN_LIMIT}
     * bytes, or one that fails, closes the connection instead.
     */
    void discard() {
      InputStream body;
      try {
        body = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
      } catch (IOException e) {
        LOG.debug("{}: no body to drop after {} ({}); closing the connection", url, status, e.toString());
        connection.disconnect();
        return;
      }
      if (body == null) {
        connection.disconnect(); // an error answer without a body stream: nothing to reuse
        return;
      }
      try (body) {
        byte[] scratch = new byte[8192];
        long left = DRAIN_LIMIT;
        for (int n; (n = body.read(scratch, 0, (int) Math.min(scratch.length, left + 1))) >= 0; ) {
          left -= n;
          if (left < 0) {
            connection.disconnect(); // too long to be worth reading
            return;
          }
        }
      } catch (IOException e) {
        LOG.debug(
            "{}: dropping the body of a {} answer failed ({}); closing the connection", url, status, e.toString());
        connection.disconnect();
      }
    }

    /** Closes the connection without reading the body: it may be large. */
    void abandon() {
      connection.disconnect();
    }
  }

  /** A request body and the progress of sending it. */
  private record Sending(Body body, UploadProgress progress) {}

  /**
   * Sends {@code method} to {@code url}, following redirects: every one for GET, HEAD and DELETE;
   * for a body, 307 and 308 only, and only when the body can be sent again.
   */
  private Answer exchange(String method, StorageUrl url, Map<String, String> headers, Sending sending) {
    if (closed) {
      throw new IllegalStateException("this HTTP storage is closed");
    }
    StorageUrl hop = url;
    for (int hops = 0; ; hops++) {
      HttpURLConnection connection;
      int status;
      try {
        settings.policy().check(hop);
        connection = open(method, hop, url, headers);
        status = send(url, connection, sending);
      } catch (TransferException e) {
        throw hops == 0 || e.reason() != Reason.NOT_ALLOWED ? e : refusedHop(url, hop, e);
      }
      ResponseHeaders responseHeaders = ResponseHeaders.of(connection.getHeaderFields());
      LOG.debug("{} {} -> {}", method, hop, status);
      Answer answer = new Answer(hop, connection, status, responseHeaders);
      Optional<String> location = responseHeaders.firstValue("Location");
      if (!REDIRECTS.contains(status) || location.isEmpty()) {
        return answer;
      }
      answer.discard();
      StorageUrl next = redirectTarget(url, hop, location.get());
      boolean sameMethod = status == 307 || status == 308;
      boolean replayable = sending == null || sending.body().replayable();
      if ((sending != null || method.equals("DELETE")) && (!sameMethod || !replayable)) {
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

  /** A redirect target the policy refuses, reported as the original URL's failure. */
  private static TransferException refusedHop(StorageUrl url, StorageUrl hop, TransferException refusal) {
    String message = String.valueOf(refusal.getMessage());
    String prefix = refusal.location() + ": ";
    String detail = message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    return new TransferException(
        Reason.NOT_ALLOWED, url.toString(), "redirected to " + hop + ": " + detail, refusal);
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
          Reason.NOT_ALLOWED,
          url.toString(),
          "redirected to " + next + ", which is not an http(s) URL: redirects are followed to http and https only",
          null);
    }
    return next;
  }

  /** A connection for one request to {@code hop}, set up but not yet connected. */
  private HttpURLConnection open(
      String method, StorageUrl hop, StorageUrl origin, Map<String, String> headers) {
    URLConnection opened;
    try {
      // toUri() leaves the user info out: the JDK never sees a password.
      opened = connections.open(hop.toUri());
    } catch (MalformedURLException | IllegalArgumentException e) {
      throw new TransferException(
          Reason.INVALID_URL, hop.toString(), "not a usable http(s) URL: " + e.getMessage(), e);
    } catch (IOException e) {
      throw network(hop, e);
    }
    if (!(opened instanceof HttpURLConnection connection)) {
      throw new TransferException(
          Reason.INVALID_URL, hop.toString(), "not an http(s) URL: " + opened.getClass().getName(), null);
    }
    connection.setInstanceFollowRedirects(false);
    if (ResponseCache.getDefault() != null) {
      // An application's cache must not take the body. Without one (the JDK's default), leaving
      // caching on changes nothing and spares the no-cache headers the JDK adds when it is off.
      connection.setUseCaches(false);
    }
    connection.setAuthenticator(NO_CREDENTIALS);
    connection.setConnectTimeout(connectMillis);
    connection.setReadTimeout(readMillis);
    try {
      connection.setRequestMethod(method);
    } catch (ProtocolException e) {
      throw new IllegalArgumentException("not an HTTP method: " + method, e);
    }
    connection.setRequestProperty("Accept", "*/*");
    headers.forEach(connection::setRequestProperty);
    authorization(hop, origin).ifPresent(value -> connection.setRequestProperty("Authorization", value));
    return connection;
  }

  /**
   * Connects, sends the request and its body, and waits for the answer's status. Closes the
   * connection when this fails.
   */
  private int send(StorageUrl url, HttpURLConnection connection, Sending sending) {
    try {
      int status = InterruptWatch.run(connection::disconnect, () -> {
        if (sending != null) {
          sendBody(url, connection, sending);
        }
        return connection.getResponseCode();
      });
      if (status < 0) {
        connection.disconnect();
        throw new TransferException(Reason.FAILED, url.toString(), "the answer is not HTTP", null);
      }
      return status;
    } catch (SocketTimeoutException e) {
      connection.disconnect();
      if (sending != null && sending.progress().connected()) {
        throw stalledUpload(url, sending.progress(), e); // no answer to the body in time
      }
      throw network(url, e);
    } catch (IOException e) {
      connection.disconnect();
      throw network(url, e);
    } catch (RuntimeException e) {
      connection.disconnect();
      throw e;
    }
  }

  /**
   * Sends the body, with a fixed length when known, else chunked. The watchdog closes the connection
   * when no byte is handed over for the read timeout, which the socket's own timeout cannot see: a
   * write to a server that stopped reading just blocks.
   */
  private void sendBody(StorageUrl url, HttpURLConnection connection, Sending sending) throws IOException {
    Body body = sending.body();
    UploadProgress progress = sending.progress();
    connection.setDoOutput(true);
    if (body.length() >= 0) {
      connection.setFixedLengthStreamingMode(body.length());
    } else {
      connection.setChunkedStreamingMode(BUFFER);
    }
    progress.restart();
    OutputStream out = connection.getOutputStream(); // connects and sends the headers
    progress.bodyStarted();
    Stall stall = watch(connection, progress);
    try (out) {
      body.writeTo(new SlicedOutput(out, progress));
    } catch (IOException e) {
      if (stall.fired()) {
        throw stalledUpload(url, progress, e);
      }
      throw e;
    } finally {
      stall.cancel();
    }
  }

  private TransferException stalledUpload(StorageUrl url, UploadProgress progress, IOException e) {
    return new TransferException(
        Reason.UNREACHABLE,
        url.toString(),
        "timed out: nothing moved for " + readMillis + " ms after " + progress.attemptBytes()
            + " bytes were sent",
        e);
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
        && a.effectivePort() == b.effectivePort();
  }

  /** Answers no request: neither the application's default authenticator nor the JDK's cache. */
  private static final class NoCredentials extends Authenticator {
    @Override
    protected PasswordAuthentication getPasswordAuthentication() {
      return null;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Request bodies and the upload watchdog.

  /** A request body. */
  private interface Body {
    /** The number of bytes, or -1 when unknown (the body is then sent chunked). */
    long length();

    /** Whether it can be sent again, to follow a 307 or 308 redirect. */
    boolean replayable();

    /**
     * Writes the body to the connection. Failures of the connection are {@link IOException}s;
     * failures of the body's source are {@link TransferException}s.
     */
    void writeTo(OutputStream out) throws IOException;
  }

  /** A local file, read afresh each time it is sent. */
  private record FileBody(Path source, long length) implements Body {
    @Override
    public boolean replayable() {
      return true;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
      StorageUrl local = LocalPaths.fileUrl(source);
      FileChannel channel;
      try {
        channel = FileChannel.open(source, StandardOpenOption.READ);
      } catch (IOException e) {
        throw Failures.of(local, e);
      }
      try (channel) {
        byte[] buffer = new byte[(int) Math.min(BUFFER, Math.max(length, 1))];
        ByteBuffer wrapped = ByteBuffer.wrap(buffer);
        long left = length;
        while (left > 0) {
          wrapped.clear().limit((int) Math.min(buffer.length, left));
          int n;
          try {
            n = channel.read(wrapped);
          } catch (IOException e) {
            throw Failures.of(local, e);
          }
          if (n < 0) {
            throw new TransferException(
                Reason.CORRUPT,
                local.toString(),
                "ended after " + (length - left) + " of its " + length + " bytes (did it change?)",
                null);
          }
          out.write(buffer, 0, n);
          left -= n;
        }
      }
    }
  }

  /** A stream that can be read once, of a known length or not. */
  private record StreamBody(StorageUrl url, InputStream data, long length) implements Body {
    @Override
    public boolean replayable() {
      return false;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
      byte[] buffer = new byte[(int) (length < 0 ? BUFFER : Math.min(BUFFER, Math.max(length, 1)))];
      long left = length < 0 ? Long.MAX_VALUE : length;
      if (length == 0) {
        requireEnd();
      }
      while (left > 0) {
        int n;
        try {
          n = data.read(buffer, 0, (int) Math.min(buffer.length, left));
        } catch (IOException e) {
          throw network(url, e); // the source broke off: a copy reports it as the source's
        }
        if (n < 0) {
          if (length < 0) {
            return;
          }
          throw new TransferException(
              Reason.CORRUPT,
              url.toString(),
              "the data to write ended after " + (length - left) + " of the " + length + " bytes announced",
              null);
        }
        left -= n;
        if (left == 0 && length > 0) {
          // Before the last bytes go out: the server must never receive a whole body, and store
          // it, when the data is longer than announced.
          requireEnd();
        }
        out.write(buffer, 0, n);
      }
    }

    /** Throws when {@code data} has more bytes than announced. */
    private void requireEnd() {
      int more;
      try {
        more = data.read();
      } catch (IOException e) {
        throw network(url, e);
      }
      if (more >= 0) {
        throw new TransferException(
            Reason.CORRUPT,
            url.toString(),
            "the data to write is longer than the " + length + " bytes announced",
            null);
      }
    }
  }

  /** Hands bytes to the connection in slices, counting each one as progress. */
  private static final class SlicedOutput extends OutputStream {
    private final OutputStream out;
    private final UploadProgress progress;

    SlicedOutput(OutputStream out, UploadProgress progress) {
      this.out = out;
      this.progress = progress;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      progress.add(1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      for (int done = 0; done < len; ) {
        int n = Math.min(SEND_SLICE, len - done);
        out.write(b, off + done, n);
        done += n;
        progress.add(n);
      }
    }
  }

  /** The watch over one upload: whether it fired, and how to stop it. */
  private static final class Stall implements Runnable {
    private final HttpURLConnection connection;
    private final UploadProgress progress;
    private final long timeoutNanos;
    private volatile boolean fired;
    private volatile ScheduledFuture<?> task;

    Stall(HttpURLConnection connection, UploadProgress progress, long timeoutNanos) {
      this.connection = connection;
      this.progress = progress;
      this.timeoutNanos = timeoutNanos;
    }

    @Override
    public void run() {
      if (!fired && progress.idleNanos() >= timeoutNanos) {
        fired = true;
        cancel();
        connection.disconnect(); // the blocked write fails
      }
    }

    boolean fired() {
      return fired;
    }

    void cancel() {
      ScheduledFuture<?> t = task;
      if (t != null) {
        t.cancel(false);
      }
    }
  }

  /** Starts watching an upload: checks four times per read timeout whether its bytes still move. */
  private Stall watch(HttpURLConnection connection, UploadProgress progress) {
    long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(readMillis);
    Stall stall = new Stall(connection, progress, timeoutNanos);
    long period = Math.max(TimeUnit.MILLISECONDS.toNanos(10), timeoutNanos / 4);
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("this HTTP storage is closed");
      }
      if (watchdog == null) {
        ScheduledThreadPoolExecutor executor =
            new ScheduledThreadPoolExecutor(
                1,
                task -> {
                  Thread thread = new Thread(task, "tes4j-http-watchdog-" + THREADS.incrementAndGet());
                  thread.setDaemon(true);
                  return thread;
                });
        executor.setRemoveOnCancelPolicy(true);
        watchdog = executor;
      }
      stall.task = watchdog.scheduleWithFixedDelay(stall, period, period, TimeUnit.NANOSECONDS);
    }
    return stall;
  }

  /**
   * Counts the bytes handed to the connection. When a body is sent again (after a redirect), the
   * count restarts, but progress is reported only past the furthest point already reported.
   */
  private static final class UploadProgress {
    private final LongConsumer progress;
    private final AtomicLong attempt = new AtomicLong();
    private final AtomicLong reported = new AtomicLong();
    private volatile long lastMove = System.nanoTime();
    private volatile boolean connected;

    UploadProgress(LongConsumer progress) {
      this.progress = progress;
    }

    /** Starts an attempt, before connecting. */
    void restart() {
      attempt.set(0);
      connected = false;
      lastMove = System.nanoTime();
    }

    /** Marks this attempt as connected, its headers sent: its body is on its way. */
    void bodyStarted() {
      connected = true;
      lastMove = System.nanoTime();
    }

    /** Whether this attempt got as far as sending its body. */
    boolean connected() {
      return connected;
    }

    void add(long bytes) {
      lastMove = System.nanoTime();
      long now = attempt.addAndGet(bytes);
      long before = reported.getAndAccumulate(now, Math::max);
      if (now > before) {
        progress.accept(now - before);
      }
    }

    long attemptBytes() {
      return attempt.get();
    }

    /** How long ago the last bytes were handed over. */
    long idleNanos() {
      return System.nanoTime() - lastMove;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Failures and headers.

  /** A connection failure: unreachable (retryable) unless the classification knows better. */
  private static TransferException network(StorageUrl url, IOException e) {
    TransferException classified = IoFailures.classify(url, e);
    if (classified.reason() != Reason.FAILED || IoFailures.interruption(e)) {
      return classified;
    }
    return new TransferException(
        Reason.UNREACHABLE, url.toString(), "the connection broke: " + e.getMessage(), e);
  }

  private static void closeQuietly(StorageUrl url, InputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      LOG.debug("{}: closing the body after a failure failed too: {}", url, e.toString());
    }
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

  private static String etag(ResponseHeaders headers) {
    return headers.firstValue("ETag")
        .map(String::strip)
        .map(tag -> tag.startsWith("W/") ? tag.substring(2) : tag)
        .map(tag -> tag.length() >= 2 && tag.startsWith("\"") && tag.endsWith("\"")
            ? tag.substring(1, tag.length() - 1)
            : tag)
        .orElse(null);
  }

  private static Instant lastModified(StorageUrl url, ResponseHeaders headers) {
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

  private static Optional<ContentRange> contentRange(ResponseHeaders headers) {
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

  @Override
  public String toString() {
    return "HttpStorage[connectTimeout=" + settings.connectTimeout() + ", readTimeout="
        + settings.readTimeout() + "]";
  }
}
