package io.tes4j.examples.archive;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

/**
 * A real S3 server for tests (as in tes-cli's tests): S3Proxy with its in-memory store on 127.0.0.1 and a random port,
 * checking AWS signatures.
 */
final class S3Server {
  static final String ACCESS_KEY = "archive-access";
  static final String SECRET_KEY = "archive-secret-4kPq9Zr";

  private final TransientNio2BlobStore store = new TransientNio2BlobStore();
  private final S3Proxy proxy;

  S3Server() throws Exception {
    proxy =
        S3Proxy.builder()
            .blobStore(store)
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .build();
    proxy.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("S3Proxy did not start within 20 s: " + proxy.getState());
      }
      Thread.sleep(20);
    }
  }

  String endpoint() {
    return "http://127.0.0.1:" + proxy.getPort();
  }

  void createBucket(String bucket) {
    store.createContainer(bucket);
  }

  /** The AWS variables a user would set for this server: its keys and its endpoint. */
  Map<String, String> env() {
    return Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY, "AWS_ENDPOINT_URL", endpoint());
  }

  void stop() throws Exception {
    proxy.stop();
  }
}
