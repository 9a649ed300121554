package io.tes4j.client.internal;

import io.tes4j.api.TesClient;
import io.tes4j.api.TesClientException;
import io.tes4j.api.spi.TesClientProvider;
import io.tes4j.client.TesHttpClient;
import java.net.URI;
import java.util.Set;

/**
 * Opens a {@link TesHttpClient} for {@code http://} and {@code https://} URIs given to {@link
 * TesClient#connect(URI)}. The URI is the base URL; {@code user:password@} in it means HTTP Basic
 * auth. No query parameters are understood yet, so a URI with a query is refused rather than
 * silently half-read. Internal: registered through {@code META-INF/services}.
 */
public final class HttpTesClientProvider implements TesClientProvider {

  /** Called by {@link java.util.ServiceLoader}. */
  public HttpTesClientProvider() {}

  @Override
  public String name() {
    return "tes-client (HTTP)";
  }

  @Override
  public Set<String> schemes() {
    return Set.of("http", "https");
  }

  @Override
  public TesClient connect(URI uri) {
    if (uri.getRawQuery() != null) {
      throw new TesClientException(
          name()
              + " understands no URI settings yet: remove the query ('?...') from "
              + BaseUrl.redact(withoutQuery(uri))
              + " and configure the client with TesHttpClient.builder() instead");
    }
    try {
      return TesHttpClient.create(uri);
    } catch (IllegalArgumentException e) {
      throw new TesClientException(e.getMessage(), e);
    }
  }

  private static URI withoutQuery(URI uri) {
    String text = uri.toString();
    int question = text.indexOf('?');
    return URI.create(question < 0 ? text : text.substring(0, question));
  }
}
