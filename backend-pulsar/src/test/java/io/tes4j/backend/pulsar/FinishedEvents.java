package io.tes4j.backend.pulsar;

import io.tes4j.model.OutputFileLog;
import io.tes4j.model.State;
import io.tes4j.spi.TaskEvents;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The end of a task, and its first executor's stdout, as a backend reports them to the engine. */
final class FinishedEvents implements TaskEvents {
  /** The state the task ended in, once it did. */
  final CompletableFuture<State> state = new CompletableFuture<>();
  /** The first executor's stdout tail, once it finished. */
  volatile String stdout;

  @Override
  public void initializing() {}

  @Override
  public void running() {}

  @Override
  public void executorStarted(int index, Instant startTime) {}

  @Override
  public void executorFinished(int index, Instant endTime, int exitCode, String stdoutTail, String stderrTail) {
    if (index == 0) {
      stdout = stdoutTail;
    }
  }

  @Override
  public void outputs(List<OutputFileLog> outputs) {}

  @Override
  public void systemLog(String message) {}

  @Override
  public void metadata(String key, String value) {}

  @Override
  public void finished(State end) {
    state.complete(end);
  }
}
