package io.tes4j.examples.server;

import io.tes4j.api.TesClient;
import io.tes4j.server.TesServer;

/**
 * A TES 1.1 server over the {@code echo:} backend ({@link EchoBackendProvider}): the engine gives
 * TES semantics (ids, states, views, paging, cancel), {@link TesServer} the HTTP API. Submit tasks
 * with any TES client, e.g. {@code TES_SERVER=http://127.0.0.1:8000 tes4j submit task.json}.
 */
public final class EchoServer {
  private EchoServer() {}

  /** Starts serving on {@code port} (0: a free one); closing the server closes the engine too. */
  public static TesServer start(int port) {
    TesClient engine = TesClient.connect("echo:"); // the provider is found through the SPI
    return TesServer.builder(engine).port(port).closeClientOnShutdown(true).start();
  }

  /** Serves on the port given as the first argument (default 8000) until Ctrl-C. */
  public static void main(String[] args) throws InterruptedException {
    TesServer server = start(args.length > 0 ? Integer.parseInt(args[0]) : 8000);
    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    System.out.println("echo TES at " + server.uri());
    server.awaitShutdown();
  }
}
