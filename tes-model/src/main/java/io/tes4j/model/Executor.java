package io.tes4j.model;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tes4j.model.internal.Collections2;
import io.tes4j.model.internal.Redact;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One container run of a task ({@code tesExecutor}). Executors run one at a time, in order, and the
 * first failure stops the task unless {@link #ignoreError()} is true.
 *
 * <pre>{@code
 * Executor echo = Executor.of("alpine:3.20", "sh", "-c", "echo hello > /out/hello.txt");
 * Executor withEnv = Executor.builder().image("python:3.12").command("python", "/in/run.py")
 *     .workdir("/work").env("MODE", "fast").stdout("/out/run.log").build();
 * }</pre>
 *
 * @param image the container image, as passed to the container runtime (required)
 * @param command the argv; the first element is the program (required, no shell is added)
 * @param workdir the working directory inside the container; the image's default when absent
 * @param stdin absolute container path of a file piped to standard input
 * @param stdout absolute container path that receives standard output
 * @param stderr absolute container path that receives standard error
 * @param env environment variables inside the container, in insertion order
 * @param ignoreError when true, a failure of this executor is recorded and the next one runs
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Executor(
    @JsonProperty("image") String image,
    @JsonProperty("command") @JsonInclude(JsonInclude.Include.ALWAYS) List<String> command,
    @JsonProperty("workdir") String workdir,
    @JsonProperty("stdin") String stdin,
    @JsonProperty("stdout") String stdout,
    @JsonProperty("stderr") String stderr,
    @JsonProperty("env") @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> env,
    @JsonProperty("ignore_error") @JsonAlias("ignoreError") Boolean ignoreError) {

  /** Copies the collections; {@code null} collections become empty. */
  public Executor {
    command = Collections2.list(command);
    env = Collections2.stringMap(env);
  }

  /** Environment values are masked: they routinely hold keys and tokens. */
  @Override
  public String toString() {
    return "Executor[image=" + image + ", command=" + command + ", workdir=" + workdir
        + ", stdin=" + stdin + ", stdout=" + stdout + ", stderr=" + stderr
        + ", env=" + Redact.values(env) + ", ignoreError=" + ignoreError + "]";
  }

  /** An executor that runs {@code command} in {@code image}. */
  public static Executor of(String image, String... command) {
    return builder().image(image).command(command).build();
  }

  /** A new, empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this executor's values. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Builds {@link Executor}s. Not thread-safe; {@link #build()} copies, so it can be reused. */
  public static final class Builder {
    private String image;
    private List<String> command = new ArrayList<>();
    private String workdir;
    private String stdin;
    private String stdout;
    private String stderr;
    private final Map<String, String> env = new LinkedHashMap<>();
    private Boolean ignoreError;

    private Builder() {}

    private Builder(Executor e) {
      image = e.image;
      command = new ArrayList<>(e.command);
      workdir = e.workdir;
      stdin = e.stdin;
      stdout = e.stdout;
      stderr = e.stderr;
      env.putAll(e.env);
      ignoreError = e.ignoreError;
    }

    public Builder image(String image) {
      this.image = image;
      return this;
    }

    public Builder command(String... command) {
      return command(Arrays.asList(command));
    }

    public Builder command(List<String> command) {
      this.command = Collections2.requireNoNulls(command, "command");
      return this;
    }

    public Builder workdir(String workdir) {
      this.workdir = workdir;
      return this;
    }

    public Builder stdin(String stdin) {
      this.stdin = stdin;
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

    /** Adds or replaces one environment variable. */
    public Builder env(String name, String value) {
      env.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Replaces all environment variables. */
    public Builder env(Map<String, String> env) {
      Collections2.requireNoNulls(env, "env");
      this.env.clear();
      this.env.putAll(env);
      return this;
    }

    public Builder ignoreError(Boolean ignoreError) {
      this.ignoreError = ignoreError;
      return this;
    }

    public Executor build() {
      return new Executor(image, command, workdir, stdin, stdout, stderr, env, ignoreError);
    }
  }
}
