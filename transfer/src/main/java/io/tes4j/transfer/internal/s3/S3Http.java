package io.tes4j.transfer.internal.s3;

import io.minio.BucketExistsArgs;
import io.minio.Checksum;
import io.minio.Http;
import io.minio.StatObjectArgs;
import io.minio.Utils;
import io.minio.credentials.Credentials;
import io.minio.errors.MinioException;
import io.tes4j.transfer.S3Settings;
import io.tes4j.transfer.StorageUrl;
import io.tes4j.transfer.TransferException;
import io.tes4j.transfer.TransferException.Reason;
import io.tes4j.transfer.TransferPolicy;
import io.tes4j.transfer.internal.HttpConnections;
import io.tes4j.transfer.internal.InterruptWatch;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import okhttp3.HttpUrl;
import okhttp3.MediaType;

/**
 * The requests that move object bytes (HEAD, GET and PUT of objects and parts), built and signed
 * by MinIO ({@link Http.S3Request}, its SigV4 signer and URL rules) and sent with the JDK's {@link
 * HttpURLConnection}. MinIO's own client reads and writes through OkHttp in 8 KiB segments; here
 * bodies move through {@value #BUFFER_SIZE}-byte buffers, which costs a fraction of the CPU, and
 * the client (OkHttp, Jackson, a TLS context for an {@code http} endpoint) need not be set up.
 *
 * <p>Requests are signed in their headers ({@code Authorization}): URLs carry no signature, and
 * the headers are never logged or put in messages. (The JDK's own {@code java.util.logging} of
 * {@code sun.net.www.protocol.http.HttpURLConnection} at level FINE, off by default, prints
 * request headers, a session token among them: leave it off where logs are shared.) Redirects are not followed. {@code
 * connectTimeout} covers connecting and {@code readTimeout} waiting for an answer or the next
 * bytes of a body; a watchdog closes a connection whose upload has not moved for {@code
 * readTimeout}, as {@link HttpURLConnection} has no write timeout. Connections are kept alive and
 * reused by the JDK ({@code http.maxConnections}, 5 per server unless set). Every connection goes
 * only to an address the transfer policy allows for the endpoint's host ({@link HttpConnections};
 * a virtual-hosted {@code bucket.endpoint} name is judged as the endpoint it belongs to).
 *
 * <p>Failures are thrown as the server's answer ({@link S3Errors.S3ServiceException}, with the S3
 * error code, the status and the server's message), as {@link IOException}s, or as MinIO's
 * exceptions for requests it cannot build; {@link S3Errors} classifies all of them.
 */
final class S3Http implements Closeable {
  /** Bytes per read and write of a body. */
  static final int BUFFER_SIZE = 256 * 1024;

  private static final String USER_AGENT = "tes4j";
  private static final int MAX_ERROR_BODY = 64 * 1024;
  private static final MediaType OCTET_STREAM = MediaType.get("application/octet-stream");
  private static final MediaType XML = MediaType.get("application/xml");
  private static final byte[] EMPTY = new byte[0];
  /** Headers HttpURLConnection sets itself (it drops them when set): the values are the same. */
  private static final Set<String> SET_BY_CONNECTION = Set.of("host", "content-length");

  private final Http.BaseUrl baseUrl;
  private final HttpConnections connections;
  private final String region;
  private final Credentials credentials;
  private final int connectTimeoutMillis;
  private final int readTimeoutMillis;
  private final long writeTimeoutNanos;
  private final Object watchdogLock = new Object();
  private ScheduledThreadPoolExecutor watchdog;
  private boolean closed;

  /**
   * @param base the endpoint (scheme, host and port)
   * @param policy the addresses connections may go to
   * @throws IllegalArgumentException when the endpoint or region cannot be used
   */
  S3Http(HttpUrl base, S3Settings s3, TransferPolicy policy, Duration connectTimeout, Duration readTimeout) {
    if (!Utils.REGION_REGEX.matcher(s3.region()).find()) {
      throw new IllegalArgumentException("invalid S3 region '" + s3.region() + "'");
    }
    this.baseUrl = new Http.BaseUrl(base);
    this.baseUrl.setRegion(s3.region());
    this.connections = new HttpConnections(policy, base.host());
    if (s3.pathStyle()) {
      baseUrl.disableVirtualStyleEndpoint();
    } else {
      baseUrl.enableVirtualStyleEndpoint();
    }
    this.region = s3.region();
    this.credentials =
        s3.accessKey() == null ? null : new Credentials(s3.accessKey(), s3.secretKey(), s3.sessionToken(), null);
    this.connectTimeoutMillis = millis(connectTimeout);
    this.readTimeoutMillis = millis(readTimeout);
    this.writeTimeoutNanos = readTimeout.toNanos();
  }

  private static int millis(Duration d) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
  }

  /** One request's answer, read while the connection is open. */
  @FunctionalInterface
  private interface Exchange<T> {
    T run() throws IOException, MinioException, S3Errors.S3ServiceException;
  }

  /**
   * Runs {@code exchange} on the answer of {@code c}. When it returns, the answer was read as far
   * as it needs, and the connection can go back to the JDK's keep-alive cache; when it throws,
   * the connection is closed, since what is left of the answer is unknown.
   */
  private static <T> T exchange(HttpURLConnection c, Exchange<T> exchange)
      throws IOException, MinioException, S3Errors.S3ServiceException {
    boolean done = false;
    try (InterruptWatch.Registration registration = InterruptWatch.watch(c::disconnect)) {
      T result;
      try {
        result = exchange.run();
      } catch (IOException e) {
        throw registration.check(e);
      }
      done = true;
      return result;
    } finally {
      if (!done) {
        c.disconnect();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // HEAD

  /** What a HEAD request tells of an object. */
  record Head(long size, String etag, Instant lastModified) {}

  /** HEADs the object. A 404 has no body: it is reported as {@code NoSuchKey}, as MinIO does. */
  Head head(String bucket, String key) throws IOException, MinioException, S3Errors.S3ServiceException {
    HttpURLConnection c = open(Http.Method.HEAD, bucket, key, null, null, null);
    return exchange(c, () -> {
      int status = c.getResponseCode();
      if (status != HttpURLConnection.HTTP_OK) {
        throw failure(c, status, Http.Method.HEAD, key);
      }
      long size = c.getContentLengthLong();
      if (size < 0) {
        throw new IOException("the S3 server's answer to HEAD has no Content-Length");
      }
      long modified = c.getHeaderFieldDate("Last-Modified", -1);
      Head head = new Head(size, c.getHeaderField("ETag"), modified < 0 ? null : Instant.ofEpochMilli(modified));
      c.getInputStream().close(); // nothing to read: the connection can be reused
    return head;
    });
  }

  /** Whether the bucket exists (HEAD on the bucket: 200 or 404). */
  boolean bucketExists(String bucket) throws IOException, MinioException, S3Errors.S3ServiceException {
    HttpURLConnection c = open(Http.Method.HEAD, bucket, null, null, null, null);
    return exchange(c, () -> {
      int status = c.getResponseCode();
      if (status == HttpURLConnection.HTTP_NOT_FOUND) {
        c.disconnect(); // a 404 to HEAD has no body to read for the connection's reuse
      return false;
      }
      if (status != HttpURLConnection.HTTP_OK) {
        throw failure(c, status, Http.Method.HEAD, null);
      }
      c.getInputStream().close();
    return true;
    });
  }

  /**
   * Whether any object's key starts with {@code prefix}: a ListObjectsV2 request for one key, whose
   * answer is only searched for a {@code <Contents>} element.
   */
  boolean anyObjectUnder(String bucket, String prefix)
      throws IOException, MinioException, S3Errors.S3ServiceException {
    Http.QueryParameters query = new Http.QueryParameters();
    query.put("list-type", "2");
    query.put("prefix", prefix);
    query.put("max-keys", "1");
    HttpURLConnection c = open(Http.Method.GET, bucket, null, query, null, null);
    return exchange(c, () -> {
      int status = c.getResponseCode();
      if (status != HttpURLConnection.HTTP_OK) {
        throw failure(c, status, Http.Method.GET, null);
      }
      String xml;
      try (InputStream in = c.getInputStream()) {
        xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    return xml.contains("<Contents>");
    });
  }

  // ---------------------------------------------------------------------------------------------
  // GET

  /** An object's bytes on their way: read them, then close; {@link #abandon()} when stopping early. */
  static final class Body implements Closeable {
    private final HttpURLConnection connection;
    private final InputStream in;

    private Body(HttpURLConnection connection, InputStream in) {
      this.connection = connection;
      this.in = in;
    }

    /** The body, which ends after the bytes the server announced. */
    InputStream stream() {
      return in;
    }

    /** Closes the connection instead of reading the rest for its reuse. */
    void abandon() {
      connection.disconnect();
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /**
   * GETs {@code length} bytes of the object from {@code offset} ({@code length} -1: to the end;
   * offset 0 and length -1: the whole object, without a range).
   *
   * @param ifMatch the ETag (quoted) that the object must still have, or {@code null}
   */
  Body get(StorageUrl url, String bucket, String key, long offset, long length, String ifMatch)
      throws IOException, MinioException, S3Errors.S3ServiceException {
    Http.Headers headers = new Http.Headers();
    boolean ranged = offset > 0 || length >= 0;
    if (ranged) {
      headers.put("Range", "bytes=" + offset + "-" + (length >= 0 ? String.valueOf(offset + length - 1) : ""));
    }
    if (ifMatch != null) {
      headers.put("If-Match", ifMatch);
    }
    HttpURLConnection c = open(Http.Method.GET, bucket, key, null, headers, null);
    return exchange(c, () -> {
      int status = c.getResponseCode();
      int expected = ranged ? HttpURLConnection.HTTP_PARTIAL : HttpURLConnection.HTTP_OK;
      if (status != expected) {
        if (ranged && status == HttpURLConnection.HTTP_OK) {
          throw new IOException("the S3 server ignored the range " + headers.getFirst("Range") + " (HTTP 200)");
        }
        throw failure(c, status, Http.Method.GET, key);
      }
      long announced = c.getContentLengthLong();
      if (length >= 0 && announced >= 0 && announced != length) {
        throw new TransferException(
            Reason.CORRUPT,
            url.toString(),
            "the server announced " + announced + " bytes for the " + length + " asked for from byte " + offset,
            null);
      }
      Body body = new Body(c, InterruptWatch.readsWatched(c.getInputStream(), c::disconnect));
    return body;
    });
  }

  // ---------------------------------------------------------------------------------------------
  // PUT

  /**
   * PUTs {@code length} bytes of {@code file} from {@code offset}: an object, or a part with the
   * {@code partNumber} and {@code uploadId} of {@code query}. The caller computed the region's MD5
   * ({@code Content-MD5}, which the server checks) and its SHA-256, or passes {@link
   * Checksum#UNSIGNED_PAYLOAD}. Progress is reported as the bytes are written.
   *
   * @return the ETag the server gave the object or part
   * @throws TransferException with {@link Reason#CORRUPT} when the file ends early
   */
  String putFile(
      StorageUrl url, String bucket, String key, Http.QueryParameters query, RandomAccessFile file, long offset,
      long length, String md5Base64, String sha256, LongConsumer progress)
      throws IOException, MinioException, S3Errors.S3ServiceException {
    file.seek(offset); // MinIO's request body notes the position; it is never read through it
    Http.Body body = new Http.Body(file, length, OCTET_STREAM, sha256, md5Base64);
    return put(
        bucket,
        key,
        query,
        body,
        length,
        (out, moved) -> {
          FileChannel channel = file.getChannel();
          ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(BUFFER_SIZE, Math.max(1, length)));
          long position = offset;
          long end = offset + length;
          while (position < end) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), end - position));
            int n = channel.read(buffer, position);
            if (n < 0) {
              throw new TransferException(
                  Reason.CORRUPT,
                  url.toString(),
                  "the file shrank during the upload (it ends at byte " + position + ", expected " + end + ")",
                  null);
            }
            out.write(buffer.array(), 0, n);
            moved.run();
            position += n;
            progress.accept(n);
          }
        });
  }

  /** As {@link #putFile}, for the first {@code length} bytes of {@code bytes}. */
  String putBytes(
      String bucket, String key, Http.QueryParameters query, byte[] bytes, int length, String md5Base64,
      String sha256, LongConsumer progress)
      throws IOException, MinioException, S3Errors.S3ServiceException {
    Http.Body body = new Http.Body(bytes, length, OCTET_STREAM, sha256, md5Base64);
    return put(
        bucket,
        key,
        query,
        body,
        length,
        (out, moved) -> {
          for (int offset = 0; offset < length; ) {
            int n = Math.min(BUFFER_SIZE, length - offset);
            out.write(bytes, offset, n);
            moved.run();
            offset += n;
            progress.accept(n);
          }
        });
  }

  /** Writes a request body, calling {@code moved} whenever bytes have gone out. */
  @FunctionalInterface
  private interface BodyWriter {
    void writeTo(OutputStream out, Runnable moved) throws IOException;
  }

  private String put(
      String bucket, String key, Http.QueryParameters query, Http.Body body, long length, BodyWriter writer)
      throws IOException, MinioException, S3Errors.S3ServiceException {
    return send(
        Http.Method.PUT,
        bucket,
        key,
        query,
        body,
        length,
        writer,
        c -> {
          String etag = c.getHeaderField("ETag");
          drain(c.getInputStream());
          return etag;
        });
  }

  /** Reads what a successful answer says. */
  @FunctionalInterface
  private interface AnswerReader<T> {
    T read(HttpURLConnection answered) throws IOException, S3Errors.S3ServiceException;
  }

  /**
   * Sends a request with a body of {@code length} bytes, written by {@code writer} under the write
   * watchdog, and reads a 200 or 204 answer with {@code reader}; other answers are thrown.
   */
  private <T> T send(
      Http.Method method, String bucket, String key, Http.QueryParameters query, Http.Body body, long length,
      BodyWriter writer, AnswerReader<T> reader)
      throws IOException, MinioException, S3Errors.S3ServiceException {
    HttpURLConnection c = open(method, bucket, key, query, null, body);
    if (length > 0 || method != Http.Method.DELETE) {
      c.setDoOutput(true);
      c.setFixedLengthStreamingMode(length);
    }
    Watch watch = watch(c);
    return exchange(c, () -> {
      IOException writeFailure = null;
      if (c.getDoOutput()) {
        try (OutputStream out = c.getOutputStream()) {
          writer.writeTo(out, watch::moved);
        } catch (IOException e) {
          if (watch.expired()) {
            SocketTimeoutException timeout =
                new SocketTimeoutException("no byte could be sent for " + writeTimeoutNanos / 1_000_000 + " ms");
            timeout.initCause(e);
            throw timeout;
          }
          writeFailure = e;
        } finally {
          watch.stop();
        }
      } else {
        watch.stop();
      }
      int status;
      try {
        status = c.getResponseCode();
      } catch (IOException e) {
        if (writeFailure != null) {
          writeFailure.addSuppressed(e);
          throw writeFailure;
        }
        throw e;
      }
      if (status != HttpURLConnection.HTTP_OK && status != HttpURLConnection.HTTP_NO_CONTENT) {
        // The server may have answered before reading the whole body (a refused signature).
        S3Errors.S3ServiceException answer = failure(c, status, method, key);
        if (writeFailure != null) {
          answer.addSuppressed(writeFailure);
        }
        throw answer;
      }
      if (writeFailure != null) {
        throw writeFailure;
      }
      return reader.read(c);
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Multipart uploads

  /** Starts a multipart upload of an {@code application/octet-stream} object; returns its id. */
  String createMultipartUpload(String bucket, String key)
      throws IOException, MinioException, S3Errors.S3ServiceException {
    Http.QueryParameters query = new Http.QueryParameters();
    query.put("uploads", "");
    Http.Body body = new Http.Body(EMPTY, 0, OCTET_STREAM, Checksum.ZERO_SHA256_HASH, Checksum.ZERO_MD5_HASH);
    String xml = send(Http.Method.POST, bucket, key, query, body, 0, (out, moved) -> {}, S3Http::text);
    String uploadId = element(xml, "UploadId");
    if (uploadId == null || uploadId.isBlank()) {
      throw answerError(xml, "no UploadId in the answer to starting a multipart upload");
    }
    return uploadId;
  }

  /**
   * Completes a multipart upload with these parts' ETags, in order. S3 may answer 200 and still
   * report an error in the body: that is thrown like any other error.
   */
  void completeMultipartUpload(String bucket, String key, String uploadId, List<String> etags)
      throws IOException, MinioException, S3Errors.S3ServiceException {
    StringBuilder xml = new StringBuilder("<CompleteMultipartUpload>");
    for (int i = 0; i < etags.size(); i++) {
      xml.append("<Part><PartNumber>").append(i + 1).append("</PartNumber><ETag>")
          .append(escape(etags.get(i))).append("</ETag></Part>");
    }
    xml.append("</CompleteMultipartUpload>");
    byte[] bytes = xml.toString().getBytes(StandardCharsets.UTF_8);
    Http.QueryParameters query = new Http.QueryParameters();
    query.put("uploadId", uploadId);
    // This constructor computes the body's SHA-256 and MD5 itself.
    Http.Body body = new Http.Body(xml.toString(), XML, null, null);
    String answer =
        send(Http.Method.POST, bucket, key, query, body, bytes.length, (out, moved) -> out.write(bytes), S3Http::text);
    if (answer.contains("<Error>") || !answer.contains("CompleteMultipartUploadResult")) {
      throw answerError(answer, "the answer to completing the multipart upload is not a result");
    }
  }

  /** Aborts a multipart upload, removing the parts sent. */
  void abortMultipartUpload(String bucket, String key, String uploadId)
      throws IOException, MinioException, S3Errors.S3ServiceException {
    Http.QueryParameters query = new Http.QueryParameters();
    query.put("uploadId", uploadId);
    send(Http.Method.DELETE, bucket, key, query, null, 0, (out, moved) -> {}, c -> {
      drain(c.getInputStream());
      return null;
    });
  }

  private static String text(HttpURLConnection c) throws IOException {
    try (InputStream in = c.getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** The error an XML answer carries, or {@code otherwise} when it carries none. */
  private static S3Errors.S3ServiceException answerError(String xml, String otherwise) {
    String code = element(xml, "Code");
    if (code != null) {
      return S3Errors.answer(code, 200, element(xml, "Message"), element(xml, "RequestId"));
    }
    String text = xml.strip();
    return S3Errors.answer(
        null, 200, otherwise + ": " + (text.length() > 200 ? text.substring(0, 200) + "..." : text), null);
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  // ---------------------------------------------------------------------------------------------
  // Requests

  /** A connection carrying the request that MinIO builds and signs; not yet connected. */
  private HttpURLConnection open(
      Http.Method method, String bucket, String key, Http.QueryParameters query, Http.Headers headers,
      Http.Body body)
      throws IOException, MinioException {
    Http.S3Request.Builder s3request =
        Http.S3Request.builder()
            .userAgent(USER_AGENT)
            .method(method)
            // Arguments that carry the bucket and key, which MinIO checks.
            .args(
                key == null
                    ? BucketExistsArgs.builder().bucket(bucket).build()
                    : StatObjectArgs.builder().bucket(bucket).object(key).build())
            .headers(headers == null ? new Http.Headers() : headers)
            .queryParams(query == null ? new Http.QueryParameters() : query);
    if (body != null) {
      s3request.body(body);
    }
    okhttp3.Request request = s3request.build().toRequest(baseUrl, region, credentials).httpRequest();
    HttpURLConnection c = (HttpURLConnection) connections.open(request.url().uri());
    c.setRequestMethod(method.toString());
    c.setInstanceFollowRedirects(false);
    c.setUseCaches(false);
    c.setConnectTimeout(connectTimeoutMillis);
    c.setReadTimeout(readTimeoutMillis);
    okhttp3.Headers signed = request.headers();
    for (int i = 0; i < signed.size(); i++) {
      String name = signed.name(i);
      if (!SET_BY_CONNECTION.contains(name.toLowerCase(Locale.ROOT))) {
        c.addRequestProperty(name, signed.value(i));
      }
    }
    return c;
  }

  /** The server's answer to a failed request, read from its error body (at most 64 KiB). */
  private static S3Errors.S3ServiceException failure(
      HttpURLConnection c, int status, Http.Method method, String key) {
    String xml = "";
    IOException unreadable = null;
    InputStream error = c.getErrorStream();
    if (error != null) {
      try (InputStream in = error) {
        xml = new String(in.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
      } catch (IOException e) {
        // The status still says what happened; the body would only have added detail.
        unreadable = e;
      }
    }
    String requestId = c.getHeaderField("x-amz-request-id");
    String code = element(xml, "Code");
    String message = element(xml, "Message");
    if (code == null && (method == Http.Method.HEAD || xml.isBlank())) {
      // No body to read (HEAD): the status alone, named as MinIO names it.
      code =
          switch (status) {
            case 403 -> "AccessDenied";
            case 404 -> key == null ? "NoSuchBucket" : "NoSuchKey";
            case 405, 501 -> "MethodNotAllowed";
            case 412 -> "PreconditionFailed";
            case 416 -> "InvalidRange";
            default -> null;
          };
    }
    String bucketRegion = c.getHeaderField("x-amz-bucket-region");
    if (code == null && (status == 301 || status == 307 || (status == 400 && bucketRegion != null))) {
      // A HEAD to a bucket in another region: S3 says which only in this header.
      code = "PermanentRedirect";
      if (message == null && bucketRegion != null) {
        message = "the bucket is in region " + bucketRegion;
      }
    }
    if (code == null && message == null && !xml.isBlank()) {
      String text = xml.strip();
      message = "not an S3 error: " + (text.length() > 200 ? text.substring(0, 200) + "..." : text);
    }
    S3Errors.S3ServiceException answer = S3Errors.answer(code, status, message, requestId);
    if (unreadable != null) {
      answer.addSuppressed(unreadable);
    }
    return answer;
  }

  /** The text of the first {@code <name>} element, unescaped, or {@code null}. */
  static String element(String xml, String name) {
    int start = xml.indexOf("<" + name + ">");
    if (start < 0) {
      return null;
    }
    start += name.length() + 2;
    int end = xml.indexOf("</" + name + ">", start);
    if (end < 0) {
      return null;
    }
    return xml.substring(start, end)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
  }

  private static void drain(InputStream in) throws IOException {
    try (in) {
      in.transferTo(new ByteArrayOutputStream());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Write timeouts

  /** Watches one upload: closes its connection when no byte has been written for the timeout. */
  private final class Watch {
    private final HttpURLConnection connection;
    private volatile long lastMoved = System.nanoTime();
    private volatile boolean expired;
    private ScheduledFuture<?> check;

    Watch(HttpURLConnection connection) {
      this.connection = connection;
    }

    void moved() {
      lastMoved = System.nanoTime();
    }

    boolean expired() {
      return expired;
    }

    void stop() {
      if (check != null) {
        check.cancel(false);
      }
    }

    void check() {
      if (!expired && System.nanoTime() - lastMoved > writeTimeoutNanos) {
        expired = true;
        connection.disconnect();
      }
    }
  }

  private Watch watch(HttpURLConnection c) {
    Watch watch = new Watch(c);
    long period = Math.max(TimeUnit.MILLISECONDS.toNanos(50), Math.min(TimeUnit.SECONDS.toNanos(1), writeTimeoutNanos / 4));
    synchronized (watchdogLock) {
      if (closed) {
        throw new IllegalStateException("the S3 storage is closed");
      }
      if (watchdog == null) {
        watchdog =
            new ScheduledThreadPoolExecutor(
                1,
                task -> {
                  Thread t = new Thread(task, "tes4j-s3-watchdog");
                  t.setDaemon(true);
                  return t;
                });
        watchdog.setRemoveOnCancelPolicy(true);
      }
      watch.check = watchdog.scheduleAtFixedRate(watch::check, period, period, TimeUnit.NANOSECONDS);
    }
    return watch;
  }

  @Override
  public void close() {
    synchronized (watchdogLock) {
      closed = true;
      if (watchdog != null) {
        watchdog.shutdownNow();
      }
    }
  }
}
