package io.tes4j.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.store.EmbeddedPostgresServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Restarts on a real PostgreSQL (the embedded server every PostgreSQL test of this JVM shares), a
 * schema of its own per test: the store, its user and password set with {@code parameter(...)} and
 * in the URI, the JDBC URL's own {@code &} written {@code %26} there.
 */
class PostgresRestartTest extends DurableRestartContract {
  private static final String PASSWORD = "pw-Never-Shown-0d4e";

  private String url;

  @BeforeEach
  void newSchema() throws Exception {
    EmbeddedPostgresServer server = EmbeddedPostgresServer.shared();
    String schema = server.newSchema();
    url = server.url() + "?currentSchema=" + schema + "&ApplicationName=" + schema;
  }

  @Override
  protected TesEngine.Builder onTheStore(TesEngine.Builder builder) {
    return builder.parameter("store", url).parameter("store.user", "postgres").parameter("store.password", PASSWORD);
  }

  @Override
  protected String fakeUriOnTheStore() {
    return "fake:?store=" + url.replace("&", "%26") + "&store.user=postgres&store.password=" + PASSWORD;
  }

  @Test
  void theEngineShowsTheDatabaseButNotThePassword() {
    try (TesEngine engine = TesEngine.open(fakeUriOnTheStore())) {
      assertThat(engine.toString())
          .startsWith("TesEngine[backend=fake, store=JdbcTaskStore[PostgreSQL " + url)
          .contains("user=postgres")
          .doesNotContain(PASSWORD);
    }
  }
}
