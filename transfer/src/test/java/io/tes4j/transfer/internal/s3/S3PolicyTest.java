package io.tes4j.transfer.internal.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.minio.MakeBucketArgs;
import io.minio.MinioAsyncClient;
import io.tes4j.transfer.S3Settings;
import io.tes4j.transfer.TransferException;
import io.tes4j.transfer.TransferException.Reason;
import io.tes4j.transfer.TransferPolicy;
import io.tes4j.transfer.TransferSettings;
import io.tes4j.transfer.Transfers;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transfer policy on the S3 endpoint, against S3Proxy on 127.0.0.1 behind a relay that records
 * every request: a task's {@code s3://} URL never makes this client sign requests to, or reach, an
 * endpoint the policy refuses, on either path (the requests it sends itself, and MinIO's client for
 * listings and deletes).
 */
class S3PolicyTest {
  private static final String ACCESS_KEY = "tes4j-access";
  private static final String SECRET_KEY = "tes4j-secret-Pq27wLx";
  private static final String BUCKET = "policy-bucket";
  private static final TransferPolicy SERVER =
      TransferPolicy.builder().allowSchemes("http", "https", "ftp", "s3").allowPrivateAddresses(false).build();

  private static S3Proxy proxy;
  private RecordingProxy relay;

  @TempDir Path dir;

  @BeforeAll
  static void startS3Proxy() throws Exception {
    proxy = S3Proxy.builder()
        .blobStore(new TransientNio2BlobStore())
        .endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
        .build();
    proxy.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!"STARTED".equals(proxy.getState()) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(proxy.getState()).isEqualTo("STARTED");
    try (MinioAsyncClient admin = MinioAsyncClient.builder()
        .endpoint("http://127.0.0.1:" + proxy.getPort())
        .region("us-east-1")
        .credentials(ACCESS_KEY, SECRET_KEY)
        .build()) {
      admin.makeBucket(MakeBucketArgs.builder().bucket(BUCKET).build()).join();
    }
  }

  @AfterAll
  static void stopS3Proxy() throws Exception {
    if (proxy != null) {
      proxy.stop();
    }
  }

  @BeforeEach
  void startRelay() throws Exception {
    relay = new RecordingProxy(URI.create("http://127.0.0.1:" + proxy.getPort()));
  }

  @AfterEach
  void stopRelay() throws Exception {
    relay.close();
  }

  private Transfers transfers(String endpointHost, TransferPolicy policy) {
    URI endpoint = URI.create("http://" + endpointHost + ":" + relay.endpoint().getPort());
    return Transfers.create(TransferSettings.builder()
        .retries(1, Duration.ofMillis(10), Duration.ofMillis(10))
        .s3(S3Settings.builder().endpoint(endpoint).accessKey(ACCESS_KEY).secretKey(SECRET_KEY).pathStyle(true).build())
        .policy(policy)
        .build());
  }

  /** Every operation, on both paths, is refused with {@code expected} in its message, and nothing is sent. */
  private void everyOperationIsRefused(Transfers transfers, String expected) throws Exception {
    Path file = Files.writeString(dir.resolve("in.txt"), "data");
    List<Consumer<Transfers>> operations = List.of(
        t -> t.stat("s3://" + BUCKET + "/x.txt"),
        t -> t.download("s3://" + BUCKET + "/x.txt", dir.resolve("out.txt")),
        t -> t.upload(file, "s3://" + BUCKET + "/x.txt"),
        t -> t.list("s3://" + BUCKET + "/"),
        t -> t.delete("s3://" + BUCKET + "/x.txt"));
    for (Consumer<Transfers> operation : operations) {
      TransferException e = catchThrowableOfType(TransferException.class, () -> operation.accept(transfers));
      assertThat(e).isNotNull();
      assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.NOT_ALLOWED);
      assertThat(e.getMessage()).contains(expected).doesNotContain(SECRET_KEY);
    }
    assertThat(relay.heads()).as("no request reached the endpoint").isEmpty();
  }

  @Test
  void anEndpointWrittenAsANonPublicAddressIsRefusedBeforeSigning() throws Exception {
    try (Transfers transfers = transfers("127.0.0.1", SERVER)) {
      everyOperationIsRefused(transfers, "the S3 endpoint http://127.0.0.1:" + relay.endpoint().getPort()
          + ": the address 127.0.0.1 is loopback");
    }
  }

  @Test
  void anEndpointNameIsJudgedByTheAddressConnectedToOnBothPaths() throws Exception {
    // The name passes (any host); the connections, from S3Http and from MinIO's OkHttp client, are refused.
    try (Transfers transfers = transfers("localhost", SERVER.toBuilder().allowHosts("*").build())) {
      everyOperationIsRefused(transfers, "refused to connect to localhost:" + relay.endpoint().getPort());
    }
  }

  @Test
  void anEndpointHostOutsideTheAllowedHostsIsRefused() throws Exception {
    // The bucket is allowed; the endpoint's host is not.
    try (Transfers transfers = transfers("localhost", SERVER.toBuilder().allowHosts(BUCKET).build())) {
      everyOperationIsRefused(transfers, "the host 'localhost' is not among the hosts");
    }
  }

  @Test
  void aNamedEndpointIsReachedOnBothPaths() throws Exception {
    Path file = Files.writeString(dir.resolve("in.txt"), "data");
    try (Transfers transfers = transfers("localhost", SERVER.toBuilder().allowHosts(BUCKET, "localhost").build())) {
      transfers.upload(file, "s3://" + BUCKET + "/x.txt");
      assertThat(transfers.stat("s3://" + BUCKET + "/x.txt")).isPresent();
      assertThat(transfers.list("s3://" + BUCKET + "/")).hasSize(1);
      transfers.download("s3://" + BUCKET + "/x.txt", dir.resolve("out.txt"));
      assertThat(Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8)).isEqualTo("data");
      transfers.delete("s3://" + BUCKET + "/x.txt");
      assertThat(transfers.stat("s3://" + BUCKET + "/x.txt")).isEmpty();
    }
    assertThat(relay.heads()).isNotEmpty();
  }
}
