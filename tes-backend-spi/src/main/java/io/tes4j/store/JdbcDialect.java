package io.tes4j.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;

/**
 * What differs between the databases {@link JdbcTaskStore} supports: the schema's types and
 * collations, how a write transaction starts, the per-connection settings. Internal.
 *
 * <p>Ordering and prefix matching must be by code point on both databases, as {@link String}
 * prefixes are: SQLite's default BINARY collation compares UTF-8 bytes, and the PostgreSQL columns
 * use the "C" collation for the same reason (a database's default collation is usually linguistic,
 * which ignores case and punctuation at first and would reorder ids).
 */
enum JdbcDialect {
  SQLITE("SQLite", "") {
    @Override
    void configure(Connection c) throws SQLException {
      try (Statement s = c.createStatement()) {
        // Per connection: wait for another process's write lock instead of failing at once;
        // FULL syncs the WAL on every commit, so a call that returned survives a power loss
        // (NORMAL, the usual WAL pairing, survives the death of the process but may lose the
        // last commits on a power loss or a kernel crash). The writer's group commit shares one
        // sync among all the writes waiting, which is what makes FULL affordable.
        s.execute("PRAGMA busy_timeout = " + BUSY_TIMEOUT_MS);
        s.execute("PRAGMA synchronous = FULL");
        s.execute("PRAGMA foreign_keys = ON");
      }
    }

    @Override
    void prepareFile(Connection c) throws SQLException {
      // Persistent in the file: readers do not block the writer, and the writer not readers.
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("PRAGMA journal_mode = WAL")) {
        rs.next();
      }
    }

    @Override
    String databaseFile(Connection c) throws SQLException {
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("PRAGMA database_list")) {
        while (rs.next()) {
          if ("main".equals(rs.getString(2))) {
            String file = rs.getString(3);
            return file == null || file.isEmpty() ? null : file; // empty: in memory, or temporary
          }
        }
      }
      return null;
    }

    @Override
    void begin(Connection c) throws SQLException {
      c.setAutoCommit(true);
      // IMMEDIATE takes the write lock first, so busy_timeout applies; a deferred transaction
      // that read first could fail at its first write when another connection wrote meanwhile.
      try (Statement s = c.createStatement()) {
        s.execute("BEGIN IMMEDIATE");
      }
    }

    @Override
    void commit(Connection c) throws SQLException {
      try (Statement s = c.createStatement()) {
        s.execute("COMMIT");
      }
    }

    @Override
    void rollback(Connection c) throws SQLException {
      try (Statement s = c.createStatement()) {
        s.execute("ROLLBACK");
      } catch (SQLException e) {
        // Some failures (SQLITE_FULL, SQLITE_IOERR...) end the transaction themselves; the
        // ROLLBACK then has nothing to do and says so, which is no failure of its own.
        if (!String.valueOf(e.getMessage()).contains("no transaction is active")) {
          throw e;
        }
      }
    }

    @Override
    boolean schemaTableExists(Connection c) throws SQLException {
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '"
                      + SCHEMA_TABLE
                      + "'")) {
        return rs.next() && rs.getInt(1) > 0;
      }
    }

    @Override
    void lockSchema(Connection c) {
      // BEGIN IMMEDIATE already holds the database's write lock.
    }

    @Override
    boolean isUniqueViolation(SQLException e) {
      // SQLITE_CONSTRAINT (19) and its extended codes (SQLITE_CONSTRAINT_PRIMARYKEY is 1555).
      return (e.getErrorCode() & 0xff) == 19
          || String.valueOf(e.getMessage()).contains("SQLITE_CONSTRAINT_PRIMARYKEY");
    }
  },

  POSTGRESQL("PostgreSQL", " COLLATE \"C\"") {
    @Override
    void configure(Connection c) {
      // Nothing per connection: durability is set per write transaction (see begin).
    }

    @Override
    void prepareFile(Connection c) {
      // Nothing: the server owns its files.
    }

    @Override
    String databaseFile(Connection c) {
      return null;
    }

    @Override
    void begin(Connection c) throws SQLException {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        // A returned call must be durable even where the server's default is off; LOCAL keeps
        // the setting from leaking into a pooled session.
        s.execute("SET LOCAL synchronous_commit TO on");
      }
    }

    @Override
    void commit(Connection c) throws SQLException {
      c.commit();
      c.setAutoCommit(true);
    }

    @Override
    void rollback(Connection c) throws SQLException {
      if (!c.getAutoCommit()) {
        c.rollback();
        c.setAutoCommit(true);
      }
    }

    @Override
    boolean schemaTableExists(Connection c) throws SQLException {
      // to_regclass follows the search_path, as CREATE TABLE and every query do.
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT to_regclass('" + SCHEMA_TABLE + "') IS NOT NULL")) {
        return rs.next() && rs.getBoolean(1);
      }
    }

    @Override
    void lockSchema(Connection c) throws SQLException {
      // Two engines opening a new database at once: the second waits, then sees the schema.
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT pg_advisory_xact_lock(" + ADVISORY_LOCK + ")")) {
        rs.next();
      }
    }

    @Override
    boolean isUniqueViolation(SQLException e) {
      return "23505".equals(e.getSQLState());
    }
  };

  /** The table holding the schema version. */
  static final String SCHEMA_TABLE = "tes4j_schema";

  /** How long SQLite waits for another connection's write lock. */
  static final int BUSY_TIMEOUT_MS = 10_000;

  /** The PostgreSQL advisory lock taken while the schema is created or migrated ("tes4j"). */
  static final long ADVISORY_LOCK = 0x7465_7334_6a00L;

  private final String productName;
  private final String collate;

  JdbcDialect(String productName, String collate) {
    this.productName = productName;
    this.collate = collate;
  }

  /** The name the database reports in its metadata, and that messages use. */
  String productName() {
    return productName;
  }

  /** The dialect of a database, by the product name its JDBC metadata reports. */
  static JdbcDialect of(String databaseProductName, String what) {
    String name = String.valueOf(databaseProductName).toLowerCase(Locale.ROOT);
    if (name.contains("sqlite")) {
      return SQLITE;
    }
    if (name.contains("postgresql")) {
      return POSTGRESQL;
    }
    throw new IllegalArgumentException(
        "JdbcTaskStore supports SQLite and PostgreSQL; "
            + what
            + " is "
            + databaseProductName
            + ". Use jdbc:sqlite:/path/tasks.db (driver org.xerial:sqlite-jdbc) or"
            + " jdbc:postgresql://host:5432/db (driver org.postgresql:postgresql).");
  }

  /** Settings of one new connection. */
  abstract void configure(Connection c) throws SQLException;

  /** Settings kept in the database itself, applied once at open, outside any transaction. */
  abstract void prepareFile(Connection c) throws SQLException;

  /**
   * The file the database is in, absolute, or {@code null} when it is in none (SQLite in memory;
   * PostgreSQL, whose server owns its files).
   */
  abstract String databaseFile(Connection c) throws SQLException;

  /** Starts a write transaction. */
  abstract void begin(Connection c) throws SQLException;

  /** Commits the transaction {@link #begin} started. */
  abstract void commit(Connection c) throws SQLException;

  /** Rolls back the transaction {@link #begin} started, if it is still open. */
  abstract void rollback(Connection c) throws SQLException;

  /** Whether the schema version table exists (where this connection's queries would find it). */
  abstract boolean schemaTableExists(Connection c) throws SQLException;

  /** Serializes schema creation and migration between processes, inside the transaction. */
  abstract void lockSchema(Connection c) throws SQLException;

  /** Whether {@code e} reports a primary key violation. */
  abstract boolean isUniqueViolation(SQLException e);

  /**
   * The statements that take a database from {@code version - 1} to {@code version}. Version 1
   * creates everything. A later version appends a migration here and raises {@link
   * JdbcTaskStore#SCHEMA_VERSION}; a database at a newer version than the code is refused.
   */
  List<String> migration(int version) {
    if (version != 1) {
      throw new IllegalArgumentException("no migration to schema version " + version);
    }
    String text = "TEXT" + collate;
    return List.of(
        "CREATE TABLE " + SCHEMA_TABLE + " (version INTEGER NOT NULL)",
        // The id sorts in creation order, so it is also the order of every listing.
        "CREATE TABLE tes4j_task ("
            + " id "
            + text
            + " NOT NULL PRIMARY KEY,"
            + " state TEXT NOT NULL,"
            + " name "
            + text
            + ","
            + " handle TEXT,"
            + " doc TEXT NOT NULL)",
        "CREATE INDEX tes4j_task_state ON tes4j_task (state, id)",
        "CREATE INDEX tes4j_task_name ON tes4j_task (name, id)",
        "CREATE TABLE tes4j_task_tag ("
            + " task_id "
            + text
            + " NOT NULL REFERENCES tes4j_task (id) ON DELETE CASCADE,"
            + " tag_key "
            + text
            + " NOT NULL,"
            + " tag_value "
            + text
            + " NOT NULL,"
            + " PRIMARY KEY (task_id, tag_key))",
        "CREATE INDEX tes4j_task_tag_key ON tes4j_task_tag (tag_key, tag_value, task_id)");
  }
}
