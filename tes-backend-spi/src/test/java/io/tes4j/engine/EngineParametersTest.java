package io.tes4j.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.api.TesClient;
import io.tes4j.api.TesClientException;
import io.tes4j.model.State;
import io.tes4j.model.View;
import io.tes4j.store.JdbcTaskStore;
import io.tes4j.store.TaskStoreException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The engine's settings in the backend URI's query and in {@code parameter(...)}: taken out before
 * the backend sees the rest, honoured, overridden by the builder's own methods, and refused with a
 * message that names them when wrong. The backend is the {@code fake:} scheme's FakeBackend.
 */
class EngineParametersTest {
  private static final String SECRET = "pw-Never-Shown-51c9";

  @TempDir Path dir;

  private String sqlite() {
    return "jdbc:sqlite:" + dir.resolve("tasks.db");
  }

  private static List<String> create(TesEngine engine, int count, String key, String value) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(engine.createTask(key == null ? Tasks.named("t" + i) : Tasks.tagged(key, value)));
    }
    return ids;
  }

  private static String chain(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      sb.append(t).append('\n');
      for (Throwable s : t.getSuppressed()) {
        sb.append(s).append('\n');
      }
    }
    return sb.toString();
  }

  @Test
  void theBackendSeesNeitherTheEngineParametersNorTheStorePassword() {
    String uri = "fake:?color=red&store=" + sqlite() + "&store.user=tes&store.password=" + SECRET
        + "&maxRunning=3&tagLimit.lts=write:1&size=2";
    try (TesEngine engine = TesEngine.open(uri)) {
      assertThat(FakeBackendProvider.lastConfig.parameters()).containsExactly(
          java.util.Map.entry("color", "red"), java.util.Map.entry("size", "2"));
      assertThat(FakeBackendProvider.lastConfig.uri()).hasToString("fake:?color=red&size=2");
      assertThat(engine.toString())
          .isEqualTo("TesEngine[backend=fake, store=JdbcTaskStore[SQLite " + sqlite() + " user=tes], unfinished=0]")
          .doesNotContain(SECRET);
    }
  }

  @Test
  void maxRunningFromTheUriHoldsBackTheTasksAfterTheFirstN() {
    try (TesEngine engine = TesEngine.open("fake:?maxRunning=2")) {
      List<String> ids = create(engine, 4, null, null);

      FakeBackend backend = FakeBackendProvider.lastBackend;
      backend.awaitStarted(2); // on the engine's starter threads, two at once: in either order
      assertThat(backend.startedIds).containsExactlyInAnyOrderElementsOf(ids.subList(0, 2));
      assertThat(engine.getTask(ids.get(3), View.MINIMAL).state()).isEqualTo(State.QUEUED);
      backend.complete(ids.get(0));
      backend.awaitStarted(3);
      assertThat(backend.startedIds).containsExactlyInAnyOrderElementsOf(ids.subList(0, 3));
      assertThat(backend.startedIds.get(2)).isEqualTo(ids.get(2));
    }
  }

  @Test
  void maxQueuedAndABoundedMemoryStoreFromTheUri() {
    try (TesEngine engine = TesEngine.open("fake:?maxRunning=1&maxQueued=1&store=memory:?keepEnded=1")) {
      assertThat(engine.toString()).contains("store=MemoryTaskStore[0 tasks, keeping 1 ended, 0 dropped]");
      List<String> ids = create(engine, 2, null, null); // one admitted, one waiting
      assertThatThrownBy(() -> create(engine, 1, null, null)).isInstanceOf(io.tes4j.api.QueueFullException.class);

      FakeBackend backend = FakeBackendProvider.lastBackend;
      backend.awaitStarted(1);
      backend.complete(ids.get(0));
      backend.awaitStarted(2);
      backend.complete(ids.get(1));
      engine.await(ids.get(1), java.time.Duration.ofSeconds(10));
      assertThatThrownBy(() -> engine.getTask(ids.get(0), View.MINIMAL))
          .as("ended first, dropped").isInstanceOf(io.tes4j.api.TaskNotFoundException.class);
    }
  }

  @Test
  void tagLimitsFromTheUriHoldBackOnlyTheTasksTheyConcern() {
    try (TesEngine engine = TesEngine.open("fake:?tagLimit.lts=write:1,read:2&tagLimit.gpu=a100:1")) {
      List<String> writes = create(engine, 2, "lts", "write");
      List<String> reads = create(engine, 3, "lts", "read");
      List<String> gpus = create(engine, 2, "gpu", "a100");
      List<String> others = create(engine, 2, "lts", "other");

      FakeBackendProvider.lastBackend.awaitStarted(6);
      assertThat(FakeBackendProvider.lastBackend.startedIds).containsExactlyInAnyOrder(
          writes.get(0), reads.get(0), reads.get(1), gpus.get(0), others.get(0), others.get(1));
    }
  }

  @Test
  void parametersOverTheUriAndTheBuildersOwnMethodsOverBoth() {
    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend("fake:?maxRunning=1").parameter("maxRunning", "2").build()) {
      create(engine, 4, null, null);
      assertThat(FakeBackendProvider.lastBackend.startedIds).hasSize(2);
    }
    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend("fake:?maxRunning=1").parameter("maxRunning", "2")
        .maxRunning(3).build()) {
      create(engine, 4, null, null);
      assertThat(FakeBackendProvider.lastBackend.startedIds).hasSize(3);
    }
    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend("fake:?tagLimit.k=v:1,w:1").tagLimit("k", "v", 2).build()) {
      create(engine, 3, "k", "v");
      create(engine, 3, "k", "w");
      assertThat(FakeBackendProvider.lastBackend.startedIds).hasSize(2 + 1);
    }
    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend("fake:?store=" + sqlite()).store("memory").build()) {
      assertThat(engine.toString()).contains("store=MemoryTaskStore[0 tasks]");
    }
    assertThat(dir.resolve("tasks.db")).as("the builder's store(...) won: the URI's was not opened").doesNotExist();
  }

  @Test
  void engineParametersCanBeSetWithABackendInstance() {
    FakeBackend backend = new FakeBackend();
    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(backend).parameter("maxRunning", "1")
        .parameter("store", sqlite()).build()) {
      create(engine, 2, null, null);
      assertThat(backend.startedIds).hasSize(1);
      assertThat(engine.toString()).contains("store=JdbcTaskStore[SQLite " + sqlite() + "]");
    }
    assertThatThrownBy(() -> TesEngine.builder().engineExecutor(Runnable::run).backend(new FakeBackend()).parameter("maxRunning", "1")
            .parameter("color", "red").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("(parameters: [color])");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "maxRunning=0 | maxRunning must be a whole number of tasks from 1 to 2147483647 (e.g. maxRunning=8), was '0'",
        "maxRunning=all | maxRunning must be a whole number of tasks from 1 to 2147483647 (e.g. maxRunning=8), was 'all'",
        "tagLimit.lts=write | tagLimit.lts must be VALUE:MAX, or several separated by commas, with MAX a whole number"
            + " of at least 1 (e.g. tagLimit.lts=write:2,read:8), was 'write'",
        "tagLimit.=write:1 | the parameter tagLimit. names no tag key: write tagLimit.KEY=VALUE:MAX, e.g."
            + " tagLimit.lts=write:2",
        "store=redis://cache | store must be memory (the default), jdbc:sqlite:PATH or jdbc:postgresql://HOST:PORT/DB,"
            + " was 'redis://cache'",
        "store=memory&store.password=" + SECRET + " | store.password is set, but store is memory: the user and"
            + " password are those of a JDBC store (memory (the default), jdbc:sqlite:PATH or"
            + " jdbc:postgresql://HOST:PORT/DB)",
        "store.user=tes | store.user is set without store: set store to the JDBC URL of the database"
            + " (jdbc:postgresql://HOST:PORT/DB or jdbc:sqlite:PATH)",
      })
  void aWrongValueNamesTheParameterWhatWasWrongAndWhatIsAllowed(String query, String message) {
    assertThatThrownBy(() -> TesEngine.open("fake:?" + query))
        .isInstanceOf(TesClientException.class)
        .hasMessage("backend URI fake:?...: " + message)
        .satisfies(e -> assertThat(chain(e)).doesNotContain(SECRET));
  }

  @Test
  void aWrongValueSetWithParameterIsRefusedAsInTheUri() {
    FakeBackend backend = new FakeBackend();
    assertThatThrownBy(() -> TesEngine.builder().engineExecutor(Runnable::run).backend(backend).parameter("maxRunning", "none").build())
        .isInstanceOf(TesClientException.class)
        .hasMessage("maxRunning must be a whole number of tasks from 1 to 2147483647 (e.g. maxRunning=8), was 'none'");
  }

  @Test
  void theBuildersStoreMethodChecksTheSpecAtOnce() {
    assertThatThrownBy(() -> TesEngine.builder().engineExecutor(Runnable::run).store("tasks.db"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("store must be memory (the default), jdbc:sqlite:PATH or jdbc:postgresql://HOST:PORT/DB,"
            + " was 'tasks.db'");
    assertThatThrownBy(() -> TesEngine.builder().engineExecutor(Runnable::run).store("memory", "tes", SECRET))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("store.user is set, but store is memory")
        .satisfies(e -> assertThat(chain(e)).doesNotContain(SECRET));
  }

  @Test
  void aMisspeltParameterIsRefusedWithTheNamesOfTheBackendAndTheEngine() {
    assertThatThrownBy(() -> TesClient.connect("fake:?maxRuning=4"))
        .isInstanceOf(TesClientException.class)
        .hasMessage("backend URI fake:?...: unknown parameter maxRuning; fake: knows color, size; the engine takes"
            + " maxQueued, maxRunning, store, store.password, store.user, tagLimit.KEY; maxRuning: did you mean maxRunning?");
    assertThatThrownBy(() -> TesEngine.builder().engineExecutor(Runnable::run).backend("fake:").parameter("colour", "red").build())
        .isInstanceOf(TesClientException.class)
        .hasMessageEndingWith("; colour: did you mean color?");
  }

  @Test
  void theEngineClosesTheStoreItOpenedAndNotOneItWasGiven() {
    Path wal = dir.resolve("tasks.db-wal");
    String id;
    try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(new FakeBackend()).store(sqlite()).build()) {
      id = engine.createTask(Tasks.named("a"));
      assertThat(wal).as("SQLite keeps a write-ahead log while a connection is open").exists();
    }
    assertThat(wal).as("the last connection closed: SQLite checkpointed and removed its log").doesNotExist();

    try (JdbcTaskStore given = JdbcTaskStore.open(sqlite())) {
      try (TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(new FakeBackend()).store(given).build()) {
        assertThat(engine.getTask(id, View.MINIMAL).state()).isEqualTo(State.SYSTEM_ERROR);
      }
      assertThat(given.get(id)).as("the given store is still open").isPresent();
      assertThat(wal).exists();
    }
  }

  @Test
  void aStoreThatCannotBeOpenedFailsTheBuildAndClosesTheBackend() throws Exception {
    String missing = "jdbc:sqlite:" + dir.resolve("no-such-directory").resolve("tasks.db");
    assertThatThrownBy(() -> TesEngine.open("fake:?store=" + missing))
        .isInstanceOf(TesClientException.class)
        .hasMessageStartingWith("the store " + missing + " cannot be opened: ")
        .hasCauseInstanceOf(IllegalArgumentException.class);
    assertThat(FakeBackendProvider.lastBackend.closed).isTrue();

    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    String nowhere = "jdbc:postgresql://127.0.0.1:" + closedPort + "/tes?connectTimeout=30";
    FakeBackend given = new FakeBackend();
    assertThatThrownBy(() -> TesEngine.builder().engineExecutor(Runnable::run).backend(given).store(nowhere, "tes", SECRET).build())
        .isInstanceOf(TesClientException.class)
        .hasMessageStartingWith("the store " + nowhere + " (user tes) (password ****) cannot be opened: ")
        .hasCauseInstanceOf(TaskStoreException.class)
        .satisfies(e -> assertThat(chain(e)).doesNotContain(SECRET));
    assertThat(given.closed).isTrue();
    try (var files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }
}
