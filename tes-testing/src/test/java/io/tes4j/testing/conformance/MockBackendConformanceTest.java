package io.tes4j.testing.conformance;

import io.tes4j.spi.Backend;
import io.tes4j.testing.MockBackend;
import io.tes4j.testing.Outcome;
import java.time.Duration;

/**
 * The kit on {@link MockBackend}, which runs nothing: each scenario of the kit (the task's {@value
 * BackendConformance#SCENARIO_TAG} tag) is scripted with the outcome a real backend would reach.
 * Unscripted scenarios ({@code complete}, {@code queued}, {@code after-restart}) complete.
 */
class MockBackendConformanceTest extends BackendConformance {

  @Override
  protected Backend newBackend() {
    MockBackend mock = MockBackend.builder().delay(Duration.ZERO).build();
    on(mock, "tails", Outcome.complete().withStdout("conformance-stdout\n").withStderr("conformance-stderr\n"));
    on(mock, "executor-error", Outcome.fail(3).withStdout("conformance-before\n"));
    on(mock, "ignore-error", Outcome.fail(5));
    on(mock, "missing-output", Outcome.systemError("the output /outputs/never-written.txt was not produced"));
    on(mock, "hang", Outcome.hang());
    on(mock, "blocker", Outcome.hang());
    on(mock, "resume", Outcome.hang());
    on(mock, "views", Outcome.complete().withStdout("conformance-views\n").withStderr("conformance-stderr\n"));
    on(mock, "content-input", Outcome.complete().withStdout("conformance-content-input\n"));
    on(mock, "file-input", Outcome.complete().withStdout("conformance-file-input\n"));
    on(mock, "outputs", Outcome.complete().withFile("/outputs/result.txt", "conformance-output\n"));
    on(mock, "env", Outcome.complete().withStdout("conformance-env\n"));
    on(mock, "workdir", Outcome.complete().withStdout("/tmp\n"));
    return mock;
  }

  /** A closed mock's tasks live on in the one {@link MockBackend#reopen()} gives. */
  @Override
  protected Backend restartedBackend(Backend closed) {
    return ((MockBackend) closed).reopen();
  }

  private static void on(MockBackend mock, String scenario, Outcome outcome) {
    mock.onTag(SCENARIO_TAG, scenario, outcome);
  }
}
