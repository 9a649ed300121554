package io.tes4j.model;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What happened to one executor ({@code tesExecutorLog}).
 *
 * <p>{@code exit_code} is required by the spec, but servers report executors that are still
 * running without one, so it is an {@code Integer} that may be {@code null}. {@code stdout} and
 * {@code stderr} are convenience copies (a head, a tail or a URL) and are left out of the BASIC view.
 *
 * @param startTime when the executor started, RFC 3339, exactly as the server wrote it
 * @param endTime when the executor ended, RFC 3339, exactly as the server wrote it
 * @param stdout some of the standard output
 * @param stderr some of the standard error
 * @param exitCode the exit code, or {@code null} while unknown
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ExecutorLog(
    @JsonProperty("start_time") @JsonAlias("startTime") String startTime,
    @JsonProperty("end_time") @JsonAlias("endTime") String endTime,
    @JsonProperty("stdout") String stdout,
    @JsonProperty("stderr") String stderr,
    @JsonProperty("exit_code") @JsonAlias("exitCode") Integer exitCode) {

  /** A new, empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this log's values. */
  public Builder toBuilder() {
    return new Builder()
        .startTime(startTime)
        .endTime(endTime)
        .stdout(stdout)
        .stderr(stderr)
        .exitCode(exitCode);
  }

  /** Builds {@link ExecutorLog}s. Not thread-safe. */
  public static final class Builder {
    private String startTime;
    private String endTime;
    private String stdout;
    private String stderr;
    private Integer exitCode;

    private Builder() {}

    public Builder startTime(String startTime) {
      this.startTime = startTime;
      return this;
    }

    public Builder endTime(String endTime) {
      this.endTime = endTime;
      return this;
    }

    public Builder stdout(String stdout) {
      this.stdout = stdout;
      return this;
    }

    public Builder stderr(String stderr) {
      this.stderr = stderr;
      return this;
    }

    public Builder exitCode(Integer exitCode) {
      this.exitCode = exitCode;
      return this;
    }

    public ExecutorLog build() {
      return new ExecutorLog(startTime, endTime, stdout, stderr, exitCode);
    }
  }
}
