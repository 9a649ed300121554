package io.tes4j.engine;

import io.tes4j.api.InvalidTaskException;
import io.tes4j.api.ListTasksRequest;
import io.tes4j.api.TesAsyncClient;
import io.tes4j.api.TesClient;
import io.tes4j.api.TesClientException;
import io.tes4j.engine.internal.BackendResolver;
import io.tes4j.engine.internal.EngineAsyncClient;
import io.tes4j.engine.internal.EngineCore;
import io.tes4j.engine.internal.EngineSettings;
import io.tes4j.engine.internal.Retry;
import io.tes4j.engine.internal.TagLimit;
import io.tes4j.model.ListTasksResponse;
import io.tes4j.model.ServiceInfo;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import io.tes4j.spi.Backend;
import io.tes4j.spi.BackendConfig;
import io.tes4j.spi.BackendProvider;
import io.tes4j.store.MemoryTaskStore;
import io.tes4j.store.TaskStore;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TES 1.1 in-process: a {@link TesClient} that gives tasks ids, keeps them in a {@link TaskStore},
 * admits them to a {@link Backend} within limits, and runs the TES state machine on what the backend
 * reports. Code written against {@code TesClient} runs unchanged on it and on a remote TES server.
 *
 * <pre>{@code
 * try (TesEngine tes = TesEngine.builder()
 *     .backend("local:?runtime=docker")          // or "mock:", "k8s://namespace"...
 *     .maxRunning(8)                             // at most 8 tasks started at once
 *     .tagLimit("lts", "write", 2)               // at most 2 of those tagged lts=write
 *     .build()) {
 *   String id = tes.createTask(Task.builder()
 *       .addExecutor(Executor.of("alpine:3.20", "echo", "hello"))
 *       .build());
 *   Task done = tes.await(id, Duration.ofMinutes(10));   // woken by the task's end, no polling
 *   System.out.println(done.state());                    // COMPLETE
 * }
 *
 * // Asynchronously: thousands of waits hold no thread.
 * tes.async().await(id, Duration.ofHours(1)).thenAccept(t -> System.out.println(t.state()));
 * }</pre>
 *
 * <h2>Settings in the URI</h2>
 *
 * <p>The engine's own settings can ride in the backend URI's query, beside the backend's, so one
 * string configures both ({@code TesClient.connect} takes nothing else):
 *
 * <pre>{@code
 * TesClient tes = TesClient.connect(
 *     "local:?runtime=docker&store=jdbc:sqlite:/var/lib/tes4j/tasks.db&maxRunning=8&tagLimit.lts=write:2");
 * }</pre>
 *
 * <table>
 *   <caption>The engine's parameters (names are case-sensitive)</caption>
 *   <tr><th>Parameter</th><th>Value</th><th>Builder</th></tr>
 *   <tr><td>{@code store}</td><td>{@code memory} (the default), {@code memory:?keepEnded=N} (at most
 *       N ended tasks kept), {@code jdbc:sqlite:PATH} or {@code
 *       jdbc:postgresql://HOST:PORT/DB} (see {@link io.tes4j.store.JdbcTaskStore})</td>
 *       <td>{@link Builder#store(String)}</td></tr>
 *   <tr><td>{@code store.user}, {@code store.password}</td><td>the database's user and password
 *       (a JDBC store only); the password is never logged nor shown in a message or {@code
 *       toString()}</td><td>{@link Builder#store(String, String, String)}</td></tr>
 *   <tr><td>{@code maxRunning}</td><td>a whole number, at least 1 (default: the backend's {@link
 *       Backend#defaultMaxRunning}, the number of CPUs for {@code local:}; else no limit)</td>
 *       <td>{@link Builder#maxRunning(int)}</td></tr>
 *   <tr><td>{@code maxQueued}</td><td>a whole number, at least 1 (default: no limit; {@code tes4j
 *       serve}: 100,000): a createTask that finds so many tasks waiting QUEUED is refused with a
 *       {@link io.tes4j.api.QueueFullException}, a retryable {@link TesClientException} (HTTP 503
 *       with {@code Retry-After})</td>
 *       <td>{@link Builder#maxQueued(int)}</td></tr>
 *   <tr><td>{@code tagLimit.KEY}</td><td>{@code VALUE:MAX}, or several separated by commas: {@code
 *       tagLimit.lts=write:2,read:8} allows 2 admitted tasks tagged {@code lts=write} and 8 tagged
 *       {@code lts=read}; the last colon separates the value from MAX</td>
 *       <td>{@link Builder#tagLimit(String, String, int)}</td></tr>
 * </table>
 *
 * <p>The engine takes these out of the query before the backend sees it, so the backend neither
 * refuses them nor learns the password; every other parameter goes to the backend, which refuses
 * those it does not know (the message then lists the engine's parameters too, so {@code
 * maxRuning=4} is refused, not ignored). Within the query, write {@code &} of a JDBC URL as {@code
 * %26}. A wrong value fails {@link Builder#build()} with a {@link TesClientException} naming the
 * parameter, what was wrong and what is allowed. The same names can be set with {@link
 * Builder#parameter}; the builder's own methods ({@code store}, {@code maxRunning}, {@code
 * tagLimit}) win over both (for a tag limit, over the same key and value).
 *
 * <h2>What it does</h2>
 *
 * <ul>
 *   <li><b>Ids</b>: 26 characters, URL-safe ({@code 0-9A-Z} without I, L, O, U), time-ordered: as
 *       strings they sort in creation order, even within one millisecond. {@code creation_time} is
 *       RFC 3339 in UTC, to the millisecond.
 *   <li><b>createTask</b> validates with {@link io.tes4j.model.TaskValidator} and throws {@link
 *       InvalidTaskException} listing every problem. With {@code resources.backend_parameters_strict}
 *       true, keys the backend does not list in its capabilities are problems too (matched without
 *       regard to case, as the spec says); without it, such keys are dropped from the stored task
 *       (the spec says they must not be stored) and a system log line says so. The task is stored
 *       QUEUED and the id returned once that one write is durable; it starts when the limits allow,
 *       on one of the engine's 16 starter threads, so {@code createTask} never waits for the backend
 *       (a task read right after its creation may still be QUEUED). The backend's reports are
 *       applied on the engine's reporter threads, each task's in order ({@link
 *       Builder#engineExecutor}).
 *   <li><b>Admission</b>: at most {@link Builder#maxRunning} tasks are admitted (started and not
 *       ended) at once, and at most N per {@link Builder#tagLimit tag limit}. Tasks are admitted in
 *       creation order, with one exception: a task held back only by a tag limit does not hold back
 *       later tasks that the limit does not concern (they go ahead of it); the tasks a limit holds
 *       back keep their order among themselves. {@code maxRunning} holds back every task.
 *   <li><b>States</b>: QUEUED → INITIALIZING (the engine, as it hands the task to the backend; the
 *       task log's start_time) → RUNNING → COMPLETE | EXECUTOR_ERROR | SYSTEM_ERROR | PREEMPTED (the
 *       backend; end_time). A {@link io.tes4j.api.BackendException} from the backend's start ends the
 *       task SYSTEM_ERROR with the message in system_logs. Reports that are not a legal transition
 *       are ignored and logged with the task id; reports after the end are ignored.
 *   <li><b>cancelTask</b>: a QUEUED task ends CANCELED at once (it never started); an INITIALIZING or
 *       RUNNING one goes CANCELING, the backend is asked to stop it, and its terminal report, whatever
 *       it says, ends it CANCELED. A task that is CANCELING or ended is left as it is.
 *   <li><b>Views</b> exactly as the spec: MINIMAL (the default when {@code null}) is id and state;
 *       BASIC leaves out executor stdout and stderr, input content and system_logs; FULL is all.
 *   <li><b>listTasks</b>: newest first; filters by name prefix, state and tags with the spec's rules;
 *       page size 256 unless given (a {@link ListTasksRequest} cannot hold more than the spec's 2047:
 *       its constructor refuses it); the page token is an opaque form of the last id of the page, so
 *       pages stay stable while tasks are added (new tasks come before the first page). Send the same
 *       filters with each token. A token this engine did not make is an {@link
 *       InvalidTaskException} at {@code page_token}.
 *   <li><b>Restart</b>: built on a store that holds unfinished tasks (a durable store after a crash
 *       or a restart: {@code store=jdbc:sqlite:...} or {@code jdbc:postgresql:...}), the engine
 *       shows every stored task as it was (state and logs), queues the QUEUED ones again, re-attaches the started ones through
 *       {@link Backend#resume} when the backend's capabilities allow it, and otherwise ends them
 *       SYSTEM_ERROR with a system log saying why. A started task without a handle (the engine
 *       stopped while the backend was starting it) ends SYSTEM_ERROR and is not started again, since
 *       it may be running already.
 * </ul>
 *
 * <h2>When the store or the backend fails</h2>
 *
 * <p>Every change of a task is written to the store before the call that made it returns, unless
 * the store keeps failing:
 *
 * <ul>
 *   <li>A failed write is retried ({@link Builder#storeRetry}: 3 attempts, 50 ms then 100 ms apart,
 *       by default). After the last attempt the change is kept in memory all the same and logged at
 *       ERROR with the task's id and what could not be written: the task goes on and ends, its
 *       admission slot is freed, {@link #await} returns, and {@link #getTask} and {@link #listTasks}
 *       show it as the engine holds it. A re-writer on the engine's thread writes the latest state
 *       of each such task once the store takes writes again (waiting longer after each pass that
 *       wrote nothing, at most 30 s by default); {@link #close()} makes a last attempt and logs at
 *       ERROR the tasks the store still lacks (it keeps an older state of them, which a restarted
 *       engine takes up as usual).
 *   <li>A task is handed to the backend only once its INITIALIZING state is stored: if that write
 *       fails, the task ends SYSTEM_ERROR without being started, so a restart cannot start it twice.
 *   <li>{@link #createTask} acknowledges nothing that is not stored: when every attempt to store the
 *       new task fails it throws a {@link TesClientException} whose {@code retryable()} is true (a
 *       server answers 503 with {@code Retry-After}), and no task is created. Should the store have
 *       kept it all the same (the last attempt's answer lost), the engine marks it SYSTEM_ERROR there
 *       later, so that it never runs.
 *   <li>A read the store fails ({@code getTask}, {@code listTasks}) throws a retryable {@link
 *       TesClientException} with the {@link io.tes4j.store.TaskStoreException} as its cause.
 *   <li>A backend's {@code start} that throws ends the task SYSTEM_ERROR with the reason as a system
 *       log; its {@code cancel} that throws is logged and retried ({@link Builder#cancelRetry}), then
 *       written in the task's system logs; the task stays CANCELING until the backend reports its end.
 *       Anything else that fails while the engine starts a task ends that task SYSTEM_ERROR and frees
 *       its slot; the others start all the same.
 * </ul>
 *
 * <p>The engine is thread-safe; its {@link Builder} is not. {@link #close()} stops admitting, closes the backend,
 * and then the store if the engine opened it (from a {@code store} parameter or {@link
 * Builder#store(String)}, or the default in-memory one); a store given to {@link
 * Builder#store(TaskStore)} stays open, for its owner to close. Calls after {@code close()} throw
 * {@link TesClientException}.
 */
public final class TesEngine implements TesClient {
  private static final Logger LOG = LoggerFactory.getLogger("io.tes4j.engine");

  private final EngineCore core;
  private final TesAsyncClient async;

  private TesEngine(EngineCore core) {
    this.core = core;
    this.async = new EngineAsyncClient(this, core);
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * An engine over the backend of {@code uri} (e.g. {@code "local:"}, {@code "mock:?delay=0"}), with
   * the engine's settings of its query ({@code store}, {@code maxRunning}, {@code tagLimit.KEY}) and
   * otherwise the defaults: in-memory store, no limits.
   *
   * @throws TesClientException when no backend provider claims the scheme, the backend refuses the
   *     URI, an engine parameter is wrong, or the store cannot be opened; the message lists the
   *     schemes available, or names the parameter
   */
  public static TesEngine open(String uri) {
    return builder().backend(uri).build();
  }


  /** As {@link #open(String)}. */
  public static TesEngine open(URI uri) {
    return builder().backend(uri).build();
  }

  /**
   * Whether {@link #getTask}, {@link #listTasks} and {@link #createTask} return without blocking:
   * true when the task store is in memory ({@link TaskStore#isInMemory()}: the default store) and no
   * {@link Builder#listener listener} is registered (a listener is told of a new task on the
   * creating thread, and may block). The engine holds no lock across I/O on those paths, and a new
   * task starts on the engine's own threads. {@code TesApi} then answers such requests on its
   * server's network threads.
   *
   * <p>When this is true and no {@link Builder#engineExecutor engineExecutor} is given, the engine
   * also applies the backend's reports on the backend's own thread, before its {@link
   * io.tes4j.spi.TaskEvents} call returns, and starts tasks in batches on one starter thread while
   * the backend's starts are quick (see docs/concepts.md, "When nothing blocks").
   */
  @Override
  public boolean answersWithoutBlocking() {
    return core.answersWithoutBlocking();
  }

  /** The engine's service info: type {@code org.ga4gh:tes:1.1.0}, storage and backend parameters from the backend. */
  @Override
  public ServiceInfo serviceInfo() {
    return core.serviceInfo();
  }

  /**
   * Validates, stores QUEUED and returns the new id; the task starts when the limits allow, on the
   * engine's starter threads (this call never waits for the backend; see {@link
   * Builder#engineExecutor}).
   *
   * @throws InvalidTaskException listing every problem of the task
   * @throws TesClientException when the store failed to store the task at every attempt; no task was
   *     created, and {@code retryable()} is true: the same call may succeed later
   */
  @Override
  public String createTask(Task task) {
    return core.create(task);
  }

  /**
   * The task in {@code view} ({@code null}: MINIMAL, the spec's default).
   *
   * @throws io.tes4j.api.TaskNotFoundException when no task has this id
   */
  @Override
  public Task getTask(String id, View view) {
    return core.get(id, view);
  }

  /**
   * One page of tasks, newest first.
   *
   * @throws InvalidTaskException when the page token was not made by this engine
   */
  @Override
  public ListTasksResponse listTasks(ListTasksRequest request) {
    return core.list(request);
  }

  /**
   * Cancels a task: QUEUED ends CANCELED; INITIALIZING or RUNNING goes CANCELING, then CANCELED
   * once the backend stopped it. Idempotent: a task that is CANCELING or ended does not change.
   *
   * @throws io.tes4j.api.TaskNotFoundException when no task has this id
   */
  @Override
  public void cancelTask(String id) {
    core.cancel(id);
  }

  /**
   * Waits for the task's end without polling: the engine completes the wait when it stores the
   * terminal state. Returns the task in the FULL view.
   *
   * @throws io.tes4j.api.TesTimeoutException when {@code timeout} passes first; the task goes on
   * @throws io.tes4j.api.TaskNotFoundException when no task has this id
   * @throws TesClientException when the thread is interrupted (the flag stays set) or the engine is
   *     closed meanwhile
   */
  @Override
  public Task await(String id, Duration timeout) {
    return core.await(id, timeout);
  }

  /**
   * The asynchronous view. Its calls run at once on the calling thread (none waits for a task) and
   * return completed futures; its {@code await} holds no thread and completes on the thread that
   * ended the task, which may be the backend's own thread (see {@link #answersWithoutBlocking()}):
   * use the {@code ...Async} forms of {@link java.util.concurrent.CompletableFuture} for slow work;
   * or it fails with {@link io.tes4j.api.TesTimeoutException}. Cancelling that future
   * stops its timer, not the task.
   */
  @Override
  public TesAsyncClient async() {
    return async;
  }

  /**
   * Stops admitting tasks, closes the backend (which may leave tasks running, to resume them, or stop
   * them), then the store if this engine opened it (not one given to {@link Builder#store(TaskStore)}).
   * Waits still pending fail with {@link TesClientException}. Idempotent.
   */
  @Override
  public void close() {
    core.close();
  }

  /**
   * Names the backend and the store (without any password), how many tasks have not ended, and, when
   * there are some, how many the store lacks the latest state of ({@code unwritten=N}).
   */
  @Override
  public String toString() {
    int unwritten = core.unwrittenCount();
    return "TesEngine[backend=" + core.backendName() + ", store=" + core.store() + ", unfinished=" + core.unfinishedCount()
        + (unwritten > 0 ? ", unwritten=" + unwritten : "") + (core.isClosed() ? ", closed" : "") + "]";
  }

  /** The engine's implementation, for the tests of this package (its figures: slots, unwritten tasks). */
  EngineCore core() {
    return core;
  }


  /**
   * Builds {@link TesEngine}s. Set a backend, either as an instance or as a URI; everything else
   * has a default. Not thread-safe.
   *
   * <pre>{@code
   * TesEngine engine = TesEngine.builder()
   *     .backend("local:?runtime=podman")
   *     .parameter("workdir", "/scratch/tes")      // merged over the URI's query
   *     .store("jdbc:sqlite:/var/lib/tes4j/tasks.db")   // default: memory; the engine closes it
   *     .maxRunning(4)
   *     .tagLimit("lts", "write", 2)
   *     .listener((id, from, to) -> log.info("{}: {} -> {}", id, from, to))
   *     .build();
   * }</pre>
   *
   * <p>The engine's settings can also come from the backend URI's query or from {@link
   * #parameter}: see "Settings in the URI" on {@link TesEngine}. This builder's {@code store},
   * {@code maxRunning} and {@code tagLimit} methods win over them.
   */
  public static final class Builder {
    private Backend backend;
    private URI backendUri;
    private final Map<String, String> parameters = new LinkedHashMap<>();
    private final List<BackendProvider> providers = new ArrayList<>();
    private TaskStore store;
    private EngineSettings.StoreSpec storeSpec;
    private Integer maxRunning;
    private Integer maxQueued;
    private final Map<String, TagLimit> tagLimits = new LinkedHashMap<>();
    private final List<TaskListener> listeners = new ArrayList<>();
    private Clock clock = Clock.systemUTC();
    private Retry storeRetry = Retry.STORE_DEFAULT;
    private Retry cancelRetry = Retry.CANCEL_DEFAULT;
    private Executor engineExecutor;

    private Builder() {}

    /**
     * Runs tasks on this backend, which the engine closes when it is closed.
     *
     * @param backend the backend
     * @return this builder
     */
    public Builder backend(Backend backend) {
      this.backend = Objects.requireNonNull(backend, "backend");
      return this;
    }

    /**
     * Runs tasks on the backend that the provider of the URI's scheme opens: a provider registered
     * with {@link #backendProvider}, else one found on the class path ({@link
     * java.util.ServiceLoader}). The URI's query holds the backend's parameters and the engine's
     * ({@code store}, {@code store.user}, {@code store.password}, {@code maxRunning}, {@code
     * tagLimit.KEY}); the engine takes its own out before the backend sees the rest.
     *
     * @param uri e.g. {@code local:}, {@code mock:?delay=10ms&store=jdbc:sqlite:/tmp/tasks.db},
     *     {@code k8s://namespace}
     * @return this builder
     */
    public Builder backend(URI uri) {
      this.backendUri = Objects.requireNonNull(uri, "uri");
      return this;
    }

    /**
     * As {@link #backend(URI)}; a bare scheme such as {@code "mock:"} is read as {@code "mock:?"}
     * ({@link io.tes4j.spi.BackendConfig#uri(String)}).
     *
     * @param uri e.g. {@code local:}
     * @return this builder
     */
    public Builder backend(String uri) {
      return backend(io.tes4j.spi.BackendConfig.uri(uri));
    }

    /**
     * Registers a backend provider. Registered providers are looked at before those on the class
     * path, so one registered here wins over one found there for the same scheme; two registered
     * for one scheme are an error.
     *
     * @param provider the provider
     * @return this builder
     */
    public Builder backendProvider(BackendProvider provider) {
      providers.add(Objects.requireNonNull(provider, "provider"));
      return this;
    }

    /**
     * Sets a parameter, over the one of the same name in the URI's query: the backend's, or one of
     * the engine's ({@code store}, {@code store.user}, {@code store.password}, {@code maxRunning},
     * {@code tagLimit.KEY}), read as in the URI. The engine's may be set with a backend instance
     * too; the backend's only with a backend URI. E.g. the URI from a configuration file, and the
     * password from elsewhere: {@code parameter("store.password", System.getenv("TES4J_DB_PASSWORD"))}.
     *
     * @param name the parameter's name
     * @param value its value
     * @return this builder
     */
    public Builder parameter(String name, String value) {
      parameters.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Keeps tasks in this store (default: a new {@link MemoryTaskStore}). The engine does not close
     * it: its owner does, after the engine. A store that holds unfinished tasks is taken up as after
     * a restart. Replaces an earlier {@code store(...)}, and wins over the {@code store} parameters.
     *
     * @param store the store
     * @return this builder
     */
    public Builder store(TaskStore store) {
      this.store = Objects.requireNonNull(store, "store");
      this.storeSpec = null;
      return this;
    }

    /**
     * Keeps tasks in the store {@code spec} names, which the engine opens when it is built and
     * closes when it is closed: {@code memory} (the default, every task kept), {@code
     * memory:?keepEnded=N} (at most N ended tasks kept: see {@link
     * MemoryTaskStore#MemoryTaskStore(long)}), {@code jdbc:sqlite:PATH} (the file is created if
     * missing, its directory must exist) or {@code jdbc:postgresql://HOST:PORT/DB}, with
     * the JDBC driver on the class path (see {@link io.tes4j.store.JdbcTaskStore}). Replaces an
     * earlier {@code store(...)}, and wins over the {@code store} parameters.
     *
     * @param spec {@code memory}, {@code memory:?keepEnded=N}, or a SQLite or PostgreSQL JDBC URL
     * @return this builder
     * @throws IllegalArgumentException when {@code spec} is neither
     */
    public Builder store(String spec) {
      return store(spec, null, null);
    }

    /**
     * As {@link #store(String)}, for a database that asks for a user and password. The password
     * is never logged nor shown in a message or {@code toString()}.
     *
     * @param jdbcUrl a SQLite or PostgreSQL JDBC URL
     * @param user the database user, or {@code null}
     * @param password the password, or {@code null}
     * @return this builder
     * @throws IllegalArgumentException when {@code jdbcUrl} is not a SQLite or PostgreSQL JDBC URL
     *     (or {@code memory} with a user or password)
     */
    public Builder store(String jdbcUrl, String user, String password) {
      this.storeSpec = new EngineSettings.StoreSpec(Objects.requireNonNull(jdbcUrl, "spec"), user, password);
      this.store = null;
      return this;
    }

    /**
     * At most {@code max} tasks waiting QUEUED: a createTask that finds so many is refused with a
     * {@link io.tes4j.api.QueueFullException}, a retryable {@link TesClientException} (over HTTP, 503
     * with {@code Retry-After}), and the client tries again once some have started. A bound on what
     * a flood of submissions can hold in memory and in the store. Default: no limit. Wins over a
     * {@code maxQueued} parameter.
     *
     * @param max at least 1
     * @return this builder
     */
    public Builder maxQueued(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxQueued must be at least 1, was " + max);
      }
      this.maxQueued = max;
      return this;
    }

    /**
     * At most {@code max} tasks admitted (INITIALIZING, RUNNING or CANCELING) at once; the others
     * wait QUEUED. Default: the backend's {@link Backend#defaultMaxRunning} ({@code local:}: the
     * number of CPUs), or no limit when it has none. Wins over a {@code maxRunning} parameter.
     *
     * @param max at least 1
     * @return this builder
     */
    public Builder maxRunning(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxRunning must be at least 1, was " + max);
      }
      this.maxRunning = max;
      return this;
    }

    /**
     * At most {@code max} admitted tasks at once whose tag {@code key} has exactly the value {@code
     * value}; e.g. {@code tagLimit("lts", "write", 2)}, as the parameter {@code
     * tagLimit.lts=write:2}. The other tasks are not held back by it. Wins over a parameter's limit
     * of the same key and value.
     *
     * @param key the tag key
     * @param value the tag value
     * @param max at least 1
     * @return this builder
     * @throws IllegalStateException when a limit for this key and value is already set
     */
    public Builder tagLimit(String key, String value, int max) {
      TagLimit limit = new TagLimit(key, value, max);
      String name = key + "=" + value;
      if (tagLimits.putIfAbsent(name, limit) != null) {
        throw new IllegalStateException("the tag limit " + name + " is set twice");
      }
      return this;
    }

    /**
     * Adds a listener told of every change of state; see {@link TaskListener} for its rules.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(TaskListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * How the engine retries a store write that failed, and writes later what the store did not
     * take (see "When the store fails" on {@link TesEngine}). Default: 3 attempts, 50 ms then 100 ms
     * apart; the re-writer waits at most 30 s between passes.
     *
     * <p>A write is tried {@code attempts} times on the thread that changes the task (a backend's
     * report, a cancel, a start), waiting {@code backoff} before the first retry and twice as long
     * before each next one, at most {@code maxBackoff}; that thread, and the task's next change,
     * wait meanwhile, so keep the total short. After the last attempt the change is kept in memory;
     * a background re-writer then tries to write every such task, {@code backoff} after the failure,
     * then twice as long after each pass that wrote nothing, at most {@code maxBackoff} apart. A new
     * task's insert is tried {@code attempts} times too, then {@code createTask} fails.
     *
     * @param attempts how many times a write is tried, the first included: 1 (no retry) to 100
     * @param backoff the wait before the first retry; {@link Duration#ZERO} retries at once
     * @param maxBackoff the longest wait between two retries, and between two passes of the
     *     re-writer; not shorter than {@code backoff}
     * @return this builder
     * @throws IllegalArgumentException naming the value at fault and what is allowed
     */
    public Builder storeRetry(int attempts, Duration backoff, Duration maxBackoff) {
      this.storeRetry = retry("storeRetry", attempts, backoff, maxBackoff);
      return this;
    }

    /**
     * How the engine retries a backend's {@link Backend#cancel} that threw. Default: 3 attempts, 1
     * s then 2 s apart.
     *
     * <p>The first attempt runs on the thread that cancels; the retries run on the engine's thread,
     * {@code backoff} after the failure and twice as long before each next one (at most {@code
     * maxBackoff}), as long as the task is CANCELING. After the last one the failure is written in
     * the task's system logs, and the task stays CANCELING, holding its slot, until the backend
     * reports its end: it may still be running there.
     *
     * @param attempts how many times a cancel is tried, the first included: 1 (no retry) to 100
     * @param backoff the wait before the first retry
     * @param maxBackoff the longest wait between two retries; not shorter than {@code backoff}
     * @return this builder
     * @throws IllegalArgumentException naming the value at fault and what is allowed
     */
    public Builder cancelRetry(int attempts, Duration backoff, Duration maxBackoff) {
      this.cancelRetry = retry("cancelRetry", attempts, backoff, maxBackoff);
      return this;
    }

    /**
     * Where the engine does the work that waits for the store or the backend: starting admitted
     * tasks (their INITIALIZING state stored, the backend's {@link Backend#start} called, the handle
     * it returns stored) and applying the backend's reports ({@link io.tes4j.spi.TaskEvents}), each
     * task's in the order they were made. Default: the engine's own threads, 8 that start tasks and
     * 8 that apply reports (idle ones end after 30 s). So {@code createTask} returns once the new
     * task is stored (unless 64 admitted tasks already wait for a starter: then it starts the task
     * itself, so that tasks are not accepted faster than they can be started); tasks start several at once, one slow start holding up no other; and a
     * backend's thread that reports returns at once, never waiting for the store, so a backend that
     * reports every task from one thread (a scheduler, a watch) is not held to one commit at a time,
     * and the writes of many tasks share commits.
     *
     * <p>{@code Runnable::run} does all of it on the thread that asks instead: {@code createTask}'s
     * caller (which then returns after the backend's start), a cancel's caller, the engine's own
     * thread for tasks admitted when others end, and the backend's thread for its reports (which
     * then returns once the report is stored, unless another thread is applying the same task's
     * reports at that moment: that thread applies it, in order). Tests that drive a backend by hand and read the
     * task right after use it. The engine never shuts down an executor it is given; one that refuses
     * a job has it run on the thread that asked.
     *
     * @param executor runs each start and each task's reports
     * @return this builder
     */
    public Builder engineExecutor(Executor executor) {
      this.engineExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    private static Retry retry(String setting, int attempts, Duration backoff, Duration maxBackoff) {
      try {
        return new Retry(attempts, backoff, maxBackoff);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(setting + ": " + e.getMessage(), e);
      }
    }

    /**
     * The clock of creation, start and end times and of ids (default: the system clock, UTC).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Reads the engine's settings, opens the backend and the store, and builds the engine; takes
     * up the unfinished tasks of the store. When the store cannot be opened or its tasks cannot be
     * taken up, closes the backend (an instance given to {@link #backend(Backend)} too) and the
     * store it opened, not one it was given.
     *
     * @return the engine
     * @throws IllegalStateException when no backend, or both an instance and a URI, are set, or
     *     when backend parameters are set with a backend instance
     * @throws TesClientException when no provider (or more than one) claims the URI's scheme, the
     *     provider refuses the URI or a parameter, an engine parameter has a wrong value, or the
     *     store cannot be opened (its {@link io.tes4j.store.TaskStoreException} is the cause); the
     *     message names the parameter, or lists the schemes and providers
     * @throws io.tes4j.api.BackendException when the backend cannot be used here
     */
    public TesEngine build() {
      if (backend != null && backendUri != null) {
        throw new IllegalStateException("set the backend once: either backend(Backend) or backend(URI), not both");
      }
      if (backend == null && backendUri == null) {
        throw new IllegalStateException(
            "no backend: call backend(\"scheme:...\") (e.g. local: or mock:) or backend(Backend) before build()");
      }
      Map<String, String> all;
      if (backendUri != null) {
        try {
          all = BackendConfig.of(backendUri, parameters).parameters();
        } catch (IllegalArgumentException e) {
          throw new TesClientException(e.getMessage(), e);
        }
      } else {
        all = parameters;
      }
      Map<String, String> backendParameters = EngineSettings.backendParameters(all);
      if (backend != null && !backendParameters.isEmpty()) {
        throw new IllegalStateException(
            "parameter(...) configures a backend opened from a URI; the backend instance given to backend(Backend)"
                + " is already configured (parameters: " + backendParameters.keySet() + ")");
      }
      Settings settings = settings(EngineSettings.engineParameters(all));

      Backend chosen = backend;
      String name;
      if (chosen != null) {
        name = chosen.getClass().getSimpleName();
      } else {
        BackendConfig config = new BackendConfig(EngineSettings.withoutEngineParameters(backendUri), backendParameters);
        BackendResolver.Opened opened = BackendResolver.open(config, providers);
        chosen = opened.backend();
        name = opened.providerName();
      }

      TaskStore taskStore = store;
      boolean owned = taskStore == null;
      if (owned) {
        try {
          taskStore = settings.store == null ? new MemoryTaskStore() : settings.store.open();
        } catch (RuntimeException e) {
          TesClientException failure =
              new TesClientException("the store " + settings.store + " cannot be opened: " + e.getMessage(), e);
          closeAfter(chosen, failure);
          throw failure;
        }
        if (settings.store != null && (!settings.store.memory() || settings.store.keepEnded() != Long.MAX_VALUE)) {
          LOG.info("keeping tasks in {}", settings.store.memory() ? settings.store : taskStore);
        }
      }
      settings = settings.withBackendDefault(chosen, name);
      EngineCore core;
      try {
        core = new EngineCore(chosen, name, taskStore, owned, clock, listeners, settings.maxRunning, settings.maxQueued,
            settings.tagLimits, storeRetry, cancelRetry, engineExecutor);
        core.recover();
      } catch (RuntimeException e) {
        closeAfter(chosen, e);
        if (owned) {
          closeAfter(taskStore, e);
        }
        throw e;
      }
      return new TesEngine(core);
    }

    /**
     * The engine's settings: the builder's own, over those of the parameters.
     *
     * @param maxRunningSet whether {@code maxRunning} was set (else it is no limit until {@link
     *     #withBackendDefault})
     */
    private record Settings(
        EngineSettings.StoreSpec store, int maxRunning, boolean maxRunningSet, int maxQueued, List<TagLimit> tagLimits) {

      /** With the backend's {@link Backend#defaultMaxRunning} when the user set no {@code maxRunning}. */
      Settings withBackendDefault(Backend backend, String name) {
        if (maxRunningSet) {
          return this;
        }
        OptionalInt proposed = backend.defaultMaxRunning();
        if (proposed.isEmpty()) {
          return this;
        }
        if (proposed.getAsInt() < 1) {
          LOG.warn("the backend {} proposes maxRunning={}, which is no limit (it must be at least 1): ignored", name,
              proposed.getAsInt());
          return this;
        }
        LOG.info("admitting at most {} tasks at once, the default of the backend {} (set maxRunning to change it)",
            proposed.getAsInt(), name);
        return new Settings(store, proposed.getAsInt(), true, maxQueued, tagLimits);
      }
    }

    private Settings settings(Map<String, String> engineParameters) {
      EngineSettings.StoreSpec spec = storeSpec;
      int max = maxRunning != null ? maxRunning : Integer.MAX_VALUE;
      boolean maxSet = maxRunning != null;
      int queued = maxQueued != null ? maxQueued : Integer.MAX_VALUE;
      Map<String, TagLimit> limits = new LinkedHashMap<>();
      try {
        if (store == null && spec == null) {
          spec = EngineSettings.store(engineParameters);
        }
        if (maxRunning == null && engineParameters.containsKey(EngineSettings.MAX_RUNNING)) {
          max = EngineSettings.maxRunning(engineParameters.get(EngineSettings.MAX_RUNNING));
          maxSet = true;
        }
        if (maxQueued == null && engineParameters.containsKey(EngineSettings.MAX_QUEUED)) {
          queued = EngineSettings.maxQueued(engineParameters.get(EngineSettings.MAX_QUEUED));
        }
        for (Map.Entry<String, String> entry : engineParameters.entrySet()) {
          if (entry.getKey().startsWith(EngineSettings.TAG_LIMIT)) {
            for (TagLimit limit : EngineSettings.tagLimits(entry.getKey(), entry.getValue())) {
              limits.put(limit.key() + "=" + limit.value(), limit);
            }
          }
        }
      } catch (IllegalArgumentException e) {
        throw new TesClientException(
            (backendUri != null ? "backend URI " + BackendConfig.redacted(backendUri) + ": " : "") + e.getMessage(), e);
      }
      limits.putAll(tagLimits);
      return new Settings(spec, max, maxSet, queued, new ArrayList<>(limits.values()));
    }

    private static void closeAfter(AutoCloseable resource, RuntimeException failure) {
      try {
        resource.close();
      } catch (Exception closing) {
        failure.addSuppressed(closing);
      }
    }
  }
}
