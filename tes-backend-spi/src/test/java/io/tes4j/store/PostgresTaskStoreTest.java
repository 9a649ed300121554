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

  /** Ends the server side of the store's connection, and waits until it is gone. */
  private void killStoreConnection() {
    assertThat(
            column(
                "SELECT pg_terminate_backend(pid, 60000) FROM pg_stat_activity WHERE application_name = ?",
                schema))
        .containsExactly("t");
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

    try (TaskStore inUrl = JdbcTaskStore.open(url() + "&password=" + PASSWORD, "postgres", null)) {
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

  /** Engines opening a new database at once: one creates the schema, the others wait and use it. */
  @Test
  void concurrentOpensCreateTheSchemaOnce() throws Exception {
    String fresh = server.newSchema();
    String freshUrl = server.url() + "?currentSchema=" + fresh;
    int opens = 4;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(opens);
    try {
      List<Callable<Long>> jobs = new ArrayList<>();
      for (int i = 0; i < opens; i++) {
        jobs.add(
            () -> {
              go.await();
              try (TaskStore s = JdbcTaskStore.open(freshUrl, "postgres", null)) {
                return s.count();
              }
            });
      }
      List<Future<Long>> results = new ArrayList<>();
      for (Callable<Long> job : jobs) {
        results.add(pool.submit(job));
      }
      go.countDown();
      for (Future<Long> result : results) {
        assertThat(result.get()).isZero();
      }
    } finally {
      pool.shutdown();
    }
    assertThat(column("SELECT COUNT(*)::text FROM " + fresh + ".tes4j_schema")).containsExactly("1");
  }
}
