package io.tes4j.engine;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Restarts on a SQLite file, set with {@code store("jdbc:sqlite:...")} and in the URI. */
class SqliteRestartTest extends DurableRestartContract {
  @TempDir Path dir;

  private String url() {
    return "jdbc:sqlite:" + dir.resolve("tasks.db");
  }

  @Override
  protected TesEngine.Builder onTheStore(TesEngine.Builder builder) {
    return builder.store(url());
  }

  @Override
  protected String fakeUriOnTheStore() {
    return "fake:?store=" + url();
  }
}
