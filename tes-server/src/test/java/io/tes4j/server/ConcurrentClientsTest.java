package io.tes4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.api.ListTasksRequest;
import io.tes4j.client.RetrySettings;
import io.tes4j.client.TesHttpClient;
import io.tes4j.engine.TesEngine;
import io.tes4j.model.Executor;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import io.tes4j.testing.MockBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Many clients at once: 32 threads, 50 requests each (create, get, list), no error, nothing lost. */
class ConcurrentClientsTest {
  private static final int THREADS = 32;
  private static final int REQUESTS = 50;

  @Test
  void manyConcurrentClientsGetNoErrorAndEveryTaskIsFound() throws Exception {
    try (TesEngine engine = TesEngine.builder().backend(MockBackend.builder().delay(Duration.ZERO).build()).build();
        TesServer server = TesServer.builder(engine).port(0).start();
        TesHttpClient client = TesHttpClient.builder().baseUrl(server.uri()).retry(RetrySettings.none()).build()) {
      Queue<String> created = new ConcurrentLinkedQueue<>();
      Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        workers.add(pool.submit(() -> {
          go.await();
          List<String> mine = new ArrayList<>();
          for (int i = 0; i < REQUESTS; i++) {
            try {
              switch (i % 3) {
                case 0 -> {
                  String id = client.createTask(Task.builder().name("load-" + thread + "-" + i)
                      .tag("thread", String.valueOf(thread))
                      .addExecutor(Executor.of("alpine:3.20", "echo", "hi")).build());
                  mine.add(id);
                  created.add(id);
                }
                case 1 -> {
                  if (!mine.isEmpty()) {
                    Task task = client.getTask(mine.get(mine.size() - 1), View.BASIC);
                    assertThat(task.name()).startsWith("load-" + thread + "-");
                  }
                }
                default -> assertThat(client.listTasks(ListTasksRequest.builder()
                    .tag("thread", String.valueOf(thread)).pageSize(100).build()).tasks())
                    .hasSize(mine.size());
              }
            } catch (Throwable e) {
              errors.add(e);
            }
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> worker : workers) {
        worker.get(120, TimeUnit.SECONDS);
      }
      pool.shutdown();
      assertThat(errors).as("errors of %s requests", THREADS * REQUESTS).isEmpty();
      assertThat(created).hasSize(THREADS * ((REQUESTS + 2) / 3));
      Set<String> listed = new HashSet<>();
      client.streamTasks(ListTasksRequest.builder().pageSize(200).build()).forEach(task -> listed.add(task.id()));
      assertThat(listed).containsExactlyInAnyOrderElementsOf(created);
    }
  }
}
