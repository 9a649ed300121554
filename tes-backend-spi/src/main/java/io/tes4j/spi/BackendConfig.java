package io.tes4j.spi;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a {@link BackendProvider} opens: the backend URI and its settings, which come from the URI's
 * query ({@code local:?runtime=host&keep=true}) merged with those set on the engine's builder (the
 * builder's win).
 *
 * @param uri the backend URI as given, e.g. {@code local:?runtime=host}
 * @param parameters the settings, by name; never {@code null}
 */
public record BackendConfig(URI uri, Map<String, String> parameters) {

  /**
   * The standard parameters of a transfer policy, which a server that takes tasks from others sets
   * on its backend ({@code tes4j serve} does, from {@code --allow-scheme}, {@code --allow-host} and
   * {@code --file-root}):
   *
   * <ul>
   *   <li>{@code allowSchemes}: the URL schemes tasks' files may use, comma-separated;
   *   <li>{@code allowHosts}: the hosts they may reach (names, {@code *.example.org}, IP addresses,
   *       {@code *}), comma-separated;
   *   <li>{@code privateAddresses}: {@code refuse} (loopback, link-local, private... addresses only
   *       for hosts named in {@code allowHosts}) or {@code allow};
   *   <li>{@code fileRoots}: the only local directories {@code file:} locations may use,
   *       comma-separated absolute paths; empty for none.
   * </ul>
   *
   * <p>A backend that moves task files must accept them (list them in {@link #requireOnly}) and
   * enforce them at every hop of every transfer: one on the {@code transfer} module gets it all
   * from {@code TransferSettings.builder().policyParameters(config.parameters())}; one whose files
   * move elsewhere (in pods, on a cluster) passes them to whatever moves them ({@code tes4j filer}
   * takes the same rules as options). A backend that moves no files ({@code mock:}) accepts and
   * ignores them. A backend that cannot enforce them must not accept them: the server then fails
   * at start, naming the parameter, instead of running tasks without the policy. The names are
   * those of {@code io.tes4j.transfer.TransferPolicy.PARAMETERS}.
   */
  public static final Set<String> TRANSFER_POLICY_PARAMETERS =
      Set.of("allowSchemes", "allowHosts", "privateAddresses", "fileRoots");

  /** Copies the parameters, keeping their order. */
  public BackendConfig {
    Objects.requireNonNull(uri, "uri");
    parameters = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(parameters, "parameters")));
  }

  /**
   * The config of {@code uri} with the parameters of its query ({@code a=1&b=2}, percent-decoded),
   * overridden by {@code overrides}.
   *
   * @throws IllegalArgumentException when a query parameter is given twice
   */
  public static BackendConfig of(URI uri, Map<String, String> overrides) {
    Map<String, String> parameters = new LinkedHashMap<>();
    String query = uri.getRawQuery();
    if (query == null && uri.isOpaque()) {
      // "local:?runtime=host" is opaque: its query is part of the scheme-specific part.
      String ssp = uri.getRawSchemeSpecificPart();
      int mark = ssp.indexOf('?');
      query = mark < 0 ? null : ssp.substring(mark + 1);
    }
    if (query != null && !query.isEmpty()) {
      for (String pair : query.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String name = decode(eq < 0 ? pair : pair.substring(0, eq));
        String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
        if (parameters.put(name, value) != null) {
          throw new IllegalArgumentException(
              "backend URI " + redacted(uri) + ": the parameter '" + name + "' is given twice");
        }
      }
    }
    parameters.putAll(overrides);
    return new BackendConfig(uri, parameters);
  }

  /** The parameter's value, if set. */
  public Optional<String> get(String name) {
    return Optional.ofNullable(parameters.get(name));
  }

  /**
   * Refuses parameters the backend does not know, so that a typo is not silently ignored.
   *
   * <p>The engine's own parameters ({@code store}, {@code maxRunning}, {@code tagLimit.KEY}...)
   * are taken out of the config before the provider sees it, so a backend lists only its own.
   *
   * @throws UnknownParameterException naming the unknown parameters and listing the known ones
   */
  public void requireOnly(Set<String> known) {
    Set<String> unknown = new TreeSet<>(parameters.keySet());
    unknown.removeAll(known);
    if (!unknown.isEmpty()) {
      throw new UnknownParameterException(
          "backend URI " + redacted(uri) + ": unknown parameter" + (unknown.size() > 1 ? "s " : " ")
              + String.join(", ", unknown) + "; " + uri.getScheme() + ": knows "
              + (known.isEmpty() ? "no parameters" : String.join(", ", new TreeSet<>(known))),
          unknown,
          known);
    }
  }

  /**
   * A backend URI from its text; a bare scheme ({@code "mock:"}, {@code "local:"}), which {@link
   * URI#create} refuses, is read as {@code "mock:?"}: the same opaque form as {@code
   * "local:?runtime=host"}, with no parameters.
   *
   * @throws IllegalArgumentException when {@code text} is not a URI
   */
  public static URI uri(String text) {
    Objects.requireNonNull(text, "text");
    return URI.create(text.matches("[A-Za-z][A-Za-z0-9+.-]*:") ? text + "?" : text);
  }

  /** The URI without its user info or query, whose values may be secrets: for messages. */
  public static String redacted(URI uri) {
    if (uri.isOpaque()) {
      String ssp = uri.getRawSchemeSpecificPart();
      int mark = ssp.indexOf('?');
      return uri.getScheme() + ":"
          + (mark < 0 ? ssp : ssp.substring(0, mark) + (mark == ssp.length() - 1 ? "" : "?..."));
    }
    StringBuilder text = new StringBuilder(uri.getScheme()).append("://");
    if (uri.getRawUserInfo() != null) {
      text.append("***@");
    }
    if (uri.getHost() != null) {
      text.append(uri.getHost());
    }
    if (uri.getPort() >= 0) {
      text.append(':').append(uri.getPort());
    }
    if (uri.getRawPath() != null) {
      text.append(uri.getRawPath());
    }
    if (uri.getRawQuery() != null) {
      text.append("?...");
    }
    return text.toString();
  }

  /** Never shows the parameters' values, which may hold secrets. */
  @Override
  public String toString() {
    return "BackendConfig[" + redacted(uri) + ", parameters=" + parameters.keySet() + "]";
  }

  private static String decode(String text) {
    return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
