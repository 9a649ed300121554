package io.tes4j.model;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tes4j.model.internal.Collections2;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A TES task ({@code tesTask}): inputs, one or more executors, outputs, and what the server adds
 * (id, state, logs, creation time).
 *
 * <p>Instances are immutable; collections are never {@code null} (an absent list reads as empty,
 * and an empty one is not written). Reading never rejects a task for missing fields, because a
 * MINIMAL view holds only {@code id} and {@code state}; {@link TaskValidator} says whether a task
 * is valid to submit.
 *
 * <pre>{@code
 * Task task = Task.builder()
 *     .name("hello")
 *     .addInput(Input.ofContent("hello world\n", "/in/hello.txt"))
 *     .addExecutor(Executor.of("alpine:3.20", "sh", "-c", "wc -c /in/hello.txt > /out/count"))
 *     .addOutput(Output.of("/out/count", "file:///tmp/count"))
 *     .tag("project", "demo")
 *     .build();
 * String json = TesJson.write(task);
 * }</pre>
 *
 * @param id the server-assigned id
 * @param state the current state
 * @param name a name given by the user
 * @param description free text
 * @param inputs files placed in the containers before the executors run
 * @param outputs files copied out after the executors ran
 * @param resources what the task asks of the machine
 * @param executors the containers to run, in order (required to submit)
 * @param volumes absolute container paths of empty directories shared by every executor
 * @param tags key/value metadata, used by ListTasks filters
 * @param logs one entry per attempt, filled by the server
 * @param creationTime when the server created the task, RFC 3339, exactly as the server wrote it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Task(
    @JsonProperty("id") String id,
    @JsonProperty("state") State state,
    @JsonProperty("name") String name,
    @JsonProperty("description") String description,
    @JsonProperty("inputs") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Input> inputs,
    @JsonProperty("outputs") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Output> outputs,
    @JsonProperty("resources") Resources resources,
    @JsonProperty("executors") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Executor> executors,
    @JsonProperty("volumes") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> volumes,
    @JsonProperty("tags") @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> tags,
    @JsonProperty("logs") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<TaskLog> logs,
    @JsonProperty("creation_time") @JsonAlias("creationTime") String creationTime) {

  /** Copies the collections; {@code null} collections become empty. */
  public Task {
    inputs = Collections2.list(inputs);
    outputs = Collections2.list(outputs);
    executors = Collections2.list(executors);
    volumes = Collections2.list(volumes);
    tags = Collections2.stringMap(tags);
    logs = Collections2.list(logs);
  }

  /** The latest attempt's log, if the server reported any. */
  public Optional<TaskLog> lastLog() {
    return logs.isEmpty() ? Optional.empty() : Optional.of(logs.get(logs.size() - 1));
  }

  /** The state, or {@link State#UNKNOWN} when the server did not send one. */
  public State stateOrUnknown() {
    return state == null ? State.UNKNOWN : state;
  }

  /** A new, empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this task's values, to derive a changed copy. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Builds {@link Task}s. Not thread-safe; {@link #build()} copies every collection, so a builder
   * can be reused without changing tasks it already built.
   */
  public static final class Builder {
    private String id;
    private State state;
    private String name;
    private String description;
    private final List<Input> inputs = new ArrayList<>();
    private final List<Output> outputs = new ArrayList<>();
    private Resources resources;
    private final List<Executor> executors = new ArrayList<>();
    private final List<String> volumes = new ArrayList<>();
    private final Map<String, String> tags = new LinkedHashMap<>();
    private final List<TaskLog> logs = new ArrayList<>();
    private String creationTime;

    private Builder() {}

    private Builder(Task t) {
      id = t.id;
      state = t.state;
      name = t.name;
      description = t.description;
      inputs.addAll(t.inputs);
      outputs.addAll(t.outputs);
      resources = t.resources;
      executors.addAll(t.executors);
      volumes.addAll(t.volumes);
      tags.putAll(t.tags);
      logs.addAll(t.logs);
      creationTime = t.creationTime;
    }

    public Builder id(String id) {
      this.id = id;
      return this;
    }

    public Builder state(State state) {
      this.state = state;
      return this;
    }

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public Builder description(String description) {
      this.description = description;
      return this;
    }

    public Builder inputs(List<Input> inputs) {
      List<Input> checked = Collections2.requireNoNulls(inputs, "inputs");
      this.inputs.clear();
      this.inputs.addAll(checked);
      return this;
    }

    public Builder addInput(Input input) {
      inputs.add(Objects.requireNonNull(input, "input"));
      return this;
    }

    public Builder outputs(List<Output> outputs) {
      List<Output> checked = Collections2.requireNoNulls(outputs, "outputs");
      this.outputs.clear();
      this.outputs.addAll(checked);
      return this;
    }

    public Builder addOutput(Output output) {
      outputs.add(Objects.requireNonNull(output, "output"));
      return this;
    }

    public Builder resources(Resources resources) {
      this.resources = resources;
      return this;
    }

    public Builder executors(List<Executor> executors) {
      List<Executor> checked = Collections2.requireNoNulls(executors, "executors");
      this.executors.clear();
      this.executors.addAll(checked);
      return this;
    }

    public Builder addExecutor(Executor executor) {
      executors.add(Objects.requireNonNull(executor, "executor"));
      return this;
    }

    public Builder volumes(List<String> volumes) {
      List<String> checked = Collections2.requireNoNulls(volumes, "volumes");
      this.volumes.clear();
      this.volumes.addAll(checked);
      return this;
    }

    public Builder volumes(String... volumes) {
      return volumes(Arrays.asList(volumes));
    }

    /** Adds or replaces one tag; an empty value is allowed. */
    public Builder tag(String key, String value) {
      tags.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Replaces all tags. */
    public Builder tags(Map<String, String> tags) {
      Collections2.requireNoNulls(tags, "tags");
      this.tags.clear();
      this.tags.putAll(tags);
      return this;
    }

    public Builder logs(List<TaskLog> logs) {
      List<TaskLog> checked = Collections2.requireNoNulls(logs, "logs");
      this.logs.clear();
      this.logs.addAll(checked);
      return this;
    }

    public Builder addLog(TaskLog log) {
      logs.add(Objects.requireNonNull(log, "log"));
      return this;
    }

    public Builder creationTime(String creationTime) {
      this.creationTime = creationTime;
      return this;
    }

    public Task build() {
      return new Task(
          id,
          state,
          name,
          description,
          inputs,
          outputs,
          resources,
          executors,
          volumes,
          tags,
          logs,
          creationTime);
    }
  }
}
