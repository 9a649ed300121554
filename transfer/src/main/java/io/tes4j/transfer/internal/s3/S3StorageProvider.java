package io.tes4j.transfer.internal.s3;

import io.tes4j.transfer.TransferSettings;
import io.tes4j.transfer.spi.Storage;
import io.tes4j.transfer.spi.StorageProvider;
import java.util.Set;

/**
 * Provides {@code s3://bucket/key} storage on Amazon S3 and S3-compatible servers (MinIO, Ceph,
 * S3Proxy), with the MinIO Java client. Registered with {@link java.util.ServiceLoader}.
 *
 * <p>The server and keys come from {@link TransferSettings#s3()}; the keys are sent only to that
 * server. See {@link S3Storage} for how large files move (parallel multipart uploads, parallel
 * ranged downloads) and how much memory that takes.
 */
public final class S3StorageProvider implements StorageProvider {

  /** For {@link java.util.ServiceLoader}. */
  public S3StorageProvider() {}

  @Override
  public String name() {
    return "s3 (MinIO client)";
  }

  @Override
  public Set<String> schemes() {
    return Set.of("s3");
  }

  @Override
  public Storage open(TransferSettings settings) {
    return new S3Storage(settings);
  }

  @Override
  public String toString() {
    return name();
  }
}
