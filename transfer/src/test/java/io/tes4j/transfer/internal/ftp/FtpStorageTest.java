package io.tes4j.transfer.internal.ftp;

import static io.tes4j.transfer.internal.ftp.FtpTestSupport.MIB;
import static io.tes4j.transfer.internal.ftp.FtpTestSupport.assertSecretNowhere;
import static io.tes4j.transfer.internal.ftp.FtpTestSupport.bytes;
import static io.tes4j.transfer.internal.ftp.FtpTestSupport.failure;
import static io.tes4j.transfer.internal.ftp.FtpTestSupport.settings;
import static io.tes4j.transfer.internal.ftp.FtpTestSupport.sha256;
import static io.tes4j.transfer.internal.ftp.FtpTestSupport.writeRandomFile;
import static io.tes4j.transfer.internal.ftp.TestFtpServer.ALICE;
import static io.tes4j.transfer.internal.ftp.TestFtpServer.ALICE_PASSWORD;
import static io.tes4j.transfer.internal.ftp.TestFtpServer.BOB;
import static io.tes4j.transfer.internal.ftp.TestFtpServer.BOB_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.transfer.Credentials;
import io.tes4j.transfer.ObjectInfo;
import io.tes4j.transfer.StorageUrl;
import io.tes4j.transfer.TransferException;
import io.tes4j.transfer.TransferException.Reason;
import io.tes4j.transfer.TransferSettings;
import io.tes4j.transfer.spi.Storage;
import io.tes4j.transfer.spi.StorageProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The FTP storage against a real Apache FtpServer on 127.0.0.1, through the SPI. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FtpStorageTest {
  @RegisterExtension final TestFtpServer ftp = new TestFtpServer();

  @TempDir Path tmp;

  private Storage storage;

  @BeforeEach
  void open() {
    storage = new FtpStorageProvider().open(settings().build());
  }

  @AfterEach
  void close() {
    storage.close();
  }

  private StorageUrl alice(String path) {
    return StorageUrl.parse(ftp.aliceUrl(path));
  }

  // --- round trips ------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(longs = {0, 1, 17 * MIB})
  void uploadAndDownloadKeepEveryByte(long size) throws IOException {
    Path source = tmp.resolve("source.bin");
    String digest = writeRandomFile(source, size, size);
    StorageUrl url = alice("/data/blob-" + size + ".bin");
    AtomicLong uploaded = new AtomicLong();

    assertThat(storage.upload(source, url, uploaded::addAndGet)).isEqualTo(size);

    assertThat(uploaded).hasValue(size);
    Path onServer = ftp.home().resolve("data").resolve("blob-" + size + ".bin");
    assertThat(Files.size(onServer)).isEqualTo(size);
    assertThat(sha256(onServer)).isEqualTo(digest);
    assertThat(storage.stat(url)).get().extracting(ObjectInfo::size, ObjectInfo::directory).containsExactly(size, false);

    Path target = Files.createFile(tmp.resolve("target.bin"));
    AtomicLong downloaded = new AtomicLong();
    assertThat(storage.download(url, target, downloaded::addAndGet)).isEqualTo(size);
    assertThat(downloaded).hasValue(size);
    assertThat(sha256(target)).isEqualTo(digest);
  }

  @Test
  void writeReplacesWhatIsThereAndReportsProgress() throws IOException {
    ftp.put("report.txt", "old content that is longer".getBytes(StandardCharsets.UTF_8));
    StorageUrl url = alice("/report.txt");
    byte[] content = "new".getBytes(StandardCharsets.UTF_8);
    List<Long> progress = new ArrayList<>();

    long written = storage.write(url, new ByteArrayInputStream(content), -1, progress::add);

    assertThat(written).isEqualTo(3);
    assertThat(progress.stream().mapToLong(Long::longValue).sum()).isEqualTo(3);
    assertThat(Files.readAllBytes(ftp.home().resolve("report.txt"))).isEqualTo(content);
  }

  @Test
  void namesWithSpacesAndNonAsciiLettersTravelAsUtf8() throws IOException {
    byte[] content = bytes(5000, 7);
    StorageUrl url = alice("/dir with space/ä ö.txt");

    storage.write(url, new ByteArrayInputStream(content), content.length, n -> {});

    Path onServer = ftp.home().resolve("dir with space").resolve("ä ö.txt");
    assertThat(onServer).exists();
    assertThat(Files.readAllBytes(onServer)).isEqualTo(content);
    assertThat(storage.stat(url)).get().extracting(ObjectInfo::size).isEqualTo(5000L);
    assertThat(storage.list(alice("/dir with space/")))
        .extracting(info -> info.url().path())
        .containsExactly("/dir with space/ä ö.txt");
    // The percent-encoded spelling names the same file.
    StorageUrl encoded = alice("/dir%20with%20space/%C3%A4%20%C3%B6.txt");
    try (InputStream in = storage.openRead(encoded, 0)) {
      assertThat(in.readAllBytes()).isEqualTo(content);
    }
  }

  @Test
  void openReadStartsAtTheOffsetAndGivesTheConnectionBack() throws IOException {
    byte[] content = bytes(10_000, 3);
    ftp.put("seek.bin", content);
    StorageUrl url = alice("/seek.bin");

    try (InputStream in = storage.openRead(url, 4321)) {
      assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(content, 4321, content.length));
    }
    try (InputStream in = storage.openRead(url, 0)) {
      assertThat(in.readAllBytes()).isEqualTo(content);
    }

    assertThat(((FtpStorage) storage).idleConnections()).isEqualTo(1);
    assertThat(ftp.statistics().getTotalLoginNumber()).isEqualTo(1);
  }

  @Test
  void closingAStreamEarlyDropsItsConnectionAndLeavesTheStorageUsable() throws IOException {
    ftp.put("big.bin", bytes((int) (4 * MIB), 5));
    StorageUrl url = alice("/big.bin");

    try (InputStream in = storage.openRead(url, 0)) {
      assertThat(in.readNBytes(1000)).hasSize(1000);
    }

    assertThat(((FtpStorage) storage).idleConnections()).isZero();
    assertThat(storage.stat(url)).get().extracting(ObjectInfo::size).isEqualTo(4 * MIB);
  }

  @Test
  void readingExactlyTheSizeWithoutSeeingTheEndStillReusesTheConnection() throws IOException {
    byte[] content = bytes(70_000, 9);
    ftp.put("exact.bin", content);

    try (InputStream in = storage.openRead(alice("/exact.bin"), 0)) {
      assertThat(in.readNBytes(content.length)).isEqualTo(content);
    }

    assertThat(((FtpStorage) storage).idleConnections()).isEqualTo(1);
  }

  // --- stat, list, delete -------------------------------------------------------------------------

  @Test
  void statSaysWhatIsThere() {
    ftp.put("dir/file.txt", bytes(123, 1));

    assertThat(storage.stat(alice("/missing.txt"))).isEmpty();
    assertThat(storage.stat(alice("/dir/missing/deeper.txt"))).isEmpty();
    ObjectInfo file = storage.stat(alice("/dir/file.txt")).orElseThrow();
    assertThat(file.size()).isEqualTo(123);
    assertThat(file.directory()).isFalse();
    assertThat(file.lastModified()).isBetween(Instant.now().minus(Duration.ofMinutes(5)), Instant.now().plusSeconds(60));
    assertThat(storage.stat(alice("/dir"))).get().extracting(ObjectInfo::directory).isEqualTo(true);
    assertThat(storage.stat(alice("/dir/"))).get().extracting(ObjectInfo::directory).isEqualTo(true);
    assertThat(storage.stat(alice("/"))).get().extracting(ObjectInfo::directory).isEqualTo(true);
  }

  @Test
  void uploadCreatesNestedDirectoriesAndListFindsEveryFileSorted() throws IOException {
    for (String path : List.of("/out/b/c/deep.txt", "/out/a.txt", "/out/b/z.txt", "/out/b/c/d/e/f.txt")) {
      byte[] content = path.getBytes(StandardCharsets.UTF_8);
      storage.write(alice(path), new ByteArrayInputStream(content), content.length, n -> {});
    }
    Files.createDirectories(ftp.home().resolve("out/empty-dir"));
    ftp.put("elsewhere.txt", new byte[] {1});

    List<ObjectInfo> listed = storage.list(alice("/out/"));

    assertThat(listed)
        .extracting(info -> info.url().path())
        .containsExactly(
            "/out/a.txt", "/out/b/c/d/e/f.txt", "/out/b/c/deep.txt", "/out/b/z.txt");
    assertThat(listed).noneMatch(ObjectInfo::directory);
    assertThat(listed.get(0).size()).isEqualTo("/out/a.txt".length());
    // Full URLs that can be downloaded as they are: the user info is kept, the password masked in text.
    StorageUrl first = listed.get(0).url();
    assertThat(first.user()).isEqualTo(ALICE);
    assertThat(first.password()).isEqualTo(ALICE_PASSWORD);
    assertThat(first.toString()).isEqualTo(ftp.url(ALICE, "****", "/out/a.txt")).doesNotContain(ALICE_PASSWORD);
    assertThat(listed.toString()).doesNotContain(ALICE_PASSWORD);
    try (InputStream in = storage.openRead(listed.get(3).url(), 0)) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("/out/b/z.txt");
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    // Without the trailing slash, and from the root.
    assertThat(storage.list(alice("/out"))).hasSize(4);
    assertThat(storage.list(alice("/"))).hasSize(5);
  }

  @Test
  void listOfAFileIsThatFileAndOfNothingIsEmpty() {
    ftp.put("one.txt", bytes(10, 2));

    assertThat(storage.list(alice("/one.txt"))).extracting(info -> info.url().path()).containsExactly("/one.txt");
    assertThat(storage.list(alice("/nothing/here/"))).isEmpty();
  }

  @Test
  void deleteRemovesAFileAndDeletingNothingIsFine() {
    ftp.put("gone/soon.txt", bytes(10, 2));
    StorageUrl url = alice("/gone/soon.txt");

    storage.delete(url);

    assertThat(ftp.home().resolve("gone/soon.txt")).doesNotExist();
    assertThat(storage.stat(url)).isEmpty();
    storage.delete(url);
    storage.delete(alice("/never/was.txt"));
  }

  @Test
  void deleteRefusesADirectory() {
    ftp.put("keep/file.txt", bytes(10, 2));

    TransferException e = failure(() -> storage.delete(alice("/keep")));

    assertThat(e.reason()).isEqualTo(Reason.FAILED);
    assertThat(e.getMessage()).contains("is a directory");
    assertThat(ftp.home().resolve("keep/file.txt")).exists();
  }

  @Test
  void deleteWithoutWritePermissionIsAccessDeniedAndTheFileStays() {
    ftp.put("kept.txt", bytes(10, 2));

    TransferException e = failure(() -> storage.delete(StorageUrl.parse(ftp.url(BOB, BOB_PASSWORD, "/kept.txt"))));

    assertThat(e.reason()).isEqualTo(Reason.ACCESS_DENIED);
    assertThat(e.getMessage()).contains("refused to delete", "(server: 450 No permission");
    assertThat(ftp.home().resolve("kept.txt")).exists();
  }

  // --- errors -----------------------------------------------------------------------------------

  @Test
  void readingAMissingFileIsNotFound() {
    TransferException e = failure(() -> storage.openRead(alice("/no/such.txt"), 0));

    assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND);
    assertThat(e.location()).isEqualTo(ftp.url(ALICE, "****", "/no/such.txt"));
    assertThat(e.getMessage()).contains("FTP download failed", "(server: 550");
    assertSecretNowhere(e, ALICE_PASSWORD);
    // The refusal left the connection in step: it is reused.
    assertThat(storage.stat(alice("/no/such.txt"))).isEmpty();
    assertThat(ftp.statistics().getTotalLoginNumber()).isEqualTo(1);
  }

  @Test
  void uploadWithoutWritePermissionIsAccessDeniedWithTheServersReply() {
    StorageUrl url = StorageUrl.parse(ftp.url(BOB, BOB_PASSWORD, "/bob.txt"));

    TransferException e = failure(() -> storage.write(url, new ByteArrayInputStream(new byte[10]), 10, n -> {}));

    assertThat(e.reason()).isEqualTo(Reason.ACCESS_DENIED);
    assertThat(e.getMessage()).contains("FTP upload failed", "(server: 550");
    assertSecretNowhere(e, BOB_PASSWORD);
    assertThat(ftp.home().resolve("bob.txt")).doesNotExist();
  }

  @Test
  void creatingADirectoryWithoutWritePermissionIsAccessDenied() {
    StorageUrl url = StorageUrl.parse(ftp.url(BOB, BOB_PASSWORD, "/new-dir/bob.txt"));

    TransferException e = failure(() -> storage.write(url, new ByteArrayInputStream(new byte[10]), 10, n -> {}));

    assertThat(e.reason()).isEqualTo(Reason.ACCESS_DENIED);
    assertThat(e.getMessage()).contains("cannot create the directory /new-dir", "(server: 550");
  }

  @Test
  void aFileInThePlaceOfAParentDirectoryIsReported() {
    ftp.put("plain.txt", bytes(3, 1));

    TransferException e = failure(() -> storage.write(alice("/plain.txt/child.txt"), new ByteArrayInputStream(new byte[1]), 1, n -> {}));

    assertThat(e.reason()).isEqualTo(Reason.FAILED);
    assertThat(e.getMessage()).contains("/plain.txt", "a file of that name is in the way");
  }

  @Test
  void aFailingSourceKeepsItsReasonAndTheConnectionIsDropped() {
    InputStream failing = new InputStream() {
      private int left = 100_000;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0];
      }

      @Override
      public int read(byte[] buffer, int offset, int length) throws IOException {
        if (left <= 0) {
          throw new SocketException("Connection reset");
        }
        int n = Math.min(length, left);
        Arrays.fill(buffer, offset, offset + n, (byte) 'x');
        left -= n;
        return n;
      }
    };

    TransferException e = failure(() -> storage.write(alice("/partial.txt"), failing, -1, n -> {}));

    assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE);
    assertThat(e.getMessage()).contains("reading the data to upload failed", "Connection reset");
    assertThat(((FtpStorage) storage).idleConnections()).isZero();
    assertThat(storage.stat(alice("/partial.txt"))).isPresent(); // the next call logs in afresh
  }

  @Test
  void wrongPasswordIsAccessDeniedAndNeverPrinted() {
    String wrong = "wrong-Pa55word";
    StorageUrl url = StorageUrl.parse(ftp.url(ALICE, wrong, "/x.txt"));

    TransferException e = failure(() -> storage.stat(url));

    assertThat(e.reason()).isEqualTo(Reason.ACCESS_DENIED);
    assertThat(e.getMessage())
        .contains("FTP login refused for user 'alice' on host 127.0.0.1:" + ftp.port())
        .contains("check the user and password")
        .contains("530");
    assertSecretNowhere(e, wrong);
    assertThat(url.toString()).doesNotContain(wrong);
    assertThat(e.location()).doesNotContain(wrong);
  }

  @Test
  void aWrongPasswordNeverBorrowsAConnectionThatTheRightOneLoggedIn() {
    ftp.put("private.txt", bytes(10, 2));
    assertThat(storage.stat(alice("/private.txt"))).isPresent();

    StorageUrl wrong = StorageUrl.parse(ftp.url(ALICE, "not-the-password", "/private.txt"));
    assertThatThrownBy(() -> storage.stat(wrong))
        .isInstanceOfSatisfying(TransferException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ACCESS_DENIED));
  }

  @Test
  void anonymousIsRefusedWhenTheServerWantsAUser() {
    TransferException e = failure(() -> storage.stat(StorageUrl.parse(ftp.url("/x.txt"))));

    assertThat(e.reason()).isEqualTo(Reason.ACCESS_DENIED);
    assertThat(e.getMessage()).contains("FTP anonymous login refused on host 127.0.0.1", "wants a user and password");
  }

  @Test
  void credentialsFromTheSettingsAreUsedForTheirHostOnly() {
    ftp.put("shared.txt", bytes(42, 2));
    TransferSettings forThisHost =
        settings().credentials(Credentials.password(TestFtpServer.HOST, ALICE, ALICE_PASSWORD)).build();
    TransferSettings forAnotherHost =
        settings().credentials(Credentials.password("localhost", ALICE, ALICE_PASSWORD)).build();
    TransferSettings forAnotherPort =
        settings().credentials(Credentials.password(TestFtpServer.HOST, ALICE, ALICE_PASSWORD).onPort(1)).build();
    StorageUrl noUserInfo = StorageUrl.parse(ftp.url("/shared.txt"));

    try (Storage configured = new FtpStorageProvider().open(forThisHost)) {
      assertThat(configured.stat(noUserInfo)).get().extracting(ObjectInfo::size).isEqualTo(42L);
    }
    for (TransferSettings elsewhere : List.of(forAnotherHost, forAnotherPort)) {
      try (Storage other = new FtpStorageProvider().open(elsewhere)) {
        TransferException e = failure(() -> other.stat(noUserInfo));
        assertThat(e.reason()).isEqualTo(Reason.ACCESS_DENIED);
        assertThat(e.getMessage()).contains("anonymous");
      }
    }
  }

  @Test
  void theUrlsUserInfoWinsOverTheSettings() {
    ftp.put("shared.txt", bytes(42, 2));
    TransferSettings wrongInSettings =
        settings().credentials(Credentials.password(TestFtpServer.HOST, ALICE, "stale-password")).build();
    TransferSettings rightInSettings =
        settings().credentials(Credentials.password(TestFtpServer.HOST, ALICE, ALICE_PASSWORD)).build();

    try (Storage s = new FtpStorageProvider().open(wrongInSettings)) {
      assertThat(s.stat(alice("/shared.txt"))).isPresent();
      // Bob's user info is used as given, not mixed with alice's configured password.
      assertThat(s.stat(StorageUrl.parse(ftp.url(BOB, BOB_PASSWORD, "/shared.txt")))).isPresent();
    }
    try (Storage s = new FtpStorageProvider().open(rightInSettings)) {
      TransferException e = failure(() -> s.stat(StorageUrl.parse(ftp.url(ALICE, "url-password", "/shared.txt"))));
      assertThat(e.reason()).isEqualTo(Reason.ACCESS_DENIED);
      // A user without a password in the URL takes the configured password of that same user.
      assertThat(s.stat(StorageUrl.parse("ftp://alice@127.0.0.1:" + ftp.port() + "/shared.txt"))).isPresent();
    }
  }

  @Test
  void aClosedPortIsUnreachable() {
    ftp.stop();

    TransferException e = failure(() -> storage.stat(alice("/x.txt")));

    assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE);
    assertThat(e.retryable()).isTrue();
    assertThat(e.getMessage()).contains("connection refused");
    assertSecretNowhere(e, ALICE_PASSWORD);
  }

  @Test
  void aServerDyingInTheMiddleOfADownloadIsUnreachable() throws IOException {
    ftp.put("huge.bin", bytes((int) (48 * MIB), 11));
    Path target = Files.createFile(tmp.resolve("huge.bin"));
    AtomicLong received = new AtomicLong();
    AtomicBoolean broken = new AtomicBoolean();

    TransferException e = failure(() -> storage.download(alice("/huge.bin"), target, n -> {
      if (received.addAndGet(n) > MIB && broken.compareAndSet(false, true)) {
        ftp.breakDownloadsAndStop();
      }
    }));

    assertThat(broken).isTrue();
    assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE);
    assertThat(e.retryable()).isTrue();
    assertThat(Files.size(target)).isLessThan(48 * MIB);
    assertSecretNowhere(e, ALICE_PASSWORD);
    assertThat(((FtpStorage) storage).idleConnections()).isZero();
  }

  @Test
  void aControlConnectionLostBeforeTheDownloadIsConfirmedIsUnreachable() throws IOException {
    // The data all arrives, but the server's final "226 Transfer complete" never does.
    ftp.put("whole.bin", bytes((int) (8 * MIB), 12));
    Path target = Files.createFile(tmp.resolve("whole.bin"));
    AtomicBoolean dropped = new AtomicBoolean();

    TransferException e = failure(() -> storage.download(alice("/whole.bin"), target, n -> {
      if (dropped.compareAndSet(false, true)) {
        ftp.dropControlConnections();
      }
    }));

    assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE);
    assertThat(e.getMessage()).contains("before confirming the download");
    assertThat(((FtpStorage) storage).idleConnections()).isZero();
    assertThat(storage.stat(alice("/whole.bin"))).get().extracting(ObjectInfo::size).isEqualTo(8 * MIB);
  }

  @Test
  void anIdleConnectionToAStoppedServerIsNotReused() {
    assertThat(storage.stat(alice("/x.txt"))).isEmpty();
    assertThat(((FtpStorage) storage).idleConnections()).isEqualTo(1);
    ftp.stop();

    TransferException e = failure(() -> storage.stat(alice("/x.txt")));

    assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE);
    assertThat(((FtpStorage) storage).idleConnections()).isZero();
  }

  // --- pooling ----------------------------------------------------------------------------------

  @Test
  void sequentialCallsShareOneLoggedInConnection() {
    ftp.put("a.txt", bytes(1, 1));
    for (int i = 0; i < 5; i++) {
      assertThat(storage.stat(alice("/a.txt"))).isPresent();
      assertThat(storage.list(alice("/"))).hasSize(1);
    }
    assertThat(ftp.statistics().getTotalLoginNumber()).isEqualTo(1);
  }

  @Test
  void parallelDownloadsUsePooledConnections() throws Exception {
    int files = 4;
    List<String> digests = new ArrayList<>();
    for (int i = 0; i < files; i++) {
      byte[] content = bytes((int) (3 * MIB) + i, 100 + i);
      ftp.put("p/" + i + ".bin", content);
      digests.add(sha256(new ByteArrayInputStream(content)));
    }
    ExecutorService pool = Executors.newFixedThreadPool(files);
    try {
      for (int round = 0; round < 2; round++) {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < files; i++) {
          int index = i;
          int r = round;
          results.add(pool.submit(() -> {
            start.await();
            Path target = Files.createFile(tmp.resolve(r + "-" + index + ".bin"));
            storage.download(alice("/p/" + index + ".bin"), target, n -> {});
            return sha256(target);
          }));
        }
        start.countDown();
        for (int i = 0; i < files; i++) {
          assertThat(results.get(i).get(30, TimeUnit.SECONDS)).isEqualTo(digests.get(i));
        }
      }
    } finally {
      pool.shutdownNow();
    }
    // Four at a time need four connections; the second round reuses them.
    assertThat(ftp.statistics().getTotalLoginNumber()).isBetween(1, files);
    assertThat(((FtpStorage) storage).idleConnections()).isBetween(1, files);
    assertThat(ftp.statistics().getTotalDownloadNumber()).isEqualTo(2 * files);
  }

  @Test
  void parallelUploadsIntoTheSameNewDirectoriesAllSucceed() throws Exception {
    int files = 6;
    ExecutorService pool = Executors.newFixedThreadPool(files);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Long>> results = new ArrayList<>();
      for (int i = 0; i < files; i++) {
        byte[] content = bytes(1000 + i, i);
        StorageUrl url = alice("/race/a/b/" + i + ".bin");
        results.add(pool.submit(() -> {
          start.await();
          return storage.write(url, new ByteArrayInputStream(content), content.length, n -> {});
        }));
      }
      start.countDown();
      for (int i = 0; i < files; i++) {
        assertThat(results.get(i).get(30, TimeUnit.SECONDS)).isEqualTo(1000L + i);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(storage.list(alice("/race/"))).hasSize(files);
  }

  @Test
  void closeLogsOutOfEveryPooledConnection() throws InterruptedException {
    assertThat(storage.stat(alice("/x"))).isEmpty();
    assertThat(ftp.statistics().getCurrentLoginNumber()).isEqualTo(1);

    storage.close();

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (ftp.statistics().getCurrentConnectionNumber() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(ftp.statistics().getCurrentConnectionNumber()).isZero();
    assertThatThrownBy(() -> storage.stat(alice("/x"))).isInstanceOf(IllegalStateException.class);
  }

  // --- registration -----------------------------------------------------------------------------

  @Test
  void theProviderIsFoundByServiceLoaderForFtpAndFtps() {
    List<StorageProvider> ftpProviders = ServiceLoader.load(StorageProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.schemes().contains("ftp"))
        .toList();

    assertThat(ftpProviders).hasSize(1);
    assertThat(ftpProviders.get(0)).isInstanceOf(FtpStorageProvider.class);
    assertThat(ftpProviders.get(0).schemes()).containsExactlyInAnyOrder("ftp", "ftps");
  }

  @Test
  void otherSchemesAreRefused() {
    TransferException e = failure(() -> storage.stat(StorageUrl.parse("s3://bucket/key")));

    assertThat(e.reason()).isEqualTo(Reason.INVALID_URL);
  }
}
