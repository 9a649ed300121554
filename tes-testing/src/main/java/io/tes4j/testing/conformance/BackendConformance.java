package io.tes4j.testing.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tes4j.api.TesClient;
import io.tes4j.api.TesTimeoutException;
import io.tes4j.engine.TesEngine;
import io.tes4j.model.Executor;
import io.tes4j.model.ExecutorLog;
import io.tes4j.model.Input;
import io.tes4j.model.Output;
import io.tes4j.model.OutputFileLog;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.TaskLog;
import io.tes4j.model.View;
import io.tes4j.spi.Backend;
import io.tes4j.spi.Capabilities;
import io.tes4j.store.MemoryTaskStore;
import io.tes4j.store.TaskStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance kit for backends: what a user of {@link io.tes4j.api.TesClient} relies on, checked
 * on a {@link TesEngine} over your {@link Backend}. Extend it in a test, say how to make your
 * backend, and run it with the rest of your tests:
 *
 * <pre>{@code
 * class MyBackendConformanceTest extends BackendConformance {
 *   @Override
 *   protected Backend newBackend() {
 *     return new MyBackendProvider().open(BackendConfig.of(URI.create("my:?region=test"), Map.of()));
 *   }
 *
 *   @Override
 *   protected Executor executor(String shellScript) {      // only if your images differ
 *     return Executor.of("busybox:1.36", "sh", "-c", shellScript);
 *   }
 * }
 * }</pre>
 *
 * <p>Each test gets a new backend from {@link #newBackend()} and a new engine over it (closed
 * after the test), and drives it through the {@code TesClient} API only, as a user would: through
 * the engine itself, or through the client {@link #client(TesEngine)} gives (e.g. an HTTP client of a
 * TES server over the engine, to check the wire path). The
 * checks are grouped in {@link Nested} classes; each is a rule named {@code required_NN_...} (every
 * backend must pass it) or {@code optional_NN_...} (it needs a capability the backend may lack, and
 * is skipped, with the reason, through {@link Assumptions#abort(String)} when {@link
 * Backend#capabilities()} says it lacks it). Each rule's javadoc says what it checks and where to
 * look when it fails.
 *
 * <p><b>Tasks.</b> Executors are POSIX shell scripts, run by {@link #executor(String)} (by default
 * {@code sh -c} in {@code alpine:3.20}). Every task is named {@code conformance-SCENARIO} and tagged
 * {@value #SCENARIO_TAG}{@code =SCENARIO}, so that a backend that runs nothing (a mock) can script
 * the outcome each scenario expects; the scenarios and their expected outcomes are listed with the
 * rules. Inputs come from {@link #inputUrl} and outputs go to {@link #outputUrl} ({@code file:}
 * URLs in a temporary directory unless overridden), and are read back with {@link #readOutput}.
 *
 * <p><b>Time.</b> A task that should end is waited for up to {@link #timeout()}: the system property
 * or environment variable {@value #TIMEOUT_VARIABLE} in milliseconds, 60 s if unset. Nothing is
 * timed: a slow backend only needs a larger timeout. Tasks that should run until cancelled sleep
 * twice the timeout. Waits are woken by the engine's {@link io.tes4j.engine.TaskListener}, never by
 * polling.
 */
public abstract class BackendConformance {

  /** The tag every task of the kit carries, whose value is the task's scenario, e.g. {@code complete}. */
  public static final String SCENARIO_TAG = "tes4j.conformance";

  /** The system property, or else environment variable, that sets {@link #timeout()} in milliseconds. */
  public static final String TIMEOUT_VARIABLE = "TES_TCK_TIMEOUT_MS";

  /** The timeout when {@value #TIMEOUT_VARIABLE} is not set. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  private static final String STDOUT_MARK = "conformance-stdout";
  private static final String STDERR_MARK = "conformance-stderr";

  private final Transitions transitions = new Transitions();
  private final List<TesEngine> engines = new ArrayList<>();
  private final Map<TesEngine, TesClient> clients = new IdentityHashMap<>();
  private TesEngine engine;
  private Capabilities capabilities;

  @TempDir
  Path conformanceFiles;

  /** For subclasses. */
  protected BackendConformance() {}

  // -----------------------------------------------------------------------------------------------
  // What a backend's test supplies.

  /**
   * A new backend, open and ready; called once per test (twice for the restart rule, through
   * {@link #restartedBackend}). The kit's engine closes it.
   *
   * @return the backend under test
   */
  protected abstract Backend newBackend();

  /**
   * The backend that a restarted process would open, once the first engine and its backend (both
   * given) were closed; the kit builds a second engine with it on the first engine's store. Only
   * used when {@link Capabilities#resume()} is true. Default: {@link #newBackend()}, as a new
   * process opens it.
   *
   * @param closed the backend of the first engine, already closed
   * @return the backend of the second engine
   */
  protected Backend restartedBackend(Backend closed) {
    return newBackend();
  }

  /**
   * An executor that runs {@code shellScript} with a POSIX shell; override it when your backend
   * needs another image or another way to run a script. The kit may add {@code env}, {@code workdir}
   * and {@code ignore_error} to it.
   *
   * @param shellScript a POSIX shell script, e.g. {@code echo hello; exit 3}
   * @return by default {@code Executor.of("alpine:3.20", "sh", "-c", shellScript)}
   */
  protected Executor executor(String shellScript) {
    return Executor.of("alpine:3.20", "sh", "-c", shellScript);
  }

  /**
   * Stores {@code content} where the backend's tasks can read it and returns its URL, for a {@code
   * FILE} input. Default: a file in a temporary directory, as a {@code file:} URL.
   *
   * @param name a file name, unique within a test
   * @param content what the file holds, in UTF-8
   * @return the URL an input can name
   */
  protected String inputUrl(String name, String content) {
    try {
      Path file = Files.createDirectories(conformanceFiles.resolve("inputs")).resolve(name);
      Files.writeString(file, content, StandardCharsets.UTF_8);
      return file.toUri().toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Where an output of a task may be uploaded. Default: a file (not yet there) in a temporary
   * directory, as a {@code file:} URL.
   *
   * @param name a file name, unique within a test
   * @return the URL an output can name
   */
  protected String outputUrl(String name) {
    return conformanceFiles.resolve("outputs").resolve(name).toUri().toString();
  }

  /**
   * What was uploaded at {@code url}, one of {@link #outputUrl}'s. Default: reads {@code file:}
   * URLs; override it with {@link #outputUrl} for other storage.
   *
   * @param url the URL of an output
   * @return its content, in UTF-8
   * @throws IOException when it cannot be read (e.g. nothing is there)
   */
  protected String readOutput(String url) throws IOException {
    if (!url.regionMatches(true, 0, "file:", 0, 5)) {
      throw new UnsupportedOperationException(
          "readOutput reads file: URLs; override it (with outputUrl) to read " + url);
    }
    return Files.readString(Path.of(URI.create(url)), StandardCharsets.UTF_8);
  }

  /**
   * How long to wait for a task to reach a state or to end: {@value #TIMEOUT_VARIABLE} (a system
   * property, else an environment variable) in milliseconds, else {@link #DEFAULT_TIMEOUT}.
   *
   * @return the timeout per task
   * @throws IllegalArgumentException when {@value #TIMEOUT_VARIABLE} is not a positive number
   */
  protected Duration timeout() {
    String text = System.getProperty(TIMEOUT_VARIABLE);
    if (text == null) {
      text = System.getenv(TIMEOUT_VARIABLE);
    }
    if (text == null || text.isBlank()) {
      return DEFAULT_TIMEOUT;
    }
    try {
      long millis = Long.parseLong(text.trim());
      if (millis > 0) {
        return Duration.ofMillis(millis);
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw new IllegalArgumentException(
        TIMEOUT_VARIABLE + " must be a positive number of milliseconds, was '" + text + "'");
  }

  /**
   * The client through which the rules drive the tasks of {@code engine}: create, get, list and
   * cancel. Default: the engine itself. Override it to run every rule through another path to the
   * same engine, such as {@code TesHttpClient} → a TES server → the engine, so that the path behaves
   * exactly as the engine does in-process. Waits still use the engine's listener, and every task a
   * rule waits for is compared, in the FULL view, between the client and the engine.
   *
   * <p>Called once per engine (twice for the restart rule); the kit closes the client after the
   * test, before the engine, unless it is the engine itself. Resources the override starts (a
   * server) are the subclass's to stop, e.g. in its own {@code @AfterEach}.
   *
   * @param engine the engine under test, over {@link #newBackend()}
   * @return the client the rules use
   */
  protected TesClient client(TesEngine engine) {
    return engine;
  }

  /** The client of {@code on}, made once by {@link #client(TesEngine)}. */
  private TesClient clientOf(TesEngine on) {
    TesClient client = clients.get(on);
    if (client == null) {
      client = client(on);
      if (client == null) {
        throw new IllegalStateException("client(engine) returned null");
      }
      clients.put(on, client);
    }
    return client;
  }

  // -----------------------------------------------------------------------------------------------
  // The engines.

  @AfterEach
  void closeConformanceEngines() {
    RuntimeException failure = null;
    List<TesClient> toClose = new ArrayList<>();
    for (TesEngine each : engines) {
      toClose.add(each);
      TesClient client = clients.get(each);
      if (client != null && client != each) {
        toClose.add(client); // closed before its engine, since the list is closed in reverse
      }
    }
    Collections.reverse(toClose);
    for (TesClient each : toClose) {
      try {
        each.close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    engines.clear();
    clients.clear();
    if (failure != null) {
      throw failure;
    }
  }

  /** The test's engine over a new backend, with no limits; built on first use. */
  private TesEngine engine() {
    if (engine == null) {
      engine = newEngine(newBackend(), new MemoryTaskStore(), UnaryOperator.identity());
    }
    return engine;
  }

  /** A new engine over {@code backend} and {@code store}, closed after the test. */
  private TesEngine newEngine(Backend backend, TaskStore store, UnaryOperator<TesEngine.Builder> settings) {
    if (backend == null) {
      throw new IllegalStateException("newBackend() returned null");
    }
    if (capabilities == null) {
      capabilities = backend.capabilities();
    }
    TesEngine built;
    try {
      built = settings.apply(TesEngine.builder().backend(backend).store(store).listener(transitions)).build();
    } catch (RuntimeException e) {
      backend.close();
      throw e;
    }
    engines.add(built);
    return built;
  }

  /** The capabilities of the backend under test, asked of a new backend when no engine was built yet. */
  private Capabilities capabilities() {
    if (capabilities == null) {
      engine();
    }
    return capabilities;
  }

  // -----------------------------------------------------------------------------------------------
  // Tasks and checks.

  private static Task.Builder task(String scenario) {
    return Task.builder().name("conformance-" + scenario).tag(SCENARIO_TAG, scenario);
  }

  /** A script that runs until it is cancelled: it sleeps twice the timeout. */
  private String hangScript() {
    long seconds = Math.max(2, timeout().multipliedBy(2).toSeconds());
    return "echo conformance-hang; sleep " + seconds;
  }

  private String create(TesEngine on, Task task) {
    String id = clientOf(on).createTask(task);
    assertNotNull(id, "createTask returned no id");
    return id;
  }

  /** Waits for the task's end and returns it in the FULL view. */
  private Task finish(TesEngine on, String id, String hint) {
    TesClient client = clientOf(on);
    Task ended;
    try {
      ended = on.await(id, timeout());
    } catch (TesTimeoutException e) {
      Task now = client.getTask(id, View.FULL);
      throw new AssertionError("the task " + id + " (" + now.name() + ") did not end within " + timeout()
          + " (set " + TIMEOUT_VARIABLE + " for a slow backend); " + describe(now) + "; if this fails, check " + hint, e);
    }
    if (client == on) {
      return ended;
    }
    Task seen = client.getTask(id, View.FULL);
    assertEquals(ended, seen, "the task " + id + " as client(engine) returns it, in the FULL view, must equal the"
        + " engine's; if this fails, check the path from the client to the engine (it lost or changed a field)");
    return seen;
  }

  /** Waits until the task is in {@code state} (or has been). */
  private void awaitState(TesEngine on, String id, State state, String hint) {
    TesClient client = clientOf(on);
    boolean reached;
    try {
      reached = transitions.await(id, state, timeout());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for " + state, e);
    }
    if (!reached) {
      Task now = client.getTask(id, View.FULL);
      fail("the task " + id + " (" + now.name() + ") did not reach " + state + " within " + timeout() + "; "
          + describe(now) + "; if this fails, check " + hint);
    }
  }

  private static void assertState(State expected, Task task, String hint) {
    if (task.state() != expected) {
      fail("expected the task " + task.id() + " (" + task.name() + ") to end " + expected + "; " + describe(task)
          + "; if this fails, check " + hint);
    }
  }

  private void assertPath(String id, List<State> expected, String hint) {
    List<Transitions.Change> changes = transitions.of(id);
    State previous = State.UNKNOWN;
    for (Transitions.Change change : changes) {
      assertEquals(previous, change.from(),
          "the listener saw " + changes + ": each change must leave the state the previous one entered");
      previous = change.to();
    }
    assertEquals(expected, transitions.statesOf(id),
        "the states the task " + id + " entered, in order (all changes: " + changes + "); if this fails, check " + hint);
  }

  private static TaskLog lastLog(Task task) {
    return task.lastLog().orElseThrow(() -> new AssertionError(
        "the task " + task.id() + " has no task log; " + describe(task)));
  }

  private static String stdoutOf(Task task, int executor) {
    List<ExecutorLog> logs = lastLog(task).logs();
    assertTrue(logs.size() > executor, "the task has no log of executor " + executor + "; " + describe(task));
    return logs.get(executor).stdout();
  }

  private static void assertStdoutContains(Task task, String expected, String hint) {
    String stdout = stdoutOf(task, 0);
    if (stdout == null || !stdout.contains(expected)) {
      fail("expected the executor's stdout to contain '" + expected + "', was "
          + (stdout == null ? "null" : "'" + stdout + "'") + "; " + describe(task) + "; if this fails, check " + hint);
    }
  }

  /** State, system logs and executor exit codes, for messages. */
  static String describe(Task task) {
    StringBuilder text = new StringBuilder("state ").append(task.state());
    task.lastLog().ifPresent(log -> {
      text.append(", exit codes ");
      List<Integer> codes = new ArrayList<>();
      for (ExecutorLog executorLog : log.logs()) {
        codes.add(executorLog.exitCode());
      }
      text.append(codes);
      if (!log.systemLogs().isEmpty()) {
        text.append(", system logs ").append(log.systemLogs());
      }
      if (!log.logs().isEmpty() && log.logs().get(0).stderr() != null && !log.logs().get(0).stderr().isBlank()) {
        String stderr = log.logs().get(0).stderr().strip();
        text.append(", stderr of executor 0: '")
            .append(stderr.length() > 500 ? "..." + stderr.substring(stderr.length() - 500) : stderr)
            .append('\'');
      }
    });
    return text.toString();
  }

  private static OffsetDateTime time(String what, String text) {
    assertNotNull(text, what + " is not set");
    try {
      return OffsetDateTime.parse(text);
    } catch (DateTimeParseException e) {
      throw new AssertionError(what + " is not RFC 3339: '" + text + "'", e);
    }
  }

  private void requireCapability(boolean has, String capability, String why) {
    if (!has) {
      Assumptions.abort("backend lacks " + capability + ": " + why);
    }
  }

  // -----------------------------------------------------------------------------------------------
  // The rules.

  /**
   * A task whose executors succeed: it completes, through every state, with its logs filled in.
   * Scenarios: {@code complete} (two executors, both exit 0), {@code tails} (one executor that
   * writes {@code conformance-stdout} to stdout and {@code conformance-stderr} to stderr, and exits 0).
   */
  @Nested
  public class Lifecycle {
    /** For JUnit. */
    public Lifecycle() {}

    private Task completed() {
      String id = create(engine(), task("complete")
          .addExecutor(executor("echo conformance-1"))
          .addExecutor(executor("echo conformance-2"))
          .build());
      return finish(engine(), id, "that the backend reports running() and then finished(COMPLETE) once the executors"
          + " exited 0, and that executor(String) gives an image and a shell the backend can run");
    }

    /**
     * Two executors that exit 0: the task ends COMPLETE, with one executor log per executor, each
     * with exit code 0. If this fails, check that the backend runs every executor in order and
     * reports {@code executorFinished} for each and then {@code finished(COMPLETE)}.
     */
    @Test
    public void required_01_completesWhenEveryExecutorExitsZero() {
      Task done = completed();
      assertState(State.COMPLETE, done, "that every executor ran and exited 0 (their stderr above)");
      List<ExecutorLog> logs = lastLog(done).logs();
      assertEquals(2, logs.size(), "one executor log per executor; " + describe(done)
          + "; if this fails, check that executorStarted/executorFinished are reported with each executor's index");
      for (int i = 0; i < logs.size(); i++) {
        assertEquals(Integer.valueOf(0), logs.get(i).exitCode(), "the exit code of executor " + i);
      }
      assertEquals(1, done.logs().size(), "one task log for one attempt");
    }

    /**
     * A listener sees QUEUED → INITIALIZING → RUNNING → COMPLETE, each change leaving the state
     * the previous one entered. If this fails, check that the backend calls {@code running()} before
     * the first executor starts (the engine ignores a terminal report from INITIALIZING other than
     * SYSTEM_ERROR, PREEMPTED or CANCELED) and reports exactly one terminal state.
     */
    @Test
    public void required_02_statesComeInTheLegalOrder() {
      Task done = completed();
      assertPath(done.id(), List.of(State.QUEUED, State.INITIALIZING, State.RUNNING, State.COMPLETE),
          "that running() is reported before the first executor and finished(COMPLETE) once at the end");
    }

    /**
     * A finished task has an RFC 3339 {@code creation_time}; its task log a {@code start_time} and
     * an {@code end_time} not before it; each executor log a {@code start_time}, an {@code end_time}
     * not before it, and an exit code. If this fails, check that the backend reports {@code
     * executorStarted} and {@code executorFinished} with real instants for each executor.
     */
    @Test
    public void required_03_logsCarryTimesAndExitCodes() {
      Task done = completed();
      assertState(State.COMPLETE, done, "rule 01 first");
      OffsetDateTime created = time("creation_time", done.creationTime());
      TaskLog log = lastLog(done);
      OffsetDateTime started = time("the task log's start_time", log.startTime());
      OffsetDateTime ended = time("the task log's end_time", log.endTime());
      assertTrue(!started.isBefore(created), "start_time " + started + " is before creation_time " + created);
      assertTrue(!ended.isBefore(started), "end_time " + ended + " is before start_time " + started);
      for (int i = 0; i < log.logs().size(); i++) {
        ExecutorLog executorLog = log.logs().get(i);
        String hint = " of executor " + i + "; if this fails, check that executorStarted(" + i
            + ", instant) and executorFinished(" + i + ", instant, ...) are both reported";
        OffsetDateTime executorStart = time("the start_time" + hint, executorLog.startTime());
        OffsetDateTime executorEnd = time("the end_time" + hint, executorLog.endTime());
        assertTrue(!executorEnd.isBefore(executorStart), "the end_time is before the start_time" + hint);
        assertNotNull(executorLog.exitCode(), "the exit code" + hint);
      }
    }

    /**
     * An executor that writes to stdout and stderr: the FULL view's executor log holds the end of
     * each ({@code conformance-stdout}, {@code conformance-stderr}). If this fails, check that the
     * backend captures both streams of each executor and passes their tails to {@code
     * executorFinished}.
     */
    @Test
    public void required_04_executorLogsCarryOutputTails() {
      String id = create(engine(), task("tails")
          .addExecutor(executor("echo " + STDOUT_MARK + "; echo " + STDERR_MARK + " >&2"))
          .build());
      Task done = finish(engine(), id, "rule 01 first");
      assertState(State.COMPLETE, done, "rule 01 first");
      ExecutorLog log = lastLog(done).logs().get(0);
      String hint = "; if this fails, check that executorFinished is given the tails of the executor's streams";
      assertTrue(log.stdout() != null && log.stdout().contains(STDOUT_MARK),
          "stdout should hold '" + STDOUT_MARK + "', was " + log.stdout() + hint);
      assertTrue(log.stderr() != null && log.stderr().contains(STDERR_MARK),
          "stderr should hold '" + STDERR_MARK + "', was " + log.stderr() + hint);
    }
  }

  /**
   * Tasks that fail: an executor's exit code, and what the system could not do. Scenarios: {@code
   * executor-error} (the first of two executors exits 3), {@code ignore-error} (the first of two
   * executors, with {@code ignore_error}, exits 5; the second exits 0), {@code missing-output} (the
   * executor exits 0 without writing the output {@code /outputs/never-written.txt}).
   */
  @Nested
  public class Failures {
    /** For JUnit. */
    public Failures() {}

    /**
     * The first of two executors exits 3: the task ends EXECUTOR_ERROR, its executor log has exit
     * code 3, and the second executor never ran (there is no log of it). If this fails, check that
     * the backend stops at the first executor that exits non-zero without {@code ignore_error} and
     * reports {@code finished(EXECUTOR_ERROR)}.
     */
    @Test
    public void required_05_nonZeroExitIsAnExecutorErrorThatSkipsTheRest() {
      String id = create(engine(), task("executor-error")
          .addExecutor(executor("echo conformance-before; exit 3"))
          .addExecutor(executor("echo conformance-never"))
          .build());
      String hint = "that a non-zero exit ends the task EXECUTOR_ERROR and the later executors do not run";
      Task done = finish(engine(), id, hint);
      assertState(State.EXECUTOR_ERROR, done, hint);
      List<ExecutorLog> logs = lastLog(done).logs();
      assertEquals(1, logs.size(), "only the failed executor has a log (the second must not run); " + describe(done));
      assertEquals(Integer.valueOf(3), logs.get(0).exitCode(), "the failed executor's exit code");
      assertPath(id, List.of(State.QUEUED, State.INITIALIZING, State.RUNNING, State.EXECUTOR_ERROR), hint);
    }

    /**
     * The first of two executors has {@code ignore_error} and exits 5: the second still runs and the
     * task ends COMPLETE, with exit codes 5 and 0. If this fails, check that the backend reads
     * {@code ignore_error} (a {@code Boolean}, true only when set) and goes on.
     */
    @Test
    public void required_06_ignoreErrorLetsTheTaskGoOn() {
      String id = create(engine(), task("ignore-error")
          .addExecutor(executor("exit 5").toBuilder().ignoreError(true).build())
          .addExecutor(executor("echo conformance-after"))
          .build());
      String hint = "that an executor with ignore_error that exits non-zero lets the next one run";
      Task done = finish(engine(), id, hint);
      assertState(State.COMPLETE, done, hint);
      List<Integer> codes = new ArrayList<>();
      for (ExecutorLog log : lastLog(done).logs()) {
        codes.add(log.exitCode());
      }
      assertEquals(List.of(5, 0), codes, "the exit codes of the two executors; if this fails, check " + hint);
    }

    /**
     * An output the executor never wrote: the task ends SYSTEM_ERROR, and a line of its FULL
     * view's {@code system_logs} names the output's path. If this fails, check that the backend's
     * output stage fails the task ({@code events.failed(...)}) with a message naming the path
     * instead of completing it.
     */
    @Test
    public void required_07_missingOutputIsASystemErrorThatNamesIt() {
      String path = "/outputs/never-written.txt";
      String id = create(engine(), task("missing-output")
          .addExecutor(executor("echo conformance-nothing-written"))
          .addOutput(Output.of(path, outputUrl("never-written.txt")))
          .build());
      String hint = "that an output that is not there fails the output stage with SYSTEM_ERROR";
      Task done = finish(engine(), id, hint);
      assertState(State.SYSTEM_ERROR, done, hint);
      List<String> systemLogs = lastLog(done).systemLogs();
      assertTrue(systemLogs.stream().anyMatch(line -> line.contains(path)),
          "a system log line should name " + path + ", the system logs are " + systemLogs
              + "; if this fails, check that the message given to events.failed(...) names the output's path");
    }
  }

  /**
   * Cancelling: a running task (the backend must be able to stop it) and a queued one (the engine
   * ends it before it reaches the backend). Scenarios: {@code hang}, {@code blocker} (executors that
   * run until cancelled: they sleep twice the timeout), {@code queued} (never started).
   */
  @Nested
  public class Cancel {
    /** For JUnit. */
    public Cancel() {}

    /**
     * Needs {@link Capabilities#cancelRunning()}. A RUNNING task is cancelled: it goes CANCELING and
     * ends CANCELED within the timeout, with an {@code end_time}. If this fails, check that {@code
     * cancel(handle)} with the handle {@code start} returned stops the executor and reports {@code
     * finished(...)} (any terminal state: the engine makes it CANCELED).
     */
    @Test
    public void optional_08_cancelStopsARunningTask() {
      requireCapability(capabilities().cancelRunning(), "cancelRunning",
          "capabilities().cancelRunning() is false, so a RUNNING task cannot be stopped");
      String id = create(engine(), task("hang").addExecutor(executor(hangScript())).build());
      awaitState(engine(), id, State.RUNNING, "that the backend reports running() when the first executor starts");
      clientOf(engine()).cancelTask(id);
      String hint = "that cancel(handle) stops the executor and reports finished(...) afterwards";
      Task done = finish(engine(), id, hint);
      assertState(State.CANCELED, done, hint);
      assertNotNull(lastLog(done).endTime(), "the task log's end_time");
      assertPath(id, List.of(State.QUEUED, State.INITIALIZING, State.RUNNING, State.CANCELING, State.CANCELED), hint);
    }

    /**
     * With {@code maxRunning(1)} and one task RUNNING, a second task waits QUEUED; cancelling it ends
     * it CANCELED at once (QUEUED → CANCELED, no task log: it never started). The running one is
     * then cancelled too where the backend can. If this fails, check that the first task reaches
     * RUNNING (see rule 02) and that the backend does not report states for a task it was never given.
     */
    @Test
    public void required_09_cancelEndsAQueuedTaskAtOnce() {
      TesEngine limited = newEngine(newBackend(), new MemoryTaskStore(), builder -> builder.maxRunning(1));
      String blocker = create(limited, task("blocker").addExecutor(executor(hangScript())).build());
      awaitState(limited, blocker, State.RUNNING, "that the backend reports running() when the first executor starts");
      String queued = create(limited, task("queued").addExecutor(executor("echo conformance-never")).build());
      assertEquals(State.QUEUED, clientOf(limited).getTask(queued, View.MINIMAL).state(),
          "a second task waits while maxRunning(1) is taken by a running one");

      clientOf(limited).cancelTask(queued);

      Task cancelled = clientOf(limited).getTask(queued, View.FULL);
      assertState(State.CANCELED, cancelled, "that cancelling a QUEUED task ends it at once");
      assertTrue(cancelled.logs().isEmpty(), "a task cancelled before it started has no task log: " + cancelled.logs());
      assertPath(queued, List.of(State.QUEUED, State.CANCELED), "that the backend reports nothing for a task it never started");
      if (capabilities().cancelRunning()) {
        clientOf(limited).cancelTask(blocker);
        assertState(State.CANCELED, finish(limited, blocker, "rule 08"), "rule 08");
      }
    }
  }

  /**
   * The spec's views of a finished task. Scenario {@code views}: a content input {@code
   * /inputs/views.txt} holding {@code conformance-views}, and one executor that prints it to stdout,
   * writes {@code conformance-stderr} to stderr and exits 0.
   */
  @Nested
  public class Views {
    private static final String CONTENT = "conformance-views\n";

    /** For JUnit. */
    public Views() {}

    private Task finished() {
      String id = create(engine(), task("views")
          .addInput(Input.ofContent(CONTENT, "/inputs/views.txt"))
          .addExecutor(executor("cat /inputs/views.txt; echo " + STDERR_MARK + " >&2"))
          .build());
      Task done = finish(engine(), id, "rules 01 and 13 first");
      assertState(State.COMPLETE, done, "rules 01 and 13 first");
      return done;
    }

    /**
     * MINIMAL, and a {@code null} view (the spec's default), hold the id and the state, nothing else.
     * If this fails, check the engine's views: the backend has no say in them.
     */
    @Test
    public void required_10_minimalViewHoldsIdAndStateOnly() {
      Task done = finished();
      Task expected = Task.builder().id(done.id()).state(State.COMPLETE).build();
      assertEquals(expected, clientOf(engine()).getTask(done.id(), View.MINIMAL), "the MINIMAL view");
      assertEquals(expected, clientOf(engine()).getTask(done.id(), null), "the default (null) view, MINIMAL");
    }

    /**
     * BASIC is the FULL task without the executor logs' {@code stdout} and {@code stderr}, the
     * inputs' {@code content} and the task logs' {@code system_logs}; everything else, exit codes
     * included, is there. If this fails, check the engine's views, or that the backend reported the
     * executor logs (rule 03).
     */
    @Test
    public void required_11_basicViewLeavesOutOutputContentAndSystemLogs() {
      Task done = finished();
      Task full = clientOf(engine()).getTask(done.id(), View.FULL);
      List<Input> inputs = new ArrayList<>();
      for (Input input : full.inputs()) {
        inputs.add(input.toBuilder().content(null).build());
      }
      List<TaskLog> logs = new ArrayList<>();
      for (TaskLog log : full.logs()) {
        List<ExecutorLog> executorLogs = new ArrayList<>();
        for (ExecutorLog executorLog : log.logs()) {
          executorLogs.add(executorLog.toBuilder().stdout(null).stderr(null).build());
        }
        logs.add(log.toBuilder().logs(executorLogs).systemLogs(List.of()).build());
      }
      Task expected = full.toBuilder().inputs(inputs).logs(logs).build();
      Task basic = clientOf(engine()).getTask(done.id(), View.BASIC);
      assertEquals(expected, basic, "the BASIC view");
      assertEquals(Integer.valueOf(0), lastLog(basic).logs().get(0).exitCode(), "BASIC keeps the exit codes");
    }

    /**
     * FULL holds everything: the input's content, the executor's stdout and stderr tails; it is what
     * {@code await} and {@code getTask(id)} return. If this fails, check rules 04 and 13 first.
     */
    @Test
    public void required_12_fullViewHoldsEverything() {
      Task done = finished();
      Task full = clientOf(engine()).getTask(done.id(), View.FULL);
      assertEquals(done, full, "await returns the FULL view");
      assertEquals(full, clientOf(engine()).getTask(done.id()), "getTask(id) returns the FULL view");
      assertEquals(CONTENT, full.inputs().get(0).content(), "the input's content");
      assertStdoutContains(full, "conformance-views", "that the executor's stdout tail is reported (rule 04)");
      String stderr = lastLog(full).logs().get(0).stderr();
      assertTrue(stderr != null && stderr.contains(STDERR_MARK), "the stderr tail, was " + stderr);
    }
  }

  /**
   * Inputs reach the executors and outputs are uploaded. Scenarios: {@code content-input} (prints
   * the content input {@code /inputs/content.txt}, {@code conformance-content-input}), {@code
   * file-input} (prints the FILE input {@code /inputs/file.txt}, staged from {@link #inputUrl},
   * {@code conformance-file-input}), {@code outputs} (writes {@code conformance-output} and a newline,
   * 19 bytes, to {@code /outputs/result.txt}, an output to {@link #outputUrl}).
   */
  @Nested
  public class InputsAndOutputs {
    /** For JUnit. */
    public InputsAndOutputs() {}

    /**
     * A content input is a file at its path, holding the content, that the executor reads. If this
     * fails, check that the backend writes each input's {@code content} (when set, ignoring {@code
     * url}) at the input's path before the first executor.
     */
    @Test
    public void required_13_contentInputIsReadableAtItsPath() {
      String id = create(engine(), task("content-input")
          .addInput(Input.ofContent("conformance-content-input\n", "/inputs/content.txt"))
          .addExecutor(executor("cat /inputs/content.txt"))
          .build());
      String hint = "that content inputs are written at their path before the executors run";
      Task done = finish(engine(), id, hint);
      assertState(State.COMPLETE, done, hint);
      assertStdoutContains(done, "conformance-content-input", hint);
    }

    /**
     * A FILE input with a URL from {@link #inputUrl} ({@code file:} by default) is staged at its
     * path. If this fails, check that the backend downloads inputs from that storage (and that
     * {@code inputUrl} gives a URL it can reach).
     */
    @Test
    public void required_14_fileInputIsStagedFromAUrl() {
      String url = inputUrl("file-input.txt", "conformance-file-input\n");
      String id = create(engine(), task("file-input")
          .addInput(Input.ofUrl(url, "/inputs/file.txt"))
          .addExecutor(executor("cat /inputs/file.txt"))
          .build());
      String hint = "that FILE inputs are downloaded from " + url + " to their path before the executors run";
      Task done = finish(engine(), id, hint);
      assertState(State.COMPLETE, done, hint);
      assertStdoutContains(done, "conformance-file-input", hint);
    }

    /**
     * A file the executor writes is uploaded to the output's URL, and the task log lists it: {@code
     * url} as given, {@code path} the container path, {@code size_bytes} 19; {@link #readOutput}
     * finds the content there. If this fails, check the backend's output stage and its {@code
     * events.outputs(...)} report.
     */
    @Test
    public void required_15_outputsAreUploadedAndLogged() throws IOException {
      String url = outputUrl("result.txt");
      String content = "conformance-output\n";
      String id = create(engine(), task("outputs")
          .addExecutor(executor("mkdir -p /outputs && printf 'conformance-output\\n' > /outputs/result.txt"))
          .addOutput(Output.of("/outputs/result.txt", url))
          .build());
      String hint = "that outputs are uploaded after the executors and reported with events.outputs(...)";
      Task done = finish(engine(), id, hint);
      assertState(State.COMPLETE, done, hint);
      assertEquals(List.of(OutputFileLog.of(url, "/outputs/result.txt", content.getBytes(StandardCharsets.UTF_8).length)),
          lastLog(done).outputs(), "the output file logs; if this fails, check " + hint);
      assertEquals(content, readOutput(url), "what was uploaded to " + url);
    }
  }

  /**
   * An executor's {@code env} and {@code workdir}. Scenarios: {@code env} (prints {@code
   * $TES_CONFORMANCE_GREETING}, set to {@code conformance-env}), {@code workdir} (prints the working
   * directory, {@code /tmp}).
   */
  @Nested
  public class ExecutorSettings {
    /** For JUnit. */
    public ExecutorSettings() {}

    /**
     * An executor's {@code env} variables are set for its command. If this fails, check that the
     * backend passes {@code env} to the process or container.
     */
    @Test
    public void required_16_envIsSet() {
      String id = create(engine(), task("env")
          .addExecutor(executor("echo \"$TES_CONFORMANCE_GREETING\"").toBuilder()
              .env("TES_CONFORMANCE_GREETING", "conformance-env").build())
          .build());
      String hint = "that the executor's env reaches its command";
      Task done = finish(engine(), id, hint);
      assertState(State.COMPLETE, done, hint);
      assertStdoutContains(done, "conformance-env", hint);
    }

    /**
     * An executor's {@code workdir} is its command's working directory. If this fails, check that
     * the backend passes {@code workdir} ({@code -w}, {@code --pwd}, a {@code cd}).
     */
    @Test
    public void required_17_workdirIsEntered() {
      String id = create(engine(), task("workdir")
          .addExecutor(executor("pwd").toBuilder().workdir("/tmp").build())
          .build());
      String hint = "that the executor's workdir is its working directory";
      Task done = finish(engine(), id, hint);
      assertState(State.COMPLETE, done, hint);
      String stdout = stdoutOf(done, 0);
      assertEquals("/tmp", stdout == null ? null : stdout.strip().lines().reduce((a, b) -> b).orElse(""),
          "the last line printed by pwd; if this fails, check " + hint);
    }
  }

  /**
   * The engine restarts on a durable store while a task runs. Scenarios: {@code resume} (runs until
   * cancelled), {@code after-restart} (exits 0).
   */
  @Nested
  public class Restart {
    /** For JUnit. */
    public Restart() {}

    /**
     * Needs {@link Capabilities#resume()}. A task RUNNING when its engine is closed is still RUNNING
     * on a second engine built on the same store with {@link #restartedBackend}: the backend
     * re-attached to it. It then ends CANCELED when cancelled there (where {@link
     * Capabilities#cancelRunning()}), and a new task completes on the second engine. If this fails,
     * check that {@code close()} leaves tasks running, that {@code resume(handle, task, events)}
     * finds them by the handle {@code start} returned and returns true, and that it reports to the
     * new {@code events} from then on.
     */
    @Test
    public void optional_18_resumeAfterRestart() {
      requireCapability(capabilities().resume(), "resume",
          "capabilities().resume() is false, so a restarted engine ends the backend's running tasks SYSTEM_ERROR");
      MemoryTaskStore store = new MemoryTaskStore();
      Backend first = newBackend();
      TesEngine before = newEngine(first, store, UnaryOperator.identity());
      String id = create(before, task("resume").addExecutor(executor(hangScript())).build());
      awaitState(before, id, State.RUNNING, "that the backend reports running() when the first executor starts");

      before.close();
      TesEngine after = newEngine(restartedBackend(first), store, UnaryOperator.identity());

      Task resumed = clientOf(after).getTask(id, View.FULL);
      assertEquals(State.RUNNING, resumed.state(), "the task after the restart; " + describe(resumed)
          + "; if this fails, check that resume(handle, ...) finds the task and returns true");
      if (capabilities().cancelRunning()) {
        clientOf(after).cancelTask(id);
        assertState(State.CANCELED, finish(after, id, "that the resumed task reports to the new engine's events"),
            "that the resumed task reports to the new engine's events");
      }
      String next = create(after, task("after-restart").addExecutor(executor("echo conformance-after-restart")).build());
      assertState(State.COMPLETE, finish(after, next, "that the restarted backend runs new tasks"),
          "that the restarted backend runs new tasks");
    }
  }
}
