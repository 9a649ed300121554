package io.tes4j.backend.pulsar;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fake of Galaxy Pulsar's REST server (version {@value #VERSION}, default manager type {@code
 * queued_python}), for the tests of backend-pulsar. It speaks the protocol of {@code
 * /work/shared/reference/PULSAR.md}, quirks included, and runs jobs as real {@code bash} processes
 * in a real Pulsar job-directory layout under the staging directory, so a client cannot tell it from
 * Pulsar by what it sends and receives.
 *
 * <p>What it reproduces:
 *
 * <ul>
 *   <li>Routing: every route at the root and under {@code /managers/{name}}; an unknown path, or a
 *       known path with the wrong method, is 404; {@code /jobs/{id}/status} answers every method;
 *       an unknown manager is 500; parameters come from the query string only, a form body is
 *       ignored; a missing required parameter is 500.
 *   <li>Answers: JSON with {@code Content-Type: text/html; charset=UTF-8}, {@code OK} for the other
 *       routes, raw bytes (chunked) for downloads, booleans as the strings {@code "true"}/{@code
 *       "false"}; a failure inside a handler is a 500 with gunicorn's HTML page, except that a
 *       failure Python would raise as {@code OSError} closes the connection with no answer (as
 *       gunicorn does), e.g. a submit for a job that was never set up.
 *   <li>{@code private_token}: when set, every matched route needs it as a query parameter (a
 *       header is not read), else 401; routing comes first, so an unknown path is still 404.
 *   <li>Jobs: setup, uploads by file type (nested or flattened to the basename, {@code ../} escapes
 *       rejected), submit (setup inside submit with {@code setup_params}, {@code
 *       __PULSAR_JOBS_DIRECTORY__}, {@code submit_extras}, {@code touch_outputs}, a repeated submit
 *       ignored), {@code command.sh} with the {@code env} statements, the {@code .orig} copies and
 *       {@code return_code}, the lifecycle {@code preprocessing → queued → running →
 *       postprocessing → complete} (the first status that sees the process finished says {@code
 *       postprocessing}), {@code failed} with return code 1 and the error only in {@code
 *       <job>/stderr}, cancel (a no-op while preprocessing or when finished; SIGKILL of the process
 *       group and the descendants; return code -9), clean ({@code rmtree}, no kill), {@code lost}.
 *   <li>Remote staging: the {@code setup} actions {@code message} and {@code remote_transfer}, in a
 *       background thread, the status staying {@code preprocessing} until they are done.
 * </ul>
 *
 * <p>Every job's status is derived from the files of its job directory, as Pulsar does, so a new
 * FakePulsar on the same staging directory (and port) sees the jobs of one that was {@linkplain
 * #close(boolean) closed without killing them}: a job with a pid file is {@code running}, as in
 * Pulsar, even once its process ended, since only the monitor of the instance that started it
 * removes that file (a cancel still kills it, checked in {@code /proc} against the pid file and the
 * job's script); queued jobs and unfinished remote staging are resumed, as Pulsar's recovery does.
 *
 * <p>Faults for tests: {@link #failNext}, {@link #dropNext}, {@link #delay}; {@link #requests()}
 * lists every request received. All of this is thread-safe.
 *
 * <p><b>Message-queue mode.</b> Built with {@link Builder#amqp(URI)}, it is also Pulsar with
 * {@code message_queue_url} set (PULSAR.md §7, {@code bind_amqp.py}, {@code amqp_exchange.py}),
 * the web app still running: for every manager it consumes {@code <prefix>_setup}, {@code
 * <prefix>_kill} and {@code <prefix>_status} on the broker, and publishes status updates to
 * exchange {@code pulsar} with routing key {@code <prefix>_status_update}, declaring only the
 * exchange (see {@link FakePulsarAmqp}). As in Pulsar, every manager keeps its active jobs in a
 * persistence directory ({@code <staging>/}{@value #PERSISTENCE_DIRECTORY}), and a monitor thread
 * per manager computes their status every {@link Builder#monitorInterval monitor interval}: the
 * first time it (or any status request, HTTP or AMQP) sees {@code running}, {@code running} is
 * published; when a job completes, the postprocessing publishes {@code complete} (or {@code
 * failed}); a failure of preprocessing or of a submit publishes {@code failed}; {@code
 * preprocessing}, {@code queued} and {@code cancelled} are never published, only answered to a
 * status request. A restart takes over as Pulsar's {@code recover_active_jobs} does for {@code
 * queued_python}: a job whose command had not been dequeued yet runs, and a job that had already
 * started (or ended) cannot be recovered: it is published {@code lost} and no longer monitored.
 * Test knobs: {@link #amqpMessages()}, {@link #publishedUpdates()}, {@link #unroutedUpdates()},
 * {@link #acknowledgedUpdates()}, {@link #duplicateUpdates}, {@link #dropUpdates}, {@link
 * #staleUpdateAfterTerminal}, {@link #publishUpdate}, {@link #pauseConsuming}.
 *
 * <pre>{@code
 * try (FakePulsar pulsar = FakePulsar.builder(tmp).privateToken("secret").start()) {
 *   URI base = pulsar.baseUrl(); // http://127.0.0.1:PORT/
 *   ...
 * }
 * try (FakePulsar pulsar = FakePulsar.builder(tmp).amqp(broker.amqpUri()).start()) {
 *   // publish {"job_id": ..., "command_line": ..., "setup_params": {...}} to pulsar__setup
 * }
 * }</pre>
 */
public final class FakePulsar implements AutoCloseable {
  /** The version this fake imitates, as {@code /healthz} and the statuses report it. */
  public static final String VERSION = "0.15.16.dev0";
  /** The manager of the routes without a {@code /managers/{name}} prefix. */
  public static final String DEFAULT_MANAGER = "_default_";
  /** Pulsar's default {@code min_polling_interval}: how often the monitor looks at the active jobs. */
  public static final Duration DEFAULT_MONITOR_INTERVAL = Duration.ofMillis(500);
  /** Pulsar's default {@code amqp_ack_republish_time}. */
  public static final Duration DEFAULT_ACK_REPUBLISH_TIME = Duration.ofSeconds(30);
  /** Pulsar's default {@code status_outbox_drain_interval}. */
  public static final Duration DEFAULT_OUTBOX_DRAIN_INTERVAL = Duration.ofSeconds(5);
  /**
   * Pulsar's {@code persistence_directory} (active jobs, status outbox, acknowledgement stores),
   * inside the staging directory so that a new FakePulsar on the same staging directory finds it;
   * never taken for a job.
   */
  public static final String PERSISTENCE_DIRECTORY = ".persisted_data";
  /** Pulsar's default {@code maximum_stream_size}: each stream in a status is cut to this many bytes. */
  public static final long DEFAULT_MAXIMUM_STREAM_SIZE = 1_048_576;

  private static final Logger LOG = LoggerFactory.getLogger(FakePulsar.class);

  /** webob's default content type, used by every JSON and {@code OK} answer. */
  private static final String HTML_UTF8 = "text/html; charset=UTF-8";
  /** The page gunicorn answers when a handler raises. */
  private static final String INTERNAL_SERVER_ERROR_PAGE = String.join("\n",
      "<html>",
      "  <head>",
      "    <title>Internal Server Error</title>",
      "  </head>",
      "  <body>",
      "    <h1><p>Internal Server Error</p></h1>",
      "    ",
      "  </body>",
      "</html>",
      "");
  /** How long cancel and close wait for a killed process to be gone. */
  private static final Duration KILL_WAIT = Duration.ofSeconds(10);

  // Pulsar's file names in a job directory.
  private static final String LAUNCH_CONFIG = "launch_config";
  private static final String PREPROCESSED = "preprocessed";
  private static final String PREPROCESSING_FAILED = "preprocessing_failed";
  private static final String POSTPROCESSED = "postprocessed";
  private static final String FINAL_STATUS = "final_status";
  private static final String RUNNING = "running";
  private static final String SUBMITTED = "submitted";
  private static final String PID = "pid";
  private static final String CANCELLED = "cancelled";
  private static final String RETURN_CODE = "return_code";
  private static final String COMMAND_SCRIPT = "command.sh";
  private static final String COMMAND_LINE = "command_line";
  private static final List<String> JOB_SUBDIRECTORIES =
      List.of("inputs", "working", "outputs", "configs", "tool_files", "metadata");
  private static final Set<String> DONE = Set.of("complete", "failed", "cancelled", "lost");
  /** The state changes of stateful.py's {@code __proxy_status}. */
  private static final String TO_RUNNING = "to_running";
  private static final String TO_COMPLETE = "to_complete";
  /** Actions Pulsar can read from a dictionary; this fake carries out only message and remote_transfer. */
  private static final Set<String> KNOWN_ACTIONS = Set.of("remote_copy", "remote_transfer",
      "remote_transfer_tus", "message", "remote_rsync_transfer", "remote_scp_transfer",
      "remote_object_store_copy");
  private static final Pattern MANAGER_PREFIX = Pattern.compile("^/managers/(?<manager>[^/]+)(?<rest>/.*)$");
  private static final Pattern IPV4_LITERAL = Pattern.compile("^\\d{1,3}(\\.\\d{1,3}){3}$");

  private final Path stagingDirectory;
  private final String privateToken;
  private final Set<String> managers;
  private final Map<String, String> processEnvironment;
  private final long maximumStreamSize;
  private final String setsid;
  private final ObjectMapper mapper = new ObjectMapper();
  private final HttpServer server;
  private final ExecutorService httpThreads = daemonThreads("fake-pulsar-http");
  /** queued_python's workers; unbounded, as Pulsar's num_concurrent_jobs is not enforced (§10.1). */
  private final ExecutorService launcher = daemonThreads("fake-pulsar-launch");
  private final ExecutorService stagingThreads = daemonThreads("fake-pulsar-staging");
  private final HttpClient transferClient = HttpClient.newBuilder()
      .proxy(HttpClient.Builder.NO_PROXY)
      .followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(10))
      .version(HttpClient.Version.HTTP_1_1)
      .build();
  private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicInteger drops = new AtomicInteger();
  private volatile Duration delay = Duration.ZERO;
  private final Map<Path, Object> jobLocks = new ConcurrentHashMap<>();
  /** The processes this instance started, by job directory, until their monitor has finished them. */
  private final Map<Path, StartedJob> startedJobs = new ConcurrentHashMap<>();
  /** Every process this instance started, so that close can kill them even after a clean. */
  private final Set<Process> allStarted = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  /**
   * Held shared while a process is being started and registered, and exclusively by close, so that
   * close never misses a process that was starting when it came.
   */
  private final ReadWriteLock starting = new ReentrantReadWriteLock();
  /** False once closed: like a stopped Pulsar, this instance then writes nothing more for its jobs. */
  private volatile boolean monitoring = true;
  /** Pulsar's persistence_directory: {@code <manager>-active-jobs/} and {@code <manager>-preprocessing-jobs/}. */
  private final Path persistenceDirectory;
  /** The message-queue side; null without {@link Builder#amqp}. */
  private final FakePulsarAmqp amqp;
  private final Duration monitorInterval;
  /** One ManagerMonitor per manager, in message-queue mode only (as in Pulsar). */
  private final List<Thread> monitors = new ArrayList<>();

  private FakePulsar(Builder builder) throws IOException {
    Files.createDirectories(builder.stagingDirectory);
    this.stagingDirectory = builder.stagingDirectory.toRealPath();
    this.privateToken = builder.privateToken;
    this.managers = Set.copyOf(builder.managers);
    this.maximumStreamSize = builder.maximumStreamSize;
    this.processEnvironment = cleanEnvironment(builder.environment);
    this.setsid = Stream.of("/usr/bin/setsid", "/bin/setsid")
        .filter(p -> Files.isExecutable(Path.of(p))).findFirst().orElse(null);
    if (setsid == null) {
      LOG.warn("no setsid on this machine: job processes share the JVM's process group");
    }
    this.persistenceDirectory = stagingDirectory.resolve(PERSISTENCE_DIRECTORY);
    for (String manager : managers) {
      Files.createDirectories(activeDirectory(manager, false));
      Files.createDirectories(activeDirectory(manager, true));
    }
    this.monitorInterval = builder.monitorInterval;
    if (builder.amqpUri != null) {
      FakePulsarAmqp.Settings settings = new FakePulsarAmqp.Settings(builder.amqpUri, builder.amqpKeyPrefix,
          builder.amqpAcknowledge, builder.amqpAckRepublishTime, builder.outboxDrainInterval);
      this.amqp = new FakePulsarAmqp(settings, List.copyOf(builder.managers), persistenceDirectory, new AmqpHandler());
      // Pulsar binds to the queue (outbox, publisher) before it recovers its jobs, so that what the
      // recovery publishes ("lost") goes out.
      amqp.start();
    } else {
      this.amqp = null;
    }
    try {
      recoverJobs();
      this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), builder.port), 50);
    } catch (IOException | RuntimeException e) {
      if (amqp != null) {
        amqp.close();
      }
      throw e;
    }
    server.setExecutor(httpThreads);
    server.createContext("/", this::handle);
    server.start();
    if (amqp != null) {
      // After the recovery, so that a setup taken now is not also re-queued as a recovered job.
      amqp.startConsuming();
      for (String manager : builder.managers) {
        Thread monitor = new Thread(() -> monitorActiveJobs(manager), "fake-pulsar-monitor-" + manager);
        monitor.setDaemon(true);
        monitors.add(monitor);
        monitor.start();
      }
    }
    LOG.info("FakePulsar serving {} at {}", stagingDirectory, baseUrl());
  }

  /** Starts a fake Pulsar with no token and only the default manager, on a random loopback port. */
  public static FakePulsar start(Path stagingDirectory) throws IOException {
    return builder(stagingDirectory).start();
  }

  /**
   * Starts a fake Pulsar on {@code port} of the loopback interface: give the port of a closed
   * FakePulsar of the same staging directory to restart it.
   */
  public static FakePulsar start(Path stagingDirectory, int port) throws IOException {
    return builder(stagingDirectory).port(port).start();
  }

  /** A builder of a fake Pulsar keeping its jobs in {@code stagingDirectory} (created if missing). */
  public static Builder builder(Path stagingDirectory) {
    return new Builder(stagingDirectory);
  }

  /** Where Pulsar answers: {@code http://127.0.0.1:PORT/} (Pulsar serves at the root). */
  public URI baseUrl() {
    return URI.create("http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + port() + "/");
  }

  /** The loopback port this fake listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** The staging directory (its real path), which holds one directory per job. */
  public Path stagingDirectory() {
    return stagingDirectory;
  }

  /** The directory of job {@code jobId}, which exists only once the job has been set up. */
  public Path jobDirectory(String jobId) {
    return stagingDirectory.resolve(jobId);
  }

  /** The next {@code count} requests answer 500 with gunicorn's HTML page, whatever they ask. */
  public void failNext(int count) {
    failures.addAndGet(count);
  }

  /** The next {@code count} requests get their connection closed with no answer at all. */
  public void dropNext(int count) {
    drops.addAndGet(count);
  }

  /** Every request waits {@code delay} before anything else happens ({@link Duration#ZERO}: none). */
  public void delay(Duration delay) {
    this.delay = Objects.requireNonNull(delay, "delay");
  }

  /**
   * Every request received so far, in order, including those answered 401, 404, 500 or dropped.
   *
   * @return a snapshot
   */
  public List<RecordedRequest> requests() {
    return List.copyOf(requests);
  }

  /** Forgets the requests received so far. */
  public void clearRequests() {
    requests.clear();
  }

  /**
   * How many job processes are alive: those this fake started (also after a clean) and those of
   * the staging directory's pid files (started by an earlier FakePulsar).
   */
  public int runningProcesses() {
    Set<Long> alive = new HashSet<>();
    allStarted.removeIf(p -> !p.isAlive());
    allStarted.forEach(p -> alive.add(p.pid()));
    for (JobDir job : jobDirectories()) {
      Long pid = readPid(job);
      if (pid != null && isJobProcessAlive(pid, job)) {
        alive.add(pid);
      }
    }
    return alive.size();
  }

  // ---------------------------------------------------------------------------------------------
  // Message-queue mode

  /**
   * The queue name, which is also the routing key, of {@code name} ({@code setup}, {@code kill},
   * {@code status}, {@code status_update}, {@code status_update_ack}, ...) for {@code manager}: {@code
   * <prefix>_<name>}, e.g. {@code pulsar__setup}, {@code pulsar_gpu__status_update} (the prefix
   * {@code pulsar_gpu_} and the name are joined by one more underscore, as in Pulsar).
   *
   * @throws IllegalStateException without {@link Builder#amqp}
   */
  public String amqpQueue(String manager, String name) {
    return requireAmqp().queueName(manager, name);
  }

  /**
   * Every message the consumers took so far, in order, with what became of it.
   *
   * @throws IllegalStateException without {@link Builder#amqp}
   */
  public List<AmqpMessage> amqpMessages() {
    return requireAmqp().messages();
  }

  /**
   * Every status update published so far (sent to the broker, whether a queue took it or not), in
   * the order sent, as sent: with the acknowledgement keys, duplicates, republications, stale and
   * raw updates; without those {@link #dropUpdates dropped}.
   *
   * @throws IllegalStateException without {@link Builder#amqp}
   */
  public List<JsonNode> publishedUpdates() {
    return requireAmqp().published();
  }

  /**
   * The published status updates that the broker returned because no queue was bound to their
   * routing key, i.e. lost, as they are with Pulsar (which does not ask for returns: this fake does,
   * only to tell).
   *
   * @throws IllegalStateException without {@link Builder#amqp}
   */
  public List<JsonNode> unroutedUpdates() {
    return requireAmqp().unrouted();
  }

  /**
   * The {@code acknowledge_uuid_response} values received on {@code <prefix>_status_update_ack}, in
   * order (with {@link Builder#amqpAcknowledge}).
   *
   * @throws IllegalStateException without {@link Builder#amqp}
   */
  public List<String> acknowledgedUpdates() {
    return requireAmqp().acknowledged();
  }

  /**
   * While on, every status update from the outbox is published twice (at-least-once delivery; with
   * acknowledgements, each copy has its own {@code acknowledge_uuid}).
   */
  public void duplicateUpdates(boolean on) {
    requireAmqp().duplicateUpdates(on);
  }

  /** The next {@code count} status updates from the outbox are silently not published (lost). */
  public void dropUpdates(int count) {
    requireAmqp().dropUpdates(count);
  }

  /**
   * While on, every terminal status update is followed by an out-of-date short {@code running}
   * update of the same job (out-of-order delivery).
   */
  public void staleUpdateAfterTerminal(boolean on) {
    requireAmqp().staleUpdateAfterTerminal(on);
  }

  /**
   * Publishes {@code payload} as a status update of {@code manager} now, as it is (plus the
   * acknowledgement keys with {@link Builder#amqpAcknowledge}), bypassing the outbox and the knobs.
   *
   * @throws IOException when the broker cannot be reached
   */
  public void publishUpdate(String manager, JsonNode payload) throws IOException {
    requireAmqp().publishUpdate(manager, Objects.requireNonNull(payload, "payload"));
  }

  /**
   * While true, no {@code setup}, {@code kill} or {@code status} message is taken (nor an
   * acknowledgement): they wait in their queues, as with a Pulsar that is down. Returns once the
   * message being processed, if any, is done.
   */
  public void pauseConsuming(boolean pause) {
    requireAmqp().pauseConsuming(pause);
  }

  private FakePulsarAmqp requireAmqp() {
    if (amqp == null) {
      throw new IllegalStateException("this FakePulsar has no message queue: build it with amqp(uri)");
    }
    return amqp;
  }

  /** Stops the server and kills every job process (see {@link #close(boolean)}). */
  @Override
  public void close() {
    close(true);
  }

  /**
   * Stops the server. With {@code killJobs}, kills (SIGKILL) the process group and descendants of
   * every job process it started or found in a pid file, and waits for them to be gone. Without, the
   * processes keep running and this instance stops tracking them, like a Pulsar that went down: a
   * FakePulsar started later on the same staging directory takes them over from their files.
   */
  public void close(boolean killJobs) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (amqp != null) {
      amqp.stopConsuming(); // waits for the message being processed
    }
    for (Thread monitor : monitors) {
      monitor.interrupt();
    }
    for (Thread monitor : monitors) {
      try {
        monitor.join(KILL_WAIT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    server.stop(0);
    httpThreads.shutdownNow();
    launcher.shutdownNow();
    stagingThreads.shutdownNow();
    starting.writeLock().lock(); // waits for starts in flight; none begins once closed is set
    starting.writeLock().unlock();
    if (killJobs) {
      for (Process process : allStarted) {
        if (process.isAlive()) {
          killProcessTree(process.toHandle());
        }
      }
      for (JobDir job : jobDirectories()) {
        killJobProcess(readPid(job), job);
      }
      for (Process process : allStarted) {
        waitFor(process.onExit());
      }
      // Let the monitors record the return codes before this instance goes quiet.
      startedJobs.values().forEach(started -> waitFor(started.finished()));
    }
    monitoring = false;
    if (amqp != null) {
      amqp.close(); // after a last drain of the status outboxes
    }
    LOG.info("FakePulsar at port {} closed", port());
  }

  // ---------------------------------------------------------------------------------------------
  // HTTP

  private void handle(HttpExchange exchange) {
    try {
      serve(exchange);
    } catch (IOException | RuntimeException e) {
      LOG.debug("exchange ended with {}", e.toString());
    } finally {
      // Without a response sent, this closes the connection: that is how a request is dropped.
      exchange.close();
    }
  }

  private void serve(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getPath();
    Map<String, String> query = parseQuery(exchange.getRequestURI().getRawQuery());
    Match match = Match.of(method, path);
    requests.add(new RecordedRequest(method, path, query,
        match == null ? null : match.route().template, match == null ? null : match.manager()));
    pause(delay);
    if (takeOne(drops)) {
      LOG.info("dropping {} {} (dropNext)", method, path);
      return;
    }
    if (takeOne(failures)) {
      LOG.info("failing {} {} (failNext)", method, path);
      sendInternalServerError(exchange);
      return;
    }
    if (match == null) {
      sendWebobError(exchange, 404, "Not Found", "The resource could not be found.");
      return;
    }
    // Pulsar checks the token after routing, and before it looks the manager up.
    if (privateToken != null && !privateToken.equals(query.get("private_token"))) {
      sendWebobError(exchange, 401, "Unauthorized", "This server could not verify that you are authorized"
          + " to access the document you requested.  Either you supplied the wrong credentials (e.g., bad"
          + " password), or your browser does not understand how to supply the credentials required.");
      return;
    }
    Reply reply;
    try {
      if (!managers.contains(match.manager())) {
        throw new PulsarError("KeyError: '" + match.manager() + "'");
      }
      reply = dispatch(match, query, exchange);
    } catch (IOException | UncheckedIOException e) {
      // gunicorn closes the socket when a handler raises an OSError (PULSAR.md §2.4).
      LOG.warn("Socket error processing request {} {}: {}", method, path, e.toString());
      return;
    } catch (RuntimeException e) {
      LOG.warn("Error handling request {} {}: {}", method, path, e.toString());
      sendInternalServerError(exchange);
      return;
    }
    reply.send(exchange);
  }

  private Reply dispatch(Match match, Map<String, String> query, HttpExchange exchange) throws IOException {
    String jobId = match.id();
    switch (match.route()) {
      case SETUP:
        return json(setup(required(query, "job_id"), query.get("tool_id"), query.get("tool_version")));
      case CLEAN:
        clean(jobId);
        return Reply.OK;
      case SUBMIT:
        submit(match.manager(), jobId, query);
        return Reply.OK;
      case STATUS:
        return json(status(match.manager(), jobId));
      case CANCEL:
        cancel(jobId);
        return Reply.OK;
      case UPLOAD:
        return json(upload(jobId, query, exchange.getRequestBody()));
      case FILE_PATH:
        return json(filePath(jobId, query));
      case DOWNLOAD:
        return download(jobId, query);
      case HEALTHZ:
        return json(mapper.createObjectNode().put("version", VERSION));
      default:
        // The file cache and the object store are not configured, as in a default Pulsar.
        throw new PulsarError("AttributeError: 'NoneType' object has no attribute (no file cache or object store)");
    }
  }

  private Reply json(JsonNode node) {
    byte[] body;
    try {
      body = mapper.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new PulsarError("cannot serialize " + e.getMessage());
    }
    return exchange -> sendBytes(exchange, 200, HTML_UTF8, body);
  }

  private static void sendBytes(HttpExchange exchange, int code, String contentType, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(code, head || body.length == 0 ? -1 : body.length);
    if (!head && body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static void sendInternalServerError(HttpExchange exchange) throws IOException {
    exchange.getResponseHeaders().set("Connection", "close");
    sendBytes(exchange, 500, "text/html", INTERNAL_SERVER_ERROR_PAGE.getBytes(StandardCharsets.UTF_8));
  }

  /** webob's error pages: HTML when the client accepts it, else JSON when it asks for it, else text. */
  private static void sendWebobError(HttpExchange exchange, int code, String title, String explanation)
      throws IOException {
    String accept = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Accept")).orElse("");
    String status = code + " " + title;
    if (accept.contains("text/html") || accept.contains("*/*")) {
      String page = "<html>\n <head>\n  <title>" + status + "</title>\n </head>\n <body>\n  <h1>" + status
          + "</h1>\n  " + explanation + "<br /><br />\n\n\n\n </body>\n</html>";
      sendBytes(exchange, code, HTML_UTF8, page.getBytes(StandardCharsets.UTF_8));
    } else if (accept.contains("application/json")) {
      String body = "{\"message\": \"" + explanation + "\", \"code\": \"" + status + "\", \"title\": \""
          + title + "\"}";
      sendBytes(exchange, code, "application/json", body.getBytes(StandardCharsets.UTF_8));
    } else {
      String text = status + "\n\n" + explanation + "\n\n   ";
      sendBytes(exchange, code, "text/plain; charset=UTF-8", text.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** webob's {@code req.GET}: {@code &}-separated, {@code +} is a space, the last value of a name wins. */
  private static Map<String, String> parseQuery(String rawQuery) {
    Map<String, String> query = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return query;
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String name = equals < 0 ? pair : pair.substring(0, equals);
      String value = equals < 0 ? "" : pair.substring(equals + 1);
      query.put(decode(name), decode(value));
    }
    return query;
  }

  private static String decode(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return text; // Python's unquote leaves a malformed escape as it is
    }
  }

  private static String required(Map<String, String> query, String name) {
    String value = query.get(name);
    if (value == null) {
      // The route function is called without the argument.
      throw new PulsarError("TypeError: missing 1 required positional argument: '" + name + "'");
    }
    return value;
  }

  static boolean takeOne(AtomicInteger counter) {
    return counter.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
  }

  private static void pause(Duration duration) {
    if (duration.isZero() || duration.isNegative()) {
      return;
    }
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Routes

  /** {@code POST /jobs}: creates the job directory and answers the job config (§3.1). */
  private ObjectNode setup(String jobId, String toolId, String toolVersion) throws IOException {
    JobDir job = job(jobId);
    makeDirectory(job.root);
    for (String subdirectory : JOB_SUBDIRECTORIES) {
      makeDirectory(job.root.resolve(subdirectory));
    }
    job.store("tool_id", toolId == null ? "" : toolId);
    job.store("tool_version", toolVersion == null ? "" : toolVersion);
    ObjectNode config = mapper.createObjectNode();
    config.put("job_directory", job.path());
    config.put("working_directory", job.path("working"));
    config.put("metadata_directory", job.path("metadata"));
    config.put("outputs_directory", job.path("outputs"));
    config.put("configs_directory", job.path("configs"));
    config.put("tools_directory", job.path("tool_files"));
    config.put("inputs_directory", job.path("inputs"));
    config.put("unstructured_files_directory", job.path("unstructured"));
    config.put("path_separator", "/");
    config.put("job_id", jobId);
    config.set("system_properties", systemProperties());
    config.put("pulsar_version", VERSION);
    config.putNull("preserve_galaxy_python_environment");
    if (toolId != null && !toolId.isEmpty()) {
      config.put("tool_id", toolId);
    }
    if (toolVersion != null && !toolVersion.isEmpty()) {
      config.put("tool_version", toolVersion);
    }
    return config;
  }

  /** Pulsar's DirectoryMaker: one level, an existing entry is fine (even a file: what follows fails). */
  private static void makeDirectory(Path directory) throws IOException {
    try {
      Files.createDirectory(directory);
    } catch (FileAlreadyExistsException e) {
      // tolerated, as EEXIST is
    }
  }

  /** {@code DELETE /jobs/{id}}: rmtree of the job directory; never kills, never fails. */
  private void clean(String jobId) {
    JobDir job = job(jobId);
    synchronized (lockFor(job)) {
      for (int attempt = 0; attempt < 3 && Files.exists(job.root); attempt++) {
        try {
          deleteTree(job.root);
        } catch (IOException | UncheckedIOException e) {
          // A running process may be writing there; Pulsar ignores the error too.
          LOG.debug("clean of {} incomplete: {}", jobId, e.toString());
        }
      }
    }
  }

  /** {@code POST /jobs/{id}/submit} (§3.3): every parameter from the query string. */
  private void submit(String manager, String pathJobId, Map<String, String> query) throws IOException {
    String commandLine = required(query, "command_line");
    ObjectNode config = mapper.createObjectNode();
    config.put("job_id", pathJobId);
    config.put("command_line", commandLine);
    config.set("setup_params", parseJson(query, "setup_params", "{}"));
    config.set("submit_params", parseJson(query, "params", "{}"));
    config.set("dependencies_description", parseJson(query, "dependencies_description", "null"));
    config.set("env", parseJson(query, "env", "[]"));
    config.set("remote_staging", parseJson(query, "remote_staging", "{}"));
    config.set("dynamic_file_sources", parseJson(query, "dynamic_file_sources", "null"));
    JsonNode extras = parseJson(query, "submit_extras", "{}");
    if (!extras.isObject()) {
      throw new PulsarError("ValueError: dictionary update sequence element #0 has wrong length");
    }
    // submit_extras is merged over everything, even job_id and command_line, as Pulsar does.
    config.setAll((ObjectNode) extras);
    submitJob(manager, config);
  }

  /**
   * {@code manager_endpoint_util.submit_job}, shared by the submit route and the {@code setup}
   * message: {@code config} is the submit config (a missing key takes Pulsar's default). A repeated
   * setup is ignored; with {@code setup_params} (or {@code setup: true}) the job is set up first and
   * {@code __PULSAR_JOBS_DIRECTORY__} replaced; then {@code touch_outputs}, the launch config, and
   * the launch, or the remote staging in the background. A failure before the launch publishes
   * {@code failed} (handle_failure_before_launch), even for a job that has no directory (whose
   * status is then all empty, as for {@code lost}), and is raised again.
   */
  private void submitJob(String manager, ObjectNode config) throws IOException {
    JsonNode idNode = config.get("job_id");
    if (idNode != null && !idNode.isNull() && !idNode.isTextual()) {
      // Pulsar's job_directory raises a TypeError, and so does the status it would publish.
      throw new PulsarError("TypeError: expected str, not " + FakePulsarAmqp.pythonType(idNode) + " (job_id)");
    }
    String jobId = text(idNode);
    if (truthy(idNode) && isDuplicateSubmit(job(jobId))) {
      LOG.info("Ignoring duplicate setup message for job_id {}", jobId);
      return;
    }
    try {
      launchSubmitted(manager, jobId, config);
    } catch (IOException | RuntimeException e) {
      stateChange(manager, "failed", jobId);
      throw e;
    }
  }

  private void launchSubmitted(String manager, String jobId, ObjectNode config) throws IOException {
    JobDir job = job(jobId);
    String command = text(config.get("command_line"));
    JsonNode setupParams = valueOr(config, "setup_params", mapper.createObjectNode());
    if (truthy(setupParams) || truthy(config.get("setup"))) {
      if (!setupParams.isObject()) {
        throw new PulsarError("AttributeError: '" + FakePulsarAmqp.pythonType(setupParams)
            + "' object has no attribute 'get' (setup_params)");
      }
      String inputJobId = setupParams.has("job_id") ? text(setupParams.get("job_id")) : jobId;
      ObjectNode jobConfig = setup(inputJobId, text(setupParams.get("tool_id")), text(setupParams.get("tool_version")));
      String jobsDirectory = Path.of(jobConfig.get("job_directory").asText()).getParent().toString();
      if (command == null) {
        throw new PulsarError("AttributeError: 'NoneType' object has no attribute 'replace' (command_line)");
      }
      command = command.replace("__PULSAR_JOBS_DIRECTORY__", jobsDirectory);
    }
    for (String name : pythonIteration(valueOr(config, "touch_outputs", mapper.createArrayNode()), "touch_outputs")) {
      Path output = Path.of(calculatePath(job, name, "output"));
      Files.newOutputStream(output, StandardOpenOption.CREATE, StandardOpenOption.APPEND).close();
    }
    ObjectNode launchConfig = mapper.createObjectNode();
    launchConfig.set("remote_staging", valueOr(config, "remote_staging", mapper.createObjectNode()));
    launchConfig.put("command_line", command);
    launchConfig.set("dependencies_description", valueOr(config, "dependencies_description", null));
    launchConfig.set("submit_params", valueOr(config, "submit_params", mapper.createObjectNode()));
    launchConfig.set("env", valueOr(config, "env", mapper.createArrayNode()));
    launchConfig.set("setup_params", setupParams);
    launchConfig.set("dynamic_file_sources", valueOr(config, "dynamic_file_sources", null));
    launchConfig.set("token_endpoint", valueOr(config, "token_endpoint", null));
    // A job that was never set up has no directory: this write fails with an OSError, so the
    // connection is dropped (PULSAR.md §3.3).
    job.store(LAUNCH_CONFIG, launchConfig);
    JsonNode remoteStaging = launchConfig.get("remote_staging");
    if (truthy(remoteStaging) && !remoteStaging.isObject()) {
      throw new PulsarError("AttributeError: '" + FakePulsarAmqp.pythonType(remoteStaging)
          + "' object has no attribute 'get' (remote_staging)");
    }
    List<JsonNode> setupActions = setupActions(launchConfig);
    if (setupActions.isEmpty()) {
      preprocessAndLaunch(manager, job, launchConfig, setupActions);
    } else {
      activate(manager, job.id, true);
      stagingThreads.execute(() -> preprocessAndLaunch(manager, job, launchConfig, setupActions));
    }
  }

  /** {@code config.get(key, default)}: the value when the key is there, even JSON null. */
  private JsonNode valueOr(ObjectNode config, String key, JsonNode defaultValue) {
    JsonNode value = config.get(key);
    if (value != null) {
      return value;
    }
    return defaultValue == null ? mapper.nullNode() : defaultValue;
  }

  /** What {@code for name in value} gives in Python: elements, keys, characters; else a TypeError. */
  private static List<String> pythonIteration(JsonNode value, String what) {
    List<String> items = new ArrayList<>();
    if (value.isArray()) {
      value.forEach(element -> items.add(text(element)));
    } else if (value.isObject()) {
      value.fieldNames().forEachRemaining(items::add);
    } else if (value.isTextual()) {
      value.textValue().codePoints().forEach(c -> items.add(new String(Character.toChars(c))));
    } else {
      throw new PulsarError("TypeError: '" + FakePulsarAmqp.pythonType(value) + "' object is not iterable (" + what + ")");
    }
    return items;
  }

  /** A job already launched, being staged, failed or finished takes no second submit. */
  private static boolean isDuplicateSubmit(JobDir job) {
    return Files.isDirectory(job.root)
        && (job.has(FINAL_STATUS) || job.has(PREPROCESSED) || job.has(PREPROCESSING_FAILED)
            || job.has(LAUNCH_CONFIG));
  }

  private static List<JsonNode> setupActions(JsonNode launchConfig) {
    JsonNode remoteStaging = launchConfig.path("remote_staging");
    JsonNode setup = remoteStaging.isObject() ? remoteStaging.path("setup") : null;
    List<JsonNode> actions = new ArrayList<>();
    if (setup != null && truthy(setup)) {
      if (setup.isArray()) {
        setup.forEach(actions::add);
      } else {
        actions.add(setup); // not a list: fails in preprocessing, as in Pulsar
      }
    }
    return actions;
  }

  /** {@code GET|POST|... /jobs/{id}/status} (§3.4, §5), derived from the job directory's files. */
  private ObjectNode status(String manager, String jobId) throws IOException {
    return status(manager, jobId, null);
  }

  /**
   * stateful.py's {@code get_status} and {@code full_status}: the status, and its state changes.
   * The first status that sees {@code running} publishes it; the first that sees the job finished
   * deactivates it and, when it completed, postprocesses it and publishes the final status. {@code
   * beforeFinal} (a status request's own publication) gets the answer before that final status.
   */
  private ObjectNode status(String manager, String jobId, Consumer<ObjectNode> beforeFinal) throws IOException {
    JobDir job = job(jobId);
    String status;
    String stateChange = null;
    boolean postprocess = false;
    synchronized (lockFor(job)) {
      if (!Files.exists(job.root)) {
        ObjectNode lost = fullStatus(job, "lost");
        if (beforeFinal != null) {
          beforeFinal.accept(lost);
        }
        return lost;
      }
      String proxyStatus;
      if (job.has(PREPROCESSING_FAILED)) {
        proxyStatus = "failed";
        job.store(FINAL_STATUS, proxyStatus);
        stateChange = TO_COMPLETE;
      } else if (!job.has(PREPROCESSED)) {
        proxyStatus = "preprocessing";
      } else if (job.has(FINAL_STATUS)) {
        proxyStatus = job.loadText(FINAL_STATUS);
      } else {
        proxyStatus = managerStatus(job);
        if (proxyStatus.equals("running")) {
          if (!job.has(RUNNING)) {
            job.store(RUNNING, true);
            stateChange = TO_RUNNING;
          }
        } else if (proxyStatus.equals("complete") || proxyStatus.equals("cancelled")) {
          job.store(FINAL_STATUS, proxyStatus);
          stateChange = TO_COMPLETE;
        }
      }
      if (proxyStatus.equals("complete") && !job.has(POSTPROCESSED)) {
        // Pulsar's postprocessing thread has not marked the job yet when this status is computed.
        status = "postprocessing";
        postprocess = true;
      } else {
        status = proxyStatus;
      }
    }
    if (TO_COMPLETE.equals(stateChange)) {
      deactivate(manager, jobId, false);
    } else if (TO_RUNNING.equals(stateChange)) {
      stateChange(manager, "running", jobId);
    }
    ObjectNode answer;
    if (DONE.contains(status)) {
      answer = fullStatus(job, status);
    } else {
      answer = shortStatus(jobId, status);
    }
    if (beforeFinal != null) {
      beforeFinal.accept(answer);
    }
    if (postprocess) {
      // No output actions to run: postprocessing ends at once, so the next status is complete.
      boolean collected = outputsCollected(job);
      synchronized (lockFor(job)) {
        if (Files.isDirectory(job.root)) {
          job.write(POSTPROCESSED, "");
        }
      }
      if (TO_COMPLETE.equals(stateChange)) {
        stateChange(manager, collected && !job.has(PREPROCESSING_FAILED) ? "complete" : "failed", jobId);
      }
    }
    return answer;
  }

  private ObjectNode shortStatus(String jobId, String status) {
    ObjectNode answer = mapper.createObjectNode();
    answer.put("complete", "false");
    answer.put("status", status);
    answer.put("job_id", jobId);
    return answer;
  }

  /**
   * staging/post.py {@code postprocess}: whether the outputs were collected. Without a launch config,
   * or with {@code remote_staging: null}, Pulsar's {@code "action_mapper" in staging_config} raises,
   * so the job is published {@code failed} (over HTTP it still reads {@code complete}). This fake
   * does not carry out output actions: with an {@code action_mapper} and {@code client_outputs}, it
   * logs that and counts the collection as done.
   */
  private boolean outputsCollected(JobDir job) {
    try {
      JsonNode staging = job.has(LAUNCH_CONFIG) ? job.load(LAUNCH_CONFIG).get("remote_staging") : null;
      if (staging == null || staging.isNull()) {
        throw new PulsarError("TypeError: argument of type 'NoneType' is not iterable");
      }
      if (!FakePulsarAmqp.pythonContains(staging, "action_mapper")) {
        return true;
      }
      if (!staging.isObject() || !staging.has("client_outputs")) {
        throw new PulsarError("KeyError: 'client_outputs'");
      }
      LOG.warn("FakePulsar does not carry out output actions: the outputs of job {} were not sent", job.id);
      return true;
    } catch (IOException | RuntimeException e) {
      LOG.warn("Failed to postprocess results for job id {}: {}", job.id, e.toString());
      return false;
    }
  }

  /**
   * The state change callback of bind_amqp.py: publishes {@code full_status(status)} of the job
   * through the manager's outbox; without a message queue, only logs, as Pulsar's default callback.
   */
  private void stateChange(String manager, String status, String jobId) {
    String id = jobId == null || jobId.isEmpty() ? "unknown" : jobId;
    if (amqp == null) {
      LOG.debug("Status of job [{}] changed to [{}]. No callbacks enabled.", id, status);
      return;
    }
    ObjectNode payload;
    try {
      payload = DONE.contains(status) ? fullStatus(job(id), status) : shortStatus(id, status);
    } catch (IOException | RuntimeException e) {
      LOG.warn("Failure to publish Pulsar state change {} for job_id {}: {}", status, id, e.toString());
      return;
    }
    LOG.debug("Publishing Pulsar state change with status {} for job_id {}", status, id);
    amqp.enqueueUpdate(manager, payload);
  }

  // ---------------------------------------------------------------------------------------------
  // Active jobs and their monitor (stateful.py ActiveJobs, ManagerMonitor)

  private Path activeDirectory(String manager, boolean preprocessing) {
    return persistenceDirectory.resolve(manager + (preprocessing ? "-preprocessing-jobs" : "-active-jobs"));
  }

  private void activate(String manager, String jobId, boolean preprocessing) {
    try {
      Files.createDirectories(activeDirectory(manager, preprocessing));
      Files.write(activeDirectory(manager, preprocessing).resolve(jobId), new byte[0]);
    } catch (IOException | RuntimeException e) {
      LOG.warn("Failed to activate job with job id {}. This job may not recover properly upon Pulsar restart.", jobId);
    }
  }

  private void deactivate(String manager, String jobId, boolean preprocessing) {
    try {
      Files.deleteIfExists(activeDirectory(manager, preprocessing).resolve(jobId));
    } catch (IOException | RuntimeException e) {
      LOG.warn("Failed to deactivate job with job id {}. May cause problems on next Pulsar start.", jobId);
    }
  }

  private List<String> activeJobIds(String manager, boolean preprocessing) {
    List<String> ids = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(activeDirectory(manager, preprocessing))) {
      entries.forEach(entry -> ids.add(entry.getFileName().toString()));
    } catch (IOException e) {
      LOG.debug("cannot list the active jobs of {}: {}", manager, e.toString());
    }
    return ids;
  }

  /** ManagerMonitor: the status of every active job, every monitor interval. */
  private void monitorActiveJobs(String manager) {
    while (!closed.get()) {
      long start = System.nanoTime();
      for (String jobId : activeJobIds(manager, false)) {
        if (closed.get()) {
          return;
        }
        try {
          status(manager, jobId);
        } catch (IOException | RuntimeException e) {
          LOG.warn("Failed checking active job status for job_id {}: {}", jobId, e.toString());
        }
      }
      long left = monitorInterval.toNanos() - (System.nanoTime() - start);
      if (left > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(left);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /** What the message consumers do, through this fake's own routes' logic. */
  private final class AmqpHandler implements FakePulsarAmqp.Handler {
    @Override
    public void setup(String manager, ObjectNode config) throws IOException {
      submitJob(manager, config);
    }

    @Override
    public void kill(String manager, String jobId) throws IOException {
      cancel(jobId);
    }

    /**
     * trigger_state_change_callback: get_status (whose own state changes publish first: a job seen
     * running for the first time publishes running twice), then full_status of what it said,
     * published as it is, whatever it is (preprocessing, queued and postprocessing too). For a job
     * with no directory, get_status says lost and full_status builds the complete dictionary from
     * files that are not there, every read having a default (the HTTP route does the same and
     * Pulsar answers it, verified): Pulsar publishes {@code {"status": "lost", "complete": "true",
     * "returncode": null}} with empty streams and lists, and so does this fake. A job id Pulsar's
     * JobDirectory refuses (with a {@code /}) raises instead: nothing is published.
     */
    @Override
    public void status(String manager, String jobId) throws IOException {
      FakePulsar.this.status(manager, jobId, answer -> amqp.enqueueUpdate(manager, answer));
    }
  }

  /** The unqueued manager's own status: cancelled, running (pid), queued (submitted) or complete. */
  private String managerStatus(JobDir job) throws IOException {
    if (job.has(CANCELLED)) {
      return "cancelled";
    }
    if (job.has(PID)) {
      // queued_python's _get_status: a pid file is running, whether the process lives or not. Only
      // the monitor of the Pulsar that started the process removes the file when it exits; a job
      // started before a restart, which the recovery cannot take over, says running forever,
      // even once its process ended (seen on a real Pulsar 0.15.16.dev0).
      return "running";
    }
    return job.has(SUBMITTED) ? "queued" : "complete";
  }

  private ObjectNode fullStatus(JobDir job, String status) throws IOException {
    ObjectNode answer = mapper.createObjectNode();
    answer.put("job_id", job.id);
    answer.put("complete", "true");
    answer.put("status", status);
    Integer returnCode = returnCode(job);
    if (returnCode == null) {
      answer.putNull("returncode");
    } else {
      answer.put("returncode", returnCode);
    }
    answer.put("stdout", toolStream(job, "tool_stdout"));
    answer.put("stderr", toolStream(job, "tool_stderr"));
    answer.put("job_stdout", readStream(job.root.resolve("metadata/job_stdout")));
    answer.put("job_stderr", readStream(job.root.resolve("metadata/job_stderr")));
    answer.put("working_directory", job.path("working"));
    answer.put("metadata_directory", job.path("metadata"));
    answer.put("job_directory", job.path());
    answer.set("working_directory_contents", contents(job.root.resolve("working"), true));
    answer.set("metadata_directory_contents", contents(job.root.resolve("metadata"), true));
    answer.set("outputs_directory_contents", contents(job.root.resolve("outputs"), true));
    answer.set("job_directory_contents", contents(job.root, false));
    answer.set("system_properties", systemProperties());
    answer.put("pulsar_version", VERSION);
    answer.set("realized_dynamic_file_sources", realizedDynamicFileSources(job));
    return answer;
  }

  private ObjectNode systemProperties() {
    return mapper.createObjectNode().put("separator", "/");
  }

  private static Integer returnCode(JobDir job) throws IOException {
    Path file = job.root.resolve(RETURN_CODE);
    if (!Files.isRegularFile(file)) {
      return null;
    }
    String text = Files.readString(file, StandardCharsets.UTF_8).strip();
    if (text.isEmpty()) {
      return null;
    }
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new PulsarError("ValueError: invalid literal for int(): '" + text + "'");
    }
  }

  /** A tool stream: {@code metadata/NAME}, else the legacy {@code NAME} at the root, else empty. */
  private String toolStream(JobDir job, String name) throws IOException {
    Path inMetadata = job.root.resolve("metadata").resolve(name);
    return readStream(Files.exists(inMetadata) ? inMetadata : job.root.resolve(name));
  }

  /** The first maximum_stream_size bytes of {@code file}, as text; empty when there is no file. */
  private String readStream(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return "";
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = maximumStreamSize > 0 ? in.readNBytes((int) Math.min(maximumStreamSize, Integer.MAX_VALUE))
          : in.readAllBytes();
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalStateException("cannot happen with REPLACE", e);
    }
  }

  /** The file names under {@code directory}: recursive (files only) or its top level (everything). */
  private ArrayNode contents(Path directory, boolean recursive) {
    List<String> names = new ArrayList<>();
    if (Files.isDirectory(directory)) {
      if (recursive) {
        walkFiles(directory, directory, names);
      } else {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
          entries.forEach(entry -> names.add(entry.getFileName().toString()));
        } catch (IOException e) {
          LOG.debug("cannot list {}: {}", directory, e.toString());
        }
      }
    }
    Collections.sort(names);
    ArrayNode array = mapper.createArrayNode();
    names.forEach(array::add);
    return array;
  }

  /** os.walk: errors (a running job deleting files) are skipped, not raised. */
  private static void walkFiles(Path root, Path directory, List<String> names) {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
      for (Path entry : entries) {
        if (Files.isDirectory(entry)) {
          if (!Files.isSymbolicLink(entry)) {
            walkFiles(root, entry, names);
          }
        } else {
          names.add(root.relativize(entry).toString());
        }
      }
    } catch (IOException | UncheckedIOException e) {
      LOG.debug("cannot walk {}: {}", directory, e.toString());
    }
  }

  private ArrayNode realizedDynamicFileSources(JobDir job) throws IOException {
    ArrayNode realized = mapper.createArrayNode();
    if (!job.has(LAUNCH_CONFIG)) {
      return realized;
    }
    for (JsonNode source : job.load(LAUNCH_CONFIG).path("dynamic_file_sources")) {
      if (!source.has("path")) {
        throw new PulsarError("KeyError: 'path'");
      }
      Path file = job.root.resolve("working").resolve(text(source.get("path")));
      if (Files.isRegularFile(file)) {
        ObjectNode copy = ((ObjectNode) source).deepCopy();
        copy.put("contents", Files.readString(file, StandardCharsets.UTF_8));
        realized.add(copy);
      }
    }
    return realized;
  }

  /**
   * {@code PUT /jobs/{id}/cancel} (§3.5): acts only on a queued or running job: records {@code
   * cancelled}, then SIGKILLs the process, its group and its descendants, and waits until the return
   * code (-9) is written. Always OK.
   */
  private void cancel(String jobId) throws IOException {
    JobDir job = job(jobId);
    Long pid;
    StartedJob started;
    synchronized (lockFor(job)) {
      if (!Files.exists(job.root)) {
        return;
      }
      String status = managerStatus(job);
      // Preprocessing is invisible to the manager, which sees no pid, no submitted: "complete".
      if (!status.equals("running") && !status.equals("queued")) {
        return;
      }
      pid = readPid(job);
      job.store(CANCELLED, true);
      if (pid == null) {
        job.remove(SUBMITTED);
      }
      started = startedJobs.get(job.root);
    }
    if (pid == null) {
      return;
    }
    if (started != null && started.process().pid() == pid) {
      killProcessTree(started.process().toHandle());
      waitFor(started.finished());
    } else {
      killJobProcess(pid, job);
      long deadline = System.nanoTime() + KILL_WAIT.toNanos();
      while (isJobProcessAlive(pid, job) && System.nanoTime() < deadline) {
        pause(Duration.ofMillis(10));
      }
      synchronized (lockFor(job)) {
        if (Files.isDirectory(job.root)) {
          if (!job.has(RETURN_CODE)) {
            job.write(RETURN_CODE, "-9");
          }
          job.remove(SUBMITTED);
          job.remove(PID);
        }
      }
    }
  }

  /** {@code POST /jobs/{id}/files}: the raw body, to the path of (name, type). */
  private ObjectNode upload(String jobId, Map<String, String> query, InputStream body) throws IOException {
    String type = required(query, "type");
    String name = required(query, "name");
    if (query.containsKey("cache_token") && !query.get("cache_token").isEmpty()) {
      throw new PulsarError("AttributeError: 'NoneType' object has no attribute 'destination' (no file cache)");
    }
    String path = calculatePath(job(jobId), name, type);
    // Opening a directory for writing fails with an OSError in Python too.
    try (OutputStream out = Files.newOutputStream(Path.of(path))) {
      body.transferTo(out);
    }
    return mapper.createObjectNode().put("path", path);
  }

  /** {@code GET /jobs/{id}/files/path}: computes a path (and, like Pulsar, creates nested parents). */
  private ObjectNode filePath(String jobId, Map<String, String> query) throws IOException {
    String type = required(query, "type");
    String name = required(query, "name");
    JobDir job = job(jobId);
    String path = Set.of("output", "output_workdir", "output_metadata").contains(type)
        ? outputPath(job, name, type)
        : calculatePath(job, name, type);
    return mapper.createObjectNode().put("path", path);
  }

  /** {@code GET /jobs/{id}/files}: the raw bytes; a missing file is 500, a directory a dropped connection. */
  private Reply download(String jobId, Map<String, String> query) throws IOException {
    String name = required(query, "name");
    String path = outputPath(job(jobId), name, query.getOrDefault("type", "output"));
    Path file = Path.of(path);
    if (!Files.exists(file)) {
      throw new PulsarError("HTTPNotFound: No file found with path " + path + ".");
    }
    if (Files.isDirectory(file)) {
      throw new IOException("[Errno 21] Is a directory: '" + path + "'");
    }
    InputStream in = Files.newInputStream(file);
    return exchange -> {
      try (InputStream source = in) {
        exchange.getResponseHeaders().set("Content-Type", HTML_UTF8);
        if (exchange.getRequestMethod().equals("HEAD")) {
          exchange.sendResponseHeaders(200, -1);
          return;
        }
        exchange.sendResponseHeaders(200, 0); // streamed, chunked, like webob's app_iter
        try (OutputStream out = exchange.getResponseBody()) {
          source.transferTo(out);
        }
      }
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Paths (pulsar/client/job_directory.py)

  /** The types of §3.2: directory, and whether {@code a/b/c} keeps its directories. */
  private enum FileType {
    INPUT("input", "inputs", true),
    UNSTRUCTURED("unstructured", "unstructured", true),
    CONFIG("config", "configs", false),
    TOOL("tool", "tool_files", true),
    JOBDIR("jobdir", "", false),
    WORKDIR("workdir", "working", false),
    METADATA("metadata", "metadata", true),
    OUTPUT("output", "outputs", true),
    OUTPUT_WORKDIR("output_workdir", "working", true),
    OUTPUT_METADATA("output_metadata", "metadata", true),
    OUTPUT_JOBDIR("output_jobdir", "", false);

    final String type;
    final String subdirectory;
    final boolean nested;

    FileType(String type, String subdirectory, boolean nested) {
      this.type = type;
      this.subdirectory = subdirectory;
      this.nested = nested;
    }

    static FileType of(String type) {
      for (FileType fileType : values()) {
        if (fileType.type.equals(type)) {
          return fileType;
        }
      }
      throw new PulsarError("Unknown file_type specified " + type);
    }
  }

  /**
   * Pulsar's {@code calculate_path}: where a file of {@code type} named {@code name} goes. Nested
   * types keep the name's directories (without a leading {@code /}), must stay inside their
   * directory, and get their parent directories created; the others keep the basename only.
   */
  private static String calculatePath(JobDir job, String name, String type) throws IOException {
    if (name == null) {
      throw new PulsarError("TypeError: expected str, not None");
    }
    FileType fileType = FileType.of(type);
    String directory = fileType.subdirectory.isEmpty() ? job.path() : job.path(fileType.subdirectory);
    String path;
    if (!fileType.nested) {
      path = directory + "/" + name.substring(name.lastIndexOf('/') + 1);
    } else {
      String relative = posixRelative(name);
      path = directory + "/" + relative;
      verifyIsInDirectory(path, directory);
      Path parent = Path.of(path).getParent();
      if (!Files.exists(parent)) {
        Files.createDirectories(parent);
      }
    }
    if (fileType == FileType.OUTPUT_WORKDIR && (path.contains("*") || path.contains("?"))) {
      path = firstGlobMatch(path);
    }
    return path;
  }

  /** Pulsar's {@code __posix_to_local_path}: the name's components, a leading {@code /} dropped. */
  private static String posixRelative(String name) {
    Deque<String> parts = new ArrayDeque<>();
    String rest = name;
    while (!rest.isEmpty() && !rest.chars().allMatch(c -> c == '/')) {
      int cut = rest.lastIndexOf('/') + 1;
      String head = rest.substring(0, cut);
      parts.addFirst(rest.substring(cut));
      if (!head.isEmpty() && !head.chars().allMatch(c -> c == '/')) {
        head = head.replaceAll("/+$", "");
      }
      rest = head;
    }
    if (parts.isEmpty()) {
      throw new PulsarError("TypeError: join() missing 1 required positional argument");
    }
    return String.join("/", parts);
  }

  /** galaxy.util.in_directory: inside after normalizing, and after resolving symbolic links. */
  private static void verifyIsInDirectory(String path, String directory) throws IOException {
    Path target = Path.of(path).normalize();
    Path base = Path.of(directory).normalize();
    boolean inside = target.startsWith(base);
    if (inside) {
      Path existing = target;
      while (existing != null && !Files.exists(existing)) {
        existing = existing.getParent();
      }
      Path realBase = Files.exists(base) ? base.toRealPath() : base;
      inside = existing == null || existing.toRealPath().startsWith(realBase)
          || !existing.startsWith(base); // an ancestor of the directory itself says nothing
    }
    if (!inside) {
      throw new PulsarError("Attempt to read or write file outside an authorized directory.");
    }
  }

  private static String firstGlobMatch(String pattern) throws IOException {
    Path root = Path.of(pattern.substring(0, pattern.lastIndexOf('/', indexOfGlob(pattern))));
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
    List<Path> matches = new ArrayList<>();
    if (Files.isDirectory(root)) {
      try (Stream<Path> paths = Files.walk(root)) {
        paths.filter(matcher::matches).sorted().forEach(matches::add);
      }
    }
    if (matches.isEmpty()) {
      throw new PulsarError("RuntimeError: No files matching glob: " + pattern);
    }
    return matches.get(0).toString();
  }

  private static int indexOfGlob(String pattern) {
    int star = pattern.indexOf('*');
    int question = pattern.indexOf('?');
    return star < 0 ? question : question < 0 ? star : Math.min(star, question);
  }

  /** routes.py {@code _output_path}: outputs/ (default and unknown types), working/ or metadata/. */
  private static String outputPath(JobDir job, String name, String type) throws IOException {
    String directory = job.path(switch (type) {
      case "output_workdir" -> "working";
      case "output_metadata" -> "metadata";
      default -> "outputs";
    });
    String path = name.startsWith("/") ? name : directory + "/" + name; // os.path.join
    verifyIsInDirectory(path, directory);
    return path;
  }

  // ---------------------------------------------------------------------------------------------
  // Launching and running jobs (stateful.py, unqueued.py, queued.py)

  /**
   * Remote staging (if any), then the launch; any failure marks the job failed with return code 1
   * and the error in {@code <job>/stderr}, and publishes {@code failed}, as {@code
   * _handling_of_preprocessing_state} does. A launched job becomes one of the manager's active jobs.
   */
  private void preprocessAndLaunch(String manager, JobDir job, JsonNode launchConfig, List<JsonNode> setupActions) {
    try {
      for (JsonNode action : setupActions) {
        if (closed.get()) {
          return; // resumed by the next FakePulsar on this staging directory
        }
        if (job.has(CANCELLED)) {
          break;
        }
        stage(job, action);
      }
      if (closed.get() && !setupActions.isEmpty()) {
        return;
      }
      if (!setupActions.isEmpty()) {
        deactivate(manager, job.id, true);
      }
      if (job.has(CANCELLED)) {
        return;
      }
      launch(job, text(launchConfig.get("command_line")), launchConfig.get("env"));
      synchronized (lockFor(job)) {
        job.store(PREPROCESSED, true);
      }
      activate(manager, job.id, false);
    } catch (IOException | RuntimeException e) {
      if (closed.get() && !setupActions.isEmpty()) {
        LOG.info("staging of job {} abandoned at close: {}", job.id, e.toString());
        return;
      }
      LOG.warn("Failed job preprocessing for job {}: {}", job.id, e.toString());
      synchronized (lockFor(job)) {
        try {
          job.store(PREPROCESSING_FAILED, true);
          job.store(RETURN_CODE, 1);
          job.write("stderr", pythonMessage(e));
        } catch (IOException | UncheckedIOException io) {
          LOG.warn("cannot record the failure of job {}: {}", job.id, io.toString());
        }
      }
      stateChange(manager, "failed", job.id);
    }
  }

  /** One {@code remote_staging.setup} entry (§6), with Pulsar's {@code from_dict} rules. */
  private void stage(JobDir job, JsonNode entry) throws IOException {
    if (!entry.isObject()) {
      throw new PulsarError("TypeError: setup entry is not a dictionary: " + entry);
    }
    String name = text(requiredKey(entry, "name"));
    String type = text(requiredKey(entry, "type"));
    JsonNode action = requiredKey(entry, "action");
    if (!action.isObject()) {
      throw new PulsarError("AttributeError: action is not a dictionary: " + action);
    }
    String actionType = text(action.get("action_type"));
    if (!KNOWN_ACTIONS.contains(actionType)) {
      throw new PulsarError("Failed to recover action from dictionary - invalid action type specified "
          + (actionType == null ? "None" : actionType) + ".");
    }
    // from_dict pops "path" whenever "source" is there (PULSAR.md §6 gotcha), else makes "path" the source.
    if (action.has("source") && !action.has("path")) {
      throw new PulsarError("KeyError: 'path'");
    }
    boolean hasSource = action.has("source") || action.has("path");
    switch (actionType) {
      case "message": {
        JsonNode contents = requiredKey(action, "contents");
        if (!contents.isTextual()) {
          throw new PulsarError("TypeError: write() argument must be str, not " + contents.getNodeType());
        }
        Path path = Path.of(calculatePath(job, name, type));
        Files.writeString(path, contents.textValue(), StandardCharsets.UTF_8);
        return;
      }
      case "remote_transfer": {
        if (!hasSource) {
          throw new PulsarError("KeyError: 'source'");
        }
        String url = text(requiredKey(action, "url"));
        Path path = Path.of(calculatePath(job, name, type));
        fetch(url, path);
        return;
      }
      default:
        throw new PulsarError("FakePulsar does not implement the " + actionType + " action");
    }
  }

  /** The {@code remote_transfer} download: an HTTP GET, only ever to a loopback address. */
  private void fetch(String url, Path path) throws IOException {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new PulsarError("InvalidURL: " + url);
    }
    String scheme = Optional.ofNullable(uri.getScheme()).orElse("").toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new PulsarError("InvalidSchema: No connection adapters were found for '" + url + "'");
    }
    if (!isLoopback(uri.getHost())) {
      throw new PulsarError("FakePulsar only downloads from loopback addresses, not " + uri.getHost()
          + " (" + url + ")");
    }
    HttpRequest request = HttpRequest.newBuilder(uri).GET().timeout(Duration.ofSeconds(60)).build();
    HttpResponse<Path> response;
    try {
      response = transferClient.send(request, info -> info.statusCode() / 100 == 2
          ? HttpResponse.BodySubscribers.ofFile(path)
          : HttpResponse.BodySubscribers.<Path>replacing(null));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PulsarError("interrupted while downloading " + url);
    } catch (IOException e) {
      throw new PulsarError("ConnectionError: " + e + " for url: " + url);
    }
    int code = response.statusCode();
    if (code >= 400) {
      throw new PulsarError("HTTPError: " + code + (code < 500 ? " Client Error" : " Server Error")
          + " for url: " + url);
    }
    if (code / 100 != 2) {
      throw new PulsarError("FakePulsar does not follow redirects: " + code + " for url: " + url);
    }
  }

  /** Loopback names and literals only, so that no name is ever looked up outside this machine. */
  private static boolean isLoopback(String host) {
    if (host == null) {
      return false;
    }
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (bare.equalsIgnoreCase("localhost")) {
      return true;
    }
    if (!IPV4_LITERAL.matcher(bare).matches() && !bare.contains(":")) {
      return false;
    }
    try {
      return InetAddress.getByName(bare).isLoopbackAddress(); // a literal: parsed, not resolved
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The unqueued manager's {@code _prepare_run} and queued_python's {@code launch}: marks the job
   * submitted, writes {@code command.sh}, and queues the run.
   */
  private void launch(JobDir job, String commandLine, JsonNode env) throws IOException {
    if (commandLine == null) {
      throw new PulsarError("TypeError: command_line is None");
    }
    synchronized (lockFor(job)) {
      job.store(SUBMITTED, "true");
      String script = jobScript(job, commandLine, env);
      Path scriptPath = job.root.resolve(COMMAND_SCRIPT);
      Files.writeString(scriptPath, script, StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(scriptPath, PosixFilePermissions.fromString("rwx------"));
      job.write(COMMAND_LINE, scriptPath.toString());
    }
    queueRun(job);
  }

  private void queueRun(JobDir job) {
    try {
      launcher.execute(() -> run(job));
    } catch (RejectedExecutionException e) {
      LOG.info("job {} stays queued: FakePulsar is closed", job.id);
    }
  }

  /**
   * A queued_python worker's {@code _run}: starts {@code command.sh} with bash in its own process
   * group (setsid), cwd working/, the streams into metadata/, and a clean environment.
   */
  private void run(JobDir job) {
    starting.readLock().lock();
    try {
      runLocked(job);
    } finally {
      starting.readLock().unlock();
    }
  }

  private void runLocked(JobDir job) {
    synchronized (lockFor(job)) {
      if (closed.get()) {
        return;
      }
      job.remove(COMMAND_LINE); // dequeued
      if (!Files.isDirectory(job.root) || job.has(CANCELLED)) {
        return;
      }
      List<String> command = new ArrayList<>();
      if (setsid != null) {
        command.add(setsid);
      }
      command.add("/bin/bash");
      command.add(job.root.resolve(COMMAND_SCRIPT).toString());
      ProcessBuilder builder = new ProcessBuilder(command)
          .directory(job.root.resolve("working").toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectOutput(job.root.resolve("metadata/job_stdout").toFile())
          .redirectError(job.root.resolve("metadata/job_stderr").toFile());
      builder.environment().clear();
      builder.environment().putAll(processEnvironment);
      Process process;
      try {
        process = builder.start();
      } catch (IOException e) {
        // Pulsar's worker logs this and the job stays queued.
        LOG.warn("Uncaught exception running job with job_id {}: {}", job.id, e.toString());
        return;
      }
      allStarted.add(process);
      CompletableFuture<Void> finished = process.onExit().thenAcceptAsync(p -> finishExecution(job, p));
      startedJobs.put(job.root, new StartedJob(process, finished));
      try {
        job.store(PID, String.valueOf(process.pid()));
      } catch (IOException e) {
        LOG.warn("cannot record the pid of job {}: {}", job.id, e.toString());
      }
    }
  }

  /** The monitor: records the exit status unless the script wrote one, and clears pid and submitted. */
  private void finishExecution(JobDir job, Process process) {
    synchronized (lockFor(job)) {
      StartedJob current = startedJobs.get(job.root);
      if (current != null && current.process() == process) {
        startedJobs.remove(job.root);
      }
      if (!monitoring || !Files.isDirectory(job.root)) {
        return;
      }
      try {
        if (!job.has(RETURN_CODE)) {
          int exit = process.exitValue();
          // Python reports death by signal N as -N; Java as 128 + N.
          int returnCode = job.has(CANCELLED) && exit > 128 ? 128 - exit : exit;
          job.write(RETURN_CODE, String.valueOf(returnCode));
        }
        job.remove(SUBMITTED);
        job.remove(PID);
      } catch (IOException | UncheckedIOException e) {
        LOG.warn("cannot finish job {}: {}", job.id, e.toString());
      }
    }
  }

  /** A trimmed rendering of Pulsar's DEFAULT_JOB_FILE_TEMPLATE.sh (§4). */
  private String jobScript(JobDir job, String commandLine, JsonNode env) {
    if (env == null || !env.isArray()) {
      throw new PulsarError("TypeError: can only concatenate list (not \"" + (env == null ? "None" : env.getNodeType())
          + "\") to list");
    }
    String root = job.path();
    StringBuilder script = new StringBuilder();
    script.append("#!/bin/bash\n\n");
    script.append("# Written by FakePulsar, after Pulsar's DEFAULT_JOB_FILE_TEMPLATE.sh\n");
    script.append("_GALAXY_JOB_DIR=").append(shellQuote(job.path("working"))).append('\n');
    script.append("_GALAXY_JOB_HOME_DIR=").append(shellQuote(root + "/home")).append('\n');
    String tmp = shellQuote(root + "/tmp");
    script.append("_GALAXY_JOB_TMP_DIR=$([ ! -e ").append(tmp).append(" ] || mv ").append(tmp).append(' ')
        .append(shellQuote(root)).append("/tmp.$(date +%Y%m%d-%H%M%S) ; mkdir ").append(tmp)
        .append("; echo ").append(tmp).append(")\n");
    for (JsonNode entry : env) {
      script.append(envStatement(entry)).append('\n');
    }
    script.append("mkdir -p \"$_GALAXY_JOB_TMP_DIR\" \"$_GALAXY_JOB_HOME_DIR\"\n");
    script.append("export _GALAXY_JOB_HOME_DIR\nexport _GALAXY_JOB_TMP_DIR\n\n");
    script.append("TMP=\"${TMP:-$TMPDIR}\"\nTEMP=\"${TEMP:-$TMPDIR}\"\n");
    script.append("TMP=\"${TMP:-$_GALAXY_JOB_TMP_DIR}\"\nTEMP=\"${TEMP:-$_GALAXY_JOB_TMP_DIR}\"\n");
    script.append("TMPDIR=\"${TMPDIR:-$_GALAXY_JOB_TMP_DIR}\"\n\n");
    script.append("for dir in ").append(shellQuote(job.path("working"))).append(' ')
        .append(shellQuote(job.path("outputs"))).append(' ').append(shellQuote(job.path("configs")))
        .append("; do\n")
        .append("    if [ -d \"${dir}.orig\" ]; then\n")
        .append("        rm -rf \"$dir\"; cp -R \"${dir}.orig\" \"$dir\"\n")
        .append("    else\n")
        .append("        cp -R \"$dir\" \"${dir}.orig\"\n")
        .append("    fi\n")
        .append("done\n");
    script.append("cd ").append(shellQuote(job.path("working"))).append('\n');
    // The command line goes in verbatim, as Pulsar does: a trailing newline or comment changes what
    // follows it.
    script.append(commandLine).append("; return_code=$?; echo $return_code > ")
        .append(shellQuote(root + "/" + RETURN_CODE)).append(";\n");
    return script.toString();
  }

  /** pulsar/managers/util/env.py {@code env_to_statement}. */
  private static String envStatement(JsonNode entry) {
    if (!entry.isObject()) {
      throw new PulsarError("AttributeError: env entry has no attribute 'get': " + entry);
    }
    if (truthy(entry.get("file"))) {
      return ". " + escapeEnvValue(entry.get("file"), entry);
    }
    if (truthy(entry.get("execute"))) {
      return scalar(entry.get("execute"));
    }
    String name = scalar(requiredKey(entry, "name"));
    String value = escapeEnvValue(requiredKey(entry, "value"), entry);
    return name + "=" + value + "; export " + name;
  }

  /** Double-quoted with only {@code "} escaped (so {@code $} still expands), unless raw. */
  private static String escapeEnvValue(JsonNode value, JsonNode entry) {
    if (truthy(entry.get("raw"))) {
      return scalar(value);
    }
    if (!value.isTextual()) {
      throw new PulsarError("AttributeError: '" + value.getNodeType() + "' object has no attribute 'replace'");
    }
    return "\"" + value.textValue().replace("\"", "\\\"") + "\"";
  }

  private static String scalar(JsonNode node) {
    return node.isTextual() ? node.textValue() : node.toString();
  }

  private static String shellQuote(String text) {
    return "'" + text.replace("'", "'\\''") + "'";
  }

  private Map<String, String> cleanEnvironment(Map<String, String> extra) {
    // galaxy.util.commands.new_clean_env: HOME, PATH, TMPDIR of the server, and LC_CTYPE.
    Map<String, String> environment = new LinkedHashMap<>();
    Map<String, String> own = System.getenv();
    for (String name : List.of("HOME", "PATH", "TMPDIR")) {
      if (own.containsKey(name)) {
        environment.put(name, own.get(name));
      }
    }
    environment.putIfAbsent("TMPDIR", Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().toString());
    environment.put("LC_CTYPE", "C.UTF-8");
    environment.putAll(extra);
    return Map.copyOf(environment);
  }

  /**
   * Pulsar's recovery at start ({@code recover_active_jobs}): resumes unfinished remote staging (for
   * the manager that started it), re-queues the runs not dequeued yet, and gives up the launched
   * jobs it cannot recover: queued_python's {@code _recover_active_job} reads the job's {@code
   * command_line} file, which the worker removed when it dequeued the job, so a job that had started
   * (or even ended) before the restart raises, and is deactivated and published {@code lost}.
   */
  private void recoverJobs() {
    Map<String, String> stagingManagers = new LinkedHashMap<>();
    for (String manager : managers) {
      for (String jobId : activeJobIds(manager, true)) {
        JobDir job = new JobDir(jobId, stagingDirectory.resolve(jobId));
        if (!job.has(LAUNCH_CONFIG) || job.has(PREPROCESSED) || job.has(PREPROCESSING_FAILED)) {
          deactivate(manager, jobId, true);
        } else {
          stagingManagers.putIfAbsent(jobId, manager);
        }
      }
    }
    for (JobDir job : jobDirectories()) {
      try {
        if (job.has(LAUNCH_CONFIG) && !job.has(PREPROCESSED) && !job.has(PREPROCESSING_FAILED)) {
          JsonNode launchConfig = job.load(LAUNCH_CONFIG);
          List<JsonNode> actions = setupActions(launchConfig);
          if (!actions.isEmpty()) {
            LOG.info("resuming the staging of job {}", job.id);
            String manager = stagingManagers.getOrDefault(job.id, DEFAULT_MANAGER);
            stagingThreads.execute(() -> preprocessAndLaunch(manager, job, launchConfig, actions));
          }
        } else if (job.has(SUBMITTED) && job.has(COMMAND_LINE) && !job.has(PID) && !job.has(CANCELLED)) {
          LOG.info("re-queueing job {}", job.id);
          queueRun(job);
        }
      } catch (IOException | RuntimeException e) {
        LOG.warn("cannot recover job {}: {}", job.id, e.toString());
      }
    }
    for (String manager : managers) {
      for (String jobId : activeJobIds(manager, false)) {
        if (!Files.isRegularFile(stagingDirectory.resolve(jobId).resolve(COMMAND_LINE))) {
          LOG.warn("Failed to recover active job {}: Cannot recover job with id {} (no command_line)", jobId, jobId);
          deactivate(manager, jobId, false);
          stateChange(manager, "lost", jobId);
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Processes

  /** Kills the process of a pid file, if it still runs the job's script (never a reused pid). */
  private static void killJobProcess(Long pid, JobDir job) {
    if (pid != null && isJobProcessAlive(pid, job)) {
      ProcessHandle.of(pid).ifPresent(FakePulsar::killProcessTree);
    }
  }

  /**
   * SIGKILL of a job process: first the process itself (so that bash cannot write a return code),
   * then the descendants it had, then whatever is left in its process group.
   */
  private static void killProcessTree(ProcessHandle leader) {
    long pid = leader.pid();
    List<ProcessHandle> descendants = leader.descendants().toList();
    long group = processGroup(pid);
    leader.destroyForcibly();
    descendants.forEach(ProcessHandle::destroyForcibly);
    // Only the job's own group (setsid makes the job its leader), never the JVM's.
    long ownGroup = processGroup(ProcessHandle.current().pid());
    if (group != pid || group <= 1 || group == ownGroup) {
      return;
    }
    for (int round = 0; round < 50; round++) {
      List<ProcessHandle> members = ProcessHandle.allProcesses()
          .filter(p -> p.pid() != ProcessHandle.current().pid())
          .filter(p -> processGroup(p.pid()) == group && isRunning(p.pid()))
          .toList();
      if (members.isEmpty()) {
        return;
      }
      members.forEach(ProcessHandle::destroyForcibly);
      pause(Duration.ofMillis(10));
    }
  }

  /** The process group of {@code pid}, from {@code /proc/PID/stat}; -1 if unknown. */
  static long processGroup(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[2]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Alive and not a zombie (an orphan's zombie may never be reaped in a container). */
  static boolean isRunning(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Whether {@code pid} is running the job's {@code command.sh}, per {@code /proc}. */
  private static boolean isJobProcessAlive(long pid, JobDir job) {
    if (!isRunning(pid)) {
      return false;
    }
    try {
      byte[] commandLine = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      String arguments = new String(commandLine, StandardCharsets.UTF_8);
      return List.of(arguments.split("\0")).contains(job.root.resolve(COMMAND_SCRIPT).toString());
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static Long readPid(JobDir job) {
    try {
      if (!job.has(PID)) {
        return null;
      }
      return Long.parseLong(job.loadText(PID).strip());
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static void waitFor(CompletableFuture<?> future) {
    try {
      future.get(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("gave up waiting for a job process: {}", e.toString());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private JobDir job(String jobId) {
    if (jobId == null) {
      throw new PulsarError("TypeError: job_id is None");
    }
    // Pulsar asserts job_id == basename(job_id). It would take "", "." or ".." for the staging
    // directory or its parent; this fake refuses them rather than clean a directory it does not own.
    if (jobId.contains("/") || jobId.isEmpty() || jobId.equals(".") || jobId.equals("..")) {
      throw new PulsarError("AssertionError: bad job id " + jobId);
    }
    return new JobDir(jobId, stagingDirectory.resolve(jobId));
  }

  private List<JobDir> jobDirectories() {
    List<JobDir> jobs = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(stagingDirectory, Files::isDirectory)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (!name.equals(PERSISTENCE_DIRECTORY)) {
          jobs.add(new JobDir(name, entry));
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot list {}: {}", stagingDirectory, e.toString());
    }
    return jobs;
  }

  private Object lockFor(JobDir job) {
    return jobLocks.computeIfAbsent(job.root, path -> new Object());
  }

  private JsonNode parseJson(Map<String, String> query, String name, String defaultValue) {
    return parseJsonText(query.getOrDefault(name, defaultValue), name);
  }

  private JsonNode parseJsonText(String text, String what) {
    try {
      JsonNode node = mapper.readTree(text);
      if (node == null || node.isMissingNode()) {
        throw new PulsarError("JSONDecodeError: Expecting value (" + what + ")");
      }
      return node;
    } catch (JsonProcessingException e) {
      // A ValueError in Python: 500, not a dropped connection.
      throw new PulsarError("JSONDecodeError in " + what + ": " + e.getOriginalMessage());
    }
  }

  private static JsonNode requiredKey(JsonNode object, String key) {
    JsonNode value = object.get(key);
    if (value == null) {
      throw new PulsarError("KeyError: '" + key + "'");
    }
    return value;
  }

  /** The string of a JSON value; null for JSON null or absent. */
  static String text(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    }
    return node.isTextual() ? node.textValue() : node.toString();
  }

  /** Python truthiness of a JSON value. */
  static boolean truthy(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return false;
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isNumber()) {
      return node.doubleValue() != 0;
    }
    if (node.isTextual()) {
      return !node.textValue().isEmpty();
    }
    return node.size() > 0;
  }

  /** How Python would print the exception into {@code <job>/stderr}: {@code str(e)}. */
  private static String pythonMessage(Exception e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    // str(KeyError('path')) is "'path'".
    return message.startsWith("KeyError: ") ? message.substring("KeyError: ".length()) : message;
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(root)) {
      paths = walk.sorted(Collections.reverseOrder()).toList();
    }
    for (Path path : paths) {
      Files.deleteIfExists(path);
    }
  }

  private static ExecutorService daemonThreads(String name) {
    AtomicInteger count = new AtomicInteger();
    return Executors.newCachedThreadPool(runnable -> {
      Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  /** One job directory and Pulsar's ways to read and write its files (JSON for metadata). */
  private final class JobDir {
    final String id;
    final Path root;

    JobDir(String id, Path root) {
      this.id = id;
      this.root = root;
    }

    String path() {
      return root.toString();
    }

    String path(String subdirectory) {
      return root + "/" + subdirectory;
    }

    boolean has(String name) {
      return Files.exists(root.resolve(name));
    }

    void write(String name, String contents) throws IOException {
      Files.writeString(root.resolve(name), contents, StandardCharsets.UTF_8);
    }

    /** store_metadata: the value as JSON ({@code true}, {@code "12345"}, {@code "complete"}). */
    void store(String name, Object value) throws IOException {
      write(name, mapper.writeValueAsString(value));
    }

    JsonNode load(String name) throws IOException {
      return parseJsonText(Files.readString(root.resolve(name), StandardCharsets.UTF_8), name);
    }

    String loadText(String name) throws IOException {
      return text(load(name));
    }

    void remove(String name) {
      try {
        Files.deleteIfExists(root.resolve(name));
      } catch (IOException e) {
        LOG.debug("cannot remove {}/{}: {}", id, name, e.toString());
      }
    }
  }

  /** A process this instance started, and the monitor that finishes its job when it exits. */
  private record StartedJob(Process process, CompletableFuture<Void> finished) {}

  /** An answer, written once the handler succeeded. */
  @FunctionalInterface
  private interface Reply {
    Reply OK = exchange -> sendBytes(exchange, 200, HTML_UTF8, "OK".getBytes(StandardCharsets.UTF_8));

    void send(HttpExchange exchange) throws IOException;
  }

  /** The routes of pulsar/web/routes.py; {@code method} null means every method. */
  private enum Route {
    SETUP("POST", "/jobs"),
    CLEAN("DELETE", "/jobs/{job_id}"),
    SUBMIT("POST", "/jobs/{job_id}/submit"),
    STATUS(null, "/jobs/{job_id}/status"),
    CANCEL("PUT", "/jobs/{job_id}/cancel"),
    UPLOAD("POST", "/jobs/{job_id}/files"),
    FILE_PATH("GET", "/jobs/{job_id}/files/path"),
    DOWNLOAD("GET", "/jobs/{job_id}/files"),
    HEALTHZ("GET", "/healthz"),
    CACHE_STATUS("GET", "/cache/status"),
    CACHE_REQUIRED("PUT", "/cache"),
    CACHE_INSERT("POST", "/cache"),
    OBJECT_EXISTS(null, "/objects/{object_id}/exists"),
    OBJECT_FILE_READY(null, "/objects/{object_id}/file_ready"),
    OBJECT_CREATE("POST", "/objects/{object_id}"),
    OBJECT_EMPTY(null, "/objects/{object_id}/empty"),
    OBJECT_SIZE(null, "/objects/{object_id}/size"),
    OBJECT_DELETE("DELETE", "/objects/{object_id}"),
    OBJECT_GET("GET", "/objects/{object_id}"),
    OBJECT_FILENAME(null, "/objects/{object_id}/filename"),
    OBJECT_UPDATE("PUT", "/objects/{object_id}"),
    OBJECT_STORE_USAGE(null, "/object_store_usage_percent");

    final String method;
    final String template;
    final Pattern pattern;

    Route(String method, String template) {
      this.method = method;
      this.template = template;
      this.pattern = Pattern.compile("^" + template.replaceAll("\\{\\w+}", "(?<id>[^/]+)") + "$");
    }
  }

  /** A matched route, its manager and the id in its path (null if it has none). */
  private record Match(Route route, String manager, String id) {
    static Match of(String method, String path) {
      String manager = DEFAULT_MANAGER;
      String rest = path;
      Matcher prefixed = MANAGER_PREFIX.matcher(path);
      if (prefixed.matches()) {
        manager = prefixed.group("manager");
        rest = prefixed.group("rest");
      }
      for (Route route : Route.values()) {
        if (route.method != null && !route.method.equals(method)) {
          continue;
        }
        Matcher matcher = route.pattern.matcher(rest);
        if (matcher.matches()) {
          return new Match(route, manager, route.template.contains("{") ? matcher.group("id") : null);
        }
      }
      return null;
    }
  }

  /** A failure Python would raise as something other than OSError: answered 500. */
  private static final class PulsarError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PulsarError(String message) {
      super(message);
    }
  }

  /** What became of a message a consumer took. */
  public enum AmqpOutcome {
    /** Processed and acked (the job's own failures, e.g. of its launch, are published, not raised). */
    PROCESSED,
    /** Its processing raised (no job id, a bad config, ...): Pulsar logs it, and acks the message. */
    FAILED,
    /** Its {@code acknowledge_uuid} was seen before (with acknowledgements): acked, not processed. */
    DUPLICATE,
    /** An {@code acknowledge_uuid_response} on an acknowledgement queue: recorded and acked. */
    ACKNOWLEDGEMENT,
    /** On {@code status_update_ack} but no acknowledgement: never acked, as by Pulsar. */
    IGNORED,
    /**
     * Not decodable by kombu (content type not JSON, bad JSON, empty body...): the consumer of its
     * queue quits, as Pulsar's consumer thread dies, and the message goes back to the queue.
     */
    REFUSED
  }

  /**
   * One message a consumer took.
   *
   * @param manager the manager whose consumer took it
   * @param queue the queue, e.g. {@code pulsar__setup}
   * @param body the body as kombu decoded it (JSON, or a text node for a trusted non-JSON type), or
   *     null when it could not be decoded
   * @param contentType its content type, or null
   * @param rawBody its bytes as UTF-8 text
   * @param outcome what became of it
   */
  public record AmqpMessage(String manager, String queue, JsonNode body, String contentType, String rawBody,
      AmqpOutcome outcome) {}

  /**
   * One request as the fake received it.
   *
   * @param method the HTTP method
   * @param path the decoded path, e.g. {@code /managers/m/jobs/j1/status}
   * @param query the decoded query parameters (the last value of a repeated name)
   * @param route the route template it matched, without the manager prefix (e.g. {@code
   *     /jobs/{job_id}/submit}), or null when it matched none (404)
   * @param manager the manager it addressed ({@value FakePulsar#DEFAULT_MANAGER} without a prefix), or null
   *     when it matched no route
   */
  public record RecordedRequest(
      String method, String path, Map<String, String> query, String route, String manager) {
    /** Copies the query. */
    public RecordedRequest {
      query = Collections.unmodifiableMap(new LinkedHashMap<>(query));
    }

    /** The value of query parameter {@code name}, or null. */
    public String parameter(String name) {
      return query.get(name);
    }

    /** Whether this is {@code method} on the route {@code template} (e.g. {@code POST}, {@code /jobs}). */
    public boolean is(String method, String template) {
      return this.method.equals(method) && template.equals(route);
    }
  }

  /** Settings of a fake Pulsar; not thread-safe. */
  public static final class Builder {
    private final Path stagingDirectory;
    private String privateToken;
    private final Set<String> managers = new LinkedHashSet<>(List.of(DEFAULT_MANAGER));
    private final Map<String, String> environment = new LinkedHashMap<>();
    private int port;
    private long maximumStreamSize = DEFAULT_MAXIMUM_STREAM_SIZE;
    private URI amqpUri;
    private String amqpKeyPrefix;
    private boolean amqpAcknowledge;
    private Duration amqpAckRepublishTime = DEFAULT_ACK_REPUBLISH_TIME;
    private Duration outboxDrainInterval = DEFAULT_OUTBOX_DRAIN_INTERVAL;
    private Duration monitorInterval = DEFAULT_MONITOR_INTERVAL;

    private Builder(Path stagingDirectory) {
      this.stagingDirectory = Objects.requireNonNull(stagingDirectory, "stagingDirectory");
    }

    /** Requires {@code ?private_token=TOKEN} on every request (app.yml {@code private_token}). */
    public Builder privateToken(String token) {
      this.privateToken = Objects.requireNonNull(token, "token");
      return this;
    }

    /** Adds a manager, served under {@code /managers/NAME/}; {@value #DEFAULT_MANAGER} always exists. */
    public Builder manager(String name) {
      managers.add(Objects.requireNonNull(name, "name"));
      return this;
    }

    /**
     * Variables added to (or replacing those of) the job processes' clean environment of {@code
     * HOME}, {@code PATH}, {@code TMPDIR} and {@code LC_CTYPE=C.UTF-8}, e.g. a {@code PATH} that
     * starts with a directory of fake programs.
     */
    public Builder environment(Map<String, String> variables) {
      environment.putAll(variables);
      return this;
    }

    /** The loopback port to listen on; 0 (the default) picks a free one. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Cuts each stream of a status to this many bytes (0 or less: no limit). */
    public Builder maximumStreamSize(long bytes) {
      this.maximumStreamSize = bytes;
      return this;
    }

    /**
     * Binds to the message queue of this AMQP broker (app.yml {@code message_queue_url}), {@code
     * amqp://user:password@host:port/vhost}: no path, {@code /}, {@code //} or {@code /%2F} is the
     * virtual host {@code /}. The HTTP routes keep working beside it.
     */
    public Builder amqp(URI brokerUri) {
      FakePulsarAmqp.connectionFactory(Objects.requireNonNull(brokerUri, "brokerUri")); // checks it
      this.amqpUri = brokerUri;
      return this;
    }

    /**
     * app.yml {@code amqp_key_prefix}: the prefix of every queue name and routing key instead of
     * {@code pulsar_} ({@value #DEFAULT_MANAGER}) or {@code pulsar_<manager>_}; the same for every
     * manager, as in Pulsar.
     */
    public Builder amqpKeyPrefix(String prefix) {
      this.amqpKeyPrefix = Objects.requireNonNull(prefix, "prefix");
      return this;
    }

    /**
     * app.yml {@code amqp_acknowledge}: status updates carry {@code acknowledge_uuid}, {@code
     * acknowledge_queue} and {@code acknowledge_submit_queue}, {@code <prefix>_status_update_ack} is
     * consumed, and an update not acknowledged within the {@linkplain #amqpAckRepublishTime
     * republish time} is published again with {@code force_noack: true}.
     */
    public Builder amqpAcknowledge(boolean acknowledge) {
      this.amqpAcknowledge = acknowledge;
      return this;
    }

    /** app.yml {@code amqp_ack_republish_time} (default 30 s); short ones are for tests. */
    public Builder amqpAckRepublishTime(Duration time) {
      this.amqpAckRepublishTime = requirePositive(time, "time");
      return this;
    }

    /**
     * app.yml {@code status_outbox_drain_interval} (default 5 s): how often the status outbox tries
     * again to publish what it could not (the broker was down).
     */
    public Builder statusOutboxDrainInterval(Duration interval) {
      this.outboxDrainInterval = requirePositive(interval, "interval");
      return this;
    }

    /** The manager option {@code min_polling_interval} (default 500 ms) of the active-job monitor. */
    public Builder monitorInterval(Duration interval) {
      this.monitorInterval = requirePositive(interval, "interval");
      return this;
    }

    private static Duration requirePositive(Duration duration, String name) {
      Objects.requireNonNull(duration, name);
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + duration);
      }
      return duration;
    }

    /** Starts the fake Pulsar, taking over the jobs already in the staging directory. */
    public FakePulsar start() throws IOException {
      return new FakePulsar(this);
    }
  }
}
