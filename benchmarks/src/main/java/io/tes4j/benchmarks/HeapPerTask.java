package io.tes4j.benchmarks;

import io.tes4j.engine.TesEngine;
import io.tes4j.store.MemoryTaskStore;
import io.tes4j.testing.MockBackend;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Heap per finished task: runs N tasks (default 1,000,000; each read from its own JSON, so no string
 * is shared) through a TesEngine over the MockBackend with no delay, waits until all are COMPLETE,
 * and reports the heap used after GC, over the heap used before, per task. Also reports tasks per
 * second. Run with {@code java -Xmx4g -cp benchmarks/target/benchmarks.jar
 * io.tes4j.benchmarks.HeapPerTask [N]}.
 */
public final class HeapPerTask {
  private HeapPerTask() {}

  /**
   * Runs the measure.
   *
   * @param args the number of tasks, optional
   * @throws InterruptedException when interrupted while waiting
   */
  public static void main(String[] args) throws InterruptedException {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    MemoryTaskStore store = new MemoryTaskStore();
    CountDownLatch done = new CountDownLatch(count);
    long before = usedAfterGc(memory);
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpuStart = os.getProcessCpuTime();
    long start = System.nanoTime();
    try (TesEngine engine = TesEngine.builder()
        .backend(MockBackend.builder().delay(Duration.ZERO).record(false).build())
        .store(store)
        .listener((id, from, to) -> {
          if (to.isTerminal()) {
            done.countDown();
          }
        })
        .build()) {
      for (int i = 0; i < count; i++) {
        engine.createTask(StoredTasks.submitted(i));
      }
      if (!done.await(10, TimeUnit.MINUTES)) {
        throw new IllegalStateException(done.getCount() + " tasks did not end");
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double cpu = (os.getProcessCpuTime() - cpuStart) / 1e9;
      long after = usedAfterGc(memory);
      System.out.printf(Locale.ROOT, "%d tasks created, run and COMPLETE in %.1f s: %.0f tasks/s; %.1f µs of CPU per task"
          + " (every thread, GC and JSON reading included)%n", count, seconds, count / seconds, cpu * 1e6 / count);
      System.out.printf(Locale.ROOT, "heap used after GC: %.1f MiB before, %.1f MiB after: %.0f bytes per finished task%n",
          before / 1048576.0, after / 1048576.0, (after - before) / (double) count);
      System.out.println("stored: " + store.count() + "; a task: " + engine.getTask(engine.listTasks(
          io.tes4j.api.ListTasksRequest.all()).tasks().get(0).id()));
      if (args.length > 1 && args[1].equals("hold")) {
        System.out.println("holding for 120 s (jcmd " + ProcessHandle.current().pid() + " GC.class_histogram)");
        Thread.sleep(120_000);
      }
    }
  }

  private static long usedAfterGc(MemoryMXBean memory) throws InterruptedException {
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(100); // lets the collector finish its concurrent work between calls
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
