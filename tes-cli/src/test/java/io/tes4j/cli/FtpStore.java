package io.tes4j.cli;

import java.nio.file.Path;
import java.util.List;
import org.apache.ftpserver.ConnectionConfigFactory;
import org.apache.ftpserver.DataConnectionConfigurationFactory;
import org.apache.ftpserver.FtpServer;
import org.apache.ftpserver.FtpServerFactory;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.UserManager;
import org.apache.ftpserver.listener.ListenerFactory;
import org.apache.ftpserver.usermanager.PropertiesUserManagerFactory;
import org.apache.ftpserver.usermanager.impl.BaseUser;
import org.apache.ftpserver.usermanager.impl.ConcurrentLoginPermission;
import org.apache.ftpserver.usermanager.impl.WritePermission;

/**
 * A real FTP server for tests: Apache FtpServer on 127.0.0.1 and a random port, passive mode, one
 * user ({@value #USER}) who may write, whose home is a given directory; no anonymous log-in.
 */
final class FtpStore {
  static final String USER = "carol";
  static final String PASSWORD = "Ftp-Right-Pw-5";

  static {
    // Passive port "0" (any free port) makes FtpServer warn after every transfer that it releases
    // an unreserved port: expected here.
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.ftpserver.impl.PassivePorts", "error");
  }

  private final FtpServerFactory factory = new FtpServerFactory();
  private final FtpServer server;

  FtpStore(Path home) throws FtpException {
    ListenerFactory listener = new ListenerFactory();
    listener.setServerAddress("127.0.0.1");
    listener.setPort(0);
    DataConnectionConfigurationFactory data = new DataConnectionConfigurationFactory();
    data.setPassiveAddress("127.0.0.1");
    data.setPassiveExternalAddress("127.0.0.1");
    data.setPassivePorts("0");
    data.setActiveEnabled(false);
    listener.setDataConnectionConfiguration(data.createDataConnectionConfiguration());
    factory.addListener("default", listener.createListener());

    ConnectionConfigFactory connections = new ConnectionConfigFactory();
    connections.setAnonymousLoginEnabled(false);
    connections.setMaxLogins(64);
    connections.setLoginFailureDelay(0);
    factory.setConnectionConfig(connections.createConnectionConfig());

    UserManager users = new PropertiesUserManagerFactory().createUserManager();
    BaseUser user = new BaseUser();
    user.setName(USER);
    user.setPassword(PASSWORD);
    user.setHomeDirectory(home.toString());
    user.setAuthorities(List.of(new WritePermission(), new ConcurrentLoginPermission(64, 64)));
    users.save(user);
    factory.setUserManager(users);

    server = factory.createServer();
    server.start();
  }

  /** The URL of {@code path} below the home, with the user and {@code password}. */
  String url(String password, String path) {
    return "ftp://" + USER + ":" + password + "@127.0.0.1:" + factory.getListener("default").getPort() + path;
  }

  /** The URL of {@code path} below the home, without credentials. */
  String urlWithoutPassword(String path) {
    return "ftp://127.0.0.1:" + factory.getListener("default").getPort() + path;
  }

  void stop() {
    server.stop();
  }
}
