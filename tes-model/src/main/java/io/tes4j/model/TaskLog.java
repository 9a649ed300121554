package io.tes4j.model;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tes4j.model.internal.Collections2;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One attempt at running a task ({@code tesTaskLog}). Usually a task has one; a retry appends
 * another.
 *
 * @param logs one entry per executor that started, in order (always written, possibly empty)
 * @param metadata implementation-specific key/values, e.g. a Slurm job id
 * @param startTime when the attempt started, RFC 3339, as the server wrote it
 * @param endTime when the attempt ended, RFC 3339, as the server wrote it
 * @param outputs every uploaded file (always written, possibly empty)
 * @param systemLogs system messages not tied to one executor; only in the FULL view
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record TaskLog(
    @JsonProperty("logs") @JsonInclude(JsonInclude.Include.ALWAYS) List<ExecutorLog> logs,
    @JsonProperty("metadata") @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> metadata,
    @JsonProperty("start_time") @JsonAlias("startTime") String startTime,
    @JsonProperty("end_time") @JsonAlias("endTime") String endTime,
    @JsonProperty("outputs") @JsonInclude(JsonInclude.Include.ALWAYS) List<OutputFileLog> outputs,
    @JsonProperty("system_logs") @JsonAlias("systemLogs") @JsonInclude(JsonInclude.Include.NON_EMPTY)
        List<String> systemLogs) {

  /** Copies the collections; {@code null} collections become empty. */
  public TaskLog {
    logs = Collections2.list(logs);
    metadata = Collections2.stringMap(metadata);
    outputs = Collections2.list(outputs);
    systemLogs = Collections2.list(systemLogs);
  }

  /** A new, empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this log's values. */
  public Builder toBuilder() {
    return new Builder()
        .logs(logs)
        .metadata(metadata)
        .startTime(startTime)
        .endTime(endTime)
        .outputs(outputs)
        .systemLogs(systemLogs);
  }

  /** Builds {@link TaskLog}s. Not thread-safe. */
  public static final class Builder {
    private final List<ExecutorLog> logs = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private String startTime;
    private String endTime;
    private final List<OutputFileLog> outputs = new ArrayList<>();
    private final List<String> systemLogs = new ArrayList<>();

    private Builder() {}

    public Builder logs(List<ExecutorLog> logs) {
      List<ExecutorLog> checked = Collections2.requireNoNulls(logs, "logs");
      this.logs.clear();
      this.logs.addAll(checked);
      return this;
    }

    public Builder addLog(ExecutorLog log) {
      logs.add(Objects.requireNonNull(log, "log"));
      return this;
    }

    public Builder metadata(Map<String, String> metadata) {
      Collections2.requireNoNulls(metadata, "metadata");
      this.metadata.clear();
      this.metadata.putAll(metadata);
      return this;
    }

    public Builder metadata(String key, String value) {
      metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    public Builder startTime(String startTime) {
      this.startTime = startTime;
      return this;
    }

    public Builder endTime(String endTime) {
      this.endTime = endTime;
      return this;
    }

    public Builder outputs(List<OutputFileLog> outputs) {
      List<OutputFileLog> checked = Collections2.requireNoNulls(outputs, "outputs");
      this.outputs.clear();
      this.outputs.addAll(checked);
      return this;
    }

    public Builder addOutput(OutputFileLog output) {
      outputs.add(Objects.requireNonNull(output, "output"));
      return this;
    }

    public Builder systemLogs(List<String> systemLogs) {
      List<String> checked = Collections2.requireNoNulls(systemLogs, "systemLogs");
      this.systemLogs.clear();
      this.systemLogs.addAll(checked);
      return this;
    }

    public Builder addSystemLog(String line) {
      systemLogs.add(Objects.requireNonNull(line, "line"));
      return this;
    }

    public TaskLog build() {
      return new TaskLog(logs, metadata, startTime, endTime, outputs, systemLogs);
    }
  }
}
