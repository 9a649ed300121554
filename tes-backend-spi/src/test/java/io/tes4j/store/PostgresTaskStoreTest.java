package io.tes4j.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.model.State;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link JdbcTaskStore} on a real PostgreSQL (started once per JVM, see {@link
 * EmbeddedPostgresServer}), opened from a URL with a user and password: the contract, then what is
 * particular to PostgreSQL. Each test has a schema of its own.
 */
class PostgresTaskStoreTest extends TaskStoreContract {
  private static final String PASSWORD = "pw-Never-Shown-7f3a";

  private EmbeddedPostgresServer server;
  private String schema;

  private String url() {
    return server.url() + "?currentSchema=" + schema + "&ApplicationName=" + schema;
  }

  @Override
  protected TaskStore newStore() throws Exception {
    server = EmbeddedPostgresServer.shared();
    schema = server.newSchema();
    return JdbcTaskStore.open(url(), "postgres", PASSWORD);
  }

  @Override
  protected TaskStore reopen(TaskStore store) {
    store.close();
    return JdbcTaskStore.open(url(), "postgres", PASSWORD);
  }

  private List<String> column(String sql, String... args) {
    List<String> out = new ArrayList<>();
    try (Connection c = server.dataSource().getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        s.setString(i + 1, args[i]);
      }
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  /**
   * Ends the server side of the store's connections (the reads' and the writer's, which holds the
   * lock), and waits until they are gone.
   */
  private void killStoreConnection() {
    assertThat(
            column(
                "SELECT pg_terminate_backend(pid, 60000) FROM pg_stat_activity WHERE application_name = ?",
                schema))
        .isNotEmpty()
        .allMatch("t"::equals);
  }

  /**
   * If this fails, check that the text columns that are compared or ordered use the "C" collation:
   * a linguistic default collation would order ids and match prefixes differently from Java.
   */
  @Test
  void orderedColumnsUseTheCCollation() {
    assertThat(
            column(
                "SELECT table_name || '.' || column_name || '=' || collation_name"
                    + " FROM information_schema.columns WHERE table_schema = ? AND collation_name IS NOT NULL"
                    + " ORDER BY 1",
                schema))
        .containsExactly(
            "tes4j_task.id=C", "tes4j_task.name=C", "tes4j_task_tag.tag_key=C",
            "tes4j_task_tag.tag_value=C", "tes4j_task_tag.task_id=C");
  }

  @Test
  void theTablesAreInTheSchemaOfTheUrl() {
    store.insert(task(id(1), "one", Map.of()));

    assertThat(column("SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY 1", schema))
        .containsExactly("tes4j_schema", "tes4j_task", "tes4j_task_tag");
    assertThat(column("SELECT version::text FROM " + schema + ".tes4j_schema")).containsExactly("1");
  }

  @Test
  void twoSchemasAreTwoStores() throws Exception {
    store.insert(task(id(1), "in the first schema", Map.of()));
    try (TaskStore other = newStore()) {
      assertThat(other.get(id(1))).isEmpty();
      other.insert(task(id(1), "in the second schema", Map.of()));
      assertThat(other.count()).isEqualTo(1);
    }
    assertThat(store.get(id(1)).orElseThrow().task().name()).isEqualTo("in the first schema");
  }

  /** If this fails, check that the connection is replaced, and the failed call retried once. */
  @Test
  void aBrokenConnectionIsReplacedAndTheCallRetried() {
    store.insert(task(id(1), "one", Map.of("k", "v")));

    killStoreConnection();
    assertThat(store.get(id(1))).isPresent();

    killStoreConnection();
    store.insert(task(id(2), "two", Map.of("k", "v")));

    killStoreConnection();
    StoredTask running = task(id(1), State.RUNNING);
    store.update(new StoredTask(running.task().toBuilder().tag("k", "v").build(), "h"));

    killStoreConnection();
    assertThat(store.list(new TaskQuery(null, null, Map.of("k", "v"), null, 10)).tasks()).hasSize(2);
    assertThat(store.count()).isEqualTo(2);
    assertThat(store.unfinished()).hasSize(2);
    assertThat(column("SELECT COUNT(*)::text FROM " + schema + ".tes4j_task_tag")).containsExactly("2");
  }

  @Test
  void thePasswordIsInNoStringAndNoMessage() throws Exception {
    assertThat(store.toString()).doesNotContain(PASSWORD).contains("PostgreSQL", schema, "user=postgres");
    server.execute("DROP TABLE " + schema + ".tes4j_task_tag");

    assertThatThrownBy(() -> store.insert(task(id(1), "one", Map.of("k", "v"))))
        .isInstanceOf(TaskStoreException.class)
        .hasMessageContaining("insert of task " + id(1))
        .satisfies(e -> assertThat(chain(e)).doesNotContain(PASSWORD));

    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    String nowhere = "jdbc:postgresql://127.0.0.1:" + closedPort + "/postgres?connectTimeout=30";
    assertThatThrownBy(() -> JdbcTaskStore.open(nowhere, "postgres", PASSWORD))
        .isInstanceOfSatisfying(TaskStoreException.class, e -> assertThat(e.operation()).isEqualTo("open"))
        .hasMessageContaining("127.0.0.1:" + closedPort)
        .satisfies(e -> assertThat(chain(e)).doesNotContain(PASSWORD));

    String otherSchema = server.url() + "?currentSchema=" + server.newSchema(); // this one holds the test's schema
    try (TaskStore inUrl = JdbcTaskStore.open(otherSchema + "&password=" + PASSWORD, "postgres", null)) {
      assertThat(inUrl.toString()).doesNotContain(PASSWORD).contains("password=****");
    }
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
  void aNewerSchemaVersionIsRefused() {
    store.close();
    server.execute("UPDATE " + schema + ".tes4j_schema SET version = 99");

    assertThatThrownBy(() -> JdbcTaskStore.open(url(), "postgres", PASSWORD))
        .isInstanceOf(TaskStoreException.class)
        .hasMessageContaining("schema version 99")
        .hasMessageContaining("Upgrade tes4j");
    store = null;
  }

  /**
   * Engines opening a new database at once: one creates the schema while holding the store; the
   * others either wait for the schema and then find the store free, or are refused because another
   * one holds it. None sees a half-made schema.
   */
  @Test
  void concurrentOpensCreateTheSchemaOnce() throws Exception {
    String fresh = server.newSchema();
    String freshUrl = server.url() + "?currentSchema=" + fresh;
    int opens = 4;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(opens);
    try {
      List<Callable<String>> jobs = new ArrayList<>();
      for (int i = 0; i < opens; i++) {
        jobs.add(
            () -> {
              go.await();
              try (TaskStore s = JdbcTaskStore.open(freshUrl, "postgres", null)) {
                return "opened with " + s.count() + " tasks";
              } catch (TaskStoreInUseException e) {
                return "refused";
              }
            });
      }
      List<Future<String>> results = new ArrayList<>();
      for (Callable<String> job : jobs) {
        results.add(pool.submit(job));
      }
      go.countDown();
      List<String> outcomes = new ArrayList<>();
      for (Future<String> result : results) {
        outcomes.add(result.get());
      }
      assertThat(outcomes).contains("opened with 0 tasks").allMatch(o -> o.equals("opened with 0 tasks") || o.equals("refused"));
    } finally {
      pool.shutdown();
    }
    assertThat(column("SELECT COUNT(*)::text FROM " + fresh + ".tes4j_schema")).containsExactly("1");
  }

  /**
   * One engine per store: a second store on the same schema is refused while the first is open
   * and says who holds it; another schema is another store; closing the first frees it.
   */
  @Test
  void aSecondStoreOnTheSchemaIsRefusedUntilTheFirstCloses() throws Exception {
    store.insert(task(id(1), "one", Map.of()));

    assertThatThrownBy(() -> JdbcTaskStore.open(url(), "postgres", PASSWORD))
        .isInstanceOfSatisfying(TaskStoreInUseException.class, e -> {
          assertThat(e.operation()).isEqualTo("open");
          assertThat(e.holder()).startsWith("server process ").contains("application '" + schema + "'");
        })
        .hasMessageStartingWith("another engine holds the task store PostgreSQL " + url())
        .hasMessageContaining("the advisory lock (" + StoreLock.Advisory.CLASS_KEY + ", "
            + StoreLock.Advisory.schemaKey(schema) + ") of schema '" + schema + "' is held by server process ")
        .hasMessageContaining("give this one another schema")
        .satisfies(e -> assertThat(chain(e)).doesNotContain(PASSWORD));
    assertThat(column("SELECT COUNT(*)::text FROM pg_locks WHERE locktype = 'advisory' AND classid = "
        + StoreLock.Advisory.CLASS_KEY + " AND objid = " + StoreLock.Advisory.schemaKey(schema)))
        .containsExactly("1");
    store.insert(task(id(2), "two", Map.of()));

    store.close();
    store = JdbcTaskStore.open(url(), "postgres", PASSWORD);
    assertThat(store.count()).isEqualTo(2);
  }

  /** Without an application name of the user's, the writer's session names this process. */
  @Test
  void theHolderIsNamedByPidAndHostWhenTheUserNamedNoApplication() throws Exception {
    String plain = server.url() + "?currentSchema=" + schema;
    store.close();
    store = JdbcTaskStore.open(plain, "postgres", PASSWORD);

    assertThatThrownBy(() -> JdbcTaskStore.open(plain, "postgres", PASSWORD))
        .isInstanceOfSatisfying(TaskStoreInUseException.class, e ->
            assertThat(e.holder()).contains("application 'tes4j engine pid " + ProcessHandle.current().pid() + " on host "));
  }

  /**
   * The writer's session ended (the server cut it) and another engine took the lock before the
   * writer came back: the store refuses every later write, saying who holds the store now, and the
   * other engine goes on.
   */
  @Test
  void aLockTakenByAnotherEngineWhileTheWriterWasCutStopsTheWrites() throws Exception {
    store.insert(task(id(1), "one", Map.of()));
    killStoreConnection();

    try (TaskStore other = JdbcTaskStore.open(url(), "postgres", PASSWORD)) {
      assertThatThrownBy(() -> store.insert(task(id(2), "two", Map.of())))
          .isInstanceOfSatisfying(TaskStoreInUseException.class, e -> {
            assertThat(e.operation()).isEqualTo("insert");
            assertThat(e.taskId()).isEqualTo(id(2));
            assertThat(e.holder()).startsWith("server process ");
          })
          .hasMessageContaining("lost its engine lock")
          .hasMessageContaining("stop this engine");
      assertThatThrownBy(() -> store.update(task(id(1), State.RUNNING))).isInstanceOf(TaskStoreInUseException.class);
      assertThat(store.get(id(1))).as("reads still work").isPresent();

      other.insert(task(id(3), "three", Map.of()));
      assertThat(other.count()).isEqualTo(2);
    }
  }

  /**
   * An idle writer whose session was cut takes the lock again by itself (within a heartbeat), so
   * that a second engine started meanwhile is refused.
   */
  @Test
  void anIdleWriterTakesTheLockAgainAfterItsSessionWasCut() throws Exception {
    store.close();
    long before = JdbcTaskStore.heartbeatMillis;
    JdbcTaskStore.heartbeatMillis = 100;
    try {
      store = JdbcTaskStore.open(url(), "postgres", PASSWORD);
    } finally {
      JdbcTaskStore.heartbeatMillis = before;
    }
    killStoreConnection();
    String held = "SELECT COUNT(*)::text FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = "
        + StoreLock.Advisory.CLASS_KEY + " AND objid = " + StoreLock.Advisory.schemaKey(schema);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!column(held).equals(List.of("1"))) {
      assertThat(System.nanoTime()).as("the lock is taken again").isLessThan(deadline);
      Thread.sleep(20);
    }

    assertThatThrownBy(() -> JdbcTaskStore.open(url(), "postgres", PASSWORD)).isInstanceOf(TaskStoreInUseException.class);
    store.insert(task(id(1), "after the cut", Map.of()));
    assertThat(store.count()).isEqualTo(1);
  }

  /**
   * A write of a batch that the database refuses (PostgreSQL's text cannot hold U+0000) fails its
   * own caller, with a {@link TaskStoreException} naming the task, and no other.
   */
  @Test
  void aDatabaseErrorInOneWriteFailsOnlyItsCaller() throws Exception {
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Callable<String>> jobs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int n = t;
        jobs.add(() -> {
          for (int i = 0; i < 5; i++) {
            store.insert(task(id(n * 10 + i), "good", Map.of()));
          }
          try {
            store.insert(task(id(n * 10 + 5), "bad\u0000name", Map.of()));
            return "returned";
          } catch (TaskStoreException e) {
            return e.operation() + " " + e.taskId();
          }
        });
      }
      List<Future<String>> results = pool.invokeAll(jobs);
      for (int t = 0; t < threads; t++) {
        assertThat(results.get(t).get()).isEqualTo("insert " + id(t * 10 + 5));
      }
    } finally {
      pool.shutdown();
    }
    assertThat(store.count()).isEqualTo(threads * 5);
  }
}
