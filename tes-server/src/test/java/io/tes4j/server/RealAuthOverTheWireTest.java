package io.tes4j.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.api.ListTasksRequest;
import io.tes4j.api.TaskNotFoundException;
import io.tes4j.api.TesAuthException;
import io.tes4j.client.RetrySettings;
import io.tes4j.client.TesAuth;
import io.tes4j.client.TesHttpClient;
import io.tes4j.engine.TesEngine;
import io.tes4j.model.Executor;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import io.tes4j.server.auth.Authenticator;
import io.tes4j.server.auth.Authenticators;
import io.tes4j.testing.MockBackend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * The authenticators as {@code tes4j serve --auth basic:FILE --auth bearer:FILE} builds them, from
 * real files, behind a real server, called by {@link TesHttpClient}: what an operator sets up.
 */
class RealAuthOverTheWireTest {
  private static final Task HELLO =
      Task.builder().name("hello").addExecutor(Executor.of("alpine:3.20", "echo", "hello")).build();
  private static final String WORKER_TOKEN = "worker-0123456789abcdef0123456789abcdef";
  private static final String DASHBOARD_TOKEN = "dashboard-fedcba9876543210fedcba987654";

  @TempDir Path dir;
  private TesEngine engine;
  private TesServer server;

  @BeforeEach
  void start() throws Exception {
    Path users = dir.resolve("users");
    Files.writeString(users, "# htpasswd -nbB lines\n"
        + "alice:" + BCrypt.hashpw("alice-pw", BCrypt.gensalt("$2y", 4)) + "\n"
        + "carol:" + BCrypt.hashpw("carol-pw", BCrypt.gensalt("$2y", 4)) + ":read\n");
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, "worker read,submit,cancel sha256:" + sha256(WORKER_TOKEN) + "\n"
        + "dashboard read sha256:" + sha256(DASHBOARD_TOKEN) + "\n");
    Authenticator auth = Authenticators.anyOf(List.of(
        Authenticators.fromSpec("basic:" + users), Authenticators.fromSpec("bearer:" + tokens)));
    engine = TesEngine.builder().backend(MockBackend.builder().delay(Duration.ZERO).build()).build();
    server = TesServer.builder(engine).bind("127.0.0.1").port(0).authenticator(auth).isolateUsers(true).start();
  }

  @AfterEach
  void stop() {
    server.close();
    engine.close();
  }

  private TesHttpClient client(TesAuth auth) {
    return TesHttpClient.builder().baseUrl(server.uri()).auth(auth).retry(RetrySettings.none()).build();
  }

  private static String sha256(String text) throws Exception {
    return HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void basicUsersAndBearerTokensGetTheirScopesAndOnlyTheirTasks() {
    try (TesHttpClient alice = client(TesAuth.basic("alice", "alice-pw"));
        TesHttpClient carol = client(TesAuth.basic("carol", "carol-pw"));
        TesHttpClient worker = client(TesAuth.bearer(WORKER_TOKEN));
        TesHttpClient dashboard = client(TesAuth.bearer(DASHBOARD_TOKEN))) {
      String alicesTask = alice.createTask(HELLO);
      assertThat(alice.await(alicesTask, Duration.ofSeconds(20)).state()).isEqualTo(State.COMPLETE);
      String workersTask = worker.createTask(HELLO);
      assertThat(worker.getTask(workersTask, View.BASIC).tags()).containsEntry(TesApi.OWNER_TAG, "worker");

      // Isolation: each sees only their own tasks, another's is "not found".
      assertThat(alice.streamTasks(ListTasksRequest.builder().build()))
          .extracting(Task::id).containsExactly(alicesTask);
      assertThatThrownBy(() -> worker.getTask(alicesTask, View.MINIMAL)).isInstanceOf(TaskNotFoundException.class);
      assertThatThrownBy(() -> worker.cancelTask(alicesTask)).isInstanceOf(TaskNotFoundException.class);

      // Scopes: carol (read) and the dashboard token (read) may read but not submit.
      assertThat(dashboard.serviceInfo()).isNotNull();
      assertThat(carol.streamTasks(ListTasksRequest.builder().build())).isEmpty();
      assertThatThrownBy(() -> carol.createTask(HELLO))
          .isInstanceOfSatisfying(TesAuthException.class, e -> assertThat(e.statusCode()).isEqualTo(403));
      assertThatThrownBy(() -> dashboard.createTask(HELLO))
          .isInstanceOfSatisfying(TesAuthException.class, e -> assertThat(e.statusCode()).isEqualTo(403));
    }
  }

  @Test
  void wrongOrMissingCredentialsAre401AndNeverEchoed() {
    try (TesHttpClient wrongPassword = client(TesAuth.basic("alice", "not-alice-pw"));
        TesHttpClient wrongToken = client(TesAuth.bearer("guessed-token-value"));
        TesHttpClient nobody = client(TesAuth.none())) {
      for (TesHttpClient caller : List.of(wrongPassword, wrongToken, nobody)) {
        assertThatThrownBy(() -> caller.getTask("01J0000000000000000000000", View.MINIMAL))
            .isInstanceOfSatisfying(TesAuthException.class, e -> {
              assertThat(e.statusCode()).isEqualTo(401);
              assertThat(e.getMessage()).doesNotContain("not-alice-pw", "guessed-token-value");
            });
      }
    }
  }
}
