package io.tes4j.testing.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectNestedMethod;
import static org.junit.platform.testkit.engine.EventConditions.abortedWithReason;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import io.tes4j.model.OutputFileLog;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.spi.Backend;
import io.tes4j.spi.Capabilities;
import io.tes4j.spi.TaskEvents;
import io.tes4j.testing.MockBackend;
import io.tes4j.testing.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * The kit run on backends that lack something or get something wrong: it skips what a backend
 * cannot do, with the reason, and fails what it does wrong, saying what to check.
 */
class ConformanceKitTest {

  /** The configuration parameter that lets the broken backends' classes run. */
  static final String UNDER_TEST_KIT = "tes4j.conformance.kit-test";

  private static Events run(org.junit.platform.engine.DiscoverySelector selector) {
    return EngineTestKit.engine("junit-jupiter")
        .configurationParameter(UNDER_TEST_KIT, "true")
        .selectors(selector)
        .execute()
        .testEvents();
  }

  /** Runs the broken backends' classes only under {@link #run}, never on their own (a -Dtest pattern). */
  static final class OnlyUnderTestKit implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      return context.getConfigurationParameter(UNDER_TEST_KIT).isPresent()
          ? ConditionEvaluationResult.enabled("run by ConformanceKitTest")
          : ConditionEvaluationResult.disabled("a broken backend, run by ConformanceKitTest through EngineTestKit");
    }
  }

  @Test
  void whatABackendCannotDoIsSkippedWithTheReason() {
    Events events = run(selectClass(CannotCancelOrResume.class));

    events.assertStatistics(stats -> stats.started(18).succeeded(16).aborted(2).failed(0));
    events.assertThatEvents()
        .haveExactly(1, event(test("optional_08_cancelStopsARunningTask"),
            abortedWithReason(message("backend lacks cancelRunning: capabilities().cancelRunning() is false,"
                + " so a RUNNING task cannot be stopped"))))
        .haveExactly(1, event(test("optional_18_resumeAfterRestart"),
            abortedWithReason(message(m -> m.startsWith("backend lacks resume: ")))));
  }

  @Test
  void aWrongTerminalStateFailsTheRuleWithWhatToCheck() {
    Events events = run(selectClass(CompletesEverything.class));

    events.assertThatEvents()
        .haveExactly(1, event(test("required_05_nonZeroExitIsAnExecutorErrorThatSkipsTheRest"),
            finishedWithFailure(message(m -> m.startsWith("expected the task ")
                && m.contains("to end EXECUTOR_ERROR; state COMPLETE, exit codes [0, 0]; if this fails, check")))))
        .haveExactly(1, event(test("required_07_missingOutputIsASystemErrorThatNamesIt"), finishedWithFailure()))
        .haveExactly(1, event(test("required_01_completesWhenEveryExecutorExitsZero"), finishedSuccessfully()));
  }

  @Test
  void aBackendThatNeverReportsRunningFailsTheOrderOfStatesWithinTheTimeout() {
    Events events = run(selectNestedMethod(List.of(NeverRunning.class), BackendConformance.Lifecycle.class,
        "required_02_statesComeInTheLegalOrder"));

    events.assertStatistics(stats -> stats.started(1).failed(1));
    events.assertThatEvents().haveExactly(1, event(finishedWithFailure(message(m ->
        m.contains("did not end within PT0.2S (set TES_TCK_TIMEOUT_MS for a slow backend); state INITIALIZING")
            && m.contains("if this fails, check that the backend reports running()")))));
  }

  @Test
  void theTimeoutComesFromTheSystemProperty() {
    BackendConformance kit = new CompletesEverything();
    String before = System.getProperty(BackendConformance.TIMEOUT_VARIABLE);
    try {
      System.setProperty(BackendConformance.TIMEOUT_VARIABLE, "1500");
      assertThat(kit.timeout()).isEqualTo(Duration.ofMillis(1500));
      System.setProperty(BackendConformance.TIMEOUT_VARIABLE, "soon");
      assertThatThrownBy(kit::timeout)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("TES_TCK_TIMEOUT_MS must be a positive number of milliseconds, was 'soon'");
    } finally {
      if (before == null) {
        System.clearProperty(BackendConformance.TIMEOUT_VARIABLE);
      } else {
        System.setProperty(BackendConformance.TIMEOUT_VARIABLE, before);
      }
    }
  }

  // -----------------------------------------------------------------------------------------------
  // The backends under the kit; not run by themselves (their names do not end in Test).

  /** The mock, scripted right, behind capabilities that say it can neither cancel running tasks nor resume. */
  @ExtendWith(OnlyUnderTestKit.class)
  static class CannotCancelOrResume extends MockBackendConformanceTest {
    @Override
    protected Backend newBackend() {
      return new Delegating((MockBackend) super.newBackend(), false);
    }
  }

  /** A mock that completes every task, whatever it runs. */
  @ExtendWith(OnlyUnderTestKit.class)
  static class CompletesEverything extends BackendConformance {
    @Override
    protected Backend newBackend() {
      return MockBackend.builder().delay(Duration.ZERO).build().onTag(SCENARIO_TAG, "hang", Outcome.hang());
    }
  }

  /** A backend that forgets to report running(): the engine ignores its COMPLETE from INITIALIZING. */
  @ExtendWith(OnlyUnderTestKit.class)
  static class NeverRunning extends BackendConformance {
    @Override
    protected Backend newBackend() {
      return new Delegating(MockBackend.builder().delay(Duration.ZERO).build(), true) {
        @Override
        public String start(Task task, TaskEvents events) {
          return super.start(task, new SkipsRunning(events));
        }
      };
    }

    @Override
    protected Duration timeout() {
      return Duration.ofMillis(200);
    }
  }

  /** A mock behind other capabilities. */
  static class Delegating implements Backend {
    private final MockBackend mock;
    private final Capabilities capabilities;

    Delegating(MockBackend mock, boolean able) {
      this.mock = mock;
      this.capabilities = new Capabilities(able, able, Set.of(), Set.of(), List.of());
    }

    @Override
    public Capabilities capabilities() {
      return capabilities;
    }

    @Override
    public String start(Task task, TaskEvents events) {
      return mock.start(task, events);
    }

    @Override
    public void cancel(String handle) {
      mock.cancel(handle);
    }

    @Override
    public boolean resume(String handle, Task task, TaskEvents events) {
      return mock.resume(handle, task, events);
    }

    @Override
    public void close() {
      mock.close();
    }
  }

  /** Passes on every report but running(). */
  record SkipsRunning(TaskEvents events) implements TaskEvents {
    @Override
    public void initializing() {
      events.initializing();
    }

    @Override
    public void running() {
      // forgotten
    }

    @Override
    public void executorStarted(int index, Instant startTime) {
      events.executorStarted(index, startTime);
    }

    @Override
    public void executorFinished(int index, Instant endTime, int exitCode, String stdoutTail, String stderrTail) {
      events.executorFinished(index, endTime, exitCode, stdoutTail, stderrTail);
    }

    @Override
    public void outputs(List<OutputFileLog> outputs) {
      events.outputs(outputs);
    }

    @Override
    public void systemLog(String message) {
      events.systemLog(message);
    }

    @Override
    public void metadata(String key, String value) {
      events.metadata(key, value);
    }

    @Override
    public void finished(State state) {
      events.finished(state);
    }
  }
}
