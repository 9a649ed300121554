package io.tes4j.cli.internal;

import io.tes4j.api.TesClientException;
import io.tes4j.api.internal.Providers;
import io.tes4j.engine.TesEngine;
import io.tes4j.server.TaskPolicy;
import io.tes4j.server.TesApi;
import io.tes4j.server.TesServer;
import io.tes4j.server.auth.Authenticator;
import io.tes4j.server.auth.Authenticators;
import io.tes4j.store.TaskStoreInUseException;
import io.tes4j.transfer.TransferPolicy;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tes4j serve}: a TES 1.1 server over an engine on a backend (this machine by default), until
 * SIGINT or SIGTERM; then the server stops (requests in flight finish), the engine closes (its store
 * keeps the tasks) and the process exits 0.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Serve the TES 1.1 API (/ga4gh/tes/v1, and /v1 for TESP API clients and Nextflow) over an"
          + " engine on a backend: local: (this machine; the default), mock:, or any backend whose"
          + " module is on the class path.",
      "Without --auth the server binds 127.0.0.1 unless --bind says otherwise; with --tls-cert and --tls-key"
          + " it serves HTTPS. With --store"
          + " jdbc:sqlite:PATH or jdbc:postgresql://... the tasks survive a restart.",
      "Ctrl-C or SIGTERM stops it: requests in flight finish (up to --shutdown-grace), then the"
          + " engine closes and the process exits 0.",
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:stopped by SIGINT or SIGTERM",
      "1:the address cannot be bound (e.g. the port is taken), or another engine holds the store",
      "2:usage error (bad option, unknown backend scheme or parameter)",
      "3:the backend cannot be used here (e.g. its container runtime is missing)",
    })
final class ServeCommand implements Callable<Integer> {
  private final Context ctx;

  @Option(
      names = "--backend",
      paramLabel = "URI",
      defaultValue = "local:",
      description = "The backend: local:, local:?runtime=host, mock:, or another backend's URI. Default: ${DEFAULT-VALUE}.")
  private String backend;

  @Option(
      names = "--bind",
      paramLabel = "ADDR",
      description = "The address to listen on. Default: 127.0.0.1 without --auth, else 0.0.0.0.")
  private String bind;

  @Option(
      names = "--port",
      paramLabel = "N",
      defaultValue = "8000",
      description = "The port; 0 picks a free one (the line printed at start names it). Default: ${DEFAULT-VALUE}.")
  private int port;

  @Option(
      names = "--auth",
      paramLabel = "SPEC",
      description = "Who may call: none (the default), basic:USERS_FILE, bearer:TOKENS_FILE or"
          + " oidc:ISSUER_URL[,audience=AUD][,jwks=URL][,user-claim=CLAIM][,scope-prefix=P][,alg=ALG]..."
          + "[,clock-skew=SECONDS]. Repeat it to accept any of several.")
  private List<String> auth = new ArrayList<>();

  /** How many ended tasks {@link #DEFAULT_STORE} keeps (a string: the option's description shows it). */
  static final String DEFAULT_KEEP_ENDED = "100000";

  @Option(
      names = "--store",
      paramLabel = "SPEC",
      description = "Where the engine keeps its tasks: memory (the default; it keeps every unfinished task and"
          + " the newest " + DEFAULT_KEEP_ENDED + " ended ones, memory:?keepEnded=N keeps N), jdbc:sqlite:PATH or"
          + " jdbc:postgresql://HOST:PORT/DB. Not together with a store parameter in --backend.")
  private String store;

  /**
   * The store when --store is absent or plain {@code memory}: a server runs for long and takes tasks
   * from strangers, so its heap must not grow with every task it ever ran (about 1.3 KB each).
   */
  static final String DEFAULT_STORE = "memory:?keepEnded=" + DEFAULT_KEEP_ENDED;

  /**
   * The most tasks waiting QUEUED when the --backend URI sets no maxQueued: a flood of long tasks
   * must not hold the heap and the store without bound.
   */
  static final int DEFAULT_MAX_QUEUED = 100_000;

  @Option(names = "--isolate-users", description = "Each user sees and cancels only their own tasks.")
  private boolean isolateUsers;

  @Option(
      names = "--file-root",
      paramLabel = "DIR",
      description = "Allow file: inputs and outputs under DIR (repeatable). Default: no file: URL at all,"
          + " and the backend gets no file access.")
  private List<Path> fileRoots = new ArrayList<>();

  @Option(
      names = "--allow-scheme",
      paramLabel = "S",
      description = "A URL scheme tasks may use (repeatable); replaces the default http, https, ftp, s3.")
  private List<String> schemes = new ArrayList<>();

  @Option(
      names = "--allow-host",
      paramLabel = "H",
      description = "A host tasks' URLs may reach: a name, *.example.org, an IP address, or * for any"
          + " (repeatable; for s3 the bucket, and the S3 endpoint's host). Default: any host with a"
          + " public address. Loopback, link-local (169.254.169.254), private and other non-public"
          + " addresses are refused at every hop (redirects, S3 endpoint, FTP data) unless an entry"
          + " other than * names the host: --allow-host 127.0.0.1, --allow-host minio.internal.")
  private List<String> hosts = new ArrayList<>();

  @Option(
      names = "--max-request-size",
      paramLabel = "SIZE",
      defaultValue = "10MiB",
      converter = ByteSize.class,
      description = "The largest request body accepted (413 beyond). Default: ${DEFAULT-VALUE}.")
  private long maxRequestBytes;

  @Option(
      names = "--shutdown-grace",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "How long requests in flight may take to finish when stopping. Default: ${DEFAULT-VALUE}.")
  private Duration shutdownGrace;

  // --- HTTPS and the limits on slow and many clients (TesServer's; docs/server.md) -------------

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description = "Serve HTTPS with this PEM certificate chain (the server's certificate first, then its"
          + " intermediates, as certbot's fullchain.pem). Goes with --tls-key. Default: plain HTTP.")
  private Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      description = "The private key of --tls-cert, a PEM file, unencrypted: PKCS#8 (BEGIN PRIVATE KEY; RSA, EC,"
          + " Ed25519), PKCS#1 (BEGIN RSA PRIVATE KEY) or SEC1 (BEGIN EC PRIVATE KEY).")
  private Path tlsKey;

  @Option(
      names = "--header-timeout",
      paramLabel = "DURATION",
      defaultValue = "20s",
      converter = DurationConverter.class,
      description = "How long a request's headers may take to arrive (a new connection's first request from"
          + " the accept); a connection late with them is closed. Default: ${DEFAULT-VALUE}.")
  private Duration headerTimeout;

  @Option(
      names = "--body-timeout",
      paramLabel = "DURATION",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description = "How long a request's body may take to arrive; a request late with it gets 408."
          + " Default: ${DEFAULT-VALUE}.")
  private Duration bodyTimeout;

  @Option(
      names = "--max-connections",
      paramLabel = "N",
      defaultValue = "10000",
      description = "How many connections may be open at once; more wait until one closes. Default: ${DEFAULT-VALUE}.")
  private int maxConnections;

  ServeCommand(Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() throws InterruptedException {
    checkBackend();
    if (port < 0 || port > 65535) {
      throw new UsageError("--port must be between 0 and 65535, was " + port);
    }
    if (maxRequestBytes < 1) {
      throw new UsageError("--max-request-size must be at least 1 byte");
    }
    if (shutdownGrace.isNegative()) {
      throw new UsageError("--shutdown-grace must not be negative");
    }
    checkConnectionLimits();
    Authenticator authenticator = authenticator();
    TaskPolicy policy = policy();
    TesEngine engine;
    try {
      engine = engine(policy);
    } catch (StoreTaken e) {
      ctx.error(e.getMessage()); // a resource taken, as a port is: not a usage error
      return ExitCodes.FAILED;
    }
    TesServer server;
    try {
      TesServer.Builder builder = TesServer.builder(engine)
          .port(port)
          .authenticator(authenticator)
          .policy(policy)
          .isolateUsers(isolateUsers)
          .maxRequestBytes(maxRequestBytes)
          .shutdownGrace(shutdownGrace);
      if (bind != null) {
        builder.bind(bind);
      }
      connectionLimits(builder, engine);
      server = builder.start();
    } catch (UncheckedIOException e) {
      engine.close();
      ctx.error(e.getMessage());
      return ExitCodes.FAILED;
    }
    Thread stop = new Thread(() -> {
      server.close();
      engine.close();
      ctx.out().flush();
      ctx.err().flush();
      System.err.close(); // the log, batched under serve (BatchedStderr): its last lines
      // Halt, as System.exit would wait for this very hook; the state is stored and the port free.
      Runtime.getRuntime().halt(ExitCodes.OK);
    }, "tes4j-serve-stop");
    Runtime.getRuntime().addShutdownHook(stop);
    ctx.out().println("tes4j serving TES 1.1 at " + server.uri() + " (backend " + Providers.shown(backend)
        + ", auth " + authShown() + (isolateUsers ? ", users isolated by the tag " + TesApi.OWNER_TAG : "") + ")");
    ctx.out().flush();
    server.awaitShutdown();
    return ExitCodes.OK;
  }

  private void checkConnectionLimits() {
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new UsageError("--tls-cert and --tls-key go together: give both for HTTPS, or neither for plain HTTP");
    }
    if (headerTimeout.isZero() || bodyTimeout.isZero()) {
      throw new UsageError((headerTimeout.isZero() ? "--header-timeout" : "--body-timeout") + " must be positive");
    }
    if (maxConnections < 1) {
      throw new UsageError("--max-connections must be at least 1, was " + maxConnections);
    }
  }

  /** TLS and the limits on clients; a TLS file that cannot be used is a usage error naming it. */
  private void connectionLimits(TesServer.Builder builder, TesEngine engine) {
    builder.headerTimeout(headerTimeout).bodyTimeout(bodyTimeout).maxConnections(maxConnections);
    if (tlsCert != null) {
      try {
        builder.tls(tlsCert, tlsKey);
      } catch (IllegalArgumentException e) {
        // The message names the file and the problem, never a byte of the key.
        engine.close();
        throw new UsageError("--tls-cert/--tls-key: " + e.getMessage());
      }
    }
  }

  /** The kinds of authentication, never their files or settings. */
  private String authShown() {
    if (auth.isEmpty()) {
      return "none";
    }
    return auth.stream().map(spec -> spec.split(":", 2)[0].toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
  }

  private void checkBackend() {
    if (!backend.matches("[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
      throw new UsageError("--backend " + Providers.shown(backend)
          + ": not a URI with a scheme; use local:, local:?runtime=host, mock:, k8s://..., pulsar+...");
    }
    String lower = backend.toLowerCase(Locale.ROOT);
    if (lower.startsWith("http://") || lower.startsWith("https://")) {
      throw new UsageError("--backend " + Providers.shown(backend)
          + ": serve needs a backend to run tasks on (local:, k8s://..., pulsar+...), not a TES server's URL");
    }
    if (store != null && queryNames(backend).contains("store")) {
      throw new UsageError("--store and the store parameter of --backend both set the store; give it once");
    }
  }

  /** The parameter names of the URI's query, percent-decoded as the engine decodes them. */
  private static List<String> queryNames(String uri) {
    int question = uri.indexOf('?');
    List<String> names = new ArrayList<>();
    if (question >= 0) {
      String query = uri.substring(question + 1);
      int hash = query.indexOf('#');
      for (String pair : (hash < 0 ? query : query.substring(0, hash)).split("&")) {
        String name = pair.split("=", 2)[0];
        try {
          names.add(URLDecoder.decode(name.replace("+", "%2B"), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
          names.add(name); // a broken escape: the engine refuses the URI with its own message
        }
      }
    }
    return names;
  }

  private Authenticator authenticator() {
    if (auth.isEmpty()) {
      return Authenticator.none();
    }
    List<Authenticator> authenticators = new ArrayList<>();
    for (String spec : auth) {
      try {
        authenticators.add(Authenticators.fromSpec(spec));
      } catch (IllegalArgumentException e) {
        // fromSpec's message names the kind and what is wrong; the value itself may hold a secret.
        throw new UsageError(e.getMessage());
      }
    }
    try {
      return authenticators.size() == 1 ? authenticators.get(0) : Authenticators.anyOf(authenticators);
    } catch (IllegalArgumentException e) {
      throw new UsageError("--auth: " + e.getMessage()); // e.g. none together with another kind
    }
  }

  private TaskPolicy policy() {
    try {
      TaskPolicy.Builder policy = TaskPolicy.builder()
          .fileRoots(fileRoots.toArray(Path[]::new))
          .allowHosts(hosts.toArray(String[]::new));
      if (!schemes.isEmpty()) {
        policy.allowSchemes(schemes.toArray(String[]::new));
      }
      return policy.build();
    } catch (IllegalArgumentException e) {
      throw new UsageError(e.getMessage().replace("fileRoots (tes4j serve: --file-root DIR)", "--file-root DIR"));
    }
  }

  /**
   * The engine over the backend, which gets the policy as its standard transfer parameters: the
   * backend then checks every hop of every transfer (redirects, the S3 endpoint, the address of
   * each connection) and has no file access beyond the file roots. A backend that cannot enforce
   * them refuses the parameters, and serve stops with its message.
   */
  private TesEngine engine(TaskPolicy policy) {
    Map<String, String> transferParameters;
    try {
      transferParameters = policy.backendParameters();
    } catch (IllegalArgumentException e) {
      throw new UsageError("--file-root: " + e.getMessage());
    }
    List<String> given = queryNames(backend);
    for (String name : TransferPolicy.PARAMETERS) {
      if (given.contains(name)) {
        throw new UsageError("--backend " + Providers.shown(backend) + ": its " + name + " parameter is set by serve"
            + " from --allow-scheme, --allow-host and --file-root; use those options instead");
      }
    }
    try {
      TesEngine.Builder engine = TesEngine.builder().backend(backend);
      transferParameters.forEach(engine::parameter);
      if (store != null && !store.trim().equalsIgnoreCase("memory")) {
        engine.store(store);
      } else if (!given.contains("store")) {
        engine.store(DEFAULT_STORE);
      }
      if (!given.contains("maxQueued")) {
        engine.maxQueued(DEFAULT_MAX_QUEUED);
      }
      return engine.build();
    } catch (TesClientException e) {
      for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
        if (cause instanceof TaskStoreInUseException) {
          throw new StoreTaken(cause.getMessage()); // names the store, its lock and who holds it
        }
      }
      // No backend for the scheme, a parameter it refuses, or a store that cannot be opened.
      throw new UsageError("--backend " + Providers.shown(backend) + (store == null ? "" : " with --store")
          + ": " + e.getMessage());
    }
  }

  /** Another engine (another {@code tes4j serve}, most likely) holds the store. */
  private static final class StoreTaken extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StoreTaken(String message) {
      super(message);
    }
  }
}
