package io.tes4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Which states end a task, and which of those are failures. */
class StateTest {

  @ParameterizedTest
  @EnumSource(
      value = State.class,
      names = {"COMPLETE", "EXECUTOR_ERROR", "SYSTEM_ERROR", "CANCELED", "PREEMPTED"})
  void theseStatesEndATask(State state) {
    assertThat(state.isTerminal()).isTrue();
    assertThat(state.isFailure()).isEqualTo(state != State.COMPLETE);
  }

  @ParameterizedTest
  @EnumSource(
      value = State.class,
      names = {"UNKNOWN", "QUEUED", "INITIALIZING", "RUNNING", "PAUSED", "CANCELING"})
  void theseStatesMayStillChange(State state) {
    assertThat(state.isTerminal()).isFalse();
    assertThat(state.isFailure()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(State.class)
  void everyStateIsEitherTerminalOrNot(State state) {
    EnumSet<State> terminal =
        EnumSet.of(State.COMPLETE, State.EXECUTOR_ERROR, State.SYSTEM_ERROR, State.CANCELED, State.PREEMPTED);

    assertThat(state.isTerminal()).isEqualTo(terminal.contains(state));
  }
}
