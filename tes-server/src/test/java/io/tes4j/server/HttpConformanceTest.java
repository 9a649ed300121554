package io.tes4j.server;

import io.tes4j.api.TesClient;
import io.tes4j.client.RetrySettings;
import io.tes4j.client.TesHttpClient;
import io.tes4j.engine.TesEngine;
import io.tes4j.spi.Backend;
import io.tes4j.testing.MockBackend;
import io.tes4j.testing.conformance.BackendConformance;
import io.tes4j.testing.conformance.ScriptedMock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * The backend conformance kit over the wire: every rule drives its tasks through {@link
 * TesHttpClient} → {@link TesServer} → the engine on {@link MockBackend}, scripted by {@link
 * ScriptedMock} as in the mock's own conformance run, so the HTTP path must behave exactly as the
 * engine in-process (the kit also compares each finished task, FULL view, between the client and
 * the engine).
 */
class HttpConformanceTest extends BackendConformance {
  private final List<TesServer> servers = new ArrayList<>();

  @Override
  protected Backend newBackend() {
    return ScriptedMock.create();
  }

  @Override
  protected Backend restartedBackend(Backend closed) {
    return ((MockBackend) closed).reopen();
  }

  /** A server over the engine on a free port, and an HTTP client of it. */
  @Override
  protected TesClient client(TesEngine engine) {
    // The kit's inputs and outputs are file: URLs in a JUnit temporary directory.
    TaskPolicy policy = TaskPolicy.builder().fileRoots(Path.of(System.getProperty("java.io.tmpdir"))).build();
    TesServer server = TesServer.builder(engine).port(0).policy(policy).shutdownGrace(Duration.ofSeconds(5)).start();
    servers.add(server);
    return TesHttpClient.builder().baseUrl(server.uri()).retry(RetrySettings.none()).build();
  }

  @AfterEach
  void stopServers() {
    servers.forEach(TesServer::close);
    servers.clear();
  }
}
