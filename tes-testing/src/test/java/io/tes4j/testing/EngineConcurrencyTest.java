package io.tes4j.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.engine.TesEngine;
import io.tes4j.model.Executor;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * Many threads create and cancel tasks under limits while the mock backend ends them: every task
 * ends, each one's changes of state form a legal path, and no admission slot is lost.
 */
class EngineConcurrencyTest {
  private static final Set<State> TERMINAL = EnumSet.of(State.COMPLETE, State.EXECUTOR_ERROR, State.CANCELED);

  @Test
  void createCancelAndEndFromManyThreads() throws Exception {
    Map<String, List<State>> paths = new ConcurrentHashMap<>();
    MockBackend mock = MockBackend.builder().delay(Duration.ZERO).record(false).build();
    mock.onTag("fail", "yes", Outcome.fail(2));
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try (TesEngine engine = TesEngine.builder().backend(mock).maxRunning(8).tagLimit("lts", "write", 2)
        .listener((id, from, to) -> paths.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(to))
        .build()) {
      List<Future<List<String>>> created = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        created.add(threads.submit(() -> {
          List<String> ids = new ArrayList<>();
          ThreadLocalRandom random = ThreadLocalRandom.current();
          for (int i = 0; i < 1500; i++) {
            Task.Builder task = Task.builder().addExecutor(Executor.of("alpine", "true"));
            if (random.nextInt(4) == 0) {
              task.tag("lts", "write");
            }
            if (random.nextInt(5) == 0) {
              task.tag("fail", "yes");
            }
            String id = engine.createTask(task.build());
            ids.add(id);
            if (random.nextInt(3) == 0) {
              engine.cancelTask(ids.get(random.nextInt(ids.size())));
            }
          }
          return ids;
        }));
      }
      List<String> all = new ArrayList<>();
      for (Future<List<String>> ids : created) {
        all.addAll(ids.get());
      }

      List<CompletableFuture<Task>> ends = new ArrayList<>();
      for (String id : all) {
        ends.add(engine.async().await(id, Duration.ofMinutes(2)));
      }
      CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new)).join();

      assertThat(all).hasSize(6000).doesNotHaveDuplicates();
      for (CompletableFuture<Task> end : ends) {
        assertThat(end.join().state()).isIn(TERMINAL);
      }
      Set<String> legal = Set.of(
          "[QUEUED, CANCELED]",
          "[QUEUED, INITIALIZING, CANCELING, CANCELED]",
          "[QUEUED, INITIALIZING, RUNNING, CANCELING, CANCELED]",
          "[QUEUED, INITIALIZING, RUNNING, COMPLETE]",
          "[QUEUED, INITIALIZING, RUNNING, EXECUTOR_ERROR]");
      for (String id : all) {
        assertThat(paths.get(id).toString()).as("task %s", id).isIn(legal);
      }
      // No slot was lost: 8 tasks, 2 of them lts=write, still start at once.
      mock.defaultOutcome(Outcome.hang());
      List<String> hanging = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        Task.Builder task = Task.builder().addExecutor(Executor.of("alpine", "sleep"));
        if (i < 2) {
          task.tag("lts", "write");
        }
        hanging.add(engine.createTask(task.build()));
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos(); // they start on the starter threads
      for (String id : hanging) {
        while (engine.getTask(id).state() == State.QUEUED && System.nanoTime() < deadline) {
          Thread.sleep(5);
        }
        assertThat(engine.getTask(id).state()).as("task %s", id).isNotEqualTo(State.QUEUED);
      }
    } finally {
      threads.shutdownNow();
    }
  }
}
