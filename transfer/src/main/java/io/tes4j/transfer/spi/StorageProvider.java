package io.tes4j.transfer.spi;

import io.tes4j.transfer.TransferSettings;
import java.util.Set;

/**
 * Makes a {@link Storage} for some URL schemes. Found through {@link java.util.ServiceLoader}
 * (register the class in {@code META-INF/services/io.tes4j.transfer.spi.StorageProvider}) or given
 * to {@code Transfers.builder().provider(...)}. When several providers claim a scheme, the highest
 * {@link #priority()} wins: storages are interchangeable, unlike backends.
 *
 * <p>Implementations need a public no-argument constructor and must be cheap to construct.
 */
public interface StorageProvider {
  /** A short name for messages, e.g. {@code s3 (MinIO client)}. */
  String name();

  /** The URL schemes handled, lower case, e.g. {@code s3}. */
  Set<String> schemes();

  /** Higher wins when several providers claim a scheme; the built-in ones use 0. */
  default int priority() {
    return 0;
  }

  /** Opens a storage with these settings; it is closed by whoever opened it. */
  Storage open(TransferSettings settings);
}
