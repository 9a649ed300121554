package io.tes4j.engine.internal;

import io.tes4j.api.BackendException;
import io.tes4j.api.InvalidTaskException;
import io.tes4j.api.ListTasksRequest;
import io.tes4j.api.TaskNotFoundException;
import io.tes4j.api.TesClientException;
import io.tes4j.api.TesException;
import io.tes4j.api.TesTimeoutException;
import io.tes4j.engine.TaskListener;
import io.tes4j.model.ExecutorLog;
import io.tes4j.model.ListTasksResponse;
import io.tes4j.model.OutputFileLog;
import io.tes4j.model.Resources;
import io.tes4j.model.ServiceInfo;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.TaskLog;
import io.tes4j.model.TaskValidator;
import io.tes4j.model.View;
import io.tes4j.model.Violation;
import io.tes4j.spi.Backend;
import io.tes4j.spi.Capabilities;
import io.tes4j.store.StoredTask;
import io.tes4j.store.TaskPage;
import io.tes4j.store.TaskQuery;
import io.tes4j.store.TaskStore;
import io.tes4j.store.TaskStoreException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code TesEngine} does: the TES semantics over a {@link Backend} and a {@link TaskStore}.
 * Thread-safe. Internal.
 *
 * <p>Locks: each unfinished task's {@link Run} is its own lock, held while its document changes,
 * is stored, and its listeners are told, so each task changes one step at a time and listeners see
 * its steps in order. A batch ({@link #applyTogether}) holds the locks of all its tasks at once,
 * taken in id order, so two batches never wait for each other; no other code holds a task's lock
 * while it takes another's. The admission's lock is never taken while a task's lock is held by
 * this class. The backend is called with no lock held.
 *
 * <p>Failures: a store write that fails is retried, and after its last attempt the change is kept
 * in memory all the same ({@link StoreWrites}): the task moves on, ends, frees its admission slot
 * and wakes its waits, and reads show it as the engine holds it. A new task whose insert fails is
 * not created ({@code createTask} throws a retryable {@link TesClientException}). A task is handed to
 * the backend only once its INITIALIZING state is stored, so a restart never starts it twice; while
 * the store fails, no queued task is admitted (they wait, QUEUED in memory and in the store). A
 * backend's start that throws ends the task SYSTEM_ERROR; its cancel that throws is retried, then
 * reported in the task's system logs. Whatever else goes wrong while starting a task ends that task
 * SYSTEM_ERROR, and the engine's thread logs every failure of its jobs.
 */
public final class EngineCore {
  private static final Logger LOG = LoggerFactory.getLogger("io.tes4j.engine");
  private static final AtomicInteger THREADS = new AtomicInteger();
  /** How many tasks are started at once at most (each on its own thread while it starts). */
  public static final int STARTER_THREADS = 16;
  /** How many admitted tasks wait for a starter at most; beyond, the admitting thread starts them. */
  public static final int STARTS_WAITING = 64;
  /** How many tasks' backend reports are applied at once at most (each waits for the store). */
  static final int REPORTER_THREADS = 8;
  /** How long close() waits for the reports the backend made while it closed. */
  private static final Duration CLOSE_REPORTS_WAIT = Duration.ofSeconds(10);
  private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final TaskLog EMPTY_LOG = TaskLog.builder().build();
  private static final ExecutorLog EMPTY_EXECUTOR_LOG = ExecutorLog.builder().build();

  /** Who asks for a change of state; the rules differ. */
  private enum Origin {
    BACKEND,
    ENGINE,
    USER,
    RESTART,
    /** The engine gives up on a task it failed to start: any state may end SYSTEM_ERROR. */
    FAILURE
  }

  private final Backend backend;
  private final String backendName;
  private final Capabilities capabilities;
  private final Map<String, String> supportedParameters = new LinkedHashMap<>(); // lower case -> as declared
  private final TaskStore store;
  private final boolean closeStore;
  private final Clock clock;
  private final List<TaskListener> listeners;
  private final Admission admission;
  private final TaskIds ids = new TaskIds();
  private final ConcurrentHashMap<String, Run> active = new ConcurrentHashMap<>();
  private final ScheduledThreadPoolExecutor engineThread;
  /**
   * Where admitted tasks are started: INITIALIZING stored, then the backend's start (its handle is
   * stored by the reporter threads, with the backend's first reports when they come together).
   * Several at once, so that their store writes share commits and a backend slow to start one task
   * does not hold up the others; bounded, so that a burst of admissions is not a burst of threads.
   */
  private final Executor starters;
  /**
   * Where the backend's reports are applied, each task's in order (see {@link Run}), so that a
   * backend's thread never waits for the store; separate from the starters, so that slow starts do
   * not delay the reports of running tasks.
   */
  private final Executor reporters;
  /** The starter and reporter threads this engine made and shuts down; none when it was given an executor. */
  private final ThreadPoolExecutor ownStarters;
  private final ThreadPoolExecutor ownReporters;
  /**
   * The backend's reports are applied on the thread that made them, not handed to a reporter
   * thread: with the store in memory and no listener, applying one never blocks, and waking a
   * reporter thread for it cost more than the report (see {@link #applyReports}).
   */
  private final boolean reportsWhereMade;
  /**
   * On the engine's own threads with no listener (nothing but the store and the backend's start to
   * wait for), admitted tasks are started in batches on one starter thread, INITIALIZING stored with
   * one write per batch (see {@link BatchedStarts}); null otherwise, when each task is handed to a
   * starter thread of its own.
   */
  private final BatchedStarts batchedStarts;
  /**
   * Under the same conditions with a store that may block (a durable one), the backend's reports of
   * many tasks are applied together on one reporter thread, with one store write (see {@link
   * BatchedReports}); null otherwise.
   */
  private final BatchedReports batchedReports;
  private final ServiceInfo serviceInfo;
  private final StoreWrites writes;
  private final Retry cancelRetry;
  private volatile boolean closed;
  private volatile boolean eventsOpen = true;
  /** At most this many tasks waiting QUEUED ({@link Integer#MAX_VALUE}: no limit). */
  private final int maxQueued;

  /**
   * @param backend where tasks run; this engine closes it
   * @param backendName its name for messages
   * @param store where tasks are kept
   * @param closeStore whether this engine closes the store (one it opened) or leaves it open (one
   *     it was given)
   * @param clock the source of times and ids
   * @param listeners told of every change of state
   * @param maxRunning at most this many tasks admitted at once
   * @param maxQueued at most this many tasks waiting QUEUED: a create beyond them is refused
   * @param tagLimits at most so many admitted tasks per tag value
   * @param storeRetry how a failed store write is retried, and how long the re-writer of the tasks
   *     kept in memory waits between passes
   * @param cancelRetry how a backend's cancel that threw is retried
   * @param engineExecutor where admitted tasks are started and the backend's reports applied, or
   *     null for the engine's own starter and reporter threads
   */
  public EngineCore(
      Backend backend,
      String backendName,
      TaskStore store,
      boolean closeStore,
      Clock clock,
      List<TaskListener> listeners,
      int maxRunning,
      int maxQueued,
      List<TagLimit> tagLimits,
      Retry storeRetry,
      Retry cancelRetry,
      Executor engineExecutor) {
    this.backend = Objects.requireNonNull(backend, "backend");
    this.backendName = Objects.requireNonNull(backendName, "backendName");
    this.capabilities = Objects.requireNonNull(backend.capabilities(), "backend.capabilities()");
    for (String key : capabilities.backendParameters()) {
      supportedParameters.put(key.toLowerCase(Locale.ROOT), key);
    }
    this.store = Objects.requireNonNull(store, "store");
    this.closeStore = closeStore;
    this.maxQueued = maxQueued;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.listeners = List.copyOf(listeners);
    this.engineThread = new ScheduledThreadPoolExecutor(1, daemonThreads("tes4j-engine-"));
    engineThread.setRemoveOnCancelPolicy(true);
    // Starts wait in a bounded queue: when it is full, the admitting thread starts the task itself,
    // so a createTask faster than the backend and the store can start tasks is slowed to their pace
    // instead of piling up starts. Reports queue at most one drain per task.
    this.ownStarters = engineExecutor != null ? null
        : pool("tes4j-start-", STARTER_THREADS, new ArrayBlockingQueue<>(STARTS_WAITING));
    this.ownReporters = engineExecutor != null ? null
        : pool("tes4j-report-", REPORTER_THREADS, new LinkedBlockingQueue<>());
    this.starters = engineExecutor != null ? engineExecutor : ownStarters;
    this.reporters = engineExecutor != null ? engineExecutor : ownReporters;
    this.reportsWhereMade = ownReporters != null && answersWithoutBlocking(); // as TesEngine's javadoc says
    // A listener may block, and it would hold up every task of a batch: with one, each task keeps
    // its own threads.
    boolean batched = ownReporters != null && this.listeners.isEmpty();
    this.batchedStarts = batched ? new BatchedStarts(ownStarters, engineThread, new BatchSteps()) : null;
    this.batchedReports = batched && !reportsWhereMade ? new BatchedReports(ownReporters, this::applyReportsTogether) : null;
    this.writes = new StoreWrites(store, Objects.requireNonNull(storeRetry, "storeRetry"), engineThread, this::admitLater);
    this.cancelRetry = Objects.requireNonNull(cancelRetry, "cancelRetry");
    this.admission = new Admission(maxRunning, tagLimits, writes::failing);
    this.serviceInfo =
        ServiceInfo.builder()
            .id("io.tes4j.engine")
            .name("tes4j engine (" + backendName + ")")
            .description("TES 1.1 in-process: the tes4j TesEngine over the backend " + backendName)
            .organization("tes4j", "https://github.com/tes4j/tes4j")
            .documentationUrl("https://github.com/tes4j/tes4j")
            .version(version())
            .storage(capabilities.storage())
            .tesResourcesBackendParameters(new ArrayList<>(capabilities.backendParameters()))
            .build();
  }

  // -----------------------------------------------------------------------------------------------
  // The TesClient operations.

  /** As {@code TesClient.serviceInfo()}. */
  public ServiceInfo serviceInfo() {
    checkOpen();
    return serviceInfo;
  }

  /** As {@code TesClient.createTask(Task)}. */
  public String create(Task task) {
    Run run = newRun(task);
    boolean initializing = startsInitializing(run);
    RuntimeException failure;
    synchronized (run) {
      try {
        failure = writes.insert(new StoredTask(run.task, null));
      } catch (RuntimeException e) {
        if (initializing) {
          admission.release(run); // another task has its id: two engines on one store
        }
        throw e;
      }
    }
    return created(run, initializing, failure, true);
  }

  /**
   * As {@code TesAsyncClient.createTask(Task)}: the checks and the insert's queueing on the calling
   * thread, and no thread waits for the insert: the future completes on the store's thread once the
   * task is durable (for a {@link TaskStore#insertAsync} that does not block), with what {@link
   * #create} returns or throws. With a listener, this is {@link #create}, on the calling thread
   * ({@link #createsWithoutThread}).
   */
  public CompletableFuture<String> createAsync(Task task) {
    if (!createsWithoutThread()) {
      try {
        return CompletableFuture.completedFuture(create(task));
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    Run run;
    boolean initializing;
    try {
      run = newRun(task);
      initializing = startsInitializing(run);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return writes.insertAsync(new StoredTask(run.task, null), starters).handle((failure, thrown) -> {
      if (thrown != null) { // another task has its id (two engines on one store), or an Error
        if (initializing) {
          admission.release(run);
        }
        throw StoreWrites.unwrap(thrown);
      }
      return created(run, initializing, failure, false);
    });
  }

  /**
   * Whether {@link #createAsync} waits for the store without a thread: not with a listener, which
   * is told of the new task where the insert completes, and may block (that would be the store's
   * thread, which completes every write); nor with an {@code engineExecutor}, which may run a
   * retry of the insert right there (as {@code Runnable::run} does), where it would wait for the
   * store's thread itself.
   */
  public boolean createsWithoutThread() {
    return listeners.isEmpty() && ownStarters != null;
  }

  /**
   * After the insert of {@code run} ({@code failure}: null when it is stored): the task is active and
   * starts, or createTask fails; returns its id. {@code mayWaitHere}: as {@link #startLater}.
   */
  private String created(Run run, boolean initializing, RuntimeException failure, boolean mayWaitHere) {
    String id = run.id;
    synchronized (run) {
      if (failure != null) {
        if (initializing) {
          admission.release(run);
        }
        throw notCreated(run, failure);
      }
      active.put(id, run);
      notifyListeners(id, State.UNKNOWN, State.QUEUED);
      if (initializing) {
        notifyListeners(id, State.QUEUED, State.INITIALIZING);
      }
    }
    // Started on a starter thread: the answer waits for the one durable write that acknowledges the
    // task (the insert), not for INITIALIZING, the backend and its handle as well.
    if (initializing) {
      launchLater(run, mayWaitHere);
    } else {
      startLater(admission.enqueueAndAdmit(run), mayWaitHere);
    }
    return id;
  }

  /**
   * Refuses a new task when {@code maxQueued} tasks wait already: the unfinished ones not admitted.
   * Creates in flight are not counted yet, so a burst may pass the limit by as many.
   */
  private void refuseBeyondMaxQueued() {
    if (maxQueued == Integer.MAX_VALUE) {
      return;
    }
    int queued = active.size() - admission.admittedCount();
    if (queued >= maxQueued) {
      throw new io.tes4j.api.QueueFullException(
          "the engine's queue is full (maxQueued=" + maxQueued + " tasks waiting QUEUED): try again once some"
              + " have started");
    }
  }

  /** Checks a new task and gives it an id: its QUEUED run, not shared yet and not stored. */
  private Run newRun(Task task) {
    checkOpen();
    Objects.requireNonNull(task, "task");
    List<Violation> violations = new ArrayList<>(TaskValidator.validate(task));
    for (Violation own : backend.check(task)) { // what this backend could never run; one violation per field
      if (violations.stream().noneMatch(v -> v.path().equals(own.path()))) {
        violations.add(own);
      }
    }
    Resources resources = task.resources();
    List<String> warnings = List.of();
    Resources kept = null;
    if (resources != null && !resources.backendParameters().isEmpty()) {
      Map<String, String> supported = new LinkedHashMap<>();
      List<String> unsupported = new ArrayList<>();
      resources.backendParameters().forEach((key, value) -> {
        if (supportedParameters.containsKey(key.toLowerCase(Locale.ROOT))) {
          supported.put(key, value);
        } else {
          unsupported.add(key);
        }
      });
      if (!unsupported.isEmpty()) {
        if (Boolean.TRUE.equals(resources.backendParametersStrict())) {
          for (String key : unsupported) {
            violations.add(
                new Violation(
                    "resources.backend_parameters" + (PLAIN_KEY.matcher(key).matches() ? "." + key : "[\"" + key + "\"]"),
                    "backend_parameters_strict is true and the backend " + backendName + " does not support the"
                        + " backend parameter '" + key + "'; " + supportedText()));
          }
        } else {
          warnings = new ArrayList<>();
          for (String key : unsupported) {
            warnings.add(
                "the backend parameter '" + key + "' is not supported by the backend " + backendName
                    + " and was ignored (" + supportedText() + ")");
          }
          kept = resources.toBuilder().backendParameters(supported).build();
        }
      }
    }
    if (!violations.isEmpty()) {
      throw new InvalidTaskException(violations);
    }
    refuseBeyondMaxQueued();
    Instant now = clock.instant();
    String id = ids.next(now.toEpochMilli());
    Task.Builder queued =
        task.toBuilder()
            .id(id)
            .state(State.QUEUED)
            .creationTime(Times.format(now))
            .logs(warnings.isEmpty() ? List.of() : List.of(TaskLog.builder().systemLogs(warnings).build()));
    if (kept != null) {
      queued.resources(kept);
      LOG.debug("task {}: {}", id, warnings);
    }
    return new Run(this, queued.build(), null, admission.limitsOf(task.tags()));
  }

  /**
   * When starts are batched and nothing waits ahead of a new task, admits it and moves it to
   * INITIALIZING before its insert, which then stores both: a durable store makes one write fewer
   * per task (a third of them on the way from POST to COMPLETE), and the task is launched as soon as
   * the insert is stored, as a restart needs (see {@link #readyToLaunch}). Returns whether it did;
   * the run is not shared yet. Should the engine close before the launch, the task is stored QUEUED
   * again ({@link #requeueUnlaunched}).
   */
  private boolean startsInitializing(Run run) {
    if (batchedStarts == null || !batchedStarts.isQuick() || closed || !admission.admitAlone(run)) {
      return false;
    }
    Task queued = run.task;
    Run.Batch batch = new Run.Batch();
    synchronized (run) {
      run.batch = batch;
      try {
        transition(run, State.INITIALIZING, null, Origin.ENGINE);
      } finally {
        run.batch = null;
      }
      if (batch.task == null) { // the engine closed meanwhile
        admission.release(run);
        return false;
      }
      run.task = batch.task;
      run.queuedDoc = queued;
    }
    return true;
  }

  /**
   * Launches a run stored INITIALIZING at its creation: in the batch of starts, else on a starter
   * thread of its own, as {@link #startLater} does (and {@code mayWaitHere} means the same).
   */
  private void launchLater(Run run, boolean mayWaitHere) {
    List<Run> handedBack;
    try {
      handedBack = batchedStarts.addInitialized(run);
    } catch (RejectedExecutionException e) {
      // Closing, or the starter threads are all taken.
      stepEach(batchedStarts.takeInitialized(), this::launch, mayWaitHere);
      handedBack = batchedStarts.takeWaiting();
    }
    stepEach(handedBack, this::start, mayWaitHere);
  }

  /**
   * A run stored INITIALIZING at its creation that the closing engine did not launch: stored QUEUED
   * again, so that the next engine starts it instead of ending it SYSTEM_ERROR (it cannot know
   * whether an INITIALIZING task started); its slot is freed.
   */
  private void requeueUnlaunched(Run run) {
    synchronized (run) {
      Task queued = run.queuedDoc;
      if (queued != null && run.state() == State.INITIALIZING && run.handle == null) {
        run.queuedDoc = null;
        writes.write(run, queued, "its state QUEUED again (the engine closed before it was launched)");
      }
    }
    admission.release(run);
  }

  /**
   * The task could not be stored, so it is not created: nothing is acknowledged that is not
   * durable. Should the store hold it all the same (the last attempt stored it and its answer was
   * lost), it is marked SYSTEM_ERROR there later, so that it never runs.
   */
  private TesClientException notCreated(Run run, RuntimeException failure) {
    LOG.warn("task {}: the task store failed to store the new task; createTask fails", run.id, failure);
    List<TaskLog> logs = run.task.logs();
    TaskLog base = logs.isEmpty() ? EMPTY_LOG : logs.get(logs.size() - 1);
    TaskLog log = base.toBuilder()
        .endTime(Times.format(clock.instant()))
        .systemLogs(append(base.systemLogs(), "createTask failed: the task store failed to store the task, so it was"
            + " not acknowledged; it never runs"))
        .build();
    writes.abandonInsert(run, with(run.task, State.SYSTEM_ERROR, replaceLast(logs, log)));
    return new TesClientException(
        "the task store failed to store the new task: " + failure.getMessage() + "; no task was created, try again"
            + " later", failure, true);
  }

  private String supportedText() {
    return supportedParameters.isEmpty()
        ? "it supports no backend parameters"
        : "it supports " + String.join(", ", new TreeSet<>(supportedParameters.values()));
  }

  /** As {@code TesEngine.answersWithoutBlocking()}: an in-memory store, no listener. */
  public boolean answersWithoutBlocking() {
    return store.isInMemory() && listeners.isEmpty();
  }

  /** As {@code TesClient.getTask(String, View)}. */
  public Task get(String id, View view) {
    checkOpen();
    Objects.requireNonNull(id, "id");
    return Views.of(find(id).task(), view);
  }

  /** The task as stored, or as this engine holds it when the store lacks its latest change. */
  private StoredTask find(String id) {
    StoredTask held = writes.held(id);
    if (held != null) {
      return held;
    }
    StoredTask stored;
    try {
      stored = store.get(id).orElseThrow(() -> new TaskNotFoundException(id));
    } catch (TaskStoreException e) {
      throw unreadable("read the task " + id, e);
    }
    return writes.allWritten() ? stored : writes.current(stored);
  }

  /**
   * A read of the store failed: the caller may try again (a server answers 503, and logs it). Logged
   * here at DEBUG only: polling clients would otherwise fill the log during an outage.
   */
  private static TesClientException unreadable(String what, TaskStoreException e) {
    LOG.debug("the task store failed to {}", what, e);
    return new TesClientException("the task store failed to " + what + ": " + e.getMessage() + "; try again later",
        e, true);
  }

  /** As {@code TesClient.listTasks(ListTasksRequest)}. */
  public ListTasksResponse list(ListTasksRequest request) {
    checkOpen();
    Objects.requireNonNull(request, "request");
    String after = PageTokens.decode(request.pageToken());
    int size = request.pageSize() == null ? ListTasksRequest.DEFAULT_PAGE_SIZE : request.pageSize();
    TaskQuery query = new TaskQuery(request.namePrefix(), request.state(), request.tags(), after, size);
    TaskPage page;
    try {
      page = store.list(query);
    } catch (TaskStoreException e) {
      throw unreadable("list tasks", e);
    }
    List<StoredTask> found = page.tasks();
    String last = page.more() && !found.isEmpty() ? found.get(found.size() - 1).id() : null;
    if (!writes.allWritten()) {
      StoreWrites.Overlaid overlaid = writes.overlay(query, page);
      found = overlaid.tasks();
      last = overlaid.next();
    }
    List<Task> tasks = new ArrayList<>(found.size());
    for (StoredTask stored : found) {
      tasks.add(Views.of(stored.task(), request.view()));
    }
    return new ListTasksResponse(tasks, last == null ? null : PageTokens.encode(last));
  }

  /** As {@code TesClient.cancelTask(String)}. */
  public void cancel(String id) {
    checkOpen();
    Objects.requireNonNull(id, "id");
    Run run = active.get(id);
    if (run == null) {
      find(id); // unknown: TaskNotFoundException; ended: nothing to do
      return;
    }
    State entered = transition(run, null, null, Origin.USER);
    String handle = run.handle;
    if (entered == State.CANCELING && handle != null) {
      cancelOnBackend(run, handle, 1);
    }
  }

  /** As {@code TesClient.await(String, Duration)}, completed by the task's end, not by polling. */
  public Task await(String id, Duration timeout) {
    checkOpen();
    Objects.requireNonNull(id, "id");
    long nanos = timeoutNanos(timeout);
    Run run = active.get(id);
    if (run == null) {
      return ended(id);
    }
    try {
      return nanos == Long.MAX_VALUE ? run.done.get() : run.done.get(nanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw timedOut(run, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TesClientException("interrupted while waiting for task " + id, e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof TesException ? (TesException) e.getCause() : new TesClientException(e.getMessage(), e);
    }
  }

  /**
   * As {@code TesAsyncClient.await}: a future completed by the task's end (on the thread that ended
   * it) or by a timer on the engine's thread; cancelling it stops the timer.
   */
  public CompletableFuture<Task> awaitAsync(String id, Duration timeout) {
    try {
      checkOpen();
      Objects.requireNonNull(id, "id");
      long nanos = timeoutNanos(timeout);
      Run run = active.get(id);
      if (run == null) {
        return CompletableFuture.completedFuture(ended(id));
      }
      CompletableFuture<Task> result = new CompletableFuture<>();
      run.done.whenComplete((task, error) -> {
        if (error == null) {
          result.complete(task);
        } else {
          result.completeExceptionally(error);
        }
      });
      if (nanos != Long.MAX_VALUE && !result.isDone()) {
        ScheduledFuture<?> timer =
            engineThread.schedule(() -> result.completeExceptionally(timedOut(run, timeout)), nanos, TimeUnit.NANOSECONDS);
        result.whenComplete((task, error) -> timer.cancel(false));
      }
      return result;
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private Task ended(String id) {
    Task task = find(id).task();
    if (!task.state().isTerminal()) {
      // Only an engine that is being closed leaves a task unfinished without driving it.
      throw new TesClientException("task " + id + " is " + task.state() + " and this engine no longer drives it");
    }
    return task;
  }

  private static long timeoutNanos(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
    }
    try {
      return timeout.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private static TesTimeoutException timedOut(Run run, Duration timeout) {
    return new TesTimeoutException(
        "task " + run.id + " did not end within " + Times.format(timeout) + "; it is " + run.state());
  }

  /**
   * Stops admitting, closes the backend, makes a last attempt to write the tasks the store lacks
   * (logging at ERROR those it still lacks), then closes the store if this engine opened it; fails
   * the waits still pending.
   */
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      backend.close(); // a backend may still report while it stops its tasks: that is stored
    } catch (RuntimeException e) {
      LOG.warn("closing the backend {} failed", backendName, e);
    }
    if (ownReporters != null) {
      // The reports made until the backend closed are applied (and stored) before the engine stops.
      ownReporters.shutdown();
      try {
        if (!ownReporters.awaitTermination(CLOSE_REPORTS_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
          LOG.warn("closing: the backend's last reports were not all applied within {}", Times.format(CLOSE_REPORTS_WAIT));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        LOG.warn("closing: interrupted while the backend's last reports were applied");
      }
    }
    eventsOpen = false;
    engineThread.shutdownNow();
    if (batchedStarts != null) {
      batchedStarts.stop().forEach(admission::release); // they stay QUEUED
      batchedStarts.takeInitialized().forEach(this::requeueUnlaunched);
    }
    if (ownStarters != null) {
      ownStarters.shutdownNow(); // tasks not started yet stay QUEUED, in the store too, for the next engine
    }
    if (ownReporters != null) {
      ownReporters.shutdownNow();
    }
    for (Run run : active.values()) {
      run.done.completeExceptionally(
          new TesClientException("the engine was closed before task " + run.id + " ended (it was " + run.state() + ")"));
    }
    writes.close();
    if (closeStore) {
      try {
        store.close();
      } catch (RuntimeException e) {
        LOG.warn("closing the task store {} failed", store, e);
      }
    }
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  private void checkOpen() {
    if (closed) {
      throw new TesClientException("this TesEngine is closed");
    }
  }

  // -----------------------------------------------------------------------------------------------
  // Restart.

  /**
   * Takes up what an earlier engine left unfinished in the store: QUEUED tasks queue again;
   * INITIALIZING, RUNNING, PAUSED and CANCELING ones are re-attached when the backend can resume
   * them and ended SYSTEM_ERROR otherwise (those without a handle too: they may be running already,
   * so they are not started twice). Then admits what the limits allow.
   */
  public void recover() {
    TaskPage newest = store.list(new TaskQuery(null, null, Map.of(), null, 1));
    if (!newest.tasks().isEmpty()) {
      ids.observe(newest.tasks().get(0).id());
    }
    for (StoredTask stored : store.unfinished()) {
      Task task = stored.task();
      String handle = stored.handle();
      Run run = new Run(this, task, handle, admission.limitsOf(task.tags()));
      active.put(run.id, run);
      if (task.state() == State.QUEUED) {
        admission.enqueue(run);
        continue;
      }
      if (handle == null) {
        giveUp(run, "the engine restarted while the backend " + backendName + " was starting the task, before it"
            + " returned a handle; the task is not started again, since it may already be running");
        continue;
      }
      if (!capabilities.resume()) {
        giveUp(run, "the engine restarted and the backend " + backendName + " cannot re-attach to running tasks");
        continue;
      }
      admission.admitted(run);
      run.reattached = true;
      boolean resumed;
      try {
        resumed = backend.resume(handle, task, run);
      } catch (RuntimeException e) {
        LOG.warn("task {}: the backend {} failed to resume it (handle {})", run.id, backendName, handle, e);
        giveUp(run, "the engine restarted and the backend " + backendName + " failed to re-attach to the task"
            + " (handle " + handle + "): " + e.getMessage());
        continue;
      }
      if (!resumed) {
        giveUp(run, "the engine restarted and the backend " + backendName + " no longer knows the task (handle "
            + handle + ")");
      } else {
        LOG.info("task {}: re-attached to {} on the backend {}", run.id, handle, backendName);
        if (run.state() == State.CANCELING) {
          cancelOnBackend(run, handle, 1); // the cancel may have been lost with the old engine
        }
      }
    }
    startLater(admission.admit());
  }

  private void giveUp(Run run, String why) {
    LOG.warn("task {}: {}", run.id, why);
    transition(run, State.SYSTEM_ERROR, why, Origin.RESTART);
  }

  // -----------------------------------------------------------------------------------------------
  // Admission and start.

  /**
   * Starts each admitted run. Whatever one start throws ends that task SYSTEM_ERROR and frees its
   * slot, and the others still start; a {@link VirtualMachineError} is thrown again after them.
   */
  private void startAll(List<Run> runs) {
    stepAll(runs, this::start);
  }

  /** As {@link #startAll}, for any step of a start ({@link #start}, {@link #launch}). */
  private void stepAll(List<Run> runs, Consumer<Run> step) {
    VirtualMachineError fatal = null;
    for (Run run : runs) {
      try {
        step.accept(run);
      } catch (RuntimeException | Error e) {
        abandon(run, e);
        if (e instanceof VirtualMachineError && fatal == null) {
          fatal = (VirtualMachineError) e;
        }
      }
    }
    if (fatal != null) {
      throw fatal;
    }
  }

  /**
   * Ends SYSTEM_ERROR a task whose start failed in the engine itself, cancels it on the backend if
   * the backend has it, and frees its slot; if even that fails, at least its waits fail and its slot
   * is freed, so nothing hangs on it.
   */
  private void abandon(Run run, Throwable cause) {
    LOG.error("task {}: starting it failed in the engine; it is ended SYSTEM_ERROR", run.id, cause);
    try {
      transition(run, State.SYSTEM_ERROR, "the engine failed to start the task: " + cause, Origin.FAILURE);
      String handle = run.handle;
      if (handle != null) {
        cancelOnBackend(run, handle, 1);
      }
    } catch (RuntimeException | Error e) {
      LOG.error("task {}: ending it SYSTEM_ERROR failed too; its waits fail and its slot is freed", run.id, e);
    }
    if (!run.state().isTerminal()) {
      active.remove(run.id, run);
      run.done.completeExceptionally(new TesClientException("task " + run.id + " could not be started: " + cause, cause));
    }
    if (admission.release(run)) {
      admitLater();
    }
  }

  /**
   * Admits what the limits allow on the engine's thread (not the backend's, which may hold its own
   * locks), and starts them on the starter threads.
   */
  private void admitLater() {
    onEngineThread("admitting queued tasks", () -> {
      if (!closed) {
        startLater(admission.admit());
      }
    }, 0);
  }

  private static ThreadPoolExecutor pool(String names, int threads, BlockingQueue<Runnable> queue) {
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, queue, daemonThreads(names));
    pool.allowCoreThreadTimeOut(true); // idle engines hold no threads
    return pool;
  }

  /** Daemon threads named {@code names} and a number: an engine never keeps the JVM alive. */
  private static ThreadFactory daemonThreads(String names) {
    return r -> {
      Thread thread = new Thread(r, names + THREADS.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * Runs a drain of a task's reports (from {@link Run}): on the reporter threads, so that the
   * backend's thread never waits for the store; or, when nothing on the way can block (the store
   * in memory, no listener, the engine's own threads), at once on the backend's thread, which
   * saves a thread's wake-up per report and half of the engine's CPU per short task.
   */
  void applyReports(Run run, Runnable drain) {
    if (reportsWhereMade) {
      drain.run(); // after close, the changes check eventsOpen and ignore the reports
      return;
    }
    if (batchedReports != null) {
      try {
        batchedReports.add(run);
      } catch (RejectedExecutionException e) {
        List<Run> left = batchedReports.takeWaiting();
        if (closed) {
          LOG.debug("ignored the backend's reports of {} tasks made after the engine was closed", left.size());
          left.forEach(Run::dropReports);
        } else {
          LOG.warn("the reporter threads refused the backend's reports; they are applied on this thread", e);
          while (!left.isEmpty()) {
            left = applyReportsTogether(left);
          }
        }
      }
      return;
    }
    try {
      reporters.execute(drain);
    } catch (RejectedExecutionException e) {
      if (closed) {
        LOG.debug("task {}: ignored the backend's reports made after the engine was closed", run.id);
        run.dropReports();
      } else {
        LOG.warn("task {}: the engine executor refused the backend's reports; they are applied on this thread", run.id, e);
        drain.run();
      }
    }
  }

  /**
   * Starts each admitted run on a starter thread: in batches on one of them when nothing in a start
   * blocks ({@link BatchedStarts}), else each on its own. A run refused because the engine is closing
   * frees its slot and stays QUEUED, in the store too, for the next engine; one refused otherwise
   * (the starters' queue is full, or an executor the engine was given refused it) is started on this
   * thread.
   */
  private void startLater(List<Run> runs) {
    startLater(runs, true);
  }

  /**
   * {@link #startLater}; with {@code mayWaitHere} false (on the store's thread, which completes the
   * store's writes and so must never wait for one), a refused run is started on the engine's thread
   * instead of this one.
   */
  private void startLater(List<Run> runs, boolean mayWaitHere) {
    if (batchedStarts != null && batchedStarts.isQuick() && !runs.isEmpty()) {
      List<Run> handedBack;
      try {
        handedBack = batchedStarts.add(runs);
      } catch (RejectedExecutionException e) {
        handedBack = batchedStarts.takeWaiting(); // closing, or the starter threads are all taken
      }
      stepEach(handedBack, this::start, mayWaitHere);
      return;
    }
    stepEach(runs, this::start, mayWaitHere);
  }

  /** Starts each run on a starter thread of its own; see {@link #startLater}. */
  private void startEach(List<Run> runs) {
    stepEach(runs, this::start);
  }

  private void stepEach(List<Run> runs, Consumer<Run> step) {
    stepEach(runs, step, true);
  }

  /**
   * Makes {@code step} for each run on a starter thread of its own. A run refused because the
   * engine is closing frees its slot: QUEUED, it stays so for the next engine; INITIALIZING (to be
   * launched), the next engine ends it SYSTEM_ERROR, since it cannot know whether it started. One
   * refused otherwise is started on this thread, or on the engine's thread when {@code mayWaitHere}
   * is false.
   */
  private void stepEach(List<Run> runs, Consumer<Run> step, boolean mayWaitHere) {
    for (Run run : runs) {
      try {
        starters.execute(() -> oneStep(run, step));
      } catch (RejectedExecutionException e) {
        if (closed) {
          LOG.debug("task {}: not started: the engine is closed", run.id);
          admission.release(run);
        } else {
          if (starters == ownStarters) {
            LOG.debug("task {}: {} starts wait already; started on this thread", run.id, STARTS_WAITING);
          } else {
            LOG.warn("task {}: the engine executor refused its start; it is started on this thread", run.id, e);
          }
          if (mayWaitHere) {
            stepAll(List.of(run), step); // never left waiting with its slot taken
          } else {
            onEngineThread("starting task " + run.id, () -> stepAll(List.of(run), step), 0);
          }
        }
      }
    }
  }

  /** Makes {@code step} for one run on a starter thread; logs a fatal error instead of throwing. */
  private void oneStep(Run run, Consumer<Run> step) {
    try {
      stepAll(List.of(run), step);
    } catch (RuntimeException | Error e) {
      // Only a VirtualMachineError gets here; stepAll ended the task and freed its slot.
      LOG.error("task {}: a fatal error while starting it", run.id, e);
    }
  }

  /**
   * Runs {@code job} on the engine's thread after {@code delayNanos}; logs at ERROR whatever it
   * throws (an executor would keep it silently in a future no one reads).
   */
  private void onEngineThread(String what, Runnable job, long delayNanos) {
    if (closed) {
      return;
    }
    Runnable guarded = () -> {
      try {
        job.run();
      } catch (RuntimeException | Error e) {
        LOG.error("the engine's thread failed while {}", what, e);
      }
    };
    try {
      if (delayNanos <= 0) {
        engineThread.execute(guarded);
      } else {
        engineThread.schedule(guarded, delayNanos, TimeUnit.NANOSECONDS);
      }
    } catch (RejectedExecutionException e) {
      LOG.debug("not {}: the engine is closed", what);
    }
  }

  /** Starts one run: INITIALIZING stored, then {@link #launch}. */
  private void start(Run run) {
    if (initialize(run)) {
      launch(run);
    }
  }

  /**
   * Moves one run to INITIALIZING and stores it; returns whether it is to be launched (see {@link
   * #readyToLaunch}).
   */
  private boolean initialize(Run run) {
    return readyToLaunch(run, closed ? null : transition(run, State.INITIALIZING, null, Origin.ENGINE));
  }

  /**
   * Moves each run to INITIALIZING with one store write for all of them (a store in memory: one
   * each, which is cheaper there), and returns those to launch; the others were cancelled meanwhile
   * or their INITIALIZING could not be stored, and were dealt with as {@link #start} deals with
   * them. Never throws: a run whose move failed in the engine is ended SYSTEM_ERROR ({@link
   * #abandon}).
   */
  private List<Run> initializeAll(List<Run> runs) {
    if (closed) {
      runs.forEach(admission::release);
      return List.of();
    }
    if (reportsWhereMade) {
      // A store in memory: a write per task costs nothing to wait for, and less than a batch's.
      List<Run> launch = new ArrayList<>(runs.size());
      for (Run run : runs) {
        try {
          if (initialize(run)) {
            launch.add(run);
          }
        } catch (RuntimeException | Error e) {
          abandon(run, e);
        }
      }
      return launch;
    }
    Map<Run, State> entered = new HashMap<>();
    Map<Run, Throwable> failed = new HashMap<>();
    try {
      applyTogether(runs, run -> {
        try {
          entered.put(run, transition(run, State.INITIALIZING, null, Origin.ENGINE));
        } catch (RuntimeException | Error e) {
          failed.put(run, e);
        }
      }, Origin.ENGINE);
    } catch (RuntimeException | Error e) {
      for (Run run : runs) {
        failed.putIfAbsent(run, e);
      }
    }
    List<Run> launch = new ArrayList<>(runs.size());
    for (Run run : runs) {
      Throwable failure = failed.get(run);
      if (failure != null) {
        abandon(run, failure);
      } else if (readyToLaunch(run, entered.get(run))) {
        launch.add(run);
      }
    }
    return launch;
  }

  /**
   * Whether a run that was to enter INITIALIZING ({@code entered}: the state it entered, or null)
   * is to be launched; if not, its slot is freed, or it is ended SYSTEM_ERROR when its INITIALIZING
   * could not be stored.
   */
  private boolean readyToLaunch(Run run, State entered) {
    if (entered != State.INITIALIZING) {
      admission.release(run); // cancelled between admission and start, or closing
      return false;
    }
    boolean stored;
    synchronized (run) {
      stored = !run.unwritten;
    }
    if (!stored) {
      // Started without a stored INITIALIZING, a task that outlives a crash of the engine would be
      // started a second time by the next one, which finds it QUEUED.
      transition(run, State.SYSTEM_ERROR, "the engine's task store failed to record the start of the task, so it was"
          + " not started", Origin.ENGINE);
      return false;
    }
    return true;
  }

  /** Starts an INITIALIZING run on the backend, and stores its handle. */
  private void launch(Run run) {
    synchronized (run) {
      run.queuedDoc = null;
    }
    String handle;
    long startedAt = System.nanoTime();
    try {
      handle = backend.start(run.task, run);
    } catch (RuntimeException | Error e) {
      if (e instanceof VirtualMachineError) {
        throw e;
      }
      String why = e instanceof BackendException ? e.getMessage() : e.toString();
      if (!(e instanceof BackendException)) {
        LOG.warn("task {}: the backend {} failed to start it", run.id, backendName, e);
      }
      transition(run, State.SYSTEM_ERROR, "the backend " + backendName + " could not start the task: " + why, Origin.ENGINE);
      return;
    }
    if (batchedStarts != null) {
      batchedStarts.took(System.nanoTime() - startedAt);
    }
    boolean cancel;
    synchronized (run) {
      run.handle = handle;
      cancel = run.state() == State.CANCELING;
    }
    run.storeHandle();
    if (handle == null) {
      LOG.warn("task {}: the backend {} returned no handle, so the task cannot be cancelled or resumed", run.id, backendName);
    } else if (cancel) {
      cancelOnBackend(run, handle, 1); // cancelled while the backend was starting it
    }
  }

  /**
   * Asks the backend to cancel; when it throws, tries again on the engine's thread while the task is
   * CANCELING, and after the last attempt says so in the task's system logs (the task stays
   * CANCELING, holding its slot, until the backend reports its end).
   */
  private void cancelOnBackend(Run run, String handle, int attempt) {
    try {
      backend.cancel(handle);
      if (attempt > 1) {
        LOG.info("task {}: the backend {} took the cancel at attempt {}", run.id, backendName, attempt);
      }
    } catch (RuntimeException | Error e) {
      if (e instanceof VirtualMachineError) {
        throw e;
      }
      State state = run.state();
      if (state.isTerminal()) {
        LOG.warn("task {}: the backend {} failed to cancel it (handle {}); the engine already ended it {}", run.id,
            backendName, handle, state, e);
        return;
      }
      if (attempt < cancelRetry.attempts() && !closed) {
        long delay = cancelRetry.delayNanos(attempt);
        LOG.warn("task {}: the backend {} failed to cancel it (handle {}), attempt {} of {}; trying again in {}",
            run.id, backendName, handle, attempt, cancelRetry.attempts(), Times.format(Duration.ofNanos(delay)), e);
        onEngineThread("cancelling task " + run.id + " again", () -> {
          if (run.state() == State.CANCELING) {
            cancelOnBackend(run, handle, attempt + 1);
          }
        }, delay);
        return;
      }
      LOG.error("task {}: the backend {} failed to cancel it (handle {}) at attempt {} of {}; it stays CANCELING until"
          + " the backend reports its end", run.id, backendName, handle, attempt, cancelRetry.attempts(), e);
      systemLog(run, "the backend " + backendName + " failed to cancel the task (" + attempt
          + (attempt == 1 ? " attempt" : " attempts") + "): " + e.getMessage() + "; it may still be running");
    }
  }

  // -----------------------------------------------------------------------------------------------
  // Changes of state: the TES state machine.

  /** The backend's report of a state (from {@link Run}). */
  void report(Run run, State state, String systemLog) {
    if (run.reattached && (state == State.COMPLETE || state == State.EXECUTOR_ERROR)) {
      synchronized (run) {
        if (eventsOpen && run.latest().state() == State.INITIALIZING) {
          // Its executors ran, so it ran: the backend reported RUNNING to the engine before this
          // one, which stopped before storing it. Refusing the end would hold the task
          // INITIALIZING for ever. (A task this engine started gets no such pass: a backend that
          // never reports RUNNING is a bug the conformance kit must see.)
          LOG.warn("task {}: the backend reported {} for a re-attached task still INITIALIZING (its RUNNING went to"
              + " the engine before); RUNNING is recorded first", run.id, state);
          transition(run, State.RUNNING, null, Origin.BACKEND);
        }
      }
    }
    transition(run, state, systemLog, Origin.BACKEND);
  }

  /**
   * Moves {@code run} to the state the rules make of {@code requested}, stores it, tells the
   * listeners; returns the state entered, or null when the request was ignored. A USER request is
   * a cancel: QUEUED tasks end CANCELED, started ones go CANCELING.
   */
  private State transition(Run run, State requested, String systemLog, Origin origin) {
    Task ended = null;
    State to;
    synchronized (run) {
      if (!eventsOpen) {
        LOG.debug("task {}: ignored {} after the engine was closed", run.id, requested);
        return null;
      }
      Task task = run.latest();
      State from = task.state();
      to = resolve(run.id, from, requested, origin);
      if (to == null) {
        return null;
      }
      String now = to == State.INITIALIZING || to.isTerminal() ? Times.format(clock.instant()) : null;
      List<TaskLog> logs = task.logs();
      TaskLog last = logs.isEmpty() ? null : logs.get(logs.size() - 1);
      if (to == State.INITIALIZING || to.isTerminal() && last != null || systemLog != null) {
        TaskLog base = last != null ? last : EMPTY_LOG;
        logs = replaceLast(logs, new TaskLog(
            base.logs(),
            base.metadata(),
            to == State.INITIALIZING ? now : base.startTime(),
            to.isTerminal() && last != null ? now : base.endTime(),
            base.outputs(),
            systemLog == null ? base.systemLogs() : append(base.systemLogs(), systemLog)));
      }
      Task changed = with(task, to, logs);
      Run.Batch batch = run.batch;
      if (batch != null) { // written, told and ended once the batch ends
        batch.task = changed;
        batch.what.add("its state " + to);
        batch.changes.add(new State[] {from, to});
        if (to.isTerminal()) {
          batch.ended = changed;
        }
        return to;
      }
      writes.write(run, changed, "its state " + to);
      notifyListeners(run.id, from, to);
      if (to.isTerminal()) {
        ended = changed;
      }
    }
    if (ended != null) {
      ended(run, ended, origin);
    }
    return to;
  }

  /** A task ended: it leaves the active ones, frees its slot, and its waits return. */
  private void ended(Run run, Task ended, Origin origin) {
    active.remove(run.id, run);
    boolean waiting = admission.release(run);
    run.done.complete(ended);
    if (waiting) {
      if (origin == Origin.USER) {
        startLater(admission.admit());
      } else {
        admitLater();
      }
    }
  }

  /**
   * Applies reports of the backend that arrived together (from {@link Run}) under the task's lock,
   * with one store write for all of them: a backend that reports RUNNING, an executor's logs and
   * the end in quick succession costs one durable write, not four. Nothing of the batch is shown
   * (reads, listeners, waits) before that write, as for a single report.
   */
  void applyBatch(Run run, List<Runnable> reports) {
    if (reports.size() == 1) {
      applyReport(run, reports.get(0));
      return;
    }
    applyTogether(List.of(run), batched -> reports.forEach(report -> applyReport(batched, report)), Origin.BACKEND);
  }

  /**
   * Applies the reports waiting of each run, all of them with one store write (from {@link
   * BatchedReports}); returns the runs that had some, which may have more by now. A failure of the
   * engine is logged with the tasks it concerns, and does not stop their later reports.
   */
  private List<Run> applyReportsTogether(List<Run> runs) {
    Map<Run, List<Runnable>> taken = new HashMap<>();
    List<Run> applied = new ArrayList<>(runs.size());
    for (Run run : runs) {
      List<Runnable> reports = run.takeReports();
      if (!reports.isEmpty()) {
        taken.put(run, reports);
        applied.add(run);
      }
    }
    if (!applied.isEmpty()) {
      try {
        applyTogether(applied, run -> taken.get(run).forEach(report -> applyReport(run, report)), Origin.BACKEND);
      } catch (RuntimeException e) {
        LOG.error("applying the backend's reports of {} tasks failed ({}); those reports are lost", applied.size(),
            applied.stream().map(run -> run.id).collect(Collectors.joining(", ")), e);
      }
    }
    return applied;
  }

  /**
   * Applies {@code change} to each run as a batch ({@link Run.Batch}) under the locks of all of
   * them, taken in id order (so that two such calls never wait for each other), with one store
   * write for all their changes ({@link StoreWrites#writeAll}: one sync for a durable store); then
   * tells the listeners, and ends the runs that ended. Nothing of a batch is shown (reads,
   * listeners, waits) before that write, as for a single change. {@code change} must not throw.
   */
  private void applyTogether(List<Run> runs, Consumer<Run> change, Origin origin) {
    List<Run> ordered = new ArrayList<>(runs);
    ordered.sort(Comparator.comparing((Run run) -> run.id));
    Run.Batch[] batches = new Run.Batch[ordered.size()];
    holdingLocks(ordered, 0, () -> {
      List<StoreWrites.Change> changes = new ArrayList<>(ordered.size());
      for (int i = 0; i < ordered.size(); i++) {
        Run run = ordered.get(i);
        Run.Batch batch = new Run.Batch();
        batches[i] = batch;
        run.batch = batch;
        try {
          change.accept(run);
        } finally {
          run.batch = null;
        }
        if (batch.task != null) {
          changes.add(new StoreWrites.Change(run, batch.task, String.join(", ", batch.what)));
        }
      }
      writes.writeAll(changes);
      for (int i = 0; i < ordered.size(); i++) {
        for (State[] stateChange : batches[i].changes) {
          notifyListeners(ordered.get(i).id, stateChange[0], stateChange[1]);
        }
      }
    });
    for (int i = 0; i < ordered.size(); i++) {
      if (batches[i] != null && batches[i].ended != null) {
        ended(ordered.get(i), batches[i].ended, origin);
      }
    }
  }

  /** Runs {@code body} holding the locks of {@code runs} from {@code from} on, in their order. */
  private static void holdingLocks(List<Run> runs, int from, Runnable body) {
    if (from == runs.size()) {
      body.run();
      return;
    }
    synchronized (runs.get(from)) {
      holdingLocks(runs, from + 1, body);
    }
  }

  /** The steps of a start, as {@link BatchedStarts} makes them. */
  private final class BatchSteps implements BatchedStarts.Starter {
    @Override
    public List<Run> initialize(List<Run> runs) {
      return initializeAll(runs);
    }

    @Override
    public void launch(Run run) {
      oneStep(run, EngineCore.this::launch);
    }

    @Override
    public void startEach(List<Run> runs) {
      EngineCore.this.startEach(runs);
    }

    /**
     * Never on this thread when refused: it may be the store's, which a create's insert completed
     * on ({@code EngineCore.launchLater}), and a launch that fails writes SYSTEM_ERROR.
     */
    @Override
    public void launchEach(List<Run> runs) {
      stepEach(runs, EngineCore.this::launch, false);
    }
  }

  private static void applyReport(Run run, Runnable report) {
    try {
      report.run();
    } catch (RuntimeException e) {
      LOG.error("task {}: applying a report of the backend failed", run.id, e);
    }
  }

  private static State resolve(String id, State from, State requested, Origin origin) {
    if (from.isTerminal()) {
      LOG.debug("task {}: ignored {} after it ended {}", id, requested == null ? "a cancel" : requested, from);
      return null;
    }
    switch (origin) {
      case USER:
        if (from == State.QUEUED) {
          return State.CANCELED;
        }
        return from == State.CANCELING ? null : State.CANCELING;
      case RESTART:
      case FAILURE:
        return requested;
      default:
        break;
    }
    if (requested.isTerminal()) {
      if (from == State.CANCELING) {
        return State.CANCELED;
      }
      if (from == State.RUNNING || from == State.PAUSED) {
        return requested;
      }
      if (from == State.INITIALIZING
          && (requested == State.SYSTEM_ERROR || requested == State.PREEMPTED || requested == State.CANCELED)) {
        return requested;
      }
    } else if (requested == State.INITIALIZING && from == State.QUEUED && origin == Origin.ENGINE) {
      return requested;
    } else if (requested == State.RUNNING && from == State.INITIALIZING) {
      return requested;
    } else if (requested == from || from == State.CANCELING) {
      LOG.debug("task {}: ignored {} in state {}", id, requested, from);
      return null;
    }
    LOG.warn("task {}: ignored the report {} in state {}: not a legal TES transition", id, requested, from);
    return null;
  }

  // -----------------------------------------------------------------------------------------------
  // Logs reported by the backend (from Run).

  void executorLog(Run run, int index, Instant start, Instant end, Integer exitCode, String stdout, String stderr) {
    changeLog(run, "an executor log", task -> {
      if (index < 0 || index >= task.executors().size()) {
        LOG.warn("task {}: ignored a log of executor {}: the task has {} executors", run.id, index, task.executors().size());
        return null;
      }
      return log -> {
        List<ExecutorLog> logs = new ArrayList<>(log.logs());
        while (logs.size() <= index) {
          logs.add(EMPTY_EXECUTOR_LOG);
        }
        ExecutorLog was = logs.get(index);
        logs.set(index, end == null
            ? new ExecutorLog(Times.format(start), was.endTime(), was.stdout(), was.stderr(), was.exitCode())
            : new ExecutorLog(start != null ? Times.format(start) : was.startTime(), Times.format(end), stdout, stderr, exitCode));
        return new TaskLog(logs, log.metadata(), log.startTime(), log.endTime(), log.outputs(), log.systemLogs());
      };
    });
  }

  void outputs(Run run, List<OutputFileLog> outputs) {
    changeLog(run, "output file logs", task -> log -> {
      List<OutputFileLog> all = new ArrayList<>(log.outputs());
      all.addAll(outputs);
      return new TaskLog(log.logs(), log.metadata(), log.startTime(), log.endTime(), all, log.systemLogs());
    });
  }

  void systemLog(Run run, String message) {
    changeLog(run, "a system log", task -> log ->
        new TaskLog(log.logs(), log.metadata(), log.startTime(), log.endTime(), log.outputs(), append(log.systemLogs(), message)));
  }

  void metadata(Run run, String key, String value) {
    changeLog(run, "metadata", task -> log -> {
      Map<String, String> metadata = new LinkedHashMap<>(log.metadata());
      metadata.put(key, value);
      return new TaskLog(log.logs(), metadata, log.startTime(), log.endTime(), log.outputs(), log.systemLogs());
    });
  }

  /**
   * Writes the run's backend handle, unless the store has it already (a report applied after the
   * start returned was written with it); in a batch of reports, with the batch's write (from {@link
   * Run#storeHandle}).
   */
  void storeHandle(Run run) {
    synchronized (run) {
      if (!eventsOpen || (Objects.equals(run.storedHandle, run.handle) && !run.unwritten)) {
        return;
      }
      Run.Batch batch = run.batch;
      if (batch != null) {
        if (batch.task == null) {
          batch.task = run.latest();
        }
        batch.what.add("its backend handle");
      } else {
        writes.write(run, run.task, "its backend handle");
      }
    }
  }

  /**
   * Changes the last task log of a task that has not ended; {@code change} may return null to
   * ignore the report.
   */
  private void changeLog(Run run, String what, java.util.function.Function<Task, UnaryOperator<TaskLog>> change) {
    synchronized (run) {
      Task task = run.latest();
      if (!eventsOpen || task.state().isTerminal()) {
        LOG.debug("task {}: ignored {} after it ended {}", run.id, what, task.state());
        return;
      }
      UnaryOperator<TaskLog> operator = change.apply(task);
      if (operator == null) {
        return;
      }
      List<TaskLog> logs = task.logs();
      TaskLog log = operator.apply(logs.isEmpty() ? EMPTY_LOG : logs.get(logs.size() - 1));
      Task changed = with(task, task.state(), replaceLast(logs, log));
      Run.Batch batch = run.batch;
      if (batch != null) {
        batch.task = changed;
        batch.what.add(what);
      } else {
        writes.write(run, changed, what);
      }
    }
  }

  /** {@code logs} with its last element replaced by {@code log} (or {@code [log]} when empty). */
  private static List<TaskLog> replaceLast(List<TaskLog> logs, TaskLog log) {
    if (logs.size() <= 1) {
      return List.of(log);
    }
    List<TaskLog> changed = new ArrayList<>(logs);
    changed.set(changed.size() - 1, log);
    return changed;
  }

  private static List<String> append(List<String> lines, String line) {
    List<String> all = new ArrayList<>(lines.size() + 1);
    all.addAll(lines);
    all.add(line);
    return all;
  }

  /** {@code task} in {@code state} with {@code logs}: one copy of each collection, where toBuilder().build() makes two. */
  private static Task with(Task task, State state, List<TaskLog> logs) {
    return new Task(task.id(), state, task.name(), task.description(), task.inputs(), task.outputs(), task.resources(),
        task.executors(), task.volumes(), task.tags(), logs, task.creationTime());
  }

  private void notifyListeners(String id, State from, State to) {
    for (TaskListener listener : listeners) {
      try {
        listener.stateChanged(id, from, to);
      } catch (VirtualMachineError e) {
        throw e;
      } catch (Throwable e) {
        LOG.warn("the task listener {} threw on task {} ({} -> {}); ignored", listener, id, from, to, e);
      }
    }
  }

  /** The version of tes4j, from the build. */
  private static String version() {
    try (InputStream in = EngineCore.class.getResourceAsStream("engine.properties")) {
      Properties properties = new Properties();
      if (in != null) {
        properties.load(in);
      }
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** The backend's capabilities. */
  public Capabilities capabilities() {
    return capabilities;
  }

  /** The backend's name, for messages. */
  public String backendName() {
    return backendName;
  }

  /** The store, for toString: its own toString shows no password. */
  public TaskStore store() {
    return store;
  }

  /** The tasks not yet ended, for tests and toString. */
  public int unfinishedCount() {
    return active.size();
  }

  /** The admission slots in use: tasks admitted and not ended. Once every task ended, 0. */
  public int admittedCount() {
    return admission.admittedCount();
  }

  /**
   * The tasks whose latest change the store lacks, held in memory until the re-writer (or {@code
   * close}) writes them; those whose createTask failed, to be marked SYSTEM_ERROR, included.
   */
  public int unwrittenCount() {
    return writes.unwrittenCount();
  }

  /** Store inserts and updates that failed, each attempt counted. */
  public long storeFailedCalls() {
    return writes.failedCalls();
  }

  /** Store writes tried again after a failure. */
  public long storeRetries() {
    return writes.retries();
  }

  /** Changes of tasks whose every write attempt failed, so kept in memory to be written later. */
  public long storeKeptInMemory() {
    return writes.keptInMemory();
  }

  /** Tasks whose end (terminal state) could not be written at any attempt: they ended in memory. */
  public long storeEndsKeptInMemory() {
    return writes.endsKeptInMemory();
  }

  /** Tasks written by the re-writer, or by close, after their own writes failed. */
  public long storeRewritten() {
    return writes.rewritten();
  }

  /** New tasks whose every insert attempt failed, so createTask threw. */
  public long storeRefusedInserts() {
    return writes.refusedInserts();
  }
}
