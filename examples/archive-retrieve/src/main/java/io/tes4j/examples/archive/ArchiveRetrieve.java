package io.tes4j.examples.archive;

import io.tes4j.api.TesClient;
import io.tes4j.model.Executor;
import io.tes4j.model.ExecutorLog;
import io.tes4j.model.Input;
import io.tes4j.model.Output;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.TaskLog;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Archives local files into S3 and retrieves some of them, one TES task per file, with the
 * engine's per-tag limits: tasks tagged {@code flow=archive} run at most two at once, {@code
 * flow=retrieve} one at a time, whatever else runs.
 *
 * <ul>
 *   <li>An <b>archive</b> task reads the file (a {@code file:} input), writes its SHA-256 beside
 *       it, and both are outputs to {@code S3_PREFIX/NAME} and {@code S3_PREFIX/NAME.sha256}.
 *   <li>A <b>retrieve</b> task reads both from S3, checks the file against its checksum ({@code
 *       sha256sum -c}: a damaged copy fails the task), and writes it to {@code RESTORE_DIR/NAME}.
 * </ul>
 *
 * <pre>
 * AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... [AWS_ENDPOINT_URL=http://minio:9000] \
 *   java -jar examples/archive-retrieve/target/archive-retrieve.jar [--backend=URI] [--retrieve=N] \
 *   S3_PREFIX RESTORE_DIR FILE...
 * </pre>
 */
public final class ArchiveRetrieve {
  /** Host processes; at most 2 archive tasks and 1 retrieve task started at once. */
  public static final String DEFAULT_BACKEND = "local:?runtime=host&tagLimit.flow=archive:2,retrieve:1";

  /** The tasks of a run, FULL view, in submission order. */
  public record Summary(List<Task> archived, List<Task> retrieved) {
    public boolean complete() {
      return archived.stream().allMatch(t -> t.state() == State.COMPLETE)
          && retrieved.stream().allMatch(t -> t.state() == State.COMPLETE);
    }
  }

  private ArchiveRetrieve() {}

  public static void main(String[] args) throws Exception {
    String backend = DEFAULT_BACKEND;
    int retrieve = Integer.MAX_VALUE;
    List<String> rest = new ArrayList<>(Arrays.asList(args));
    while (!rest.isEmpty() && rest.get(0).startsWith("--")) {
      String option = rest.remove(0);
      if (option.startsWith("--backend=")) {
        backend = option.substring("--backend=".length());
      } else if (option.startsWith("--retrieve=")) {
        retrieve = Integer.parseInt(option.substring("--retrieve=".length()));
      } else {
        rest.clear(); // an unknown option: show the usage
      }
    }
    if (rest.size() < 3) {
      System.err.println("usage: archive-retrieve [--backend=URI] [--retrieve=N] S3_PREFIX RESTORE_DIR FILE...");
      System.exit(2);
    }
    List<Path> files = rest.subList(2, rest.size()).stream().map(Path::of).toList();
    Summary summary;
    // With local:, the S3 keys and endpoint come from this process's AWS_* variables.
    try (TesClient tes = TesClient.connect(backend)) {
      summary = run(tes, files, files.subList(0, Math.min(retrieve, files.size())), rest.get(0),
          Path.of(rest.get(1)), Duration.ofHours(1));
    }
    print(summary, System.out);
    System.exit(summary.complete() ? 0 : 1);
  }

  /**
   * Submits an archive task per file of {@code archive}; as soon as the archive of a file of
   * {@code retrieve} is COMPLETE, submits its retrieve task. Returns when every task has ended.
   */
  public static Summary run(TesClient tes, List<Path> archive, List<Path> retrieve, String s3Prefix, Path restoreDir,
      Duration timeout) {
    String prefix = s3Prefix.endsWith("/") ? s3Prefix : s3Prefix + "/";
    Map<Path, String> archiving = new LinkedHashMap<>();
    for (Path file : archive) {
      archiving.put(file, tes.createTask(archiveTask(file.toAbsolutePath(), prefix)));
    }
    // The engine admits them two at a time; submitting all at once is what the limit is for.
    List<String> retrieving = new ArrayList<>();
    for (Path file : retrieve) {
      String id = archiving.get(file);
      if (id == null) {
        throw new IllegalArgumentException(file + " is retrieved but not archived");
      }
      if (tes.await(id, timeout).state() == State.COMPLETE) {
        retrieving.add(tes.createTask(retrieveTask(file.getFileName().toString(), prefix, restoreDir.toAbsolutePath())));
      }
    }
    List<Task> archived = archiving.values().stream().map(id -> tes.await(id, timeout)).toList();
    List<Task> retrieved = retrieving.stream().map(id -> tes.await(id, timeout)).toList();
    return new Summary(archived, retrieved);
  }

  static Task archiveTask(Path file, String prefix) {
    String name = file.getFileName().toString();
    return Task.builder()
        .name("archive " + name)
        .tag("flow", "archive")
        .addInput(Input.ofUrl(file.toUri().toString(), "/data/" + name))
        .addOutput(Output.of("/out/" + name, prefix + name))
        .addOutput(Output.of("/out/" + name + ".sha256", prefix + name + ".sha256"))
        // The name goes in as a variable, never into the script's text: any file name is safe.
        .addExecutor(Executor.builder().image("alpine:3.20").env("NAME", name)
            .command("sh", "-c", "mkdir -p /out && cd /data && sha256sum \"$NAME\" > \"/out/$NAME.sha256\" && cp \"$NAME\" /out/")
            .build())
        .build();
  }

  static Task retrieveTask(String name, String prefix, Path restoreDir) {
    return Task.builder()
        .name("retrieve " + name)
        .tag("flow", "retrieve")
        .addInput(Input.ofUrl(prefix + name, "/archive/" + name))
        .addInput(Input.ofUrl(prefix + name + ".sha256", "/archive/" + name + ".sha256"))
        .addOutput(Output.of("/out/" + name, restoreDir.resolve(name).toUri().toString()))
        .addExecutor(Executor.builder().image("alpine:3.20").env("NAME", name)
            .command("sh", "-c", "cd /archive && sha256sum -c \"$NAME.sha256\" && mkdir -p /out && cp \"$NAME\" /out/")
            .build())
        .build();
  }

  /**
   * The most tasks that ran at once, from their logs' start and end times (what any TES server
   * reports): an end and a start at the same instant do not overlap.
   */
  public static int mostAtOnce(List<Task> tasks) {
    record Edge(Instant at, int step) {}
    List<Edge> edges = new ArrayList<>();
    for (Task task : tasks) {
      TaskLog log = task.lastLog().orElse(null);
      if (log != null && log.startTime() != null && log.endTime() != null) {
        edges.add(new Edge(Instant.parse(log.startTime()), 1));
        edges.add(new Edge(Instant.parse(log.endTime()), -1));
      }
    }
    edges.sort(Comparator.comparing(Edge::at).thenComparing(Edge::step)); // ends (-1) before starts
    int now = 0;
    int most = 0;
    for (Edge edge : edges) {
      now += edge.step();
      most = Math.max(most, now);
    }
    return most;
  }

  public static void print(Summary summary, PrintStream out) {
    List<Task> all = new ArrayList<>(summary.archived());
    all.addAll(summary.retrieved());
    for (Task task : all) {
      // Why a task failed: its system logs (staging) and its executor's stderr (a checksum mismatch).
      List<String> why = new ArrayList<>();
      if (task.state() != State.COMPLETE) {
        task.lastLog().ifPresent(log -> {
          why.addAll(log.systemLogs());
          log.logs().stream().map(ExecutorLog::stderr).filter(e -> e != null && !e.isBlank()).forEach(e -> why.add(e.strip()));
        });
      }
      out.printf("%-26s %-14s %s%s%n", task.id(), task.state(), task.name(), why.isEmpty() ? "" : " " + why);
    }
    out.printf("archive: %d tasks, at most %d at once%n", summary.archived().size(), mostAtOnce(summary.archived()));
    out.printf("retrieve: %d tasks, at most %d at once%n", summary.retrieved().size(), mostAtOnce(summary.retrieved()));
  }
}
