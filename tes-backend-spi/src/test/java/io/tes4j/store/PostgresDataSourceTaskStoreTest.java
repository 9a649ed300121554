package io.tes4j.store;

import static org.assertj.core.api.Assertions.assertThat;

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

  @AfterEach
  void closePool() throws SQLException {
    dataSource.close();
  }
}
