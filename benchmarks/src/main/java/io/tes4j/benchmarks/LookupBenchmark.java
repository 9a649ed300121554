package io.tes4j.benchmarks;

import io.tes4j.api.ListTasksRequest;
import io.tes4j.engine.TesEngine;
import io.tes4j.model.ListTasksResponse;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import io.tes4j.store.MemoryTaskStore;
import io.tes4j.testing.MockBackend;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * getTask and a ListTasks page of 100 on an engine whose in-memory store holds a million finished
 * tasks: a random task, the first page, and a page from a random position (through its token).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
public class LookupBenchmark {
  /** How many finished tasks the store holds. */
  @Param("1000000")
  public int tasks;

  private TesEngine engine;
  private String[] ids;
  private ListTasksRequest page100;
  private ListTasksRequest pageMinimal;

  /** Fills the store and opens the engine on it. */
  @Setup(Level.Trial)
  public void open() {
    MemoryTaskStore store = new MemoryTaskStore();
    ids = StoredTasks.fill(store, tasks);
    engine = TesEngine.builder().backend(MockBackend.builder().delay(Duration.ZERO).record(false).build()).store(store).build();
    page100 = ListTasksRequest.builder().pageSize(100).view(View.BASIC).build();
    pageMinimal = ListTasksRequest.builder().pageSize(100).build();
  }

  /** Closes the engine. */
  @TearDown(Level.Trial)
  public void close() {
    engine.close();
  }

  /** One random task, FULL view. */
  @Benchmark
  public Task getTaskFull() {
    return engine.getTask(ids[ThreadLocalRandom.current().nextInt(ids.length)], View.FULL);
  }

  /** One random task, MINIMAL view. */
  @Benchmark
  public Task getTaskMinimal() {
    return engine.getTask(ids[ThreadLocalRandom.current().nextInt(ids.length)], View.MINIMAL);
  }

  /** The newest 100 tasks, BASIC view. */
  @Benchmark
  public ListTasksResponse listFirstPage100() {
    return engine.listTasks(page100);
  }

  /** The newest 100 tasks, MINIMAL view (the spec's default). */
  @Benchmark
  public ListTasksResponse listFirstPage100Minimal() {
    return engine.listTasks(pageMinimal);
  }

  /** 100 tasks after a random one (its page token), BASIC view. */
  @Benchmark
  public ListTasksResponse listPage100FromAToken() {
    String after = ids[ThreadLocalRandom.current().nextInt(100, ids.length)];
    return engine.listTasks(page100.withPageToken(io.tes4j.engine.internal.PageTokens.encode(after)));
  }

  /** A page of 100 with a tag filter that one task in ten matches, MINIMAL view. */
  @Benchmark
  public ListTasksResponse listPage100WithATagFilter() {
    return engine.listTasks(ListTasksRequest.builder().pageSize(100).tag("project", "p3").build());
  }
}
