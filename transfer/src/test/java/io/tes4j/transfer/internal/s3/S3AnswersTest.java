package io.tes4j.transfer.internal.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tes4j.transfer.S3Settings;
import io.tes4j.transfer.S3Settings.PayloadSigning;
import io.tes4j.transfer.StorageUrl;
import io.tes4j.transfer.TransferException;
import io.tes4j.transfer.TransferException.Reason;
import io.tes4j.transfer.TransferSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@link S3Storage} reads answers that S3Proxy does not give: a HEAD redirected to another
 * region, an HTML error page, and an error inside a 200 answer to completing a multipart upload.
 * The server is the JDK's {@code HttpServer} on 127.0.0.1, answering as S3 does; it checks no
 * signatures.
 */
class S3AnswersTest {
  private static final long MIB = 1024L * 1024;

  @TempDir Path dir;
  private HttpServer server;
  private final List<String> requests = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::answer);
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private void answer(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getPath();
    String query = exchange.getRequestURI().getRawQuery();
    requests.add(method + " " + path + (query == null ? "" : "?" + query));
    try (InputStream in = exchange.getRequestBody()) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    switch (method + " " + path) {
      case "HEAD /bucket/elsewhere.bin" -> {
        exchange.getResponseHeaders().add("x-amz-bucket-region", "eu-west-3");
        exchange.sendResponseHeaders(301, -1);
      }
      case "HEAD /bucket/broken.bin" -> {
        exchange.getResponseHeaders().add("ETag", "\"0123456789abcdef0123456789abcdef\"");
        exchange.getResponseHeaders().add("Content-Length", "10");
        exchange.sendResponseHeaders(200, -1);
      }
      case "GET /bucket/broken.bin" -> send(exchange, 502, "text/html", "<html><body>Bad gateway</body></html>");
      case "POST /bucket/big.bin" -> {
        if (query.startsWith("uploads")) {
          send(
              exchange,
              200,
              "application/xml",
              "<InitiateMultipartUploadResult><Bucket>bucket</Bucket><Key>big.bin</Key>"
                  + "<UploadId>upload-1</UploadId></InitiateMultipartUploadResult>");
        } else {
          // S3 may report a failed completion in a 200 answer.
          send(
              exchange,
              200,
              "application/xml",
              "<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again."
                  + "</Message><RequestId>req-7</RequestId></Error>");
        }
      }
      case "PUT /bucket/big.bin" -> {
        exchange.getResponseHeaders().add("ETag", "\"part-" + query.hashCode() + "\"");
        exchange.sendResponseHeaders(200, -1);
      }
      case "DELETE /bucket/big.bin" -> exchange.sendResponseHeaders(204, -1);
      default -> send(exchange, 404, "application/xml", "<Error><Code>NoSuchKey</Code></Error>");
    }
    exchange.close();
  }

  private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private S3Storage storage() {
    URI endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    return new S3Storage(
        TransferSettings.builder()
            .partSize(5 * MIB)
            .connectTimeout(Duration.ofSeconds(2))
            .readTimeout(Duration.ofSeconds(20))
            .s3(
                S3Settings.builder()
                    .endpoint(endpoint)
                    .accessKey("key")
                    .secretKey("secret-Kq3")
                    .pathStyle(true)
                    .payloadSigning(PayloadSigning.NEVER)
                    .build())
            .build());
  }

  @Test
  void aBucketInAnotherRegionIsNamed() {
    try (S3Storage storage = storage()) {
      TransferException e =
          failure(() -> storage.download(StorageUrl.parse("s3://bucket/elsewhere.bin"), dir.resolve("x"), n -> {}));
      assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.FAILED);
      assertThat(e.getMessage()).contains("another region").contains("PermanentRedirect");
      assertThat(e.getCause()).hasMessageContaining("eu-west-3");
    }
  }

  @Test
  void anHtmlErrorPageIsAServerError() throws IOException {
    try (S3Storage storage = storage()) {
      Path target = Files.createFile(dir.resolve("broken.out"));
      TransferException e = failure(() -> storage.download(StorageUrl.parse("s3://bucket/broken.bin"), target, n -> {}));
      assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.SERVER_ERROR);
      assertThat(e.retryable()).isTrue();
      assertThat(e.getCause()).hasMessageContaining("HTTP 502").hasMessageContaining("Bad gateway");
    }
  }

  @Test
  void anErrorInTheAnswerToCompletingAMultipartUploadFailsItAndAbortsIt() throws IOException {
    Path source = Files.write(dir.resolve("big.bin"), new byte[(int) (11 * MIB)]);
    try (S3Storage storage = storage()) {
      TransferException e = failure(() -> storage.upload(source, StorageUrl.parse("s3://bucket/big.bin"), n -> {}));
      assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.SERVER_ERROR);
      assertThat(e.getMessage()).contains("InternalError");
      assertThat(e.getCause()).hasMessageContaining("req-7");
    }
    assertThat(requests)
        .contains("POST /bucket/big.bin?uploads=", "DELETE /bucket/big.bin?uploadId=upload-1")
        .filteredOn(r -> r.startsWith("PUT "))
        .hasSize(3);
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
}
