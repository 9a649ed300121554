package io.tes4j.store;

import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.TesJson;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable {@link TaskStore} in a SQLite file or a PostgreSQL database, over plain JDBC: bring
 * the driver ({@code org.xerial:sqlite-jdbc} or {@code org.postgresql:postgresql}); tes4j depends
 * on neither.
 *
 * <pre>{@code
 * TaskStore sqlite = JdbcTaskStore.open("jdbc:sqlite:/var/lib/tes4j/tasks.db");
 * TaskStore pg = JdbcTaskStore.open("jdbc:postgresql://127.0.0.1:5432/tes", "tes", password);
 * TaskStore pooled = JdbcTaskStore.open(dataSource);   // e.g. a HikariDataSource
 * }</pre>
 *
 * <p>Opening creates the tables if they are missing ({@code tes4j_schema}, {@code tes4j_task},
 * {@code tes4j_task_tag}), or migrates them from an older tes4j; a database written by a newer
 * tes4j is refused. Each task is one row holding its whole document (FULL view, as {@link TesJson}
 * writes it) plus the columns the filters use, and its tags are rows of a side table, so every
 * filter of {@link TaskQuery} runs in SQL, on indexes.
 *
 * <p>Every call is one transaction, durable when it returns: SQLite runs in WAL mode with {@code
 * synchronous=FULL}; PostgreSQL write transactions run with {@code synchronous_commit=on}, whatever
 * the server's default. Writes are serialized in this process (one writer; the engine is the only
 * writer of its store). Opened from a URL, the store keeps one connection, used under a lock and
 * opened again after it broke; a call that failed because the connection broke is retried once on
 * a new one (an insert whose first attempt did commit is then recognized, not reported as a
 * duplicate). Opened from a {@link DataSource}, it takes a connection per call, so reads run in
 * parallel as far as the pool allows.
 *
 * <p>Failures of the database throw {@link TaskStoreException}, naming the operation and the task.
 * Neither {@link #toString()} nor any message holds the password.
 *
 * <p>{@link #unfinished()} returns every task whose state is not terminal ({@link
 * State#isTerminal()}): QUEUED, INITIALIZING, RUNNING, PAUSED, CANCELING, and UNKNOWN too, so a
 * restarted engine also sees a task whose state it never learnt.
 *
 * <p>Instances are thread-safe.
 */
public final class JdbcTaskStore implements TaskStore {
  /**
   * The schema version this code writes. Opening a database at a lower version migrates it; at a
   * higher one (a newer tes4j wrote it) fails.
   */
  public static final int SCHEMA_VERSION = 1;

  private static final Logger LOG = LoggerFactory.getLogger(JdbcTaskStore.class);

  private static final String SELECT = "SELECT t.id, t.handle, t.doc FROM tes4j_task t";

  private final Link link;
  private final JdbcDialect dialect;
  private final String description;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final AtomicBoolean closed = new AtomicBoolean();

  private JdbcTaskStore(Link link, String what) {
    this.link = link;
    JdbcDialect detected;
    String url;
    Connection c = null;
    try {
      c = link.acquire();
      DatabaseMetaData meta = c.getMetaData();
      detected = JdbcDialect.of(meta.getDatabaseProductName(), what);
      url = meta.getURL();
    } catch (SQLException e) {
      link.release(c, true);
      link.close();
      throw new TaskStoreException(
          "open", null, "cannot open the task store at " + what + ": " + describe(e), e);
    } catch (RuntimeException e) {
      link.release(c, true);
      link.close();
      throw e;
    }
    this.dialect = detected;
    this.description =
        dialect.productName() + " " + (link.url() != null ? link.url() : redactUrl(url)) + link.user();
    try {
      link.dialect = dialect;
      dialect.configure(c);
      dialect.prepareFile(c);
      migrate(c);
    } catch (SQLException e) {
      link.release(c, true);
      link.close();
      throw new TaskStoreException(
          "open", null, "cannot open the task store " + description + ": " + describe(e), e);
    } catch (RuntimeException e) {
      link.release(c, true);
      link.close();
      throw e;
    }
    link.release(c, false);
    LOG.debug("opened the task store {}", description);
  }

  /**
   * Opens the store at a JDBC URL, with no user and password (SQLite; PostgreSQL with trust, peer
   * or a password file). See {@link #open(String, String, String)}.
   *
   * @param jdbcUrl {@code jdbc:sqlite:PATH} or {@code jdbc:postgresql://HOST:PORT/DB}
   * @return the open store
   * @throws IllegalArgumentException when the URL is not a SQLite or PostgreSQL one, its driver is
   *     not on the class path, or a SQLite file's directory does not exist
   * @throws TaskStoreException when the database cannot be reached, or holds a newer schema
   */
  public static JdbcTaskStore open(String jdbcUrl) {
    return open(jdbcUrl, null, null);
  }

  /**
   * Opens the store at a JDBC URL with one connection, created now and again whenever it broke.
   *
   * <p>SQLite: {@code jdbc:sqlite:/var/lib/tes4j/tasks.db}. The file is created if missing, but
   * not its directory, which must exist. PostgreSQL: {@code jdbc:postgresql://127.0.0.1:5432/tes};
   * add {@code ?currentSchema=NAME} to keep the tables in a schema of their own (it must exist).
   *
   * @param jdbcUrl {@code jdbc:sqlite:PATH} or {@code jdbc:postgresql://HOST:PORT/DB}
   * @param user the database user, or {@code null}
   * @param password the password, or {@code null}; it appears in no message and no {@code
   *     toString()}
   * @return the open store
   * @throws IllegalArgumentException when the URL is not a SQLite or PostgreSQL one, its driver is
   *     not on the class path, or a SQLite file's directory does not exist
   * @throws TaskStoreException when the database cannot be reached, or holds a newer schema
   */
  public static JdbcTaskStore open(String jdbcUrl, String user, String password) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    String shown = redactUrl(jdbcUrl);
    String lower = jdbcUrl.toLowerCase(Locale.ROOT);
    if (lower.startsWith("jdbc:sqlite:")) {
      checkSqliteDirectory(jdbcUrl.substring("jdbc:sqlite:".length()), shown);
    } else if (!lower.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "JdbcTaskStore supports SQLite and PostgreSQL, not "
              + shown
              + ": use jdbc:sqlite:/path/tasks.db or jdbc:postgresql://host:5432/db");
    }
    return new JdbcTaskStore(new SingleConnection(jdbcUrl, shown, user, password), shown);
  }

  /**
   * Opens the store over a {@link DataSource}, typically a connection pool, taking a connection
   * for each call and closing it after. {@link #close()} does not close the data source, which
   * its owner closes.
   *
   * @param dataSource where connections come from: SQLite or PostgreSQL
   * @return the open store
   * @throws IllegalArgumentException when the database is neither SQLite nor PostgreSQL
   * @throws TaskStoreException when no connection can be had, or the database holds a newer schema
   */
  public static JdbcTaskStore open(DataSource dataSource) {
    Objects.requireNonNull(dataSource, "dataSource");
    return new JdbcTaskStore(
        new PerCallConnection(dataSource), "data source " + dataSource.getClass().getName());
  }

  @Override
  public void insert(StoredTask task) {
    Objects.requireNonNull(task, "task");
    Row row = Row.of(task);
    run(
        "insert",
        row.id,
        true,
        (c, retry) -> {
          Row existing = selectRow(c, row.id);
          if (existing != null) {
            if (retry && existing.doc.equals(row.doc) && Objects.equals(existing.handle, row.handle)) {
              return null; // the attempt whose connection broke did commit
            }
            throw new IllegalStateException("task " + row.id + " already exists in " + this);
          }
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO tes4j_task (id, state, name, handle, doc) VALUES (?, ?, ?, ?, ?)")) {
            s.setString(1, row.id);
            s.setString(2, row.state);
            s.setString(3, row.name);
            s.setString(4, row.handle);
            s.setString(5, row.doc);
            s.executeUpdate();
          } catch (SQLException e) {
            if (dialect.isUniqueViolation(e)) {
              throw new IllegalStateException("task " + row.id + " already exists in " + this, e);
            }
            throw e;
          }
          insertTags(c, row.id, row.tags);
          return null;
        });
  }

  @Override
  public Optional<StoredTask> get(String id) {
    Objects.requireNonNull(id, "id");
    return run(
        "get",
        id,
        false,
        (c, retry) -> {
          Row row = selectRow(c, id);
          return row == null ? Optional.<StoredTask>empty() : Optional.of(read("get", id, row.handle, row.doc));
        });
  }

  @Override
  public void update(StoredTask task) {
    Objects.requireNonNull(task, "task");
    Row row = Row.of(task);
    run(
        "update",
        row.id,
        true,
        (c, retry) -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE tes4j_task SET state = ?, name = ?, handle = ?, doc = ? WHERE id = ?")) {
            s.setString(1, row.state);
            s.setString(2, row.name);
            s.setString(3, row.handle);
            s.setString(4, row.doc);
            s.setString(5, row.id);
            if (s.executeUpdate() == 0) {
              throw new IllegalStateException("no task " + row.id + " to update in " + this);
            }
          }
          // Tags rarely change: rewrite them only when they did.
          if (!selectTags(c, row.id).equals(row.tags)) {
            try (PreparedStatement s =
                c.prepareStatement("DELETE FROM tes4j_task_tag WHERE task_id = ?")) {
              s.setString(1, row.id);
              s.executeUpdate();
            }
            insertTags(c, row.id, row.tags);
          }
          return null;
        });
  }

  @Override
  public TaskPage list(TaskQuery query) {
    Objects.requireNonNull(query, "query");
    StringBuilder sql = new StringBuilder(SELECT).append(" WHERE 1 = 1");
    List<String> args = new ArrayList<>();
    if (query.beforeId() != null) {
      sql.append(" AND t.id < ?");
      args.add(query.beforeId());
    }
    if (query.state() != null) {
      sql.append(" AND t.state = ?");
      args.add(query.state().name());
    }
    String prefix = query.namePrefix();
    if (prefix != null && !prefix.isEmpty()) {
      // A range rather than LIKE: no wildcard to escape, case-sensitive on both databases (SQLite's
      // LIKE is not), and the name index serves it. Exact because both order by code point.
      sql.append(" AND t.name >= ?");
      args.add(prefix);
      String end = prefixEnd(prefix);
      if (end != null) {
        sql.append(" AND t.name < ?");
        args.add(end);
      }
    }
    for (Map.Entry<String, String> tag : query.tags().entrySet()) {
      // The spec's rule: an empty value asks only that the key exist, with any value.
      sql.append(" AND t.id IN (SELECT g.task_id FROM tes4j_task_tag g WHERE g.tag_key = ?");
      args.add(tag.getKey());
      if (!tag.getValue().isEmpty()) {
        sql.append(" AND g.tag_value = ?");
        args.add(tag.getValue());
      }
      sql.append(')');
    }
    sql.append(" ORDER BY t.id DESC LIMIT ?");
    long fetch = query.limit() + 1L; // one more than asked says whether there are more
    return run(
        "list",
        null,
        false,
        (c, retry) -> {
          List<StoredTask> tasks = new ArrayList<>();
          boolean more = false;
          try (PreparedStatement s = c.prepareStatement(sql.toString())) {
            int i = 1;
            for (String arg : args) {
              s.setString(i++, arg);
            }
            s.setLong(i, fetch);
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                if (tasks.size() == query.limit()) {
                  more = true;
                  break;
                }
                tasks.add(read("list", rs.getString(1), rs.getString(2), rs.getString(3)));
              }
            }
          }
          return new TaskPage(tasks, more);
        });
  }

  @Override
  public List<StoredTask> unfinished() {
    List<String> states =
        Arrays.stream(State.values())
            .filter(s -> !s.isTerminal())
            .map(State::name)
            .collect(Collectors.toList());
    String sql =
        SELECT
            + " WHERE t.state IN ("
            + states.stream().map(s -> "?").collect(Collectors.joining(", "))
            + ") ORDER BY t.id ASC";
    return run(
        "unfinished",
        null,
        false,
        (c, retry) -> {
          List<StoredTask> tasks = new ArrayList<>();
          try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < states.size(); i++) {
              s.setString(i + 1, states.get(i));
            }
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                tasks.add(read("unfinished", rs.getString(1), rs.getString(2), rs.getString(3)));
              }
            }
          }
          return tasks;
        });
  }

  @Override
  public long count() {
    return run(
        "count",
        null,
        false,
        (c, retry) -> {
          try (Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM tes4j_task")) {
            rs.next();
            return rs.getLong(1);
          }
        });
  }

  /**
   * Closes the store's connection (opened from a URL), or only stops using the data source (opened
   * from a {@link DataSource}, which its owner closes). Calls after this one fail with {@link
   * IllegalStateException}; closing again does nothing.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      writeLock.lock();
      try {
        link.close();
      } finally {
        writeLock.unlock();
      }
      LOG.debug("closed the task store {}", description);
    }
  }

  /** The database and where it is, without any password: {@code JdbcTaskStore[SQLite jdbc:...]}. */
  @Override
  public String toString() {
    return "JdbcTaskStore[" + description + "]";
  }

  // ------------------------------------------------------------------------------------------
  // Schema

  private void migrate(Connection c) throws SQLException {
    dialect.begin(c);
    try {
      dialect.lockSchema(c);
      int version = 0;
      if (dialect.schemaTableExists(c)) {
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT MAX(version) FROM " + JdbcDialect.SCHEMA_TABLE)) {
          version = rs.next() ? rs.getInt(1) : 0;
        }
      }
      if (version > SCHEMA_VERSION) {
        throw new TaskStoreException(
            "open",
            null,
            "the task store "
                + description
                + " has schema version "
                + version
                + ", written by a newer tes4j; this one reads version "
                + SCHEMA_VERSION
                + " and older. Upgrade tes4j, or open another database.",
            null);
      }
      for (int next = version + 1; next <= SCHEMA_VERSION; next++) {
        try (Statement s = c.createStatement()) {
          for (String ddl : dialect.migration(next)) {
            s.execute(ddl);
          }
          if (next == 1) {
            s.execute("INSERT INTO " + JdbcDialect.SCHEMA_TABLE + " (version) VALUES (1)");
          } else {
            s.execute("UPDATE " + JdbcDialect.SCHEMA_TABLE + " SET version = " + next);
          }
        }
        LOG.info("task store {}: schema version {}", description, next);
      }
      dialect.commit(c);
    } catch (SQLException | RuntimeException e) {
      rollbackQuietly(c, e);
      throw e;
    }
  }

  private static void checkSqliteDirectory(String rest, String shown) {
    String path = rest;
    int query = path.indexOf('?');
    if (query >= 0) {
      if (path.substring(query).contains("mode=memory")) {
        return;
      }
      path = path.substring(0, query);
    }
    if (path.startsWith("file:")) {
      path = path.substring("file:".length());
      if (path.startsWith("//")) {
        path = path.substring(2); // file:///abs/path
      }
    }
    if (path.isEmpty() || path.equals(":memory:") || path.startsWith(":resource:")) {
      return;
    }
    Path file;
    try {
      file = Path.of(path).toAbsolutePath();
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("not a file path in " + shown + ": " + e.getMessage(), e);
    }
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException(
          "cannot open the SQLite task store " + file + ": it is a directory; name a file in it");
    }
    Path dir = file.getParent();
    if (dir != null && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException(
          "cannot open the SQLite task store "
              + file
              + ": directory "
              + dir
              + " does not exist (tes4j creates the file, not its directory)");
    }
  }

  // ------------------------------------------------------------------------------------------
  // Rows

  /** A task as columns. */
  private static final class Row {
    final String id;
    final String state;
    final String name;
    final String handle;
    final String doc;
    final Map<String, String> tags;

    private Row(String id, String state, String name, String handle, String doc, Map<String, String> tags) {
      this.id = id;
      this.state = state;
      this.name = name;
      this.handle = handle;
      this.doc = doc;
      this.tags = tags;
    }

    static Row of(StoredTask stored) {
      Task task = stored.task();
      return new Row(
          task.id(),
          task.state().name(),
          task.name(),
          stored.handle(),
          TesJson.write(task),
          task.tags());
    }
  }

  private static Row selectRow(Connection c, String id) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT handle, doc FROM tes4j_task WHERE id = ?")) {
      s.setString(1, id);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        return new Row(id, null, null, rs.getString(1), rs.getString(2), Map.of());
      }
    }
  }

  private static Map<String, String> selectTags(Connection c, String id) throws SQLException {
    Map<String, String> tags = new HashMap<>();
    try (PreparedStatement s =
        c.prepareStatement("SELECT tag_key, tag_value FROM tes4j_task_tag WHERE task_id = ?")) {
      s.setString(1, id);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          tags.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    return tags;
  }

  private static void insertTags(Connection c, String id, Map<String, String> tags)
      throws SQLException {
    if (tags.isEmpty()) {
      return;
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO tes4j_task_tag (task_id, tag_key, tag_value) VALUES (?, ?, ?)")) {
      for (Map.Entry<String, String> tag : tags.entrySet()) {
        s.setString(1, id);
        s.setString(2, tag.getKey());
        s.setString(3, tag.getValue());
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  private StoredTask read(String operation, String id, String handle, String doc) {
    try {
      return new StoredTask(TesJson.read(doc, Task.class), handle);
    } catch (RuntimeException e) {
      throw new TaskStoreException(
          operation,
          id,
          operation + " of task " + id + " failed in " + this + ": its stored document cannot be"
              + " read: " + e.getMessage(),
          e);
    }
  }

  /**
   * The least string greater than every string that starts with {@code prefix}, in code point
   * order, or {@code null} when there is none (the prefix is all U+10FFFF).
   */
  static String prefixEnd(String prefix) {
    int[] cps = prefix.codePoints().toArray();
    for (int i = cps.length - 1; i >= 0; i--) {
      if (cps[i] < Character.MAX_CODE_POINT) {
        int next = cps[i] + 1;
        if (next >= Character.MIN_SURROGATE && next <= Character.MAX_SURROGATE) {
          next = Character.MAX_SURROGATE + 1; // surrogates are no characters of their own
        }
        cps[i] = next;
        return new String(cps, 0, i + 1);
      }
    }
    return null;
  }

  // ------------------------------------------------------------------------------------------
  // Connections and transactions

  /** One unit of work on a connection; {@code retry} is true on the second attempt. */
  @FunctionalInterface
  private interface Work<T> {
    T run(Connection c, boolean retry) throws SQLException;
  }

  private <T> T run(String operation, String id, boolean write, Work<T> work) {
    if (closed.get()) {
      throw new IllegalStateException(this + " is closed");
    }
    if (write) {
      writeLock.lock();
    }
    try {
      for (int attempt = 1; ; attempt++) {
        Connection c;
        try {
          c = link.acquire();
        } catch (SQLException e) {
          throw failure(operation, id, e);
        }
        boolean broken = false;
        try {
          if (!write) {
            return work.run(c, attempt > 1);
          }
          dialect.begin(c);
          try {
            T result = work.run(c, attempt > 1);
            dialect.commit(c);
            return result;
          } catch (SQLException | RuntimeException | Error e) {
            rollbackQuietly(c, e);
            throw e;
          }
        } catch (SQLException e) {
          broken = isBroken(c, e);
          if (broken && attempt == 1) {
            LOG.warn(
                "task store {}: the connection broke during {}{} ({}); retrying on a new one",
                description,
                operation,
                id == null ? "" : " of task " + id,
                describe(e));
            continue;
          }
          throw failure(operation, id, e);
        } finally {
          link.release(c, broken);
        }
      }
    } finally {
      if (write) {
        writeLock.unlock();
      }
    }
  }

  private TaskStoreException failure(String operation, String id, SQLException e) {
    String what = id == null ? operation : operation + " of task " + id;
    return new TaskStoreException(
        operation, id, what + " failed in " + this + ": " + describe(e), e);
  }

  private void rollbackQuietly(Connection c, Throwable failure) {
    try {
      dialect.rollback(c);
    } catch (SQLException | RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  /** Whether the connection is unusable after {@code e}, so it must be replaced. */
  private static boolean isBroken(Connection c, SQLException e) {
    String state = e.getSQLState();
    if (state != null && (state.startsWith("08") || state.startsWith("57P"))) {
      return true; // connection exception; the server shut the session down
    }
    try {
      return !c.isValid(5);
    } catch (SQLException | RuntimeException invalid) {
      return true;
    }
  }

  private static String describe(SQLException e) {
    StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
    if (e.getSQLState() != null) {
      sb.append(" (SQLState ").append(e.getSQLState()).append(')');
    }
    return sb.toString();
  }

  private static final Pattern USER_INFO = Pattern.compile("(//)([^/@?#]*)@");
  private static final Pattern SECRET_PARAM =
      Pattern.compile("(?i)([?&;]|^)([^=&;?]*(?:password|passwd|pwd|secret|token|key)[^=&;?]*)=([^&;]*)");

  /**
   * The URL as messages may show it: a password in the user info ({@code //user:secret@host}) and
   * the values of parameters whose name looks like a credential ({@code password}, {@code pwd},
   * {@code secret}, {@code token}, {@code key}...) are replaced by {@code ****}.
   *
   * @param url a JDBC URL, or any text; {@code null} gives {@code (unknown URL)}
   * @return the masked URL
   */
  public static String redactUrl(String url) {
    if (url == null) {
      return "(unknown URL)";
    }
    Matcher info = USER_INFO.matcher(url);
    String out = url;
    if (info.find() && info.group(2).contains(":")) {
      String user = info.group(2).substring(0, info.group(2).indexOf(':'));
      out = url.substring(0, info.start()) + "//" + user + ":****@" + url.substring(info.end());
    }
    return SECRET_PARAM.matcher(out).replaceAll("$1$2=****");
  }

  /** Where connections come from. */
  private abstract static class Link implements AutoCloseable {
    /** Set once the database is known, before any connection is configured by it. */
    volatile JdbcDialect dialect;

    /** A connection, ready to use. */
    abstract Connection acquire() throws SQLException;

    /** Gives back what {@link #acquire()} returned (even {@code null}); broken ones are dropped. */
    abstract void release(Connection c, boolean broken);

    /** The URL as messages show it, or {@code null} to ask the database. */
    abstract String url();

    /** {@code " user=NAME"}, or empty. */
    abstract String user();

    @Override
    public abstract void close();
  }

  /** One connection, opened from a URL, used by one call at a time. */
  private static final class SingleConnection extends Link {
    private final String url;
    private final String shown;
    private final String user;
    private final Properties properties = new Properties();
    private final ReentrantLock lock = new ReentrantLock();
    private Connection connection;
    private boolean closed;

    SingleConnection(String url, String shown, String user, String password) {
      this.url = url;
      this.shown = shown;
      this.user = user;
      if (user != null) {
        properties.setProperty("user", user);
      }
      if (password != null) {
        properties.setProperty("password", password);
      }
    }

    @Override
    Connection acquire() throws SQLException {
      lock.lock();
      try {
        if (closed) {
          throw new IllegalStateException("the task store at " + shown + " is closed");
        }
        if (connection == null || connection.isClosed()) {
          connection = null;
          Connection c = connect();
          try {
            if (dialect != null) {
              dialect.configure(c);
            }
          } catch (SQLException e) {
            closeQuietly(c);
            throw e;
          }
          connection = c;
        }
        return connection;
      } catch (SQLException | RuntimeException e) {
        lock.unlock();
        throw e;
      }
    }

    private Connection connect() throws SQLException {
      try {
        return DriverManager.getConnection(url, properties);
      } catch (SQLException e) {
        if ("08001".equals(e.getSQLState()) && String.valueOf(e.getMessage()).startsWith("No suitable driver")) {
          // The cause's message holds the URL as given, perhaps with a password: not chained.
          throw new IllegalArgumentException(
              "no JDBC driver for "
                  + shown
                  + " on the class path: add org.xerial:sqlite-jdbc (SQLite) or"
                  + " org.postgresql:postgresql (PostgreSQL)");
        }
        throw e;
      }
    }

    @Override
    void release(Connection c, boolean broken) {
      if (!lock.isHeldByCurrentThread()) {
        return; // acquire failed and already unlocked
      }
      try {
        if (broken && connection != null) {
          closeQuietly(connection);
          connection = null;
        }
      } finally {
        lock.unlock();
      }
    }

    @Override
    String url() {
      return shown;
    }

    @Override
    String user() {
      return user == null ? "" : " user=" + user;
    }

    @Override
    public void close() {
      lock.lock();
      try {
        closed = true;
        if (connection != null) {
          closeQuietly(connection);
          connection = null;
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /** A connection per call from a data source. */
  private static final class PerCallConnection extends Link {
    private final DataSource dataSource;

    PerCallConnection(DataSource dataSource) {
      this.dataSource = dataSource;
    }

    @Override
    Connection acquire() throws SQLException {
      Connection c = dataSource.getConnection();
      try {
        c.setAutoCommit(true);
        if (dialect != null) {
          dialect.configure(c);
        }
        return c;
      } catch (SQLException | RuntimeException e) {
        closeQuietly(c);
        throw e;
      }
    }

    @Override
    void release(Connection c, boolean broken) {
      if (c != null) {
        closeQuietly(c);
      }
    }

    @Override
    String url() {
      return null;
    }

    @Override
    String user() {
      return "";
    }

    @Override
    public void close() {
      // The data source belongs to the caller.
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException | RuntimeException e) {
      LOG.debug("closing a task store connection failed", e);
    }
  }
}
