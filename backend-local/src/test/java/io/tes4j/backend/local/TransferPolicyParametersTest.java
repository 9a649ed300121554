package io.tes4j.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.tes4j.model.Executor;
import io.tes4j.model.Input;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.spi.BackendConfig;
import io.tes4j.transfer.TransferPolicy;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standard transfer policy parameters, as {@code tes4j serve} sets them, reach the local
 * backend's transfers: tasks run on runtime=host and stage through real HTTP on 127.0.0.1.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "runtime=host needs Linux namespaces (unshare)")
class TransferPolicyParametersTest {
  private static final AtomicInteger IDS = new AtomicInteger();

  @TempDir Path tmp;
  private HttpServer http;
  private final AtomicInteger requests = new AtomicInteger();

  @BeforeEach
  void startHttp() throws IOException {
    http = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    http.createContext("/", exchange -> {
      requests.incrementAndGet();
      String path = exchange.getRequestURI().getPath();
      if (path.equals("/redirect")) {
        exchange.getResponseHeaders().set("Location", "http://127.0.0.1:" + port() + "/data.txt");
        exchange.sendResponseHeaders(302, -1);
      } else {
        byte[] body = "data\n".getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
      exchange.close();
    });
    http.start();
  }

  @AfterEach
  void stopHttp() {
    http.stop(0);
  }

  private int port() {
    return http.getAddress().getPort();
  }

  /** What {@code tes4j serve --allow-host localhost} hands its backend, plus the runtime. */
  private LocalBackend open(Map<String, String> policy) {
    Map<String, String> parameters = new LinkedHashMap<>(policy);
    parameters.put("runtime", "host");
    parameters.put("workdir", tmp.resolve("work").toString());
    return (LocalBackend) new LocalBackendProvider().open(new BackendConfig(BackendConfig.uri("local:"), parameters));
  }

  private static Map<String, String> serve(String... hosts) {
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("allowSchemes", "http,https,ftp,s3");
    if (hosts.length > 0) {
      parameters.put("allowHosts", String.join(",", hosts));
    }
    parameters.put("privateAddresses", "refuse");
    parameters.put("fileRoots", "");
    return parameters;
  }

  private static RecordingEvents run(LocalBackend backend, String url) {
    Task task = Task.builder()
        .id("policy-" + IDS.incrementAndGet())
        .addInput(Input.ofUrl(url, "/in/data.txt"))
        .addExecutor(Executor.of("alpine:3.20", "cat", "/in/data.txt"))
        .build();
    RecordingEvents events = new RecordingEvents();
    backend.start(task, events);
    events.awaitFinished();
    return events;
  }

  @Test
  void theStandardNamesAreTheTransferPolicysAndLocalAcceptsThem() {
    assertThat(BackendConfig.TRANSFER_POLICY_PARAMETERS).isEqualTo(TransferPolicy.PARAMETERS);
    assertThat(LocalBackendProvider.PARAMETERS).containsAll(TransferPolicy.PARAMETERS);
    assertThatThrownBy(() -> open(Map.of("privateAddresses", "sometimes")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("local: privateAddresses=sometimes: must be allow or refuse");
  }

  @Test
  void aRedirectToADisallowedHostEndsTheTaskWithAClearSystemLog() {
    try (LocalBackend backend = open(serve("localhost"))) {
      String url = "http://user:s3cret@localhost:" + port() + "/redirect";
      RecordingEvents events = run(backend, url);
      assertThat(events.calls()).containsExactly("initializing", "finished SYSTEM_ERROR");
      assertThat(events.systemLogs()).anySatisfy(line -> assertThat(line).isEqualTo(
          "staging the inputs failed: inputs[0] (http://user:****@localhost:" + port() + "/redirect → /in/data.txt):"
              + " redirected to http://127.0.0.1:" + port() + "/data.txt: the host '127.0.0.1' is not among the"
              + " hosts the transfer policy allows (localhost); allow it with --allow-host 127.0.0.1"));
      assertThat(String.join("\n", events.systemLogs())).doesNotContain("s3cret");
      assertThat(requests).as("only the first hop was requested").hasValue(1);
    }
    try (LocalBackend backend = open(serve("localhost", "127.0.0.1"))) {
      assertThat(run(backend, "http://localhost:" + port() + "/redirect").awaitFinished()).isEqualTo(State.COMPLETE);
    }
  }

  @Test
  void aNameThatResolvesToLoopbackIsRefusedUnlessNamed() {
    try (LocalBackend backend = open(serve())) {
      RecordingEvents events = run(backend, "http://localhost:" + port() + "/data.txt");
      assertThat(events.awaitFinished()).isEqualTo(State.SYSTEM_ERROR);
      assertThat(events.systemLogs()).anySatisfy(line -> assertThat(line)
          .startsWith("staging the inputs failed: inputs[0] (http://localhost:" + port() + "/data.txt → /in/data.txt):"
              + " refused to connect to localhost:" + port() + ": the host 'localhost' has the address ")
          .endsWith("allow it with --allow-host localhost"));
      assertThat(requests).hasValue(0);
    }
  }

  @Test
  void noFileRootsMeansNoFileAccessAtAll() throws IOException {
    Path file = Files.writeString(tmp.resolve("host-file.txt"), "host\n");
    Map<String, String> onlyRoots = Map.of("fileRoots", "");
    try (LocalBackend backend = open(serve())) {
      assertThat(backend.capabilities().storage())
          .as("the schemes the policy allows, and no file roots")
          .containsExactlyInAnyOrder("ftp://", "http://", "https://", "s3://");
    }
    try (LocalBackend backend = open(onlyRoots)) {
      assertThat(backend.capabilities().storage()).noneMatch(location -> location.startsWith("file:"));
      RecordingEvents events = run(backend, file.toUri().toString());
      assertThat(events.awaitFinished()).isEqualTo(State.SYSTEM_ERROR);
      assertThat(events.systemLogs()).anySatisfy(line -> assertThat(line)
          .startsWith("staging the inputs failed: inputs[0]").contains("outside the allowed file roots []"));
      // A bare path is a file: location too.
      assertThat(run(backend, file.toString()).awaitFinished()).isEqualTo(State.SYSTEM_ERROR);
    }
    try (LocalBackend backend = open(Map.of("fileRoots", tmp.toString()))) {
      assertThat(run(backend, file.toUri().toString()).awaitFinished()).isEqualTo(State.COMPLETE);
    }
  }
}
