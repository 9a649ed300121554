package io.tes4j.spi;

import java.util.Set;

/**
 * Makes {@link Backend}s for some URI schemes; found through {@link java.util.ServiceLoader}
 * (register the class in {@code META-INF/services/io.tes4j.spi.BackendProvider}) or given to
 * {@link io.tes4j.engine.TesEngine.Builder#backendProvider TesEngine.builder().backendProvider(...)}.
 *
 * <p>A backend decides where tasks run, so it is always chosen by its scheme, never by priority:
 * two providers that claim the same scheme are an error that names both. Implementations need a
 * public no-argument constructor and must be cheap to construct (no connections, no threads):
 * every lookup loads all providers.
 */
public interface BackendProvider {

  /** A short name for messages and service-info, e.g. {@code local (processes and containers)}. */
  String name();

  /**
   * The URI schemes this provider handles, lower case, without the colon: {@code local}, {@code
   * mock}, {@code k8s}, {@code pulsar+http}...
   */
  Set<String> schemes();

  /**
   * Opens a backend for {@code config.uri()}, whose scheme is one of {@link #schemes()}.
   *
   * @throws IllegalArgumentException when the URI or a parameter is wrong: the message names the
   *     parameter, what was wrong and what is allowed (see {@link BackendConfig#requireOnly})
   * @throws io.tes4j.api.BackendException when the backend cannot be used here (no container
   *     runtime, cluster unreachable); the message says what to do
   */
  Backend open(BackendConfig config);
}
