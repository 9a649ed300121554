package io.tes4j.store;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

/** The contract on SQLite through a {@link javax.sql.DataSource}: a connection per call. */
class SqliteDataSourceTaskStoreTest extends TaskStoreContract {
  @TempDir Path dir;

  private SQLiteDataSource dataSource() {
    SQLiteDataSource ds = new SQLiteDataSource();
    ds.setUrl("jdbc:sqlite:" + dir.resolve("tasks.db"));
    return ds;
  }

  @Override
  protected TaskStore newStore() {
    return JdbcTaskStore.open(dataSource());
  }

  @Override
  protected TaskStore reopen(TaskStore store) {
    store.close();
    return JdbcTaskStore.open(dataSource());
  }
}
