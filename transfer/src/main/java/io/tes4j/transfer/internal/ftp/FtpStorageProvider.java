package io.tes4j.transfer.internal.ftp;

import io.tes4j.transfer.TransferSettings;
import io.tes4j.transfer.spi.Storage;
import io.tes4j.transfer.spi.StorageProvider;
import java.util.Set;

/**
 * The {@code ftp} and {@code ftps} (explicit TLS, {@code AUTH TLS}) storage, on Apache Commons Net.
 * Registered with {@link java.util.ServiceLoader}. See {@link FtpStorage} for how URLs, log-ins
 * and paths are read.
 */
public final class FtpStorageProvider implements StorageProvider {

  /** For {@link java.util.ServiceLoader}. */
  public FtpStorageProvider() {}

  @Override
  public String name() {
    return "ftp (Apache Commons Net)";
  }

  @Override
  public Set<String> schemes() {
    return Set.of("ftp", "ftps");
  }

  @Override
  public Storage open(TransferSettings settings) {
    return new FtpStorage(settings);
  }
}
