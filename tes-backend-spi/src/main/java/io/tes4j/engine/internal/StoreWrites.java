package io.tes4j.engine.internal;

import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.store.StoredTask;
import io.tes4j.store.TaskPage;
import io.tes4j.store.TaskQuery;
import io.tes4j.store.TaskStore;
import io.tes4j.store.TaskStoreException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's writes to its {@link TaskStore}, and what it does when they fail. Thread-safe.
 * Internal.
 *
 * <p>A write is tried {@link Retry#attempts()} times, {@link Retry#delayNanos} apart, on the
 * caller's thread (which holds the task's lock, so the task's next change waits for it). When the
 * last attempt fails, the task's change is kept all the same: the engine holds the task in memory
 * as "unwritten", reads show it from there ({@link #current}, {@link #overlay}), and a re-writer on
 * the engine's thread writes the latest state of every unwritten task once the store takes writes
 * again, waiting {@code backoff}, then twice as long after each pass that wrote nothing, up to
 * {@code maxBackoff}. {@link #close()} makes a last attempt and logs what stays unwritten.
 *
 * <p>From a write that failed at every attempt to the next one that succeeds, the store is {@link
 * #failing()}: the engine then starts no queued task (a task is started only once its INITIALIZING
 * state is stored), and admits again when a write succeeds ({@code onRecovered}). While it fails,
 * the failed task is unwritten, so the re-writer keeps trying, and one of its writes ends it.
 *
 * <p>Writes replace the whole task, so the last write that succeeds makes the store agree with
 * memory, whatever failed before it: a write that failed after the database applied it (its answer
 * lost) does no harm. Every write of a task, the re-writer's too, runs under the task's lock, so an
 * older state is never written after a newer one.
 *
 * <p>The retry is written here rather than with Failsafe (which tes-client and transfer use): this
 * module depends on tes-model and SLF4J only, and every backend and embedder pulls it in; the loop
 * is a few lines, its waits must stop on interrupt while holding the task's lock, and the re-writer's
 * schedule depends on whole passes over many tasks, not on one call, which Failsafe would not cover.
 */
final class StoreWrites {
  private static final Logger LOG = LoggerFactory.getLogger("io.tes4j.engine");
  private static final int SHOWN = 20;
  /** The shortest wait after a pass that wrote nothing, whatever the back-off: a pass is no spin loop. */
  private static final long MIN_PASS_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private final TaskStore store;
  private final Retry retry;
  private final ScheduledExecutorService thread;
  private final Runnable onRecovered;
  /** The tasks whose latest change the store does not have, by id. */
  private final ConcurrentHashMap<String, Run> unwritten = new ConcurrentHashMap<>();
  private final AtomicBoolean passScheduled = new AtomicBoolean();
  private volatile long passDelayNanos;
  private volatile boolean stopped;
  private volatile boolean failing;

  private final LongAdder failedCalls = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final LongAdder keptInMemory = new LongAdder();
  private final LongAdder endsKeptInMemory = new LongAdder();
  private final LongAdder rewritten = new LongAdder();
  private final LongAdder refusedInserts = new LongAdder();

  /**
   * @param store where tasks are kept
   * @param retry how writes are retried, and how long the re-writer waits between passes
   * @param thread the engine's thread, which runs the re-writer
   * @param onRecovered run when a write succeeds after the store was {@link #failing()}; it must
   *     take no lock (it runs under a task's lock)
   */
  StoreWrites(TaskStore store, Retry retry, ScheduledExecutorService thread, Runnable onRecovered) {
    this.store = store;
    this.retry = retry;
    this.thread = thread;
    this.onRecovered = onRecovered;
    this.passDelayNanos = retry.delayNanos(1);
  }

  // -----------------------------------------------------------------------------------------------
  // Writes.

  /**
   * Stores a new task, retrying. An attempt that meets the task already stored after an earlier
   * attempt failed finds that the earlier one did write it (its answer was lost): that is success.
   *
   * @return null when the task is stored, else the last failure
   * @throws IllegalStateException when the first attempt finds a task with the same id (two
   *     engines on one store)
   */
  RuntimeException insert(StoredTask task) {
    try {
      store.insert(task);
      return null;
    } catch (IllegalStateException e) {
      throw e;
    } catch (RuntimeException e) {
      return retryInsert(task, e);
    }
  }

  /**
   * {@link #insert} without making the caller wait: the first attempt is {@link
   * TaskStore#insertAsync}, so the future completes on the store's thread; after a failure, the
   * retries (which wait between attempts) run on {@code retries}, or on the engine's thread when
   * {@code retries} refuses them (never on the store's thread, which completes the retries' own
   * writes); when both refuse (the engine is closing), the first failure is the outcome.
   *
   * @return completed with null when the task is stored, else with the last failure; failed with
   *     the IllegalStateException of a first attempt that found a task with the same id
   */
  CompletableFuture<RuntimeException> insertAsync(StoredTask task, Executor retries) {
    CompletableFuture<Void> first;
    try {
      first = store.insertAsync(task);
    } catch (RuntimeException e) {
      first = CompletableFuture.failedFuture(e);
    }
    return first.handle((ignored, e) -> e == null ? null : unwrap(e)).thenCompose(failure -> {
      if (failure == null) {
        return CompletableFuture.completedFuture(null);
      }
      if (failure instanceof IllegalStateException) {
        return CompletableFuture.failedFuture(failure);
      }
      try {
        return CompletableFuture.supplyAsync(() -> retryInsert(task, failure), retries);
      } catch (RejectedExecutionException e) {
        try {
          return CompletableFuture.supplyAsync(() -> retryInsert(task, failure), thread);
        } catch (RejectedExecutionException closing) {
          refusedInserts.increment();
          return CompletableFuture.completedFuture(failure);
        }
      }
    });
  }

  /**
   * What a store's future failed with, as a RuntimeException (a checked cause as a {@link
   * TaskStoreException}); an Error is thrown as it is.
   */
  static RuntimeException unwrap(Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (cause instanceof Error) {
      throw (Error) cause;
    }
    return cause instanceof RuntimeException ? (RuntimeException) cause
        : new TaskStoreException("insert", null, "insert failed: " + cause, cause);
  }

  /** The attempts after a first one failed with {@code failure}; as {@link #insert} returns. */
  private RuntimeException retryInsert(StoredTask task, RuntimeException firstFailure) {
    RuntimeException failure = firstFailure;
    for (int attempt = 1; ; attempt++) {
      failedCalls.increment();
      if (attempt >= retry.attempts() || !pause(attempt)) {
        refusedInserts.increment();
        return failure;
      }
      retries.increment();
      try {
        store.insert(task);
        return null;
      } catch (IllegalStateException e) {
        if (stored(task.id())) {
          LOG.info("task {}: the insert that failed had stored it; the retry found it there", task.id());
          return null;
        }
        failure = e;
      } catch (RuntimeException e) {
        failure = e;
      }
    }
  }

  private boolean stored(String id) {
    try {
      return store.get(id).isPresent();
    } catch (RuntimeException e) {
      LOG.debug("task {}: could not check whether the store holds it", id, e);
      return false;
    }
  }

  /**
   * Makes {@code task} the run's current document and writes it with the run's handle, retrying.
   * When every attempt fails, the run keeps the document all the same and is written later; the
   * failure is logged at ERROR with the task's id and {@code what} could not be written. The caller
   * holds the run's lock.
   *
   * @param run the task
   * @param task its new document
   * @param what what changed, for the log: "its state COMPLETE", "an executor log"...
   * @return whether the store has it now
   */
  boolean write(Run run, Task task, String what) {
    RuntimeException failure;
    for (int attempt = 1; ; attempt++) {
      try {
        String handle = run.handle;
        store.update(new StoredTask(task, handle));
        stored(run, task, handle);
        return true;
      } catch (RuntimeException e) {
        failure = e;
      }
      failedCalls.increment();
      if (attempt >= retry.attempts() || !pause(attempt)) {
        break;
      }
      retries.increment();
    }
    keepUnwritten(run, task, what, failure);
    return false;
  }

  /** A change of a run, to write with others in {@link #writeAll}. */
  record Change(Run run, Task task, String what) {}

  /**
   * As {@link #write} for each change, with one store call for all of them per attempt ({@link
   * TaskStore#updateAll}, one sync for a durable store): only those that failed are tried again,
   * and those that failed at every attempt are kept in memory as {@link #write} keeps them. The
   * caller holds the lock of every run, and each run appears once.
   */
  void writeAll(List<Change> changes) {
    if (changes.isEmpty()) {
      return; // a batch whose reports were all ignored
    }
    if (changes.size() == 1) {
      Change only = changes.get(0);
      write(only.run, only.task, only.what);
      return;
    }
    List<Change> left = changes;
    Map<String, RuntimeException> failures = Map.of();
    for (int attempt = 1; ; attempt++) {
      List<StoredTask> tasks = new ArrayList<>(left.size());
      for (Change change : left) {
        tasks.add(new StoredTask(change.task, change.run.handle));
      }
      try {
        failures = store.updateAll(tasks);
      } catch (RuntimeException e) { // the call itself failed: none of them is known to be stored
        failures = new HashMap<>();
        for (Change change : left) {
          failures.put(change.run.id, e);
        }
      }
      List<Change> failed = new ArrayList<>(failures.size());
      for (int i = 0; i < left.size(); i++) {
        Change change = left.get(i);
        if (failures.containsKey(change.run.id)) {
          failed.add(change);
        } else {
          stored(change.run, change.task, tasks.get(i).handle());
        }
      }
      if (failed.isEmpty()) {
        return;
      }
      failedCalls.add(failed.size());
      left = failed;
      if (attempt >= retry.attempts() || !pause(attempt)) {
        break;
      }
      retries.add(failed.size());
    }
    for (Change change : left) {
      keepUnwritten(change.run, change.task, change.what, failures.get(change.run.id));
    }
  }

  /** The store took {@code task} with {@code handle}: the run shows it, and is written. */
  private void stored(Run run, Task task, String handle) {
    run.task = task;
    run.storedHandle = handle;
    if (run.unwritten) {
      run.unwritten = false;
      unwritten.remove(run.id, run);
    }
    succeeded();
  }

  /**
   * Every attempt to write {@code task} failed: the run keeps it all the same, to be written later
   * by the re-writer; logged at ERROR with what could not be written.
   */
  private void keepUnwritten(Run run, Task task, String what, RuntimeException failure) {
    run.task = task;
    keptInMemory.increment();
    if (task.state().isTerminal()) {
      endsKeptInMemory.increment();
    }
    boolean firstOfAnOutage = unwritten.isEmpty();
    run.unwritten = true;
    unwritten.put(run.id, run);
    if (!failing) {
      failing = true;
      LOG.warn("the task store fails to write: the engine starts no queued task until it takes writes again");
    }
    String message = "task {}: the task store failed to write {} ({} attempts); the engine holds the task in memory"
        + " (reads show it from there) and writes it when the store takes writes again";
    if (firstOfAnOutage) {
      LOG.error(message, run.id, what, retry.attempts(), failure);
    } else {
      // One stack trace per outage is enough: the others name the failure.
      LOG.error(message + ": {}", run.id, what, retry.attempts(), failure.toString());
    }
    schedulePass(passDelayNanos);
  }

  /**
   * Remembers a new task whose insert failed: the store may hold it all the same (the last
   * attempt's answer lost). {@code ended} is the task as it must stay if so (SYSTEM_ERROR, saying
   * that it was never acknowledged); the re-writer writes it there, or forgets it when the store
   * has no such task. So a restarted engine never runs a task whose {@code createTask} failed.
   */
  void abandonInsert(Run run, Task ended) {
    synchronized (run) {
      run.task = ended;
      run.mayBeAbsent = true;
      run.unwritten = true;
      unwritten.put(run.id, run);
    }
    schedulePass(passDelayNanos);
  }

  /** A write succeeded: if the store was failing, it is no longer, and queued tasks may start. */
  private void succeeded() {
    if (failing) {
      failing = false;
      LOG.info("the task store takes writes again: queued tasks start again");
      onRecovered.run();
    }
  }

  /**
   * Whether the last write the engine gave up on was not followed by one that succeeded: while it
   * is, no queued task is started.
   */
  boolean failing() {
    return failing;
  }

  /** Waits before retry {@code attempt}; false when interrupted (the flag stays set). */
  private boolean pause(int attempt) {
    long nanos = retry.delayNanos(attempt);
    if (nanos == 0) {
      return !Thread.currentThread().isInterrupted();
    }
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  // -----------------------------------------------------------------------------------------------
  // Reads: what the store shows, corrected by what it lacks.

  /** Whether every change was written. */
  boolean allWritten() {
    return unwritten.isEmpty();
  }

  /**
   * The task with this id as the engine holds it when the store lacks its latest change, or null
   * (also for a task whose insert failed: it was never acknowledged).
   */
  StoredTask held(String id) {
    Run run = unwritten.get(id);
    return run == null || run.mayBeAbsent ? null : run.stored();
  }

  /** {@code stored}, or the engine's newer version of it. */
  StoredTask current(StoredTask stored) {
    Run run = unwritten.get(stored.id());
    return run == null ? stored : run.stored();
  }

  /**
   * A page of the store corrected by the unwritten tasks: each shown as the engine holds it, those
   * that no longer match {@code query} left out, those that match only in memory added where their
   * id falls in the range the page covers. Newest first, at most {@code query.limit()}.
   *
   * @return the tasks, and the id the next page must start before (null: no more)
   */
  Overlaid overlay(TaskQuery query, TaskPage page) {
    List<StoredTask> tasks = new ArrayList<>(page.tasks().size());
    Set<String> seen = new HashSet<>();
    for (StoredTask stored : page.tasks()) {
      seen.add(stored.id());
      StoredTask current = current(stored);
      if (matches(query, current.task())) {
        tasks.add(current);
      }
    }
    String lowest = page.more() && !page.tasks().isEmpty() ? page.tasks().get(page.tasks().size() - 1).id() : null;
    for (Run run : unwritten.values()) {
      StoredTask held = run.stored();
      String id = held.id();
      if (run.mayBeAbsent || seen.contains(id)
          || query.beforeId() != null && id.compareTo(query.beforeId()) >= 0
          || lowest != null && id.compareTo(lowest) <= 0
          || !matches(query, held.task())) {
        continue;
      }
      tasks.add(held);
    }
    tasks.sort(Comparator.comparing(StoredTask::id).reversed());
    if (tasks.size() > query.limit()) {
      List<StoredTask> first = new ArrayList<>(tasks.subList(0, query.limit()));
      return new Overlaid(first, first.get(first.size() - 1).id());
    }
    return new Overlaid(tasks, page.more() ? lowest : null);
  }

  /** A corrected page; {@code next} is the id the next page starts before, or null. */
  record Overlaid(List<StoredTask> tasks, String next) {}

  /** Whether {@code task} passes the query's filters (as {@link TaskQuery} defines them). */
  private static boolean matches(TaskQuery query, Task task) {
    State state = query.state();
    String prefix = query.namePrefix();
    return (state == null || task.state() == state)
        && (prefix == null || prefix.isEmpty() || task.name() != null && task.name().startsWith(prefix))
        && query.tagsMatch(task.tags());
  }

  // -----------------------------------------------------------------------------------------------
  // The re-writer.

  private void schedulePass(long delayNanos) {
    if (stopped || !passScheduled.compareAndSet(false, true)) {
      return;
    }
    try {
      thread.schedule(this::pass, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      passScheduled.set(false);
      LOG.debug("the engine is closing: its close writes the unwritten tasks");
    }
  }

  /** One pass of the re-writer, on the engine's thread. */
  private void pass() {
    passScheduled.set(false);
    if (stopped) {
      return;
    }
    try {
      Pass pass = writeAll(false);
      if (pass.left == 0) {
        passDelayNanos = retry.delayNanos(1);
        if (pass.written > 0) {
          LOG.info("the task store takes writes again: wrote the latest state of {} tasks the engine held in memory",
              pass.written);
        }
        return;
      }
      passDelayNanos = pass.written > 0
          ? retry.delayNanos(1)
          : Math.max(passDelayNanos > retry.maxNanos() / 2 ? retry.maxNanos() : passDelayNanos * 2, MIN_PASS_DELAY_NANOS);
      LOG.warn("the task store still fails ({}); {} tasks wait in memory to be written ({} written now), next try in {}",
          pass.failure, pass.left, pass.written, Times.format(java.time.Duration.ofNanos(passDelayNanos)));
      schedulePass(passDelayNanos);
    } catch (RuntimeException | Error e) {
      LOG.error("the engine's re-writer of unwritten tasks failed; it tries again in {}",
          Times.format(retry.maxBackoff()), e);
      schedulePass(retry.maxNanos());
    }
  }

  private record Pass(int written, int left, String failure) {}

  /**
   * Writes the latest state of each unwritten task, stopping after {@code attempts} failures in a
   * row (the store is down: no need to fail once per task), and, unless {@code closing}, when the
   * engine closes (its close writes them).
   */
  private Pass writeAll(boolean closing) {
    int written = 0;
    int failedInARow = 0;
    RuntimeException failure = null;
    for (Run run : unwritten.values()) {
      if (stopped && !closing) {
        break;
      }
      synchronized (run) {
        if (!run.unwritten) {
          unwritten.remove(run.id, run);
          continue;
        }
        try {
          store.update(run.stored());
          run.unwritten = false;
          unwritten.remove(run.id, run);
          written++;
          rewritten.increment();
          failedInARow = 0;
          succeeded();
          if (run.mayBeAbsent) {
            LOG.warn("task {}: the store had kept the task although its insert failed (createTask failed); it is now"
                + " SYSTEM_ERROR there, so it never runs", run.id);
          }
          continue;
        } catch (IllegalStateException e) {
          if (run.mayBeAbsent && !stored(run.id)) {
            run.unwritten = false; // the insert did fail: nothing to mark
            unwritten.remove(run.id, run);
            continue;
          }
          failure = e;
        } catch (RuntimeException e) {
          failure = e;
        }
        failedCalls.increment();
        if (++failedInARow >= retry.attempts()) {
          break;
        }
      }
    }
    return new Pass(written, unwritten.size(), failure == null ? null : failure.toString());
  }

  /**
   * Stops the re-writer and makes a last attempt to write every unwritten task (the engine no
   * longer changes any); logs at ERROR what the store still lacks.
   */
  void close() {
    stopped = true;
    if (unwritten.isEmpty()) {
      return;
    }
    Pass pass = writeAll(true);
    if (pass.written > 0) {
      LOG.info("closing: wrote the latest state of {} tasks the engine held in memory", pass.written);
    }
    if (pass.left == 0) {
      return;
    }
    List<Run> lost = new ArrayList<>(unwritten.values());
    lost.sort(Comparator.comparing(run -> run.id));
    StringJoiner shown = new StringJoiner(", ");
    int acknowledged = 0;
    for (Run run : lost) {
      if (!run.mayBeAbsent) {
        acknowledged++;
        if (acknowledged <= SHOWN) {
          shown.add(run.id + " (" + run.task.state() + ")");
        }
      }
    }
    if (acknowledged > 0) {
      LOG.error("closing: the task store did not take the latest state of {} tasks ({}); it keeps an older one:"
          + " {}{}", acknowledged, pass.failure, shown, acknowledged > SHOWN ? ", ..." : "");
    }
    if (lost.size() > acknowledged) {
      LOG.error("closing: {} tasks whose createTask failed could not be marked SYSTEM_ERROR in the store; if their"
          + " insert did store them after all, a restarted engine runs them", lost.size() - acknowledged);
    }
  }

  // -----------------------------------------------------------------------------------------------
  // Figures.

  /** The tasks whose latest change the store lacks (those whose createTask failed included). */
  int unwrittenCount() {
    return unwritten.size();
  }

  /** Store calls (inserts and updates) that failed, each attempt counted. */
  long failedCalls() {
    return failedCalls.sum();
  }

  /** Attempts after a first one that failed. */
  long retries() {
    return retries.sum();
  }

  /** Changes whose every attempt failed, kept in memory to be written later. */
  long keptInMemory() {
    return keptInMemory.sum();
  }

  /** Ends of tasks (terminal states) whose every write attempt failed: tasks that ended in memory. */
  long endsKeptInMemory() {
    return endsKeptInMemory.sum();
  }

  /** Tasks written by the re-writer or by {@link #close()}. */
  long rewritten() {
    return rewritten.sum();
  }

  /** New tasks whose every insert attempt failed (createTask threw). */
  long refusedInserts() {
    return refusedInserts.sum();
  }
}
