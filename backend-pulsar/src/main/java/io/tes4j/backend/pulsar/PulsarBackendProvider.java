package io.tes4j.backend.pulsar;

import io.tes4j.backend.pulsar.internal.Placement;
import io.tes4j.backend.pulsar.internal.PulsarBackend;
import io.tes4j.backend.pulsar.internal.PulsarClient;
import io.tes4j.spi.Backend;
import io.tes4j.spi.BackendConfig;
import io.tes4j.spi.BackendProvider;
import io.tes4j.transfer.TransferPolicy;
import io.tes4j.transfer.TransferSettings;
import io.tes4j.transfer.Transfers;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code pulsar+http:} and {@code pulsar+https:} backends: each task runs as a job of a Galaxy
 * Pulsar server, driven over Pulsar's REST API. {@code TesClient.connect("pulsar+http://host:8913/")}
 * opens one; {@code tes4j serve --backend 'pulsar+https://host/pulsar?private_token=...'} serves TES
 * over it, as TESP API does.
 *
 * <p>The URI is {@code pulsar+http://HOST:PORT/[PATH]?PARAMETERS} (or {@code pulsar+https}); the
 * Pulsar server is {@code http://HOST:PORT/[PATH]}. Parameters, in the query or set on the engine's
 * builder:
 *
 * <ul>
 *   <li>{@code private_token}: the server's {@code private_token} (app.yml), sent with every request
 *       as Pulsar wants it, in the query string; never logged. Default: none (a server without one).
 *   <li>{@code manager}: the Pulsar job manager; default {@code _default_}.
 *   <li>{@code runtime}: {@code docker} (the default), {@code singularity}, {@code apptainer} or
 *       {@code none} ({@link PulsarRuntime}): the host's own programs, in a bubblewrap sandbox that
 *       shows the task's files at their paths (it needs {@code bwrap} on the Pulsar host).
 *   <li>{@code pollInterval}: the pause between two rounds of status requests; default {@code 2s}.
 *   <li>{@code maxPollsPerSecond}: the most status requests a second, all tasks together; default
 *       {@code 20}. Pulsar's REST API has no status of many jobs at once, so 10,000 running tasks take
 *       500 s a round at this pace, and never more requests than this.
 *   <li>{@code giveUpAfter}: how long a job's status may stay unreadable (Pulsar down, answering
 *       500, dropping connections) before its task ends SYSTEM_ERROR; default {@code 10m}.
 *   <li>{@code requestTimeout}: how long one request may take; default {@code 60s}.
 *   <li>{@code maxAttempts}: how often one request is tried when it fails in a way that may pass;
 *       default {@code 4}, with back-off from 0.5 s to 10 s.
 *   <li>{@code workers}: how many tasks are staged or collected at once; default {@code 8}.
 *   <li>{@code workdir}: where inputs and outputs pass through on this machine on their way to and
 *       from Pulsar; default {@code <java.io.tmpdir>/tes4j-pulsar}.
 *   <li>{@code server.NAME=URL}, with {@code server.NAME.private_token} and {@code
 *       server.NAME.manager}: one more Pulsar server, {@code http(s)://HOST:PORT/[PATH]}, named
 *       {@code NAME} (lower-case letters, digits, {@code -} and {@code _}); the URI's own server is
 *       {@code default}. Repeat for each. Runtime and pace are shared.
 *   <li>{@code placement}: which server runs a task that does not name one in {@code
 *       resources.backend_parameters.pulsar_server}: {@code round-robin} (the default), {@code
 *       least-busy} (the fewest of this engine's unfinished tasks) or {@code tag:KEY} (the server
 *       its tag {@code KEY} names).
 *   <li>{@code fileRoots}, {@code allowSchemes}, {@code allowHosts}, {@code privateAddresses}: the
 *       transfer policy the task's inputs and outputs obey on this machine ({@link
 *       BackendConfig#TRANSFER_POLICY_PARAMETERS}); {@code tes4j serve} sets them.
 * </ul>
 *
 * <p>Durations are {@code 500ms}, {@code 2s}, {@code 10m}, {@code 1h} or ISO-8601 ({@code PT2S}).
 * Any other parameter is refused, naming the known ones, and so is a bad value.
 */
public final class PulsarBackendProvider implements BackendProvider {
  /** The parameters this backend knows, besides the transfer policy's. */
  public static final Set<String> PARAMETERS = Set.of(
      "private_token", "manager", "runtime", "pollInterval", "maxPollsPerSecond", "giveUpAfter",
      "requestTimeout", "maxAttempts", "workers", "workdir", "placement");

  /** {@code server.NAME}, {@code server.NAME.private_token}, {@code server.NAME.manager}. */
  private static final Pattern SERVER_PARAMETER =
      Pattern.compile("server\\.([a-z0-9][a-z0-9_-]{0,62})(\\.(private_token|manager))?");

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  /** The provider, as {@link java.util.ServiceLoader} makes it. */
  public PulsarBackendProvider() {}

  /** {@code pulsar (Galaxy Pulsar servers, over REST)}. */
  @Override
  public String name() {
    return "pulsar (Galaxy Pulsar servers, over REST)";
  }

  /** {@code pulsar+http} and {@code pulsar+https}. */
  @Override
  public Set<String> schemes() {
    return Set.of("pulsar+http", "pulsar+https");
  }

  /**
   * Opens a backend on the Pulsar server the URI names. Touches no network: a server that is down
   * makes tasks wait and retry, and fail after {@code giveUpAfter}, not the engine fail to start.
   *
   * @throws IllegalArgumentException for a bad URI, an unknown parameter or a bad value, naming it
   */
  @Override
  public Backend open(BackendConfig config) {
    Set<String> known = new LinkedHashSet<>(PARAMETERS);
    known.addAll(BackendConfig.TRANSFER_POLICY_PARAMETERS);
    Map<String, Map<String, String>> more = new LinkedHashMap<>(); // server.NAME.* by NAME
    for (Map.Entry<String, String> parameter : config.parameters().entrySet()) {
      Matcher matcher = SERVER_PARAMETER.matcher(parameter.getKey());
      if (matcher.matches()) {
        known.add(parameter.getKey());
        more.computeIfAbsent(matcher.group(1), n -> new LinkedHashMap<>())
            .put(matcher.group(3) == null ? "url" : matcher.group(3), parameter.getValue());
      }
    }
    config.requireOnly(known);
    URI uri = config.uri();
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    if (uri.isOpaque() || uri.getHost() == null) {
      throw new IllegalArgumentException(BackendConfig.redacted(uri) + ": a Pulsar URI names its server, as in "
          + scheme + "://HOST:PORT/[PATH]?private_token=...");
    }
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(BackendConfig.redacted(uri)
          + ": Pulsar takes no user or password in the URI; give its token as the private_token parameter");
    }
    URI server;
    try {
      server = new URI(scheme.substring("pulsar+".length()), null, uri.getHost(), uri.getPort(),
          uri.getPath() == null || uri.getPath().isEmpty() ? "/" : uri.getPath(), null, null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(BackendConfig.redacted(uri) + " is not a Pulsar URI: " + e.getMessage(), e);
    }
    PulsarRuntime runtime = config.get("runtime").filter(v -> !v.isBlank())
        .map(v -> PulsarRuntime.fromParameter(v).orElseThrow(() -> new IllegalArgumentException(
            "pulsar: runtime=" + v + " is not a runtime; use one of " + PulsarRuntime.allParameters())))
        .orElse(PulsarRuntime.DOCKER);
    String manager = config.get("manager").filter(v -> !v.isBlank()).map(String::strip).orElse("_default_");
    Duration pollInterval = duration(config, "pollInterval", Duration.ofSeconds(2));
    double maxPollsPerSecond = number(config, "maxPollsPerSecond", 20);
    Duration giveUpAfter = duration(config, "giveUpAfter", Duration.ofMinutes(10));
    Duration requestTimeout = duration(config, "requestTimeout", Duration.ofSeconds(60));
    int maxAttempts = (int) whole(config, "maxAttempts", 4);
    int workers = (int) whole(config, "workers", 8);
    Path workdir = config.get("workdir").filter(v -> !v.isBlank()).map(v -> path("workdir", v))
        .orElse(Path.of(System.getProperty("java.io.tmpdir"), "tes4j-pulsar"))
        .toAbsolutePath().normalize();

    TransferSettings transferSettings = TransferSettings.fromEnvironment(System.getenv());
    if (config.get("fileRoots").isPresent()) {
      List<Path> roots = new ArrayList<>();
      for (String root : config.get("fileRoots").get().split(",")) {
        if (!root.isBlank()) {
          Path path = path("fileRoots", root.strip());
          if (!path.isAbsolute()) {
            throw new IllegalArgumentException("pulsar: fileRoots: " + root + " is not an absolute path");
          }
          roots.add(path);
        }
      }
      transferSettings = transferSettings.toBuilder().fileRoots(roots).build();
    }
    if (config.get(TransferPolicy.ALLOW_SCHEMES).isPresent()
        || config.get(TransferPolicy.ALLOW_HOSTS).isPresent()
        || config.get(TransferPolicy.PRIVATE_ADDRESSES).isPresent()) {
      try {
        transferSettings = transferSettings.toBuilder().policy(TransferPolicy.fromParameters(config.parameters())).build();
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("pulsar: " + e.getMessage(), e);
      }
    }
    PulsarBackend.Settings settings;
    PulsarClient.Retry retry;
    try {
      settings = new PulsarBackend.Settings(runtime, pollInterval, maxPollsPerSecond, giveUpAfter, workers, workdir);
      retry = new PulsarClient.Retry(maxAttempts, Duration.ofMillis(500), Duration.ofSeconds(10));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("pulsar: " + e.getMessage(), e);
    }
    HttpClient http = HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
    Map<String, PulsarClient> servers = new LinkedHashMap<>();
    servers.put(PulsarBackend.DEFAULT_SERVER, new PulsarClient(
        server, manager, config.get("private_token").orElse(null), requestTimeout, retry, http));
    more.forEach((name, settingsOf) -> {
      if (name.equals(PulsarBackend.DEFAULT_SERVER)) {
        throw new IllegalArgumentException("pulsar: server." + name + ": '" + name
            + "' is the name of the URI's own server; give the others other names");
      }
      String url = settingsOf.get("url");
      if (url == null || url.isBlank()) {
        throw new IllegalArgumentException("pulsar: server." + name + "." + settingsOf.keySet().iterator().next()
            + " is set, but not server." + name + ", the server's URL (http://HOST:PORT/[PATH])");
      }
      servers.put(name, new PulsarClient(serverUrl(name, url.strip()), settingsOf.getOrDefault("manager", "_default_"),
          settingsOf.get("private_token"), requestTimeout, retry, http));
    });
    Placement placement = Placement.parse(config.get("placement").orElse(null), List.copyOf(servers.keySet()));
    Transfers transfers = Transfers.create(transferSettings);
    return new PulsarBackend(servers, placement, settings, transfers, true, transfers.storageLocations());
  }

  /** A further server's URL: {@code http(s)://HOST[:PORT][/PATH]}, with no user, query or fragment. */
  private static URI serverUrl(String name, String text) {
    URI url;
    try {
      url = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("pulsar: server." + name + " is not a URL: " + e.getMessage(), e);
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null || url.getRawUserInfo() != null
        || url.getRawQuery() != null || url.getRawFragment() != null) {
      throw new IllegalArgumentException("pulsar: server." + name
          + " must be http://HOST:PORT/[PATH] or https://...; its token goes in server." + name + ".private_token");
    }
    return url;
  }

  static Duration duration(BackendConfig config, String name, Duration otherwise) {
    Optional<String> value = config.get(name).filter(v -> !v.isBlank());
    if (value.isEmpty()) {
      return otherwise;
    }
    String text = value.get().strip();
    Matcher matcher = DURATION.matcher(text.toLowerCase(Locale.ROOT));
    Duration duration = null;
    if (matcher.matches()) {
      long amount = Long.parseLong(matcher.group(1));
      duration = switch (matcher.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        default -> Duration.ofHours(amount);
      };
    } else {
      try {
        duration = Duration.parse(text);
      } catch (DateTimeParseException e) {
        // the message below
      }
    }
    if (duration == null || duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("pulsar: " + name + "=" + text
          + " is not a positive duration; write it as 500ms, 2s, 10m, 1h or PT2S");
    }
    return duration;
  }

  private static double number(BackendConfig config, String name, double otherwise) {
    Optional<String> value = config.get(name).filter(v -> !v.isBlank());
    if (value.isEmpty()) {
      return otherwise;
    }
    try {
      double number = Double.parseDouble(value.get().strip());
      if (number > 0 && Double.isFinite(number)) {
        return number;
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw new IllegalArgumentException("pulsar: " + name + "=" + value.get() + " must be a positive number");
  }

  private static long whole(BackendConfig config, String name, long otherwise) {
    Optional<String> value = config.get(name).filter(v -> !v.isBlank());
    if (value.isEmpty()) {
      return otherwise;
    }
    try {
      long number = Long.parseLong(value.get().strip());
      if (number >= 1 && number <= 10_000) {
        return number;
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw new IllegalArgumentException("pulsar: " + name + "=" + value.get() + " must be a whole number from 1 to 10000");
  }

  private static Path path(String name, String value) {
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("pulsar: " + name + "=" + value + " is not a path: " + e.getMessage(), e);
    }
  }

  /** Never shows parameter values. */
  @Override
  public String toString() {
    return "PulsarBackendProvider" + Map.of("schemes", schemes());
  }
}
