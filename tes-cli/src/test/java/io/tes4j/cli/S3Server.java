package io.tes4j.cli;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

/**
 * A real S3 server for tests: S3Proxy with its in-memory store on 127.0.0.1 and a random port,
 * checking AWS signatures.
 */
final class S3Server {
  static final String ACCESS_KEY = "cli-access";
  static final String SECRET_KEY = "cli-secret-Vb71pQz";

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

  /** The AWS variables for this server: keys, and the endpoint unless {@code withEndpoint} is false. */
  Map<String, String> env(boolean withEndpoint) {
    return withEndpoint
        ? Map.of(
            "AWS_ACCESS_KEY_ID", ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY", SECRET_KEY,
            "AWS_ENDPOINT_URL", endpoint())
        : Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY);
  }

  void stop() throws Exception {
    proxy.stop();
  }
}
