package io.tes4j.testing.conformance;

import io.tes4j.testing.MockBackend;
import io.tes4j.testing.Outcome;
import java.time.Duration;

/**
 * A {@link MockBackend} scripted with the outcome each scenario of {@link BackendConformance}
 * expects (the task's {@value BackendConformance#SCENARIO_TAG} tag), so the kit passes on a
 * backend that runs nothing. Use it to run the kit over something else that wraps an engine, such
 * as an HTTP server in front of it:
 *
 * <pre>{@code
 * class OverMyServerTest extends BackendConformance {
 *   protected Backend newBackend() { return ScriptedMock.create(); }
 *   protected Backend restartedBackend(Backend closed) { return ((MockBackend) closed).reopen(); }
 *   protected TesClient client(TesEngine engine) { ... a client of your server over engine ... }
 * }
 * }</pre>
 *
 * <p>Unscripted scenarios ({@code complete}, {@code queued}, {@code after-restart}) complete.
 */
public final class ScriptedMock {
  private ScriptedMock() {}

  /** A new mock (no delay) with every scenario of the kit scripted. */
  public static MockBackend create() {
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

  private static void on(MockBackend mock, String scenario, Outcome outcome) {
    mock.onTag(BackendConformance.SCENARIO_TAG, scenario, outcome);
  }
}
