package io.tes4j.examples.workflow;

import io.tes4j.api.TesClient;
import io.tes4j.api.TesException;
import io.tes4j.api.TesTimeoutException;
import io.tes4j.model.Executor;
import io.tes4j.model.Input;
import io.tes4j.model.Output;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A graph of steps, each one TES task, run on any {@link TesClient}: the in-process engine
 * ({@code local:}, {@code mock:}) or a TES server. Steps hand files to each other through a storage
 * URL: step {@code s} writes its output {@code f} at {@code /out/f}, which is uploaded to {@code
 * STORAGE/s/f}; a step that comes after {@code s} finds it at {@code /in/s/f}. A step is submitted
 * as soon as every step it comes after is COMPLETE (so the files it reads exist), independent steps
 * run at once, and when a step fails, every step after it is skipped.
 */
public final class Workflow {

  /**
   * One step: a shell script run with {@code sh -c}.
   *
   * @param name a short name, also the folder of its outputs in the storage
   * @param after the steps whose outputs it reads, under {@code /in/STEP/}
   * @param inputs other inputs (URLs or inline content) at the paths they name
   * @param script writes every file of {@code outputs} into {@code /out}
   * @param outputs the names of the files it writes into {@code /out}
   */
  public record Step(String name, List<String> after, List<Input> inputs, String script, List<String> outputs) {
    public Step {
      if (!name.matches("[a-z0-9][a-z0-9-]*")) {
        throw new IllegalArgumentException("a step name is lower-case letters, digits and '-': " + name);
      }
      after = List.copyOf(after);
      inputs = List.copyOf(inputs);
      outputs = List.copyOf(outputs);
    }
  }

  /** How a step ended. */
  public enum Status { COMPLETE, FAILED, SKIPPED }

  /**
   * The end of one step.
   *
   * @param task the task in the FULL view (its logs, times, exit codes), or null when none ran
   * @param detail why it failed or was skipped; empty when COMPLETE
   */
  public record StepResult(String step, Status status, Task task, String detail) {}

  private record Ended(String taskId, Task task, Throwable error) {}

  private final String name;
  private final String image;
  private final Map<String, Step> steps = new LinkedHashMap<>(); // in an order where a step comes after its own

  /**
   * @param name names the tasks ({@code NAME-STEP}) and tags them {@code workflow=NAME}
   * @param image the executors' image (the {@code local:?runtime=host} backend runs this machine's
   *     programs and ignores it)
   * @throws IllegalArgumentException when two steps share a name, a step comes after an unknown
   *     one, or the steps form a cycle
   */
  public Workflow(String name, String image, List<Step> steps) {
    this.name = name;
    this.image = image;
    Map<String, Step> left = new LinkedHashMap<>();
    for (Step step : steps) {
      if (left.put(step.name(), step) != null) {
        throw new IllegalArgumentException("two steps are named " + step.name());
      }
    }
    for (Step step : steps) {
      for (String before : step.after()) {
        if (!left.containsKey(before)) {
          throw new IllegalArgumentException(step.name() + " comes after " + before + ", which is not a step");
        }
      }
    }
    // Topological order: take the steps whose predecessors are all taken, until none is left.
    while (!left.isEmpty()) {
      List<Step> ready = left.values().stream().filter(s -> this.steps.keySet().containsAll(s.after())).toList();
      if (ready.isEmpty()) {
        throw new IllegalArgumentException("the steps " + left.keySet() + " form a cycle");
      }
      for (Step step : ready) {
        this.steps.put(step.name(), left.remove(step.name()));
      }
    }
  }

  /**
   * Runs every step and returns how each ended, in the graph's order. Each step may take up to
   * {@code timeout}, after which its task is cancelled and the step fails. If this thread is
   * interrupted, the running tasks are cancelled.
   *
   * @param storage where outputs go, e.g. {@code file:///scratch/run-1/}, {@code s3://bucket/run-1/}
   *     or {@code ftp://host/run-1/}; the backend must be able to read and write it
   */
  public Map<String, StepResult> run(TesClient tes, String storage, Duration timeout) throws InterruptedException {
    String root = storage.endsWith("/") ? storage : storage + "/";
    Map<String, StepResult> results = new LinkedHashMap<>();
    Map<String, String> running = new HashMap<>(); // task id -> step name
    BlockingQueue<Ended> ended = new LinkedBlockingQueue<>();
    try {
      while (results.size() < steps.size()) {
        // One pass in graph order: a skip reaches the steps after the skipped one in the same pass.
        for (Step step : steps.values()) {
          if (results.containsKey(step.name()) || running.containsValue(step.name())) {
            continue;
          }
          List<String> broken = step.after().stream()
              .filter(s -> results.containsKey(s) && results.get(s).status() != Status.COMPLETE).toList();
          if (!broken.isEmpty()) {
            results.put(step.name(), new StepResult(step.name(), Status.SKIPPED, null, "after " + broken + " did not complete"));
          } else if (step.after().stream().allMatch(results::containsKey)) {
            try {
              String id = tes.createTask(task(step, root));
              running.put(id, step.name());
              // The engine completes this future when the task ends; a TES server's client polls.
              tes.async().await(id, timeout).whenComplete((task, error) -> ended.add(new Ended(id, task, error)));
            } catch (TesException e) { // refused (an invalid task) or unreachable: the step fails
              results.put(step.name(), new StepResult(step.name(), Status.FAILED, null, "not submitted: " + e.getMessage()));
            }
          }
        }
        if (running.isEmpty()) {
          continue; // every step left was just skipped or refused: the next pass settles them
        }
        Ended end = ended.take();
        String step = running.remove(end.taskId());
        results.put(step, result(tes, step, end, timeout));
      }
    } finally {
      running.keySet().forEach(tes::cancelTask); // interrupted, or the client failed: stop what still runs
    }
    Map<String, StepResult> ordered = new LinkedHashMap<>();
    steps.keySet().forEach(s -> ordered.put(s, results.get(s)));
    return ordered;
  }

  private StepResult result(TesClient tes, String step, Ended end, Duration timeout) {
    if (end.error() != null) {
      Throwable error = end.error() instanceof CompletionException ? end.error().getCause() : end.error();
      if (error instanceof TesTimeoutException) {
        tes.cancelTask(end.taskId());
        return new StepResult(step, Status.FAILED, null, "still running after " + timeout + ": cancelled");
      }
      return new StepResult(step, Status.FAILED, null, "lost track of task " + end.taskId() + ": " + error);
    }
    Task task = end.task();
    if (task.state() == State.COMPLETE) {
      return new StepResult(step, Status.COMPLETE, task, "");
    }
    // Why: the failed executor's exit code and stderr, and the backend's system logs.
    List<String> why = new ArrayList<>();
    task.lastLog().ifPresent(log -> {
      log.logs().stream().filter(e -> e.exitCode() != null && e.exitCode() != 0).forEach(e ->
          why.add("exit code " + e.exitCode() + (e.stderr() == null || e.stderr().isBlank() ? "" : ": " + e.stderr().strip())));
      why.addAll(log.systemLogs());
    });
    return new StepResult(step, Status.FAILED, task, task.state() + (why.isEmpty() ? "" : " " + why));
  }

  private Task task(Step step, String root) {
    Task.Builder task = Task.builder()
        .name(name + "-" + step.name())
        .tag("workflow", name)
        .tag("step", step.name());
    for (String before : step.after()) {
      for (String file : steps.get(before).outputs()) {
        task.addInput(Input.ofUrl(root + before + "/" + file, "/in/" + before + "/" + file));
      }
    }
    step.inputs().forEach(task::addInput);
    for (String file : step.outputs()) {
      task.addOutput(Output.of("/out/" + file, root + step.name() + "/" + file));
    }
    return task.addExecutor(Executor.of(image, "sh", "-c", "mkdir -p /out && " + step.script())).build();
  }
}
