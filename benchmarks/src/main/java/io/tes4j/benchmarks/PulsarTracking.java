package io.tes4j.benchmarks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tes4j.engine.TesEngine;
import io.tes4j.model.Executor;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * What an engine holds and sends for many running Pulsar tasks: starts a stand-in for Pulsar's REST
 * routes on 127.0.0.1 (setup, upload, submit answered at once; every status {@code running}, so no
 * task ends), submits N tasks (default 10,000) to a {@code pulsar+http:} engine over it, waits until
 * every one is RUNNING, and reports the heap used after GC over the heap used before, per task; then
 * counts the status requests of the next {@code SECONDS} (default 10) against {@code
 * maxPollsPerSecond}, and the requests per task by route. Run with {@code java -cp
 * benchmarks/target/benchmarks.jar io.tes4j.benchmarks.PulsarTracking [N] [SECONDS]
 * [MAX_POLLS_PER_SECOND]}.
 */
public final class PulsarTracking {
  private PulsarTracking() {}

  /**
   * Runs the measure.
   *
   * @param args the number of tasks, the seconds of status requests counted, the poll rate; optional
   * @throws Exception when the stand-in cannot start or the wait is interrupted
   */
  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int pollRate = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    // Without it, the JDK's server holds each small answer for a delayed ACK (about 40 ms).
    System.setProperty("sun.net.httpserver.nodelay", "true");
    Map<String, LongAdder> calls = new ConcurrentHashMap<>();
    HttpServer pulsar = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
    pulsar.setExecutor(Executors.newFixedThreadPool(4));
    pulsar.createContext("/", exchange -> answer(exchange, calls));
    pulsar.start();
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long before = usedAfterGc(memory);
    CountDownLatch running = new CountDownLatch(count);
    String uri = "pulsar+http://127.0.0.1:" + pulsar.getAddress().getPort() + "/?pollInterval=1s&maxPollsPerSecond="
        + pollRate;
    long start = System.nanoTime();
    try (TesEngine engine = TesEngine.builder()
        .backend(uri)
        .listener((id, from, to) -> {
          if (to == State.RUNNING) {
            running.countDown();
          }
        })
        .build()) {
      for (int i = 0; i < count; i++) {
        engine.createTask(Task.builder().name("tracked-" + i).tag("n", Integer.toString(i))
            .addExecutor(Executor.of("alpine:3.20", "sh", "-c", "sleep 3600; echo " + i)).build());
      }
      if (!running.await(30, TimeUnit.MINUTES)) {
        throw new IllegalStateException(running.getCount() + " tasks never ran");
      }
      double toRunning = (System.nanoTime() - start) / 1e9;
      long after = usedAfterGc(memory);
      System.out.printf(Locale.ROOT, "%d tasks RUNNING on Pulsar after %.1f s; heap used after GC: %.1f MiB before,"
          + " %.1f MiB after: %.0f bytes per running task%n", count, toRunning, before / 1048576.0,
          after / 1048576.0, (after - before) / (double) count);
      long polled = calls.getOrDefault("status", new LongAdder()).sum();
      Thread.sleep(seconds * 1000L);
      long polls = calls.get("status").sum() - polled;
      System.out.printf(Locale.ROOT, "status requests in the next %d s: %d, %.1f a second (maxPollsPerSecond=%d)%n",
          seconds, polls, polls / (double) seconds, pollRate);
      Map<String, Long> byRoute = new TreeMap<>();
      calls.forEach((route, n) -> byRoute.put(route, n.sum()));
      byRoute.remove("status");
      System.out.printf(Locale.ROOT, "requests per task besides status: %s%n", perTask(byRoute, count));
    } finally {
      pulsar.stop(0);
      ((java.util.concurrent.ExecutorService) pulsar.getExecutor()).shutdownNow();
    }
  }

  private static String perTask(Map<String, Long> byRoute, int count) {
    StringBuilder text = new StringBuilder();
    byRoute.forEach((route, n) -> text.append(route).append(' ')
        .append(String.format(Locale.ROOT, "%.2f", n / (double) count)).append(", "));
    return text.length() == 0 ? "none" : text.substring(0, text.length() - 2);
  }

  /** Pulsar's answers, reduced to what the backend reads; every job runs forever. */
  private static void answer(HttpExchange exchange, Map<String, LongAdder> calls) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String query = exchange.getRequestURI().getRawQuery();
    String body;
    String route;
    exchange.getRequestBody().readAllBytes();
    if (path.equals("/jobs") && exchange.getRequestMethod().equals("POST")) {
      route = "setup";
      String id = query.replaceAll(".*job_id=([^&]*).*", "$1");
      String dir = "/staging/" + id;
      body = "{\"job_id\":\"" + id + "\",\"job_directory\":\"" + dir + "\",\"inputs_directory\":\"" + dir
          + "/inputs\",\"outputs_directory\":\"" + dir + "/outputs\",\"metadata_directory\":\"" + dir
          + "/metadata\",\"working_directory\":\"" + dir + "/working\"}";
    } else if (path.endsWith("/files") && exchange.getRequestMethod().equals("POST")) {
      route = "upload";
      body = "{\"path\":\"/staging/x\"}";
    } else if (path.endsWith("/submit")) {
      route = "submit";
      body = "OK";
    } else if (path.endsWith("/status")) {
      route = "status";
      body = "{\"complete\":\"false\",\"status\":\"running\",\"job_id\":\"x\"}";
    } else {
      route = exchange.getRequestMethod() + " " + path.replaceAll("/jobs/[^/]+", "/jobs/ID");
      body = "OK";
    }
    calls.computeIfAbsent(route, r -> new LongAdder()).increment();
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/html; charset=UTF-8");
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static long usedAfterGc(MemoryMXBean memory) {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
