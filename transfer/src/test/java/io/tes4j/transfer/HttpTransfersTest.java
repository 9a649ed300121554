package io.tes4j.transfer;

import static io.tes4j.transfer.TestData.MIB;
import static io.tes4j.transfer.TestData.bytes;
import static io.tes4j.transfer.TestData.sha256;
import static io.tes4j.transfer.TestData.tempFiles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.transfer.TestHttpStore.Seen;
import io.tes4j.transfer.TransferException.Reason;
import io.tes4j.transfer.spi.Storage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Authenticator;
import java.net.PasswordAuthentication;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpTransfersTest {
  static final String SECRET = "s3cr3t-Pa55";

  @TempDir Path tmp;
  TestHttpStore store;
  Transfers transfers;

  @BeforeEach
  void start() throws IOException {
    store = TestHttpStore.start();
    transfers = Transfers.create(TestData.quick().build());
  }

  @AfterEach
  void stop() {
    transfers.close();
    store.close();
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private Transfers withCredentials(Credentials... credentials) {
    TransferSettings.Builder settings = TestData.quick();
    for (Credentials c : credentials) {
      settings.credentials(c);
    }
    return Transfers.create(settings.build());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 17 * MIB})
  void downloadsAndUploadsAnySize(int size) throws IOException {
    byte[] data = bytes(size, size + 7);
    store.put("/in/data.bin", data);
    Path target = tmp.resolve("data.bin");

    assertThat(transfers.download(store.url("/in/data.bin"), target)).isEqualTo(size);
    assertThat(sha256(target)).isEqualTo(sha256(data));

    assertThat(transfers.upload(target, store.url("/out/data.bin"))).isEqualTo(size);
    assertThat(sha256(store.get("/out/data.bin"))).isEqualTo(sha256(data));
    assertThat(tempFiles(tmp)).isEmpty();
  }

  @Test
  void namesWithSpacesAndNonAsciiLetters() throws IOException {
    store.put("/dir with space/ä ö.txt", "hallo".getBytes(StandardCharsets.UTF_8));

    transfers.download(store.url("/dir with space/ä ö.txt"), tmp.resolve("ä ö.txt"));
    transfers.upload(tmp.resolve("ä ö.txt"), store.url("/up load/ü.txt"));

    assertThat(Files.readString(tmp.resolve("ä ö.txt"))).isEqualTo("hallo");
    assertThat(store.get("/up load/ü.txt")).asString(StandardCharsets.UTF_8).isEqualTo("hallo");
    assertThat(store.seen()).extracting(Seen::path).contains("/dir with space/ä ö.txt", "/up load/ü.txt");
  }

  @Test
  void copiesBetweenHttpAndFilesWithoutALocalCopy() throws IOException {
    byte[] data = bytes(3 * MIB, 3);
    store.put("/a.bin", data);

    transfers.copy(store.url("/a.bin"), store.url("/b.bin"));
    transfers.copy(store.url("/b.bin"), "file://" + tmp.resolve("c.bin"));
    transfers.copy(tmp.resolve("c.bin").toString(), store.url("/d.bin"));

    assertThat(store.get("/b.bin")).isEqualTo(data);
    assertThat(Files.readAllBytes(tmp.resolve("c.bin"))).isEqualTo(data);
    assertThat(store.get("/d.bin")).isEqualTo(data);
  }

  @Test
  void notFoundNamesTheUrlAndLeavesNoFile() throws IOException {
    Path target = tmp.resolve("x/missing.txt");
    assertThatThrownBy(() -> transfers.download(store.url("/missing.txt"), target))
        .isInstanceOfSatisfying(TransferException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND);
          assertThat(e.getMessage()).startsWith(store.url("/missing.txt") + ": not found");
        });
    assertThat(target).doesNotExist();
    assertThat(tempFiles(tmp)).isEmpty();
  }

  @Test
  void configuredBasicAndBearerCredentialsAreSent() throws IOException {
    store.put("/private.txt", new byte[] {42});
    store.requireAuthorization("127.0.0.1", basic("alice", SECRET));
    try (Transfers basic = withCredentials(Credentials.password("127.0.0.1", "alice", SECRET))) {
      assertThat(basic.download(store.url("/private.txt"), tmp.resolve("1"))).isEqualTo(1);
    }
    store.requireAuthorization("127.0.0.1", "Bearer " + SECRET);
    try (Transfers bearer = withCredentials(Credentials.bearer("127.0.0.1", SECRET))) {
      assertThat(bearer.download(store.url("/private.txt"), tmp.resolve("2"))).isEqualTo(1);
      bearer.upload(tmp.resolve("2"), store.url("/private-copy.txt"));
    }
    assertThat(store.get("/private-copy.txt")).containsExactly(42);
  }

  @Test
  void userInfoOfTheUrlIsSentAsBasicAuth() throws IOException {
    store.put("/private.txt", new byte[] {1, 2});
    store.requireAuthorization("127.0.0.1", basic("bob", SECRET));

    String url = "http://bob:" + SECRET + "@127.0.0.1:" + store.port() + "/private.txt";
    assertThat(transfers.download(url, tmp.resolve("p"))).isEqualTo(2);
  }

  @Test
  void wrongCredentialsAreAccessDeniedNamingTheHostAndNotTheSecret() {
    store.put("/private.txt", new byte[] {1});
    store.requireAuthorization("127.0.0.1", basic("alice", "right"));
    String url = "http://alice:" + SECRET + "@127.0.0.1:" + store.port() + "/private.txt";

    assertThatThrownBy(() -> transfers.download(url, tmp.resolve("p")))
        .isInstanceOfSatisfying(TransferException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.ACCESS_DENIED);
          assertThat(e.getMessage())
              .contains("access denied (401): check the credentials for host 127.0.0.1")
              .contains("alice:****@")
              .doesNotContain(SECRET);
        });
    assertThat(store.seen()).singleElement().satisfies(s -> assertThat(s.method()).isEqualTo("HEAD")); // no retry
    assertThat(tmp.resolve("p")).doesNotExist();

    try (Transfers wrong = withCredentials(Credentials.password("127.0.0.1", "alice", SECRET))) {
      assertThatThrownBy(() -> wrong.upload(writeSmall(), store.url("/up.txt")))
          .isInstanceOfSatisfying(TransferException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.ACCESS_DENIED);
            assertThat(e.getMessage()).doesNotContain(SECRET);
          });
    }
  }

  private Path writeSmall() throws IOException {
    return Files.write(tmp.resolve("small.txt"), new byte[] {7});
  }

  @Test
  void redirectsToTheSameHostKeepTheCredentials() throws IOException {
    store.put("/new.txt", new byte[] {5});
    store.redirect("/old.txt", store.url("/new.txt"));
    store.requireAuthorization("127.0.0.1", basic("alice", SECRET));

    try (Transfers t = withCredentials(Credentials.password("127.0.0.1", "alice", SECRET))) {
      assertThat(t.download(store.url("/old.txt"), tmp.resolve("n"))).isEqualTo(1);
    }
    assertThat(store.seen()).allSatisfy(s -> assertThat(s.authorization()).isEqualTo(basic("alice", SECRET)));
  }

  @Test
  void redirectsToAnotherHostNeverCarryTheCredentials() throws IOException {
    store.put("/elsewhere.txt", "moved".getBytes(StandardCharsets.UTF_8));
    store.redirect("/here.txt", store.urlAt("localhost", "/elsewhere.txt"));
    store.requireAuthorization("127.0.0.1", basic("alice", SECRET));

    try (Transfers t = withCredentials(Credentials.password("127.0.0.1", "alice", SECRET))) {
      t.download(store.url("/here.txt"), tmp.resolve("a"));
    }
    String viaUrl = "http://alice:" + SECRET + "@127.0.0.1:" + store.port() + "/here.txt";
    transfers.download(viaUrl, tmp.resolve("b"));

    assertThat(Files.readString(tmp.resolve("a"))).isEqualTo("moved");
    assertThat(Files.readString(tmp.resolve("b"))).isEqualTo("moved");
    assertThat(store.seen()).filteredOn(s -> s.host().equals("localhost")).isNotEmpty()
        .allSatisfy(s -> assertThat(s.authorization()).isNull());
    assertThat(store.seen()).filteredOn(s -> s.host().equals("127.0.0.1")).isNotEmpty()
        .allSatisfy(s -> assertThat(s.authorization()).isEqualTo(basic("alice", SECRET)));
  }

  @Test
  void theOtherHostGetsItsOwnCredentials() throws IOException {
    store.put("/b.txt", new byte[] {1});
    store.redirect("/a.txt", store.urlAt("localhost", "/b.txt"));
    store.requireAuthorization("localhost", "Bearer other-token");

    try (Transfers t = withCredentials(
        Credentials.password("127.0.0.1", "alice", SECRET), Credentials.bearer("localhost", "other-token"))) {
      assertThat(t.download(store.url("/a.txt"), tmp.resolve("b"))).isEqualTo(1);
    }
    assertThat(store.seen()).filteredOn(s -> s.host().equals("localhost"))
        .allSatisfy(s -> assertThat(s.authorization()).isEqualTo("Bearer other-token"));
  }

  @Test
  void redirectLoopsEnd() {
    store.redirect("/loop", store.url("/loop"));
    assertThatThrownBy(() -> transfers.download(store.url("/loop"), tmp.resolve("l")))
        .isInstanceOfSatisfying(TransferException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.FAILED);
          assertThat(e.getMessage()).contains("more than 5 redirects");
        });
  }

  @Test
  void aDownloadCutOffMidwayIsRetriedAndLeavesNoPartialFile() throws IOException {
    byte[] data = bytes(2 * MIB, 11);
    store.put("/big.bin", data);
    store.dropMidBody("/big.bin", 1);
    TestData.Recorder recorder = new TestData.Recorder();

    Path target = tmp.resolve("big.bin");
    assertThat(transfers.download(store.url("/big.bin"), target, recorder)).isEqualTo(data.length);

    assertThat(sha256(target)).isEqualTo(sha256(data));
    assertThat(recorder.retries).singleElement().satisfies(r -> {
      assertThat(r.attempt()).isEqualTo(1);
      assertThat(r.failure()).isInstanceOfSatisfying(TransferException.class,
          f -> assertThat(f.reason()).isEqualTo(Reason.UNREACHABLE));
    });
    assertThat(store.seen()).filteredOn(s -> s.method().equals("GET")).hasSize(2);
    assertThat(tempFiles(tmp)).isEmpty();
    assertThat(recorder.lastProgress().done()).isEqualTo(data.length);
  }

  @Test
  void aDownloadCutOffMidwayResumesWhereItStoppedIfTheObjectIsUnchanged() throws IOException {
    byte[] data = bytes(2 * MIB, 13);
    store.put("/resume.bin", data);
    store.sendDigests(true); // Repr-Digest, of the whole object: the part already there is checked too
    store.dropMidBody("/resume.bin", 1);
    TestData.Recorder recorder = new TestData.Recorder();

    Path target = tmp.resolve("resume.bin");
    assertThat(transfers.download(store.url("/resume.bin"), target, recorder)).isEqualTo(data.length);

    assertThat(sha256(target)).isEqualTo(sha256(data));
    List<TestHttpStore.Seen> gets = store.seen().stream().filter(s -> s.method().equals("GET")).toList();
    assertThat(gets).hasSize(2);
    assertThat(gets.get(0).range()).isNull();
    // The first GET sent half the body before the connection dropped: the second asks for the rest.
    assertThat(gets.get(1).range()).isEqualTo("bytes=" + data.length / 2 + "-");
    assertThat(gets.get(1).ifRange()).startsWith("\"" + data.length + "-");
    assertThat(tempFiles(tmp)).isEmpty();
    // Progress goes on from where it was, to the whole size.
    assertThat(recorder.progress).filteredOn(p -> p.done() > data.length / 2).isNotEmpty();
    assertThat(recorder.lastProgress().done()).isEqualTo(data.length);
  }

  @Test
  void anObjectReplacedBetweenAttemptsIsDownloadedWholeAgainNeverSpliced() throws IOException {
    byte[] old = bytes(2 * MIB, 14);
    byte[] replacement = bytes(2 * MIB, 15);
    store.put("/moving.bin", old);
    store.dropMidBody("/moving.bin", 1);
    // Same size, other bytes and entity tag.
    TransferListener replace = onRetry(() -> store.put("/moving.bin", replacement));

    Path target = tmp.resolve("moving.bin");
    transfers.download(store.url("/moving.bin"), target, replace);

    assertThat(sha256(target)).isEqualTo(sha256(replacement));
    assertThat(store.seen()).filteredOn(s -> s.method().equals("GET")).extracting(TestHttpStore.Seen::range)
        .containsExactly(null, null);
  }

  @Test
  void aServerThatAnswersARangedGetWithTheWholeObjectStillGivesTheRightFile() throws IOException {
    byte[] data = bytes(2 * MIB, 16);
    store.put("/whole.bin", data);
    store.dropMidBody("/whole.bin", 1);
    // 200 and all of it, as if If-Range had not matched.
    TransferListener wholeAnswers = onRetry(() -> store.ignoreRange(true));

    Path target = tmp.resolve("whole.bin");
    assertThat(transfers.download(store.url("/whole.bin"), target, wholeAnswers)).isEqualTo(data.length);

    assertThat(sha256(target)).isEqualTo(sha256(data));
    assertThat(store.seen()).filteredOn(s -> s.method().equals("GET")).extracting(TestHttpStore.Seen::range)
        .containsExactly(null, "bytes=" + data.length / 2 + "-");
    assertThat(tempFiles(tmp)).isEmpty();
  }

  @Test
  void aDownloadThatFailsForGoodLeavesNoFileAndKeepsTheOldOne() throws IOException {
    store.put("/bad.bin", bytes(MIB, 12));
    store.dropMidBody("/bad.bin", 100);

    Path fresh = tmp.resolve("fresh/bad.bin");
    assertThatThrownBy(() -> transfers.download(store.url("/bad.bin"), fresh))
        .isInstanceOfSatisfying(TransferException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE);
          assertThat(e.getMessage()).startsWith(store.url("/bad.bin") + ": ");
        });
    assertThat(fresh).doesNotExist();
    assertThat(store.seen()).filteredOn(s -> s.method().equals("GET")).hasSize(3);

    Path old = Files.writeString(tmp.resolve("old.bin"), "previous");
    assertThatThrownBy(() -> transfers.download(store.url("/bad.bin"), old)).isInstanceOf(TransferException.class);
    assertThat(Files.readString(old)).isEqualTo("previous");
    assertThat(tempFiles(tmp)).isEmpty();
  }

  @Test
  void aSizeOtherThanAnnouncedIsCorrupt() throws IOException {
    store.put("/short.bin", bytes(1000, 1));
    store.announceSize("/short.bin", 1500);

    assertThatThrownBy(() -> transfers.download(store.url("/short.bin"), tmp.resolve("s")))
        .isInstanceOfSatisfying(TransferException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.CORRUPT);
          assertThat(e.getMessage()).contains("received 1000 bytes but its size is 1500");
        });
    assertThat(tmp.resolve("s")).doesNotExist();
    assertThat(tempFiles(tmp)).isEmpty();
  }

  @Test
  void announcedDigestsAreChecked() throws IOException {
    byte[] data = bytes(5000, 2);
    store.put("/d.bin", data);
    store.sendDigests(true);
    assertThat(transfers.download(store.url("/d.bin"), tmp.resolve("ok"))).isEqualTo(5000);

    store.announceDigest("/d.bin", TestHttpStore.sha256(new byte[] {1}));
    assertThatThrownBy(() -> transfers.download(store.url("/d.bin"), tmp.resolve("bad")))
        .isInstanceOfSatisfying(TransferException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.CORRUPT);
          assertThat(e.getMessage()).contains("do not match the checksum (SHA-256 from Repr-Digest)");
        });
    assertThat(tmp.resolve("bad")).doesNotExist();
  }

  @Test
  void whenHeadIsRefusedTheSizeComesFromARangedGet() throws IOException {
    store.put("/h.bin", bytes(777, 3));
    store.put("/empty.bin", new byte[0]);
    store.refuseHead(true);

    assertThat(transfers.stat(store.url("/h.bin"))).map(ObjectInfo::size).contains(777L);
    assertThat(transfers.stat(store.url("/empty.bin"))).map(ObjectInfo::size).contains(0L);
    assertThat(transfers.stat(store.url("/none.bin"))).isEmpty();
    assertThat(transfers.download(store.url("/h.bin"), tmp.resolve("h"))).isEqualTo(777);
    assertThat(store.seen()).filteredOn(s -> "bytes=0-0".equals(s.range())).isNotEmpty();
  }

  @Test
  void statReadsSizeEtagAndDate() {
    store.put("/s.bin", bytes(10, 1));
    ObjectInfo info = transfers.stat(store.url("/s.bin")).orElseThrow();
    assertThat(info.size()).isEqualTo(10);
    assertThat(info.etag()).isNotBlank().doesNotContain("\"");
    assertThat(info.lastModified()).isEqualTo(java.time.Instant.parse("1994-11-06T08:49:37Z"));
  }

  @Test
  void openReadFromAnOffsetUsesRangesOrSkips() throws IOException {
    byte[] data = bytes(1000, 4);
    store.put("/r.bin", data);
    StorageUrl url = StorageUrl.parse(store.url("/r.bin"));
    try (InputStream in = transfers.storage(url).openRead(url, 400)) {
      assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(data, 400, 1000));
    }
    try (InputStream in = transfers.storage(url).openRead(url, 1000)) {
      assertThat(in.readAllBytes()).isEmpty();
    }
    store.ignoreRange(true);
    try (InputStream in = transfers.storage(url).openRead(url, 400)) {
      assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(data, 400, 1000));
    }
  }

  @Test
  void aStalledBodyTimesOut() {
    store.put("/slow.bin", bytes(64 * 1024, 5));
    store.stall("/slow.bin");
    try (Transfers impatient = Transfers.create(TestData.quick().readTimeout(Duration.ofMillis(300)).build())) {
      assertThatThrownBy(() -> impatient.download(store.url("/slow.bin"), tmp.resolve("slow")))
          .isInstanceOfSatisfying(TransferException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE);
            assertThat(e.getMessage()).contains("timed out");
          });
    }
    assertThat(tmp.resolve("slow")).doesNotExist();
  }

  @Test
  void aStalledUploadTimesOut() throws IOException {
    Path file = Files.write(tmp.resolve("up.bin"), bytes(MIB, 6));
    store.stallPut("/stuck.bin");
    try (Transfers impatient = Transfers.create(TestData.quick().readTimeout(Duration.ofMillis(300)).build())) {
      assertThatThrownBy(() -> impatient.upload(file, store.url("/stuck.bin")))
          .isInstanceOfSatisfying(TransferException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE);
            assertThat(e.getMessage()).contains("timed out: nothing moved for 300 ms");
          });
    }
    assertThat(store.seen()).filteredOn(s -> s.method().equals("PUT")).hasSize(3);
  }

  @Test
  void anUploadWhoseBodyTheServerStopsReadingTimesOut() throws IOException {
    // More than the sockets' buffers hold: the write itself blocks, which only the watchdog sees.
    Path file = Files.write(tmp.resolve("big-up.bin"), bytes(16 * MIB, 13));
    store.stallPut("/stuck.bin");
    try (Transfers impatient = Transfers.create(
        TestData.quick().readTimeout(Duration.ofMillis(300)).retries(1, Duration.ofMillis(1), Duration.ofMillis(1)).build())) {
      assertThatThrownBy(() -> impatient.upload(file, store.url("/stuck.bin")))
          .isInstanceOfSatisfying(TransferException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE);
            assertThat(e.getMessage()).contains("timed out: nothing moved for 300 ms after");
          });
    }
    assertThat(store.get("/stuck.bin")).isNull();
  }

  @Test
  void aFileUploadFollows307And308ButNotOtherRedirects() throws IOException {
    byte[] data = bytes(3 * MIB, 9);
    Path file = Files.write(tmp.resolve("f.bin"), data);
    store.redirect("/moved.bin", store.url("/final.bin"), 307);
    store.redirect("/moved-for-good.bin", store.url("/final2.bin"), 308);
    store.redirect("/found.bin", store.url("/final3.bin"), 302);
    TestData.Recorder recorder = new TestData.Recorder();

    assertThat(transfers.upload(file, store.url("/moved.bin"), recorder)).isEqualTo(data.length);
    assertThat(transfers.upload(file, store.url("/moved-for-good.bin"))).isEqualTo(data.length);
    assertThatThrownBy(() -> transfers.upload(file, store.url("/found.bin")))
        .isInstanceOfSatisfying(TransferException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.FAILED);
          assertThat(e.getMessage()).contains("PUT was redirected (302)").contains("use the final URL");
        });

    assertThat(store.get("/final.bin")).isEqualTo(data);
    assertThat(store.get("/final2.bin")).isEqualTo(data);
    assertThat(store.get("/final3.bin")).isNull();
    assertThat(recorder.lastProgress().done()).isEqualTo(data.length); // the second sending adds nothing
    assertThat(recorder.progress).extracting(TestData.Recorder.Progress::done).isSorted();
  }

  @Test
  void aStreamIsNotSentAgainForARedirect() {
    store.put("/src.bin", bytes(1000, 1));
    store.redirect("/moved.bin", store.url("/final.bin"), 307);

    assertThatThrownBy(() -> transfers.copy(store.url("/src.bin"), store.url("/moved.bin")))
        .isInstanceOfSatisfying(TransferException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.FAILED);
          assertThat(e.getMessage()).contains("PUT was redirected (307)");
        });
    assertThat(store.get("/final.bin")).isNull();
  }

  @Test
  void aStreamOfUnknownLengthIsSentChunkedAndAShortStreamIsCorrupt() {
    byte[] data = bytes(2 * MIB + 5, 10);
    StorageUrl url = StorageUrl.parse(store.url("/chunked.bin"));
    Storage storage = transfers.storage(url);

    assertThat(storage.write(url, new ByteArrayInputStream(data), -1, n -> {})).isEqualTo(data.length);
    assertThat(store.get("/chunked.bin")).isEqualTo(data);

    StorageUrl shortUrl = StorageUrl.parse(store.url("/short.bin"));
    assertThatThrownBy(() -> storage.write(shortUrl, new ByteArrayInputStream(data), data.length + 1L, n -> {}))
        .isInstanceOfSatisfying(TransferException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.CORRUPT);
          assertThat(e.getMessage()).contains("ended after " + data.length + " of the " + (data.length + 1) + " bytes");
        });
    StorageUrl longUrl = StorageUrl.parse(store.url("/long.bin"));
    assertThatThrownBy(() -> storage.write(longUrl, new ByteArrayInputStream(data), data.length - 1L, n -> {}))
        .isInstanceOfSatisfying(TransferException.class, e -> assertThat(e.reason()).isEqualTo(Reason.CORRUPT));
    assertThat(store.get("/short.bin")).isNull();
    assertThat(store.get("/long.bin")).isNull();
  }

  @Test
  void errorPagesAreReadSoThatTheConnectionIsReused() throws IOException {
    store.notFoundBody(5000);
    store.put("/there.txt", new byte[] {1});
    StorageUrl missing = StorageUrl.parse(store.url("/missing.txt"));
    Storage storage = transfers.storage(missing);

    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> storage.openRead(missing, 0))
          .isInstanceOfSatisfying(TransferException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND));
    }
    storage.delete(missing);
    assertThat(transfers.download(store.url("/there.txt"), tmp.resolve("t"))).isEqualTo(1);

    assertThat(store.seen()).hasSize(6).extracting(Seen::clientPort).containsOnly(store.seen().get(0).clientPort());
  }

  @Test
  void theJdksDefaultAuthenticatorIsNeverAsked() throws IOException {
    store.put("/private.txt", new byte[] {1});
    store.requireAuthorization("127.0.0.1", basic("alice", SECRET));
    Path file = writeSmall();
    AtomicInteger asked = new AtomicInteger();
    Authenticator before = Authenticator.getDefault();
    Authenticator.setDefault(new Authenticator() {
      @Override
      protected PasswordAuthentication getPasswordAuthentication() {
        asked.incrementAndGet();
        return new PasswordAuthentication("alice", SECRET.toCharArray());
      }
    });
    try {
      assertThatThrownBy(() -> transfers.download(store.url("/private.txt"), tmp.resolve("p")))
          .isInstanceOfSatisfying(TransferException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ACCESS_DENIED));
      assertThatThrownBy(() -> transfers.upload(file, store.url("/up.txt")))
          .isInstanceOfSatisfying(TransferException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ACCESS_DENIED));
    } finally {
      Authenticator.setDefault(before);
    }
    assertThat(asked).hasValue(0);
    assertThat(store.seen()).isNotEmpty().allSatisfy(s -> assertThat(s.authorization()).isNull());
  }

  @Test
  void aPlainHttpTransferSetsUpNoTls() throws Exception {
    store.put("/plain.bin", bytes(3 * MIB, 14));
    Path classes = tmp.resolve("classes.txt");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child = new ProcessBuilder(
            java.toString(),
            "-Xlog:class+load=info:file=" + classes,
            "-cp",
            System.getProperty("java.class.path"),
            PlainHttpCopy.class.getName(),
            store.url("/plain.bin"),
            tmp.resolve("plain.bin").toString(),
            store.url("/copy.bin"))
        .redirectErrorStream(true)
        .redirectOutput(tmp.resolve("child.out").toFile())
        .start();

    assertThat(child.waitFor(2, TimeUnit.MINUTES)).as("the child JVM ended").isTrue();
    assertThat(child.exitValue()).as(Files.readString(tmp.resolve("child.out"))).isZero();
    assertThat(store.get("/copy.bin")).isEqualTo(store.get("/plain.bin"));
    List<String> loaded = Files.readAllLines(classes);
    assertThat(loaded).anyMatch(line -> line.contains(" io.tes4j.transfer.internal.HttpStorage "));
    assertThat(loaded).anyMatch(line -> line.contains(" java.net.HttpURLConnection "));
    assertThat(loaded)
        .filteredOn(line -> line.contains(" sun.security.ssl.") || line.contains(" javax.net.ssl.")
            || line.contains(" java.net.http.") || line.contains(" jdk.internal.net.http."))
        .isEmpty();
  }

  @Test
  void aClosedPortIsUnreachable() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      port = socket.getLocalPort();
    }
    assertThatThrownBy(() -> transfers.download("http://127.0.0.1:" + port + "/x", tmp.resolve("x")))
        .isInstanceOfSatisfying(TransferException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE));
  }

  @Test
  void httpHasNoListingButDeletes() {
    assertThatThrownBy(() -> transfers.list(store.url("/dir/")))
        .isInstanceOfSatisfying(TransferException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED);
          assertThat(e.getMessage()).contains("HTTP has no directory listing");
        });
    store.put("/gone.txt", new byte[1]);
    transfers.delete(store.url("/gone.txt"));
    transfers.delete(store.url("/gone.txt"));
    assertThat(store.get("/gone.txt")).isNull();
  }

  @Test
  void progressOfAnUploadReachesTheTotal() throws IOException {
    Path file = Files.write(tmp.resolve("u.bin"), bytes(5 * MIB, 8));
    TestData.Recorder recorder = new TestData.Recorder();

    transfers.upload(file, store.url("/u.bin"), recorder);

    assertThat(recorder.lastProgress().done()).isEqualTo(5L * MIB);
    assertThat(recorder.lastProgress().total()).isEqualTo(5L * MIB);
    assertThat(recorder.progress).extracting(TestData.Recorder.Progress::done).isSorted();
  }

  /** A listener that runs {@code action} when a retry is scheduled, between two attempts. */
  private static TransferListener onRetry(Runnable action) {
    return new TransferListener() {
      @Override
      public void retrying(StorageUrl source, int attempt, Throwable failure) {
        action.run();
      }
    };
  }
}
