package io.tes4j.model;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import java.util.EnumSet;
import java.util.Set;

/**
 * The state of a task ({@code tesState}), all eleven values of TES 1.1.
 *
 * <p>A value this library does not know (a newer server, a typo) reads as {@link #UNKNOWN}, never as
 * an error. The spec does not define transitions normatively; the helpers below encode the usual
 * reading: {@code QUEUED → INITIALIZING → RUNNING → COMPLETE | EXECUTOR_ERROR | SYSTEM_ERROR |
 * PREEMPTED}, and {@code CANCELING → CANCELED} from any state that is not terminal.
 */
public enum State {
  /** The state is not known; the safe default, so a missing field is never read as QUEUED. */
  @JsonEnumDefaultValue
  UNKNOWN,
  /** Queued, waiting for resources. */
  QUEUED,
  /** Assigned to a worker that is preparing: starting up, downloading inputs. */
  INITIALIZING,
  /** Inputs are staged and the first executor has started. */
  RUNNING,
  /** Paused for system-specific reasons (optional). */
  PAUSED,
  /** Every executor exited without error and every output was uploaded. */
  COMPLETE,
  /** An executor failed, usually with a non-zero exit code. */
  EXECUTOR_ERROR,
  /** The system failed, not an executor: a failed upload, a full disk. */
  SYSTEM_ERROR,
  /** The user canceled the task and its resources are released. */
  CANCELED,
  /** The system stopped the task, typically to reclaim capacity. */
  PREEMPTED,
  /** The user canceled the task; its resources are still being released. */
  CANCELING;

  private static final Set<State> TERMINAL =
      EnumSet.of(COMPLETE, EXECUTOR_ERROR, SYSTEM_ERROR, CANCELED, PREEMPTED);

  /**
   * Whether the task can no longer change: COMPLETE, EXECUTOR_ERROR, SYSTEM_ERROR, CANCELED or
   * PREEMPTED. CANCELING is not terminal: resources are still held, and it ends as CANCELED.
   */
  public boolean isTerminal() {
    return TERMINAL.contains(this);
  }

  /** Whether the task ended and failed for any reason: every terminal state but COMPLETE. */
  public boolean isFailure() {
    return isTerminal() && this != COMPLETE;
  }
}
