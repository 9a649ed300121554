package io.tes4j.client;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

/** Shared test set-up: a loopback WireMock, a client aimed at it with fast retries. */
final class Fixtures {
  /** The spec's base path. */
  static final String BASE = "/ga4gh/tes/v1";

  private Fixtures() {}

  /** A WireMock server on 127.0.0.1 and a random port; nothing ever leaves the machine. */
  static WireMockExtension wireMock() {
    return WireMockExtension.newInstance()
        .options(wireMockConfig().bindAddress("127.0.0.1").dynamicPort())
        .build();
  }

  /** {@code attempts} attempts 10 ms apart (no jitter), so that retry tests stay fast. */
  static RetrySettings fastRetry(int attempts) {
    return new RetrySettings(attempts, Duration.ofMillis(10), Duration.ofMillis(40), 0.0);
  }

  /** The server's base URL with the spec's path. */
  static String baseUrl(WireMockExtension wm) {
    return "http://127.0.0.1:" + wm.getPort() + BASE;
  }

  /** A client for {@code wm}: 3 fast attempts, 5 s request timeout. */
  static TesHttpClient.Builder client(WireMockExtension wm) {
    return TesHttpClient.builder()
        .baseUrl(baseUrl(wm))
        .retry(fastRetry(3))
        .connectTimeout(Duration.ofSeconds(2))
        .requestTimeout(Duration.ofSeconds(5));
  }

  /** A loopback port that was just opened and closed, so that connecting to it is refused. */
  static int closedPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A task in the FULL view, as a spec-following server writes it. */
  static String fullTaskJson(String id, String state) {
    return """
    {
      "id": "%s",
      "state": "%s",
      "name": "hello",
      "executors": [{"image": "alpine:3.20", "command": ["echo", "hello"]}],
      "logs": [{
        "logs": [{"start_time": "2026-11-22T10:00:01Z", "end_time": "2026-11-22T10:00:02Z",
                  "stdout": "hello\\n", "exit_code": 0}],
        "outputs": [],
        "system_logs": ["pulled alpine:3.20"]
      }],
      "creation_time": "2026-11-22T10:00:00Z"
    }
    """
        .formatted(id, state);
  }

  /** A task in the MINIMAL view. */
  static String minimalTaskJson(String id, String state) {
    return "{\"id\": \"" + id + "\", \"state\": \"" + state + "\"}";
  }
}
