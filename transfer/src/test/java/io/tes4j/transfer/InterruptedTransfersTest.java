package io.tes4j.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.transfer.TransferException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thread interrupted while its transfer waits on a server that stopped answering ends at once
 * (a cancelled task), though the JDK's and Commons Net's sockets ignore interrupts: not after the
 * read timeout, which is ten minutes here. The servers are real sockets on 127.0.0.1 that accept,
 * say what they are told to, then neither answer nor close.
 */
class InterruptedTransfersTest {
  private static final Duration LONG_READ_TIMEOUT = Duration.ofMinutes(10);

  @TempDir Path tmp;
  private final List<StallingServer> servers = new ArrayList<>();

  @AfterEach
  void stopServers() throws IOException {
    for (StallingServer server : servers) {
      server.close();
    }
  }

  private Transfers transfers(TransferSettings.Builder settings) {
    return Transfers.create(settings.readTimeout(LONG_READ_TIMEOUT).connectTimeout(Duration.ofSeconds(5)).build());
  }

  @Test
  void anHttpDownloadWaitingForTheAnswerEnds() throws Exception {
    StallingServer server = server("", "\r\n\r\n");
    Transfers transfers = transfers(TestData.quick());

    TransferException failure =
        interruptedWhileBlocked(server, () -> transfers.download(server.http("/big.bin"), tmp.resolve("big.bin")));

    assertThat(failure.getMessage()).contains("interrupted: the transfer was stopped").contains("/big.bin");
    assertThat(failure.reason()).isEqualTo(Reason.FAILED);
    assertThat(server.connections()).as("not retried").isEqualTo(1);
  }

  @Test
  void anHttpDownloadWaitingInTheMiddleOfTheBodyEnds() throws Exception {
    StallingServer server = server(
        "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\nContent-Type: application/octet-stream\r\n\r\nthe first bytes",
        "\r\n\r\n");
    Transfers transfers = transfers(TestData.quick());

    TransferException failure =
        interruptedWhileBlocked(server, () -> transfers.download(server.http("/big.bin"), tmp.resolve("big.bin")));

    assertThat(failure.getMessage()).contains("interrupted: the transfer was stopped");
    assertThat(tmp.resolve("big.bin")).as("no partial file is left").doesNotExist();
  }

  @Test
  void anHttpUploadToAServerThatStoppedReadingEnds() throws Exception {
    StallingServer server = server("", null); // reads nothing: the upload fills the socket's buffers
    Path big = Files.write(tmp.resolve("up.bin"), new byte[32 * 1024 * 1024]);
    Transfers transfers = transfers(TestData.quick());

    TransferException failure = interruptedWhileBlocked(server, () -> transfers.upload(big, server.http("/up.bin")));

    assertThat(failure.getMessage()).contains("interrupted: the transfer was stopped");
  }

  @Test
  void anS3DownloadWaitingForTheAnswerEnds() throws Exception {
    StallingServer server = server("", "\r\n\r\n");
    Transfers transfers = transfers(TestData.quick()
        .s3(S3Settings.builder().endpoint(URI.create(server.http(""))).pathStyle(true)
            .accessKey("access").secretKey("secret-key-never-shown").build()));

    TransferException failure =
        interruptedWhileBlocked(server, () -> transfers.download("s3://bucket/big.bin", tmp.resolve("big.bin")));

    assertThat(failure.getMessage()).contains("interrupted: the transfer was stopped")
        .doesNotContain("secret-key-never-shown");
  }

  @Test
  void anFtpLoginWaitingForTheServerEnds() throws Exception {
    StallingServer server = server("220 ready\r\n", "\r\n", ""); // greets, then never answers USER
    Transfers transfers = transfers(TestData.quick());

    TransferException failure = interruptedWhileBlocked(
        server, () -> transfers.download("ftp://someone:pa55word@127.0.0.1:" + server.port() + "/big.bin",
            tmp.resolve("big.bin")));

    assertThat(failure.getMessage()).contains("interrupted: the transfer was stopped").doesNotContain("pa55word");
  }

  @Test
  void aThreadInterruptedBeforeTheTransferDoesNotConnect() throws Exception {
    StallingServer server = server("", "\r\n\r\n");
    Transfers transfers = transfers(TestData.quick());
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread thread = new Thread(() -> {
      Thread.currentThread().interrupt();
      try {
        transfers.download(server.http("/x"), tmp.resolve("x"));
      } catch (Throwable e) {
        thrown.set(e);
      }
    });
    thread.start();
    thread.join(TimeUnit.SECONDS.toMillis(60));

    assertThat(thread.isAlive()).isFalse();
    assertThat(thrown.get()).isInstanceOf(TransferException.class).hasMessageContaining("interrupted");
    assertThat(server.connections()).isZero();
  }

  /**
   * Runs {@code transfer} on a thread of its own, interrupts it once {@code server} saw what it
   * waits for, and returns what the transfer threw; fails when the thread does not end in a
   * minute (the read timeout is ten) or keeps no interrupt flag.
   */
  private static TransferException interruptedWhileBlocked(StallingServer server, Runnable transfer)
      throws InterruptedException {
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicBoolean stillInterrupted = new AtomicBoolean();
    Thread thread = new Thread(() -> {
      try {
        transfer.run();
      } catch (Throwable e) {
        thrown.set(e);
      } finally {
        stillInterrupted.set(Thread.currentThread().isInterrupted());
      }
    }, "interrupted-transfer");
    thread.start();
    assertThat(server.awaitStalled()).as("the server got the request").isTrue();
    Thread.sleep(200); // the client is in its blocking read or write by now; if not, the watch sees it anyway
    thread.interrupt();
    thread.join(TimeUnit.SECONDS.toMillis(60));

    assertThat(thread.isAlive()).as("the transfer ended after the interrupt").isFalse();
    assertThat(stillInterrupted).as("the thread is still marked interrupted").isTrue();
    assertThat(thrown.get()).isInstanceOf(TransferException.class);
    return (TransferException) thrown.get();
  }

  private StallingServer server(String answer, String waitFor) throws IOException {
    return server("", waitFor, answer);
  }

  private StallingServer server(String greeting, String waitFor, String answer) throws IOException {
    StallingServer server = new StallingServer(greeting, waitFor, answer);
    servers.add(server);
    return server;
  }

  /**
   * Accepts connections; on each, writes {@code greeting}, reads until {@code waitFor} arrived
   * (none: reads nothing), writes {@code answer}, and then holds the connection open without a
   * byte more.
   */
  private static final class StallingServer implements AutoCloseable {
    private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final List<Socket> accepted = new ArrayList<>();
    private final CountDownLatch stalled = new CountDownLatch(1);
    private final Thread acceptor;

    StallingServer(String greeting, String waitFor, String answer) throws IOException {
      acceptor = new Thread(() -> serve(greeting, waitFor, answer), "stalling-server");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    private void serve(String greeting, String waitFor, String answer) {
      try {
        while (true) {
          Socket connection = socket.accept();
          synchronized (accepted) {
            accepted.add(connection);
          }
          OutputStream out = connection.getOutputStream();
          out.write(greeting.getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          if (waitFor != null) {
            InputStream in = connection.getInputStream();
            StringBuilder seen = new StringBuilder();
            int c;
            while (seen.indexOf(waitFor) < 0 && (c = in.read()) >= 0) {
              seen.append((char) c);
            }
          }
          out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          stalled.countDown();
        }
      } catch (IOException e) {
        // the server socket was closed: the test is over
      }
    }

    int port() {
      return socket.getLocalPort();
    }

    String http(String path) {
      return "http://127.0.0.1:" + port() + path;
    }

    boolean awaitStalled() throws InterruptedException {
      return stalled.await(60, TimeUnit.SECONDS);
    }

    int connections() {
      synchronized (accepted) {
        return accepted.size();
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
      synchronized (accepted) {
        for (Socket connection : accepted) {
          connection.close();
        }
      }
    }
  }
}
