package io.tes4j.benchmarks;

import io.tes4j.model.Task;
import io.tes4j.model.TaskValidator;
import io.tes4j.model.TesJson;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What {@code POST /tasks} does with its body before the engine: {@code TaskValidator.readJson}
 * (strict reading, every structural problem with its path, then the task rules), beside the
 * baseline of plain Jackson binding of the same document with no check at all.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ReadTaskBenchmark {
  /** The task {@code server-wrk.sh} posts, and a larger one of the kind a workflow engine sends. */
  @Param({"wrk", "workflow"})
  public String document;

  private String json;

  /** Chooses the document. */
  @org.openjdk.jmh.annotations.Setup
  public void choose() {
    json = switch (document) {
      case "wrk" -> "{\"name\":\"wrk\",\"executors\":[{\"image\":\"alpine:3.20\",\"command\":[\"echo\",\"hello\"]}],"
          + "\"tags\":{\"bench\":\"wrk\"}}";
      case "workflow" -> "{\"name\":\"align sample 7\",\"description\":\"bwa mem, then samtools sort\","
          + "\"inputs\":[{\"name\":\"reads\",\"url\":\"s3://bucket/run/7/reads_1.fq.gz\",\"path\":\"/data/in/reads_1.fq.gz\","
          + "\"type\":\"FILE\"},{\"url\":\"s3://bucket/run/7/reads_2.fq.gz\",\"path\":\"/data/in/reads_2.fq.gz\"},"
          + "{\"url\":\"https://example.org/ref/hg38.fa\",\"path\":\"/data/ref/hg38.fa\"},"
          + "{\"content\":\"sample\\t7\\n\",\"path\":\"/data/in/sheet.tsv\"}],"
          + "\"outputs\":[{\"url\":\"s3://bucket/run/7/out/\",\"path\":\"/data/out/*.bam\",\"path_prefix\":\"/data/out\","
          + "\"type\":\"FILE\"},{\"url\":\"s3://bucket/run/7/log.txt\",\"path\":\"/data/log.txt\"}],"
          + "\"resources\":{\"cpu_cores\":4,\"ram_gb\":8.5,\"disk_gb\":40,\"preemptible\":true,"
          + "\"backend_parameters\":{\"queue\":\"short\"}},"
          + "\"executors\":[{\"image\":\"quay.io/biocontainers/bwa:0.7.17--h7132678_9\",\"command\":[\"bwa\",\"mem\","
          + "\"-t\",\"4\",\"/data/ref/hg38.fa\",\"/data/in/reads_1.fq.gz\",\"/data/in/reads_2.fq.gz\"],"
          + "\"workdir\":\"/data\",\"stdout\":\"/data/out/aligned.sam\",\"stderr\":\"/data/log.txt\","
          + "\"env\":{\"LC_ALL\":\"C\",\"THREADS\":\"4\"}},{\"image\":\"quay.io/biocontainers/samtools:1.17--h00cdaf9_0\","
          + "\"command\":[\"samtools\",\"sort\",\"-o\",\"/data/out/sorted.bam\",\"/data/out/aligned.sam\"],\"workdir\":\"/data\"}],"
          + "\"volumes\":[\"/data/out\"],\"tags\":{\"workflow\":\"align\",\"sample\":\"7\",\"run\":\"2026-12-07\"}}";
      default -> throw new IllegalArgumentException("unknown document " + document);
    };
    if (!TaskValidator.readJson(json).violations().isEmpty()) {
      throw new IllegalStateException("the " + document + " document is not valid: " + TaskValidator.readJson(json).violations());
    }
  }

  /** Strict reading and the task rules, as the server does for every POST. */
  @Benchmark
  public TaskValidator.Checked readJson() {
    return TaskValidator.readJson(json);
  }

  /** The baseline: Jackson binds the document, checking nothing. */
  @Benchmark
  public Task bindOnly() throws IOException {
    return TesJson.reader().forType(Task.class).readValue(json);
  }
}
