package io.tes4j.backend.pulsar.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.failsafe.RateLimiter;
import io.tes4j.api.BackendException;
import io.tes4j.api.internal.Durations;
import io.tes4j.backend.pulsar.PulsarRuntime;
import io.tes4j.model.Task;
import io.tes4j.model.Violation;
import io.tes4j.spi.Backend;
import io.tes4j.spi.Capabilities;
import io.tes4j.spi.TaskEvents;
import io.tes4j.transfer.Stager;
import io.tes4j.transfer.TransferPolicy;
import io.tes4j.transfer.Transfers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs TES tasks as jobs of one or several Pulsar servers, over their REST API or their message
 * queue. Thread-safe.
 *
 * <p>Each task is one Pulsar job, on the server {@link Placement} picks, whose id is the handle. A
 * worker stages the task's inputs on this machine (through {@code transfer}, under the transfer
 * policy), sets the job up, uploads the files and the executors' environment files, and submits
 * one command line ({@link JobScript}). Each server's poller, a thread of its own, then asks it for
 * the status of each of its jobs in rounds, {@link Settings#pollInterval()} apart, at most {@link
 * Settings#maxPollsPerSecond()} requests a second whatever the number of jobs; a slow server slows
 * only its own rounds. When a job ended, a worker reads each executor's times, exit code and output tails, fetches
 * the outputs and uploads them to their URLs, cleans the job, and ends the task. Nothing of a job
 * is kept on Pulsar once its task ended.
 *
 * <p>A job whose status cannot be read keeps being asked for, with the same pace, until {@link
 * Settings#giveUpAfter()} passed without one answer: the task then ends SYSTEM_ERROR saying so, so
 * that no task waits forever on a server that is gone.
 *
 * <p>A server in AMQP mode ({@link PulsarQueue}) is launched, killed and asked over its message
 * queue, and its files still move over HTTP. Its statuses are pushed: the poller only asks for
 * those of jobs not heard of for {@link Settings#statusRequestAfter()} (Pulsar publishes no
 * {@code preprocessing}, {@code queued} or {@code cancelled}, and an update published while no
 * queue existed is lost), and ends SYSTEM_ERROR a job silent for {@link Settings#giveUpAfter()}.
 */
public final class PulsarBackend implements Backend {
  private static final Logger LOG = LoggerFactory.getLogger(PulsarBackend.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  /**
   * The backend's settings.
   *
   * @param runtime what runs the executors on the Pulsar host
   * @param pollInterval the pause between two rounds of status requests
   * @param maxPollsPerSecond the most status requests a second, all jobs together
   * @param giveUpAfter how long a job's status may be unreadable before its task fails
   * @param workers how many tasks are staged or collected at once
   * @param stagingRoot where inputs and outputs pass through on this machine, one directory per task
   * @param statusRequestAfter over AMQP: how long a job may go without a status update before it
   *     is asked for one
   * @param pulsarStaging whether Pulsar itself writes content inputs and downloads http(s) file
   *     inputs (its remote staging), instead of this machine uploading them
   * @param exitCheckAfter how long a job may be said to run before the backend also looks for the
   *     file its command line writes as it ends ({@link JobScript#EXIT_MARKER}), then at doubling
   *     intervals up to {@link #MAX_EXIT_CHECK_INTERVAL}; and how long that file may have been
   *     there while Pulsar still says running before the job is taken as over
   */
  public record Settings(
      PulsarRuntime runtime,
      Duration pollInterval,
      double maxPollsPerSecond,
      Duration giveUpAfter,
      int workers,
      Path stagingRoot,
      Duration statusRequestAfter,
      boolean pulsarStaging,
      Duration exitCheckAfter) {
    /** Checks the values. */
    public Settings {
      Objects.requireNonNull(runtime, "runtime");
      Objects.requireNonNull(pollInterval, "pollInterval");
      Objects.requireNonNull(giveUpAfter, "giveUpAfter");
      Objects.requireNonNull(stagingRoot, "stagingRoot");
      Objects.requireNonNull(statusRequestAfter, "statusRequestAfter");
      Objects.requireNonNull(exitCheckAfter, "exitCheckAfter");
      if (pollInterval.isNegative() || pollInterval.isZero()) {
        throw new IllegalArgumentException("pollInterval must be positive, was " + pollInterval);
      }
      if (!(maxPollsPerSecond > 0)) {
        throw new IllegalArgumentException("maxPollsPerSecond must be positive, was " + maxPollsPerSecond);
      }
      if (workers < 1) {
        throw new IllegalArgumentException("workers must be at least 1, was " + workers);
      }
      if (statusRequestAfter.isNegative() || statusRequestAfter.isZero()) {
        throw new IllegalArgumentException("statusRequestAfter must be positive, was " + statusRequestAfter);
      }
    }
  }

  /** The servers by name, the URI's own ({@link #DEFAULT_SERVER}) first. */
  private final Map<String, PulsarClient> servers;
  /** The servers reached through a message queue (AMQP mode), by name; the others are polled over HTTP. */
  private final Map<String, PulsarQueue> queues;
  /** Jobs of no task (the container-removing ones) whose end a worker awaits, by handle (AMQP mode). */
  private final Map<String, CompletableFuture<PulsarStatus>> awaited = new ConcurrentHashMap<>();
  private final Placement placement;
  private final Settings settings;
  private final Transfers transfers;
  private final boolean ownsTransfers;
  private final Stager stager;
  private final Capabilities capabilities;
  private final ExecutorService workers;
  private final ScheduledExecutorService poller;
  /** Each server's pace of status requests. */
  private final Map<String, RateLimiter<Object>> polls;
  private final Map<String, PulsarJob> jobs = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** The longest pause between two looks for the exit marker of a job Pulsar says runs. */
  public static final Duration MAX_EXIT_CHECK_INTERVAL = Duration.ofMinutes(30);

  /** The name of the server the backend URI names. */
  public static final String DEFAULT_SERVER = "default";

  /**
   * @param servers the Pulsar servers by name, the URI's own first (named {@link #DEFAULT_SERVER}):
   *     their HTTP API, for everything in REST mode and for files in AMQP mode
   * @param queues the message queues of the servers driven in AMQP mode, by name (a subset of
   *     {@code servers}); closed with the backend
   * @param placement which server runs a task
   * @param settings how jobs are run and watched
   * @param transfers how task files move on this machine
   * @param ownsTransfers whether {@link #close()} closes {@code transfers}
   * @param storage what {@link Capabilities#storage()} lists
   */
  public PulsarBackend(
      Map<String, PulsarClient> servers,
      Map<String, PulsarQueue> queues,
      Placement placement,
      Settings settings,
      Transfers transfers,
      boolean ownsTransfers,
      List<String> storage) {
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("no Pulsar server");
    }
    this.servers = Collections.unmodifiableMap(new LinkedHashMap<>(servers));
    if (!servers.keySet().containsAll(queues.keySet())) {
      throw new IllegalArgumentException("a queue of no server: " + queues.keySet() + " vs " + servers.keySet());
    }
    this.queues = Map.copyOf(queues);
    this.queues.forEach((name, queue) -> queue.onUpdate(update -> updated(name, update)));
    this.placement = Objects.requireNonNull(placement, "placement");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.transfers = Objects.requireNonNull(transfers, "transfers");
    this.ownsTransfers = ownsTransfers;
    this.stager = new Stager(transfers);
    this.capabilities = new Capabilities(true, true, enforcedResources(settings.runtime()),
        this.servers.size() > 1 ? Set.of(Placement.SERVER_PARAMETER) : Set.of(), storage);
    int instance = INSTANCES.incrementAndGet();
    AtomicInteger threads = new AtomicInteger();
    this.workers = Executors.newFixedThreadPool(settings.workers(), r -> {
      Thread t = new Thread(r, "tes4j-pulsar-" + instance + "-worker-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    // One poller thread per server, so that a slow or dead server (each request may wait
    // requestTimeout, maxAttempts times) delays the statuses of its own jobs only.
    AtomicInteger pollers = new AtomicInteger();
    this.poller = Executors.newScheduledThreadPool(this.servers.size(), r -> {
      Thread t = new Thread(r, "tes4j-pulsar-" + instance + "-poller-" + pollers.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    Map<String, RateLimiter<Object>> paces = new LinkedHashMap<>();
    for (String server : this.servers.keySet()) {
      paces.put(server, RateLimiter.<Object>smoothBuilder(
              Math.max(1, Math.round(settings.maxPollsPerSecond() * 60)), Duration.ofMinutes(1))
          .build());
    }
    this.polls = Map.copyOf(paces);
    long pause = settings.pollInterval().toMillis();
    for (String server : this.servers.keySet()) {
      poller.scheduleWithFixedDelay(() -> pollRound(server), pause, pause, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public Capabilities capabilities() {
    return capabilities;
  }

  @Override
  public List<Violation> check(Task task) {
    List<Violation> violations = new ArrayList<>(JobScript.check(task, settings.runtime()));
    violations.addAll(placement.check(task));
    return violations;
  }

  /**
   * Starts the task on the server {@link Placement} picks. The handle is the Pulsar job id, {@code
   * tes4j-TASKID}, prefixed with {@code SERVER/} when the server is not the URI's own.
   */
  @Override
  public String start(Task task, TaskEvents events) {
    if (closed) {
      throw new BackendException("the Pulsar backend " + this + " is closed");
    }
    String server;
    try {
      server = placement.choose(task, this::unfinishedOn);
    } catch (IllegalArgumentException e) {
      throw new BackendException(e.getMessage(), e);
    }
    String jobId = jobId(task.id());
    String handle = handle(server, jobId);
    PulsarJob job = new PulsarJob(server, jobId, task, events, this, false);
    if (jobs.putIfAbsent(handle, job) != null) {
      throw new BackendException("task " + task.id() + " already runs as Pulsar job " + handle);
    }
    try {
      workers.execute(job::submit);
    } catch (RejectedExecutionException e) {
      jobs.remove(handle);
      throw new BackendException("the Pulsar backend " + this + " is closing", e);
    }
    return handle;
  }

  @Override
  public void cancel(String handle) {
    PulsarJob job = jobs.get(handle);
    if (job != null) {
      job.cancel();
    }
  }

  @Override
  public boolean resume(String handle, Task task, TaskEvents events) {
    int slash = handle.indexOf('/');
    String server = slash < 0 ? DEFAULT_SERVER : handle.substring(0, slash);
    String jobId = handle.substring(slash + 1);
    PulsarClient client = servers.get(server);
    if (client == null) {
      events.systemLog("the task ran on the Pulsar server '" + server + "', which this backend no longer has"
          + " (it has " + String.join(", ", servers.keySet()) + ")");
      return false;
    }
    PulsarStatus status;
    try {
      status = client.status(jobId);
    } catch (BackendException e) {
      // Pulsar is unreachable now: watch the job as any other, which fails it after giveUpAfter.
      LOG.warn("resuming task {}: cannot read the status of Pulsar job {} now: {}", task.id(), handle,
          e.getMessage());
      status = null;
    }
    if (status != null && status.status().equals("lost")) {
      return false;
    }
    // Set up but never submitted (the engine stopped in between): submit it now. Each step of a
    // submission may be repeated, and a job submitted already ignores a second submit.
    boolean submitted = status == null || !status.status().equals("preprocessing");
    PulsarJob job = new PulsarJob(server, jobId, task, events, this, submitted);
    if (jobs.putIfAbsent(handle, job) != null) {
      return true;
    }
    if (!submitted) {
      LOG.info("task {}: Pulsar job {} was set up but not submitted before the restart; submitting it now",
          task.id(), handle);
      if (!onWorker(job::submit)) {
        jobs.remove(handle, job);
        return false;
      }
    } else if (status != null) {
      job.observed(status);
    }
    return true;
  }

  @Override
  public void close() {
    closed = true;
    poller.shutdownNow();
    workers.shutdownNow();
    try {
      workers.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    queues.values().forEach(PulsarQueue::close);
    if (ownsTransfers) {
      transfers.close();
    }
  }

  /** The server and runtime; never the token. */
  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("PulsarBackend[");
    servers.forEach((name, client) -> {
      PulsarQueue queue = queues.get(name);
      text.append(name).append('=').append(queue == null ? client.description()
          : queue.description() + " + files at " + client.description()).append(", ");
    });
    return text.append("runtime=").append(settings.runtime().parameter())
        .append(servers.size() > 1 ? ", placement=" + placement : "").append(']').toString();
  }

  /**
   * The resources the command line enforces: docker's {@code --cpus} and {@code --memory}; none
   * for apptainer and singularity, whose limits need cgroups set up for the Pulsar user, nor for
   * {@code none}.
   */
  static Set<String> enforcedResources(PulsarRuntime runtime) {
    return runtime == PulsarRuntime.DOCKER ? Set.of("cpu_cores", "ram_gb") : Set.of();
  }

  /** The Pulsar job id of a task: its id, which TesEngine makes URL-safe. */
  static String jobId(String taskId) {
    return "tes4j-" + taskId;
  }

  // -----------------------------------------------------------------------------------------------
  // For PulsarJob.

  PulsarClient client(String server) {
    return servers.get(server);
  }

  /** The message queue of {@code server}, or null when it is driven over REST. */
  PulsarQueue queue(String server) {
    return queues.get(server);
  }

  /** The handle of job {@code jobId} on {@code server}: the job id, prefixed for any server but the first. */
  static String handle(String server, String jobId) {
    return server.equals(DEFAULT_SERVER) ? jobId : server + "/" + jobId;
  }

  /** How many of this backend's tasks are unfinished on {@code server}. */
  private int unfinishedOn(String server) {
    int count = 0;
    for (PulsarJob job : jobs.values()) {
      if (job.server().equals(server)) {
        count++;
      }
    }
    return count;
  }

  Settings settings() {
    return settings;
  }

  Stager stager() {
    return stager;
  }

  /** The transfer policy the task's files obey on this machine. */
  TransferPolicy transferPolicy() {
    return transfers.settings().policy();
  }

  /** Runs {@code work} on a worker; false when the backend is closing. */
  boolean onWorker(Runnable work) {
    try {
      workers.execute(work);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  /** The job ended and its task was reported: it is no longer watched. */
  void forget(PulsarJob job) {
    jobs.remove(handle(job.server(), job.jobId()), job);
  }

  // -----------------------------------------------------------------------------------------------
  // The poller.

  /**
   * One round for {@code server}, on its own poller thread: over HTTP, the status of each of its
   * watched jobs; over a queue, a status request for each job not heard of for {@link Settings#statusRequestAfter()} (every round for a job being
   * cancelled, since Pulsar publishes no {@code cancelled}), and the end of any job silent for
   * {@link Settings#giveUpAfter()}. Both paced by each server's rate limiter.
   */
  private void pollRound(String server) {
    PulsarClient client = servers.get(server);
    PulsarQueue queue = queues.get(server);
    RateLimiter<Object> pace = polls.get(server);
    long now = System.nanoTime();
    List<PulsarJob> watched = new ArrayList<>();
    for (PulsarJob job : jobs.values()) {
      if (job.server().equals(server) && job.wantsStatus()) {
        watched.add(job);
      }
    }
    if (queue != null && !watched.isEmpty()) {
      // Connected once there is a job to hear of (a resumed one sends nothing), not before: a
      // backend that was opened and dropped without a job must not sit on the queue, where it
      // would take, and drop, the updates of another engine's jobs.
      try {
        queue.connect();
      } catch (BackendException e) {
        LOG.warn("{}", e.getMessage());
      }
    }
    for (PulsarJob job : watched) {
      if (closed || Thread.currentThread().isInterrupted()) {
        return;
      }
      try {
        if (queue != null) {
          if (job.silentFor(now, settings.giveUpAfter())) {
            job.giveUp("no status of Pulsar job " + job.jobId() + " came through " + queue.description() + " for "
                + Durations.format(settings.giveUpAfter()) + ", although it was asked for");
            continue;
          }
          if (job.statusRequestDue(now, settings.statusRequestAfter(), settings.pollInterval())) {
            pace.acquirePermit();
            try {
              queue.requestStatus(job.jobId());
            } catch (BackendException e) {
              LOG.warn("Pulsar job {}: {}; asked again at the next round", job.jobId(), e.getMessage());
            }
          }
        } else {
          pace.acquirePermit();
          try {
            job.observed(client.status(job.jobId()));
          } catch (BackendException e) {
            job.statusFailed(e);
            continue;
          }
        }
        if (job.exitCheckDue(System.nanoTime())) {
          pace.acquirePermit();
          job.exitChecked(client.probe(job.jobId(), JobScript.EXIT_MARKER, "output_metadata"), System.nanoTime());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        LOG.error("Pulsar job {}: reading its status failed unexpectedly", job.jobId(), e);
        job.statusFailed(new BackendException(e.toString(), e, true));
      }
    }
  }

  /** A status update from the queue of {@code server}: to its job, or to whoever awaits it. */
  private void updated(String server, JsonNode update) {
    PulsarStatus status = PulsarStatus.of(update);
    String handle = handle(server, status.jobId());
    PulsarJob job = jobs.get(handle);
    if (job != null) {
      job.observed(status);
      return;
    }
    CompletableFuture<PulsarStatus> waiter = awaited.get(handle);
    if (waiter != null && status.ended()) {
      waiter.complete(status);
      return;
    }
    // A job of another engine on the same queue, or one that ended here already (a duplicate).
    LOG.debug("{}: a status update of a job this backend does not watch: {} {}", server, status.jobId(),
        status.status());
  }

  /**
   * Waits, on a worker, until job {@code jobId} of {@code server} ended, asking for its status
   * every {@link Settings#pollInterval()}; its last status, or null after {@code timeout} (or when
   * interrupted).
   */
  PulsarStatus awaitEnded(String server, String jobId, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    PulsarQueue queue = queues.get(server);
    String handle = handle(server, jobId);
    CompletableFuture<PulsarStatus> waiter = new CompletableFuture<>();
    if (queue != null) {
      awaited.put(handle, waiter);
    }
    try {
      while (System.nanoTime() < deadline) {
        try {
          if (queue != null) {
            queue.requestStatus(jobId);
            return waiter.get(settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
          }
          PulsarStatus status = servers.get(server).status(jobId);
          if (status.ended()) {
            return status;
          }
          Thread.sleep(settings.pollInterval().toMillis());
        } catch (BackendException | TimeoutException e) {
          LOG.debug("Pulsar job {}: {}", jobId, e.toString());
        } catch (ExecutionException e) {
          throw new IllegalStateException(e);
        }
      }
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } finally {
      awaited.remove(handle, waiter);
    }
  }
}
