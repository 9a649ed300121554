package io.tes4j.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.model.State;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link JdbcTaskStore} on a SQLite file: the contract, then what is particular to SQLite. */
class SqliteTaskStoreTest extends TaskStoreContract {
  @TempDir Path dir;

  private String url() {
    return "jdbc:sqlite:" + dir.resolve("tasks.db");
  }

  @Override
  protected TaskStore newStore() {
    return JdbcTaskStore.open(url());
  }

  @Override
  protected TaskStore reopen(TaskStore store) {
    store.close();
    return JdbcTaskStore.open(url());
  }

  private Connection raw() throws SQLException {
    return DriverManager.getConnection(url());
  }

  private static String query(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void theFileIsInWalModeWithTheSchemaVersion() throws Exception {
    store.insert(task(id(1), "one", Map.of("k", "v")));

    assertThat(dir.resolve("tasks.db")).isRegularFile();
    try (Connection c = raw()) {
      assertThat(query(c, "PRAGMA journal_mode")).isEqualTo("wal");
      assertThat(query(c, "SELECT version FROM tes4j_schema")).isEqualTo("1");
      assertThat(query(c, "SELECT COUNT(*) FROM tes4j_task_tag")).isEqualTo("1");
    }
  }

  @Test
  void aMissingDirectoryIsAClearError() {
    Path missing = dir.resolve("no-such-dir").resolve("tasks.db");

    assertThatThrownBy(() -> JdbcTaskStore.open("jdbc:sqlite:" + missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(missing.getParent().toString())
        .hasMessageContaining("does not exist");
    assertThat(missing.getParent()).doesNotExist();
  }

  @Test
  void aDirectoryIsNoStoreFile() {
    assertThatThrownBy(() -> JdbcTaskStore.open("jdbc:sqlite:" + dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is a directory");
  }

  @Test
  void aNewerSchemaVersionIsRefused() throws Exception {
    store.close();
    try (Connection c = raw();
        Statement s = c.createStatement()) {
      s.execute("UPDATE tes4j_schema SET version = 2");
    }

    assertThatThrownBy(() -> JdbcTaskStore.open(url()))
        .isInstanceOfSatisfying(
            TaskStoreException.class, e -> assertThat(e.operation()).isEqualTo("open"))
        .hasMessageContaining("schema version 2")
        .hasMessageContaining("newer tes4j")
        .hasMessageContaining("version 1");
    store = null;
  }

  @Test
  void reopeningKeepsOneSchemaRow() throws Exception {
    store = reopen(reopen(store));

    try (Connection c = raw()) {
      assertThat(query(c, "SELECT COUNT(*) || ':' || MAX(version) FROM tes4j_schema")).isEqualTo("1:1");
    }
  }

  /**
   * A failure in the middle of an insert (the tag table is gone) rolls the whole insert back and
   * says which operation and task failed.
   */
  @Test
  void aDatabaseFailureNamesTheOperationAndTaskAndRollsBack() throws Exception {
    try (Connection c = raw();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE tes4j_task_tag");
    }

    assertThatThrownBy(() -> store.insert(task(id(7), "tagged", Map.of("k", "v"))))
        .isInstanceOfSatisfying(
            TaskStoreException.class,
            e -> {
              assertThat(e.operation()).isEqualTo("insert");
              assertThat(e.taskId()).isEqualTo(id(7));
              assertThat(e.getCause()).isInstanceOf(SQLException.class);
            })
        .hasMessageContaining("insert of task " + id(7))
        .hasMessageContaining("tes4j_task_tag");
    assertThat(store.get(id(7))).isEmpty();
    // The store goes on working for what does not need the table.
    store.insert(task(id(8), "untagged", Map.of()));
    assertThat(store.count()).isEqualTo(1);
  }

  @Test
  void anUnreadableStoredDocumentIsAClearError() throws Exception {
    store.insert(task(id(1), "one", Map.of()));
    try (Connection c = raw();
        Statement s = c.createStatement()) {
      s.execute("UPDATE tes4j_task SET doc = '{\"id\": 1' WHERE id = '" + id(1) + "'");
    }

    assertThatThrownBy(() -> store.get(id(1)))
        .isInstanceOfSatisfying(
            TaskStoreException.class,
            e -> {
              assertThat(e.operation()).isEqualTo("get");
              assertThat(e.taskId()).isEqualTo(id(1));
            })
        .hasMessageContaining("get of task " + id(1))
        .hasMessageContaining("cannot be read");
  }

  @Test
  void twoStoresOnOneFileSeeEachOthersWrites() {
    try (TaskStore other = JdbcTaskStore.open(url())) {
      store.insert(task(id(1), "from the first", Map.of()));
      other.insert(task(id(2), "from the second", Map.of()));

      assertThat(other.get(id(1))).isPresent();
      assertThat(store.get(id(2))).isPresent();
      assertThatThrownBy(() -> other.insert(task(id(1), "again", Map.of())))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void aClosedStoreRefusesCalls() {
    store.close();

    assertThatThrownBy(() -> store.get(id(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    store.close(); // twice is fine
  }

  @Test
  void anInMemoryDatabaseWorksWhileTheStoreIsOpen() {
    try (TaskStore memory = JdbcTaskStore.open("jdbc:sqlite::memory:")) {
      memory.insert(task(id(1), State.RUNNING));

      assertThat(memory.unfinished()).hasSize(1);
      assertThat(memory.toString()).contains("SQLite", ":memory:");
    }
  }

  @Test
  void toStringNamesTheDatabaseAndFile() {
    assertThat(store.toString()).isEqualTo("JdbcTaskStore[SQLite " + url() + "]");
  }

  @Test
  void otherDatabasesAreRefusedWithTheSupportedOnes() {
    assertThatThrownBy(() -> JdbcTaskStore.open("jdbc:h2:mem:tasks"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("SQLite and PostgreSQL");
    DataSource h2 = fakeDataSource("H2");
    assertThatThrownBy(() -> JdbcTaskStore.open(h2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("supports SQLite and PostgreSQL")
        .hasMessageContaining("is H2");
  }

  @Test
  void prefixEndIsTheLeastStringAfterEveryExtension() {
    assertThat(JdbcTaskStore.prefixEnd("ab")).isEqualTo("ac");
    assertThat(JdbcTaskStore.prefixEnd("a\uD7FF")).isEqualTo("a\uE000");
    assertThat(JdbcTaskStore.prefixEnd("a" + new String(Character.toChars(Character.MAX_CODE_POINT))))
        .isEqualTo("b");
    assertThat(JdbcTaskStore.prefixEnd(new String(Character.toChars(Character.MAX_CODE_POINT)))).isNull();
    assertThat(JdbcTaskStore.prefixEnd("\uD83D\uDE00")).isEqualTo("\uD83D\uDE01");
  }

  @Test
  void urlsAreShownWithoutPasswords() {
    assertThat(JdbcTaskStore.redactUrl("jdbc:postgresql://h:5432/db?user=u&password=s3cret&ssl=true"))
        .isEqualTo("jdbc:postgresql://h:5432/db?user=u&password=****&ssl=true");
    assertThat(JdbcTaskStore.redactUrl("jdbc:postgresql://u:s3cret@h/db")).isEqualTo("jdbc:postgresql://u:****@h/db");
    assertThat(JdbcTaskStore.redactUrl("jdbc:sqlite:/tmp/x.db")).isEqualTo("jdbc:sqlite:/tmp/x.db");
  }

  /** A data source whose connections say they are {@code product}, and do nothing else. */
  static DataSource fakeDataSource(String product) {
    DatabaseMetaData meta =
        (DatabaseMetaData)
            Proxy.newProxyInstance(
                SqliteTaskStoreTest.class.getClassLoader(),
                new Class<?>[] {DatabaseMetaData.class},
                (proxy, method, args) ->
                    switch (method.getName()) {
                      case "getDatabaseProductName" -> product;
                      case "getURL" -> "jdbc:fake:";
                      default -> null;
                    });
    Connection connection =
        (Connection)
            Proxy.newProxyInstance(
                SqliteTaskStoreTest.class.getClassLoader(),
                new Class<?>[] {Connection.class},
                (proxy, method, args) ->
                    switch (method.getName()) {
                      case "getMetaData" -> meta;
                      case "isValid" -> true;
                      default -> null;
                    });
    return (DataSource)
        Proxy.newProxyInstance(
            SqliteTaskStoreTest.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) -> method.getName().equals("getConnection") ? connection : null);
  }

  @Test
  void aStoreFileCanBeMovedAndOpenedAgain() throws Exception {
    store.insert(task(id(1), "one", Map.of()));
    store.close();
    Path moved = Files.createDirectory(dir.resolve("moved")).resolve("tasks.db");
    Files.move(dir.resolve("tasks.db"), moved);

    try (TaskStore again = JdbcTaskStore.open("jdbc:sqlite:" + moved)) {
      assertThat(again.get(id(1))).isPresent();
    }
    store = null;
  }
}
