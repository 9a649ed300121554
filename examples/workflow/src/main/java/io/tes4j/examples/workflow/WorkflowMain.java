package io.tes4j.examples.workflow;

import io.tes4j.api.TesClient;
import io.tes4j.examples.workflow.Workflow.Status;
import io.tes4j.examples.workflow.Workflow.Step;
import io.tes4j.examples.workflow.Workflow.StepResult;
import io.tes4j.model.Input;
import io.tes4j.model.Task;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Runs a diamond: {@code fetch} a text, then two analyses of it at once ({@code count}: lines and
 * words; {@code top-words}: the two most frequent words), then {@code merge} them into a report.
 *
 * <pre>
 * java -jar examples/workflow/target/workflow.jar [BACKEND [STORAGE [SOURCE]]]
 *   BACKEND  default local:?runtime=host; also local: (containers), mock: (a dry run),
 *            https://tes.example.org/ga4gh/tes/v1 (a TES server)
 *   STORAGE  default a new file: directory; s3://bucket/prefix/ or ftp://host/dir/ work the same
 *   SOURCE   the text to analyse, default file:///etc/hosts
 * </pre>
 */
public final class WorkflowMain {
  private WorkflowMain() {}

  /** The demo graph; {@code source} is any URL the backend can fetch. */
  static Workflow diamond(String source) {
    return new Workflow("demo", "alpine:3.20", List.of(
        new Step("fetch", List.of(), List.of(Input.ofUrl(source, "/in/source.txt")),
            "tr 'A-Z' 'a-z' < /in/source.txt > /out/text.txt", List.of("text.txt")),
        new Step("count", List.of("fetch"), List.of(),
            "printf 'lines: %s\\nwords: %s\\n' $(wc -l < /in/fetch/text.txt) $(wc -w < /in/fetch/text.txt)"
                + " > /out/counts.txt",
            List.of("counts.txt")),
        new Step("top-words", List.of("fetch"), List.of(),
            // One word a line, counted, most frequent first; "WORD: N" for the first two.
            "tr -cs 'a-z' '\\n' < /in/fetch/text.txt | grep . | sort | uniq -c | sort -k1,1nr -k2"
                + " | head -n 2 | awk '{ print $2 \": \" $1 }' > /out/top.txt",
            List.of("top.txt")),
        new Step("merge", List.of("count", "top-words"), List.of(),
            "cat /in/count/counts.txt /in/top-words/top.txt > /out/report.txt", List.of("report.txt"))));
  }

  public static void main(String[] args) throws Exception {
    int code = run(args, System.out);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Runs the demo and prints its summary; returns the exit code: 0 when every step completed. */
  static int run(String[] args, PrintStream out) throws IOException, InterruptedException {
    String backend = args.length > 0 ? args[0] : "local:?runtime=host";
    String storage = args.length > 1 ? args[1] : Files.createTempDirectory("tes4j-workflow").toUri().toString();
    String source = args.length > 2 ? args[2] : "file:///etc/hosts";
    storage = storage.endsWith("/") ? storage : storage + "/";

    Map<String, StepResult> results;
    try (TesClient tes = TesClient.connect(backend)) {
      results = diamond(source).run(tes, storage, Duration.ofMinutes(10));
    }

    out.printf("%-10s %-9s %-27s %s%n", "STEP", "STATUS", "TASK", "TIME / WHY");
    for (StepResult r : results.values()) {
      out.printf("%-10s %-9s %-27s %s%n", r.step(), r.status(), r.task() == null ? "-" : r.task().id(),
          r.status() == Status.COMPLETE ? seconds(r.task()) : r.detail());
    }
    boolean complete = results.values().stream().allMatch(r -> r.status() == Status.COMPLETE);
    out.println(complete ? "report: " + storage + "merge/report.txt" : "the workflow failed");
    return complete ? 0 : 1;
  }

  private static String seconds(Task task) {
    return task.lastLog()
        .filter(log -> log.startTime() != null && log.endTime() != null)
        .map(log -> Duration.between(Instant.parse(log.startTime()), Instant.parse(log.endTime())).toMillis() / 1000.0 + " s")
        .orElse("");
  }
}
