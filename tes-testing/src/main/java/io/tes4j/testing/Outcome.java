package io.tes4j.testing;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How the {@link MockBackend} runs one task: complete, fail with an exit code, fail as a system
 * error, be preempted, hang until cancelled, or refuse the task outright; after a delay, and with
 * the stdout and stderr the executors' logs should show. Immutable; the {@code with...} methods
 * return changed copies.
 *
 * <pre>{@code
 * mock.onName("align", Outcome.fail(137).withStderr("killed: out of memory"));
 * mock.onTag("speed", "slow", Outcome.complete().withDelay(Duration.ofSeconds(2)));
 * mock.onName("stuck", Outcome.hang());
 * mock.onName("count", Outcome.complete().withFile("/out/count.txt", "42\n"));
 * }</pre>
 *
 * @param kind what happens
 * @param exitCode the exit code of the failing executor, for {@link Kind#EXECUTOR_ERROR}
 * @param message the system log line, for {@link Kind#SYSTEM_ERROR} and {@link Kind#REFUSE}
 * @param delay how long after the start the task ends; {@code null}: the backend's delay
 * @param stdout what each executor's log shows as stdout, or {@code null}
 * @param stderr what each executor's log shows as stderr, or {@code null}
 * @param files the files the executors leave behind, content by container path: when the task
 *     completes, an output whose {@code path} is one of them is written to its {@code url} (for a
 *     {@code file:} URL; other URLs are only logged) and logged with the content's size in UTF-8
 */
public record Outcome(
    Kind kind, int exitCode, String message, Duration delay, String stdout, String stderr, Map<String, String> files) {

  /** What happens to the task. */
  public enum Kind {
    /** Every executor exits 0; the task ends COMPLETE, with an output file log per output. */
    COMPLETE,
    /**
     * The first executor exits with the exit code, and the task ends EXECUTOR_ERROR (if that
     * executor has {@code ignore_error}, the next ones run and exit 0, and the task completes).
     */
    EXECUTOR_ERROR,
    /** The task ends SYSTEM_ERROR with the message as a system log. */
    SYSTEM_ERROR,
    /** The task ends PREEMPTED. */
    PREEMPTED,
    /** The task runs until it is cancelled (or {@link MockBackend#finish} ends it). */
    HANG,
    /** The backend refuses the task: its start throws a BackendException with the message. */
    REFUSE
  }

  /** Checks the values and copies the files ({@code null}: none). */
  public Outcome {
    Objects.requireNonNull(kind, "kind");
    if (delay != null && delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, was " + delay);
    }
    files = files == null || files.isEmpty()
        ? Map.of()
        : Collections.unmodifiableMap(new LinkedHashMap<>(files));
  }

  /**
   * An outcome whose executors leave no files (the form of the first release, kept for source and
   * binary compatibility).
   *
   * @param kind what happens
   * @param exitCode the exit code of the failing executor, for {@link Kind#EXECUTOR_ERROR}
   * @param message the system log line, for {@link Kind#SYSTEM_ERROR} and {@link Kind#REFUSE}
   * @param delay how long after the start the task ends; {@code null}: the backend's delay
   * @param stdout what each executor's log shows as stdout, or {@code null}
   * @param stderr what each executor's log shows as stderr, or {@code null}
   */
  public Outcome(Kind kind, int exitCode, String message, Duration delay, String stdout, String stderr) {
    this(kind, exitCode, message, delay, stdout, stderr, Map.of());
  }

  /** Completes: every executor exits 0. */
  public static Outcome complete() {
    return new Outcome(Kind.COMPLETE, 0, null, null, null, null);
  }

  /**
   * The first executor exits with {@code exitCode}: EXECUTOR_ERROR.
   *
   * @param exitCode not 0
   * @return the outcome
   */
  public static Outcome fail(int exitCode) {
    if (exitCode == 0) {
      throw new IllegalArgumentException("a failing executor exits with a code other than 0");
    }
    return new Outcome(Kind.EXECUTOR_ERROR, exitCode, null, null, null, null);
  }

  /**
   * SYSTEM_ERROR, with {@code message} as a system log.
   *
   * @param message e.g. "disk full"
   * @return the outcome
   */
  public static Outcome systemError(String message) {
    return new Outcome(Kind.SYSTEM_ERROR, 0, Objects.requireNonNull(message, "message"), null, null, null);
  }

  /** PREEMPTED. */
  public static Outcome preempted() {
    return new Outcome(Kind.PREEMPTED, 0, null, null, null, null);
  }

  /** Runs until cancelled. */
  public static Outcome hang() {
    return new Outcome(Kind.HANG, 0, null, null, null, null);
  }

  /**
   * The backend refuses the task: the engine ends it SYSTEM_ERROR with the message.
   *
   * @param message why, e.g. "no capacity"
   * @return the outcome
   */
  public static Outcome refuse(String message) {
    return new Outcome(Kind.REFUSE, 0, Objects.requireNonNull(message, "message"), null, null, null);
  }

  /**
   * This outcome, ending {@code delay} after the start instead of after the backend's delay.
   *
   * @param delay zero or more
   * @return a changed copy
   */
  public Outcome withDelay(Duration delay) {
    return new Outcome(kind, exitCode, message, Objects.requireNonNull(delay, "delay"), stdout, stderr, files);
  }

  /**
   * This outcome, with {@code stdout} in the executors' logs.
   *
   * @param stdout the text
   * @return a changed copy
   */
  public Outcome withStdout(String stdout) {
    return new Outcome(kind, exitCode, message, delay, stdout, stderr, files);
  }

  /**
   * This outcome, with {@code stderr} in the executors' logs.
   *
   * @param stderr the text
   * @return a changed copy
   */
  public Outcome withStderr(String stderr) {
    return new Outcome(kind, exitCode, message, delay, stdout, stderr, files);
  }

  /**
   * This outcome, with the executors leaving a file of {@code content} at {@code path}: when the
   * task completes, an output with this path is written to its {@code file:} URL (its directories
   * created) and its output file log gives the size of the content in UTF-8. An output whose path
   * no such file matches is logged with size 0 and not written, as before.
   *
   * @param path the absolute container path, as in the task's output
   * @param content what the file holds
   * @return a changed copy
   */
  public Outcome withFile(String path, String content) {
    Map<String, String> more = new LinkedHashMap<>(files);
    more.put(Objects.requireNonNull(path, "path"), Objects.requireNonNull(content, "content"));
    return new Outcome(kind, exitCode, message, delay, stdout, stderr, more);
  }

  /** The delay of this outcome, if it has its own. */
  public Optional<Duration> ownDelay() {
    return Optional.ofNullable(delay);
  }
}
