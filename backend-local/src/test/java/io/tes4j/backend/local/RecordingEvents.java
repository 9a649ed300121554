package io.tes4j.backend.local;

import io.tes4j.model.OutputFileLog;
import io.tes4j.model.State;
import io.tes4j.spi.TaskEvents;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A {@link TaskEvents} that records every call, in order, as the engine would receive them. */
final class RecordingEvents implements TaskEvents {
  /** One executor's log. */
  record ExecutorRecord(Instant start, Instant end, Integer exitCode, String stdout, String stderr) {}

  private final List<String> calls = new ArrayList<>();
  private final List<String> systemLogs = new ArrayList<>();
  private final Map<String, String> metadata = new LinkedHashMap<>();
  private final List<OutputFileLog> outputs = new ArrayList<>();
  private final Map<Integer, ExecutorRecord> executors = new LinkedHashMap<>();
  private final CompletableFuture<State> finished = new CompletableFuture<>();
  private final CompletableFuture<Void> firstExecutorStarted = new CompletableFuture<>();

  @Override
  public synchronized void initializing() {
    calls.add("initializing");
  }

  @Override
  public synchronized void running() {
    calls.add("running");
  }

  @Override
  public synchronized void executorStarted(int index, Instant startTime) {
    calls.add("executorStarted " + index);
    executors.put(index, new ExecutorRecord(startTime, null, null, null, null));
    firstExecutorStarted.complete(null);
  }

  @Override
  public synchronized void executorFinished(int index, Instant endTime, int exitCode, String stdoutTail, String stderrTail) {
    calls.add("executorFinished " + index + " " + exitCode);
    ExecutorRecord started = executors.get(index);
    executors.put(index, new ExecutorRecord(started == null ? null : started.start(), endTime, exitCode, stdoutTail, stderrTail));
  }

  @Override
  public synchronized void outputs(List<OutputFileLog> logs) {
    calls.add("outputs " + logs.size());
    outputs.addAll(logs);
  }

  @Override
  public synchronized void systemLog(String message) {
    systemLogs.add(message);
  }

  @Override
  public synchronized void metadata(String key, String value) {
    metadata.put(key, value);
  }

  @Override
  public synchronized void finished(State state) {
    if (!state.isTerminal()) {
      throw new IllegalArgumentException(state + " is not terminal");
    }
    calls.add("finished " + state);
    finished.complete(state);
  }

  /** The terminal state, waiting for it (a minute at most, so a broken test does not hang). */
  State awaitFinished() {
    try {
      return finished.get(2, TimeUnit.MINUTES);
    } catch (Exception e) {
      throw new AssertionError("the task did not finish; calls so far: " + calls(), e);
    }
  }

  /** Waits until the first executor started. */
  void awaitFirstExecutor() {
    try {
      firstExecutorStarted.get(2, TimeUnit.MINUTES);
    } catch (Exception e) {
      throw new AssertionError("no executor started; calls so far: " + calls() + ", system logs " + systemLogs(), e);
    }
  }

  synchronized List<String> calls() {
    return List.copyOf(calls);
  }

  synchronized List<String> systemLogs() {
    return List.copyOf(systemLogs);
  }

  synchronized Map<String, String> metadata() {
    return Map.copyOf(metadata);
  }

  synchronized List<OutputFileLog> outputs() {
    return List.copyOf(outputs);
  }

  synchronized ExecutorRecord executor(int index) {
    return executors.get(index);
  }

  synchronized int executorCount() {
    return executors.size();
  }
}
