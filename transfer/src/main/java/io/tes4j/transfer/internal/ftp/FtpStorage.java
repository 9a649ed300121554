package io.tes4j.transfer.internal.ftp;

import io.tes4j.transfer.ObjectInfo;
import io.tes4j.transfer.StorageUrl;
import io.tes4j.transfer.TransferException;
import io.tes4j.transfer.TransferException.Reason;
import io.tes4j.transfer.TransferSettings;
import io.tes4j.transfer.internal.InterruptWatch;
import io.tes4j.transfer.internal.IoFailures;
import io.tes4j.transfer.internal.ftp.FtpReplies.Op;
import io.tes4j.transfer.spi.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.Optional;
import java.util.function.LongConsumer;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.commons.net.ftp.FTPReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FTP and explicit-TLS FTPS ({@code AUTH TLS}) on Apache Commons Net, with a pool of logged-in
 * connections per host, port and user ({@link FtpConnectionPool}).
 *
 * <p>Log-in: the URL's user info, else the user and password configured for the host in {@link
 * TransferSettings#credentials()}, else anonymous. Paths are read as RFC 1738 says: relative to the
 * log-in directory ({@code ftp://h/a/b.txt} is {@code a/b.txt} in the user's home), and absolute
 * when they start with {@code //} ({@code ftp://h//srv/a.txt} or {@code ftp://h/%2Fsrv/a.txt}).
 * Names travel as UTF-8 ({@code OPTS UTF8 ON} when the server offers it).
 *
 * <p>{@code ftps} certificates are checked against the JVM's trust store and must name the host.
 * Implicit FTPS (curl's {@code ftps://} on port 990) is not supported. Thread-safe. Internal: reach
 * it through {@link FtpStorageProvider}.
 */
public final class FtpStorage implements Storage {
  private static final Logger LOG = LoggerFactory.getLogger(FtpStorage.class);
  /** Upload reads: 64 KiB reads of a socket or file cost about twice the system time. */
  private static final int BUFFER_SIZE = 256 * 1024;

  private final FtpConnectionPool pool;

  /** A storage with these settings, trusting the JVM's default trust store for {@code ftps}. */
  public FtpStorage(TransferSettings settings) {
    this(settings, null);
  }

  /**
   * A storage with these settings.
   *
   * @param trust the trust manager for {@code ftps} certificates, or {@code null} for the JVM's
   */
  FtpStorage(TransferSettings settings, X509TrustManager trust) {
    Objects.requireNonNull(settings, "settings");
    // The JVM's trust store is loaded on the first ftps connection only: loading it costs about
    // 150 ms of start-up that plain ftp never needs.
    Supplier<X509TrustManager> trusted = trust == null ? new DefaultTrust() : () -> trust;
    this.pool = new FtpConnectionPool(settings, trusted);
  }

  /** The JVM's default trust manager, loaded once, on first use. */
  private static final class DefaultTrust implements Supplier<X509TrustManager> {
    private X509TrustManager loaded;

    @Override
    public synchronized X509TrustManager get() {
      if (loaded == null) {
        loaded = defaultTrustManager();
      }
      return loaded;
    }
  }

  private static X509TrustManager defaultTrustManager() {
    // commons-net's own default only checks the certificate's dates: use the JVM's trust store.
    try {
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init((KeyStore) null);
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509TrustManager x509) {
          return x509;
        }
      }
      throw new IllegalStateException("the JVM has no X.509 trust manager");
    } catch (NoSuchAlgorithmException | KeyStoreException e) {
      throw new IllegalStateException("cannot load the JVM's trust store: " + e.getMessage(), e);
    }
  }

  /** Work on one borrowed connection; an {@link IOException} breaks the connection. */
  @FunctionalInterface
  private interface FtpWork<T> {
    T run(FtpConnection connection) throws IOException;
  }

  private <T> T withConnection(StorageUrl url, String doing, FtpWork<T> work) {
    requireFtp(url);
    FtpConnection connection = pool.acquire(url);
    try {
      return InterruptWatch.run(connection::abort, () -> work.run(connection));
    } catch (IOException e) {
      connection.markBroken();
      throw FtpReplies.io(url, doing, e);
    } finally {
      pool.release(connection);
    }
  }

  private static void requireFtp(StorageUrl url) {
    if (!"ftp".equals(url.scheme()) && !"ftps".equals(url.scheme())) {
      throw new TransferException(
          Reason.INVALID_URL, url.toString(), "the FTP storage handles ftp:// and ftps:// only", null);
    }
    if (url.host() == null) {
      throw new TransferException(Reason.INVALID_URL, url.toString(), "an FTP URL needs a host: ftp://host/path", null);
    }
  }

  private static TransferException refused(StorageUrl url, FtpConnection connection, Op op) {
    FTPClient client = connection.client();
    return FtpReplies.refused(url, connection.login(), op, client.getReplyCode(), client.getReplyString());
  }

  // ---------------------------------------------------------------------------------------------
  // stat

  @Override
  public Optional<ObjectInfo> stat(StorageUrl url) {
    return withConnection(url, "FTP stat", connection -> stat(connection, url));
  }

  /**
   * MLST when offered (size, type and time in one reply); else SIZE for files, CWD for
   * directories, and as a last resort a listing of the parent.
   */
  private static Optional<ObjectInfo> stat(FtpConnection connection, StorageUrl url) throws IOException {
    FTPClient client = connection.client();
    String remote = connection.remote(url);
    if (connection.mlst()) {
      FTPFile file = client.mlistFile(remote);
      if (file != null) {
        return Optional.of(info(url, file));
      }
      int code = client.getReplyCode();
      if (code == 550) {
        return Optional.empty();
      }
      if (!FTPReply.isNegativePermanent(code)) {
        throw refused(url, connection, Op.STAT); // 421, 530...: not an answer about the file
      }
      // Some servers answer 501 for a missing path: find out the long way.
    }
    String size = client.getSize(remote);
    if (size != null) {
      try {
        Instant modified = connection.mdtm() ? client.mdtmInstant(remote) : null;
        return Optional.of(new ObjectInfo(url, Long.parseLong(size.trim()), false, modified, null));
      } catch (NumberFormatException e) {
        LOG.debug("FTP SIZE of {} answered '{}', not a number; asking otherwise", url, size);
      }
    } else {
      requirePermanent(url, connection, Op.STAT);
    }
    if (client.changeWorkingDirectory(remote)) {
      return Optional.of(new ObjectInfo(url, -1, true, null, null));
    }
    requirePermanent(url, connection, Op.STAT);
    if (connection.size() || remote.equals("/")) {
      return Optional.empty(); // SIZE works on this server and said no, and it is not a directory
    }
    int slash = remote.lastIndexOf('/');
    String parent = slash <= 0 ? "/" : remote.substring(0, slash);
    String name = remote.substring(slash + 1);
    for (FTPFile file : listDirectory(connection, url, parent, true)) {
      if (file != null && name.equals(file.getName())) {
        return Optional.of(info(url, file));
      }
    }
    return Optional.empty();
  }

  /** Throws for a transient or connection-level reply: only 5xx says something about the path. */
  private static void requirePermanent(StorageUrl url, FtpConnection connection, Op op) {
    int code = connection.client().getReplyCode();
    if (!FTPReply.isNegativePermanent(code) || code == 530) {
      throw refused(url, connection, op);
    }
  }

  private static ObjectInfo info(StorageUrl url, FTPFile file) {
    Instant modified = file.getTimestamp() == null ? null : file.getTimestampInstant();
    return new ObjectInfo(url, file.isDirectory() ? -1 : file.getSize(), file.isDirectory(), modified, null);
  }

  // ---------------------------------------------------------------------------------------------
  // read

  @Override
  public InputStream openRead(StorageUrl url, long offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must not be negative, was " + offset);
    }
    requireFtp(url);
    FtpConnection connection = pool.acquire(url);
    boolean handedOver = false;
    try {
      FTPClient client = connection.client();
      if (offset > 0) {
        client.setRestartOffset(offset); // sent as REST before RETR, reset by commons-net after it
      }
      InputStream data = InterruptWatch.run(connection::abort, () -> client.retrieveFileStream(connection.remote(url)));
      if (data == null) {
        throw refused(url, connection, Op.READ);
      }
      handedOver = true;
      return new FtpReadStream(url, connection, pool, InterruptWatch.readsWatched(data, () -> {
        connection.abort();
        try {
          data.close(); // the data connection, on which the read blocks
        } catch (IOException e) {
          LOG.debug("Closing the data connection of {} to stop it failed: {}", url, e.toString());
        }
      }));
    } catch (IOException e) {
      connection.markBroken();
      throw FtpReplies.io(url, "FTP download", e);
    } finally {
      if (!handedOver) {
        pool.release(connection);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // write

  @Override
  public long write(StorageUrl url, InputStream data, long size, LongConsumer progress) {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(progress, "progress");
    if (url.isDirectoryLike()) {
      throw new TransferException(
          Reason.INVALID_URL, url.toString(), "cannot upload to a directory URL (ending in /): name the file", null);
    }
    return withConnection(url, "FTP upload", connection -> {
      FTPClient client = connection.client();
      String remote = connection.remote(url);
      createParents(connection, url, remote);
      OutputStream out = client.storeFileStream(remote);
      if (out == null) {
        throw refused(url, connection, Op.WRITE);
      }
      long total = 0;
      // From here until the final reply, the control connection is mid-command: any failure breaks it.
      connection.markBroken();
      try (out) {
        byte[] buffer = new byte[BUFFER_SIZE];
        while (true) {
          int n;
          try {
            n = data.read(buffer);
          } catch (IOException e) {
            throw sourceFailed(url, e);
          }
          if (n < 0) {
            break;
          }
          out.write(buffer, 0, n);
          total += n;
          progress.accept(n);
        }
      }
      if (!client.completePendingCommand()) {
        TransferException failure = refused(url, connection, Op.WRITE);
        connection.markInStep();
        throw failure;
      }
      connection.markInStep();
      return total;
    });
  }

  /** Reading the caller's data failed: keep its reason, but say it was the source. */
  private static TransferException sourceFailed(StorageUrl url, IOException e) {
    TransferException classified = IoFailures.classify(url, e);
    return new TransferException(
        classified.reason(),
        url.toString(),
        "FTP upload failed: reading the data to upload failed: " + e.getMessage(),
        e);
  }

  /** Creates the missing parent directories, one level at a time (MKD is not recursive). */
  private static void createParents(FtpConnection connection, StorageUrl url, String remote) throws IOException {
    FTPClient client = connection.client();
    Deque<String> missing = new ArrayDeque<>();
    for (String dir = parent(remote); dir != null; dir = parent(dir)) {
      if (client.changeWorkingDirectory(dir)) {
        break;
      }
      requirePermanent(url, connection, Op.MKDIR);
      missing.push(dir);
    }
    while (!missing.isEmpty()) {
      String dir = missing.pop();
      if (client.makeDirectory(dir)) {
        continue;
      }
      int code = client.getReplyCode();
      String reply = client.getReplyString();
      if (client.changeWorkingDirectory(dir)) {
        continue; // "already exists" (another upload made it): fine, it is there now
      }
      if (client.getSize(dir) != null) {
        throw new TransferException(
            Reason.FAILED,
            url.toString(),
            "FTP upload failed: cannot create the directory " + dir + ": a file of that name is in the way",
            null);
      }
      TransferException failure = FtpReplies.refused(url, connection.login(), Op.MKDIR, code, reply);
      throw new TransferException(
          failure.reason(), url.toString(), "cannot create the directory " + dir + ": " + detail(failure), null);
    }
  }

  private static String detail(TransferException e) {
    String prefix = e.location() + ": ";
    String message = e.getMessage();
    return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
  }

  /** The parent of an absolute path, or {@code null} for the root. */
  private static String parent(String path) {
    int slash = path.lastIndexOf('/');
    if (slash < 0 || path.equals("/")) {
      return null;
    }
    return slash == 0 ? null : path.substring(0, slash); // the root always exists
  }

  // ---------------------------------------------------------------------------------------------
  // list

  @Override
  public List<ObjectInfo> list(StorageUrl prefix) {
    return withConnection(prefix, "FTP listing", connection -> list(connection, prefix));
  }

  private static List<ObjectInfo> list(FtpConnection connection, StorageUrl prefix) throws IOException {
    FTPClient client = connection.client();
    String root = connection.remote(prefix);
    if (!client.changeWorkingDirectory(root)) {
      requirePermanent(prefix, connection, Op.LIST);
      // Not a directory: the file itself, or nothing.
      return stat(connection, prefix).filter(info -> !info.directory()).map(List::of).orElse(List.of());
    }
    String rootUrlPath = prefix.path().endsWith("/")
        ? prefix.path().substring(0, prefix.path().length() - 1)
        : prefix.path();
    List<ObjectInfo> files = new ArrayList<>();
    Deque<String[]> pending = new ArrayDeque<>(); // {server path, URL path}
    pending.push(new String[] {root, rootUrlPath});
    while (!pending.isEmpty()) {
      String[] dir = pending.pop();
      for (FTPFile file : listDirectory(connection, prefix, dir[0], false)) {
        if (file == null || !file.isValid()) {
          LOG.debug("Skipping an FTP listing line of {} that could not be parsed", prefix);
          continue;
        }
        String name = file.getName();
        if (name == null || name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/")) {
          continue;
        }
        String remote = dir[0].endsWith("/") ? dir[0] + name : dir[0] + "/" + name;
        String urlPath = dir[1] + "/" + name;
        if (file.isDirectory()) {
          pending.push(new String[] {remote, urlPath});
        } else {
          files.add(info(prefix.withPath(urlPath), file));
        }
      }
    }
    files.sort(Comparator.comparing(info -> info.url().path()));
    return files;
  }

  /**
   * The entries of one directory: MLSD when the server offers it, else LIST (parsed by
   * commons-net's parsers) after a CWD, which copes best with names containing spaces.
   *
   * @param quiet return nothing instead of throwing when the directory cannot be listed
   */
  private static List<FTPFile> listDirectory(FtpConnection connection, StorageUrl url, String dir, boolean quiet)
      throws IOException {
    FTPClient client = connection.client();
    FTPFile[] entries;
    if (connection.mlst()) {
      entries = client.mlistDir(dir);
    } else if (client.changeWorkingDirectory(dir)) {
      entries = client.listFiles();
    } else {
      entries = null;
    }
    if (entries == null || !FTPReply.isPositiveCompletion(client.getReplyCode())) {
      if (quiet && FTPReply.isNegativePermanent(client.getReplyCode())) {
        return List.of();
      }
      TransferException failure = refused(url, connection, Op.LIST);
      throw new TransferException(
          failure.reason(), url.toString(), "cannot list the directory " + dir + ": " + detail(failure), null);
    }
    return List.of(entries).stream().filter(Objects::nonNull).toList();
  }

  // ---------------------------------------------------------------------------------------------
  // delete

  @Override
  public void delete(StorageUrl url) {
    withConnection(url, "FTP delete", connection -> {
      FTPClient client = connection.client();
      if (client.deleteFile(connection.remote(url))) {
        return null;
      }
      TransferException failure = refused(url, connection, Op.DELETE);
      int code = client.getReplyCode();
      if (code == 421 || code == 530) {
        throw failure; // not an answer about the file
      }
      // Servers answer 550, or 450 (FtpServer), for a missing file: look whether it is still there.
      Optional<ObjectInfo> still = stat(connection, url);
      if (still.isEmpty()) {
        return null; // nothing was there: deleting nothing is fine
      }
      if (still.get().directory()) {
        throw new TransferException(
            Reason.FAILED, url.toString(), "is a directory: the FTP storage deletes files only", null);
      }
      throw failure;
    });
  }

  // ---------------------------------------------------------------------------------------------

  /** How many idle connections the pool keeps now (for tests and diagnostics). */
  int idleConnections() {
    return pool.idleCount();
  }

  /** Logs out of and disconnects every pooled connection. */
  @Override
  public void close() {
    pool.close();
  }

  @Override
  public String toString() {
    return "FtpStorage[idle connections=" + pool.idleCount() + "]";
  }
}
