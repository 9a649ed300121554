package io.tes4j.transfer;

import static io.tes4j.transfer.TestData.MIB;
import static io.tes4j.transfer.TestData.bytes;
import static io.tes4j.transfer.TestData.sha256;
import static io.tes4j.transfer.TestData.tempFiles;
import static io.tes4j.transfer.TestData.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.transfer.TransferException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileTransfersTest {
  @TempDir Path tmp;
  Transfers transfers;

  @BeforeEach
  void open() {
    transfers = Transfers.create(TestData.quick().build());
  }

  @AfterEach
  void close() {
    transfers.close();
  }

  private Path write(String relative, byte[] data) throws IOException {
    Path file = tmp.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.write(file, data);
    return file;
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 17 * MIB})
  void downloadsAndUploadsFilesOfAnySize(int size) throws IOException {
    byte[] data = bytes(size, size);
    Path source = write("src/data.bin", data);
    Path target = tmp.resolve("dst/sub/data.bin");

    assertThat(transfers.download(source.toString(), target)).isEqualTo(size);
    assertThat(sha256(target)).isEqualTo(sha256(data));

    Path uploaded = tmp.resolve("up/data.bin");
    assertThat(transfers.upload(target, "file://" + uploaded)).isEqualTo(size);
    assertThat(sha256(uploaded)).isEqualTo(sha256(data));
    assertThat(tempFiles(tmp)).isEmpty();
  }

  @Test
  void namesWithSpacesAndNonAsciiLettersWorkWrittenPlainOrEncoded() throws IOException {
    Path source = write("dir with space/ä ö.txt", "grüße".getBytes(StandardCharsets.UTF_8));
    String plain = "file://" + source;
    String encoded = source.toUri().toString(); // file:///.../dir%20with%20space/%C3%A4%20%C3%B6.txt

    transfers.download(plain, tmp.resolve("out/plain ä.txt"));
    transfers.download(encoded, tmp.resolve("out/encoded.txt"));

    assertThat(Files.readString(tmp.resolve("out/plain ä.txt"))).isEqualTo("grüße");
    assertThat(Files.readString(tmp.resolve("out/encoded.txt"))).isEqualTo("grüße");
    assertThat(transfers.stat(encoded)).map(ObjectInfo::size).contains(7L);
  }

  @Test
  void aPercentSignThatStartsNoEscapeIsPartOfTheName() throws IOException {
    Path source = write("100% done.txt", "all".getBytes(StandardCharsets.UTF_8));

    transfers.download("file://" + source, tmp.resolve("got.txt"));

    assertThat(tmp.resolve("got.txt")).hasContent("all");
    assertThat(StorageUrl.parse("s3://b/100%.txt").path()).isEqualTo("/100%.txt");
    assertThat(StorageUrl.parse("s3://b/a%20b%.txt").path()).isEqualTo("/a%20b%.txt");
  }

  @Test
  void aDownloadReplacesAnExistingFileAndCreatesParents() throws IOException {
    Path source = write("src/new.txt", "new".getBytes(StandardCharsets.UTF_8));
    Path target = write("deep/er/old.txt", "old content".getBytes(StandardCharsets.UTF_8));

    transfers.download(source.toString(), target);

    assertThat(Files.readString(target)).isEqualTo("new");
    assertThat(tree(tmp.resolve("deep"))).containsExactly("er/", "er/old.txt");
  }

  @Test
  void aMissingSourceIsNotFoundAndLeavesNothing() {
    Path target = tmp.resolve("out/x.txt");
    assertThatThrownBy(() -> transfers.download(tmp.resolve("missing.txt").toString(), target))
        .isInstanceOfSatisfying(TransferException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND);
          assertThat(e.getMessage()).contains("missing.txt").contains("not found");
        });
    assertThat(target).doesNotExist();
  }

  @Test
  void aDirectoryIsNotDownloadedAsAFile() throws IOException {
    write("tree/a.txt", new byte[1]);
    assertThatThrownBy(() -> transfers.download(tmp.resolve("tree").toString(), tmp.resolve("x")))
        .isInstanceOfSatisfying(TransferException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.FAILED);
          assertThat(e.getMessage()).contains("is a directory").contains("DIRECTORY");
        });
  }

  @Test
  void directoriesMoveRecursivelyKeepingRelativePaths() throws IOException {
    write("tree/a.txt", bytes(10, 1));
    write("tree/sub/b.txt", bytes(20, 2));
    write("tree/sub/deeper/c d.txt", bytes(30, 3));
    write("tree/sub/deeper/ü.bin", bytes(0, 4));
    List<String> expected = tree(tmp.resolve("tree"));

    TransferSummary down = transfers.downloadDirectory(
        "file://" + tmp.resolve("tree"), tmp.resolve("copy"), TransferListener.NONE);
    TransferSummary up = transfers.uploadDirectory(
        tmp.resolve("copy"), tmp.resolve("uploaded") + "/", TransferListener.NONE);
    TransferSummary copied = transfers.copyDirectory(
        tmp.resolve("uploaded").toString(), "file://" + tmp.resolve("copied"), TransferListener.NONE);

    assertThat(down).isEqualTo(new TransferSummary(4, 60));
    assertThat(up).isEqualTo(new TransferSummary(4, 60));
    assertThat(copied).isEqualTo(new TransferSummary(4, 60));
    for (String dir : List.of("copy", "uploaded", "copied")) {
      assertThat(tree(tmp.resolve(dir))).as(dir).isEqualTo(expected);
      assertThat(Files.readAllBytes(tmp.resolve(dir).resolve("sub/deeper/c d.txt"))).isEqualTo(bytes(30, 3));
    }
  }

  @Test
  void manyFilesMoveInParallelAndAllArrive() throws IOException {
    for (int i = 0; i < 40; i++) {
      write("many/f" + i + ".txt", bytes(1000 + i, i));
    }
    try (Transfers parallel = Transfers.create(TestData.quick().parallelism(8).build())) {
      TransferSummary summary =
          parallel.downloadDirectory(tmp.resolve("many").toString(), tmp.resolve("got"), TransferListener.NONE);
      assertThat(summary.files()).isEqualTo(40);
    }
    for (int i = 0; i < 40; i++) {
      assertThat(Files.readAllBytes(tmp.resolve("got/f" + i + ".txt"))).isEqualTo(bytes(1000 + i, i));
    }
  }

  @Test
  void anEmptyDirectoryDownloadsAsAnEmptyDirectoryButAMissingOneIsNotFound() throws IOException {
    Files.createDirectories(tmp.resolve("empty"));

    assertThat(transfers.downloadDirectory(tmp.resolve("empty").toString(), tmp.resolve("e2"), TransferListener.NONE))
        .isEqualTo(new TransferSummary(0, 0));
    assertThat(tmp.resolve("e2")).isEmptyDirectory();
    assertThatThrownBy(() -> transfers.downloadDirectory(
            tmp.resolve("nothing").toString(), tmp.resolve("e3"), TransferListener.NONE))
        .isInstanceOfSatisfying(TransferException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND));
    Path file = write("plain.txt", new byte[3]);
    assertThatThrownBy(() -> transfers.downloadDirectory(file.toString(), tmp.resolve("e4"), TransferListener.NONE))
        .isInstanceOfSatisfying(TransferException.class, e -> assertThat(e.getMessage()).contains("is a file"));
  }

  @Test
  void uploadDirectoryFollowsLinksToFilesButNotToDirectories() throws IOException {
    write("outside/secret.txt", "s".getBytes(StandardCharsets.UTF_8));
    write("out/real.txt", "r".getBytes(StandardCharsets.UTF_8));
    Files.createSymbolicLink(tmp.resolve("out/link.txt"), tmp.resolve("out/real.txt"));
    Files.createSymbolicLink(tmp.resolve("out/dirlink"), tmp.resolve("outside"));

    TransferSummary summary =
        transfers.uploadDirectory(tmp.resolve("out"), tmp.resolve("dest").toString(), TransferListener.NONE);

    assertThat(summary.files()).isEqualTo(2);
    assertThat(tree(tmp.resolve("dest"))).containsExactly("link.txt", "real.txt");
  }

  @Test
  void listStatDeleteAndCopy() throws IOException {
    write("l/b.txt", new byte[2]);
    write("l/a/z.txt", new byte[1]);
    write("l/a/y.txt", new byte[3]);

    List<ObjectInfo> listed = transfers.list(tmp.resolve("l").toString());
    assertThat(listed).extracting(o -> o.url().path().substring(tmp.toString().length()))
        .containsExactly("/l/a/y.txt", "/l/a/z.txt", "/l/b.txt");
    assertThat(listed).extracting(ObjectInfo::size).containsExactly(3L, 1L, 2L);
    assertThat(transfers.stat(tmp.resolve("l").toString())).hasValueSatisfying(i -> assertThat(i.directory()).isTrue());
    assertThat(transfers.stat(tmp.resolve("l/nope").toString())).isEmpty();
    assertThat(transfers.stat(tmp.resolve("l/b.txt/under-a-file").toString())).isEmpty();

    TestData.Recorder recorder = new TestData.Recorder();
    assertThat(transfers.copy(tmp.resolve("l/a/y.txt").toString(), "file://" + tmp.resolve("c/y.txt"), recorder))
        .isEqualTo(3);
    assertThat(recorder.lastProgress().done()).isEqualTo(3);
    assertThat(recorder.completed).hasSize(1);

    transfers.delete(tmp.resolve("l/b.txt").toString());
    transfers.delete(tmp.resolve("l/b.txt").toString()); // nothing there: fine
    assertThat(tmp.resolve("l/b.txt")).doesNotExist();
    assertThatThrownBy(() -> transfers.delete(tmp.resolve("l/a").toString()))
        .isInstanceOfSatisfying(TransferException.class, e -> assertThat(e.getMessage()).contains("not empty"));
  }

  @Test
  void openReadStartsAtTheOffset() throws IOException {
    Path file = write("r.bin", bytes(100, 9));
    StorageUrl url = StorageUrl.parse(file.toString());
    try (InputStream in = transfers.storage(url).openRead(url, 60)) {
      assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(bytes(100, 9), 60, 100));
    }
  }

  @Test
  void progressReachesTheTotal() throws IOException {
    Path source = write("p.bin", bytes(20 * MIB, 5));
    TestData.Recorder recorder = new TestData.Recorder();

    transfers.download(source.toString(), tmp.resolve("p2.bin"), recorder);

    assertThat(recorder.progress.size()).isGreaterThan(1);
    assertThat(recorder.lastProgress().done()).isEqualTo(20L * MIB);
    assertThat(recorder.lastProgress().total()).isEqualTo(20L * MIB);
    assertThat(recorder.completed).singleElement().satisfies(c -> assertThat(c.bytes()).isEqualTo(20L * MIB));
  }
}
