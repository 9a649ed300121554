package io.tes4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import io.tes4j.api.InvalidTaskException;
import io.tes4j.model.Input;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import io.tes4j.client.RetrySettings;
import io.tes4j.api.TaskNotFoundException;
import io.tes4j.client.TesHttpClient;
import io.tes4j.model.Executor;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeCommandTest {
  private static final Pattern SERVING =
      Pattern.compile("tes4j serving TES 1\\.1 at (http://127\\.0\\.0\\.1:\\d+/ga4gh/tes/v1) \\(backend (mock|local):\\?\\.\\.\\., auth none\\)");

  @TempDir Path dir;

  @Test
  void usageErrorsExitTwoWithOneClearLine() {
    CliResult unknown = CliResult.run(Map.of(), "serve", "--backend", "nosuch:", "--port", "0");
    assertThat(unknown.code()).as(unknown.toString()).isEqualTo(2);
    assertThat(unknown.err()).contains("--backend nosuch:");

    CliResult twice = CliResult.run(Map.of(), "serve", "--backend", "mock:?store=memory", "--store", "memory");
    assertThat(twice.code()).isEqualTo(2);
    assertThat(twice.err()).contains("--store and the store parameter of --backend both set the store");

    CliResult badParameter = CliResult.run(Map.of(), "serve", "--backend", "mock:?dealy=0", "--port", "0");
    assertThat(badParameter.code()).isEqualTo(2);
    assertThat(badParameter.err()).contains("dealy");

    CliResult server = CliResult.run(Map.of(), "serve", "--backend", "https://tes.example.org/ga4gh/tes/v1");
    assertThat(server.code()).isEqualTo(2);
    assertThat(server.err()).contains("not a TES server's URL");

    CliResult fileScheme = CliResult.run(Map.of(), "serve", "--backend", "mock:", "--allow-scheme", "file");
    assertThat(fileScheme.code()).isEqualTo(2);
    assertThat(fileScheme.err()).contains("--file-root DIR");

    CliResult size = CliResult.run(Map.of(), "serve", "--backend", "mock:", "--max-request-size", "lots");
    assertThat(size.code()).isEqualTo(2);
    assertThat(size.err()).contains("invalid size 'lots'");

    CliResult host = CliResult.run(Map.of(), "serve", "--backend", "mock:", "--allow-host", "a.*.org");
    assertThat(host.code()).isEqualTo(2);
    assertThat(host.err()).contains("invalid host");

    // The policy reaches the backend as parameters that serve alone sets.
    CliResult policyInUri = CliResult.run(Map.of(), "serve", "--backend", "mock:?allowHosts=*", "--port", "0");
    assertThat(policyInUri.code()).as(policyInUri.toString()).isEqualTo(2);
    assertThat(policyInUri.err()).contains("its allowHosts parameter is set by serve from --allow-scheme, --allow-host"
        + " and --file-root");
    CliResult rootsInUri = CliResult.run(Map.of(), "serve", "--backend", "mock:?fileRoots=/", "--port", "0");
    assertThat(rootsInUri.code()).as(rootsInUri.toString()).isEqualTo(2);
    assertThat(rootsInUri.err()).contains("its fileRoots parameter is set by serve");
    CliResult encoded = CliResult.run(Map.of(), "serve", "--backend", "mock:?allow%48osts=*", "--port", "0");
    assertThat(encoded.code()).as(encoded.toString()).isEqualTo(2);
    assertThat(encoded.err()).contains("its allowHosts parameter is set by serve");
    CliResult comma = CliResult.run(Map.of(), "serve", "--backend", "mock:", "--file-root", "/data,x");
    assertThat(comma.code()).isEqualTo(2);
    assertThat(comma.err()).contains("--file-root: the file root /data,x holds a comma");
  }

  @Test
  void tlsAndConnectionLimitUsageErrorsExitTwoNamingTheOptionOrFile() throws Exception {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "");
    CliResult alone = CliResult.run(Map.of(), "serve", "--backend", "mock:", "--tls-cert", cert.toString());
    assertThat(alone.code()).as(alone.toString()).isEqualTo(2);
    assertThat(alone.err()).contains("--tls-cert and --tls-key go together");
    CliResult keyAlone = CliResult.run(Map.of(), "serve", "--backend", "mock:", "--tls-key", cert.toString());
    assertThat(keyAlone.code()).isEqualTo(2);
    assertThat(keyAlone.err()).contains("--tls-cert and --tls-key go together");

    Path missing = dir.resolve("missing.pem");
    CliResult unreadable = CliResult.run(Map.of(), "serve", "--backend", "mock:", "--port", "0",
        "--tls-cert", missing.toString(), "--tls-key", cert.toString());
    assertThat(unreadable.code()).as(unreadable.toString()).isEqualTo(2);
    assertThat(unreadable.err().strip()).isEqualTo(
        "tes4j: --tls-cert/--tls-key: cannot read the TLS certificate file " + missing + ": no such file");

    // A key where the certificate belongs: the error names the file, never the key's text.
    String secret = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg";
    Path key = Files.writeString(dir.resolve("key.pem"),
        "-----BEGIN PRIVATE KEY-----\n" + secret + "\n-----END PRIVATE KEY-----\n");
    CliResult swapped = CliResult.run(Map.of(), "serve", "--backend", "mock:", "--port", "0",
        "--tls-cert", key.toString(), "--tls-key", key.toString());
    assertThat(swapped.code()).as(swapped.toString()).isEqualTo(2);
    assertThat(swapped.err()).contains(key + ": no PEM certificate in it").doesNotContain(secret);

    CliResult zero = CliResult.run(Map.of(), "serve", "--backend", "mock:", "--header-timeout", "0s");
    assertThat(zero.code()).isEqualTo(2);
    assertThat(zero.err()).contains("--header-timeout must be positive");
    CliResult none = CliResult.run(Map.of(), "serve", "--backend", "mock:", "--max-connections", "0");
    assertThat(none.code()).isEqualTo(2);
    assertThat(none.err()).contains("--max-connections must be at least 1");
  }

  @Test
  void servesHttpsWithTlsCertAndKey() throws Exception {
    Path store = dir.resolve("server.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
            "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
            "-ext", "san=ip:127.0.0.1", "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12",
            "-storepass", "test-store-password")
        .redirectErrorStream(true).redirectOutput(dir.resolve("keytool.log").toFile()).start();
    assertThat(keytool.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).as(Files.readString(dir.resolve("keytool.log"))).isZero();
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, "test-store-password".toCharArray());
    }
    X509Certificate certificate = (X509Certificate) keys.getCertificate("server");
    Path cert = Files.writeString(dir.resolve("cert.pem"), pem("CERTIFICATE", certificate.getEncoded()));
    Path key = Files.writeString(dir.resolve("key.pem"),
        pem("PRIVATE KEY", keys.getKey("server", "test-store-password".toCharArray()).getEncoded()));

    Process serve = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), "io.tes4j.cli.Main", "serve", "--backend", "mock:?delay=0",
            "--port", "0", "--tls-cert", cert.toString(), "--tls-key", key.toString(), "--shutdown-grace", "5s")
        .redirectError(dir.resolve("err.txt").toFile())
        .start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
      String line = CompletableFuture.supplyAsync(() -> {
        try {
          return out.readLine();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).get(60, TimeUnit.SECONDS);
      Matcher m = Pattern.compile("tes4j serving TES 1\\.1 at (https://127\\.0\\.0\\.1:\\d+/ga4gh/tes/v1) .*")
          .matcher(String.valueOf(line));
      assertThat(m.matches()).as(line + "\n" + Files.readString(dir.resolve("err.txt"))).isTrue();
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("server", certificate);
      TrustManagerFactory trusted = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trusted.init(trust);
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, trusted.getTrustManagers(), null);
      HttpResponse<String> tasks = HttpClient.newBuilder().sslContext(tls).build().send(
          HttpRequest.newBuilder(URI.create(m.group(1) + "/tasks")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(tasks.statusCode()).isEqualTo(200);
      assertThat(tasks.body()).isEqualTo("{\"tasks\":[]}");
      serve.destroy();
      assertThat(serve.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(serve.exitValue()).isZero();
    } finally {
      serve.destroyForcibly();
    }
    assertThat(Files.readString(dir.resolve("err.txt"))).contains("GET /ga4gh/tes/v1/tasks -> 200")
        .doesNotContain("org.eclipse.jetty");
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  @Test
  void badAuthSpecsExitTwoWithoutShowingTheValue() throws IOException {
    // A value pasted by mistake may be a secret: the error names the problem, not the value.
    CliResult unknownKind = CliResult.run(Map.of(), "serve", "--backend", "mock:", "--auth", "sekrit123");
    assertThat(unknownKind.code()).as(unknownKind.toString()).isEqualTo(2);
    assertThat(unknownKind.err()).contains("--auth").doesNotContain("sekrit123");

    Path users = Files.writeString(dir.resolve("users"), "");
    CliResult noneAndBasic =
        CliResult.run(Map.of(), "serve", "--backend", "mock:", "--auth", "none", "--auth", "basic:" + users);
    assertThat(noneAndBasic.code()).as(noneAndBasic.toString()).isEqualTo(2);
    assertThat(noneAndBasic.err()).contains("--auth").doesNotContain("internal error");
  }

  @Test
  void aTakenPortExitsOneWithOneLine() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CliResult r = CliResult.run(Map.of(), "serve", "--backend", "mock:", "--port",
          String.valueOf(taken.getLocalPort()));
      assertThat(r.code()).as(r.toString()).isEqualTo(1);
      assertThat(r.err().strip().lines()).hasSize(1);
      assertThat(r.err()).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort());
      assertThat(r.out()).isEmpty();
    }
  }

  @Test
  void servesUntilSigtermThenExitsZeroAndTheStoreKeepsTheTasks() throws Exception {
    String store = "jdbc:sqlite:" + dir.resolve("tasks.db");
    String id;
    Process first = serve(store);
    try {
      String url = servingUrl(first);
      try (TesHttpClient client = TesHttpClient.builder().baseUrl(url).retry(RetrySettings.none()).build()) {
        id = client.createTask(Task.builder().name("kept")
            .addExecutor(Executor.of("alpine:3.20", "echo", "hello")).build());
        assertThat(client.await(id, Duration.ofSeconds(30)).state()).isEqualTo(State.COMPLETE);
      }
      first.destroy(); // SIGTERM
      assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(first.exitValue()).as(Files.readString(dir.resolve("err.txt"))).isZero();
    } finally {
      first.destroyForcibly();
    }
    assertThat(Files.readString(dir.resolve("err.txt"))).contains("POST /ga4gh/tes/v1/tasks -> 200")
        .contains("stopped serving");

    Process second = serve(store);
    try {
      String url = servingUrl(second);
      try (TesHttpClient client = TesHttpClient.builder().baseUrl(url).retry(RetrySettings.none()).build()) {
        Task kept = client.getTask(id, View.BASIC);
        assertThat(kept.state()).isEqualTo(State.COMPLETE);
        assertThat(kept.name()).isEqualTo("kept");
      }
      second.destroy();
      assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(second.exitValue()).isZero();
    } finally {
      second.destroyForcibly();
    }
  }

  /**
   * A server's memory store keeps every unfinished task and only the newest ended ones (100,000 by
   * default, also for a plain --store memory), so its heap does not grow with every task it ran.
   */
  @Test
  void theMemoryStoreOfAServerKeepsOnlyTheNewestEndedTasks() throws Exception {
    Process plain = serve("memory");
    try {
      servingUrl(plain);
      stop(plain);
    } finally {
      plain.destroyForcibly();
    }
    assertThat(Files.readString(dir.resolve("err.txt"))).contains("keeping tasks in memory (at most 100000 ended tasks kept)");

    Process two = serve("memory:?keepEnded=2");
    try (TesHttpClient client = client(two)) {
      List<String> ids = new java.util.ArrayList<>();
      for (int i = 0; i < 3; i++) {
        String id = client.createTask(Task.builder().name("t" + i).addExecutor(Executor.of("alpine:3.20", "true")).build());
        assertThat(client.await(id, Duration.ofSeconds(30)).state()).isEqualTo(State.COMPLETE);
        ids.add(id);
      }
      assertThatThrownBy(() -> client.getTask(ids.get(0), View.MINIMAL))
          .as("the task that ended first is dropped").isInstanceOf(TaskNotFoundException.class);
      assertThat(client.getTask(ids.get(1), View.MINIMAL).state()).isEqualTo(State.COMPLETE);
      stop(two);
    } finally {
      two.destroyForcibly();
    }
  }

  @Test
  @EnabledOnOs(value = OS.LINUX, disabledReason = "runtime=host needs Linux namespaces (unshare)")
  void theServersPolicyHoldsAtPostAndAtEveryHopOfTheBackendsTransfers() throws Exception {
    try (LoopbackFiles files = new LoopbackFiles()) {
      String loopback = "http://127.0.0.1:" + files.port();
      String byName = "http://localhost:" + files.port();

      // The default: non-public addresses refused, at POST when written in the URL, when connecting otherwise.
      Process plain = serveLocal("default");
      try (TesHttpClient client = client(plain)) {
        InvalidTaskException refused = catchThrowableOfType(InvalidTaskException.class,
            () -> client.createTask(reading(loopback + "/data.txt")));
        assertThat(refused).isNotNull();
        assertThat(refused.violations()).singleElement().satisfies(v -> {
          assertThat(v.path()).isEqualTo("inputs[0].url");
          assertThat(v.message()).isEqualTo("the address 127.0.0.1 is loopback: the transfer policy reaches"
              + " non-public addresses only for hosts allowed by name; allow it with --allow-host 127.0.0.1");
        });
        String id = client.createTask(reading(byName + "/data.txt"));
        Task done = client.await(id, Duration.ofSeconds(60));
        assertThat(done.state()).isEqualTo(State.SYSTEM_ERROR);
        assertThat(systemLogs(client, id)).anySatisfy(line -> assertThat(line)
            .startsWith("staging the inputs failed: inputs[0] (" + byName + "/data.txt → /in/data.txt): refused to"
                + " connect to localhost:" + files.port() + ": the host 'localhost' has the address ")
            .endsWith("allow it with --allow-host localhost"));
      } finally {
        stop(plain);
      }
      assertThat(files.requests()).as("nothing reached the loopback server").isZero();

      // --allow-host 127.0.0.1: allowed by name, and only that host, at every hop.
      Process named = serveLocal("named", "--allow-host", "127.0.0.1");
      try (TesHttpClient client = client(named)) {
        String fetched = client.createTask(reading(loopback + "/data.txt"));
        assertThat(client.await(fetched, Duration.ofSeconds(60)).state()).isEqualTo(State.COMPLETE);

        String redirected = client.createTask(reading("http://user:s3cret@127.0.0.1:" + files.port() + "/redirect"));
        assertThat(client.await(redirected, Duration.ofSeconds(60)).state()).isEqualTo(State.SYSTEM_ERROR);
        List<String> logs = systemLogs(client, redirected);
        assertThat(logs).anySatisfy(line -> assertThat(line).isEqualTo("staging the inputs failed: inputs[0]"
            + " (http://user:****@127.0.0.1:" + files.port() + "/redirect → /in/data.txt): redirected to " + byName
            + "/data.txt: the host 'localhost' is not among the hosts the transfer policy allows (127.0.0.1);"
            + " allow it with --allow-host localhost"));
        assertThat(String.join("\n", logs)).doesNotContain("s3cret");

        InvalidTaskException file = catchThrowableOfType(InvalidTaskException.class,
            () -> client.createTask(reading("/etc/passwd")));
        assertThat(file.violations()).singleElement().satisfies(v -> assertThat(v.message())
            .startsWith("file: URLs are not allowed on this server"));
      } finally {
        stop(named);
      }
    }
  }

  private static Task reading(String url) {
    return Task.builder()
        .addInput(Input.ofUrl(url, "/in/data.txt"))
        .addExecutor(Executor.of("alpine:3.20", "cat", "/in/data.txt"))
        .build();
  }

  private static List<String> systemLogs(TesHttpClient client, String id) {
    return client.getTask(id, View.FULL).logs().stream().flatMap(log -> log.systemLogs().stream()).toList();
  }

  private static TesHttpClient client(Process server) throws Exception {
    return TesHttpClient.builder().baseUrl(servingUrl(server)).retry(RetrySettings.none()).build();
  }

  private static void stop(Process server) throws InterruptedException {
    server.destroy();
    if (!server.waitFor(30, TimeUnit.SECONDS)) {
      server.destroyForcibly();
    }
  }

  /** {@code tes4j serve --backend local:?runtime=host} with {@code options}, in a child JVM. */
  private Process serveLocal(String name, String... options) throws IOException {
    List<String> command = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "io.tes4j.cli.Main", "serve",
        "--backend", "local:?runtime=host&workdir=" + dir.resolve("work-" + name),
        "--port", "0", "--shutdown-grace", "5s"));
    command.addAll(List.of(options));
    return new ProcessBuilder(command).redirectError(dir.resolve("err-" + name + ".txt").toFile()).start();
  }

  /** A file server on 127.0.0.1: {@code /data.txt}, and {@code /redirect} to it by the name localhost. */
  private static final class LoopbackFiles implements AutoCloseable {
    private final HttpServer server;
    private final java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();

    LoopbackFiles() throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
      server.createContext("/", exchange -> {
        requests.incrementAndGet();
        if (exchange.getRequestURI().getPath().equals("/redirect")) {
          exchange.getResponseHeaders().set("Location", "http://localhost:" + port() + "/data.txt");
          exchange.sendResponseHeaders(302, -1);
        } else {
          byte[] body = "data\n".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
        }
        exchange.close();
      });
      server.start();
    }

    int port() {
      return server.getAddress().getPort();
    }

    int requests() {
      return requests.get();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  /** {@code tes4j serve} in a child JVM, since it stops in a shutdown hook on SIGTERM. */
  private Process serve(String store) throws IOException {
    return new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            "io.tes4j.cli.Main",
            "serve",
            "--backend",
            "mock:?delay=0",
            "--port",
            "0",
            "--store",
            store,
            "--shutdown-grace",
            "5s")
        .redirectError(dir.resolve("err.txt").toFile())
        .start();
  }

  /** The URL of the line the server prints when it listens. */
  private static String servingUrl(Process process) throws Exception {
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line = CompletableFuture.supplyAsync(() -> {
      try {
        return out.readLine();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }).get(60, TimeUnit.SECONDS);
    assertThat(line).as("the first line of standard output").isNotNull();
    Matcher m = SERVING.matcher(line);
    assertThat(m.matches()).as(line).isTrue();
    return m.group(1);
  }
}
