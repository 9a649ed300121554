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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

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

  /**
   * One engine per store: a second store on the file is refused while the first is open, whatever
   * path names the file, and the message says who holds it; closing the first lets it open.
   */
  @Test
  void aSecondStoreOnTheFileIsRefusedUntilTheFirstCloses() throws Exception {
    store.insert(task(id(1), "from the first", Map.of()));
    Path link = Files.createSymbolicLink(dir.resolve("link.db"), dir.resolve("tasks.db"));

    for (String other : List.of(url(), "jdbc:sqlite:" + dir.resolve(".").resolve("tasks.db"), "jdbc:sqlite:" + link)) {
      assertThatThrownBy(() -> JdbcTaskStore.open(other))
          .isInstanceOfSatisfying(TaskStoreInUseException.class, e -> {
            assertThat(e.operation()).isEqualTo("open");
            assertThat(e.holder()).startsWith("tes4j engine pid " + ProcessHandle.current().pid() + " on host ");
          })
          .hasMessageStartingWith("another engine holds the task store SQLite " + other)
          .hasMessageContaining("its lock file " + dir.toRealPath().resolve("tasks.db.tes4j.lock") + " is locked by")
          .hasMessageContaining("another JdbcTaskStore in this process")
          .hasMessageContaining("Stop that engine first");
    }
    assertThat(store.get(id(1))).as("the first store is untouched").isPresent();
    store.insert(task(id(2), "still writing", Map.of()));

    store.close();
    store = JdbcTaskStore.open(url());
    assertThat(store.count()).isEqualTo(2);
    assertThat(dir.resolve("tasks.db.tes4j.lock")).as("kept, so that two engines never lock two files").exists();
  }

  /** An in-memory database is private to its connection: nothing to lock, and no lock file. */
  @Test
  void inMemoryDatabasesNeedNoLock() {
    try (TaskStore one = JdbcTaskStore.open("jdbc:sqlite::memory:");
        TaskStore two = JdbcTaskStore.open("jdbc:sqlite::memory:")) {
      one.insert(task(id(1), "one", Map.of()));
      two.insert(task(id(1), "two", Map.of()));
      assertThat(one.get(id(1)).orElseThrow().task().name()).isEqualTo("one");
    }
  }

  /**
   * If the lock file is deleted under a running store, an engine in another process could lock a
   * new file of the same name: the store that held the old one refuses every write from then on,
   * saying why, and still answers reads.
   */
  @Test
  void aDeletedLockFileStopsTheWritesOfTheStoreThatHeldIt() throws Exception {
    store.insert(task(id(1), "one", Map.of()));
    Files.delete(dir.resolve("tasks.db.tes4j.lock"));

    assertThatThrownBy(() -> store.insert(task(id(2), "two", Map.of())))
        .isInstanceOfSatisfying(TaskStoreInUseException.class, e -> {
          assertThat(e.operation()).isEqualTo("insert");
          assertThat(e.taskId()).isEqualTo(id(2));
        })
        .hasMessageContaining("insert of task " + id(2) + " refused by " + store)
        .hasMessageContaining("lost its engine lock")
        .hasMessageContaining("tasks.db.tes4j.lock was deleted")
        .hasMessageContaining("stop this engine");
    assertThatThrownBy(() -> store.update(task(id(1), State.RUNNING))).isInstanceOf(TaskStoreInUseException.class);
    assertThat(store.get(id(1)).orElseThrow().task().state()).isEqualTo(State.QUEUED);

    store.close();
    store = JdbcTaskStore.open(url());
    store.insert(task(id(2), "two", Map.of()));
    assertThat(dir.resolve("tasks.db.tes4j.lock")).exists();
  }

  /**
   * Group commit: the writes that wait while the writer commits go together in its next
   * transaction, and each caller returns once its own write is committed.
   */
  @Test
  void writesThatWaitDuringACommitShareTheNextTransaction() throws Exception {
    GatedDataSource gated = gatedDataSource();
    store.close();
    store = JdbcTaskStore.open(gated);
    JdbcTaskStore jdbc = (JdbcTaskStore) store;
    ExecutorService callers = Executors.newFixedThreadPool(11);
    try {
      long before = jdbc.commits();
      gated.hold();
      Future<?> first = callers.submit(() -> store.insert(task(id(1), "first", Map.of())));
      gated.awaitHeld();
      List<Future<?>> waiting = new ArrayList<>();
      for (int n = 2; n <= 11; n++) {
        StoredTask t = task(id(n), "waiting " + n, Map.of("n", Integer.toString(n)));
        waiting.add(callers.submit(() -> store.insert(t)));
      }
      awaitWaiting(jdbc, 10);
      assertThat(first.isDone()).as("no caller returns before its write is committed").isFalse();
      assertThat(waiting).noneMatch(Future::isDone);

      gated.release();
      first.get(30, TimeUnit.SECONDS);
      for (Future<?> f : waiting) {
        f.get(30, TimeUnit.SECONDS);
      }

      assertThat(jdbc.commits() - before).as("the first write, then the ten that waited, together").isEqualTo(2);
      store = reopen(store);
      assertThat(store.count()).isEqualTo(11);
      assertThat(store.list(new TaskQuery(null, null, Map.of("n", "7"), null, 10)).tasks()).hasSize(1);
    } finally {
      callers.shutdownNow();
    }
  }

  /** The tasks of one updateAll are committed together: one transaction, one sync. */
  @Test
  void updateAllCommitsItsTasksInOneTransaction() throws Exception {
    JdbcTaskStore jdbc = (JdbcTaskStore) store;
    List<StoredTask> running = new ArrayList<>();
    for (int n = 1; n <= 20; n++) {
      store.insert(task(id(n), "task " + n, Map.of()));
      running.add(new StoredTask(task(id(n), State.RUNNING).task(), "h" + n));
    }
    long before = jdbc.commits();

    assertThat(store.updateAll(running)).isEmpty();

    assertThat(jdbc.commits() - before).isEqualTo(1);
    store = reopen(store);
    assertThat(store.list(new TaskQuery(null, State.RUNNING, Map.of(), null, 100)).tasks()).hasSize(20);
  }

  /**
   * Writes committed by the writer thread are told to their callers by the store's waker thread;
   * close() returns once both have stopped, and every caller was told.
   */
  @Test
  void closeStopsTheWriterAndTheWakerAfterTellingEveryCaller() throws Exception {
    store.close();
    java.util.Set<String> before = storeThreads();
    store = JdbcTaskStore.open(url());
    assertThat(storeThreads()).hasSize(before.size() + 2);
    ExecutorService callers = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> writes = new ArrayList<>();
      for (int n = 1; n <= 400; n++) {
        StoredTask t = task(id(n), "task " + n, Map.of());
        writes.add(callers.submit(() -> store.insert(t)));
      }
      for (Future<?> write : writes) {
        write.get(30, TimeUnit.SECONDS);
      }
    } finally {
      callers.shutdownNow();
    }
    store.close();
    assertThat(storeThreads()).isEqualTo(before);
    store = JdbcTaskStore.open(url());
    assertThat(store.count()).isEqualTo(400);
  }

  private static java.util.Set<String> storeThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.startsWith("tes4j-store-"))
        .collect(java.util.stream.Collectors.toSet());
  }

  /** A write that finds nothing waiting and no commit running is committed by its own caller. */
  @Test
  void aLoneWriteIsCommittedOnItsCallersThread() {
    GatedDataSource gated = gatedDataSource();
    store.close();
    store = JdbcTaskStore.open(gated);

    store.insert(task(id(1), "alone", Map.of()));
    assertThat(gated.lastCommitter()).isSameAs(Thread.currentThread());
    store.update(task(id(1), State.RUNNING));
    assertThat(gated.lastCommitter()).isSameAs(Thread.currentThread());
  }

  /**
   * A write that fails in a batch (a duplicate id, an update of a missing task) fails its own
   * caller only: the batch is rolled back and its writes done again one by one.
   */
  @Test
  void aFailingWriteInABatchFailsOnlyItsOwnCaller() throws Exception {
    GatedDataSource gated = gatedDataSource();
    store.close();
    store = JdbcTaskStore.open(gated);
    JdbcTaskStore jdbc = (JdbcTaskStore) store;
    store.insert(task(id(1), "stored before", Map.of()));
    ExecutorService callers = Executors.newFixedThreadPool(6);
    try {
      gated.hold();
      Future<?> first = callers.submit(() -> store.insert(task(id(2), "first", Map.of())));
      gated.awaitHeld();
      Future<?> duplicate = callers.submit(() -> store.insert(task(id(1), "a duplicate", Map.of("k", "v"))));
      awaitWaiting(jdbc, 1);
      Future<?> third = callers.submit(() -> store.insert(task(id(3), "third", Map.of("k", "v"))));
      awaitWaiting(jdbc, 2);
      Future<?> missing = callers.submit(() -> store.update(task(id(9), State.RUNNING)));
      awaitWaiting(jdbc, 3);
      Future<?> running = callers.submit(() -> store.update(new StoredTask(task(id(2), State.RUNNING).task(), "h2")));
      awaitWaiting(jdbc, 4);

      gated.release();
      first.get(30, TimeUnit.SECONDS);
      third.get(30, TimeUnit.SECONDS);
      running.get(30, TimeUnit.SECONDS);
      assertThatThrownBy(() -> duplicate.get(30, TimeUnit.SECONDS))
          .hasCauseInstanceOf(IllegalStateException.class)
          .hasMessageContaining("task " + id(1) + " already exists");
      assertThatThrownBy(() -> missing.get(30, TimeUnit.SECONDS))
          .hasCauseInstanceOf(IllegalStateException.class)
          .hasMessageContaining("no task " + id(9) + " to update");

      store = reopen(store);
      assertThat(store.get(id(1)).orElseThrow().task().name()).isEqualTo("stored before");
      assertThat(store.get(id(2)).orElseThrow()).satisfies(t -> {
        assertThat(t.task().state()).isEqualTo(State.RUNNING);
        assertThat(t.handle()).isEqualTo("h2");
      });
      assertThat(store.get(id(3))).isPresent();
      assertThat(store.get(id(9))).isEmpty();
      assertThat(store.list(new TaskQuery(null, null, Map.of("k", "v"), null, 10)).tasks())
          .extracting(StoredTask::id).containsExactly(id(3));
    } finally {
      callers.shutdownNow();
    }
  }

  private GatedDataSource gatedDataSource() {
    SQLiteDataSource sqlite = new SQLiteDataSource();
    sqlite.setUrl(url());
    return new GatedDataSource(sqlite);
  }

  /** Waits until {@code n} writes wait for the writer (a state, not a time, is awaited). */
  private static void awaitWaiting(JdbcTaskStore store, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (store.waiting() < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(n + " writes never waited; " + store.waiting() + " do");
      }
      Thread.sleep(5);
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
