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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
 * <p><b>One engine per store.</b> An open store holds a lock that keeps any other {@code
 * JdbcTaskStore} off the same database, in this process or another: on SQLite an exclusive lock
 * on the file {@code PATH.tes4j.lock} beside the database, on PostgreSQL a session-level advisory
 * lock on a key derived from the schema the tables are in, held by the store's writer connection.
 * Opening a store that another one holds fails with {@link TaskStoreInUseException}, which says
 * who holds it. {@link #close()} releases the lock; so does the death of the process, however it
 * dies (the kernel drops the file lock, the server the session's lock). If the writer's PostgreSQL
 * session ends while the store is open, the writer takes the lock again on its next connection,
 * before writing anything; should another engine have taken it meanwhile, the store refuses every
 * later write with {@link TaskStoreInUseException} and logs an error.
 *
 * <p><b>Durability and group commit.</b> A call that returned is durable: SQLite runs in WAL mode
 * with {@code synchronous=FULL} (the WAL is synced at every commit, so a returned call survives a
 * power loss, not only the death of the process); PostgreSQL write transactions run with {@code
 * synchronous_commit=on}, whatever the server's default. Writes are committed in groups on the
 * writer's connection: a write that finds nothing waiting and no commit running is committed at
 * once by its caller; otherwise it waits for the store's writer thread, which commits every write
 * waiting at that moment in one transaction, so many concurrent callers share one sync. Each
 * caller returns once its own write is committed, never before. Writes of one caller keep their
 * order, since each waits for the one before. When a write of a group fails (a duplicate id, a
 * database error), the group is rolled back and its writes are done again one by one, so that
 * each caller gets its own outcome.
 *
 * <p><b>Connections.</b> Opened from a URL, the store keeps one connection for reads, used under a
 * lock, and one for writes (a SQLite database in memory: one for both); each is opened again
 * after it broke, and a call that failed because its connection broke is retried once on a new
 * one (an insert whose first attempt did commit is then recognized, not reported as a
 * duplicate). Opened from a {@link DataSource}, reads take a connection per call, so they run in
 * parallel as far as the pool allows, and the writer keeps one connection of the pool for as long
 * as the store is open (on PostgreSQL it holds the lock).
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

  static final Logger LOG = LoggerFactory.getLogger(JdbcTaskStore.class);

  private static final String SELECT = "SELECT t.id, t.handle, t.doc FROM tes4j_task t";

  /** At most so many writes commit in one transaction. */
  private static final int MAX_BATCH = 256;

  /**
   * How often an idle writer checks its lock and (PostgreSQL) its connection; tests shorten it
   * before opening a store.
   */
  static volatile long heartbeatMillis = 5_000;

  private static final AtomicInteger WRITERS = new AtomicInteger();

  /** The reads' connections. */
  private final Link link;

  /** The writer's connection: its own, or {@link #link} for a SQLite database in memory. */
  private final Link writeLink;

  private final StoreLock lock;
  private final JdbcDialect dialect;
  private final String description;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Writes waiting for the writer, in the order they were made. */
  private final LinkedBlockingQueue<Write> queue = new LinkedBlockingQueue<>();

  /** Guards {@link #accepting} and the queue's end, so that no write slips in after the last. */
  private final Object submitLock = new Object();

  private boolean accepting = true;
  private final Thread writer;
  /**
   * Wakes the callers of the writes the writer committed, so that the writer goes on to the next
   * group at once: woken one by one by the writer, each caller could take the CPU from it.
   */
  private final Thread waker;
  /** Committed groups whose callers the waker wakes; an empty one, put last by {@link #close()}, ends it. */
  private final LinkedBlockingQueue<List<Write>> committedGroups = new LinkedBlockingQueue<>();

  /**
   * Held while a transaction runs on the writer's connection: by the writer thread, or by a caller
   * that found nothing waiting and no commit running and so commits its own write at once. Guards
   * the writer's connection, {@link #statements} and {@link #writerDown}.
   */
  private final ReentrantLock commitLock = new ReentrantLock();

  /** Why this store takes no more writes (its lock was lost), or {@code null}. */
  private volatile TaskStoreInUseException lost;

  /** Whether the writer's last check found its connection down (under {@link #commitLock}). */
  private boolean writerDown;

  /**
   * The columns besides the state and the document that this store committed last for recent
   * tasks (under {@link #commitLock}): an update that changes none of them writes only the state
   * and the document, with no read of the tags and no rewrite of the name index. Only this store
   * writes (it holds the engine lock), so what it committed is what the database has; a write
   * that fails changes nothing here.
   */
  private final Map<String, Written> committed = new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Written> eldest) {
      return size() > COMMITTED_REMEMBERED;
    }
  };

  /** How many tasks {@link #committed} remembers: the recent ones, which the engine updates. */
  private static final int COMMITTED_REMEMBERED = 4096;

  /** The writer's prepared statements, kept while its connection lives (under {@link #commitLock}). */
  private final Map<String, PreparedStatement> statements = new HashMap<>();

  /** The connection {@link #statements} belong to. */
  private Connection statementsOf;

  /** Transactions the writer committed, and the writes in them: how well writes were grouped. */
  private final AtomicLong commits = new AtomicLong();

  private final AtomicLong writes = new AtomicLong();

  /** Writes queued and not yet taken into a transaction (tests wait for a number of them). */
  private final AtomicInteger waiting = new AtomicInteger();

  private JdbcTaskStore(Link link, Connector connector, String what) {
    this.link = link;
    JdbcDialect detected;
    String url;
    String file;
    Connection c = null;
    try {
      c = link.acquire();
      DatabaseMetaData meta = c.getMetaData();
      detected = JdbcDialect.of(meta.getDatabaseProductName(), what);
      url = meta.getURL();
      detected.configure(c);
      file = detected.databaseFile(c);
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
    link.release(c, false);
    this.dialect = detected;
    this.description =
        dialect.productName() + " " + (link.url() != null ? link.url() : redactUrl(url)) + link.user();
    link.setup = dialect::configure;

    StoreLock held = null;
    Link writes = null;
    try {
      if (dialect == JdbcDialect.SQLITE) {
        held = file == null ? StoreLock.NONE : StoreLock.FileLockOnSidecar.acquire(Path.of(file), description);
      } else {
        held = new StoreLock.Advisory(description);
      }
      if (file == null && dialect == JdbcDialect.SQLITE) {
        writes = link; // a database in memory is private to its connection
      } else {
        StoreLock taken = held;
        writes = new SingleConnection(connector, link.url(), link.user());
        writes.setup = w -> {
          dialect.configure(w);
          taken.attach(w); // PostgreSQL: the lock is this session's
        };
        writes.teardown = taken::detach;
      }
      Connection w = writes.acquire();
      boolean done = false;
      try {
        dialect.prepareFile(w);
        migrate(w);
        done = true;
      } finally {
        writes.release(w, !done);
      }
    } catch (SQLException e) {
      closeAfterFailedOpen(writes, held, e);
      throw new TaskStoreException(
          "open", null, "cannot open the task store " + description + ": " + describe(e), e);
    } catch (RuntimeException e) {
      closeAfterFailedOpen(writes, held, e);
      throw e;
    }
    this.lock = held;
    this.writeLink = writes;
    this.writer = new Thread(this::writeLoop, "tes4j-store-writer-" + WRITERS.incrementAndGet());
    writer.setDaemon(true);
    this.waker = new Thread(this::wakeLoop, writer.getName().replace("writer", "waker"));
    waker.setDaemon(true);
    writer.start();
    waker.start();
    LOG.debug("opened the task store {}, locked by {}", description, lock.where());
  }

  private void closeAfterFailedOpen(Link writes, StoreLock held, Exception failure) {
    try {
      if (writes != null && writes != link) {
        writes.close();
      }
      if (held != null) {
        held.release();
      }
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    } finally {
      link.close();
    }
  }

  /**
   * Opens the store at a JDBC URL, with no user and password (SQLite; PostgreSQL with trust, peer
   * or a password file). See {@link #open(String, String, String)}.
   *
   * @param jdbcUrl {@code jdbc:sqlite:PATH} or {@code jdbc:postgresql://HOST:PORT/DB}
   * @return the open store
   * @throws IllegalArgumentException when the URL is not a SQLite or PostgreSQL one, its driver is
   *     not on the class path, or a SQLite file's directory does not exist
   * @throws TaskStoreInUseException when another store holds the database (see the class comment)
   * @throws TaskStoreException when the database cannot be reached, or holds a newer schema
   */
  public static JdbcTaskStore open(String jdbcUrl) {
    return open(jdbcUrl, null, null);
  }

  /**
   * Opens the store at a JDBC URL, with a connection for reads and one for writes, each created
   * now and again whenever it broke.
   *
   * <p>SQLite: {@code jdbc:sqlite:/var/lib/tes4j/tasks.db}. The file is created if missing, but
   * not its directory, which must exist; the lock file {@code tasks.db.tes4j.lock} is created
   * beside it and stays. PostgreSQL: {@code jdbc:postgresql://127.0.0.1:5432/tes}; add {@code
   * ?currentSchema=NAME} to keep the tables in a schema of their own (it must exist): each schema
   * is a store of its own, with its own lock.
   *
   * @param jdbcUrl {@code jdbc:sqlite:PATH} or {@code jdbc:postgresql://HOST:PORT/DB}
   * @param user the database user, or {@code null}
   * @param password the password, or {@code null}; it appears in no message and no {@code
   *     toString()}
   * @return the open store
   * @throws IllegalArgumentException when the URL is not a SQLite or PostgreSQL one, its driver is
   *     not on the class path, or a SQLite file's directory does not exist
   * @throws TaskStoreInUseException when another store holds the database, in this process or
   *     another; the message says who
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
    Connector connector = new UrlConnector(jdbcUrl, shown, user, password);
    return new JdbcTaskStore(new SingleConnection(connector, shown, user == null ? "" : " user=" + user), connector, shown);
  }

  /**
   * Opens the store over a {@link DataSource}, typically a connection pool: reads take a
   * connection for each call and close it after; the writer keeps one for as long as the store is
   * open. {@link #close()} gives that one back and does not close the data source, which its owner
   * closes.
   *
   * @param dataSource where connections come from: SQLite or PostgreSQL
   * @return the open store
   * @throws IllegalArgumentException when the database is neither SQLite nor PostgreSQL
   * @throws TaskStoreInUseException when another store holds the database; the message says who
   * @throws TaskStoreException when no connection can be had, or the database holds a newer schema
   */
  public static JdbcTaskStore open(DataSource dataSource) {
    Objects.requireNonNull(dataSource, "dataSource");
    Connector connector = () -> {
      Connection c = dataSource.getConnection();
      try {
        c.setAutoCommit(true);
        return c;
      } catch (SQLException | RuntimeException e) {
        closeQuietly(c);
        throw e;
      }
    };
    return new JdbcTaskStore(
        new PerCallConnection(connector), connector, "data source " + dataSource.getClass().getName());
  }

  @Override
  public void insert(StoredTask task) {
    Objects.requireNonNull(task, "task");
    submit(new Write(Write.INSERT, Row.of(task))); // the JSON is written here, on the caller's thread
  }

  /**
   * Queues the task for the writer (or commits it at once when nothing waits and no commit runs, as
   * {@link #insert} does) and returns; the future completes on the store's thread once the commit is
   * synced, and fails as {@link #insert} would throw.
   */
  @Override
  public CompletableFuture<Void> insertAsync(StoredTask task) {
    Objects.requireNonNull(task, "task");
    Write write = new Write(Write.INSERT, Row.of(task)); // the JSON is written here, on the caller's thread
    try {
      submitAll(List.of(write));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e); // closed
    }
    return write.outcome();
  }

  @Override
  public Optional<StoredTask> get(String id) {
    Objects.requireNonNull(id, "id");
    return query(
        "get",
        id,
        (c, retry) -> {
          Row row = selectRow(c, id);
          return row == null ? Optional.<StoredTask>empty() : Optional.of(parse("get", id, row.handle, row.doc));
        });
  }

  @Override
  public void update(StoredTask task) {
    Objects.requireNonNull(task, "task");
    submit(new Write(Write.UPDATE, Row.of(task)));
  }

  /**
   * Commits the tasks with one sync, unless one of them fails: then each is written alone, so that
   * each gets its own outcome (see the class comment). The JSON is written on the caller's thread.
   */
  @Override
  public Map<String, RuntimeException> updateAll(List<StoredTask> tasks) {
    Objects.requireNonNull(tasks, "tasks");
    StoreChecks.requireDistinctIds(tasks);
    List<Write> group = new ArrayList<>(tasks.size());
    for (StoredTask task : tasks) {
      group.add(new Write(Write.UPDATE, Row.of(task)));
    }
    submitAll(group);
    Map<String, RuntimeException> failures = new LinkedHashMap<>();
    for (Write write : group) {
      try {
        write.await();
      } catch (RuntimeException e) {
        failures.put(write.id(), e); // the caller gets it, task by task
      }
    }
    return failures;
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
    return query(
        "list",
        null,
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
                tasks.add(parse("list", rs.getString(1), rs.getString(2), rs.getString(3)));
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
    return query(
        "unfinished",
        null,
        (c, retry) -> {
          List<StoredTask> tasks = new ArrayList<>();
          try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < states.size(); i++) {
              s.setString(i + 1, states.get(i));
            }
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                tasks.add(parse("unfinished", rs.getString(1), rs.getString(2), rs.getString(3)));
              }
            }
          }
          return tasks;
        });
  }

  @Override
  public long count() {
    return query(
        "count",
        null,
        (c, retry) -> {
          try (Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM tes4j_task")) {
            rs.next();
            return rs.getLong(1);
          }
        });
  }

  /**
   * Waits for the writes already made to commit, then releases the lock and closes the store's
   * connections (opened from a URL), or gives the writer's connection back to the data source and
   * stops using it (opened from a {@link DataSource}, which its owner closes). Calls after this one
   * fail with {@link IllegalStateException}; closing again does nothing.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      synchronized (submitLock) {
        accepting = false;
        waiting.incrementAndGet();
        queue.add(Write.STOP); // after every write accepted
      }
      boolean interrupted = false;
      while (writer.isAlive()) {
        try {
          writer.join();
        } catch (InterruptedException e) {
          interrupted = true; // the writes in the queue must still end before the connections close
        }
      }
      committedGroups.add(List.of()); // after every group the writer committed
      while (waker.isAlive()) {
        try {
          waker.join();
        } catch (InterruptedException e) {
          interrupted = true; // every caller is told before close returns
        }
      }
      commitLock.lock(); // a caller committing its own write finishes first; none starts after
      try {
        if (writeLink != link) {
          writeLink.close();
        }
        lock.release();
      } finally {
        commitLock.unlock();
        link.close();
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
      LOG.debug("closed the task store {}: {} writes committed in {} transactions", description, writes.get(),
          commits.get());
    }
  }

  /** The database and where it is, without any password: {@code JdbcTaskStore[SQLite jdbc:...]}. */
  @Override
  public String toString() {
    return "JdbcTaskStore[" + description + "]";
  }

  /** The transactions the writer committed so far: fewer than the writes when they were grouped. */
  long commits() {
    return commits.get();
  }

  /** The writes waiting for the writer thread, and not yet in a transaction. */
  int waiting() {
    return waiting.get();
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

  /** A task's columns besides its state and document, as committed. */
  private record Written(String name, String handle, Map<String, String> tags) {
    static Written of(Row row) {
      return new Written(row.name, row.handle, row.tags);
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

  private StoredTask parse(String operation, String id, String handle, String doc) {
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
  // Writes: group commit. A write that finds nothing waiting and no commit running is committed at
  // once by its own caller, with no hand-off. Otherwise it waits for the writer thread, which
  // commits every write waiting in one transaction and, while writes keep coming, goes straight on
  // to the next: under load the commits follow each other with no thread to wake in between, and
  // each caller is woken once, when its write is committed.

  /** A write waiting to be committed, and its outcome. */
  private static final class Write {
    static final String INSERT = "insert";
    static final String UPDATE = "update";

    /** Put last in the queue by {@link #close()}: the writer thread stops there. */
    static final Write STOP = new Write("stop", null);

    final String operation;
    final Row row;
    final CompletableFuture<Void> done = new CompletableFuture<>();

    Write(String operation, Row row) {
      this.operation = operation;
      this.row = row;
    }

    String id() {
      return row.id;
    }

    void fail(Throwable e) {
      done.completeExceptionally(e);
    }

    /** Waits, even when interrupted (the write may commit anyway), and throws what its commit met. */
    void await() {
      try {
        done.join();
      } catch (CompletionException e) {
        Throwable failure = failure(e.getCause());
        if (failure instanceof Error) {
          throw (Error) failure;
        }
        throw (RuntimeException) failure;
      }
    }

    /**
     * A new future completed as {@link #done} is, failed with what {@link #await} would throw (the
     * caller cannot complete {@link #done} through it).
     */
    CompletableFuture<Void> outcome() {
      CompletableFuture<Void> outcome = new CompletableFuture<>();
      done.whenComplete((ignored, e) -> {
        if (e == null) {
          outcome.complete(null);
        } else {
          outcome.completeExceptionally(failure(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e));
        }
      });
      return outcome;
    }

    /** What the commit met, as callers get it: a RuntimeException or an Error. */
    private Throwable failure(Throwable cause) {
      if (cause instanceof RuntimeException || cause instanceof Error) {
        return cause;
      }
      return new TaskStoreException(operation, id(), operation + " of task " + id() + " failed: " + cause, cause);
    }
  }

  /** Commits {@code write}, at once or through the writer, and returns once it is committed. */
  private void submit(Write write) {
    submitAll(List.of(write));
    write.await();
  }

  /**
   * Has {@code group} committed: at once by this thread (in transactions of at most {@link
   * #MAX_BATCH}) when nothing waits and no commit runs, else by the writer, with whatever else waits.
   * Returns once this thread committed them, or once they are queued; their futures tell the outcome.
   */
  private void submitAll(List<Write> group) {
    if (group.isEmpty()) {
      return;
    }
    if (queue.isEmpty() && commitLock.tryLock()) {
      boolean interrupted = Thread.interrupted(); // the commit runs without it; it is kept
      try {
        synchronized (submitLock) {
          if (!accepting) {
            throw new IllegalStateException(this + " is closed");
          }
        }
        for (int from = 0; from < group.size(); from += MAX_BATCH) {
          commitSafely(group.subList(from, Math.min(group.size(), from + MAX_BATCH)));
        }
      } finally {
        commitLock.unlock();
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    } else {
      synchronized (submitLock) {
        if (!accepting) {
          throw new IllegalStateException(this + " is closed");
        }
        waiting.addAndGet(group.size());
        queue.addAll(group);
      }
    }
  }

  /** {@link #commit} under {@link #commitLock}; every write it left unfinished fails with what it threw. */
  private void commitSafely(List<Write> batch) {
    try {
      commit(batch);
    } catch (Throwable e) {
      // Never leave a caller waiting: every write not yet done gets the failure.
      LOG.error("task store {}: committing a batch of {} writes failed", description, batch.size(), e);
      for (Write write : batch) {
        write.fail(e);
      }
    }
  }

  /** The writer thread: takes every write waiting (up to {@link #MAX_BATCH}) and commits them. */
  private void writeLoop() {
    long heartbeat = heartbeatMillis;
    List<Write> batch = new ArrayList<>();
    boolean stop = false;
    while (!stop) {
      Write first;
      try {
        first = queue.poll(heartbeat, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        LOG.debug("the writer of {} was interrupted; it stops only when the store is closed", description);
        continue;
      }
      if (first == null) {
        commitLock.lock();
        try {
          heartbeat();
        } catch (RuntimeException e) {
          // The writer must outlive anything a check meets, or the next writes would wait forever.
          LOG.warn("task store {}: the writer's idle check failed", description, e);
        } finally {
          commitLock.unlock();
        }
        continue;
      }
      commitLock.lock(); // first, so that writes coming while a caller commits its own join this batch
      try {
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        waiting.addAndGet(-batch.size());
        if (batch.get(batch.size() - 1) == Write.STOP) {
          batch.remove(batch.size() - 1);
          stop = true;
        }
        if (!batch.isEmpty()) {
          commitSafely(batch);
        }
      } finally {
        commitLock.unlock();
      }
      batch.clear();
    }
  }

  /** Commits {@code batch} in one transaction; when that fails, each write alone. */
  private void commit(List<Write> batch) {
    if (refuseAll(batch)) {
      return;
    }
    if (batch.size() == 1) {
      writeAlone(batch.get(0), false);
      return;
    }
    Connection c;
    try {
      c = writeLink.acquire();
    } catch (SQLException e) {
      for (Write write : batch) {
        write.fail(failure(write.operation, write.id(), e));
      }
      return;
    } catch (TaskStoreInUseException e) {
      lose(e);
      refuseAll(batch);
      return;
    }
    boolean broken = false;
    boolean committing = false;
    Exception failure = null;
    Map<String, Written> written = new HashMap<>();
    try {
      dialect.begin(c);
      try {
        for (Write write : batch) {
          apply(write, c, false, written);
        }
        committing = true;
        dialect.commit(c);
      } catch (SQLException | RuntimeException | Error e) {
        rollbackQuietly(c, e);
        throw e;
      }
    } catch (SQLException e) {
      broken = isBroken(c, e);
      failure = e;
    } catch (RuntimeException e) {
      failure = e;
    } finally {
      writeLink.release(c, broken);
    }
    if (failure == null) {
      committed.putAll(written);
      commits.incrementAndGet();
      writes.addAndGet(batch.size());
      completed(batch);
      return;
    }
    // One write failed (a duplicate, a database error), or the connection: each write alone now,
    // so that each caller gets its own outcome. A failed COMMIT may have committed (the connection
    // broke on the way back): inserts then recognize their own row.
    LOG.debug("task store {}: a batch of {} writes failed ({}); writing them one by one", description, batch.size(),
        failure.toString());
    written.keySet().forEach(committed::remove); // a failed COMMIT may have committed them after all
    for (Write write : batch) {
      writeAlone(write, committing);
    }
  }

  /**
   * Tells the callers of {@code batch} that their writes committed: the writer hands a group of
   * several to the waker, and goes on; a caller that committed its own writes tells itself.
   */
  private void completed(List<Write> batch) {
    if (batch.size() > 1 && Thread.currentThread() == writer) {
      committedGroups.add(List.copyOf(batch)); // the writer reuses its list
      return;
    }
    for (Write write : batch) {
      write.done.complete(null);
    }
  }

  /** The waker thread: wakes the callers of each committed group, until the writer has stopped. */
  private void wakeLoop() {
    while (true) {
      List<Write> group;
      try {
        group = committedGroups.take();
      } catch (InterruptedException e) {
        LOG.debug("the waker of {} was interrupted; it stops only when the store is closed", description);
        continue;
      }
      if (group.isEmpty()) {
        return; // put last by close(), after the writer stopped
      }
      for (Write write : group) {
        write.done.complete(null);
      }
    }
  }

  /** Fails every write of {@code batch} when the store lost its lock; returns whether it did. */
  private boolean refuseAll(List<Write> batch) {
    if (lost == null) {
      String why = lock.lostBecause();
      if (why != null) {
        lose(why, null, null);
      }
    }
    TaskStoreInUseException reason = lost;
    if (reason == null) {
      return false;
    }
    for (Write write : batch) {
      write.fail(new TaskStoreInUseException(
          write.operation,
          write.id(),
          write.operation + " of task " + write.id() + " refused by " + this + ": " + reason.getMessage(),
          reason.holder(),
          reason));
    }
    return true;
  }

  /** The store lost its lock: it takes no more writes, and says so loudly, once. */
  private void lose(String why, String holder, Throwable cause) {
    if (lost != null) {
      return;
    }
    String message =
        "this store lost its engine lock: "
            + why
            + ". It takes no more writes: stop this engine, since another one may be writing the store.";
    lost = new TaskStoreInUseException("lock", null, message, holder, cause);
    LOG.error("task store {}: {}", description, message);
  }

  /** The writer's new connection could not take the lock again: another engine has it. */
  private void lose(TaskStoreInUseException taken) {
    lose(
        "its connection broke, and " + lock.where() + " was taken meanwhile"
            + (taken.holder() == null ? " by another engine" : " by " + taken.holder()),
        taken.holder(),
        taken);
  }

  /** {@code write} in a transaction of its own, retried once on a new connection if its own broke. */
  private void writeAlone(Write write, boolean mayHaveCommitted) {
    Map<String, Written> written = new HashMap<>();
    // Until this write commits, the database holds its row or the one before (a COMMIT whose answer
    // was lost): either agrees with this write on whatever the two have in common.
    Written before = committed.remove(write.id());
    try {
      transact(write.operation, write.id(), (c, retry) -> {
        written.clear();
        if (before != null) {
          written.put(write.id(), before);
        }
        apply(write, c, retry || mayHaveCommitted, written);
        return null;
      });
      committed.putAll(written);
      commits.incrementAndGet();
      writes.incrementAndGet();
      write.done.complete(null);
    } catch (TaskStoreInUseException e) {
      lose(e);
      refuseAll(List.of(write));
    } catch (RuntimeException | Error e) {
      write.fail(e);
    }
  }

  /**
   * Does {@code write} on {@code c}, inside the caller's transaction, and notes in {@code written}
   * what its row then holds (committed with the transaction).
   */
  private void apply(Write write, Connection c, boolean retry, Map<String, Written> written) throws SQLException {
    if (write.operation.equals(Write.INSERT)) {
      insertRow(c, write.row, retry);
    } else {
      Written known = written.containsKey(write.id()) ? written.get(write.id()) : committed.get(write.id());
      updateRow(c, write.row, known);
    }
    written.put(write.id(), Written.of(write.row));
  }

  private void insertRow(Connection c, Row row, boolean retry) throws SQLException {
    if (retry) {
      Row existing = selectRow(c, row.id);
      if (existing != null) {
        if (existing.doc.equals(row.doc) && Objects.equals(existing.handle, row.handle)) {
          return; // the attempt whose connection broke did commit
        }
        throw new IllegalStateException("task " + row.id + " already exists in " + this);
      }
    }
    PreparedStatement s = prepared(c, "INSERT INTO tes4j_task (id, state, name, handle, doc) VALUES (?, ?, ?, ?, ?)");
    s.setString(1, row.id);
    s.setString(2, row.state);
    s.setString(3, row.name);
    s.setString(4, row.handle);
    s.setString(5, row.doc);
    try {
      s.executeUpdate();
    } catch (SQLException e) {
      if (dialect.isUniqueViolation(e)) {
        throw new IllegalStateException("task " + row.id + " already exists in " + this, e);
      }
      throw e;
    }
    insertTags(c, row.id, row.tags);
  }

  /**
   * Updates the row of {@code row.id}. {@code known}, what this store committed last for it (or
   * {@code null}), spares what did not change: the name and handle columns (SQLite rewrites the
   * entry of every index on a column set, changed or not) and the tags, which are then not read.
   */
  private void updateRow(Connection c, Row row, Written known) throws SQLException {
    boolean sameColumns = known != null && Objects.equals(known.name(), row.name) && Objects.equals(known.handle(), row.handle);
    PreparedStatement s;
    if (sameColumns) {
      s = prepared(c, "UPDATE tes4j_task SET state = ?, doc = ? WHERE id = ?");
      s.setString(1, row.state);
      s.setString(2, row.doc);
      s.setString(3, row.id);
    } else {
      s = prepared(c, "UPDATE tes4j_task SET state = ?, name = ?, handle = ?, doc = ? WHERE id = ?");
      s.setString(1, row.state);
      s.setString(2, row.name);
      s.setString(3, row.handle);
      s.setString(4, row.doc);
      s.setString(5, row.id);
    }
    if (s.executeUpdate() == 0) {
      throw new IllegalStateException("no task " + row.id + " to update in " + this);
    }
    // Tags rarely change: rewrite them only when they did.
    Map<String, String> before = known != null ? known.tags() : writtenTags(c, row.id);
    if (!before.equals(row.tags)) {
      PreparedStatement delete = prepared(c, "DELETE FROM tes4j_task_tag WHERE task_id = ?");
      delete.setString(1, row.id);
      delete.executeUpdate();
      insertTags(c, row.id, row.tags);
    }
  }

  private Map<String, String> writtenTags(Connection c, String id) throws SQLException {
    Map<String, String> tags = new HashMap<>();
    PreparedStatement s = prepared(c, "SELECT tag_key, tag_value FROM tes4j_task_tag WHERE task_id = ?");
    s.setString(1, id);
    try (ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        tags.put(rs.getString(1), rs.getString(2));
      }
    }
    return tags;
  }

  private void insertTags(Connection c, String id, Map<String, String> tags) throws SQLException {
    if (tags.isEmpty()) {
      return;
    }
    PreparedStatement s = prepared(c, "INSERT INTO tes4j_task_tag (task_id, tag_key, tag_value) VALUES (?, ?, ?)");
    for (Map.Entry<String, String> tag : tags.entrySet()) {
      s.setString(1, id);
      s.setString(2, tag.getKey());
      s.setString(3, tag.getValue());
      s.addBatch();
    }
    s.executeBatch();
  }

  /**
   * The writer's statement for {@code sql} on {@code c}, prepared once per connection: the writer
   * runs the same six statements all day, and SQLite compiles each on every prepare.
   */
  private PreparedStatement prepared(Connection c, String sql) throws SQLException {
    if (c != statementsOf) {
      for (PreparedStatement old : statements.values()) {
        try {
          old.close();
        } catch (SQLException e) {
          LOG.debug("closing a statement of a replaced connection failed", e);
        }
      }
      statements.clear();
      statementsOf = c;
    }
    PreparedStatement s = statements.get(sql);
    if (s == null || s.isClosed()) {
      s = c.prepareStatement(sql);
      statements.put(sql, s);
    }
    return s;
  }

  /**
   * Idle: checks the lock, and on PostgreSQL the writer's connection, which holds it. A connection
   * found dead is replaced now rather than at the next write, taking the lock again at once: while
   * no session of this engine holds it, another engine could take it.
   */
  private void heartbeat() {
    if (refuseAll(List.of()) || dialect != JdbcDialect.POSTGRESQL) {
      return;
    }
    for (int attempt = 1; attempt <= 2; attempt++) {
      Connection c = null;
      boolean broken = true;
      try {
        c = writeLink.acquire(); // connects (and locks) if the last connection was dropped
        broken = !c.isValid(5);
      } catch (SQLException e) {
        if (!writerDown) {
          writerDown = true;
          LOG.warn("task store {}: the writer's connection is down ({}); its lock is taken again when the database"
              + " answers", description, describe(e));
        }
        return;
      } catch (TaskStoreInUseException e) {
        lose(e);
        return;
      } finally {
        writeLink.release(c, broken);
      }
      if (!broken) {
        if (writerDown) {
          writerDown = false;
          LOG.info("task store {}: the writer's connection is back, and holds the lock", description);
        }
        return;
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // Connections and transactions

  /** One unit of work on a connection; {@code retry} is true on the second attempt. */
  @FunctionalInterface
  private interface Work<T> {
    T run(Connection c, boolean retry) throws SQLException;
  }

  /** A read, on the reads' connections, retried once if its connection broke. */
  private <T> T query(String operation, String id, Work<T> work) {
    if (closed.get()) {
      throw new IllegalStateException(this + " is closed");
    }
    return attempt(link, operation, id, false, work);
  }

  /** A transaction on the writer's connection, retried once if its connection broke. */
  private <T> T transact(String operation, String id, Work<T> work) {
    return attempt(writeLink, operation, id, true, work);
  }

  private <T> T attempt(Link on, String operation, String id, boolean transaction, Work<T> work) {
    for (int attempt = 1; ; attempt++) {
      Connection c;
      try {
        c = on.acquire();
      } catch (SQLException e) {
        throw failure(operation, id, e);
      }
      boolean broken = false;
      try {
        if (!transaction) {
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
        on.release(c, broken);
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

  /** Opens a new connection. */
  @FunctionalInterface
  private interface Connector {
    Connection connect() throws SQLException;
  }

  /** What is done to a connection: set it up when new, or before it is closed. */
  @FunctionalInterface
  private interface ConnectionStep {
    void apply(Connection c) throws SQLException;
  }

  /** Connections from a JDBC URL, through {@link DriverManager}. */
  private static final class UrlConnector implements Connector {
    private final String url;
    private final String shown;
    private final Properties properties = new Properties();

    UrlConnector(String url, String shown, String user, String password) {
      this.url = url;
      this.shown = shown;
      if (user != null) {
        properties.setProperty("user", user);
      }
      if (password != null) {
        properties.setProperty("password", password);
      }
      if (url.regionMatches(true, 0, "jdbc:sqlite:", 0, 12) && !url.contains("jdbc.get_generated_keys")) {
        // The store reads no generated key, and sqlite-jdbc would otherwise query one after every
        // insert (a task's row and each of its tags): measured at about 4 % of a server's CPU.
        properties.setProperty("jdbc.get_generated_keys", "false");
      }
    }

    @Override
    public Connection connect() throws SQLException {
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
  }

  /** Where connections come from. */
  private abstract static class Link implements AutoCloseable {
    /** Applied to each new connection, once the database is known; {@code null} before. */
    volatile ConnectionStep setup;

    /** Applied to a healthy connection before it is closed, or {@code null}. */
    volatile ConnectionStep teardown;

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

    /** Applies {@link #setup} to a new connection; drops it when that fails. */
    Connection setUp(Connection c) throws SQLException {
      ConnectionStep step = setup;
      if (step != null) {
        try {
          step.apply(c);
        } catch (SQLException | RuntimeException e) {
          discard(c); // may hold what the step took half-way (a lock): end its session
          throw e;
        }
      }
      return c;
    }
  }

  /** One connection, kept and used by one call at a time; opened again after it broke. */
  private static final class SingleConnection extends Link {
    private final Connector connector;
    private final String shown;
    private final String user;
    private final ReentrantLock lock = new ReentrantLock();
    private Connection connection;
    private boolean closed;

    SingleConnection(Connector connector, String shown, String user) {
      this.connector = connector;
      this.shown = shown;
      this.user = user;
    }

    @Override
    Connection acquire() throws SQLException {
      lock.lock();
      try {
        if (closed) {
          throw new IllegalStateException("the task store at " + (shown == null ? "its data source" : shown) + " is closed");
        }
        if (connection == null || connection.isClosed()) {
          connection = null;
          connection = setUp(connector.connect());
        }
        return connection;
      } catch (SQLException | RuntimeException e) {
        lock.unlock();
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
          discard(connection);
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
      return user;
    }

    @Override
    public void close() {
      lock.lock();
      try {
        closed = true;
        if (connection != null) {
          ConnectionStep step = teardown;
          boolean clean = true;
          if (step != null) {
            try {
              step.apply(connection);
            } catch (SQLException | RuntimeException e) {
              LOG.debug("task store {}: cleaning the connection up before closing it failed", shown, e);
              clean = false;
            }
          }
          if (clean) {
            closeQuietly(connection);
          } else {
            discard(connection);
          }
          connection = null;
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /** A connection per call, from a data source. */
  private static final class PerCallConnection extends Link {
    private final Connector connector;

    PerCallConnection(Connector connector) {
      this.connector = connector;
    }

    @Override
    Connection acquire() throws SQLException {
      return setUp(connector.connect());
    }

    @Override
    void release(Connection c, boolean broken) {
      if (c != null) {
        if (broken) {
          discard(c);
        } else {
          closeQuietly(c);
        }
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

  /**
   * Ends a connection that is broken or may hold what it should not: {@link Connection#abort}
   * closes the physical connection even behind a pool, whose {@code close()} would keep its
   * session (and a session's lock) alive; drivers without it are closed.
   */
  private static void discard(Connection c) {
    try {
      c.abort(Runnable::run);
    } catch (SQLException | RuntimeException | AbstractMethodError e) {
      LOG.debug("aborting a task store connection failed ({}); closing it", e.toString());
      closeQuietly(c);
    }
  }
}
