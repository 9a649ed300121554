package io.tes4j.transfer.internal.s3;

import io.minio.Checksum;
import io.minio.Http;
import io.minio.ListObjectsArgs;
import io.minio.MinioAsyncClient;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.credentials.StaticProvider;
import io.minio.errors.MinioException;
import io.minio.messages.Item;
import io.tes4j.transfer.ObjectInfo;
import io.tes4j.transfer.S3Settings;
import io.tes4j.transfer.StorageUrl;
import io.tes4j.transfer.TransferException;
import io.tes4j.transfer.TransferException.Reason;
import io.tes4j.transfer.TransferPolicy;
import io.tes4j.transfer.TransferSettings;
import io.tes4j.transfer.internal.GuardedSockets;
import io.tes4j.transfer.internal.HttpConnections;
import io.tes4j.transfer.internal.IoFailures;
import io.tes4j.transfer.spi.Storage;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import okhttp3.ConnectionSpec;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code s3://bucket/key} locations on Amazon S3 or an S3-compatible server. Internal: reach it
 * through {@link S3StorageProvider}.
 *
 * <p><b>Two paths.</b> Transfers go through {@code S3Http}: MinIO builds and signs each request
 * ({@code Http.S3Request}, its SigV4 signer and URL rules) and the JDK's {@link
 * java.net.HttpURLConnection} sends it, moving bodies through 256 KiB buffers. That covers HEAD,
 * GET and PUT of objects and parts, starting, completing and aborting multipart uploads, and the
 * existence checks of {@link #stat}. Full listings and deletes go through MinIO's own client,
 * which is made on first use: copying files to or from S3 never sets up OkHttp's client, Jackson
 * or (for an {@code http} endpoint) a TLS context, which took about half a second.
 *
 * <p><b>Credentials</b> come only from {@link TransferSettings#s3()} and are sent only to its
 * endpoint (or to AWS in its region when no endpoint is set): every request goes to that one
 * server, HTTP redirects are not followed, and {@code s3://} URLs carrying user info are refused.
 *
 * <p><b>Policy.</b> The endpoint must pass the {@link io.tes4j.transfer.TransferPolicy} of the
 * settings before anything is signed or sent: its host must be among the allowed hosts (when they
 * are restricted), and every connection, of both paths, goes only to an address the policy allows
 * for that host. A task's {@code s3://} URL names a bucket and a key, never where requests go.
 * Requests are signed in their headers, so no URL carries a signature; they are unsigned when no
 * access key is configured.
 *
 * <p><b>Integrity.</b> Every upload request carries the MD5 of its body ({@code Content-MD5}),
 * which the server checks before storing anything: a body damaged on the way is refused ({@code
 * BadDigest}, reported as {@link Reason#CORRUPT}). Whether the body's SHA-256 is also signed
 * follows {@link S3Settings#payloadSigning()}: by default over {@code http} only, as the AWS CLI
 * does; otherwise requests say {@code UNSIGNED-PAYLOAD}. Hashes are computed before a request is
 * sent, as the headers carry them; that costs CPU (MD5 runs at about 0.6 GB/s on one core, SHA-256
 * at about 1 GB/s with the SHA extensions), and the server hashes the body again.
 *
 * <p><b>Uploads</b> of local files that fit in one part are one PUT. Larger files are multipart
 * uploads whose parts move in parallel, up to {@link TransferSettings#parallelism()} at once. Each
 * part is read twice from its region of the file (a {@link RandomAccessFile} per part): once to
 * hash it, once to send it, so no part is held in memory; the second read comes from the page
 * cache. Any failure aborts the multipart upload, so no parts are left behind. {@link #write} (a
 * stream of known or unknown size) reads one part at a time into memory, at most 1 GiB, and sends
 * it the same way, in one PUT when the data fits in one part.
 *
 * <p><b>Downloads</b> are one GET per range, up to {@code parallelism} at once, each pinned to the
 * object's ETag ({@code If-Match}: an object replaced meanwhile fails the download as {@link
 * Reason#CORRUPT}) and written at its offset with positional {@link FileChannel} writes through a
 * 256 KiB buffer: memory stays at {@code parallelism} × 256 KiB (plus the JDK's as large direct
 * buffers per thread) whatever the size. Ranges are one per worker, at least the part size and at
 * most 1 GiB. The bytes received are checked against the size from the
 * HEAD request and each range against its length.
 *
 * <p><b>Timeouts.</b> {@code connectTimeout} covers connecting; {@code readTimeout} covers waiting
 * for an answer, any stretch in which no byte of a body arrives, and, through a watchdog thread
 * that closes the connection, any stretch in which no byte of an upload can be sent.
 *
 * <p>Progress of parallel transfers is reported from several threads, one call at a time.
 */
public final class S3Storage implements Storage {
  private static final Logger LOG = LoggerFactory.getLogger(S3Storage.class);
  private static final int MAX_PARTS = 10_000;
  private static final long MIB = 1024L * 1024;
  private static final long MAX_PART_SIZE = 5L * 1024 * MIB;
  private static final long MAX_RANGE_SIZE = 1024 * MIB;
  private static final long MAX_BUFFERED_PART = 1024 * MIB;
  private static final String OCTET_STREAM = "application/octet-stream";
  private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();

  private final TransferSettings settings;
  private final S3Settings s3;
  private final HttpUrl base;
  private final String endpoint;
  private final S3Http http;
  private final boolean signPayload;
  private final Object clientLock = new Object();
  private MinioAsyncClient client; // made on first use: see client()
  private final S3Errors errors;
  private final ExecutorService workers;
  private final PartObserver observer;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * A storage using {@code settings.s3()} for the server and keys, and the part size, parallelism
   * and timeouts of {@code settings}.
   *
   * @throws IllegalArgumentException when the endpoint cannot be used
   */
  public S3Storage(TransferSettings settings) {
    this(settings, PartObserver.NONE);
  }

  S3Storage(TransferSettings settings, PartObserver observer) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.observer = Objects.requireNonNull(observer, "observer");
    this.s3 = settings.s3();
    this.workers =
        Executors.newCachedThreadPool(
            task -> {
              Thread t = new Thread(task, "tes4j-s3-" + THREAD_NUMBER.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    // The first request needs the JDK's MD5, SHA-256 and HMAC, whose providers take 60-80 ms to
    // set up: a worker does that while this thread sets up OkHttp's URL classes (about as long).
    workers.execute(S3Storage::warmUpCrypto);
    this.base = baseUrl(s3);
    this.endpoint = display(base);
    this.errors = new S3Errors(endpoint, s3.accessKey() == null);
    this.http = new S3Http(base, s3, settings.policy(), settings.connectTimeout(), settings.readTimeout());
    this.signPayload = s3.accessKey() != null && s3.payloadSigning().signsOver(base.scheme());
  }

  private static void warmUpCrypto() {
    try {
      MessageDigest.getInstance("MD5").digest(new byte[1]);
      MessageDigest.getInstance("SHA-256").digest(new byte[1]);
      Mac hmac = Mac.getInstance("HmacSHA256");
      hmac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
      hmac.doFinal(new byte[1]);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK always has MD5, SHA-256 and HmacSHA256", e);
    }
  }

  private static HttpUrl baseUrl(S3Settings s3) {
    if (s3.endpoint() == null) {
      String region = s3.region();
      // MinIO derives the regional host name from the generic one, except in China.
      return HttpUrl.get(
          region.startsWith("cn-")
              ? "https://s3." + region + ".amazonaws.com.cn"
              : "https://s3.amazonaws.com");
    }
    HttpUrl url = HttpUrl.parse(s3.endpoint().toString());
    if (url == null || url.host().isEmpty()) {
      throw new IllegalArgumentException("the S3 endpoint '" + s3.endpoint() + "' is not a valid http(s) URL");
    }
    if (!url.encodedPath().equals("/") || url.query() != null) {
      throw new IllegalArgumentException(
          "the S3 endpoint must be scheme://host[:port] without a path, was " + display(url) + url.encodedPath());
    }
    // User info in the endpoint is never used: the keys come from the S3 settings.
    return url.newBuilder().username("").password("").build();
  }

  /** The endpoint's host as a URL writes it: an IPv6 address in brackets. */
  private static String hostOf(HttpUrl url) {
    String host = url.host();
    return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
  }

  private static String display(HttpUrl url) {
    String text = url.newBuilder().username("").password("").encodedPath("/").query(null).fragment(null).build().toString();
    return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
  }

  /**
   * MinIO's client, for full listings and deletes. Made on first use: everything else goes through
   * {@link S3Http}, so copying files needs no client at all, which spares setting up OkHttp's
   * client, Jackson and (for an {@code http} endpoint) TLS.
   */
  private MinioAsyncClient client() {
    synchronized (clientLock) {
      if (closed.get()) {
        throw new RejectedExecutionException("the S3 storage is closed");
      }
      if (client == null) {
        client = newClient(settings, base);
      }
      return client;
    }
  }

  private static MinioAsyncClient newClient(TransferSettings settings, HttpUrl base) {
    S3Settings s3 = settings.s3();
    Dispatcher dispatcher = new Dispatcher();
    // OkHttp allows 5 requests per host by default; parts of several files may move at once.
    int maxRequests = Math.max(64, 4 * settings.parallelism());
    dispatcher.setMaxRequests(maxRequests);
    dispatcher.setMaxRequestsPerHost(maxRequests);
    OkHttpClient.Builder builder =
        new OkHttpClient.Builder()
            .dispatcher(dispatcher)
            .connectTimeout(settings.connectTimeout())
            .readTimeout(settings.readTimeout())
            .writeTimeout(settings.readTimeout())
            .protocols(List.of(Protocol.HTTP_1_1))
            // Signed requests must not follow a redirect to another host.
            .followRedirects(false)
            .followSslRedirects(false);
    if (!base.isHttps()) {
      // Plain http only: OkHttp then sets up no TLS (trust store, socket factory) at all.
      builder.connectionSpecs(List.of(ConnectionSpec.CLEARTEXT));
    }
    TransferPolicy policy = settings.policy();
    if (!policy.privateAddressesAllowed()
        && HttpConnections.configuredProxy(base.uri()).type() == java.net.Proxy.Type.DIRECT) {
      // OkHttp connects its sockets to the addresses it resolved: each is checked as it connects.
      builder.proxy(java.net.Proxy.NO_PROXY).socketFactory(GuardedSockets.socketFactory(policy, hostOf(base)));
    }
    OkHttpClient http = builder.build();
    MinioAsyncClient.Builder minio =
        MinioAsyncClient.builder()
            .endpoint(base)
            // Always set: otherwise MinIO first asks the server for the bucket's location.
            .region(s3.region())
            .httpClient(http, true);
    if (s3.accessKey() != null) {
      minio.credentialsProvider(new StaticProvider(s3.accessKey(), s3.secretKey(), s3.sessionToken()));
    }
    MinioAsyncClient client = minio.build();
    if (s3.pathStyle()) {
      client.disableVirtualStyleEndpoint();
    } else {
      client.enableVirtualStyleEndpoint();
    }
    return client;
  }

  // ---------------------------------------------------------------------------------------------
  // Storage

  @Override
  public Optional<ObjectInfo> stat(StorageUrl url) {
    String bucket = bucketOf(url);
    String key = url.key();
    try {
      if (key.isEmpty()) {
        return http.bucketExists(bucket) ? Optional.of(directory(url)) : Optional.empty();
      }
      if (!key.endsWith("/")) {
        try {
          S3Http.Head head = http.head(bucket, key);
          return Optional.of(new ObjectInfo(url, head.size(), false, head.lastModified(), unquote(head.etag())));
        } catch (S3Errors.S3ServiceException e) {
          if (S3Errors.isNoSuchBucket(e)) {
            return Optional.empty();
          }
          if (!S3Errors.isNoSuchKey(e)) {
            throw e;
          }
        }
      }
      String prefix = key.endsWith("/") ? key : key + "/";
      return hasObjectsUnder(bucket, prefix) ? Optional.of(directory(url)) : Optional.empty();
    } catch (Exception e) {
      if (S3Errors.isNoSuchBucket(e)) {
        return Optional.empty();
      }
      throw errors.map(url, e);
    }
  }

  private boolean hasObjectsUnder(String bucket, String prefix)
      throws IOException, MinioException, S3Errors.S3ServiceException {
    return http.anyObjectUnder(bucket, prefix);
  }

  @Override
  public InputStream openRead(StorageUrl url, long offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must not be negative, was " + offset);
    }
    String bucket = bucketOf(url);
    String key = objectKey(url, false);
    try {
      return http.get(url, bucket, key, offset, -1, null).stream();
    } catch (Exception e) {
      if (offset > 0 && "InvalidRange".equals(S3Errors.code(e))) {
        return atOrBeyondEnd(url, offset, e);
      }
      throw errors.map(url, e);
    }
  }

  /** S3 refuses a range starting at the end: reading there gives nothing, reading beyond fails. */
  private InputStream atOrBeyondEnd(StorageUrl url, long offset, Exception rangeFailure) {
    Optional<ObjectInfo> info = stat(url);
    if (info.isPresent() && !info.get().directory() && info.get().size() == offset) {
      return InputStream.nullInputStream();
    }
    throw new TransferException(
        Reason.FAILED,
        url.toString(),
        "cannot read from byte " + offset + ": the object has "
            + info.map(i -> i.size() + " bytes").orElse("gone"),
        errors.map(url, rangeFailure));
  }

  /**
   * Reads the stream one part at a time into memory (one buffer of the part size, at most {@value
   * #MAX_BUFFERED_PART} bytes), hashes it and sends it: a single PUT when the data fits in one
   * part, else a multipart upload whose parts go one after the other, aborted on failure.
   */
  @Override
  public long write(StorageUrl url, InputStream stream, long size, LongConsumer progress) {
    String bucket = bucketOf(url);
    String key = objectKey(url, true);
    PushbackInputStream data = new PushbackInputStream(stream, 1);
    long partSize = Math.min(partSizeFor(size), MAX_BUFFERED_PART);
    byte[] part = new byte[(int) (size >= 0 ? Math.max(1, Math.min(size, partSize)) : partSize)];
    long total = 0;
    int filled;
    try {
      filled = readPart(data, part, size, total);
    } catch (IOException e) {
      throw new TransferException(Reason.FAILED, url.toString(), "cannot read the data to write", e);
    }
    total += filled;
    if (filled < part.length || (size >= 0 && total == size) || atEnd(data, url)) {
      // All in one part: a single request.
      checkLength(url, size, total);
      try {
        putBytes(bucket, key, null, part, filled, progress);
      } catch (Exception e) {
        throw errors.map(url, e);
      }
      return total;
    }
    String uploadId = createUpload(url, bucket, key);
    List<String> parts = new ArrayList<>();
    try {
      while (true) {
        int number = parts.size() + 1;
        Http.QueryParameters query = new Http.QueryParameters();
        query.put("partNumber", Integer.toString(number));
        query.put("uploadId", uploadId);
        String etag = putBytes(bucket, key, query, part, filled, progress);
        parts.add(requireEtag(url, number, etag));
        if (filled < part.length || (size >= 0 && total == size)) {
          break;
        }
        try {
          filled = readPart(data, part, size, total);
        } catch (IOException e) {
          throw new TransferException(Reason.FAILED, url.toString(), "cannot read the data to write", e);
        }
        if (filled == 0) {
          break;
        }
        total += filled;
      }
      checkLength(url, size, total);
      complete(url, bucket, key, uploadId, parts);
    } catch (Exception | Error e) {
      TransferException failure = e instanceof Exception ex ? errors.map(url, ex) : null;
      abort(url, bucket, key, uploadId, failure != null ? failure : e);
      if (failure != null) {
        throw failure;
      }
      throw (Error) e;
    }
    return total;
  }

  /** Fills {@code part} from the stream, stopping at {@code size} bytes in all; returns how many. */
  private static int readPart(InputStream data, byte[] part, long size, long before) throws IOException {
    int wanted = size >= 0 ? (int) Math.min(part.length, size - before) : part.length;
    return data.readNBytes(part, 0, wanted);
  }

  /** Whether the stream has ended, found by reading one byte ahead and pushing it back. */
  private static boolean atEnd(PushbackInputStream data, StorageUrl url) {
    try {
      int next = data.read();
      if (next < 0) {
        return true;
      }
      data.unread(next);
      return false;
    } catch (IOException e) {
      throw new TransferException(Reason.FAILED, url.toString(), "cannot read the data to write", e);
    }
  }

  private static void checkLength(StorageUrl url, long size, long total) {
    if (size >= 0 && total < size) {
      throw new TransferException(
          Reason.CORRUPT, url.toString(), "the data ended after " + total + " of the announced " + size + " bytes", null);
    }
  }

  /** PUTs the first {@code length} bytes of {@code bytes}: the object, or a part. */
  private String putBytes(
      String bucket, String key, Http.QueryParameters query, byte[] bytes, int length, LongConsumer progress)
      throws IOException, MinioException, S3Errors.S3ServiceException {
    Digests digests = Digests.of(bytes, length, signPayload);
    String sha256 = signPayload ? digests.sha256Hex() : Checksum.UNSIGNED_PAYLOAD;
    return http.putBytes(bucket, key, query, bytes, length, digests.md5Base64(), sha256, progress);
  }

  @Override
  public long upload(Path source, StorageUrl url, LongConsumer progress) {
    String bucket = bucketOf(url);
    String key = objectKey(url, true);
    if (source.getFileSystem() != FileSystems.getDefault()) {
      // Parts are read through RandomAccessFile, which needs the default file system.
      return Storage.super.upload(source, url, progress);
    }
    long size;
    try {
      size = Files.size(source);
    } catch (IOException e) {
      throw IoFailures.classify(local(source), e);
    }
    long partSize = partSizeFor(size);
    if (size <= partSize) {
      try {
        putFileRegion(source, url, bucket, key, null, 0, size, progress);
      } catch (Exception e) {
        throw errors.map(url, e);
      }
      return size;
    }
    return multipartUpload(source, url, bucket, key, size, filePartSizeFor(size), progress);
  }

  private long multipartUpload(
      Path source, StorageUrl url, String bucket, String key, long size, long partSize, LongConsumer progress) {
    int partCount = Math.toIntExact((size + partSize - 1) / partSize);
    String uploadId = createUpload(url, bucket, key);
    LOG.debug("{}: multipart upload {} started, {} bytes in {} parts", url, uploadId, size, partCount);
    LongConsumer report = serialized(progress);
    String[] parts = new String[partCount];
    try {
      inParallel(
          url,
          "upload",
          partCount,
          (index, cancelled) -> {
            long offset = index * partSize;
            long length = Math.min(partSize, size - offset);
            parts[index] = uploadPart(source, url, bucket, key, uploadId, index + 1, offset, length, report);
          });
      complete(url, bucket, key, uploadId, List.of(parts));
    } catch (Exception | Error e) {
      TransferException failure = e instanceof Exception ex ? errors.map(url, ex) : null;
      abort(url, bucket, key, uploadId, failure != null ? failure : e);
      if (failure != null) {
        throw failure;
      }
      throw (Error) e;
    }
    verifySize(url, bucket, key, size);
    return size;
  }

  /** Starts a multipart upload; returns its id. */
  private String createUpload(StorageUrl url, String bucket, String key) {
    try {
      return http.createMultipartUpload(bucket, key);
    } catch (Exception e) {
      throw errors.map(url, e);
    }
  }

  /** Completes a multipart upload with its parts' ETags in order; the caller aborts it on failure. */
  private void complete(StorageUrl url, String bucket, String key, String uploadId, List<String> etags)
      throws IOException, MinioException, S3Errors.S3ServiceException {
    http.completeMultipartUpload(bucket, key, uploadId, etags);
    LOG.debug("{}: multipart upload {} completed", url, uploadId);
  }

  private static String requireEtag(StorageUrl url, int partNumber, String etag) {
    if (etag == null || etag.isBlank()) {
      throw new TransferException(
          Reason.FAILED, url.toString(), "the S3 server gave part " + partNumber + " no ETag", null);
    }
    return etag;
  }

  private String uploadPart(
      Path source, StorageUrl url, String bucket, String key, String uploadId, int partNumber, long offset,
      long length, LongConsumer progress)
      throws IOException, MinioException, S3Errors.S3ServiceException {
    Http.QueryParameters query = new Http.QueryParameters();
    query.put("partNumber", Integer.toString(partNumber));
    query.put("uploadId", uploadId);
    return requireEtag(url, partNumber, putFileRegion(source, url, bucket, key, query, offset, length, progress));
  }

  /**
   * PUTs a region of the file: the whole object ({@code query} {@code null}) or one part. The
   * region is read twice: once to compute its MD5 ({@code Content-MD5}, which the server checks
   * before storing anything) and, when the payload is signed, its SHA-256, and once to send it.
   * The second read comes from the page cache; the hashes are what cost.
   *
   * @return the ETag the server answered with
   */
  private String putFileRegion(
      Path source, StorageUrl url, String bucket, String key, Http.QueryParameters query, long offset,
      long length, LongConsumer progress)
      throws IOException, MinioException, S3Errors.S3ServiceException {
    try (RandomAccessFile file = new RandomAccessFile(source.toFile(), "r")) {
      Digests digests = Digests.of(file.getChannel(), offset, length, signPayload, source, url);
      String sha256 = signPayload ? digests.sha256Hex() : Checksum.UNSIGNED_PAYLOAD;
      return http.putFile(url, bucket, key, query, file, offset, length, digests.md5Base64(), sha256, progress);
    } catch (FileNotFoundException e) {
      throw IoFailures.classify(local(source), e);
    }
  }

  private void abort(StorageUrl url, String bucket, String key, String uploadId, Throwable failure) {
    try {
      http.abortMultipartUpload(bucket, key, uploadId);
      LOG.debug("{}: multipart upload {} aborted", url, uploadId);
    } catch (Exception e) {
      if ("NoSuchUpload".equals(S3Errors.code(e))) {
        return;
      }
      TransferException abortFailure = errors.map(url, e);
      LOG.warn(
          "{}: could not abort the multipart upload {}; its parts stay on the server until a lifecycle rule"
              + " removes them: {}",
          url,
          uploadId,
          abortFailure.getMessage());
      failure.addSuppressed(abortFailure);
    }
  }

  private void verifySize(StorageUrl url, String bucket, String key, long expected) {
    long actual = head(url, bucket, key).size();
    if (actual != expected) {
      throw new TransferException(
          Reason.CORRUPT,
          url.toString(),
          "the uploaded object has " + actual + " bytes, the file " + expected,
          null);
    }
  }

  /**
   * HEADs the object. A HEAD answer has no body, so a 404 does not tell a missing object from a
   * missing bucket: that takes a second request, made only then.
   */
  private S3Http.Head head(StorageUrl url, String bucket, String key) {
    try {
      return http.head(bucket, key);
    } catch (Exception e) {
      TransferException failure = errors.map(url, e);
      if ((S3Errors.isNoSuchKey(e) || S3Errors.isNoSuchBucket(e)) && !bucketExists(url, bucket, failure)) {
        throw new TransferException(
            Reason.NOT_FOUND, url.toString(), "no such bucket '" + bucket + "'", failure.getCause());
      }
      throw failure;
    }
  }

  /** Whether the bucket exists; {@code true} when that cannot be found out, noted on {@code failure}. */
  private boolean bucketExists(StorageUrl url, String bucket, TransferException failure) {
    try {
      return http.bucketExists(bucket);
    } catch (Exception e) {
      failure.addSuppressed(errors.map(url, e));
      return true;
    }
  }

  @Override
  public long download(StorageUrl url, Path target, LongConsumer progress) {
    String bucket = bucketOf(url);
    String key = objectKey(url, false);
    S3Http.Head head = head(url, bucket, key);
    long size = head.size();
    String etag = unquote(head.etag());
    String ifMatch = etag == null || etag.isEmpty() ? null : '"' + etag + '"';
    LongConsumer report = serialized(progress);
    long partSize = rangeSizeFor(size);
    try (FileChannel channel =
        // No TRUNCATE_EXISTING: target is empty (see LocalPaths.createTempSibling).
        FileChannel.open(target, StandardOpenOption.WRITE, StandardOpenOption.CREATE)) {
      if (size <= partSize) {
        fetch(url, bucket, key, ifMatch, target, channel, 0, size, false, report, () -> false);
      } else {
        int rangeCount = Math.toIntExact((size + partSize - 1) / partSize);
        inParallel(
            url,
            "download",
            rangeCount,
            (index, cancelled) -> {
              long offset = index * partSize;
              long length = Math.min(partSize, size - offset);
              fetch(url, bucket, key, ifMatch, target, channel, offset, length, true, report, cancelled);
            });
      }
      long written = channel.size();
      if (written != size) {
        throw new TransferException(
            Reason.CORRUPT, url.toString(), "received " + written + " bytes, the object has " + size, null);
      }
    } catch (IOException e) {
      throw IoFailures.classify(local(target), e);
    }
    return size;
  }

  /** Copies {@code length} bytes of the object from {@code offset} to the same place in the file. */
  private void fetch(
      StorageUrl url, String bucket, String key, String ifMatch, Path target, FileChannel channel, long offset,
      long length, boolean ranged, LongConsumer progress, BooleanSupplier cancelled) {
    long received = 0;
    S3Http.Body body = null;
    try {
      body = http.get(url, bucket, key, ranged ? offset : 0, ranged ? length : -1, ifMatch);
      InputStream in = body.stream();
      byte[] bytes = new byte[S3Http.BUFFER_SIZE];
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      long position = offset;
      boolean ended = false;
      while (!ended) {
        // Fill the buffer: one large write per buffer rather than one per socket read.
        int filled = 0;
        while (filled < bytes.length) {
          int n = in.read(bytes, filled, bytes.length - filled);
          if (n < 0) {
            ended = true;
            break;
          }
          filled += n;
        }
        if (cancelled.getAsBoolean()) {
          body.abandon();
          return;
        }
        if (received + filled > length) {
          body.abandon();
          throw new TransferException(
              Reason.CORRUPT,
              url.toString(),
              "the server sent more than the " + length + " bytes asked for from byte " + offset,
              null);
        }
        buffer.clear().limit(filled);
        try {
          while (buffer.hasRemaining()) {
            position += channel.write(buffer, position);
          }
        } catch (IOException e) {
          body.abandon();
          throw IoFailures.classify(local(target), e);
        }
        received += filled;
        if (filled > 0) {
          progress.accept(filled);
        }
      }
      body.close();
    } catch (TransferException e) {
      throw e;
    } catch (Exception e) {
      if (body != null) {
        body.abandon();
      }
      throw errors.map(url, e);
    }
    if (received != length) {
      throw new TransferException(
          Reason.CORRUPT,
          url.toString(),
          "the server sent " + received + " of the " + length + " bytes from byte " + offset,
          null);
    }
  }

  @Override
  public List<ObjectInfo> list(StorageUrl prefix) {
    String bucket = bucketOf(prefix);
    String key = prefix.key();
    String keyPrefix = key.isEmpty() || key.endsWith("/") ? key : key + "/";
    ListObjectsArgs.Builder args = ListObjectsArgs.builder().bucket(bucket).recursive(true);
    if (!keyPrefix.isEmpty()) {
      args.prefix(keyPrefix);
    }
    List<ObjectInfo> found = new ArrayList<>();
    try {
      for (Result<Item> result : client().listObjects(args.build())) {
        Item item = result.get();
        String name = item.objectName();
        if (item.isDir() || name.endsWith("/")) {
          continue; // a "directory" marker
        }
        found.add(
            new ObjectInfo(
                prefix.withPath("/" + name), item.size(), false, instant(item.lastModified()), unquote(item.etag())));
      }
    } catch (Exception e) {
      throw errors.map(prefix, e);
    }
    found.sort(Comparator.comparing(info -> info.url().key()));
    return found;
  }

  @Override
  public void delete(StorageUrl url) {
    String bucket = bucketOf(url);
    String key = objectKey(url, false);
    try {
      await(client().removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build()));
    } catch (Exception e) {
      if (S3Errors.isNoSuchKey(e) || S3Errors.isNoSuchBucket(e)) {
        return; // nothing to delete
      }
      throw errors.map(url, e);
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      workers.shutdownNow();
      http.close();
      synchronized (clientLock) {
        if (client != null) {
          client.close();
        }
      }
    }
  }

  /** The endpoint and region; never the keys. */
  @Override
  public String toString() {
    return "S3Storage[endpoint=" + endpoint + ", region=" + s3.region()
        + (s3.accessKey() == null ? ", anonymous" : ", accessKey=" + s3.accessKey())
        + ", pathStyle=" + s3.pathStyle() + "]";
  }

  // ---------------------------------------------------------------------------------------------
  // Parallel parts

  /** One part of a parallel transfer. */
  @FunctionalInterface
  private interface PartTask {
    void run(int index, BooleanSupplier cancelled) throws Exception;
  }

  /**
   * Runs {@code count} parts on at most {@code parallelism} worker threads, each taking the next
   * part when done with one. The first failure stops the others from starting new parts (and
   * downloads from reading further); this returns only when every worker has stopped, so no part
   * is still moving when the caller cleans up.
   */
  private void inParallel(StorageUrl url, String operation, int count, PartTask task) {
    if (closed.get()) {
      throw new TransferException(Reason.FAILED, url.toString(), "the S3 storage is closed", null);
    }
    int width = Math.min(settings.parallelism(), count);
    AtomicInteger next = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    BooleanSupplier cancelled = () -> failure.get() != null;
    CountDownLatch stopped = new CountDownLatch(width);
    Runnable worker =
        () -> {
          try {
            for (int index; failure.get() == null && (index = next.getAndIncrement()) < count; ) {
              try {
                observer.partStarted(operation, index);
                task.run(index, cancelled);
                observer.partFinished(operation, index);
              } catch (Throwable t) {
                if (!failure.compareAndSet(null, t)) {
                  LOG.debug("{}: part {} of the {} also failed: {}", url, index, operation, t.toString());
                }
              }
            }
          } finally {
            stopped.countDown();
          }
        };
    for (int started = 0; started < width; started++) {
      try {
        workers.execute(worker);
      } catch (RejectedExecutionException e) {
        failure.compareAndSet(null, e);
        for (; started < width; started++) {
          stopped.countDown();
        }
      }
    }
    boolean interrupted = false;
    while (true) {
      try {
        stopped.await();
        break;
      } catch (InterruptedException e) {
        // Stop starting parts, but wait for the ones moving: the caller cleans up after them.
        interrupted = true;
        failure.compareAndSet(null, e);
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    Throwable t = failure.get();
    if (t instanceof Error error) {
      throw error;
    }
    if (t != null) {
      throw errors.map(url, t);
    }
  }

  private static LongConsumer serialized(LongConsumer progress) {
    Object lock = new Object();
    return bytes -> {
      synchronized (lock) {
        progress.accept(bytes);
      }
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /**
   * The part size for an object of {@code size} bytes (-1 when unknown): the configured one, raised
   * when needed to stay within S3's 10,000 parts.
   */
  long partSizeFor(long size) {
    long partSize = settings.partSize();
    if (size > 0) {
      long needed = (size + MAX_PARTS - 1) / MAX_PARTS;
      needed = (needed + MIB - 1) / MIB * MIB;
      partSize = Math.max(partSize, needed);
    }
    return Math.min(partSize, MAX_PART_SIZE);
  }

  /**
   * The size of the parts a file of {@code size} bytes (more than one part) is uploaded in. With
   * unsigned payloads: as {@link #rangeSizeFor}, one part per worker, but at least {@link
   * #partSizeFor}. Files are read by position, never held in memory, so large parts cost no memory
   * here; fewer requests cost less CPU on both sides (a 1 GiB upload to S3Proxy: 2.8-3.6 s of
   * client CPU in 4 parts against 4.6-5.0 s in 128). With signed payloads: {@link #partSizeFor},
   * as the server must check a part's SHA-256 before storing it, and some servers hold the part in
   * memory for that (S3Proxy refuses signed bodies over 32 MiB unless configured otherwise).
   */
  long filePartSizeFor(long size) {
    return signPayload ? partSizeFor(size) : Math.max(partSizeFor(size), rangeSizeFor(size));
  }

  /**
   * The size of the ranges an object of {@code size} bytes is downloaded in: one range per worker
   * ({@code parallelism}), rounded up to whole MiB, but at least the part size and at most {@value
   * #MAX_RANGE_SIZE} bytes, so that workers that finish early take more of a very large object.
   * Each range is one request: 8 MiB ranges made a 1 GiB download use 50% more CPU than 256 MiB
   * ones, and take longer.
   */
  long rangeSizeFor(long size) {
    long perWorker = (size + settings.parallelism() - 1) / settings.parallelism();
    perWorker = (perWorker + MIB - 1) / MIB * MIB;
    return Math.max(settings.partSize(), Math.min(perWorker, MAX_RANGE_SIZE));
  }

  private String bucketOf(StorageUrl url) {
    if (closed.get()) {
      throw new TransferException(Reason.FAILED, url.toString(), "the S3 storage is closed", null);
    }
    // Before anything is signed: the keys must not go to an endpoint the policy refuses.
    settings.policy().hostProblem(hostOf(base)).ifPresent(problem -> {
      throw new TransferException(Reason.NOT_ALLOWED, url.toString(), "the S3 endpoint " + endpoint + ": " + problem, null);
    });
    if (!"s3".equals(url.scheme())) {
      throw new TransferException(Reason.INVALID_URL, url.toString(), "not an s3:// location", null);
    }
    if (url.host() == null || url.host().isEmpty()) {
      throw new TransferException(
          Reason.INVALID_URL, url.toString(), "an S3 location names a bucket: s3://bucket/key", null);
    }
    if (url.user() != null) {
      throw new TransferException(
          Reason.INVALID_URL,
          url.toString(),
          "S3 locations take no user info: configure the access key and secret in the S3 settings",
          null);
    }
    if (url.port() > 0) {
      throw new TransferException(
          Reason.INVALID_URL,
          url.toString(),
          "S3 locations have no port (s3://bucket/key): configure the server in the S3 settings' endpoint",
          null);
    }
    return url.host();
  }

  private static String objectKey(StorageUrl url, boolean forWriting) {
    String key = url.key();
    if (key.isEmpty()) {
      throw new TransferException(
          Reason.INVALID_URL, url.toString(), "names a bucket, not an object: add the key (s3://bucket/key)", null);
    }
    if (forWriting && key.endsWith("/")) {
      throw new TransferException(
          Reason.INVALID_URL, url.toString(), "ends with '/': name an object, not a directory", null);
    }
    return key;
  }

  private static ObjectInfo directory(StorageUrl url) {
    return new ObjectInfo(url, -1, true, null, null);
  }

  private static StorageUrl local(Path path) {
    return StorageUrl.parse(path.toAbsolutePath().toString());
  }

  private static Instant instant(ZonedDateTime time) {
    return time == null ? null : time.toInstant();
  }

  /** S3 quotes ETags; {@link ObjectInfo} holds them bare. */
  static String unquote(String etag) {
    if (etag == null) {
      return null;
    }
    String e = etag.strip();
    if (e.startsWith("W/")) {
      e = e.substring(2);
    }
    if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
      e = e.substring(1, e.length() - 1);
    }
    return e;
  }

  /** Waits for a MinIO future, rethrowing what failed it rather than a CompletionException. */
  private static <T> T await(CompletableFuture<T> future) throws MinioException {
    try {
      return future.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof MinioException minio) {
        throw minio;
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }

  /** The MD5 and SHA-256 of one part, read from the file by position. */
  private record Digests(byte[] md5, byte[] sha256) {
    /** The MD5 and, when {@code withSha256}, the SHA-256 ({@code null} otherwise) of the region. */
    static Digests of(
        FileChannel channel, long offset, long length, boolean withSha256, Path source, StorageUrl url)
        throws IOException {
      MessageDigest md5;
      MessageDigest sha256;
      try {
        md5 = MessageDigest.getInstance("MD5");
        sha256 = withSha256 ? MessageDigest.getInstance("SHA-256") : null;
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("the JDK always has MD5 and SHA-256", e);
      }
      ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(S3Http.BUFFER_SIZE, Math.max(1, length)));
      long position = offset;
      long end = offset + length;
      while (position < end) {
        buffer.clear().limit((int) Math.min(buffer.capacity(), end - position));
        int n = channel.read(buffer, position);
        if (n < 0) {
          throw new TransferException(
              Reason.CORRUPT,
              url.toString(),
              "the file " + source + " shrank during the upload (ends at byte " + position + ", expected " + end
                  + ")",
              null);
        }
        buffer.flip();
        if (sha256 != null) {
          sha256.update(buffer.duplicate());
        }
        md5.update(buffer);
        position += n;
      }
      return new Digests(md5.digest(), sha256 == null ? null : sha256.digest());
    }

    /** The MD5 and, when {@code withSha256}, the SHA-256 of the first {@code length} bytes. */
    static Digests of(byte[] bytes, int length, boolean withSha256) {
      try {
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        md5.update(bytes, 0, length);
        byte[] sha256 = null;
        if (withSha256) {
          MessageDigest sha = MessageDigest.getInstance("SHA-256");
          sha.update(bytes, 0, length);
          sha256 = sha.digest();
        }
        return new Digests(md5.digest(), sha256);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("the JDK always has MD5 and SHA-256", e);
      }
    }

    String md5Base64() {
      return Base64.getEncoder().encodeToString(md5);
    }

    String sha256Hex() {
      return HexFormat.of().formatHex(sha256);
    }
  }
}
