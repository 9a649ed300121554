package io.tes4j.benchmarks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.ftpserver.ConnectionConfigFactory;
import org.apache.ftpserver.DataConnectionConfigurationFactory;
import org.apache.ftpserver.FtpServer;
import org.apache.ftpserver.FtpServerFactory;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.listener.ListenerFactory;
import org.apache.ftpserver.usermanager.PropertiesUserManagerFactory;
import org.apache.ftpserver.usermanager.impl.BaseUser;
import org.apache.ftpserver.usermanager.impl.ConcurrentLoginPermission;
import org.apache.ftpserver.usermanager.impl.WritePermission;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

/**
 * Starts an HTTP, an FTP and an S3 server on 127.0.0.1 (random ports) for the transfer benchmark,
 * prints one {@code NAME=VALUE} line per endpoint and then {@code READY}, and stops when standard
 * input closes.
 *
 * <pre>
 * java -jar benchmarks/target/loopback-servers.jar [DIR]
 * </pre>
 *
 * <ul>
 *   <li>HTTP ({@code HTTP_URL}): the JDK's {@code HttpServer} serving {@code DIR}: GET (with a
 *       single {@code Range}), HEAD, PUT (written to a temporary file, then moved into place).
 *   <li>FTP ({@code FTP_URL}, with user and password): Apache FtpServer, passive mode, one user
 *       with write permission whose home is {@code DIR}.
 *   <li>S3 ({@code S3_ENDPOINT}, {@code S3_ACCESS_KEY}, {@code S3_SECRET_KEY}, {@code
 *       S3_BUCKET}): S3Proxy with AWS signature checks over a filesystem store in {@code
 *       DIR/.s3}, holding one empty bucket.
 * </ul>
 *
 * <p>{@code DIR} defaults to a new temporary directory. The password and secret are random for
 * each run; they are printed because the benchmark script needs them, and the servers listen on
 * the loopback interface only.
 */
public final class LoopbackServers {
  private static final String HOST = "127.0.0.1";
  private static final int BUFFER = 1024 * 1024;
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

  private final Path root;
  private HttpServer http;
  private ExecutorService httpThreads;
  private FtpServerFactory ftpFactory;
  private FtpServer ftp;
  private S3Proxy s3;

  private LoopbackServers(Path root) {
    this.root = root;
  }

  /**
   * Starts the servers, prints their endpoints, and waits for standard input to close.
   *
   * @param args an optional directory to serve
   * @throws Exception when a server cannot start
   */
  public static void main(String[] args) throws Exception {
    Path root =
        (args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("tes4j-loopback"))
            .toAbsolutePath()
            .normalize();
    Files.createDirectories(root);
    LoopbackServers servers = new LoopbackServers(root);
    PrintStream out = System.out;
    try {
      List<String> lines = servers.start();
      lines.forEach(out::println);
      out.println("READY");
      out.flush();
      // Runs until the caller closes our standard input (or exits, which closes it).
      InputStream in = System.in;
      while (in.read() >= 0) {
        // input is ignored; only its end matters
      }
    } finally {
      servers.stop();
    }
  }

  private List<String> start() throws Exception {
    String secret = random();
    String ftpPassword = random();
    startHttp();
    startFtp(ftpPassword);
    String bucket = "bench";
    startS3(secret, bucket);
    return List.of(
        "DIR=" + root,
        "HTTP_URL=http://" + HOST + ":" + http.getAddress().getPort() + "/",
        "FTP_URL=ftp://bench:" + ftpPassword + "@" + HOST + ":" + ftpPort() + "/",
        "FTP_USER=bench",
        "FTP_PASSWORD=" + ftpPassword,
        "S3_ENDPOINT=http://" + HOST + ":" + s3.getPort(),
        "S3_ACCESS_KEY=bench-access",
        "S3_SECRET_KEY=" + secret,
        "S3_BUCKET=" + bucket);
  }

  private static String random() {
    byte[] bytes = new byte[12];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private void stop() {
    if (s3 != null) {
      try {
        s3.stop();
      } catch (Exception e) {
        System.err.println("loopback-servers: stopping S3Proxy failed: " + e);
      }
    }
    if (ftp != null) {
      ftp.stop();
    }
    if (http != null) {
      http.stop(0);
      httpThreads.shutdownNow();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // HTTP

  private void startHttp() throws IOException {
    // As tes-server does: without TCP_NODELAY, every small answer waits ~40 ms for a delayed ACK.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    http = HttpServer.create(new InetSocketAddress(InetAddress.getByName(HOST), 0), 64);
    httpThreads = Executors.newCachedThreadPool();
    http.setExecutor(httpThreads);
    http.createContext("/", this::handle);
    http.start();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Path file = resolve(exchange.getRequestURI());
      if (file == null) {
        drain(exchange);
        exchange.sendResponseHeaders(400, -1);
        return;
      }
      switch (exchange.getRequestMethod()) {
        case "GET" -> get(exchange, file, true);
        case "HEAD" -> get(exchange, file, false);
        case "PUT" -> put(exchange, file);
        case "DELETE" -> {
          drain(exchange);
          exchange.sendResponseHeaders(Files.deleteIfExists(file) ? 204 : 404, -1);
        }
        default -> {
          drain(exchange);
          exchange.sendResponseHeaders(405, -1);
        }
      }
    } catch (IOException | RuntimeException e) {
      System.err.println("loopback-servers: HTTP " + exchange.getRequestMethod() + " "
          + exchange.getRequestURI() + " failed: " + e);
      throw e;
    }
  }

  /** The file a request path names, or {@code null} when it leads outside the root. */
  private Path resolve(URI uri) {
    String path = URLDecoder.decode(uri.getRawPath().replace("+", "%2B"), StandardCharsets.UTF_8);
    Path file = root.resolve(path.replaceFirst("^/+", "")).normalize();
    return file.startsWith(root) ? file : null;
  }

  private static void drain(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      in.transferTo(OutputStream.nullOutputStream());
    }
  }

  private static void get(HttpExchange exchange, Path file, boolean body) throws IOException {
    drain(exchange);
    if (!Files.isRegularFile(file)) {
      exchange.sendResponseHeaders(404, -1);
      return;
    }
    long size = Files.size(file);
    long first = 0;
    long last = size - 1;
    boolean partial = false;
    String range = exchange.getRequestHeaders().getFirst("Range");
    Matcher m = range == null ? null : RANGE.matcher(range.strip());
    if (m != null && m.matches()) {
      first = Long.parseLong(m.group(1));
      if (!m.group(2).isEmpty()) {
        last = Math.min(last, Long.parseLong(m.group(2)));
      }
      if (first >= size || first > last) {
        exchange.getResponseHeaders().set("Content-Range", "bytes */" + size);
        exchange.sendResponseHeaders(416, -1);
        return;
      }
      partial = true;
      exchange.getResponseHeaders().set("Content-Range", "bytes " + first + "-" + last + "/" + size);
    }
    long length = last - first + 1;
    exchange.getResponseHeaders().set("Accept-Ranges", "bytes");
    exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
    int status = partial ? 206 : 200;
    if (!body) {
      exchange.getResponseHeaders().set("Content-Length", String.valueOf(length));
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, length == 0 ? -1 : length);
    if (length == 0) {
      return;
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        OutputStream out = exchange.getResponseBody()) {
      WritableByteChannel sink = Channels.newChannel(out);
      ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
      long position = first;
      long end = first + length;
      while (position < end) {
        buffer.clear();
        buffer.limit((int) Math.min(BUFFER, end - position));
        int n = channel.read(buffer, position);
        if (n < 0) {
          throw new IOException(file + " shrank while being sent");
        }
        buffer.flip();
        while (buffer.hasRemaining()) {
          sink.write(buffer);
        }
        position += n;
      }
    }
  }

  private static void put(HttpExchange exchange, Path file) throws IOException {
    Files.createDirectories(file.getParent());
    Path temp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".part");
    try {
      try (InputStream in = exchange.getRequestBody();
          // WRITE only: truncating the new file would make ext4 write it all back on close.
          OutputStream out = Files.newOutputStream(temp, StandardOpenOption.WRITE)) {
        byte[] buffer = new byte[BUFFER];
        for (int n; (n = in.read(buffer)) >= 0; ) {
          out.write(buffer, 0, n);
        }
      }
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      try {
        Files.deleteIfExists(temp);
      } catch (NoSuchFileException e) {
        // moved into place: nothing left to clean
      }
    }
    exchange.sendResponseHeaders(201, -1);
  }

  // ---------------------------------------------------------------------------------------------
  // FTP

  private void startFtp(String password) throws FtpException {
    FtpServerFactory factory = new FtpServerFactory();
    ListenerFactory listener = new ListenerFactory();
    listener.setServerAddress(HOST);
    listener.setPort(0);
    DataConnectionConfigurationFactory data = new DataConnectionConfigurationFactory();
    data.setPassiveAddress(HOST);
    data.setPassiveExternalAddress(HOST);
    data.setPassivePorts("0"); // any free port: no clash with other servers on the machine
    listener.setDataConnectionConfiguration(data.createDataConnectionConfiguration());
    listener.setIdleTimeout(600);
    factory.addListener("default", listener.createListener());
    ConnectionConfigFactory connections = new ConnectionConfigFactory();
    connections.setAnonymousLoginEnabled(false);
    connections.setMaxLogins(64); // parallel transfers each log in
    factory.setConnectionConfig(connections.createConnectionConfig());

    PropertiesUserManagerFactory users = new PropertiesUserManagerFactory();
    factory.setUserManager(users.createUserManager());
    BaseUser user = new BaseUser();
    user.setName("bench");
    user.setPassword(password);
    user.setHomeDirectory(root.toString());
    user.setMaxIdleTime(600);
    user.setAuthorities(List.of(new WritePermission(), new ConcurrentLoginPermission(64, 64)));
    factory.getUserManager().save(user);

    ftpFactory = factory;
    ftp = factory.createServer();
    ftp.start();
  }

  private int ftpPort() {
    return ftpFactory.getListener("default").getPort();
  }

  // ---------------------------------------------------------------------------------------------
  // S3

  private void startS3(String secret, String bucket) throws Exception {
    Path store = Files.createDirectories(root.resolve(".s3"));
    FilesystemNio2BlobStore blobs = new FilesystemNio2BlobStore(store.toString());
    if (!blobs.containerExists(bucket)) {
      blobs.createContainer(bucket);
    }
    s3 =
        S3Proxy.builder()
            .blobStore(blobs)
            .endpoint(URI.create("http://" + HOST + ":0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "bench-access", secret)
            // A single PUT with a signed payload is held in memory to check its hash; S3Proxy
            // refuses those over 32 MiB unless told otherwise. 5 GiB is S3's own limit.
            .v4MaxNonChunkedRequestSize(5L * 1024 * 1024 * 1024)
            .build();
    s3.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!"STARTED".equals(s3.getState())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("S3Proxy did not start within 30 s: " + s3.getState());
      }
      Thread.sleep(20);
    }
  }
}
