package io.tes4j.benchmarks;

import io.tes4j.engine.TesEngine;
import io.tes4j.model.Executor;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs batches of short tasks (one executor, {@code true}) through one long-lived {@link TesEngine}
 * over {@code local:?runtime=host}, and prints how long each batch took from the first {@code
 * createTask} to the last task's end, so that {@code host-tasks.sh} can set it beside {@code xargs
 * -P} over {@code unshare} running {@code true} the same number of times, under the same load.
 *
 * <pre>
 * java -cp tes-cli/target/tes4j.jar:benchmarks/target/classes io.tes4j.benchmarks.HostTasks WORKDIR RUNNING [SANDBOX]
 * </pre>
 *
 * <p>{@code SANDBOX} is the backend's {@code sandbox} parameter ({@code auto}, the default, {@code
 * bwrap} or {@code unshare}).
 *
 * <p>Builds the engine with at most {@code RUNNING} tasks admitted at once and work directories
 * under {@code WORKDIR}, prints {@code ready}, then reads one batch size per line of standard input
 * and answers each with {@code done N SECONDS CPU_SECONDS JVM_CPU_SECONDS} once the N tasks ended
 * (or {@code failed MESSAGE}, when one did not end COMPLETE), until its input ends. {@code
 * CPU_SECONDS} is the CPU time (user and system) the batch cost this JVM and every process it
 * started and waited for (the executors and their sandboxes' set-up); {@code JVM_CPU_SECONDS} the
 * part of it that this JVM spent itself (the engine, the backend, JIT and GC).
 */
public final class HostTasks {
  private HostTasks() {}

  /**
   * Runs the batches.
   *
   * @param args WORKDIR, RUNNING, and optionally SANDBOX
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 2 || args.length > 3 || !args[1].matches("[1-9][0-9]{0,5}")
        || args.length == 3 && !args[2].matches("auto|bwrap|unshare")) {
      System.err.println(
          "usage: HostTasks WORKDIR RUNNING [auto|bwrap|unshare]   (batch sizes on standard input, one per line)");
      System.exit(2);
    }
    Path workdir = Files.createDirectories(Path.of(args[0]).toAbsolutePath());
    String uri = "local:?runtime=host&sandbox=" + (args.length == 3 ? args[2] : "auto")
        + "&workdir=" + URLEncoder.encode(workdir.toString(), StandardCharsets.UTF_8);
    Task task = Task.builder().name("true").addExecutor(Executor.of("alpine", "true")).build();
    try (TesEngine engine = TesEngine.builder().backend(uri).maxRunning(Integer.parseInt(args[1])).build()) {
      System.out.println("ready");
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line; (line = in.readLine()) != null; ) {
        if (!line.strip().matches("[1-9][0-9]{0,6}")) {
          System.out.println("failed expected a number of tasks, got: " + line);
          continue;
        }
        System.out.println(batch(engine, task, Integer.parseInt(line.strip())));
      }
    }
  }

  /** Creates {@code count} tasks at once, waits for them all: {@code done N SECONDS CPU_SECONDS}. */
  private static String batch(TesEngine engine, Task task, int count) throws IOException {
    long[] cpuBefore = cpuTicks();
    long start = System.nanoTime();
    List<String> ids = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ids.add(engine.createTask(task));
    }
    for (String id : ids) {
      Task done = engine.await(id, Duration.ofMinutes(10));
      if (done.state() != State.COMPLETE) {
        return "failed task " + id + " ended " + done.state() + ": " + done.logs();
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long[] cpuAfter = cpuTicks();
    double jvm = (cpuAfter[0] - cpuBefore[0]) / (double) TICKS_PER_SECOND;
    double children = (cpuAfter[1] - cpuBefore[1]) / (double) TICKS_PER_SECOND;
    return String.format(Locale.ROOT, "done %d %.3f %.3f %.3f", count, seconds, jvm + children, jvm);
  }

  /** Linux's USER_HZ, the unit of the times in {@code /proc/PID/stat}: 100 on every architecture it runs on. */
  private static final int TICKS_PER_SECOND = 100;

  /**
   * The CPU time of this process ({@code utime} and {@code stime} of {@code /proc/self/stat}) and
   * of its children that ended and were waited for ({@code cutime} and {@code cstime}), in ticks.
   */
  private static long[] cpuTicks() throws IOException {
    String stat = Files.readString(Path.of("/proc/self/stat"));
    // the fields after the command name, which is in parentheses and may hold spaces: state is field 3
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long own = Long.parseLong(fields[14 - 3]) + Long.parseLong(fields[15 - 3]);
    long children = Long.parseLong(fields[16 - 3]) + Long.parseLong(fields[17 - 3]);
    return new long[] {own, children};
  }
}
