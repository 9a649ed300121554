package io.tes4j.transfer.internal.ftp;

import io.tes4j.transfer.StorageUrl;
import io.tes4j.transfer.TransferException;
import io.tes4j.transfer.TransferSettings;
import io.tes4j.transfer.internal.GuardedSockets;
import io.tes4j.transfer.internal.InterruptWatch;
import io.tes4j.transfer.internal.ftp.FtpReplies.Op;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;
import javax.net.ssl.X509TrustManager;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPReply;
import org.apache.commons.net.ftp.FTPSClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One logged-in control connection, in passive binary mode with UTF-8 names, and what the server
 * said it supports. Used by one thread at a time (the pool hands it out). Paths are absolute: the
 * URL path is resolved against the log-in directory ({@link #remote}), so changing the working
 * directory never matters.
 *
 * <p><b>Where data connections go.</b> Only to the address of the control connection: the address
 * in a {@code PASV} reply is ignored (commons-net's {@code ipAddressFromPasvResponse}, false by
 * default since 3.9 but a system property can turn it on, is set off here, with no NAT workaround),
 * {@code EPSV} names a port only, and the peer of every data connection must be the control
 * connection's peer (commons-net's remote verification, set on here). A server can so choose only
 * a port on its own host, never make this client connect elsewhere. When the transfer policy
 * refuses non-public addresses, the control connection (and, without TLS, every data connection)
 * is made through sockets that check the address they connect to. Internal.
 */
final class FtpConnection {
  private static final Logger LOG = LoggerFactory.getLogger(FtpConnection.class);
  private static final int BUFFER_SIZE = 256 * 1024;

  private final FtpLogin login;
  private final FTPClient client;
  private final String home;
  private final boolean mlst;
  private final boolean size;
  private final boolean mdtm;
  private volatile boolean broken; // abort() sets it from another thread

  private FtpConnection(FtpLogin login, FTPClient client, String home, boolean mlst, boolean size, boolean mdtm) {
    this.login = login;
    this.client = client;
    this.home = home;
    this.mlst = mlst;
    this.size = size;
    this.mdtm = mdtm;
  }

  /**
   * Connects and logs in.
   *
   * @param url the location that needs the connection, for messages
   * @param trust gives the trust manager for {@code ftps}, already checking the chain; asked only
   *     for {@code ftps}
   * @throws TransferException if the server cannot be reached or refuses the log-in
   */
  static FtpConnection open(
      FtpLogin login, StorageUrl url, TransferSettings settings, Supplier<X509TrustManager> trust) {
    FTPClient client;
    if (login.tls()) {
      FTPSClient ftps = AbortableClients.explicitTls(); // explicit TLS: AUTH TLS on the plain port
      ftps.setTrustManager(trust.get());
      ftps.setEndpointCheckingEnabled(true); // the certificate must name the host
      client = ftps;
    } else {
      client = AbortableClients.plain();
    }
    // Data connections only to the control connection's host: see the class comment.
    client.setIpAddressFromPasvResponse(false);
    client.setPassiveNatWorkaroundStrategy(null);
    client.setRemoteVerificationEnabled(true);
    if (!settings.policy().privateAddressesAllowed()) {
      // The address commons-net resolved for the host is checked as the socket connects. With
      // PROT P, FTPS replaces the factory for data sockets, which the two settings above confine.
      client.setSocketFactory(GuardedSockets.socketFactory(settings.policy(), login.host()));
    }
    client.setControlEncoding(StandardCharsets.UTF_8);
    client.setConnectTimeout(millis(settings.connectTimeout()));
    client.setDefaultTimeout(millis(settings.readTimeout()));
    client.setDataTimeout(settings.readTimeout());
    client.setBufferSize(BUFFER_SIZE);
    client.setListHiddenFiles(true);
    try {
      return InterruptWatch.run(() -> AbortableClients.abort(client), () -> logIn(client, login, url, settings));
    } catch (IOException e) {
      disconnect(client, login);
      throw FtpReplies.io(url, "FTP connection to " + login.where(), e);
    } catch (RuntimeException e) {
      disconnect(client, login);
      throw e;
    }
  }

  /** Connects {@code client} and logs in; the caller closes it when this fails. */
  private static FtpConnection logIn(FTPClient client, FtpLogin login, StorageUrl url, TransferSettings settings)
      throws IOException {
    client.connect(login.host(), login.port());
    int greeting = client.getReplyCode();
    if (!FTPReply.isPositiveCompletion(greeting)) {
      throw FtpReplies.refused(url, login, Op.CONNECT, greeting, client.getReplyString());
    }
    client.setSoTimeout(millis(settings.readTimeout()));
    if (!client.login(login.user(), login.password())) {
      throw loginRefused(url, login, client.getReplyCode(), client.getReplyString());
    }
    if (client instanceof FTPSClient ftps) {
      ftps.execPBSZ(0);
      ftps.execPROT("P"); // the data connections are encrypted too
    }
    if (client.hasFeature("UTF8")) {
      int reply = client.sendCommand("OPTS UTF8 ON");
      if (!FTPReply.isPositiveCompletion(reply)) {
        LOG.debug("{} advertises UTF8 but answered OPTS UTF8 ON with {}; sending UTF-8 names anyway",
            login.where(), FtpReplies.replyLine(login, reply, client.getReplyString()));
      }
    }
    boolean mlst = client.hasFeature("MLST");
    boolean size = client.hasFeature("SIZE");
    boolean mdtm = client.hasFeature("MDTM");
    client.enterLocalPassiveMode();
    if (!client.setFileType(FTP.BINARY_FILE_TYPE)) {
      throw FtpReplies.refused(url, login, Op.SETUP, client.getReplyCode(), client.getReplyString());
    }
    String home = client.printWorkingDirectory();
    if (home == null || !home.startsWith("/")) {
      throw new TransferException(
          TransferException.Reason.FAILED,
          url.toString(),
          "FTP server did not say its working directory (PWD: "
              + FtpReplies.replyLine(login, client.getReplyCode(), client.getReplyString()) + ")",
          null);
    }
    LOG.debug("Logged in to {} as {} (home {}, MLST {}, SIZE {})", login.where(), login.user(), home, mlst, size);
    return new FtpConnection(login, client, home, mlst, size, mdtm);
  }

  private static TransferException loginRefused(StorageUrl url, FtpLogin login, int code, String reply) {
    String server = FtpReplies.replyLine(login, code, reply);
    if (code == 530 || code == 332 || code == 331 || code / 100 == 5) {
      String detail =
          login.anonymous()
              ? "FTP anonymous login refused on host " + login.where()
                  + ": the server wants a user and password (in the URL, or as TransferSettings credentials for "
                  + login.host() + ") (server: " + server + ")"
              : "FTP login refused for user '" + login.user() + "' on host " + login.where()
                  + ": check the user and password (server: " + server + ")";
      return new TransferException(TransferException.Reason.ACCESS_DENIED, url.toString(), detail, null);
    }
    return FtpReplies.refused(url, login, Op.LOGIN, code, reply);
  }

  private static int millis(Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
  }

  /** The log-in this connection was made with. */
  FtpLogin login() {
    return login;
  }

  /**
   * Makes a call blocked on this connection, in another thread, fail (a cancelled transfer): closes
   * the control socket, and marks the connection broken, so that it is dropped, not reused.
   */
  void abort() {
    broken = true;
    AbortableClients.abort(client);
  }

  /** The commons-net client. */
  FTPClient client() {
    return client;
  }

  /** Whether the server supports MLST/MLSD (RFC 3659). */
  boolean mlst() {
    return mlst;
  }

  /** Whether the server advertised SIZE. */
  boolean size() {
    return size;
  }

  /** Whether the server advertised MDTM. */
  boolean mdtm() {
    return mdtm;
  }

  /**
   * The absolute server path for {@code url}: its path relative to the log-in directory, as RFC
   * 1738 reads FTP URLs ({@code ftp://h/a/b} is {@code a/b} in the user's home); a path starting
   * with {@code //} (or {@code /%2F}) is absolute. A trailing slash is dropped.
   */
  String remote(StorageUrl url) {
    String path = url.path();
    if (path.startsWith("//")) {
      String absolute = path.substring(1);
      return absolute.length() > 1 && absolute.endsWith("/") ? absolute.substring(0, absolute.length() - 1) : absolute;
    }
    String relative = path.substring(1);
    if (relative.endsWith("/")) {
      relative = relative.substring(0, relative.length() - 1);
    }
    if (relative.isEmpty()) {
      return home;
    }
    return home.endsWith("/") ? home + relative : home + "/" + relative;
  }

  /**
   * Marks the connection as out of step (a transfer is under way or broke off): unless marked in
   * step again, it is closed, not reused.
   */
  void markBroken() {
    broken = true;
  }

  /** Marks the connection as in step again: the command that was under way got its final reply. */
  void markInStep() {
    broken = false;
  }

  /** Whether the connection can go back to the pool. */
  boolean reusable() {
    return !broken && client.isConnected();
  }

  /** Whether the server still answers (NOOP); used before reusing an idle connection. */
  boolean alive() {
    if (!client.isConnected()) {
      return false;
    }
    try {
      return client.sendNoOp();
    } catch (IOException e) {
      LOG.debug("Idle FTP connection to {} is dead ({}); opening another", login.where(), e.toString());
      return false;
    }
  }

  /** Logs out (if still in step) and disconnects; failures are logged at debug and not thrown. */
  void close() {
    if (!broken && client.isConnected()) {
      try {
        client.logout();
      } catch (IOException e) {
        LOG.debug("FTP logout from {} failed ({}); disconnecting anyway", login.where(), e.toString());
      }
    }
    disconnect(client, login);
  }

  private static void disconnect(FTPClient client, FtpLogin login) {
    if (!client.isConnected()) {
      return;
    }
    try {
      client.disconnect();
    } catch (IOException e) {
      LOG.debug("Closing the FTP connection to {} failed: {}", login.where(), e.toString());
    }
  }
}
