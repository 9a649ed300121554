package io.tes4j.benchmarks;

import io.tes4j.engine.internal.TaskIds;
import io.tes4j.model.ExecutorLog;
import io.tes4j.model.OutputFileLog;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.TaskLog;
import io.tes4j.model.TesJson;
import io.tes4j.store.MemoryTaskStore;
import io.tes4j.store.StoredTask;
import java.util.List;

/** Finished tasks as the engine stores them, made quickly for the benchmarks' stores. */
final class StoredTasks {
  private StoredTasks() {}

  /** A task as a client sends it, read from JSON so that no string is shared between tasks. */
  static Task submitted(int i) {
    return TesJson.read(
        "{\"name\":\"task-" + i + "\",\"executors\":[{\"image\":\"alpine:3.20\",\"command\":[\"sh\",\"-c\",\"echo "
            + i + "\"]}],\"outputs\":[{\"path\":\"/out/result.txt\",\"url\":\"s3://bucket/run/" + i
            + "/result.txt\"}],\"tags\":{\"project\":\"p" + (i % 10) + "\"}}",
        Task.class);
  }

  /** Fills {@code store} with {@code count} COMPLETE tasks and returns their ids, oldest first. */
  static String[] fill(MemoryTaskStore store, int count) {
    TaskIds ids = new TaskIds();
    String[] made = new String[count];
    long start = System.currentTimeMillis() - count;
    for (int i = 0; i < count; i++) {
      String id = ids.next(start + i);
      Task task = submitted(i).toBuilder()
          .id(id)
          .state(State.COMPLETE)
          .creationTime("2026-11-22T10:00:00.000Z")
          .logs(List.of(TaskLog.builder()
              .startTime("2026-11-22T10:00:00.001Z")
              .endTime("2026-11-22T10:00:00.050Z")
              .addLog(new ExecutorLog("2026-11-22T10:00:00.002Z", "2026-11-22T10:00:00.049Z", "hello\n", null, 0))
              .addOutput(OutputFileLog.of("s3://bucket/run/" + i + "/result.txt", "/out/result.txt", 6))
              .build()))
          .build();
      store.insert(new StoredTask(task, "mock-" + i));
      made[i] = id;
    }
    return made;
  }
}
