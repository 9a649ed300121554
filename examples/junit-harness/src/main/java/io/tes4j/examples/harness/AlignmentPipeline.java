package io.tes4j.examples.harness;

import io.tes4j.api.TesClient;
import io.tes4j.api.TesTimeoutException;
import io.tes4j.model.Executor;
import io.tes4j.model.ExecutorLog;
import io.tes4j.model.FileType;
import io.tes4j.model.Input;
import io.tes4j.model.Output;
import io.tes4j.model.OutputFileLog;
import io.tes4j.model.Resources;
import io.tes4j.model.Task;
import io.tes4j.model.TaskLog;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * "User code" under test: aligns one sample's reads to a reference with {@code bwa mem} on any TES
 * service, and turns the task's end into a result the rest of the application understands. A
 * failure of the infrastructure (SYSTEM_ERROR, PREEMPTED) is tried again; a failure of the tool
 * (EXECUTOR_ERROR) is not, since the same input fails the same way.
 */
public final class AlignmentPipeline {
  static final String IMAGE = "quay.io/biocontainers/bwa:0.7.17--h7132678_9";

  /** How an alignment ended. */
  public sealed interface Result permits Aligned, Failed, Cancelled {}

  /** The SAM file is at {@code url}, {@code bytes} long; {@code attempts} tasks were needed. */
  public record Aligned(String url, long bytes, int attempts) implements Result {}

  /** It failed for {@code reason}, after {@code attempts} tasks. */
  public record Failed(String reason, int attempts) implements Result {}

  /** The task was cancelled: by this pipeline after its timeout, or by someone else. */
  public record Cancelled(String taskId, String reason) implements Result {}

  private final TesClient tes;
  private final Duration timeout;
  private final int maxAttempts;

  /**
   * @param timeout how long one attempt may take before its task is cancelled
   * @param maxAttempts attempts when the infrastructure fails, at least 1
   */
  public AlignmentPipeline(TesClient tes, Duration timeout, int maxAttempts) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
    }
    this.tes = tes;
    this.timeout = timeout;
    this.maxAttempts = maxAttempts;
  }

  /**
   * Aligns {@code readsUrl} (FASTQ) to the reference in the directory {@code referenceUrl} ({@code
   * genome.fa} and its {@code bwa index} files); the SAM file goes to {@code outputPrefix/SAMPLE.sam}.
   */
  public Result align(String sample, String readsUrl, String referenceUrl, String outputPrefix) {
    String samUrl = outputPrefix.replaceAll("/+$", "") + "/" + sample + ".sam";
    Task task = Task.builder()
        .name("align-" + sample)
        .tag("pipeline", "alignment")
        .tag("sample", sample)
        .addInput(Input.ofUrl(readsUrl, "/data/reads.fq.gz"))
        .addInput(Input.builder().url(referenceUrl).path("/ref").type(FileType.DIRECTORY).build())
        .addOutput(Output.of("/out/" + sample + ".sam", samUrl))
        .addExecutor(Executor.of(IMAGE, "sh", "-c",
            "mkdir -p /out && bwa mem -t 4 /ref/genome.fa /data/reads.fq.gz > /out/" + sample + ".sam"))
        .resources(Resources.builder().cpuCores(4.0).ramGb(8.0).build())
        .build();

    String why = "";
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      String id = tes.createTask(task);
      Task done;
      try {
        done = tes.await(id, timeout);
      } catch (TesTimeoutException e) {
        tes.cancelTask(id); // do not leave it running (and billed) after giving up on it
        return new Cancelled(id, "no result after " + timeout + ", cancelled");
      }
      TaskLog log = done.lastLog().orElse(TaskLog.builder().build());
      switch (done.state()) {
        case COMPLETE:
          long bytes = log.outputs().stream().filter(o -> samUrl.equals(o.url()))
              .map(OutputFileLog::sizeBytes).findFirst().orElse(0L);
          return new Aligned(samUrl, bytes, attempt);
        case EXECUTOR_ERROR:
          return new Failed("bwa failed" + lastFailure(log).map(e -> " with exit code " + e.exitCode()
              + ": " + lastLine(e.stderr())).orElse(""), attempt);
        case CANCELED:
          return new Cancelled(id, "cancelled by someone else");
        case SYSTEM_ERROR:
        case PREEMPTED:
          why = done.state() + (log.systemLogs().isEmpty() ? "" : ": " + String.join("; ", log.systemLogs()));
          break; // the infrastructure failed, not bwa: leave the switch, and the loop tries again
        default:
          throw new IllegalStateException("await returned task " + id + " in the state " + done.state());
      }
    }
    return new Failed("gave up after " + maxAttempts + " attempts, the last " + why, maxAttempts);
  }

  private static Optional<ExecutorLog> lastFailure(TaskLog log) {
    List<ExecutorLog> failed = log.logs().stream().filter(e -> e.exitCode() != null && e.exitCode() != 0).toList();
    return failed.isEmpty() ? Optional.empty() : Optional.of(failed.get(failed.size() - 1));
  }

  private static String lastLine(String text) {
    String[] lines = text == null ? new String[0] : text.strip().split("\n");
    return lines.length == 0 ? "" : lines[lines.length - 1];
  }
}
