package io.tes4j.examples.server;

import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.spi.Backend;
import io.tes4j.spi.BackendConfig;
import io.tes4j.spi.BackendProvider;
import io.tes4j.spi.Capabilities;
import io.tes4j.spi.TaskEvents;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A backend of its own, for the {@code echo:} scheme: each executor "runs" by printing its command
 * line on its stdout, and every task completes. Found by {@code TesClient.connect("echo:")} through
 * {@code META-INF/services/io.tes4j.spi.BackendProvider}. A real backend would start containers,
 * jobs or processes where this one prints.
 */
public final class EchoBackendProvider implements BackendProvider {
  @Override public String name() {
    return "echo (prints each executor's command)";
  }

  @Override public Set<String> schemes() {
    return Set.of("echo");
  }

  @Override public Backend open(BackendConfig config) {
    config.requireOnly(Set.of()); // echo: takes no parameters: a misspelt one is an error
    ExecutorService threads = Executors.newCachedThreadPool();
    return new Backend() {
      @Override public Capabilities capabilities() { // no cancel of a running task, no resume
        return new Capabilities(false, false, Set.of(), Set.of(), List.of());
      }

      @Override public String start(Task task, TaskEvents events) {
        threads.execute(() -> {
          events.running();
          for (int i = 0; i < task.executors().size(); i++) {
            events.executorStarted(i, Instant.now());
            String stdout = String.join(" ", task.executors().get(i).command()) + "\n";
            events.executorFinished(i, Instant.now(), 0, stdout, "");
          }
          events.finished(State.COMPLETE);
        });
        return task.id(); // the handle the engine keeps, to cancel or resume the task
      }

      @Override public void cancel(String handle) {} // tasks end at once: nothing to stop

      @Override public boolean resume(String handle, Task task, TaskEvents events) {
        return false; // never called: capabilities() says no resume
      }

      @Override public void close() {
        threads.shutdownNow();
      }
    };
  }
}
