package io.tes4j.engine;

import io.tes4j.model.Executor;
import io.tes4j.model.Task;

/** Small valid tasks for the tests. */
final class Tasks {
  private Tasks() {}

  static Task.Builder echo() {
    return Task.builder().addExecutor(Executor.of("alpine:3.20", "echo", "hello"));
  }

  static Task named(String name) {
    return echo().name(name).build();
  }

  static Task tagged(String key, String value) {
    return echo().tag(key, value).build();
  }
}
