package io.tes4j.benchmarks;

import io.tes4j.engine.TesEngine;
import io.tes4j.model.Executor;
import io.tes4j.model.Task;
import io.tes4j.testing.MockBackend;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Tasks per second from createTask to COMPLETE, through a TesEngine over the MockBackend with no
 * delay (so the engine and its in-memory store are what is measured): each invocation creates a
 * batch of tasks and waits, through a listener, until all of them are COMPLETE. A new engine per
 * iteration keeps the store from growing across iterations.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class EngineThroughputBenchmark {
  static final int BATCH = 1000;

  private static final Task TASK =
      Task.builder().name("bench").addExecutor(Executor.of("alpine:3.20", "echo", "hello")).tag("bench", "yes").build();

  private TesEngine engine;
  private volatile CountDownLatch completed;

  /** A new engine over a mock backend that completes every task at once. */
  @Setup(Level.Iteration)
  public void open() {
    engine = TesEngine.builder()
        .backend(MockBackend.builder().delay(Duration.ZERO).record(false).build())
        .listener((id, from, to) -> {
          if (to.isTerminal()) {
            completed.countDown();
          }
        })
        .build();
  }

  /** Closes the iteration's engine. */
  @TearDown(Level.Iteration)
  public void close() {
    engine.close();
  }

  /** Creates {@value #BATCH} tasks and waits until all are COMPLETE. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void createToComplete() throws InterruptedException {
    CountDownLatch latch = new CountDownLatch(BATCH);
    completed = latch;
    for (int i = 0; i < BATCH; i++) {
      engine.createTask(TASK);
    }
    if (!latch.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("tasks did not complete: " + latch.getCount() + " left");
    }
  }
}
