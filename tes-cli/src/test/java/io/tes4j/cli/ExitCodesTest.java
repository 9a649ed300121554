package io.tes4j.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Exit codes and error lines: the part of the command that scripts depend on. */
class ExitCodesTest {
  static final String BASE = RemoteCommandsTest.BASE;

  @RegisterExtension
  static WireMockExtension wm =
      WireMockExtension.newInstance()
          .options(WireMockConfiguration.wireMockConfig().bindAddress("127.0.0.1").dynamicPort())
          .build();

  @TempDir Path dir;

  /** A loopback URL on which nothing listens. */
  static String closedPortUrl() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    return "http://127.0.0.1:" + port + BASE;
  }

  static CliResult run(String... args) {
    return CliResult.run(Map.of(), args);
  }

  static CliResult remote(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--server", wm.baseUrl() + BASE, "--retries", "0"));
    return CliResult.run(Map.of(), all.toArray(String[]::new));
  }

  // --- 2: usage -------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"service-info", "get", "list", "cancel", "wait", "submit"})
  void noServerIsAUsageError(String command) throws IOException {
    Path file = dir.resolve("t.json");
    Files.writeString(file, ValidateCommandTest.VALID);
    String[] args =
        switch (command) {
          case "service-info", "list" -> new String[] {command};
          case "submit" -> new String[] {command, file.toString()};
          default -> new String[] {command, "t1"};
        };

    CliResult r = run(args);

    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.errLines()).containsExactly("tes4j: no TES server: pass --server URL or set TES_SERVER");
  }

  @Test
  void anUnknownOptionIsAUsageErrorWithAHint() {
    CliResult r = run("get", "t1", "--bogus");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.errLines())
        .containsExactly(
            "tes4j: Unknown option: '--bogus'", "Try 'tes4j get --help' for more information.");
  }

  @Test
  void anUnknownCommandIsAUsageError() {
    CliResult r = run("frobnicate");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(2);
    assertThat(r.errLines().get(0)).startsWith("tes4j: ").contains("frobnicate");
    assertThat(r.errLines().get(1)).isEqualTo("Try 'tes4j --help' for more information.");
  }

  @Test
  void noCommandIsAUsageError() {
    CliResult r = run();

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith("tes4j: no command given").contains("Usage: tes4j");
  }

  @Test
  void aBadViewListsTheAllowedValues() {
    CliResult r = remote("get", "t1", "--view", "EVERYTHING");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines().get(0)).contains("--view", "MINIMAL", "BASIC", "FULL", "EVERYTHING");
    wm.verify(0, anyRequestedFor(anyUrl()));
  }

  @Test
  void aBadStateListsTheAllowedValues() {
    CliResult r = remote("list", "--state", "DONE");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines().get(0)).contains("--state", "QUEUED", "RUNNING", "COMPLETE", "CANCELED");
    wm.verify(0, anyRequestedFor(anyUrl()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "2048", "many"})
  void aBadPageSizeIsAUsageError(String size) {
    CliResult r = remote("list", "--page-size", size);

    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.errLines().get(0)).contains("--page-size");
    wm.verify(0, anyRequestedFor(anyUrl()));
  }

  @Test
  void aTagWithoutKeyIsAUsageError() {
    CliResult r = remote("list", "--tag", "=value");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines().get(0)).contains("--tag");
  }

  @ParameterizedTest
  @ValueSource(strings = {"soon", "-5s", "10 minutes"})
  void aBadTimeoutIsAUsageError(String timeout) {
    CliResult r = remote("wait", "t1", "--timeout", timeout);

    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.errLines().get(0)).contains("--timeout");
    wm.verify(0, anyRequestedFor(anyUrl()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"--request-timeout", "--connect-timeout"})
  void aZeroRequestOrConnectTimeoutIsAUsageError(String option) {
    CliResult r = remote("get", "t1", option, "0");

    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.errLines()).containsExactly("tes4j: invalid " + option + " 0s: must be more than zero");
  }

  @Test
  void aUserWithoutPasswordIsAUsageError() {
    CliResult r = remote("service-info", "--user", "alice");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0)).startsWith("tes4j: ").contains("password");
    wm.verify(0, anyRequestedFor(anyUrl()));
  }

  @Test
  void aUserFromTheEnvironmentWithoutPasswordIsAUsageError() {
    CliResult r = CliResult.run(Map.of("TES_SERVER", wm.baseUrl(), "TES_USER", "alice"), "list");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
  }

  @Test
  void basicAndTokenTogetherAreAUsageError() {
    CliResult flags =
        remote("service-info", "--user", "alice", "--password", "pw-1", "--token", "tok-1");
    CliResult env =
        CliResult.run(
            Map.of(
                "TES_SERVER", wm.baseUrl(),
                "TES_USER", "alice",
                "TES_PASSWORD", "pw-1",
                "TES_TOKEN", "tok-1"),
            "service-info");

    assertThat(flags.code()).isEqualTo(2);
    assertThat(flags.errLines()).containsExactly("tes4j: use either --user/--password or --token, not both");
    assertThat(env.code()).isEqualTo(2);
    assertThat(env.errLines()).hasSize(1);
    wm.verify(0, anyRequestedFor(anyUrl()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://host/tes", "localhost:8000", "http://"})
  void aServerUrlThatIsNotHttpIsAUsageError(String url) {
    CliResult r = run("service-info", "--server", url);

    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0)).startsWith("tes4j: invalid server URL");
  }

  @Test
  void aMalformedHeaderIsAUsageError() {
    CliResult r = remote("service-info", "--header", "X-Project: demo");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines().get(0)).contains("--header");
  }

  // --- 3: unreachable, server errors ----------------------------------------------------------

  @Test
  void aRefusedConnectionExitsThree() throws IOException {
    String url = closedPortUrl();

    CliResult r = run("get", "t1", "--server", url, "--retries", "0");

    assertThat(r.code()).as(r.toString()).isEqualTo(3);
    assertThat(r.out()).isEmpty();
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0)).startsWith("tes4j: ").contains(url.substring(0, url.indexOf(BASE)));
  }

  @ParameterizedTest
  @ValueSource(ints = {500, 502, 503})
  void aServerErrorExitsThree(int status) {
    wm.stubFor(
        get(urlPathEqualTo(BASE + "/tasks/t1"))
            .willReturn(aResponse().withStatus(status).withBody("{\"message\":\"backend down\"}")));

    CliResult r = remote("get", "t1");

    assertThat(r.code()).as(r.toString()).isEqualTo(3);
    assertThat(r.out()).isEmpty();
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0)).startsWith("tes4j: ").contains(String.valueOf(status));
  }

  @Test
  void aUrlWithoutTesApiExitsThree() {
    wm.stubFor(get(BASE + "/service-info").willReturn(aResponse().withStatus(404)));

    CliResult r = remote("service-info");

    assertThat(r.code()).as(r.toString()).isEqualTo(3);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0)).startsWith("tes4j: ").contains("404");
  }

  @Test
  void anAnswerThatIsNotTesJsonExitsThree() {
    wm.stubFor(
        get(urlPathEqualTo(BASE + "/tasks/t1"))
            .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/html").withBody("<html>login</html>")));

    CliResult r = remote("get", "t1");

    assertThat(r.code()).as(r.toString()).isEqualTo(3);
    assertThat(r.errLines()).hasSize(1);
  }

  // --- 1: a request the server refuses ------------------------------------------------------

  @Test
  void aRefusedListRequestExitsOneAndSaysSo() {
    wm.stubFor(
        get(urlPathEqualTo(BASE + "/tasks"))
            .willReturn(aResponse().withStatus(400).withBody("{\"message\":\"unknown page token\"}")));

    CliResult r = remote("list", "--page-token", "stale");

    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.errLines())
        .containsExactly(
            "tes4j: the server refused the request (HTTP 400): {\"message\":\"unknown page token\"}");
  }

  // --- 4: not found ---------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"get", "cancel", "wait"})
  void anUnknownTaskExitsFour(String command) {
    wm.stubFor(get(urlPathEqualTo(BASE + "/tasks/nope")).willReturn(aResponse().withStatus(404)));
    wm.stubFor(post(BASE + "/tasks/nope:cancel").willReturn(aResponse().withStatus(404)));

    CliResult r = remote(command, "nope");

    assertThat(r.code()).as(r.toString()).isEqualTo(4);
    assertThat(r.out()).isEmpty();
    assertThat(r.errLines()).containsExactly("tes4j: task not found: nope");
  }

  // --- 5: authentication ----------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(ints = {401, 403})
  void refusedCredentialsExitFive(int status) {
    wm.stubFor(get(BASE + "/service-info").willReturn(aResponse().withStatus(status)));

    CliResult r = remote("service-info", "--token", "expired");

    assertThat(r.code()).as(r.toString()).isEqualTo(5);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0)).startsWith("tes4j: ");
  }

  @Test
  void debugMayComeBeforeTheCommandAndAddsTheStackTrace() throws IOException {
    CliResult r = run("--debug", "get", "t1", "--server", closedPortUrl(), "--retries", "0");

    assertThat(r.code()).as(r.toString()).isEqualTo(3);
    assertThat(r.err()).contains("io.tes4j.api.TesClientException", "\tat ");
    assertThat(r.errLines().get(r.errLines().size() - 1)).startsWith("tes4j: cannot connect to");
  }

  // --- secrets --------------------------------------------------------------------------------

  @Test
  void secretsAreNeverPrinted() throws IOException {
    wm.stubFor(
        get(urlPathEqualTo(BASE + "/tasks/t1"))
            .willReturn(aResponse().withStatus(401).withBody("{\"message\":\"bad credentials\"}")));
    String refused = closedPortUrl();
    String ok = wm.baseUrl() + BASE;
    List<CliResult> results = new ArrayList<>();
    for (String url : List.of(ok, refused)) {
      for (String debug : List.of("--view=FULL", "--debug")) {
        results.add(run("get", "t1", "--server", url, "--user", "alice", "--password", "s3cr3t", "--retries", "0", debug));
        results.add(run("get", "t1", "--server", url, "--token", "t0k3n", "--retries", "0", debug));
        results.add(
            CliResult.run(
                Map.of("TES_SERVER", url, "TES_USER", "alice", "TES_PASSWORD", "s3cr3t"),
                "get", "t1", "--retries", "0", debug));
        results.add(CliResult.run(Map.of("TES_SERVER", url, "TES_TOKEN", "t0k3n"), "get", "t1", "--retries", "0", debug));
      }
    }
    // Usage errors, where the secret is part of a bad command line.
    results.add(run("get", "--password", "s3cr3t", "--token", "t0k3n", "--server", ok, "t1"));
    results.add(run("get", "--token=t0k3n", "--bogus", "t1"));
    results.add(run("get", "t1", "--server", "http://alice:s3cr3t@127.0.0.1:1" + BASE, "--retries", "0", "--debug"));
    results.add(run("get", "t1", "--server", "http://alice:s3cr3t@bad host" + BASE));
    results.add(run("list", "--page-size", "s3cr3t", "--password", "s3cr3t", "--server", ok));

    assertThat(results).allSatisfy(r -> {
      assertThat(r.code()).as(r.toString()).isIn(2, 3, 5);
      assertThat(r.out() + r.err()).as(r.toString()).doesNotContain("s3cr3t", "t0k3n");
    });
    assertThat(results.get(0).code()).isEqualTo(5);
    assertThat(results.get(results.size() - 1).err()).contains("***");
  }
}
