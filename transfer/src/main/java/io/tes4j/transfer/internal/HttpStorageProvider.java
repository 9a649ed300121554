package io.tes4j.transfer.internal;

import io.tes4j.transfer.TransferSettings;
import io.tes4j.transfer.spi.Storage;
import io.tes4j.transfer.spi.StorageProvider;
import java.util.Set;

/** Provides {@link HttpStorage} for {@code http} and {@code https} locations. Internal. */
public final class HttpStorageProvider implements StorageProvider {
  /** For {@link java.util.ServiceLoader}. */
  public HttpStorageProvider() {}

  @Override
  public String name() {
    return "http(s) (HttpURLConnection)";
  }

  @Override
  public Set<String> schemes() {
    return Set.of("http", "https");
  }

  @Override
  public Storage open(TransferSettings settings) {
    return new HttpStorage(settings);
  }
}
