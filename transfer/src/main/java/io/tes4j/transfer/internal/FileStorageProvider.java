package io.tes4j.transfer.internal;

import io.tes4j.transfer.TransferSettings;
import io.tes4j.transfer.spi.Storage;
import io.tes4j.transfer.spi.StorageProvider;
import java.util.Set;

/** Provides {@link FileStorage} for {@code file:} locations and bare absolute paths. Internal. */
public final class FileStorageProvider implements StorageProvider {
  /** For {@link java.util.ServiceLoader}. */
  public FileStorageProvider() {}

  @Override
  public String name() {
    return "file (local disk)";
  }

  @Override
  public Set<String> schemes() {
    return Set.of("file");
  }

  @Override
  public Storage open(TransferSettings settings) {
    return new FileStorage();
  }
}
