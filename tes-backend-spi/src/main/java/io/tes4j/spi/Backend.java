package io.tes4j.spi;

import io.tes4j.model.Task;
import io.tes4j.model.Violation;
import java.util.List;
import java.util.OptionalInt;

/**
 * Where tasks really run: processes on this machine, Kubernetes jobs, Pulsar jobs. Made by a
 * {@link BackendProvider}; driven by the engine, which calls it from several threads at once, so
 * implementations are thread-safe.
 *
 * <p>The engine calls {@link #start} once per admitted task (validated, with its id and {@code
 * creation_time} set, already stored as INITIALIZING with the task log's {@code start_time}). The
 * backend stages the inputs, runs the executors in order, stages the outputs, and reports every step
 * through the task's {@link TaskEvents}, ending with exactly one terminal state. It never changes the
 * task document.
 *
 * <p>The engine calls {@code start}, {@code cancel} and {@code resume} with no lock of its own
 * held, and never from inside a {@link TaskEvents} call, so a backend may hold its locks while it
 * reports.
 */
public interface Backend extends AutoCloseable {

  /** What this backend can do; constant for its lifetime. */
  Capabilities capabilities();

  /**
   * What this backend could never run in {@code task}, beyond {@link io.tes4j.model.TaskValidator}'s
   * rules, which every backend gets: an image its runtime cannot read, a local image outside its
   * file roots, an environment value its runtime cannot carry. The engine adds these violations to
   * the validator's when a task is created, so a task the backend would refuse is refused at once
   * ({@code InvalidTaskException}; a server answers 400), instead of failing after it was accepted.
   *
   * <p>Called for every submitted task, before it has an id, possibly with a task that also breaks
   * the validator's rules (so fields may be {@code null}: report only what is this backend's own,
   * and skip what the validator reports). Each violation has the JSON path of the field and a
   * sentence saying what is wrong and what is allowed, never a value that may be secret (an
   * environment value). Must be fast, touch no network, and not throw: with a memory store it runs
   * on a server's network thread ({@code TesEngine.answersWithoutBlocking()}). {@link #start} should
   * check the same again, since tasks also reach it without the engine or from an earlier version.
   *
   * @param task a submitted task, not yet validated
   * @return the problems found; empty by default
   */
  default List<Violation> check(Task task) {
    return List.of();
  }

  /**
   * How many tasks the engine admits at once (INITIALIZING, RUNNING or CANCELING; the others wait
   * QUEUED) when its own {@code maxRunning} is not set: a backend whose every task takes resources
   * of one machine says how many that machine holds ({@code local:}: the number of CPUs), so that
   * many submissions never start as many processes. An engine {@code maxRunning} set by the user,
   * larger or smaller, wins over it.
   *
   * @return the default limit, at least 1; empty (the default) for none
   */
  default OptionalInt defaultMaxRunning() {
    return OptionalInt.empty();
  }

  /**
   * Starts running {@code task} and returns at once (staging and execution happen on the
   * backend's own threads, or elsewhere).
   *
   * @param task the task, valid, with its id set
   * @param events where to report progress; thread-safe, and safe to call after {@code start}
   *     returned or even before (a very fast task may end first)
   * @return an opaque handle, at most 1024 characters, that the engine stores with the task and
   *     passes to {@link #cancel} and {@link #resume}
   * @throws io.tes4j.api.BackendException when the task could not be taken at all (the engine ends
   *     it SYSTEM_ERROR with the message as a system log)
   */
  String start(Task task, TaskEvents events);

  /**
   * Asks the task to stop. Returns at once; the backend stops the task's processes (or deletes its
   * job), cleans up, and reports {@link TaskEvents#finished} with {@code CANCELED}. Cancelling a
   * task that already ended, or one this backend does not know, does nothing.
   *
   * @param handle what {@link #start} returned
   */
  void cancel(String handle);

  /**
   * Re-attaches to a task started by an earlier process, after the engine restarted on a durable
   * store. Only called when {@link Capabilities#resume()} is true.
   *
   * @param handle what {@link #start} returned then
   * @param task the task as stored
   * @param events where to report from now on
   * @return false when the backend no longer knows the handle (the engine then ends the task
   *     SYSTEM_ERROR, saying so in the system logs)
   */
  boolean resume(String handle, Task task, TaskEvents events);

  /**
   * Releases threads and connections. Tasks still running are left to run where the backend can
   * resume them, and stopped otherwise.
   */
  @Override
  void close();
}
