package io.tes4j.benchmarks;

import io.tes4j.engine.internal.TaskIds;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.TaskLog;
import io.tes4j.store.JdbcTaskStore;
import io.tes4j.store.MemoryTaskStore;
import io.tes4j.store.StoredTask;
import io.tes4j.store.TaskStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A task store alone, as the engine writes it: each operation inserts a task INITIALIZING and then
 * ends it COMPLETE, two writes the caller waits for, from 8 threads at once (about what {@code
 * POST /tasks} at {@code -c16} gives the store: half of the clients wait for each commit). On
 * SQLite (a file in the temporary directory, {@code synchronous=FULL}: every write durable when the
 * call returns) the writer commits what waits together; the memory store is the baseline. The
 * SQLite score is the most tasks per second its writer can take at this concurrency on this
 * machine, with no server, HTTP or backend beside it.
 */
@org.openjdk.jmh.annotations.State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 4, time = 5)
@Fork(1)
@Threads(8)
public class StoreWriteBenchmark {
  /** {@code memory} or {@code sqlite}. */
  @Param({"memory", "sqlite"})
  public String store;

  private TaskStore taskStore;
  private Path directory;
  private final TaskIds ids = new TaskIds();
  private final AtomicInteger made = new AtomicInteger();

  /** Opens the store (a new SQLite file in a new temporary directory). */
  @Setup(Level.Trial)
  public void open() throws IOException {
    if (store.equals("sqlite")) {
      directory = Files.createTempDirectory("tes4j-store-bench");
      taskStore = JdbcTaskStore.open("jdbc:sqlite:" + directory.resolve("tasks.db"));
    } else {
      taskStore = new MemoryTaskStore();
    }
  }

  /** Closes the store and deletes the SQLite file. */
  @TearDown(Level.Trial)
  public void close() throws IOException {
    taskStore.close();
    if (directory != null) {
      try (Stream<Path> files = Files.walk(directory)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(file);
        }
      }
    }
  }

  /** One task inserted INITIALIZING, as {@code POST /tasks} does: the write a client waits for. */
  @Benchmark
  public void insert() {
    taskStore.insert(new StoredTask(started(made.incrementAndGet()), null));
  }

  /** One task inserted INITIALIZING, then ended COMPLETE: two durable writes, one after the other. */
  @Benchmark
  public void insertThenEnd() {
    int i = made.incrementAndGet();
    Task started = started(i);
    taskStore.insert(new StoredTask(started, null));
    Task ended = started.toBuilder()
        .state(State.COMPLETE)
        .logs(List.of(TaskLog.builder()
            .startTime("2026-12-07T22:00:00.001Z")
            .endTime("2026-12-07T22:00:00.002Z")
            .build()))
        .build();
    taskStore.update(new StoredTask(ended, "mock-" + i));
  }

  /** The {@code i}-th task as the engine inserts it when it starts at once: INITIALIZING, with a new id. */
  private Task started(int i) {
    return StoredTasks.submitted(i).toBuilder()
        .id(ids.next(System.currentTimeMillis()))
        .state(State.INITIALIZING)
        .creationTime("2026-12-07T22:00:00.000Z")
        .build();
  }
}
