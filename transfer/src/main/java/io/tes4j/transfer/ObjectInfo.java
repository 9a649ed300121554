package io.tes4j.transfer;

import java.time.Instant;
import java.util.Optional;

/**
 * What a storage knows about one object or file.
 *
 * @param url where it is
 * @param size its size in bytes, or -1 when the storage does not say
 * @param directory whether it is a directory (or, on S3, a prefix)
 * @param lastModified when it last changed, or {@code null}
 * @param etag the storage's entity tag or checksum, without quotes, or {@code null}
 */
public record ObjectInfo(StorageUrl url, long size, boolean directory, Instant lastModified, String etag) {

  /** A file of a known size. */
  public static ObjectInfo file(StorageUrl url, long size) {
    return new ObjectInfo(url, size, false, null, null);
  }

  /** The entity tag, if the storage gave one. */
  public Optional<String> entityTag() {
    return Optional.ofNullable(etag);
  }
}
