package io.tes4j.engine;

import io.tes4j.spi.Backend;
import io.tes4j.spi.BackendConfig;
import io.tes4j.spi.BackendProvider;
import java.util.Set;

/** Registered on the test class path for the scheme {@code fake}: a {@link FakeBackend}. */
public final class FakeBackendProvider implements BackendProvider {
  /** The last config opened, for assertions. */
  static volatile BackendConfig lastConfig;

  /** The last backend opened, for driving it. */
  static volatile FakeBackend lastBackend;

  /** For ServiceLoader. */
  public FakeBackendProvider() {}

  @Override
  public String name() {
    return "fake";
  }

  @Override
  public Set<String> schemes() {
    return Set.of("fake");
  }

  @Override
  public Backend open(BackendConfig config) {
    config.requireOnly(Set.of("color", "size"));
    lastConfig = config;
    FakeBackend backend = new FakeBackend();
    lastBackend = backend;
    return backend;
  }
}
