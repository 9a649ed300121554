package io.tes4j.engine.internal;

import io.tes4j.api.TesClientException;
import io.tes4j.spi.Backend;
import io.tes4j.spi.BackendConfig;
import io.tes4j.spi.BackendProvider;
import io.tes4j.spi.UnknownParameterException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the {@link BackendProvider} for a backend URI: those registered on the engine's builder
 * first, then those on the class path ({@link ServiceLoader}). Internal.
 */
public final class BackendResolver {
  private static final Logger LOG = LoggerFactory.getLogger("io.tes4j.engine");

  private BackendResolver() {}

  /** A backend and the name of the provider that made it. */
  public record Opened(Backend backend, String providerName) {}

  /** The providers on the class path, and the errors of those that failed to load. */
  public record Discovered(List<BackendProvider> providers, List<String> broken) {}

  /** Loads every provider on the class path; one that fails to load is reported, not thrown. */
  public static Discovered discover() {
    List<BackendProvider> found = new ArrayList<>();
    List<String> broken = new ArrayList<>();
    var iterator = ServiceLoader.load(BackendProvider.class, BackendResolver.class.getClassLoader()).iterator();
    while (true) {
      try {
        if (!iterator.hasNext()) {
          break;
        }
        found.add(iterator.next());
      } catch (ServiceConfigurationError e) {
        broken.add(e.getMessage());
      }
    }
    return new Discovered(found, broken);
  }

  /** Every scheme the providers on the class path claim. */
  public static Set<String> discoveredSchemes() {
    Set<String> schemes = new TreeSet<>();
    for (BackendProvider provider : discover().providers()) {
      for (String scheme : provider.schemes()) {
        schemes.add(scheme.toLowerCase(Locale.ROOT));
      }
    }
    return schemes;
  }

  /**
   * Opens the backend for {@code config.uri()} with the provider that claims its scheme. The
   * config holds the backend's parameters only: the engine's were taken out before.
   *
   * @throws TesClientException when no provider, or more than one of the same kind (registered, or
   *     on the class path), claims the scheme, or when the provider refuses the URI or a parameter;
   *     for an unknown parameter the message lists the engine's parameters too
   */
  public static Opened open(BackendConfig config, List<BackendProvider> registered) {
    URI uri = config.uri();
    if (uri.getScheme() == null) {
      String text = uri.toString();
      int mark = text.indexOf('?');
      String shown = mark < 0 ? text : text.substring(0, mark) + "?..."; // the query may hold a password
      throw new TesClientException(
          "the backend URI '" + shown + "' has no scheme: write it as scheme:..., e.g. local: or mock:?delay=0");
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    Discovered discovered = discover();
    BackendProvider provider = pick(scheme, registered, "registered with backendProvider(...)", false);
    if (provider == null) {
      provider = pick(scheme, discovered.providers(), "on the class path", true);
    }
    if (provider == null) {
      throw new TesClientException(noProvider(uri, scheme, registered, discovered));
    }
    try {
      Backend backend = provider.open(config);
      if (backend == null) {
        throw new TesClientException("the backend provider " + describe(provider) + " returned no backend for " + config);
      }
      LOG.info("opened {} with the backend provider {}", config, describe(provider));
      return new Opened(backend, provider.name());
    } catch (UnknownParameterException e) {
      throw new TesClientException(e.getMessage() + EngineSettings.unknownParameterHint(e.unknown(), e.known()), e);
    } catch (IllegalArgumentException e) {
      throw new TesClientException(e.getMessage(), e);
    }
  }

  /**
   * The one provider of {@code providers} that claims {@code scheme}, or null; {@code sameClassOnce}
   * counts a class listed twice (by two jars of the class path) once.
   */
  private static BackendProvider pick(String scheme, List<BackendProvider> providers, String where, boolean sameClassOnce) {
    List<BackendProvider> matching = new ArrayList<>();
    for (BackendProvider provider : providers) {
      if (provider.schemes().stream().anyMatch(s -> s.equalsIgnoreCase(scheme))
          && (!sameClassOnce || matching.stream().noneMatch(p -> p.getClass() == provider.getClass()))) {
        matching.add(provider);
      }
    }
    if (matching.size() > 1) {
      throw new TesClientException(
          "more than one backend provider " + where + " handles the scheme '" + scheme + "': "
              + matching.stream().map(BackendResolver::describe).collect(Collectors.joining(" and "))
              + ". A backend decides where tasks run, so tes4j never picks one: keep one of them"
              + " (or register the one you want with TesEngine.builder().backendProvider(...)).");
    }
    return matching.isEmpty() ? null : matching.get(0);
  }

  private static String noProvider(URI uri, String scheme, List<BackendProvider> registered, Discovered discovered) {
    List<BackendProvider> all = new ArrayList<>(registered);
    all.addAll(discovered.providers());
    Set<String> schemes = new TreeSet<>();
    all.forEach(p -> p.schemes().forEach(s -> schemes.add(s.toLowerCase(Locale.ROOT))));
    StringBuilder message =
        new StringBuilder("no backend provider handles the scheme '")
            .append(scheme)
            .append("' of ")
            .append(BackendConfig.redacted(uri))
            .append(". Schemes available: ")
            .append(schemes.isEmpty() ? "none" : String.join(", ", schemes))
            .append(". Providers found: ")
            .append(all.isEmpty() ? "none" : all.stream().map(BackendResolver::describe).collect(Collectors.joining("; ")));
    if (!discovered.broken().isEmpty()) {
      message.append(". Providers that failed to load: ").append(String.join("; ", discovered.broken()));
    }
    return message
        .append(". To add one, put the module of the backend on the class path (backend-local for local:,")
        .append(" tes-testing for mock:) or register a provider with TesEngine.builder().backendProvider(...).")
        .toString();
  }

  private static String describe(BackendProvider provider) {
    return provider.name() + " (" + provider.getClass().getName() + ": "
        + provider.schemes().stream().sorted().collect(Collectors.joining(", ")) + ")";
  }
}
