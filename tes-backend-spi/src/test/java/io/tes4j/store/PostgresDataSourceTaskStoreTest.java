package io.tes4j.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The contract on PostgreSQL through a {@link javax.sql.DataSource}: a connection per call, from a
 * pool that reuses them.
 */
class PostgresDataSourceTaskStoreTest extends TaskStoreContract {
  private ReusingDataSource dataSource;

  @Override
  protected TaskStore newStore() throws Exception {
    EmbeddedPostgresServer server = EmbeddedPostgresServer.shared();
    PGSimpleDataSource physical = server.dataSource();
    physical.setCurrentSchema(server.newSchema());
    dataSource = new ReusingDataSource(physical);
    return JdbcTaskStore.open(dataSource);
  }

  @Override
  protected TaskStore reopen(TaskStore store) {
    store.close();
    return JdbcTaskStore.open(dataSource);
  }

  @Test
  void toStringNamesTheDatabaseWithoutThePassword() throws Exception {
    PGSimpleDataSource physical = EmbeddedPostgresServer.shared().dataSource();
    physical.setCurrentSchema(EmbeddedPostgresServer.shared().newSchema());
    physical.setPassword("pw-Never-Shown-9b1c"); // the server trusts 127.0.0.1 and ignores it

    try (TaskStore other = JdbcTaskStore.open(physical)) {
      assertThat(other.toString()).startsWith("JdbcTaskStore[PostgreSQL jdbc:postgresql://").doesNotContain("9b1c");
    }
  }

  /**
   * The writer keeps one pooled connection, whose session holds the lock; at close it gives the
   * lock back before the connection returns to the pool, so a store on another session can open
   * while the pool keeps the first session alive.
   */
  @Test
  void closingGivesTheLockBackThoughThePoolKeepsTheSession() throws Exception {
    EmbeddedPostgresServer server = EmbeddedPostgresServer.shared();
    PGSimpleDataSource physical = server.dataSource();
    physical.setCurrentSchema(server.newSchema());
    try (ReusingDataSource pool = new ReusingDataSource(physical)) {
      TaskStore first = JdbcTaskStore.open(pool);
      first.insert(task(id(1), "one", java.util.Map.of()));
      assertThatThrownBy(() -> JdbcTaskStore.open(physical)).isInstanceOf(TaskStoreInUseException.class);
      first.close();

      try (TaskStore second = JdbcTaskStore.open(physical)) { // sessions of its own, not the pool's
        assertThat(second.count()).isEqualTo(1);
      }
    }
  }

  @AfterEach
  void closePool() throws SQLException {
    dataSource.close();
  }
}
