package io.tes4j.api.internal;

import io.tes4j.api.TesClient;
import io.tes4j.api.TesClientException;
import io.tes4j.api.spi.TesClientProvider;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/** Finds the {@link TesClientProvider} for a URI. Internal. */
public final class Providers {
  private Providers() {}

  /**
   * The URI as messages show it: its query (an engine's settings, perhaps a store password) as
   * {@code ?...}, and the user info of {@code //user:secret@host} as {@code ***}.
   */
  public static String shown(String uri) {
    int hash = uri.indexOf('#');
    String text = hash < 0 ? uri : uri.substring(0, hash);
    int mark = text.indexOf('?');
    String out = mark < 0 ? text : text.substring(0, mark) + "?...";
    return out.replaceFirst("//[^/?#@]*@", "//***@");
  }

  public static TesClient connect(URI uri) {
    if (uri.getScheme() == null) {
      throw new TesClientException(
          "cannot connect to '" + shown(uri.toString()) + "': the URI has no scheme (e.g. http://host:8000/ga4gh/tes/v1)");
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    List<TesClientProvider> found = new ArrayList<>();
    List<String> broken = new ArrayList<>();
    ServiceLoader<TesClientProvider> loader =
        ServiceLoader.load(TesClientProvider.class, Providers.class.getClassLoader());
    for (var iterator = loader.iterator(); ; ) {
      try {
        if (!iterator.hasNext()) {
          break;
        }
        found.add(iterator.next());
      } catch (ServiceConfigurationError e) {
        // One broken provider must not hide the others; it is named in the error below.
        broken.add(e.getMessage());
      }
    }
    List<TesClientProvider> matching =
        found.stream().filter(p -> p.schemes().contains(scheme)).collect(Collectors.toList());
    if (matching.size() == 1) {
      return matching.get(0).connect(uri);
    }
    String available =
        found.isEmpty()
            ? "none"
            : found.stream()
                .map(p -> p.name() + " " + p.schemes().stream().sorted().collect(Collectors.joining(", ")))
                .collect(Collectors.joining("; "));
    if (matching.isEmpty()) {
      throw new TesClientException(
          "no tes4j provider handles the scheme '"
              + scheme
              + "' of "
              + shown(uri.toString())
              + ". Providers found: "
              + available
              + (broken.isEmpty() ? "" : ". Providers that failed to load: " + String.join("; ", broken))
              + ". Add the module that provides this scheme to the class path "
              + "(tes-client for http and https).");
    }
    throw new TesClientException(
        "more than one tes4j provider handles the scheme '"
            + scheme
            + "': "
            + matching.stream().map(TesClientProvider::name).collect(Collectors.joining(", "))
            + ". Keep only one of them on the class path.");
  }
}
