package io.tes4j.backend.local;

import io.tes4j.api.BackendException;
import io.tes4j.backend.local.internal.ContainerUser;
import io.tes4j.backend.local.internal.Launcher;
import io.tes4j.backend.local.internal.Launchers;
import io.tes4j.backend.local.internal.PrivateDirectory;
import io.tes4j.backend.local.internal.TaskRun;
import io.tes4j.model.Task;
import io.tes4j.model.Violation;
import io.tes4j.spi.Backend;
import io.tes4j.spi.Capabilities;
import io.tes4j.spi.TaskEvents;
import io.tes4j.transfer.Stager;
import io.tes4j.transfer.TransferPolicy;
import io.tes4j.transfer.TransferSettings;
import io.tes4j.transfer.Transfers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs TES tasks on this machine: each task gets a work directory, its inputs are staged into it
 * with the {@code transfer} module, its executors run one after the other, each as one process
 * (a container of the chosen {@link LocalRuntime}, or a host process in private namespaces), and
 * its outputs are staged out of it.
 *
 * <p>Usually opened by the engine from a URI, {@code TesClient.connect("local:?runtime=podman")},
 * through {@link LocalBackendProvider}. Built directly for programmatic use:
 *
 * <pre>{@code
 * try (LocalBackend backend = LocalBackend.builder()
 *     .runtime(LocalRuntime.HOST)
 *     .workRoot(Path.of("/scratch/tes"))
 *     .build()) {
 *   String handle = backend.start(task, events);   // task with its id set
 * }
 * }</pre>
 *
 * <p><b>Container paths.</b> A task's container path {@code /in/x.txt} is the file {@code
 * in/x.txt} of its work directory. Containers see the inputs (read-only), the outputs' directories
 * and the volumes mounted at their paths; host executors see the whole work directory as their
 * {@code /}, with this machine's {@code /usr}, {@code /etc}, {@code /lib*}, {@code /bin}, {@code
 * /sbin} and {@code /opt} read-only beside it.
 *
 * <p><b>What is reported.</b> {@code initializing()} before the inputs are staged, {@code
 * running()} before the first executor, each executor's start and end with its exit code and the
 * last 64 KiB of its stdout and stderr (the whole streams go to its {@code stdout} and {@code
 * stderr} paths when it has them), the uploaded outputs, and one terminal state: COMPLETE;
 * EXECUTOR_ERROR when an executor without {@code ignore_error} exits non-zero (the later executors
 * do not run and the outputs are not staged); SYSTEM_ERROR when staging fails (the system log names
 * the input or output and why) or the runtime itself fails; CANCELED after {@link #cancel}.
 *
 * <p><b>What a task cannot do.</b> {@link #check} (which the engine applies when a task is created,
 * and the backend again before it runs) refuses what the runtime could be tricked with: an image
 * that is not a reference of the registry grammar for docker and podman (so never an option such as
 * {@code --privileged}), a local apptainer image outside the file roots or an image scheme that
 * bypasses the task policy, an environment variable name that is not {@code
 * [A-Za-z_][A-Za-z0-9_]*}, a NUL character, and for docker and podman an environment value holding
 * a line break. Environment values never appear on a command line, and never in the environment of
 * a program that runs before the executor's own (see each runtime in the module's documentation).
 * docker and podman run containers as this process's uid:gid unless {@link Builder#containerUser}
 * says otherwise.
 *
 * <p><b>Cancel</b> kills the running executor's whole process tree at once (SIGKILL), or removes
 * its container ({@code docker rm -f}); a staging in progress is interrupted.
 *
 * <p><b>No resume.</b> {@link Capabilities#resume()} is false: executors are child processes of this
 * JVM (containers are attached to a child {@code docker run}), so they end, or are orphaned, when
 * it exits, and nothing is left to re-attach to. A restarted engine ends such tasks SYSTEM_ERROR.
 *
 * <p><b>How many run at once.</b> The engine admits at most {@link #defaultMaxRunning} tasks at once
 * (by default the number of CPUs, {@link Builder#maxRunning}) unless its own {@code maxRunning} is
 * set (which wins, larger or smaller); the others wait QUEUED. So 10,000 submissions start as many
 * executor processes as there are CPUs, not 10,000.
 *
 * <p>Thread-safe. Each admitted task runs on one daemon thread ({@code tes4j-local-N}) of a pool
 * that grows with the number of tasks admitted at once, and that same thread copies its running
 * executor's stdout and stderr, between short waits for its end, so no thread is needed per stream
 * (the JDK adds one per running child process, to reap it). {@link #close()} stops running tasks
 * (they end SYSTEM_ERROR, saying the backend closed) and waits for them to clean up.
 */
public final class LocalBackend implements Backend {
  private static final Logger LOG = LoggerFactory.getLogger(LocalBackend.class);
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Launcher launcher;
  private final PrivateDirectory privateDirectory;
  private final int maxRunning;
  private final Path workRoot;
  private final boolean keep;
  private final Transfers transfers;
  private final boolean ownsTransfers;
  private final Stager stager;
  private final Capabilities capabilities;
  private final ExecutorService pool;
  private final Map<String, TaskRun> runs = new ConcurrentHashMap<>();
  private final Object lifecycle = new Object();
  private boolean closed; // guarded by lifecycle

  private LocalBackend(
      Launcher launcher,
      PrivateDirectory privateDirectory,
      int maxRunning,
      Path workRoot,
      boolean keep,
      Transfers transfers,
      boolean ownsTransfers) {
    this.launcher = launcher;
    this.privateDirectory = privateDirectory;
    this.maxRunning = maxRunning;
    this.workRoot = workRoot;
    this.keep = keep;
    this.transfers = transfers;
    this.ownsTransfers = ownsTransfers;
    this.stager = new Stager(transfers);
    this.capabilities =
        new Capabilities(true, false, launcher.enforcedResources(), Set.of(), transfers.storageLocations());
    this.pool =
        Executors.newCachedThreadPool(
            runnable -> {
              Thread thread = new Thread(runnable, "tes4j-local-" + THREADS.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
  }

  /** A builder with the defaults: the first container runtime on {@code PATH}, work directories under {@code java.io.tmpdir}. */
  public static Builder builder() {
    return new Builder();
  }

  /** The runtime executors run with. */
  public LocalRuntime runtime() {
    return launcher.runtime();
  }

  /**
   * The sandbox {@link LocalRuntime#HOST} executors run in, {@link HostSandbox#BWRAP} or {@link
   * HostSandbox#UNSHARE} ({@link HostSandbox#AUTO} resolved when the backend opened); empty for a
   * container runtime.
   */
  public java.util.Optional<HostSandbox> hostSandbox() {
    return launcher.hostSandbox();
  }

  /** The directory under which each task gets its work directory. */
  public Path workRoot() {
    return workRoot;
  }

  /**
   * {@code cancelRunning}; no resume (see the class comment); {@code cpu_cores} and {@code ram_gb}
   * enforced by the container runtimes, nothing by {@code host}; no backend parameters; the storages
   * of the transfer module ({@code file:} limited to the file roots when set).
   */
  @Override
  public Capabilities capabilities() {
    return capabilities;
  }

  /**
   * How many tasks the engine admits at once unless its {@code maxRunning} is set: {@link
   * Builder#maxRunning}, by default the number of CPUs ({@link Runtime#availableProcessors()}).
   */
  @Override
  public OptionalInt defaultMaxRunning() {
    return OptionalInt.of(maxRunning);
  }

  /**
   * What this backend's runtime could never run in {@code task} (see the class comment), each with
   * its JSON path; never an environment value.
   */
  @Override
  public List<Violation> check(Task task) {
    Objects.requireNonNull(task, "task");
    return launcher.check(task);
  }

  /**
   * Creates the task's work directory and starts the task on a thread of its own.
   *
   * @return the handle: the work directory's name, {@code <task id>-<random>}
   * @throws BackendException when the backend is closed or the work directory cannot be created
   */
  @Override
  public String start(Task task, TaskEvents events) {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(events, "events");
    synchronized (lifecycle) {
      if (closed) {
        throw new BackendException("the local backend is closed");
      }
      String runId = runId(task.id());
      Path root;
      try {
        root = Files.createDirectory(workRoot.resolve(runId));
      } catch (IOException e) {
        throw new BackendException("cannot create the task's work directory under " + workRoot + ": " + e, e);
      }
      TaskRun run = new TaskRun(task, events, runId, root, launcher, stager, keep, pool);
      runs.put(runId, run);
      run.done().whenComplete((state, failure) -> runs.remove(runId));
      try {
        pool.execute(run);
      } catch (RejectedExecutionException e) {
        runs.remove(runId);
        throw new BackendException("the local backend cannot start another task: " + e, e);
      }
      LOG.debug("task {} started as {} (runtime={})", task.id(), runId, launcher.runtime().parameter());
      return runId;
    }
  }

  /** Stops the task: it ends CANCELED. Does nothing for a task that ended or is unknown. */
  @Override
  public void cancel(String handle) {
    TaskRun run = handle == null ? null : runs.get(handle);
    if (run != null) {
      run.cancel();
    }
  }

  /**
   * Never called by the engine, since {@link Capabilities#resume()} is false.
   *
   * @return false: a task of an earlier process cannot be re-attached
   */
  @Override
  public boolean resume(String handle, Task task, TaskEvents events) {
    return false;
  }

  /**
   * Stops every running task (each ends SYSTEM_ERROR with a system log saying the backend closed),
   * waits up to 30 seconds for them to clean up, then releases the threads and, unless they were
   * given to the builder, the transfers.
   */
  @Override
  public void close() {
    List<TaskRun> running;
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      running = new ArrayList<>(runs.values());
    }
    running.forEach(TaskRun::stopForClose);
    try {
      CompletableFuture.allOf(running.stream().map(TaskRun::done).toArray(CompletableFuture[]::new))
          .get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
      LOG.warn("{} tasks had not ended 30 s after the local backend closed", runs.size());
    }
    pool.shutdownNow();
    launcher.close();
    privateDirectory.close();
    if (ownsTransfers) {
      transfers.close();
    }
  }

  /** {@code <task id, in [A-Za-z0-9_.-], at most 64>-<8 random hex>}. */
  private static String runId(String taskId) {
    StringBuilder sb = new StringBuilder();
    String id = taskId == null || taskId.isEmpty() ? "task" : taskId;
    for (int i = 0; i < id.length() && sb.length() < 64; i++) {
      char c = id.charAt(i);
      boolean safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
      sb.append(safe ? c : '_');
    }
    if (sb.charAt(0) == '.' || sb.charAt(0) == '-') {
      sb.insert(0, 't');
    }
    byte[] random = new byte[4];
    RANDOM.nextBytes(random);
    return sb.append('-').append(HexFormat.of().formatHex(random)).toString();
  }

  /**
   * Builds a {@link LocalBackend}. Not thread-safe.
   *
   * <p>Defaults: the first of docker, podman, apptainer and singularity found on {@code PATH} (none
   * is an error that names {@code runtime=host}); work directories under {@code
   * <java.io.tmpdir>/tes4j-local}, removed when their task ends; transfers with {@link
   * TransferSettings#fromEnvironment} (AWS variables, netrc), {@code file:} unrestricted and the
   * permissive transfer policy (any scheme, host and address).
   */
  public static final class Builder {
    private LocalRuntime runtime;
    private Path workRoot;
    private boolean keep;
    private TransferSettings transferSettings;
    private Transfers transfers;
    private List<Path> fileRoots;
    private TransferPolicy transferPolicy;
    private Map<String, String> environment = System.getenv();
    private ContainerUser containerUser = ContainerUser.ENGINE;
    private HostSandbox hostSandbox = HostSandbox.AUTO;
    private long[] engineIds;
    private int maxRunning = Runtime.getRuntime().availableProcessors();

    private Builder() {}

    /** How executors run; by default the first container runtime on {@code PATH}. */
    public Builder runtime(LocalRuntime runtime) {
      this.runtime = Objects.requireNonNull(runtime, "runtime");
      return this;
    }

    /**
     * What makes each {@link LocalRuntime#HOST} executor's sandbox: {@link HostSandbox#AUTO} (the
     * default: bubblewrap when {@code bwrap} is on {@code PATH} and works here, else util-linux's
     * {@code unshare}), {@link HostSandbox#BWRAP} or {@link HostSandbox#UNSHARE}. A container
     * runtime takes {@code AUTO} only.
     */
    public Builder hostSandbox(HostSandbox sandbox) {
      this.hostSandbox = Objects.requireNonNull(sandbox, "sandbox");
      return this;
    }

    /** The directory under which each task gets its work directory; created if missing. */
    public Builder workRoot(Path workRoot) {
      this.workRoot = Objects.requireNonNull(workRoot, "workRoot");
      return this;
    }

    /** Whether work directories stay after their task ended (to debug); false by default. */
    public Builder keepWorkDirectories(boolean keep) {
      this.keep = keep;
      return this;
    }

    /** The settings of the transfers this backend makes (and closes); ignored when {@link #transfers} is set. */
    public Builder transferSettings(TransferSettings settings) {
      this.transferSettings = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /** Transfers to share; the backend does not close them. */
    public Builder transfers(Transfers transfers) {
      this.transfers = Objects.requireNonNull(transfers, "transfers");
      return this;
    }

    /**
     * The only local directories {@code file:} inputs and outputs may use. Set it whenever tasks
     * come from others, or any task could read this machine's files. Overrides the file roots of
     * {@link #transferSettings}; not applied to {@link #transfers} given ready-made.
     */
    public Builder fileRoots(List<Path> roots) {
      this.fileRoots = List.copyOf(roots);
      return this;
    }

    /**
     * Which schemes, hosts and addresses the tasks' transfers may reach, at every hop. Set it
     * whenever tasks come from others, with the file roots. Overrides the policy of {@link
     * #transferSettings}; not applied to {@link #transfers} given ready-made.
     */
    public Builder transferPolicy(TransferPolicy policy) {
      this.transferPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Whom docker and podman run containers as: {@code engine} (the default: this process's uid
     * and gid, with {@code --userns=keep-id} for rootless podman, so the engine can stage out and
     * delete what the executors write), {@code image} (the image's own {@code USER}, often root:
     * with a rootful daemon, its files may then not be removable) or {@code UID:GID} in numbers.
     * apptainer, singularity and host always run as the engine's user, and take {@code engine}
     * only.
     *
     * @throws IllegalArgumentException for another value, naming the allowed ones
     */
    public Builder containerUser(String user) {
      this.containerUser = ContainerUser.parse(Objects.requireNonNull(user, "user"));
      return this;
    }

    /**
     * How many tasks the engine admits at once when its own {@code maxRunning} is not set ({@link
     * LocalBackend#defaultMaxRunning}); by default the number of CPUs this JVM may use ({@link
     * Runtime#availableProcessors()}, which follows cgroup CPU limits). Each running task holds one
     * thread and its executor's processes.
     *
     * @param max at least 1
     * @throws IllegalArgumentException for less than 1
     */
    public Builder maxRunning(int max) {
      if (max < 1) {
        throw new IllegalArgumentException(
            "maxRunning must be a whole number of tasks, at least 1 (e.g. 4), was " + max);
      }
      this.maxRunning = max;
      return this;
    }

    /** The uid and gid {@code user=engine} means (tests); by default this process's. */
    Builder engineIds(long uid, long gid) {
      this.engineIds = new long[] {uid, gid};
      return this;
    }

    /** The environment whose {@code PATH} finds the runtimes, and that container runtimes get (tests). */
    Builder environment(Map<String, String> environment) {
      this.environment = Map.copyOf(environment);
      return this;
    }

    /**
     * Finds the runtime, creates the work root and, for {@code host}, checks by running one
     * trial sandbox that this system allows the namespaces.
     *
     * @throws BackendException when the runtime cannot be used here, saying what to do
     * @throws IllegalArgumentException when {@link #containerUser} does not apply to the runtime
     */
    public LocalBackend build() {
      Path root = workRoot != null
          ? workRoot.toAbsolutePath().normalize()
          : Path.of(System.getProperty("java.io.tmpdir"), "tes4j-local").toAbsolutePath();
      try {
        Files.createDirectories(root);
      } catch (IOException e) {
        throw new BackendException("cannot create the work directory root " + root + ": " + e, e);
      }
      boolean owns = transfers == null;
      Transfers chosen = transfers;
      if (chosen == null) {
        TransferSettings settings =
            transferSettings != null ? transferSettings : TransferSettings.fromEnvironment(environment);
        if (fileRoots != null) {
          settings = settings.toBuilder().fileRoots(fileRoots).build();
        }
        if (transferPolicy != null) {
          settings = settings.toBuilder().policy(transferPolicy).build();
        }
        chosen = Transfers.create(settings);
      }
      // apptainer's local images obey the same roots as file: inputs
      Optional<List<Path>> roots = chosen.settings().fileRoots();
      long[] ids = engineIds;
      PrivateDirectory privateDirectory = PrivateDirectory.open(root);
      Launcher launcher;
      try {
        launcher = Launchers.open(runtime, environment, root,
            new Launchers.Settings(
                containerUser, ids != null ? () -> ids : ContainerUser::processIds, roots, hostSandbox),
            privateDirectory);
      } catch (RuntimeException e) {
        privateDirectory.close();
        if (owns) {
          chosen.close();
        }
        throw e;
      }
      LOG.debug("local backend: runtime={}{}, work root {}, at most {} tasks at once unless the engine's"
          + " maxRunning is set", launcher.runtime().parameter(),
          launcher.hostSandbox().map(s -> " (sandbox=" + s.parameter() + ")").orElse(""), root, maxRunning);
      return new LocalBackend(launcher, privateDirectory, maxRunning, root, keep, chosen, owns);
    }
  }
}
