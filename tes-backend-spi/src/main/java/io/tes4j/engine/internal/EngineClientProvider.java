package io.tes4j.engine.internal;

import io.tes4j.api.TesClient;
import io.tes4j.api.spi.TesClientProvider;
import io.tes4j.engine.TesEngine;
import java.net.URI;
import java.util.Set;

/**
 * Lets {@code TesClient.connect("local:")}, {@code ("mock:")}... give a {@link TesEngine} over the
 * backend that claims the scheme: it claims every scheme of the backend providers on the class path.
 * Internal; registered in {@code META-INF/services/io.tes4j.api.spi.TesClientProvider}.
 */
public final class EngineClientProvider implements TesClientProvider {

  /** For {@link java.util.ServiceLoader}. */
  public EngineClientProvider() {}

  @Override
  public String name() {
    return "tes4j engine";
  }

  @Override
  public Set<String> schemes() {
    return BackendResolver.discoveredSchemes();
  }

  @Override
  public TesClient connect(URI uri) {
    return TesEngine.builder().backend(uri).build();
  }
}
