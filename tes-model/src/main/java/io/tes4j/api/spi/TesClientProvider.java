package io.tes4j.api.spi;

import io.tes4j.api.TesClient;
import java.net.URI;
import java.util.Set;

/**
 * Makes {@link TesClient}s for some URIs; found through {@link java.util.ServiceLoader} by
 * {@link TesClient#connect(URI)}. {@code tes-client} provides {@code http} and {@code https}; the
 * engine provides the backend schemes ({@code local:}, {@code k8s://}...).
 *
 * <p>Register an implementation in
 * {@code META-INF/services/io.tes4j.api.spi.TesClientProvider}. It needs a public no-argument
 * constructor, and must be cheap to construct: every {@code connect} call loads all providers.
 */
public interface TesClientProvider {
  /** A short name for messages, e.g. {@code tes-client (HTTP)}. */
  String name();

  /** The URI schemes this provider handles, lower case, e.g. {@code http}, {@code https}. */
  Set<String> schemes();

  /**
   * Opens a client for {@code uri}, whose scheme is one of {@link #schemes()}.
   *
   * @throws io.tes4j.api.TesClientException when the URI or its settings are wrong
   */
  TesClient connect(URI uri);
}
