package io.tes4j.server.examples;

import io.tes4j.engine.TesEngine;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.server.TesServer;
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
 * A custom TES server in about 30 lines: a tiny backend plugged in through the SPI (it "runs" each
 * executor by printing its command), an engine over it, and the TES API over the engine. Run it and
 * submit a task with any TES client, e.g. {@code tes4j submit task.json} with {@code TES_SERVER}
 * set to the printed URL.
 */
public final class CustomServerExample {

  /** The backend: each executor's stdout is its command line; every task completes. */
  static final class EchoBackend implements Backend {
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @Override public Capabilities capabilities() {
      return new Capabilities(false, false, Set.of(), Set.of(), List.of()); // no cancel of a running task
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
      return task.id(); // the handle the engine hands back to cancel and resume
    }

    @Override public void cancel(String handle) {} // tasks end at once; nothing left to stop

    @Override public boolean resume(String handle, Task task, TaskEvents events) {
      return false; // never called: capabilities() says no resume
    }

    @Override public void close() {
      threads.shutdownNow();
    }
  }

  /** The SPI entry point: the scheme {@code echo:} opens an {@link EchoBackend}. */
  static final class EchoProvider implements BackendProvider {
    @Override public String name() {
      return "echo (prints each executor's command)";
    }

    @Override public Set<String> schemes() {
      return Set.of("echo");
    }

    @Override public Backend open(BackendConfig config) {
      config.requireOnly(Set.of()); // echo: takes no parameters
      return new EchoBackend();
    }
  }

  /** Starts the server on {@code port} (0: a free one); closing it closes the engine too. */
  public static TesServer start(int port) {
    TesEngine engine = TesEngine.builder().backendProvider(new EchoProvider()).backend("echo:").build();
    return TesServer.builder(engine).port(port).closeClientOnShutdown(true).start();
  }

  /** Serves on the port given as the first argument (default 8000) until Ctrl-C. */
  public static void main(String[] args) throws InterruptedException {
    TesServer server = start(args.length > 0 ? Integer.parseInt(args[0]) : 8000);
    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    System.out.println("echo TES at " + server.uri());
    server.awaitShutdown();
  }

  private CustomServerExample() {}
}
