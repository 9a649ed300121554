package io.tes4j.backend.pulsar;

import io.tes4j.api.internal.Durations;
import io.tes4j.backend.pulsar.internal.Placement;
import io.tes4j.backend.pulsar.internal.PulsarBackend;
import com.rabbitmq.client.ConnectionFactory;
import io.tes4j.backend.pulsar.internal.PulsarClient;
import io.tes4j.backend.pulsar.internal.PulsarQueue;
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
 * The {@code pulsar+http:}, {@code pulsar+https:}, {@code pulsar+amqp:} and {@code pulsar+amqps:}
 * backends: each task runs as a job of a Galaxy Pulsar server, driven over Pulsar's REST API or its
 * message queue. {@code TesClient.connect("pulsar+http://host:8913/")} opens one; {@code tes4j serve
 * --backend 'pulsar+https://host/pulsar?private_token=...'} serves TES over it, as TESP API does.
 *
 * <p>REST: the URI is {@code pulsar+http://HOST:PORT/[PATH]?PARAMETERS} (or {@code pulsar+https});
 * the Pulsar server is {@code http://HOST:PORT/[PATH]}.
 *
 * <p>AMQP: the URI is {@code
 * pulsar+amqp://USER:PASSWORD@HOST:PORT/VHOST?files=http://PULSARHOST:PORT/[PATH]&PARAMETERS} (or
 * {@code pulsar+amqps}, TLS with the certificate and host name checked): jobs are launched, killed
 * and asked for over the broker's queues (Pulsar's {@code message_queue_url}), their statuses come
 * pushed, and their files go over the HTTP file routes of the Pulsar web app that {@code files}
 * names. The user, password and virtual host are percent-decoded; no virtual host, or {@code %2F},
 * is the broker's default {@code /}. One engine per Pulsar manager and broker: two would take each
 * other's status updates.
 *
 * <p>Parameters, in the query or set on the engine's builder:
 *
 * <ul>
 *   <li>{@code private_token}: the server's {@code private_token} (app.yml), sent with every request
 *       as Pulsar wants it, in the query string; never logged. Default: none (a server without one).
 *   <li>{@code manager}: the Pulsar job manager; default {@code _default_}.
 *   <li>{@code runtime}: {@code docker} (the default), {@code singularity}, {@code apptainer} or
 *       {@code none} ({@link PulsarRuntime}): the host's own programs, in a bubblewrap sandbox that
 *       shows the task's files at their paths (it needs {@code bwrap} on the Pulsar host).
 *   <li>{@code pollInterval}: the pause between two rounds of status requests; default {@code 2s}.
 *       Over AMQP, a round asks only for the jobs {@code statusRequestAfter} says.
 *   <li>{@code maxPollsPerSecond}: the most status requests a second, all tasks together; default
 *       {@code 20}. Pulsar's REST API has no status of many jobs at once, so 10,000 running tasks take
 *       500 s a round at this pace, and never more requests than this.
 *   <li>{@code giveUpAfter}: how long a job's status may stay unreadable (Pulsar down, answering
 *       500, dropping connections) before its task ends SYSTEM_ERROR; default {@code 10m}.
 *   <li>{@code requestTimeout}: how long one request may take, or, over AMQP, how long a message
 *       waits for the broker's confirm; default {@code 60s}.
 *   <li>{@code maxAttempts}: how often one request is tried when it fails in a way that may pass;
 *       default {@code 4}, with back-off from 0.5 s to 10 s.
 *   <li>{@code workers}: how many tasks are staged or collected at once; default {@code 8}.
 *   <li>{@code staging}: {@code engine} (the default: this machine fetches every input through
 *       {@code transfer}, under the transfer policy, and uploads it) or {@code pulsar} (Pulsar
 *       writes small content inputs and, under a permissive transfer policy, downloads http(s) file
 *       inputs itself: its remote staging; the rest as {@code engine}). Outputs always pass through
 *       this machine, which pushes them to their URLs and fails the task when one cannot be.
 *   <li>{@code files} (AMQP, required): the Pulsar web app's URL, {@code http(s)://HOST:PORT/[PATH]}.
 *   <li>{@code amqp_key_prefix} (AMQP): Pulsar's own {@code amqp_key_prefix}, when its app.yml sets
 *       one; by default the queues are {@code pulsar__setup}... for the manager {@code _default_}
 *       and {@code pulsar_MANAGER__setup}... for the others.
 *   <li>{@code statusRequestAfter} (AMQP): how long a job may go without a status update before
 *       tes4j asks Pulsar for one; default {@code 60s}. A job being cancelled is asked at every
 *       round ({@code pollInterval}), as Pulsar publishes no {@code cancelled}.
 *   <li>{@code exitCheckAfter}: how long a job may be said to run before tes4j also looks for the
 *       file its command line writes as it ends (then at doubling intervals, up to 30 minutes),
 *       and how long that file may be there while Pulsar still says running before the job is
 *       taken as over: Pulsar says {@code running} forever for a job it could not take over after
 *       a restart. Default {@code 1m}.
 *   <li>{@code workdir}: where inputs and outputs pass through on this machine on their way to and
 *       from Pulsar; default {@code <java.io.tmpdir>/tes4j-pulsar}.
 *   <li>{@code server.NAME=URL}, with {@code server.NAME.private_token} and {@code
 *       server.NAME.manager}: one more Pulsar server, {@code http(s)://HOST:PORT/[PATH]}, named
 *       {@code NAME} (lower-case letters, digits, {@code -} and {@code _}); the URI's own server is
 *       {@code default}. Or a message queue, {@code amqp(s)://USER:PASSWORD@HOST:PORT/VHOST}, with
 *       {@code server.NAME.files} (required) and {@code server.NAME.amqp_key_prefix}. Repeat for
 *       each. Runtime and pace are shared.
 *   <li>{@code placement}: which server runs a task that does not name one in {@code
 *       resources.backend_parameters.pulsar_server}: {@code round-robin} (the default), {@code
 *       least-busy} (the fewest of this engine's unfinished tasks), {@code tag:KEY} (the server
 *       its tag {@code KEY} names), or the name of a {@link PulsarPlacement} on the class path.
 *   <li>{@code fileRoots}, {@code allowSchemes}, {@code allowHosts}, {@code privateAddresses}: the
 *       transfer policy the task's inputs and outputs obey on this machine ({@link
 *       BackendConfig#TRANSFER_POLICY_PARAMETERS}); {@code tes4j serve} sets them.
 * </ul>
 *
 * <p>Durations are {@code 500ms}, {@code 2s}, {@code 10m}, {@code 1h}, compounds such as {@code 1h30m}, or
 * ISO-8601 ({@code PT2S}), as everywhere in tes4j.
 * Any other parameter is refused, naming the known ones, and so is a bad value.
 */
public final class PulsarBackendProvider implements BackendProvider {
  /** The parameters this backend knows, besides the transfer policy's. */
  public static final Set<String> PARAMETERS = Set.of(
      "private_token", "manager", "runtime", "pollInterval", "maxPollsPerSecond", "giveUpAfter",
      "requestTimeout", "maxAttempts", "workers", "workdir", "placement", "staging", "files",
      "amqp_key_prefix", "statusRequestAfter", "exitCheckAfter");

  /** The parameters only the AMQP schemes know. */
  private static final Set<String> AMQP_PARAMETERS = Set.of("files", "amqp_key_prefix", "statusRequestAfter");

  /**
   * {@code server.NAME}, {@code server.NAME.private_token}, {@code server.NAME.manager}, {@code
   * server.NAME.files}, {@code server.NAME.amqp_key_prefix}.
   */
  private static final Pattern SERVER_PARAMETER = Pattern.compile(
      "server\\.([a-z0-9][a-z0-9_-]{0,62})(\\.(private_token|manager|files|amqp_key_prefix))?");

  /** The provider, as {@link java.util.ServiceLoader} makes it. */
  public PulsarBackendProvider() {}

  /** {@code pulsar (Galaxy Pulsar servers, over REST or AMQP)}. */
  @Override
  public String name() {
    return "pulsar (Galaxy Pulsar servers, over REST or AMQP)";
  }

  /** {@code pulsar+http}, {@code pulsar+https}, {@code pulsar+amqp} and {@code pulsar+amqps}. */
  @Override
  public Set<String> schemes() {
    return Set.of("pulsar+http", "pulsar+https", "pulsar+amqp", "pulsar+amqps");
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
    URI uri = config.uri();
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    boolean amqp = scheme.equals("pulsar+amqp") || scheme.equals("pulsar+amqps");
    if (!amqp) {
      known.removeAll(AMQP_PARAMETERS);
    }
    config.requireOnly(known);
    if (uri.isOpaque() || uri.getHost() == null) {
      throw new IllegalArgumentException(BackendConfig.redacted(uri) + ": a Pulsar URI names its server, as in "
          + (amqp ? scheme + "://USER:PASSWORD@HOST:PORT/VHOST?files=http://PULSARHOST:PORT/"
              : scheme + "://HOST:PORT/[PATH]?private_token=..."));
    }
    if (uri.getRawUserInfo() != null && !amqp) {
      throw new IllegalArgumentException(BackendConfig.redacted(uri)
          + ": Pulsar takes no user or password in the URI; give its token as the private_token parameter");
    }
    Duration requestTimeout = duration(config, "requestTimeout", Duration.ofSeconds(60));
    URI server;
    PulsarQueue queue = null;
    String manager = config.get("manager").filter(v -> !v.isBlank()).map(String::strip).orElse("_default_");
    if (amqp) {
      String files = config.get("files").filter(v -> !v.isBlank()).orElseThrow(() -> new IllegalArgumentException(
          "pulsar: " + BackendConfig.redacted(uri) + " needs the files parameter, the URL of the Pulsar web app"
              + " (files=http://PULSARHOST:PORT/[PATH]): Pulsar's queue carries no files, its web app's file"
              + " routes do"));
      server = serverUrl("files", files.strip());
      URI broker;
      try {
        broker = new URI(scheme.substring("pulsar+".length()) + ":" + uri.getRawSchemeSpecificPart().replaceFirst("\\?.*$", ""));
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(BackendConfig.redacted(uri) + " is not a Pulsar URI: " + e.getMessage(), e);
      }
      queue = queue(broker, manager, config.get("amqp_key_prefix").orElse(null), requestTimeout);
    } else {
      try {
        server = new URI(scheme.substring("pulsar+".length()), null, uri.getHost(), uri.getPort(),
            uri.getPath() == null || uri.getPath().isEmpty() ? "/" : uri.getPath(), null, null);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(BackendConfig.redacted(uri) + " is not a Pulsar URI: " + e.getMessage(), e);
      }
    }
    PulsarRuntime runtime = config.get("runtime").filter(v -> !v.isBlank())
        .map(v -> PulsarRuntime.fromParameter(v).orElseThrow(() -> new IllegalArgumentException(
            "pulsar: runtime=" + v + " is not a runtime; use one of " + PulsarRuntime.allParameters())))
        .orElse(PulsarRuntime.DOCKER);
    Duration pollInterval = duration(config, "pollInterval", Duration.ofSeconds(2));
    double maxPollsPerSecond = number(config, "maxPollsPerSecond", 20);
    Duration giveUpAfter = duration(config, "giveUpAfter", Duration.ofMinutes(10));
    Duration statusRequestAfter = duration(config, "statusRequestAfter", Duration.ofSeconds(60));
    Duration exitCheckAfter = duration(config, "exitCheckAfter", Duration.ofMinutes(1));
    boolean pulsarStaging = switch (config.get("staging").filter(v -> !v.isBlank()).map(String::strip).orElse("engine")) {
      case "engine" -> false;
      case "pulsar" -> true;
      default -> throw new IllegalArgumentException("pulsar: staging=" + config.get("staging").get()
          + " is not a staging mode; use engine (this machine fetches the inputs and uploads them) or pulsar"
          + " (Pulsar writes content inputs and downloads http(s) file inputs itself)");
    };
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
      settings = new PulsarBackend.Settings(runtime, pollInterval, maxPollsPerSecond, giveUpAfter, workers, workdir,
          statusRequestAfter, pulsarStaging, exitCheckAfter);
      retry = new PulsarClient.Retry(maxAttempts, Duration.ofMillis(500), Duration.ofSeconds(10));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("pulsar: " + e.getMessage(), e);
    }
    HttpClient http = HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
    Map<String, PulsarClient> servers = new LinkedHashMap<>();
    Map<String, PulsarQueue> queues = new LinkedHashMap<>();
    servers.put(PulsarBackend.DEFAULT_SERVER, new PulsarClient(
        server, manager, config.get("private_token").orElse(null), requestTimeout, retry, http));
    if (queue != null) {
      queues.put(PulsarBackend.DEFAULT_SERVER, queue);
    }
    more.forEach((name, settingsOf) -> {
      if (name.equals(PulsarBackend.DEFAULT_SERVER)) {
        throw new IllegalArgumentException("pulsar: server." + name + ": '" + name
            + "' is the name of the URI's own server; give the others other names");
      }
      String url = settingsOf.get("url");
      if (url == null || url.isBlank()) {
        throw new IllegalArgumentException("pulsar: server." + name + "." + settingsOf.keySet().iterator().next()
            + " is set, but not server." + name + ", the server's URL (http://HOST:PORT/[PATH], or"
            + " amqp://USER:PASSWORD@HOST:PORT/VHOST with server." + name + ".files)");
      }
      String serverManager = settingsOf.getOrDefault("manager", "_default_");
      String files = settingsOf.get("files");
      if (url.strip().toLowerCase(Locale.ROOT).matches("amqps?:.*")) {
        if (files == null || files.isBlank()) {
          throw new IllegalArgumentException("pulsar: server." + name + " is a message queue; it needs server." + name
              + ".files, the URL of that Pulsar's web app (http://HOST:PORT/[PATH]), whose file routes carry the"
              + " files");
        }
        URI broker;
        try {
          broker = new URI(url.strip());
        } catch (URISyntaxException e) {
          throw new IllegalArgumentException("pulsar: server." + name + " is not a URL (amqp://USER:PASSWORD@HOST:PORT/VHOST)", e);
        }
        queues.put(name, queue(broker, serverManager, settingsOf.get("amqp_key_prefix"), requestTimeout));
        servers.put(name, new PulsarClient(serverUrl(name + ".files", files.strip()), serverManager,
            settingsOf.get("private_token"), requestTimeout, retry, http));
        return;
      }
      if (files != null || settingsOf.containsKey("amqp_key_prefix")) {
        throw new IllegalArgumentException("pulsar: server." + name + (files != null ? ".files" : ".amqp_key_prefix")
            + " is set, but server." + name + " is not a message queue (amqp://...): a REST server's files go"
            + " through server." + name + " itself");
      }
      servers.put(name, new PulsarClient(serverUrl(name, url.strip()), serverManager,
          settingsOf.get("private_token"), requestTimeout, retry, http));
    });
    Placement placement = Placement.parse(config.get("placement").orElse(null), List.copyOf(servers.keySet()));
    Transfers transfers = Transfers.create(transferSettings);
    return new PulsarBackend(servers, queues, placement, settings, transfers, true, transfers.storageLocations());
  }

  /** The queue client of a broker URL, {@code amqp(s)://USER:PASSWORD@HOST:PORT/VHOST}; the password is never shown. */
  private static PulsarQueue queue(URI broker, String manager, String keyPrefix, Duration requestTimeout) {
    ConnectionFactory factory;
    try {
      factory = PulsarQueue.connectionFactory(broker, Duration.ofSeconds(10));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("pulsar: " + BackendConfig.redacted(broker) + ": " + e.getMessage(), e);
    }
    String vhost = factory.getVirtualHost();
    String description = "Pulsar queue " + broker.getScheme().toLowerCase(Locale.ROOT) + "://" + broker.getHost()
        + ":" + factory.getPort() + "/" + (vhost.equals("/") ? "" : vhost)
        + (manager.equals("_default_") ? "" : " (manager " + manager + ")");
    return new PulsarQueue(factory, manager, keyPrefix == null || keyPrefix.isBlank() ? null : keyPrefix.strip(),
        requestTimeout, description);
  }

  /**
   * A further server's URL, or the {@code files} URL of a queue: {@code http(s)://HOST[:PORT][/PATH]},
   * with no user, query or fragment.
   */
  private static URI serverUrl(String name, String text) {
    URI url;
    try {
      url = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("pulsar: " + parameterName(name) + " is not a URL: " + e.getMessage(), e);
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null || url.getRawUserInfo() != null
        || url.getRawQuery() != null || url.getRawFragment() != null) {
      throw new IllegalArgumentException("pulsar: " + parameterName(name)
          + " must be http://HOST:PORT/[PATH] or https://...; the token goes in the "
          + (name.equals("files") ? "" : "server." + name.replace(".files", "") + ".") + "private_token parameter");
    }
    return url;
  }

  private static String parameterName(String name) {
    return name.equals("files") ? "files" : "server." + name;
  }

  static Duration duration(BackendConfig config, String name, Duration otherwise) {
    Optional<String> value = config.get(name).filter(v -> !v.isBlank());
    if (value.isEmpty()) {
      return otherwise;
    }
    String text = value.get().strip();
    Duration duration = null;
    try {
      duration = Durations.parse(text);
    } catch (IllegalArgumentException e) {
      // the message below
    }
    if (duration == null || duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("pulsar: " + name + "=" + text
          + " is not a positive duration; write it as 500ms, 2s, 10m, 1h, 1h30m or PT2S");
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
