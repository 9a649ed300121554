package io.tes4j.transfer.internal.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.minio.ListMultipartUploadsArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioAsyncClient;
import io.minio.PutObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.messages.Item;
import io.tes4j.transfer.ObjectInfo;
import io.tes4j.transfer.S3Settings;
import io.tes4j.transfer.S3Settings.PayloadSigning;
import io.tes4j.transfer.StorageUrl;
import io.tes4j.transfer.TransferException;
import io.tes4j.transfer.TransferException.Reason;
import io.tes4j.transfer.TransferSettings;
import io.tes4j.transfer.spi.Storage;
import io.tes4j.transfer.spi.StorageProvider;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link S3Storage} against a real S3 server: S3Proxy with its in-memory store, on 127.0.0.1 and a
 * random port, with AWS signature checking on.
 */
class S3StorageTest {
  private static final String ACCESS_KEY = "tes4j-access";
  private static final String SECRET_KEY = "tes4j-secret-Zq81vXw";
  private static final long MIB = 1024L * 1024;
  private static final AtomicInteger BUCKETS = new AtomicInteger();

  private static S3Proxy proxy;
  private static S3Proxy lenientProxy;
  private static URI endpoint;
  private static URI lenientEndpoint;
  private static MinioAsyncClient admin;

  @TempDir Path dir;
  private String bucket;

  @BeforeAll
  static void startS3Proxy() throws Exception {
    TransientNio2BlobStore store = new TransientNio2BlobStore();
    proxy = startS3Proxy(store, false);
    endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    // S3Proxy refuses x-amz-* headers it does not know, X-Amz-Security-Token among them, unless
    // told to ignore them. This second server shares the store: same buckets, same objects.
    lenientProxy = startS3Proxy(store, true);
    lenientEndpoint = URI.create("http://127.0.0.1:" + lenientProxy.getPort());
    admin =
        MinioAsyncClient.builder()
            .endpoint(endpoint.toString())
            .region("us-east-1")
            .credentials(ACCESS_KEY, SECRET_KEY)
            .build();
  }

  private static S3Proxy startS3Proxy(TransientNio2BlobStore store, boolean ignoreUnknownHeaders)
      throws Exception {
    S3Proxy started =
        S3Proxy.builder()
            .blobStore(store)
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .ignoreUnknownHeaders(ignoreUnknownHeaders)
            .build();
    started.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!"STARTED".equals(started.getState()) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(started.getState()).isEqualTo("STARTED");
    return started;
  }

  @AfterAll
  static void stopS3Proxy() throws Exception {
    if (admin != null) {
      admin.close();
    }
    for (S3Proxy server : new S3Proxy[] {proxy, lenientProxy}) {
      if (server != null) {
        server.stop();
      }
    }
  }

  @BeforeEach
  void newBucket() {
    bucket = "bucket-" + BUCKETS.incrementAndGet();
    admin.makeBucket(MakeBucketArgs.builder().bucket(bucket).build()).join();
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  void theProviderIsRegisteredForS3() {
    List<StorageProvider> providers = new ArrayList<>();
    ServiceLoader.load(StorageProvider.class).forEach(providers::add);
    assertThat(providers)
        .filteredOn(p -> p instanceof S3StorageProvider)
        .singleElement()
        .satisfies(p -> assertThat(p.schemes()).containsExactly("s3"))
        .satisfies(p -> assertThat(p.name()).isEqualTo("s3 (MinIO client)"));
  }

  @Test
  void emptyAndOneByteFilesRoundTrip() throws Exception {
    try (Storage storage = open(settings(SECRET_KEY, null))) {
      for (byte[] content : List.of(new byte[0], new byte[] {42})) {
        Path source = Files.write(dir.resolve("in-" + content.length), content);
        StorageUrl url = url("small/" + content.length + ".bin");
        AtomicLong progress = new AtomicLong();

        assertThat(storage.upload(source, url, progress::addAndGet)).isEqualTo(content.length);
        assertThat(progress).hasValue(content.length);

        ObjectInfo info = storage.stat(url).orElseThrow();
        assertThat(info.size()).isEqualTo(content.length);
        assertThat(info.directory()).isFalse();
        assertThat(info.etag()).isEqualTo(md5Hex(content)).doesNotContain("\"");
        assertThat(info.lastModified()).isNotNull();

        Path target = Files.createFile(dir.resolve("out-" + content.length));
        assertThat(storage.download(url, target, n -> {})).isEqualTo(content.length);
        assertThat(Files.readAllBytes(target)).isEqualTo(content);
        try (InputStream in = storage.openRead(url, 0)) {
          assertThat(in.readAllBytes()).isEqualTo(content);
        }
      }
    }
  }

  @Test
  void aLargeFileGoesUpInParallelPartsAndComesDownInParallelRanges() throws Exception {
    byte[] content = random(17 * MIB);
    Path source = Files.write(dir.resolve("big.bin"), content);
    StorageUrl url = url("big/big.bin");
    ConcurrencyProbe probe = new ConcurrencyProbe();
    try (Storage storage = new S3Storage(settings(SECRET_KEY, null), probe)) {
      AtomicLong uploaded = new AtomicLong();
      assertThat(storage.upload(source, url, uploaded::addAndGet)).isEqualTo(content.length);
      assertThat(uploaded).hasValue(content.length);

      // 17 MiB in 5 MiB parts: an S3 multipart upload of 4 parts, at least 2 of them at once.
      ObjectInfo info = storage.stat(url).orElseThrow();
      assertThat(info.size()).isEqualTo(content.length);
      assertThat(info.etag()).endsWith("-4");
      assertThat(probe.started("upload")).containsExactlyInAnyOrder(0, 1, 2, 3);
      assertThat(probe.maxConcurrent("upload")).isBetween(2, 4);

      Path target = Files.createFile(dir.resolve("big.out"));
      AtomicLong downloaded = new AtomicLong();
      assertThat(storage.download(url, target, downloaded::addAndGet)).isEqualTo(content.length);
      assertThat(downloaded).hasValue(content.length);
      assertThat(sha256(Files.readAllBytes(target))).isEqualTo(sha256(content));
      assertThat(probe.started("download")).containsExactlyInAnyOrder(0, 1, 2, 3);
      assertThat(probe.maxConcurrent("download")).isBetween(2, 4);

      // Reading from an offset, and from the very end.
      try (InputStream in = storage.openRead(url, 16 * MIB)) {
        byte[] tail = in.readAllBytes();
        assertThat(tail).hasSize((int) MIB);
        assertThat(sha256(tail)).isEqualTo(sha256(Arrays.copyOfRange(content, (int) (16 * MIB), content.length)));
      }
      try (InputStream in = storage.openRead(url, content.length)) {
        assertThat(in.readAllBytes()).isEmpty();
      }
      assertThat(failure(() -> storage.openRead(url, content.length + 10L)))
          .satisfies(e -> assertThat(e.getMessage()).contains("the object has " + content.length + " bytes"));
    }
  }

  @Test
  void aStreamOfUnknownSizeIsWrittenInParts() throws Exception {
    byte[] content = random(12 * MIB);
    StorageUrl url = url("stream/unknown-size.bin");
    try (Storage storage = open(settings(SECRET_KEY, null))) {
      AtomicLong progress = new AtomicLong();
      long written = storage.write(url, new ByteArrayInputStream(content), -1, progress::addAndGet);

      assertThat(written).isEqualTo(content.length);
      assertThat(progress).hasValue(content.length);
      ObjectInfo info = storage.stat(url).orElseThrow();
      assertThat(info.size()).isEqualTo(content.length);
      assertThat(info.etag()).endsWith("-3");
      try (InputStream in = storage.openRead(url, 0)) {
        assertThat(sha256(in.readAllBytes())).isEqualTo(sha256(content));
      }
    }
  }

  @Test
  void aStreamOfKnownSizeIsWrittenAndAShortOneIsCorrupt() throws Exception {
    byte[] content = "hello, S3".getBytes(StandardCharsets.UTF_8);
    try (Storage storage = open(settings(SECRET_KEY, null))) {
      StorageUrl url = url("stream/known.txt");
      assertThat(storage.write(url, new ByteArrayInputStream(content), content.length, n -> {}))
          .isEqualTo(content.length);
      try (InputStream in = storage.openRead(url, 7)) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("S3");
      }

      TransferException shortStream =
          failure(() -> storage.write(url("stream/short.txt"), new ByteArrayInputStream(content), 100, n -> {}));
      assertThat(shortStream.reason()).as(shortStream.getMessage()).isEqualTo(Reason.CORRUPT);
      assertThat(storage.stat(url("stream/short.txt"))).isEmpty();
    }
  }

  @Test
  void keysWithSpacesAndNonAsciiLettersWork() throws Exception {
    byte[] content = "grüße".getBytes(StandardCharsets.UTF_8);
    Path source = Files.write(dir.resolve("in.txt"), content);
    StorageUrl url = StorageUrl.parse("s3://" + bucket + "/dir with space/ä ö.txt");
    try (Storage storage = open(settings(SECRET_KEY, null))) {
      storage.upload(source, url, n -> {});

      StatObjectArgs stat = StatObjectArgs.builder().bucket(bucket).object("dir with space/ä ö.txt").build();
      assertThat(admin.statObject(stat).join().size()).isEqualTo(content.length);
      assertThat(storage.stat(url)).get().extracting(ObjectInfo::size).isEqualTo((long) content.length);
      // The same object, percent-encoded.
      StorageUrl encoded = StorageUrl.parse("s3://" + bucket + "/dir%20with%20space/%C3%A4%20%C3%B6.txt");
      assertThat(storage.stat(encoded)).isPresent();

      List<ObjectInfo> listed = storage.list(StorageUrl.parse("s3://" + bucket + "/dir with space"));
      assertThat(listed).extracting(i -> i.url().key()).containsExactly("dir with space/ä ö.txt");
      assertThat(listed.get(0).url().toString()).isEqualTo("s3://" + bucket + "/dir with space/ä ö.txt");

      Path target = Files.createFile(dir.resolve("out.txt"));
      storage.download(listed.get(0).url(), target, n -> {});
      assertThat(Files.readAllBytes(target)).isEqualTo(content);
    }
  }

  @Test
  void listingIsRecursiveSortedAndSkipsDirectoryMarkers() throws Exception {
    for (String key : List.of("a/b/c/3.txt", "a/1.txt", "a/b/2.txt", "ab.txt", "z.txt")) {
      put(key, key.getBytes(StandardCharsets.UTF_8));
    }
    put("a/empty-dir/", new byte[0]);
    try (Storage storage = open(settings(SECRET_KEY, null))) {
      assertThat(storage.list(url("a")))
          .extracting(i -> i.url().key())
          .containsExactly("a/1.txt", "a/b/2.txt", "a/b/c/3.txt");
      assertThat(storage.list(url("a/"))).hasSize(3);
      List<ObjectInfo> all = storage.list(StorageUrl.parse("s3://" + bucket));
      assertThat(all)
          .extracting(i -> i.url().key())
          .containsExactly("a/1.txt", "a/b/2.txt", "a/b/c/3.txt", "ab.txt", "z.txt");
      assertThat(all).allSatisfy(i -> {
        assertThat(i.directory()).isFalse();
        assertThat(i.size()).isEqualTo(i.url().key().length());
        assertThat(i.etag()).isEqualTo(md5Hex(i.url().key().getBytes(StandardCharsets.UTF_8)));
        assertThat(i.url().host()).isEqualTo(bucket);
      });
      assertThat(storage.list(url("nothing-here"))).isEmpty();

      assertThat(storage.stat(url("a"))).get().satisfies(i -> assertThat(i.directory()).isTrue());
      assertThat(storage.stat(url("a/b/"))).get().satisfies(i -> assertThat(i.directory()).isTrue());
      assertThat(storage.stat(url("a/empty-dir/"))).get().satisfies(i -> assertThat(i.directory()).isTrue());
      assertThat(storage.stat(StorageUrl.parse("s3://" + bucket))).get()
          .satisfies(i -> assertThat(i.directory()).isTrue());
      assertThat(storage.stat(url("a/b/2.txt"))).get().satisfies(i -> assertThat(i.directory()).isFalse());
    }
  }

  @Test
  void whatIsMissingIsEmptyForStatAndNotFoundOtherwise() throws Exception {
    try (Storage storage = open(settings(SECRET_KEY, null))) {
      assertThat(storage.stat(url("no/such/key.txt"))).isEmpty();
      assertThat(storage.stat(url("no/such/dir/"))).isEmpty();
      assertThat(storage.stat(StorageUrl.parse("s3://missing-bucket/key.txt"))).isEmpty();
      assertThat(storage.stat(StorageUrl.parse("s3://missing-bucket"))).isEmpty();

      TransferException missingKey =
          failure(() -> storage.download(url("no/such/key.txt"), dir.resolve("x"), n -> {}));
      assertThat(missingKey.reason()).as(missingKey.getMessage()).isEqualTo(Reason.NOT_FOUND);
      assertThat(missingKey.getMessage()).isEqualTo("s3://" + bucket + "/no/such/key.txt: not found");
      assertThat(failure(() -> storage.openRead(url("no/such/key.txt"), 0)).reason()).isEqualTo(Reason.NOT_FOUND);
    }
  }

  @Test
  void aMissingBucketIsNotFound() throws Exception {
    Path small = Files.write(dir.resolve("small"), new byte[10]);
    Path big = Files.write(dir.resolve("big"), new byte[(int) (6 * MIB)]);
    try (Storage storage = open(settings(SECRET_KEY, null))) {
      StorageUrl url = StorageUrl.parse("s3://missing-bucket/some/key.bin");
      List<Runnable> operations =
          List.of(
              () -> storage.download(url, dir.resolve("target"), n -> {}),
              () -> storage.openRead(url, 0),
              () -> storage.upload(small, url, n -> {}),
              () -> storage.upload(big, url, n -> {}),
              () -> storage.write(url, new ByteArrayInputStream(new byte[3]), 3, n -> {}),
              () -> storage.list(StorageUrl.parse("s3://missing-bucket/some")));
      for (Runnable operation : operations) {
        TransferException e = failure(operation::run);
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.NOT_FOUND);
        assertThat(e.getMessage()).endsWith(": no such bucket 'missing-bucket'");
      }
    }
  }

  @Test
  void aWrongSecretIsAccessDeniedAndNoSecretIsShown() throws Exception {
    String wrongSecret = "wrong-secret-Hx93kLq0";
    String token = "session-token-Pw7Yt2Ux";
    Path source = Files.write(dir.resolve("in"), new byte[100]);
    put("exists.txt", new byte[5]);
    TransferSettings settings = settings(lenientEndpoint, wrongSecret, token);
    try (Storage storage = open(settings)) {
      List<Consumer<Storage>> operations =
          List.of(
              s -> s.stat(url("exists.txt")),
              s -> s.download(url("exists.txt"), dir.resolve("out"), n -> {}),
              s -> s.upload(source, url("new.bin"), n -> {}),
              s -> s.list(url("")));
      for (Consumer<Storage> operation : operations) {
        TransferException e = failure(() -> operation.accept(storage));
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.ACCESS_DENIED);
        assertThat(e.getMessage())
            .contains("access denied: check the S3 access key and secret for endpoint " + lenientEndpoint);
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        for (String text : List.of(e.getMessage(), e.toString(), trace.toString())) {
          assertThat(text).doesNotContain(wrongSecret).doesNotContain(token);
        }
      }
      for (Object o : List.of(storage, settings, settings.s3(), new S3StorageProvider())) {
        assertThat(o.toString()).doesNotContain(wrongSecret).doesNotContain(token);
      }
      assertThat(storage.toString()).contains(lenientEndpoint.toString()).contains(ACCESS_KEY);
    }
  }

  @Test
  void anonymousRequestsToAServerThatChecksSignaturesAreDenied() {
    TransferSettings anonymous =
        baseSettings().s3(S3Settings.builder().endpoint(endpoint).pathStyle(true).build()).build();
    try (Storage storage = open(anonymous)) {
      TransferException e = failure(() -> storage.list(url("")));
      assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.ACCESS_DENIED);
      assertThat(e.getMessage()).contains("anonymous").contains(endpoint.toString());
    }
  }

  @Test
  void aFailedMultipartUploadIsAborted() throws Exception {
    Path source = Files.write(dir.resolve("big.bin"), random(17 * MIB));
    StorageUrl url = url("aborted/big.bin");
    AtomicInteger finishedParts = new AtomicInteger();
    CountDownLatch onePartSent = new CountDownLatch(1);
    PartObserver failOnLastPart =
        new PartObserver() {
          @Override
          public void partStarted(String operation, int index) {
            if (index == 3) {
              try {
                assertThat(onePartSent.await(10, TimeUnit.SECONDS)).as("another part was sent").isTrue();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
              }
              throw new IllegalStateException("simulated failure before part 4");
            }
          }

          @Override
          public void partFinished(String operation, int index) {
            finishedParts.incrementAndGet();
            onePartSent.countDown();
          }
        };
    // 4 parts of 5, 5, 5 and 2 MiB, all at once; the last fails once another has been sent.
    try (Storage storage = new S3Storage(settings(SECRET_KEY, null), failOnLastPart)) {
      TransferException e = failure(() -> storage.upload(source, url, n -> {}));
      assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.FAILED);
      assertThat(e.getMessage()).contains("simulated failure before part 4");
      // There were parts to clean up.
      assertThat(finishedParts.get()).isGreaterThanOrEqualTo(1);

      assertThat(storage.stat(url)).isEmpty();
    }
    assertThat(
            admin
                .listMultipartUploads(ListMultipartUploadsArgs.builder().bucket(bucket).build())
                .join()
                .result()
                .uploads())
        .isEmpty();
    List<String> keys = new ArrayList<>();
    for (Result<Item> item :
        admin.listObjects(ListObjectsArgs.builder().bucket(bucket).recursive(true).build())) {
      keys.add(item.get().objectName());
    }
    assertThat(keys).isEmpty();
  }

  @Test
  void deleteRemovesAndMissingIsFine() throws Exception {
    put("to-delete.txt", new byte[3]);
    try (Storage storage = open(settings(SECRET_KEY, null))) {
      storage.delete(url("to-delete.txt"));
      assertThat(storage.stat(url("to-delete.txt"))).isEmpty();
      storage.delete(url("to-delete.txt"));
      storage.delete(StorageUrl.parse("s3://missing-bucket/x"));
    }
  }

  @Test
  void aSessionTokenIsSentAlong() throws Exception {
    String token = "session-token-Pw7Yt2Ux";
    byte[] content = random(1000);
    Path source = Files.write(dir.resolve("in"), content);
    // S3Proxy does not check session tokens: with unknown headers ignored, requests carrying one work.
    try (Storage storage = open(settings(lenientEndpoint, SECRET_KEY, token))) {
      storage.upload(source, url("with-token.bin"), n -> {});
      Path target = Files.createFile(dir.resolve("out"));
      storage.download(url("with-token.bin"), target, n -> {});
      assertThat(Files.readAllBytes(target)).isEqualTo(content);
    }
    // The strict server refuses the X-Amz-Security-Token header, which shows that it was sent
    // (the same upload without a token works in the other tests).
    try (Storage storage = open(settings(endpoint, SECRET_KEY, token))) {
      TransferException e = failure(() -> storage.upload(source, url("with-token-2.bin"), n -> {}));
      assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.UNSUPPORTED);
      assertThat(e.getMessage()).contains("NotImplemented").doesNotContain(token);
    }
  }

  @Test
  void aClosedPortIsUnreachable() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    URI nowhere = URI.create("http://127.0.0.1:" + closedPort);
    TransferSettings settings =
        baseSettings()
            .s3(S3Settings.builder().endpoint(nowhere).accessKey(ACCESS_KEY).secretKey(SECRET_KEY).pathStyle(true).build())
            .build();
    try (Storage storage = open(settings)) {
      for (Runnable operation :
          List.<Runnable>of(
              () -> storage.stat(url("x")),
              () -> storage.download(url("x"), dir.resolve("x"), n -> {}),
              () -> storage.list(url("")))) {
        TransferException e = failure(operation::run);
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.UNREACHABLE);
        assertThat(e.retryable()).isTrue();
        assertThat(e.getMessage()).contains(nowhere.toString());
      }
    }
  }

  @Test
  void locationsThatNameNoObjectAreInvalid() throws Exception {
    Path source = Files.write(dir.resolve("in"), new byte[1]);
    try (Storage storage = open(settings(SECRET_KEY, null))) {
      assertThat(failure(() -> storage.upload(source, url("dir/"), n -> {})).reason()).isEqualTo(Reason.INVALID_URL);
      assertThat(failure(() -> storage.upload(source, StorageUrl.parse("s3://" + bucket), n -> {})).reason())
          .isEqualTo(Reason.INVALID_URL);
      TransferException userInfo =
          failure(() -> storage.stat(StorageUrl.parse("s3://key:" + SECRET_KEY + "@" + bucket + "/x")));
      assertThat(userInfo.reason()).as(userInfo.getMessage()).isEqualTo(Reason.INVALID_URL);
      assertThat(userInfo.getMessage()).doesNotContain(SECRET_KEY);
    }
  }

  @Test
  void payloadSigningSendsTheSha256OrUnsignedPayloadAndAlwaysContentMd5() throws Exception {
    byte[] small = "a small object, sent in one request".getBytes(StandardCharsets.UTF_8);
    byte[] large = random(11 * MIB); // three parts of 5, 5 and 1 MiB
    Path smallFile = Files.write(dir.resolve("small.txt"), small);
    Path largeFile = Files.write(dir.resolve("large.bin"), large);
    List<byte[]> bodies =
        List.of(
            small,
            Arrays.copyOfRange(large, 0, (int) (5 * MIB)),
            Arrays.copyOfRange(large, (int) (5 * MIB), (int) (10 * MIB)),
            Arrays.copyOfRange(large, (int) (10 * MIB), large.length));
    List<String> sha256s = new ArrayList<>();
    List<String> md5s = new ArrayList<>();
    for (byte[] body : bodies) {
      sha256s.add(sha256(body));
      md5s.add(md5Base64(body));
    }
    for (PayloadSigning mode : PayloadSigning.values()) {
      try (RecordingProxy relay = new RecordingProxy(endpoint);
          Storage storage = open(settings(relay.endpoint(), SECRET_KEY, null, mode))) {
        StorageUrl smallUrl = url(mode + "/small.txt");
        StorageUrl largeUrl = url(mode + "/large.bin");
        StorageUrl streamedUrl = url(mode + "/streamed.bin");
        storage.upload(smallFile, smallUrl, n -> {});
        storage.upload(largeFile, largeUrl, n -> {});
        // A stream of unknown size: the same three parts.
        storage.write(streamedUrl, new ByteArrayInputStream(large), -1, n -> {});

        // Over http, AUTO signs as ALWAYS does.
        List<String> expected = new ArrayList<>();
        for (String sha : List.of(sha256s.get(0), sha256s.get(1), sha256s.get(2), sha256s.get(3),
            sha256s.get(1), sha256s.get(2), sha256s.get(3))) {
          expected.add(mode == PayloadSigning.NEVER ? "UNSIGNED-PAYLOAD" : sha);
        }
        assertThat(relay.headerValues("PUT", "x-amz-content-sha256"))
            .as(mode.toString())
            .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(relay.headerValues("PUT", "content-md5"))
            .as(mode.toString())
            .containsExactlyInAnyOrder(
                md5s.get(0), md5s.get(1), md5s.get(2), md5s.get(3), md5s.get(1), md5s.get(2), md5s.get(3));

        for (StorageUrl url : List.of(largeUrl, streamedUrl)) {
          Path target = Files.createFile(dir.resolve(mode + "-" + url.fileName() + ".out"));
          storage.download(url, target, n -> {});
          assertThat(sha256(Files.readAllBytes(target))).isEqualTo(sha256(large));
        }
        try (InputStream in = storage.openRead(smallUrl, 0)) {
          assertThat(in.readAllBytes()).isEqualTo(small);
        }
      }
    }
  }

  @Test
  void aBodyDamagedOnTheWayIsRefusedWhetherOrNotThePayloadIsSigned() throws Exception {
    byte[] content = random(3 * MIB);
    Path source = Files.write(dir.resolve("in.bin"), content);
    Path big = Files.write(dir.resolve("big.bin"), random(11 * MIB));
    for (PayloadSigning mode : List.of(PayloadSigning.NEVER, PayloadSigning.ALWAYS)) {
      try (RecordingProxy relay = new RecordingProxy(endpoint);
          Storage storage = open(settings(relay.endpoint(), SECRET_KEY, null, mode))) {
        StorageUrl url = url(mode + "/damaged.bin");
        relay.damageNextBody();
        TransferException e = failure(() -> storage.upload(source, url, n -> {}));
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.CORRUPT);
        assertThat(e.retryable()).isTrue();
        // Unsigned, only Content-MD5 can have caught it.
        assertThat(e.getMessage())
            .contains(mode == PayloadSigning.NEVER ? "BadDigest" : "the server rejected the data");
        assertThat(storage.stat(url)).isEmpty();

        // A damaged part fails the multipart upload, which is aborted.
        StorageUrl bigUrl = url(mode + "/damaged-part.bin");
        relay.damageNextBody();
        TransferException partFailure = failure(() -> storage.upload(big, bigUrl, n -> {}));
        assertThat(partFailure.reason()).as(partFailure.getMessage()).isEqualTo(Reason.CORRUPT);
        assertThat(storage.stat(bigUrl)).isEmpty();
      }
    }
    assertThat(
            admin
                .listMultipartUploads(ListMultipartUploadsArgs.builder().bucket(bucket).build())
                .join()
                .result()
                .uploads())
        .isEmpty();
  }

  @Test
  void anObjectReplacedDuringARangedDownloadFailsAsCorrupt() throws Exception {
    byte[] content = random(17 * MIB);
    put("changing.bin", content);
    CountDownLatch firstThreeRead = new CountDownLatch(3);
    PartObserver replaceBeforeLastRange =
        new PartObserver() {
          @Override
          public void partStarted(String operation, int index) {
            if (index == 3) {
              try {
                assertThat(firstThreeRead.await(10, TimeUnit.SECONDS)).as("the first three ranges were read").isTrue();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
              }
              byte[] other = content.clone();
              other[0] ^= 1;
              put("changing.bin", other);
            }
          }

          @Override
          public void partFinished(String operation, int index) {
            firstThreeRead.countDown();
          }
        };
    try (S3Storage storage = new S3Storage(settings(SECRET_KEY, null), replaceBeforeLastRange)) {
      // 4 ranges of 5, 5, 5 and 2 MiB, all four at once.
      assertThat(storage.rangeSizeFor(content.length)).isEqualTo(5 * MIB);
      Path target = Files.createFile(dir.resolve("changing.out"));
      AtomicLong received = new AtomicLong();
      TransferException e = failure(() -> storage.download(url("changing.bin"), target, received::addAndGet));
      assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.CORRUPT);
      assertThat(e.retryable()).isTrue();
      assertThat(e.getMessage()).contains("the object changed while it was being read");
      assertThat(received).hasValue(15 * MIB);
    }
  }

  @Test
  void anUploadTheServerStopsReadingTimesOut() throws Exception {
    Path source = Files.write(dir.resolve("stuck.bin"), new byte[(int) (48 * MIB)]);
    try (ServerSocket stuck = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      URI server = URI.create("http://127.0.0.1:" + stuck.getLocalPort());
      // One request of 48 MiB, more than the sockets' buffers hold; the server never reads it.
      TransferSettings settings =
          settings(server, SECRET_KEY, null, PayloadSigning.NEVER).toBuilder()
              .partSize(64 * MIB)
              .readTimeout(Duration.ofMillis(500))
              .build();
      try (Storage storage = open(settings)) {
        TransferException e = failure(() -> storage.upload(source, url("stuck.bin"), n -> {}));
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.UNREACHABLE);
        assertThat(e.getMessage()).contains("timed out");
      }
    }
  }

  @Test
  void downloadsTakeOneRangePerWorkerWithinBounds() {
    try (S3Storage storage = new S3Storage(settings(SECRET_KEY, null))) {
      // 4 workers, 5 MiB parts.
      assertThat(storage.rangeSizeFor(1)).isEqualTo(5 * MIB);
      assertThat(storage.rangeSizeFor(17 * MIB)).isEqualTo(5 * MIB);
      assertThat(storage.rangeSizeFor(1024 * MIB)).isEqualTo(256 * MIB);
      assertThat(storage.rangeSizeFor(1024 * MIB + 1)).isEqualTo(257 * MIB);
      assertThat(storage.rangeSizeFor(100 * 1024 * MIB)).isEqualTo(1024 * MIB);

      // Signed (AUTO over http), files go up in parts of the part size, within S3's 10,000.
      assertThat(storage.filePartSizeFor(1024 * MIB)).isEqualTo(5 * MIB);
      long fiveTiB = 5L * 1024 * 1024 * MIB;
      assertThat(fiveTiB / storage.filePartSizeFor(fiveTiB)).isLessThanOrEqualTo(10_000);
    }
    try (S3Storage unsigned = new S3Storage(settings(endpoint, SECRET_KEY, null, PayloadSigning.NEVER))) {
      // Unsigned, they take one part per worker, as downloads take ranges.
      assertThat(unsigned.filePartSizeFor(17 * MIB)).isEqualTo(5 * MIB);
      assertThat(unsigned.filePartSizeFor(1024 * MIB)).isEqualTo(256 * MIB);
      long fiveTiB = 5L * 1024 * 1024 * MIB;
      assertThat(fiveTiB / unsigned.filePartSizeFor(fiveTiB)).isLessThanOrEqualTo(10_000);
    }
  }

  @Test
  void partsStayWithinTenThousand() {
    try (S3Storage storage = new S3Storage(settings(SECRET_KEY, null))) {
      assertThat(storage.partSizeFor(-1)).isEqualTo(5 * MIB);
      assertThat(storage.partSizeFor(17 * MIB)).isEqualTo(5 * MIB);
      long oneTiB = 1024L * 1024 * MIB;
      long partSize = storage.partSizeFor(oneTiB);
      assertThat(partSize % MIB).isZero();
      assertThat((oneTiB + partSize - 1) / partSize).isLessThanOrEqualTo(10_000);
    }
  }

  // ---------------------------------------------------------------------------------------------

  private StorageUrl url(String key) {
    return StorageUrl.parse("s3://" + bucket + "/" + key);
  }

  private static TransferSettings.Builder baseSettings() {
    return TransferSettings.builder()
        .partSize(5 * MIB)
        .parallelism(4)
        .connectTimeout(Duration.ofSeconds(2))
        .readTimeout(Duration.ofSeconds(20));
  }

  private static TransferSettings settings(String secret, String token) {
    return settings(endpoint, secret, token);
  }

  private static TransferSettings settings(URI server, String secret, String token) {
    return settings(server, secret, token, PayloadSigning.AUTO);
  }

  private static TransferSettings settings(URI server, String secret, String token, PayloadSigning signing) {
    return baseSettings()
        .s3(
            S3Settings.builder()
                .endpoint(server)
                .accessKey(ACCESS_KEY)
                .secretKey(secret)
                .sessionToken(token)
                .pathStyle(true)
                .payloadSigning(signing)
                .build())
        .build();
  }

  private static Storage open(TransferSettings settings) {
    return new S3StorageProvider().open(settings);
  }

  private void put(String key, byte[] content) {
    admin
        .putObject(
            PutObjectArgs.builder()
                .bucket(bucket)
                .object(key)
                .stream(new ByteArrayInputStream(content), (long) content.length, -1L)
                .build())
        .join();
  }

  private static TransferException failure(ThrowingRunnable action) {
    TransferException e = catchThrowableOfType(TransferException.class, action::run);
    assertThat(e).as("a TransferException").isNotNull();
    return e;
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  private static byte[] random(long size) {
    byte[] bytes = new byte[Math.toIntExact(size)];
    new Random(size).nextBytes(bytes);
    return bytes;
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private static String md5Base64(byte[] bytes) throws Exception {
    return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(bytes));
  }

  private static String md5Hex(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
  }

  /**
   * Records which parts started and how many moved at once. The first two parts of each operation
   * wait (up to 10 s) for each other, so a storage moving parts one at a time fails the test rather
   * than passing by luck.
   */
  private static final class ConcurrencyProbe implements PartObserver {
    private final Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> max = new ConcurrentHashMap<>();
    private final Map<String, List<Integer>> started = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> firstTwo = new ConcurrentHashMap<>();

    @Override
    public void partStarted(String operation, int index) {
      started.computeIfAbsent(operation, o -> Collections.synchronizedList(new ArrayList<>())).add(index);
      int now = running.computeIfAbsent(operation, o -> new AtomicInteger()).incrementAndGet();
      max.computeIfAbsent(operation, o -> new AtomicInteger()).accumulateAndGet(now, Math::max);
      if (index < 2) {
        CountDownLatch latch = firstTwo.computeIfAbsent(operation, o -> new CountDownLatch(2));
        latch.countDown();
        try {
          latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    }

    @Override
    public void partFinished(String operation, int index) {
      running.get(operation).decrementAndGet();
    }

    List<Integer> started(String operation) {
      return List.copyOf(started.getOrDefault(operation, List.of()));
    }

    int maxConcurrent(String operation) {
      return max.getOrDefault(operation, new AtomicInteger()).get();
    }
  }
}
