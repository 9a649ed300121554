package io.tes4j.transfer.internal.ftp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ftpserver.ConnectionConfigFactory;
import org.apache.ftpserver.DataConnectionConfigurationFactory;
import org.apache.ftpserver.FtpServerFactory;
import org.apache.ftpserver.command.Command;
import org.apache.ftpserver.command.CommandFactoryFactory;
import org.apache.ftpserver.ftplet.Authority;
import org.apache.ftpserver.ftplet.DataConnectionFactory;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.Ftplet;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpStatistics;
import org.apache.ftpserver.ftplet.UserManager;
import org.apache.ftpserver.impl.DefaultFtpServer;
import org.apache.ftpserver.impl.FtpIoSession;
import org.apache.ftpserver.listener.ListenerFactory;
import org.apache.ftpserver.ssl.SslConfigurationFactory;
import org.apache.ftpserver.usermanager.PropertiesUserManagerFactory;
import org.apache.ftpserver.usermanager.impl.BaseUser;
import org.apache.ftpserver.usermanager.impl.ConcurrentLoginPermission;
import org.apache.ftpserver.usermanager.impl.WritePermission;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An Apache FtpServer for one test: control port chosen by the system on 127.0.0.1, passive data
 * on 127.0.0.1 (any free port), anonymous log-in disabled, and a fresh home directory that is
 * deleted afterwards. Users: {@value #ALICE}/{@value #ALICE_PASSWORD} may write, {@value #BOB}/
 * {@value #BOB_PASSWORD} may only read. Register with {@code @RegisterExtension}; options narrow
 * what the server offers (no MLST, no SIZE), shorten the idle timeout, or add explicit TLS.
 */
final class TestFtpServer implements BeforeEachCallback, AfterEachCallback {
  static final String ALICE = "alice";
  static final String ALICE_PASSWORD = "secret";
  static final String BOB = "bob";
  static final String BOB_PASSWORD = "bob-only-reads";
  static final String HOST = "127.0.0.1";

  static {
    // Passive port "0" (any free port, so parallel test forks never collide) makes FtpServer warn
    // "Releasing unreserved passive port" after every transfer. It is expected here: quiet it.
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.ftpserver.impl.PassivePorts", "error");
  }

  private Set<String> features; // null: the server's own FEAT and commands
  private int idleTimeoutSeconds = 300;
  private Path keystore;
  private String keystorePassword;
  private String passiveExternalAddress = HOST;

  private Path home;
  private DefaultFtpServer server;
  private final Set<DataConnectionFactory> downloading = ConcurrentHashMap.newKeySet();
  private int port;

  /**
   * Advertise only {@code features} in FEAT; MLST/MLSD and SIZE answer 502 unless listed, as on
   * servers without RFC 3659.
   */
  TestFtpServer features(String... features) {
    this.features = Set.of(features);
    return this;
  }

  /** Close control connections idle this long (FtpServer counts whole seconds). */
  TestFtpServer idleTimeoutSeconds(int seconds) {
    this.idleTimeoutSeconds = seconds;
    return this;
  }

  /**
   * Name {@code address} in PASV replies, while the data connections are still accepted on
   * 127.0.0.1 only: a client that follows the reply's address fails to connect.
   */
  TestFtpServer passiveExternalAddress(String address) {
    this.passiveExternalAddress = address;
    return this;
  }

  /** Offer explicit TLS (AUTH TLS) with the key in this PKCS12 key store. */
  TestFtpServer explicitTls(Path keystore, String password) {
    this.keystore = keystore;
    this.keystorePassword = password;
    return this;
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    home = Files.createTempDirectory("tes4j-ftp-home-");
    start();
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    try {
      stop();
    } finally {
      deleteRecursively(home);
    }
  }

  private void start() throws FtpException {
    FtpServerFactory factory = new FtpServerFactory();

    ListenerFactory listener = new ListenerFactory();
    listener.setServerAddress(HOST);
    listener.setPort(0);
    listener.setIdleTimeout(idleTimeoutSeconds);
    DataConnectionConfigurationFactory data = new DataConnectionConfigurationFactory();
    data.setPassiveAddress(HOST);
    data.setPassiveExternalAddress(passiveExternalAddress);
    data.setPassivePorts("0");
    data.setActiveEnabled(false);
    if (keystore != null) {
      SslConfigurationFactory ssl = new SslConfigurationFactory();
      ssl.setKeystoreFile(keystore.toFile());
      ssl.setKeystorePassword(keystorePassword);
      ssl.setKeystoreType("PKCS12");
      listener.setSslConfiguration(ssl.createSslConfiguration());
      listener.setImplicitSsl(false);
      data.setSslConfiguration(ssl.createSslConfiguration());
    }
    listener.setDataConnectionConfiguration(data.createDataConnectionConfiguration());
    factory.addListener("default", listener.createListener());

    ConnectionConfigFactory connections = new ConnectionConfigFactory();
    connections.setAnonymousLoginEnabled(false);
    connections.setMaxLogins(64);
    connections.setLoginFailureDelay(0);
    connections.setMaxLoginFailures(100);
    factory.setConnectionConfig(connections.createConnectionConfig());

    UserManager users = new PropertiesUserManagerFactory().createUserManager();
    users.save(user(ALICE, ALICE_PASSWORD, true));
    users.save(user(BOB, BOB_PASSWORD, false));
    factory.setUserManager(users);

    Map<String, Ftplet> ftplets = new HashMap<>(); // mutable: stop() clears it
    ftplets.put("track-downloads", new DefaultFtplet() {
      @Override
      public FtpletResult onDownloadStart(FtpSession session, FtpRequest request) {
        // Taken here, before the command runs: RETR holds the session's lock until it ends.
        downloading.add(session.getDataConnection());
        return FtpletResult.DEFAULT;
      }

      @Override
      public FtpletResult onDownloadEnd(FtpSession session, FtpRequest request) {
        downloading.remove(session.getDataConnection());
        return FtpletResult.DEFAULT;
      }
    });
    factory.setFtplets(ftplets);

    if (features != null) {
      CommandFactoryFactory commands = new CommandFactoryFactory();
      commands.addCommand("FEAT", (session, context, request) -> {
        session.resetState();
        session.write(new DefaultFtpReply(211, "Extensions supported\n " + String.join("\n ", features) + "\nEnd"));
      });
      Command notImplemented = (session, context, request) -> {
        session.resetState();
        session.write(new DefaultFtpReply(502, "Command " + request.getCommand() + " not implemented."));
      };
      if (!features.contains("MLST")) {
        commands.addCommand("MLST", notImplemented);
        commands.addCommand("MLSD", notImplemented);
      }
      if (!features.contains("SIZE")) {
        commands.addCommand("SIZE", notImplemented);
      }
      if (!features.contains("MDTM")) {
        commands.addCommand("MDTM", notImplemented);
      }
      factory.setCommandFactory(commands.createCommandFactory());
    }

    server = (DefaultFtpServer) factory.createServer();
    server.start();
    port = server.getListener("default").getPort();
  }

  private BaseUser user(String name, String password, boolean write) {
    BaseUser user = new BaseUser();
    user.setName(name);
    user.setPassword(password);
    user.setHomeDirectory(home.toString());
    List<Authority> authorities = new ArrayList<>();
    authorities.add(new ConcurrentLoginPermission(64, 64));
    if (write) {
      authorities.add(new WritePermission());
    }
    user.setAuthorities(authorities);
    return user;
  }

  /** Stops the server (connections are dropped); idempotent. */
  void stop() {
    if (server != null && !server.isStopped()) {
      server.stop();
    }
  }

  /**
   * Cuts the data connection of every download under way, then stops the server: a server that
   * dies mid-transfer. ({@link #stop()} alone lets running transfers finish.)
   */
  void breakDownloadsAndStop() {
    for (DataConnectionFactory data : downloading) {
      data.closeDataConnection();
    }
    stop();
  }

  /**
   * Closes every control connection at once, without a reply; running data transfers go on. The
   * server keeps accepting new connections.
   */
  void dropControlConnections() {
    server.getListener("default").getActiveSessions().forEach(FtpIoSession::closeNow);
  }

  /** The control port. */
  int port() {
    return port;
  }

  /** The users' home directory, the root of what they see. */
  Path home() {
    return home;
  }

  /** {@code ftp://127.0.0.1:port} + {@code path}, without user info. */
  String url(String path) {
    return "ftp://" + HOST + ":" + port + path;
  }

  /** {@code ftp://user:password@127.0.0.1:port} + {@code path}. */
  String url(String user, String password, String path) {
    return "ftp://" + user + ":" + password + "@" + HOST + ":" + port + path;
  }

  /** As {@link #url(String, String, String)} for alice. */
  String aliceUrl(String path) {
    return url(ALICE, ALICE_PASSWORD, path);
  }

  /** The server's counters: log-ins, connections, transfers. */
  FtpStatistics statistics() {
    return server.getServerContext().getFtpStatistics();
  }

  /** Writes a file into the home directory directly (not over FTP). */
  Path put(String relative, byte[] content) {
    try {
      Path file = home.resolve(relative);
      Files.createDirectories(file.getParent());
      return Files.write(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (root == null || !Files.exists(root)) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
