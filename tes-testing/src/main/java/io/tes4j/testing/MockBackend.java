package io.tes4j.testing;

import io.tes4j.api.BackendException;
import io.tes4j.model.Executor;
import io.tes4j.model.Output;
import io.tes4j.model.OutputFileLog;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.spi.Backend;
import io.tes4j.spi.Capabilities;
import io.tes4j.spi.TaskEvents;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A backend for tests, the {@code mock:} scheme: it runs nothing, and reports what a real backend
 * would, on one scheduler thread (never a thread per task).
 *
 * <p>Unscripted, every task goes INITIALIZING → RUNNING (at once) → COMPLETE after the backend's
 * delay (50 ms unless set: {@code mock:?delay=0}), each executor exiting 0, with an output file log
 * per output. Scripts choose another {@link Outcome} per task, by name, tag or any predicate (the
 * first rule that matches wins), or for the next tasks in turn ({@link #enqueue}); an outcome can
 * fail with an exit code, end SYSTEM_ERROR or PREEMPTED, hang until cancelled, refuse the task, and
 * set a delay and the executors' stdout and stderr. The tasks received are recorded for assertions
 * ({@link #received()}, {@link #take(Duration)}), as OkHttp's MockWebServer records requests.
 *
 * <pre>{@code
 * MockBackend mock = MockBackend.builder().delay(Duration.ZERO).build();
 * mock.onName("bad", Outcome.fail(2).withStderr("no such file"))
 *     .onTag("kind", "slow", Outcome.hang());
 * try (TesEngine tes = TesEngine.builder().backend(mock).build()) {
 *   String id = tes.createTask(task);
 *   assertThat(mock.take(Duration.ofSeconds(5)).id()).isEqualTo(id);
 *   assertThat(tes.await(id, Duration.ofSeconds(5)).state()).isEqualTo(State.COMPLETE);
 * }
 * }</pre>
 *
 * <p>Capabilities: cancels running tasks (a cancelled executor exits 143), and resumes its own
 * tasks: a second engine built on the store of the first, with the same {@code MockBackend} (the
 * first engine crashed, never closed) or with the one {@link #reopen()} gives (the first engine was
 * closed, and this backend with it), takes them over. Thread-safe.
 */
public final class MockBackend implements Backend {
  /** The delay of a backend built without one. */
  public static final Duration DEFAULT_DELAY = Duration.ofMillis(50);

  private static final AtomicInteger THREADS = new AtomicInteger();

  /** A rule of the script. */
  private record Rule(Predicate<Task> when, Outcome outcome) {}

  /** One task this backend runs. Guarded by its own monitor. */
  private static final class MockRun {
    final String handle;
    final Task task;
    final Outcome outcome;
    volatile TaskEvents events;
    ScheduledFuture<?> pending;
    boolean begun;
    boolean ended;
    /** Taken over by a {@link #reopen() reopened} backend: its scheduling was lost with the old one. */
    boolean stalled;

    MockRun(String handle, Task task, Outcome outcome, TaskEvents events) {
      this.handle = handle;
      this.task = task;
      this.outcome = outcome;
      this.events = events;
    }
  }

  private final Duration delay;
  private final boolean record;
  private final Capabilities capabilities;
  private final Clock clock;
  private final ScheduledThreadPoolExecutor scheduler;
  private final List<Rule> rules = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<Outcome> enqueued = new ConcurrentLinkedQueue<>();
  private volatile Outcome defaultOutcome = Outcome.complete();
  private final List<Task> received = Collections.synchronizedList(new ArrayList<>());
  private final LinkedBlockingQueue<Task> toTake = new LinkedBlockingQueue<>();
  private final List<String> cancelled = new CopyOnWriteArrayList<>();
  private final Map<String, MockRun> runs = new ConcurrentHashMap<>();
  private final Map<String, String> handleOfTask = new ConcurrentHashMap<>();
  private final AtomicLong handles = new AtomicLong();
  private volatile boolean closed;

  private MockBackend(Builder builder) {
    this.delay = builder.delay;
    this.record = builder.record;
    this.clock = builder.clock;
    this.capabilities = new Capabilities(true, true, Set.of(), builder.backendParameters, List.of());
    this.scheduler =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread thread = new Thread(r, "tes4j-mock-" + THREADS.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    scheduler.setRemoveOnCancelPolicy(true);
  }

  /** A mock backend with the defaults: 50 ms delay, no backend parameters, tasks recorded. */
  public static MockBackend create() {
    return builder().build();
  }

  /** A builder of mock backends. */
  public static Builder builder() {
    return new Builder();
  }

  // -----------------------------------------------------------------------------------------------
  // The script.

  /**
   * Tasks that match {@code when} get {@code outcome}; rules are tried in the order they were added.
   *
   * @param when which tasks
   * @param outcome what happens to them
   * @return this backend
   */
  public MockBackend on(Predicate<Task> when, Outcome outcome) {
    rules.add(new Rule(Objects.requireNonNull(when, "when"), Objects.requireNonNull(outcome, "outcome")));
    return this;
  }

  /**
   * Tasks named {@code name} get {@code outcome}.
   *
   * @param name the task's name
   * @param outcome what happens to them
   * @return this backend
   */
  public MockBackend onName(String name, Outcome outcome) {
    Objects.requireNonNull(name, "name");
    return on(task -> name.equals(task.name()), outcome);
  }

  /**
   * Tasks whose tag {@code key} is {@code value} get {@code outcome}.
   *
   * @param key the tag key
   * @param value the tag value
   * @param outcome what happens to them
   * @return this backend
   */
  public MockBackend onTag(String key, String value, Outcome outcome) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    return on(task -> value.equals(task.tags().get(key)), outcome);
  }

  /**
   * The next tasks that no rule matches get these outcomes, one each, in order.
   *
   * @param outcomes the outcomes
   * @return this backend
   */
  public MockBackend enqueue(Outcome... outcomes) {
    for (Outcome outcome : outcomes) {
      enqueued.add(Objects.requireNonNull(outcome, "outcome"));
    }
    return this;
  }

  /**
   * What happens to tasks that no rule and no enqueued outcome decides (at first: complete).
   *
   * @param outcome the outcome
   * @return this backend
   */
  public MockBackend defaultOutcome(Outcome outcome) {
    this.defaultOutcome = Objects.requireNonNull(outcome, "outcome");
    return this;
  }

  /** Forgets the script and what was recorded; tasks running go on. */
  public void reset() {
    rules.clear();
    enqueued.clear();
    defaultOutcome = Outcome.complete();
    received.clear();
    toTake.clear();
    cancelled.clear();
  }

  private Outcome outcomeOf(Task task) {
    for (Rule rule : rules) {
      if (rule.when().test(task)) {
        return rule.outcome();
      }
    }
    Outcome next = enqueued.poll();
    return next != null ? next : defaultOutcome;
  }

  // -----------------------------------------------------------------------------------------------
  // What was received.

  /** Every task started on this backend, in order (a copy). */
  public List<Task> received() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  /**
   * The oldest task started and not yet taken, waiting for one up to {@code timeout}.
   *
   * @param timeout how long to wait
   * @return the task, as the engine gave it
   * @throws AssertionError when no task came in time, or the thread was interrupted
   */
  public Task take(Duration timeout) {
    try {
      Task task = toTake.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
      if (task == null) {
        throw new AssertionError("no task reached the mock backend within " + timeout);
      }
      return task;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for a task", e);
    }
  }

  /** As {@link #take(Duration)}, waiting up to 10 seconds. */
  public Task take() {
    return take(Duration.ofSeconds(10));
  }

  /** The ids of the tasks the engine asked this backend to cancel, in order. */
  public List<String> cancelled() {
    return List.copyOf(cancelled);
  }

  /** The delay after which an unscripted task ends. */
  public Duration delay() {
    return delay;
  }

  /**
   * Ends a task that is still running here (one that hangs, say) with {@code outcome}, now.
   *
   * @param taskId the task's id
   * @param outcome how it ends; HANG and REFUSE are not endings
   * @throws IllegalStateException when the task is not running on this backend
   */
  public void finish(String taskId, Outcome outcome) {
    if (outcome.kind() == Outcome.Kind.HANG || outcome.kind() == Outcome.Kind.REFUSE) {
      throw new IllegalArgumentException(outcome.kind() + " does not end a task");
    }
    String handle = handleOfTask.get(taskId);
    MockRun run = handle == null ? null : runs.get(handle);
    if (run == null) {
      throw new IllegalStateException("task " + taskId + " is not running on this mock backend");
    }
    scheduler.execute(() -> end(run, outcome));
  }

  // -----------------------------------------------------------------------------------------------
  // Backend.

  @Override
  public Capabilities capabilities() {
    return capabilities;
  }

  @Override
  public String start(Task task, TaskEvents events) {
    if (closed) {
      throw new BackendException("the mock backend is closed");
    }
    if (record) {
      received.add(task);
      toTake.add(task);
    }
    Outcome outcome = outcomeOf(task);
    if (outcome.kind() == Outcome.Kind.REFUSE) {
      throw new BackendException(outcome.message());
    }
    String handle = "mock-" + handles.incrementAndGet();
    MockRun run = new MockRun(handle, task, outcome, events);
    runs.put(handle, run);
    handleOfTask.put(task.id(), handle);
    scheduler.execute(() -> begin(run));
    return handle;
  }

  private void begin(MockRun run) {
    synchronized (run) {
      if (run.ended) {
        return;
      }
      run.begun = true;
      TaskEvents events = run.events;
      events.initializing();
      events.running();
      events.executorStarted(0, clock.instant());
      if (run.outcome.kind() == Outcome.Kind.HANG) {
        return;
      }
      scheduleEnd(run);
    }
  }

  /** Ends {@code run} after its delay; the caller holds its monitor. */
  private void scheduleEnd(MockRun run) {
    Duration wait = run.outcome.ownDelay().orElse(delay);
    if (wait.isZero()) {
      end(run, run.outcome);
    } else {
      run.pending = scheduler.schedule(() -> end(run, run.outcome), wait.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private void end(MockRun run, Outcome outcome) {
    synchronized (run) {
      if (run.ended) {
        return;
      }
      run.ended = true;
      forget(run);
      TaskEvents events = run.events;
      List<Executor> executors = run.task.executors();
      switch (outcome.kind()) {
        case COMPLETE:
        case EXECUTOR_ERROR:
          boolean failed = false;
          for (int i = 0; i < executors.size(); i++) {
            if (i > 0) {
              events.executorStarted(i, clock.instant());
            }
            int exit = i == 0 && outcome.kind() == Outcome.Kind.EXECUTOR_ERROR ? outcome.exitCode() : 0;
            events.executorFinished(i, clock.instant(), exit, outcome.stdout(), outcome.stderr());
            if (exit != 0 && !Boolean.TRUE.equals(executors.get(i).ignoreError())) {
              failed = true;
              break;
            }
          }
          if (failed) {
            events.finished(State.EXECUTOR_ERROR);
          } else {
            List<OutputFileLog> outputs = new ArrayList<>();
            for (Output output : run.task.outputs()) {
              String content = outcome.files().get(output.path());
              if (content == null) {
                outputs.add(OutputFileLog.of(output.url(), output.path(), 0));
                continue;
              }
              byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
              try {
                write(output.url(), bytes);
              } catch (IOException | RuntimeException e) {
                events.failed("the mock backend could not write the output " + output.path() + " to " + output.url()
                    + ": " + e);
                return;
              }
              outputs.add(OutputFileLog.of(output.url(), output.path(), bytes.length));
            }
            if (!outputs.isEmpty()) {
              events.outputs(outputs);
            }
            events.finished(State.COMPLETE);
          }
          break;
        case SYSTEM_ERROR:
          events.failed(outcome.message());
          break;
        case PREEMPTED:
          events.finished(State.PREEMPTED);
          break;
        default:
          throw new IllegalStateException(outcome.kind() + " does not end a task");
      }
    }
  }

  /** Writes a file of an {@link Outcome#withFile} to a {@code file:} URL; other URLs are not written. */
  private static void write(String url, byte[] bytes) throws IOException {
    if (url == null || !url.regionMatches(true, 0, "file:", 0, 5)) {
      return;
    }
    Path file = Path.of(URI.create(url));
    Path parent = file.getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.write(file, bytes);
  }

  private void forget(MockRun run) {
    if (run.pending != null) {
      run.pending.cancel(false);
    }
    runs.remove(run.handle, run);
    handleOfTask.remove(run.task.id(), run.handle);
  }

  /** Stops the task: its first executor exits 143 (SIGTERM) and it ends CANCELED. */
  @Override
  public void cancel(String handle) {
    MockRun run = runs.get(handle);
    if (run == null) {
      return;
    }
    cancelled.add(run.task.id());
    scheduler.execute(() -> {
      synchronized (run) {
        if (run.ended) {
          return;
        }
        run.ended = true;
        forget(run);
        run.events.executorFinished(0, clock.instant(), 143, run.outcome.stdout(), run.outcome.stderr());
        run.events.finished(State.CANCELED);
      }
    });
  }

  /**
   * Re-attaches a task this backend still runs: it reports to {@code events} from now on. A task
   * taken over by a {@link #reopen() reopened} backend goes on where it was: one that had not begun
   * begins, one that hangs hangs on, and the others end their delay after the resume.
   */
  @Override
  public boolean resume(String handle, Task task, TaskEvents events) {
    MockRun run = runs.get(handle);
    if (run == null || closed) {
      return false;
    }
    synchronized (run) {
      if (run.ended) {
        return false;
      }
      run.events = events;
      if (run.stalled) {
        run.stalled = false;
        if (!run.begun) {
          scheduler.execute(() -> begin(run));
        } else if (run.outcome.kind() != Outcome.Kind.HANG) {
          scheduleEnd(run);
        }
      }
      return true;
    }
  }

  /**
   * Plays a restart of the backend's process: a new mock backend with this one's settings and
   * script (rules, enqueued and default outcomes) that knows the tasks this one was running when it
   * was closed, as a real backend finds its jobs again after a restart. An engine built with it on
   * the first engine's store resumes those tasks ({@link #resume}); new tasks run on it as usual.
   * What was recorded ({@link #received()}, {@link #cancelled()}) starts empty.
   *
   * <pre>{@code
   * MemoryTaskStore store = new MemoryTaskStore();
   * MockBackend mock = MockBackend.builder().build().defaultOutcome(Outcome.hang());
   * TesEngine first = TesEngine.builder().backend(mock).store(store).build();
   * String id = first.createTask(task);
   * first.close();                                          // closes the mock too
   * try (TesEngine second = TesEngine.builder().backend(mock.reopen()).store(store).build()) {
   *   second.getTask(id, View.MINIMAL).state();             // RUNNING: resumed
   * }
   * }</pre>
   *
   * @return the new backend
   * @throws IllegalStateException when this backend is not closed (two live backends would both
   *     run the same tasks)
   */
  public MockBackend reopen() {
    if (!closed) {
      throw new IllegalStateException("reopen() plays a restart: close this mock backend (or the engine over it) first");
    }
    try {
      // Lets a begin or an end already running on the old scheduler thread finish first.
      scheduler.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Builder builder = new Builder().delay(delay).record(record).clock(clock);
    builder.backendParameters = capabilities.backendParameters();
    MockBackend reopened = builder.build();
    reopened.rules.addAll(rules);
    reopened.enqueued.addAll(enqueued);
    reopened.defaultOutcome = defaultOutcome;
    reopened.handles.set(handles.get());
    for (MockRun run : runs.values()) {
      synchronized (run) {
        if (run.ended) {
          continue;
        }
        if (run.pending != null) {
          run.pending.cancel(false);
          run.pending = null;
        }
        run.stalled = true;
        reopened.runs.put(run.handle, run);
        reopened.handleOfTask.put(run.task.id(), run.handle);
      }
    }
    return reopened;
  }

  /** Stops the scheduler; the tasks still running here never end. Idempotent. */
  @Override
  public void close() {
    closed = true;
    scheduler.shutdownNow();
  }

  @Override
  public String toString() {
    return "MockBackend[delay=" + delay + ", running=" + runs.size() + (closed ? ", closed" : "") + "]";
  }

  /** Builds {@link MockBackend}s. Not thread-safe. */
  public static final class Builder {
    private Duration delay = DEFAULT_DELAY;
    private boolean record = true;
    private Set<String> backendParameters = Set.of();
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * After how long an unscripted task ends (default 50 ms); zero ends it at once.
     *
     * @param delay zero or more
     * @return this builder
     */
    public Builder delay(Duration delay) {
      if (Objects.requireNonNull(delay, "delay").isNegative()) {
        throw new IllegalArgumentException("delay must not be negative, was " + delay);
      }
      this.delay = delay;
      return this;
    }

    /**
     * The {@code backend_parameters} keys the backend says it supports (default: none).
     *
     * @param keys the keys
     * @return this builder
     */
    public Builder backendParameters(String... keys) {
      this.backendParameters = new LinkedHashSet<>(List.of(keys));
      return this;
    }

    /**
     * Whether to record the tasks received (default true); benchmarks turn it off to keep no
     * reference to millions of tasks.
     *
     * @param record whether to record
     * @return this builder
     */
    public Builder record(boolean record) {
      this.record = record;
      return this;
    }

    /**
     * The clock of the executor logs' times (default: the system clock).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The backend; it starts its scheduler thread on the first task. */
    public MockBackend build() {
      return new MockBackend(this);
    }
  }
}
