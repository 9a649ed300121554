package io.tes4j.store;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;

/**
 * What keeps a second engine off a {@link JdbcTaskStore}'s database for as long as the first has
 * it open, and releases it when the first closes or dies. Internal.
 *
 * <ul>
 *   <li>SQLite ({@link FileLock}): an exclusive lock on a file beside the database, {@code
 *       PATH.tes4j.lock}, holding the holder's pid and host. The kernel releases it when the
 *       process ends, however it ends. SQLite's own locks are no substitute: they are held only
 *       during a transaction, so between two of them any process may write; and {@code
 *       locking_mode=EXCLUSIVE}, which holds them for good, would also lock out every reader (the
 *       {@code sqlite3} shell, a backup) and make the second engine wait {@code busy_timeout} for
 *       a "database is locked" that names no one.
 *   <li>PostgreSQL ({@link Advisory}): a session-level advisory lock, taken on the store's writer
 *       connection, on a key derived from the schema its tables are in. Every write goes through
 *       that session, so no write can happen without the lock; when the session ends (the engine
 *       died, the server or the network cut it) the server releases it, and the writer takes it
 *       again on its next connection before writing anything, or the store stops writing.
 * </ul>
 */
abstract class StoreLock {

  /** No lock: a SQLite database in memory, private to its connection anyway. */
  static final StoreLock NONE =
      new StoreLock() {
        @Override
        String where() {
          return "no lock (a database in memory)";
        }
      };

  /** Takes the lock on a new connection of the store's writer; PostgreSQL's lock is the session's. */
  void attach(Connection c) throws SQLException {}

  /** Gives the lock back on the writer's connection before it is closed (pooled ones live on). */
  void detach(Connection c) throws SQLException {}

  /**
   * Why the lock is no longer this store's, or {@code null} while it is. Cheap: it runs before
   * every batch of writes. (PostgreSQL's lock cannot be lost apart from its session: the writer
   * finds out when its connection breaks.)
   */
  String lostBecause() {
    return null;
  }

  /** Releases what outlives connections (the lock file); called once, at close. */
  void release() {}

  /** Where the lock is, for messages. */
  abstract String where();

  /** This process, for the holder's line: {@code pid 4242 on host node-1}. */
  static String thisProcess() {
    return "pid " + ProcessHandle.current().pid() + " on host " + HostName.VALUE;
  }

  /** The host's name, read once: from the kernel on Linux (no DNS), else from the JDK. */
  private static final class HostName {
    static final String VALUE = read();

    private static String read() {
      Path kernel = Path.of("/proc/sys/kernel/hostname");
      try {
        if (Files.isReadable(kernel)) {
          String name = Files.readString(kernel, StandardCharsets.UTF_8).strip();
          if (!name.isEmpty()) {
            return name;
          }
        }
      } catch (IOException | RuntimeException e) {
        JdbcTaskStore.LOG.debug("cannot read {}, asking the JDK for the host name", kernel, e);
      }
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (IOException | RuntimeException e) {
        return "(unknown host: " + e.getMessage() + ")";
      }
    }
  }

  /** Printable, one line, at most 300 characters: what a lock file or the server said. */
  static String printable(String text) {
    StringBuilder sb = new StringBuilder();
    text.strip().codePoints().limit(300).forEach(cp -> sb.appendCodePoint(Character.isISOControl(cp) ? ' ' : cp));
    return sb.toString();
  }

  // ------------------------------------------------------------------------------------------
  // SQLite

  /** An exclusive lock on {@code PATH.tes4j.lock}, for the life of the store. */
  static final class FileLockOnSidecar extends StoreLock {
    /**
     * The lock files held by this JVM, and by whom. POSIX record locks belong to the process, not
     * to a channel: a second channel on the same file would not be refused, and closing it would
     * drop the first one's lock. So a second store in this process is refused here, and never
     * opens the file.
     */
    private static final ConcurrentHashMap<Path, String> HELD_HERE = new ConcurrentHashMap<>();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final Object fileKey;

    private FileLockOnSidecar(Path file, FileChannel channel, FileLock lock, Object fileKey) {
      this.file = file;
      this.channel = channel;
      this.lock = lock;
      this.fileKey = fileKey;
    }

    /** The lock file of a database file: beside it, named after it. */
    static Path lockFileOf(Path database) throws IOException {
      Path real;
      if (Files.exists(database)) {
        real = database.toRealPath(); // a symbolic link and its target are one store
      } else {
        Path parent = database.toAbsolutePath().getParent();
        real = parent.toRealPath().resolve(database.getFileName());
      }
      return real.resolveSibling(real.getFileName() + ".tes4j.lock");
    }

    /**
     * Takes the lock of the SQLite store at {@code database}, or fails saying who holds it.
     *
     * @param store the store, as messages name it
     */
    static FileLockOnSidecar acquire(Path database, String store) {
      Path file;
      try {
        file = lockFileOf(database);
      } catch (IOException e) {
        throw new TaskStoreException(
            "open", null, "cannot open the task store " + store + ": cannot resolve " + database + ": " + e, e);
      }
      String since = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
      String holder = "tes4j engine " + thisProcess() + " since " + since;
      String earlier = HELD_HERE.putIfAbsent(file, holder);
      if (earlier != null) {
        throw inUse(store, file, earlier + " (another JdbcTaskStore in this process)");
      }
      FileChannel channel = null;
      try {
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
          lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
          lock = null; // taken in this JVM by code other than a JdbcTaskStore
        }
        if (lock == null) {
          String other = readHolder(channel);
          throw inUse(store, file, other);
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        // The identity of the file locked, to notice later that the path names another one.
        Object key = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        return new FileLockOnSidecar(file, channel, lock, key);
      } catch (IOException | RuntimeException e) {
        if (channel != null) {
          try {
            channel.close();
          } catch (IOException closing) {
            e.addSuppressed(closing);
          }
        }
        HELD_HERE.remove(file, holder);
        if (e instanceof TaskStoreException) {
          throw (TaskStoreException) e;
        }
        throw new TaskStoreException(
            "open", null, "cannot open the task store " + store + ": cannot lock " + file + ": " + e, e);
      }
    }

    private static String readHolder(FileChannel channel) throws IOException {
      ByteBuffer buffer = ByteBuffer.allocate(1024);
      channel.read(buffer, 0);
      String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
      return text.isBlank() ? null : printable(text);
    }

    private static TaskStoreInUseException inUse(String store, Path file, String holder) {
      return new TaskStoreInUseException(
          "open",
          null,
          "another engine holds the task store "
              + store
              + ": its lock file "
              + file
              + " is locked"
              + (holder == null ? "" : " by " + holder)
              + ". Stop that engine first, or give this one another store file.",
          holder,
          null);
    }

    @Override
    String lostBecause() {
      Object now;
      try {
        now = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
      } catch (NoSuchFileException e) {
        now = null;
      } catch (IOException e) {
        // Cannot tell (a transient I/O error); the lock itself is still held by the channel.
        JdbcTaskStore.LOG.debug("cannot check the lock file {}", file, e);
        return null;
      }
      if (lock.isValid() && Objects.equals(now, fileKey)) {
        return null;
      }
      return "its lock file " + file + " was " + (now == null ? "deleted" : "replaced")
          + " while this engine held it, so another engine may hold the store now (never delete the lock file of a"
          + " running engine)";
    }

    @Override
    void release() {
      try {
        lock.release();
        channel.close(); // the file stays: deleting it would let two engines lock two files
      } catch (IOException e) {
        JdbcTaskStore.LOG.warn("releasing the lock file {} failed: {}", file, e.toString());
      } finally {
        HELD_HERE.remove(file);
      }
    }

    @Override
    String where() {
      return "the lock file " + file;
    }
  }

  // ------------------------------------------------------------------------------------------
  // PostgreSQL

  /** A session-level advisory lock on the writer's connection. */
  static final class Advisory extends StoreLock {
    /** The first key of every tes4j store lock: "tes4" in ASCII. */
    static final int CLASS_KEY = 0x7465_7334;

    /** What the driver calls its sessions unless told otherwise. */
    private static final String DRIVER_APPLICATION_NAME = "PostgreSQL JDBC Driver";

    private final String store;
    private volatile String schema;
    private volatile int schemaKey;

    Advisory(String store) {
      this.store = store;
    }

    /** The second key: CRC-32 of the schema's name, as a non-negative int. */
    static int schemaKey(String schema) {
      CRC32 crc = new CRC32();
      crc.update(schema.getBytes(StandardCharsets.UTF_8));
      return (int) (crc.getValue() & 0x7fff_ffffL);
    }

    @Override
    void attach(Connection c) throws SQLException {
      if (schema == null) {
        // The schema the tables are (or will be) in: the first of the search_path that exists.
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT current_schema()")) {
          String name = rs.next() ? rs.getString(1) : null;
          schema = name == null ? "" : name;
          schemaKey = schemaKey(schema);
        }
      }
      boolean taken;
      try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
        s.setInt(1, CLASS_KEY);
        s.setInt(2, schemaKey);
        try (ResultSet rs = s.executeQuery()) {
          taken = rs.next() && rs.getBoolean(1);
        }
      }
      if (!taken) {
        String holder = holder(c);
        throw new TaskStoreInUseException(
            "open",
            null,
            "another engine holds the task store "
                + store
                + ": "
                + where()
                + " is held"
                + (holder == null ? "" : " by " + holder)
                + ". Stop that engine first, or give this one another schema (currentSchema=...).",
            holder,
            null);
      }
      // Name the session, so that the next engine's message says who holds the lock; a name the
      // user chose (ApplicationName=...) is kept.
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SHOW application_name")) {
        String name = rs.next() ? rs.getString(1) : "";
        if (name == null || name.isEmpty() || name.equals(DRIVER_APPLICATION_NAME)) {
          try (PreparedStatement set = c.prepareStatement("SELECT set_config('application_name', ?, false)")) {
            set.setString(1, "tes4j engine " + thisProcess());
            set.executeQuery().close();
          }
        }
      }
    }

    /** Who holds the lock: the server process, its application name, client and start. */
    private String holder(Connection c) {
      String sql =
          "SELECT a.pid, a.application_name, host(a.client_addr), a.backend_start"
              + " FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid"
              + " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = ? AND l.objid = ? AND l.objsubid = 2"
              + " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())";
      try (PreparedStatement s = c.prepareStatement(sql)) {
        s.setLong(1, CLASS_KEY);
        s.setLong(2, schemaKey);
        try (ResultSet rs = s.executeQuery()) {
          if (!rs.next()) {
            return null; // released meanwhile
          }
          String application = rs.getString(2);
          String client = rs.getString(3);
          java.sql.Timestamp start = rs.getTimestamp(4);
          StringBuilder sb = new StringBuilder("server process ").append(rs.getInt(1));
          if (application != null && !application.isEmpty()) {
            sb.append(" (application '").append(application).append("')");
          }
          sb.append(client == null ? ", a local client" : ", client " + client);
          if (start != null) {
            sb.append(", connected since ").append(start.toInstant().truncatedTo(ChronoUnit.SECONDS));
          }
          return printable(sb.toString());
        }
      } catch (SQLException e) {
        JdbcTaskStore.LOG.debug("could not tell who holds the lock of {}", store, e);
        return null;
      }
    }

    @Override
    void detach(Connection c) throws SQLException {
      try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_unlock(?, ?)")) {
        s.setInt(1, CLASS_KEY);
        s.setInt(2, schemaKey);
        s.executeQuery().close();
      }
    }

    @Override
    String where() {
      return "the advisory lock (" + CLASS_KEY + ", " + schemaKey + ") of schema '" + schema + "'";
    }
  }
}
