package io.tes4j.transfer.internal.ftp;

import io.tes4j.transfer.StorageUrl;
import io.tes4j.transfer.TransferSettings;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logged-in connections kept per {@link FtpLogin} (scheme, host, port, user, password). FTP moves
 * one file per control connection, so each concurrent transfer takes its own connection; up to
 * {@code parallelism} idle ones are kept per log-in, and each is checked with NOOP before reuse.
 *
 * <p>Borrowing never waits: when every pooled connection is busy, another is opened, and closed
 * when returned to a full pool. Waiting instead could deadlock a thread that holds one stream
 * open while it needs a second connection (an FTP to FTP copy). The callers already bound the
 * number of concurrent transfers. Thread-safe. Internal.
 */
final class FtpConnectionPool {
  private static final Logger LOG = LoggerFactory.getLogger(FtpConnectionPool.class);

  private final TransferSettings settings;
  private final Supplier<X509TrustManager> trust;
  private final int maxIdlePerLogin;
  private final Map<FtpLogin, Deque<FtpConnection>> idle = new HashMap<>();
  private boolean closed;

  FtpConnectionPool(TransferSettings settings, Supplier<X509TrustManager> trust) {
    this.settings = settings;
    this.trust = trust;
    this.maxIdlePerLogin = settings.parallelism();
  }

  /**
   * A live connection for {@code url}: an idle one that answers NOOP, or a new one.
   *
   * @throws io.tes4j.transfer.TransferException if connecting or logging in fails
   * @throws IllegalStateException if the storage was closed
   */
  FtpConnection acquire(StorageUrl url) {
    FtpLogin login = FtpLogin.of(url, settings);
    while (true) {
      FtpConnection candidate;
      synchronized (this) {
        if (closed) {
          throw new IllegalStateException("the FTP storage is closed");
        }
        Deque<FtpConnection> connections = idle.get(login);
        candidate = connections == null ? null : connections.pollLast();
      }
      if (candidate == null) {
        break;
      }
      if (candidate.alive()) {
        return candidate;
      }
      candidate.markBroken();
      candidate.close();
    }
    return FtpConnection.open(login, url, settings, trust);
  }

  /** Gives a connection back: kept if in step and there is room, else closed. */
  void release(FtpConnection connection) {
    if (connection.reusable()) {
      synchronized (this) {
        if (!closed) {
          Deque<FtpConnection> connections = idle.computeIfAbsent(connection.login(), k -> new ArrayDeque<>());
          if (connections.size() < maxIdlePerLogin) {
            connections.addLast(connection);
            return;
          }
        }
      }
    }
    connection.close();
  }

  /** How many idle connections are kept, over all log-ins. */
  synchronized int idleCount() {
    return idle.values().stream().mapToInt(Deque::size).sum();
  }

  /** Closes every idle connection; connections in use are closed when given back. */
  void close() {
    List<FtpConnection> toClose = new ArrayList<>();
    synchronized (this) {
      closed = true;
      idle.values().forEach(toClose::addAll);
      idle.clear();
    }
    LOG.debug("Closing {} idle FTP connection(s)", toClose.size());
    toClose.forEach(FtpConnection::close);
  }
}
