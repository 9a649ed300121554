package io.tes4j.engine;

import io.tes4j.api.InvalidTaskException;
import io.tes4j.api.ListTasksRequest;
import io.tes4j.api.TesAsyncClient;
import io.tes4j.api.TesClient;
import io.tes4j.api.TesClientException;
import io.tes4j.engine.internal.BackendResolver;
import io.tes4j.engine.internal.EngineAsyncClient;
import io.tes4j.engine.internal.EngineCore;
import io.tes4j.engine.internal.TagLimit;
import io.tes4j.model.ListTasksResponse;
import io.tes4j.model.ServiceInfo;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import io.tes4j.spi.Backend;
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
 *       QUEUED and the id returned; it starts when the limits allow.
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
 *       or a restart), the engine queues the QUEUED ones again, re-attaches the started ones through
 *       {@link Backend#resume} when the backend's capabilities allow it, and otherwise ends them
 *       SYSTEM_ERROR with a system log saying why. A started task without a handle (the engine
 *       stopped while the backend was starting it) ends SYSTEM_ERROR and is not started again, since
 *       it may be running already.
 * </ul>
 *
 * <p>The engine is thread-safe; its {@link Builder} is not. Every change of a task is written to the
 * store before the call that made it returns. {@link #close()} stops admitting, closes the backend
 * and then the store; calls after it throw {@link TesClientException}.
 */
public final class TesEngine implements TesClient {
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
   * the defaults: in-memory store, no limits.
   *
   * @throws TesClientException when no backend provider claims the scheme, or the backend refuses
   *     the URI; the message lists the schemes available
   */
  public static TesEngine open(String uri) {
    return builder().backend(uri).build();
  }


  /** As {@link #open(String)}. */
  public static TesEngine open(URI uri) {
    return builder().backend(uri).build();
  }

  /** The engine's service info: type {@code org.ga4gh:tes:1.1.0}, storage and backend parameters from the backend. */
  @Override
  public ServiceInfo serviceInfo() {
    return core.serviceInfo();
  }

  /**
   * Validates, stores QUEUED and returns the new id; the task starts when the limits allow.
   *
   * @throws InvalidTaskException listing every problem of the task
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
   * ended the task (use the {@code ...Async} forms of {@link java.util.concurrent.CompletableFuture}
   * for slow work), or fails with {@link io.tes4j.api.TesTimeoutException}. Cancelling that future
   * stops its timer, not the task.
   */
  @Override
  public TesAsyncClient async() {
    return async;
  }

  /**
   * Stops admitting tasks, closes the backend (which may leave tasks running, to resume them, or stop
   * them), then the store. Waits still pending fail with {@link TesClientException}. Idempotent.
   */
  @Override
  public void close() {
    core.close();
  }

  /** Names the backend and how many tasks have not ended. */
  @Override
  public String toString() {
    return "TesEngine[backend=" + core.backendName() + ", unfinished=" + core.unfinishedCount()
        + (core.isClosed() ? ", closed" : "") + "]";
  }

  /**
   * Builds {@link TesEngine}s. Set a backend, either as an instance or as a URI; everything else
   * has a default. Not thread-safe.
   *
   * <pre>{@code
   * TesEngine engine = TesEngine.builder()
   *     .backend("local:?runtime=podman")
   *     .parameter("workdir", "/scratch/tes")      // merged over the URI's query
   *     .store(jdbcStore)                          // default: MemoryTaskStore
   *     .maxRunning(4)
   *     .tagLimit("lts", "write", 2)
   *     .listener((id, from, to) -> log.info("{}: {} -> {}", id, from, to))
   *     .build();
   * }</pre>
   */
  public static final class Builder {
    private Backend backend;
    private URI backendUri;
    private final Map<String, String> parameters = new LinkedHashMap<>();
    private final List<BackendProvider> providers = new ArrayList<>();
    private TaskStore store;
    private int maxRunning = Integer.MAX_VALUE;
    private final Map<String, TagLimit> tagLimits = new LinkedHashMap<>();
    private final List<TaskListener> listeners = new ArrayList<>();
    private Clock clock = Clock.systemUTC();

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
     * java.util.ServiceLoader}). The URI's query holds the backend's parameters.
     *
     * @param uri e.g. {@code local:}, {@code mock:?delay=10ms}, {@code k8s://namespace}
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
     * Sets a backend parameter, over the one of the same name in the URI's query.
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
     * Keeps tasks in this store (default: a new {@link MemoryTaskStore}). The engine closes it
     * when it is closed. A store that holds unfinished tasks is taken up as after a restart.
     *
     * @param store the store
     * @return this builder
     */
    public Builder store(TaskStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * At most {@code max} tasks admitted (INITIALIZING, RUNNING or CANCELING) at once; the others
     * wait QUEUED. Default: no limit.
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
     * value}; e.g. {@code tagLimit("lts", "write", 2)}. The other tasks are not held back by it.
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
     * Opens the backend and builds the engine; takes up the unfinished tasks of the store.
     *
     * @return the engine
     * @throws IllegalStateException when no backend, or both an instance and a URI, are set, or
     *     when parameters are set with a backend instance
     * @throws TesClientException when no provider (or more than one) claims the URI's scheme, or the
     *     provider refuses the URI or a parameter; the message lists the schemes and providers
     * @throws io.tes4j.api.BackendException when the backend cannot be used here
     */
    public TesEngine build() {
      if (backend != null && backendUri != null) {
        throw new IllegalStateException("set the backend once: either backend(Backend) or backend(URI), not both");
      }
      Backend chosen = backend;
      String name;
      if (chosen != null) {
        if (!parameters.isEmpty()) {
          throw new IllegalStateException(
              "parameter(...) configures a backend opened from a URI; the backend instance given to backend(Backend)"
                  + " is already configured (parameters: " + parameters.keySet() + ")");
        }
        name = chosen.getClass().getSimpleName();
      } else if (backendUri != null) {
        BackendResolver.Opened opened = BackendResolver.open(backendUri, parameters, providers);
        chosen = opened.backend();
        name = opened.providerName();
      } else {
        throw new IllegalStateException(
            "no backend: call backend(\"scheme:...\") (e.g. local: or mock:) or backend(Backend) before build()");
      }
      TaskStore taskStore = store != null ? store : new MemoryTaskStore();
      EngineCore core;
      try {
        core = new EngineCore(chosen, name, taskStore, clock, listeners, maxRunning, new ArrayList<>(tagLimits.values()));
        core.recover();
      } catch (RuntimeException e) {
        try {
          chosen.close();
        } catch (RuntimeException closing) {
          e.addSuppressed(closing);
        }
        throw e;
      }
      return new TesEngine(core);
    }
  }
}
