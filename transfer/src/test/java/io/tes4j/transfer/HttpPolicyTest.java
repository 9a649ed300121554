package io.tes4j.transfer;

import static io.tes4j.transfer.TestData.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tes4j.transfer.TestHttpStore.Seen;
import io.tes4j.transfer.TransferException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transfer policy at every hop of HTTP(S), against real servers on 127.0.0.1: redirects to
 * other hosts, to non-public addresses, to other schemes; names that resolve to loopback, refused
 * by the address actually connected to; every spelling of a loopback address.
 */
class HttpPolicyTest {
  /** {@code tes4j serve}'s rules without options: the usual schemes, public addresses only. */
  private static final TransferPolicy SERVER =
      TransferPolicy.builder().allowSchemes("http", "https", "ftp", "s3").allowPrivateAddresses(false).build();

  @TempDir Path tmp;
  private TestHttpStore first;
  private TestHttpStore second;
  private final byte[] data = bytes(10_000, 7);

  @BeforeEach
  void start() throws IOException {
    first = TestHttpStore.start();
    second = TestHttpStore.start();
  }

  @AfterEach
  void stop() {
    first.close();
    second.close();
  }

  private static Transfers transfers(TransferPolicy policy) {
    return Transfers.create(TestData.quick().retries(1, Duration.ofMillis(10), Duration.ofMillis(10)).policy(policy).build());
  }

  private static TransferPolicy allowing(String... hosts) {
    return SERVER.toBuilder().allowHosts(hosts).build();
  }

  private TransferException refused(TransferPolicy policy, String url) {
    try (Transfers transfers = transfers(policy)) {
      TransferException e =
          catchThrowableOfType(TransferException.class, () -> transfers.download(url, tmp.resolve("out")));
      assertThat(e).as(url).isNotNull();
      assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.NOT_ALLOWED);
      assertThat(tmp.resolve("out")).doesNotExist();
      return e;
    }
  }

  private void downloads(TransferPolicy policy, String url) throws IOException {
    try (Transfers transfers = transfers(policy)) {
      Path out = tmp.resolve("got");
      transfers.download(url, out);
      assertThat(Files.readAllBytes(out)).isEqualTo(data);
      Files.delete(out);
    }
  }

  @Test
  void aRedirectToAnotherHostIsRefusedUnlessThatHostIsAllowed() throws IOException {
    second.put("/b", data);
    String target = second.urlAt("localhost", "/b");
    first.redirect("/a", target);

    TransferException e = refused(allowing("127.0.0.1"), first.url("/a"));
    assertThat(e.getMessage())
        .isEqualTo(first.url("/a") + ": redirected to " + target + ": the host 'localhost' is not among the hosts the"
            + " transfer policy allows (127.0.0.1); allow it with --allow-host localhost");
    assertThat(second.seen()).as("nothing was sent to the refused host").isEmpty();

    downloads(allowing("127.0.0.1", "localhost"), first.url("/a"));
    Seen got = second.seen().get(second.seen().size() - 1);
    assertThat(got.path()).isEqualTo("/b");
    assertThat(got.host()).as("the Host header names the host, not the address connected to").isEqualTo("localhost");
  }

  @Test
  void everyHopOfAChainIsChecked() throws IOException {
    second.put("/c", data);
    first.redirect("/a", first.url("/b"));
    first.redirect("/b", second.urlAt("localhost", "/c"));

    TransferException e = refused(allowing("127.0.0.1"), first.url("/a"));
    assertThat(e.getMessage()).startsWith(first.url("/a") + ": redirected to " + second.urlAt("localhost", "/c") + ":");
    assertThat(first.seen()).extracting(Seen::path).containsExactly("/a", "/b");
    assertThat(second.seen()).isEmpty();

    downloads(allowing("127.0.0.1", "localhost"), first.url("/a"));
  }

  @Test
  void aRedirectToLoopbackFromAnAllowedHostIsRefusedUnderTheServerDefault() {
    // Any public host, plus localhost by name; 127.0.0.1 is not named.
    first.put("/b", data);
    first.redirect("/a", first.url("/b"));
    TransferException e = refused(allowing("*", "localhost"), first.urlAt("localhost", "/a"));
    assertThat(e.getMessage()).isEqualTo(first.urlAt("localhost", "/a") + ": redirected to " + first.url("/b")
        + ": the address 127.0.0.1 is loopback: the transfer policy reaches non-public addresses only for hosts"
        + " allowed by name; allow it with --allow-host 127.0.0.1");
    assertThat(first.seen()).extracting(Seen::path).containsExactly("/a");
  }

  @Test
  void aRedirectToAnotherSchemeIsRefusedEvenWithoutAPolicy() {
    first.redirect("/file", "file:///etc/passwd");
    first.redirect("/ftp", "ftp://user:s3cret@127.0.0.1:21/x");
    for (String path : List.of("/file", "/ftp")) {
      TransferException e = refused(TransferPolicy.permissive(), first.url(path));
      assertThat(e.getMessage()).contains("redirected to").contains("not an http(s) URL").doesNotContain("s3cret");
    }
  }

  @Test
  void aNameIsJudgedByTheAddressItConnectsTo() throws IOException {
    // The policy allows the name (any host); the address connected to is loopback. The check sits
    // on the connection itself, so a name that resolved elsewhere when first looked up (DNS
    // rebinding) is judged by what it is at the moment of connecting.
    first.put("/x", data);
    String url = "http://user:s3cret@localhost:" + first.port() + "/x";
    TransferException e = refused(allowing("*"), url);
    assertThat(e.getMessage())
        .startsWith("http://user:****@localhost:" + first.port() + "/x: refused to connect to localhost:" + first.port()
            + ": the host 'localhost' has the address ")
        .contains("loopback")
        .endsWith("allow it with --allow-host localhost")
        .doesNotContain("s3cret");
    assertThat(first.seen()).as("no request reached the server").isEmpty();

    // The same through the storage itself, which Transfers' own check of the URL does not cover.
    try (Transfers transfers = transfers(allowing("*"))) {
      StorageUrl parsed = StorageUrl.parse(url);
      TransferException direct =
          catchThrowableOfType(TransferException.class, () -> transfers.storage(parsed).stat(parsed));
      assertThat(direct.reason()).isEqualTo(Reason.NOT_ALLOWED);
    }
    assertThat(first.seen()).isEmpty();

    downloads(allowing("localhost"), first.urlAt("localhost", "/x"));
    try (Transfers transfers = transfers(allowing("localhost"))) {
      Path source = Files.write(tmp.resolve("up"), data);
      transfers.upload(source, first.urlAt("localhost", "/up"));
    }
    assertThat(first.get("/up")).isEqualTo(data);
    assertThat(first.seen()).extracting(Seen::host).containsOnly("localhost");
  }

  @Test
  void connectionsToTheCheckedAddressAreKeptAliveAndReused() throws IOException {
    first.put("/x", data);
    try (Transfers transfers = transfers(allowing("localhost"))) {
      for (int i = 0; i < 3; i++) {
        transfers.download(first.urlAt("localhost", "/x"), tmp.resolve("got-" + i));
      }
    }
    // HEAD and GET, three times, over one connection.
    assertThat(first.seen()).hasSize(6);
    assertThat(first.seen()).extracting(Seen::clientPort).containsOnly(first.seen().get(0).clientPort());
  }

  @Test
  void everySpellingOfLoopbackIsRefusedAndTheNamedAddressInAnySpellingIsReached() throws IOException {
    first.put("/x", data);
    int port = first.port();
    for (String host : List.of("127.0.0.1", "2130706433", "127.1", "0x7f.1", "0177.0.0.1", "[::ffff:127.0.0.1]",
        "[::1]", "0", "[::]")) {
      refused(SERVER, "http://" + host + ":" + port + "/x");
    }
    assertThat(first.seen()).isEmpty();
    // Named as 127.0.0.1, it is allowed however it is written; the JDK reads 2130706433 as 127.0.0.1.
    downloads(allowing("127.0.0.1"), "http://127.0.0.1:" + port + "/x");
    downloads(allowing("127.0.0.1"), "http://2130706433:" + port + "/x");
    downloads(allowing("127.0.0.1"), "http://[::ffff:127.0.0.1]:" + port + "/x");
  }

  @Test
  void httpsChecksThePeerBeforeTls() throws Exception {
    try (RawServer server = new RawServer()) {
      String url = "https://localhost:" + server.port() + "/x";
      TransferException e = refused(allowing("*"), url);
      assertThat(e.getMessage()).contains("refused to connect to localhost:" + server.port()).contains("loopback");
      assertThat(server.firstBytes()).as("no TLS handshake was sent").isEmpty();

      // Allowed by name: the TLS handshake starts (and fails, the server speaks no TLS).
      try (Transfers transfers = transfers(allowing("localhost"))) {
        TransferException failed =
            catchThrowableOfType(TransferException.class, () -> transfers.download(url, tmp.resolve("out")));
        assertThat(failed.reason()).isNotEqualTo(Reason.NOT_ALLOWED);
      }
      assertThat(server.firstBytes()).as("a TLS record: the handshake").startsWith((byte) 0x16);
    }
  }

  /** A TCP server on 127.0.0.1 that records the first bytes of each connection and closes it. */
  private static final class RawServer implements AutoCloseable {
    private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    private final List<CompletableFuture<byte[]>> connections = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Thread acceptor;

    RawServer() throws IOException {
      acceptor = new Thread(this::accept, "raw-server");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    private void accept() {
      while (!socket.isClosed()) {
        try (Socket client = socket.accept()) {
          CompletableFuture<byte[]> read = new CompletableFuture<>();
          connections.add(read);
          client.setSoTimeout(2000);
          byte[] buffer = new byte[16];
          InputStream in = client.getInputStream();
          int n;
          try {
            n = in.read(buffer);
          } catch (SocketTimeoutException e) {
            n = -1;
          }
          read.complete(n <= 0 ? new byte[0] : java.util.Arrays.copyOf(buffer, n));
        } catch (IOException e) {
          return; // closed
        }
      }
    }

    /** The first bytes of the last connection, or none when none was made or it sent nothing. */
    byte[] firstBytes() throws Exception {
      if (connections.isEmpty()) {
        return new byte[0];
      }
      return connections.get(connections.size() - 1).get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
