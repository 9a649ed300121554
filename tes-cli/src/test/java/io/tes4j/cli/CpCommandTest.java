package io.tes4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.transfer.ObjectInfo;
import io.tes4j.transfer.TransferSettings;
import io.tes4j.transfer.Transfers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tes4j cp}, in-process, against a real HTTP store and a real S3 server on 127.0.0.1. */
class CpCommandTest {
  private static final AtomicInteger BUCKETS = new AtomicInteger();
  private static final long MIB = 1024 * 1024;

  private static HttpStore http;
  private static S3Server s3;
  private static FtpStore ftp;

  @TempDir static Path ftpHome;
  @TempDir Path dir;

  @BeforeAll
  static void startServers() throws Exception {
    http = new HttpStore();
    s3 = new S3Server();
    ftp = new FtpStore(ftpHome);
  }

  @AfterAll
  static void stopServers() throws Exception {
    if (http != null) {
      http.close();
    }
    if (s3 != null) {
      s3.stop();
    }
    if (ftp != null) {
      ftp.stop();
    }
  }

  private static byte[] random(int size, long seed) {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    return data;
  }

  private Path file(String relative, byte[] data) throws IOException {
    Path file = dir.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.write(file, data);
    return file;
  }

  private static String bucket() {
    String bucket = "cli-" + BUCKETS.incrementAndGet();
    s3.createBucket(bucket);
    return bucket;
  }

  private static void assertOk(CliResult r) {
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).as(r.toString()).isEmpty();
    assertThat(r.err()).as(r.toString()).isEmpty();
  }

  /** The keys under {@code prefix} of the test S3 server, read with the library, not the CLI. */
  private static List<String> s3Keys(String prefix) {
    try (Transfers transfers = Transfers.create(TransferSettings.fromEnvironment(s3.env(true)))) {
      return transfers.list(prefix).stream().map(o -> o.url().key()).sorted().toList();
    }
  }

  private static byte[] s3Bytes(String url, Path scratch) throws IOException {
    try (Transfers transfers = Transfers.create(TransferSettings.fromEnvironment(s3.env(true)))) {
      transfers.download(url, scratch);
    }
    return Files.readAllBytes(scratch);
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  void uploadsDownloadsAndCopiesRemoteToRemoteOverHttp() throws IOException {
    byte[] data = random(300_000, 1);
    Path source = file("data.bin", data);

    assertOk(CliResult.run(Map.of(), "cp", source.toString(), http.url("/up/data.bin")));
    assertThat(http.get("/up/data.bin")).isEqualTo(data);

    Path back = dir.resolve("back.bin");
    assertOk(CliResult.run(Map.of(), "cp", http.url("/up/data.bin"), back.toString()));
    assertThat(back).hasBinaryContent(data);

    assertOk(CliResult.run(Map.of(), "cp", http.url("/up/data.bin"), http.url("/copied/data.bin")));
    assertThat(http.get("/copied/data.bin")).isEqualTo(data);
  }

  @Test
  void uploadsDownloadsAndStreamsOverFtp() throws IOException {
    String bucket = bucket();
    byte[] data = random(700_000, 20);
    Path source = file("ftp/data.bin", data);
    String pw = FtpStore.PASSWORD;

    assertOk(CliResult.run(s3.env(true), "cp", source.toString(), ftp.url(pw, "/in/nested/data.bin")));
    assertThat(ftpHome.resolve("in/nested/data.bin")).hasBinaryContent(data);

    Path back = dir.resolve("ftp-back.bin");
    assertOk(CliResult.run(s3.env(true), "cp", ftp.url(pw, "/in/nested/data.bin"), back.toString()));
    assertThat(back).hasBinaryContent(data);

    // FTP to S3 and S3 to FTP, streamed; an existing FTP directory receives the file by name.
    assertOk(CliResult.run(s3.env(true), "cp", ftp.url(pw, "/in/nested/data.bin"), "s3://" + bucket + "/from-ftp.bin"));
    assertThat(s3Bytes("s3://" + bucket + "/from-ftp.bin", dir.resolve("check.bin"))).isEqualTo(data);
    assertOk(CliResult.run(s3.env(true), "cp", "s3://" + bucket + "/from-ftp.bin", ftp.url(pw, "/in")));
    assertThat(ftpHome.resolve("in/from-ftp.bin")).hasBinaryContent(data);

    // Whole directories, both ways.
    file("ftptree/a.txt", random(10, 21));
    file("ftptree/sub/b.txt", random(20, 22));
    assertOk(CliResult.run(Map.of(), "cp", "-r", dir.resolve("ftptree").toString(), ftp.url(pw, "/trees/t1")));
    assertThat(ftpHome.resolve("trees/t1/sub/b.txt")).hasBinaryContent(Files.readAllBytes(dir.resolve("ftptree/sub/b.txt")));
    Path down = dir.resolve("ftpdown");
    assertOk(CliResult.run(Map.of(), "cp", "-r", ftp.url(pw, "/trees/t1"), down.toString()));
    assertSameTree(dir.resolve("ftptree"), down);
  }

  @Test
  void aWrongFtpPasswordFailsWithOneLineWithoutIt() {
    CliResult r =
        CliResult.run(Map.of(), "cp", "--retries", "0", ftp.url("Wr0ng-Ftp-Pw", "/in/x.bin"), dir.resolve("x").toString());
    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(r.errLines()).singleElement().asString()
        .startsWith("tes4j: cp: ftp://" + FtpStore.USER + ":")
        .doesNotContain("Wr0ng-Ftp-Pw");
    assertThat(dir.resolve("x")).doesNotExist();
  }

  @Test
  void passwordsComeFromTheNetrcFileToo() throws IOException {
    byte[] data = random(3_000, 23);
    Files.createDirectories(ftpHome.resolve("netrc"));
    Files.write(ftpHome.resolve("netrc/n.bin"), data);
    Path netrc = dir.resolve("netrc");
    Files.writeString(netrc, "machine 127.0.0.1 login " + FtpStore.USER + " password " + FtpStore.PASSWORD + "\n");

    Path target = dir.resolve("n.bin");
    assertOk(CliResult.run(Map.of("NETRC", netrc.toString()), "cp", ftp.urlWithoutPassword("/netrc/n.bin"), target.toString()));
    assertThat(target).hasBinaryContent(data);

    Path missing = dir.resolve("no-netrc");
    CliResult r = CliResult.run(Map.of("NETRC", missing.toString()), "cp", ftp.urlWithoutPassword("/netrc/n.bin"), target.toString());
    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(r.errLines()).singleElement().asString()
        .startsWith("tes4j: cp: " + missing + ": cannot read the netrc file");
  }

  @Test
  void relativeLocalPathsAndFileUrlsWork() throws IOException {
    byte[] data = random(10_000, 2);
    Path source = file("rel/in.bin", data);
    String relative = Path.of("").toAbsolutePath().relativize(source).toString();
    assertThat(Path.of(relative).isAbsolute()).isFalse();

    assertOk(CliResult.run(Map.of(), "cp", relative, http.url("/rel/in.bin")));
    assertThat(http.get("/rel/in.bin")).isEqualTo(data);

    Path copy = dir.resolve("rel/copy.bin");
    assertOk(CliResult.run(Map.of(), "cp", source.toUri().toString(), copy.toUri().toString()));
    assertThat(copy).hasBinaryContent(data);
  }

  @Test
  void aDestinationThatIsADirectoryReceivesTheSourcesName() throws IOException {
    byte[] data = random(5_000, 3);
    http.put("/named/report.txt", data);
    Path existing = Files.createDirectories(dir.resolve("existing"));

    assertOk(CliResult.run(Map.of(), "cp", http.url("/named/report.txt"), existing.toString()));
    assertThat(existing.resolve("report.txt")).hasBinaryContent(data);

    assertOk(CliResult.run(Map.of(), "cp", http.url("/named/report.txt"), dir.resolve("fresh") + "/"));
    assertThat(dir.resolve("fresh/report.txt")).hasBinaryContent(data);

    assertOk(CliResult.run(Map.of(), "cp", existing.resolve("report.txt").toString(), http.url("/into/")));
    assertThat(http.get("/into/report.txt")).isEqualTo(data);

    Path other = file("local/other name.txt", data);
    assertOk(CliResult.run(Map.of(), "cp", other.toString(), existing.toString()));
    assertThat(existing.resolve("other name.txt")).hasBinaryContent(data);
  }

  @Test
  void s3UploadAndDownloadWithTheEndpointFromTheEnvironmentOrTheOption() throws IOException {
    String bucket = bucket();
    byte[] data = random((int) (12 * MIB + 123), 4); // three 5 MiB parts: multipart, ranged download
    Path source = file("big.bin", data);

    assertOk(
        CliResult.run(s3.env(true), "cp", "--part-size", "5MiB", source.toString(), "s3://" + bucket + "/in/big.bin"));
    assertThat(s3Bytes("s3://" + bucket + "/in/big.bin", dir.resolve("check.bin"))).isEqualTo(data);

    Path down = dir.resolve("down.bin");
    assertOk(
        CliResult.run(
            s3.env(false),
            "cp", "--s3-endpoint", s3.endpoint(), "--part-size", "5MiB", "--parallelism", "3",
            "s3://" + bucket + "/in/big.bin", down.toString()));
    assertThat(down).hasBinaryContent(data);

    // A bucket is a directory: the file goes into it under its own name.
    assertOk(CliResult.run(s3.env(true), "cp", source.toString(), "s3://" + bucket));
    assertThat(s3Keys("s3://" + bucket + "/")).contains("big.bin");

    // S3 to HTTP and back, streamed.
    assertOk(CliResult.run(s3.env(true), "cp", "s3://" + bucket + "/big.bin", http.url("/from-s3/big.bin")));
    assertThat(http.get("/from-s3/big.bin")).isEqualTo(data);
    assertOk(CliResult.run(s3.env(true), "cp", http.url("/from-s3/big.bin"), "s3://" + bucket + "/from-http.bin"));
    assertThat(s3Bytes("s3://" + bucket + "/from-http.bin", dir.resolve("check2.bin"))).isEqualTo(data);
  }

  @Test
  void recursiveCopiesNestedDirectories() throws IOException {
    String bucket = bucket();
    byte[] a = random(100, 5);
    byte[] b = random(2_000, 6);
    byte[] c = random(70_000, 7);
    file("tree/a.txt", a);
    file("tree/sub/b.txt", b);
    file("tree/sub/deeper/c.bin", c);
    Path tree = dir.resolve("tree");
    Map<String, String> env = s3.env(true);

    assertOk(CliResult.run(env, "cp", "--recursive", tree.toString(), "s3://" + bucket + "/up"));
    assertThat(s3Keys("s3://" + bucket + "/up/"))
        .containsExactly("up/a.txt", "up/sub/b.txt", "up/sub/deeper/c.bin");

    Path down = dir.resolve("down");
    assertOk(CliResult.run(env, "cp", "-r", "s3://" + bucket + "/up", down.toString()));
    assertSameTree(tree, down);

    assertOk(CliResult.run(env, "cp", "-r", "s3://" + bucket + "/up/", "s3://" + bucket + "/copy"));
    assertThat(s3Keys("s3://" + bucket + "/copy/"))
        .containsExactly("copy/a.txt", "copy/sub/b.txt", "copy/sub/deeper/c.bin");

    // Into an existing directory (a bucket; a local directory): under the source's name.
    String other = bucket();
    assertOk(CliResult.run(env, "cp", "-r", tree.toString(), "s3://" + other));
    assertThat(s3Keys("s3://" + other + "/"))
        .containsExactly("tree/a.txt", "tree/sub/b.txt", "tree/sub/deeper/c.bin");
    Path existing = Files.createDirectories(dir.resolve("existing"));
    assertOk(CliResult.run(env, "cp", "-r", down.toString(), existing.toString()));
    assertSameTree(tree, existing.resolve("down"));

    // --recursive with a single file copies the file.
    assertOk(CliResult.run(env, "cp", "-r", "s3://" + bucket + "/up/a.txt", dir.resolve("single.txt").toString()));
    assertThat(dir.resolve("single.txt")).hasBinaryContent(a);
  }

  private static void assertSameTree(Path expected, Path actual) throws IOException {
    Map<String, byte[]> want = tree(expected);
    Map<String, byte[]> got = tree(actual);
    assertThat(got.keySet()).containsExactlyInAnyOrderElementsOf(want.keySet());
    want.forEach((name, bytes) -> assertThat(got.get(name)).as(name).isEqualTo(bytes));
  }

  private static Map<String, byte[]> tree(Path root) throws IOException {
    Map<String, byte[]> files = new HashMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        files.put(root.relativize(p).toString(), Files.readAllBytes(p));
      }
    }
    return files;
  }

  @Test
  void aDirectoryWithoutRecursiveFailsWithOneLine() throws IOException {
    String bucket = bucket();
    file("d/x.txt", random(10, 8));
    assertOk(CliResult.run(s3.env(true), "cp", dir.resolve("d/x.txt").toString(), "s3://" + bucket + "/prefix/x.txt"));

    CliResult local = CliResult.run(Map.of(), "cp", dir.resolve("d").toString(), http.url("/d"));
    assertThat(local.code()).as(local.toString()).isEqualTo(1);
    assertThat(local.errLines())
        .containsExactly("tes4j: cp: " + dir.resolve("d") + ": is a directory (copy it with --recursive)");

    CliResult remote = CliResult.run(s3.env(true), "cp", "s3://" + bucket + "/prefix", dir.resolve("p").toString());
    assertThat(remote.code()).as(remote.toString()).isEqualTo(1);
    assertThat(remote.errLines())
        .containsExactly("tes4j: cp: s3://" + bucket + "/prefix: is a directory (copy it with --recursive)");
  }

  @Test
  void aMissingSourceFailsWithOneLineNamingItAndLeavesNothing() throws IOException {
    Path target = dir.resolve("out/never.txt");

    CliResult r = CliResult.run(Map.of(), "cp", http.url("/missing.txt"), target.toString());
    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.errLines()).singleElement().asString()
        .startsWith("tes4j: cp: " + http.url("/missing.txt") + ": ")
        .contains("not found");

    String bucket = bucket();
    CliResult s = CliResult.run(s3.env(true), "cp", "s3://" + bucket + "/nothing.txt", target.toString());
    assertThat(s.code()).as(s.toString()).isEqualTo(1);
    assertThat(s.errLines()).singleElement().asString()
        .startsWith("tes4j: cp: s3://" + bucket + "/nothing.txt: ")
        .contains("not found");

    Path missing = dir.resolve("no-such-file.txt");
    CliResult l = CliResult.run(Map.of(), "cp", missing.toString(), http.url("/x.txt"));
    assertThat(l.code()).as(l.toString()).isEqualTo(1);
    assertThat(l.errLines()).containsExactly("tes4j: cp: " + missing + ": no such file or directory");

    assertThat(target).doesNotExist();
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).doesNotContain("out");
    }
  }

  @Test
  void aPasswordInAUrlIsUsedButNeverPrinted() throws IOException {
    byte[] data = random(1_000, 9);
    http.put("/private/x.txt", data);
    http.protect("/private/", "alice", "Right-Pw-81");

    Path target = dir.resolve("x.txt");
    assertOk(CliResult.run(Map.of(), "cp", http.url("alice", "Right-Pw-81", "/private/x.txt"), target.toString()));
    assertThat(target).hasBinaryContent(data);

    String wrong = http.url("alice", "Wr0ng-Pa55", "/private/x.txt");
    CliResult r = CliResult.run(Map.of(), "cp", wrong, dir.resolve("y.txt").toString());
    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(r.errLines()).singleElement().asString()
        .startsWith("tes4j: cp: http://alice:")
        .contains("access denied (401)")
        .doesNotContain("Wr0ng-Pa55");

    CliResult debug = CliResult.run(Map.of(), "cp", "--debug", wrong, dir.resolve("y.txt").toString());
    assertThat(debug.code()).isEqualTo(1);
    assertThat(debug.err()).contains("TransferException").doesNotContain("Wr0ng-Pa55");

    // An FTP URL: whether or not this build has an FTP storage, the password stays hidden.
    CliResult ftp =
        CliResult.run(Map.of(), "cp", "--retries", "0", "ftp://alice:Ftp-Pa55-x@127.0.0.1:1/x.txt", dir.resolve("z").toString());
    assertThat(ftp.code()).as(ftp.toString()).isEqualTo(1);
    assertThat(ftp.errLines()).singleElement().asString()
        .startsWith("tes4j: cp: ftp://alice:")
        .doesNotContain("Ftp-Pa55-x");

    // Nor is a password that parsing refuses.
    CliResult usage = CliResult.run(Map.of(), "cp", "--bogus", "ftp://bob:Unparsed-Pw@h/x", "y");
    assertThat(usage.code()).isEqualTo(2);
    assertThat(usage.err()).doesNotContain("Unparsed-Pw");
  }

  @Test
  void theProgressBarIsDrawnOnlyOnATerminal() throws IOException {
    byte[] data = random((int) (5 * MIB), 10);
    Path source = file("progress.bin", data);

    CliResult shown = CliResult.runOnTerminal(Map.of(), "cp", source.toString(), http.url("/progress/a.bin"));
    assertThat(shown.code()).as(shown.toString()).isZero();
    assertThat(shown.out()).isEmpty();
    assertThat(shown.err())
        .startsWith("\r")
        .contains("5.0 MiB / 5.0 MiB  100%")
        .contains("/s")
        .endsWith(System.lineSeparator());
    assertThat(http.get("/progress/a.bin")).isEqualTo(data);

    assertOk(CliResult.run(Map.of(), "cp", source.toString(), http.url("/progress/b.bin")));
    assertOk(CliResult.runOnTerminal(Map.of(), "cp", "--no-progress", source.toString(), http.url("/progress/c.bin")));

    file("ptree/one.txt", random(10, 11));
    file("ptree/sub/two.txt", random(20, 12));
    CliResult files = CliResult.runOnTerminal(Map.of(), "cp", "-r", dir.resolve("ptree").toString(), dir.resolve("pcopy").toString());
    assertThat(files.code()).as(files.toString()).isZero();
    assertThat(files.err()).contains("2 files  30 B");

    // A failure ends the bar's line first: the error is a line of its own.
    CliResult failed = CliResult.runOnTerminal(Map.of(), "cp", http.url("/progress/none.bin"), dir.resolve("n").toString());
    assertThat(failed.code()).isEqualTo(1);
    assertThat(failed.err()).startsWith("tes4j: cp: ");
  }

  @Test
  void badOptionsAreUsageErrors() {
    CliResult part = CliResult.run(Map.of(), "cp", "--part-size", "1MiB", "a", "b");
    assertThat(part.code()).as(part.toString()).isEqualTo(2);
    assertThat(part.errLines()).containsExactly("tes4j: invalid --part-size 1.0 MiB: must be between 5MiB and 5GiB (S3's limits)");

    CliResult size = CliResult.run(Map.of(), "cp", "--part-size", "lots", "a", "b");
    assertThat(size.code()).isEqualTo(2);
    assertThat(size.err()).contains("invalid size 'lots'");

    CliResult missing = CliResult.run(Map.of(), "cp", "a");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("DST");

    CliResult halfKeys = CliResult.run(Map.of("AWS_ACCESS_KEY_ID", "only-the-id"), "cp", "a", "s3://b/k");
    assertThat(halfKeys.code()).isEqualTo(2);
    assertThat(halfKeys.errLines()).singleElement().asString().contains("both an access key and a secret key");

    CliResult parallel = CliResult.run(Map.of(), "cp", "--parallelism", "0", "a", "b");
    assertThat(parallel.code()).isEqualTo(2);
    assertThat(parallel.errLines()).containsExactly("tes4j: invalid --parallelism 0: must be between 1 and 64");
  }

  @Test
  void theS3SecretKeyIsNeverPrinted() {
    Map<String, String> env = new HashMap<>(s3.env(true));
    env.put("AWS_SECRET_ACCESS_KEY", "Not-The-Right-Secret-77");
    CliResult r =
        CliResult.run(env, "cp", "--debug", "--retries", "0", "s3://" + bucket() + "/x", dir.resolve("y").toString());
    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).doesNotContain("Not-The-Right-Secret-77");
  }

  @Test
  void listingAnUploadedDirectoryShowsOnlyFiles() throws IOException {
    // The CLI never creates directory markers: object stores hold files only.
    String bucket = bucket();
    file("marker/a/b/c.txt", random(5, 13));
    assertOk(CliResult.run(s3.env(true), "cp", "-r", dir.resolve("marker").toString(), "s3://" + bucket + "/m/"));
    try (Transfers transfers = Transfers.create(TransferSettings.fromEnvironment(s3.env(true)))) {
      assertThat(transfers.list("s3://" + bucket + "/")).extracting(ObjectInfo::directory).containsOnly(false);
      assertThat(transfers.list("s3://" + bucket + "/")).extracting(o -> o.url().key()).containsExactly("m/marker/a/b/c.txt");
    }
  }
}
