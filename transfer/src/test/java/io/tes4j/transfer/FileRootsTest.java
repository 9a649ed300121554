package io.tes4j.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.transfer.TransferException.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileRootsTest {
  @TempDir Path tmp;
  Path root;
  Path outside;
  Transfers transfers;

  @BeforeEach
  void setUp() throws IOException {
    root = Files.createDirectories(tmp.resolve("root"));
    outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(root.resolve("ok.txt"), "ok");
    Files.writeString(outside.resolve("secret.txt"), "secret");
    transfers = Transfers.create(TestData.quick().fileRoots(List.of(root)).build());
  }

  @AfterEach
  void tearDown() {
    transfers.close();
  }

  private void assertRefused(Runnable action, String location) {
    assertThatThrownBy(action::run)
        .isInstanceOfSatisfying(TransferException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.NOT_ALLOWED);
          assertThat(e.getMessage()).contains(location).contains("allowed file roots").contains(root.toString());
        });
  }

  @Test
  void filesInsideARootAreAllowed() throws IOException {
    assertThat(transfers.download("file://" + root.resolve("ok.txt"), tmp.resolve("got.txt"))).isEqualTo(2);
    transfers.upload(tmp.resolve("got.txt"), root.resolve("new/dir/up.txt").toString());
    assertThat(root.resolve("new/dir/up.txt")).hasContent("ok");
  }

  @Test
  void filesOutsideAreRefused() {
    assertRefused(() -> transfers.download("/etc/passwd", tmp.resolve("p")), "/etc/passwd");
    assertRefused(() -> transfers.download("file:///etc/passwd", tmp.resolve("p")), "file:///etc/passwd");
    assertRefused(() -> transfers.stat(outside.resolve("secret.txt").toString()), "secret.txt");
    assertRefused(() -> transfers.list(outside.toString()), outside.toString());
    assertRefused(() -> transfers.delete(outside.resolve("secret.txt").toString()), "secret.txt");
    assertRefused(() -> transfers.copy(root.resolve("ok.txt").toString(), outside.resolve("x").toString()), "outside");
    assertThat(tmp.resolve("p")).doesNotExist();
    assertThat(outside.resolve("secret.txt")).exists();
  }

  @Test
  void dotDotCannotClimbOut() {
    String sneaky = root + "/../outside/secret.txt";
    assertRefused(() -> transfers.download(sneaky, tmp.resolve("s")), "secret.txt");
  }

  @Test
  void aLinkInsideARootCannotLeadOut() throws IOException {
    Files.createSymbolicLink(root.resolve("escape"), outside);
    Files.createSymbolicLink(root.resolve("secret-link.txt"), outside.resolve("secret.txt"));
    Files.createSymbolicLink(root.resolve("dangling"), outside.resolve("not-yet"));

    assertRefused(() -> transfers.download(root.resolve("escape/secret.txt").toString(), tmp.resolve("a")), "escape");
    assertRefused(() -> transfers.download(root.resolve("secret-link.txt").toString(), tmp.resolve("b")), "secret-link");
    assertRefused(() -> transfers.upload(root.resolve("ok.txt"), root.resolve("escape/new.txt").toString()), "escape");
    assertThatThrownBy(() -> transfers.upload(root.resolve("ok.txt"), root.resolve("dangling").toString()))
        .isInstanceOfSatisfying(TransferException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_ALLOWED));
    assertThat(outside.resolve("new.txt")).doesNotExist();
    assertThat(outside.resolve("not-yet")).doesNotExist();
  }

  @Test
  void aDirectoryDownloadRefusesALinkedFileThatLeadsOut() throws IOException {
    Files.createDirectories(root.resolve("tree"));
    Files.writeString(root.resolve("tree/fine.txt"), "fine");
    Files.createSymbolicLink(root.resolve("tree/leak.txt"), outside.resolve("secret.txt"));

    assertThatThrownBy(() -> transfers.downloadDirectory(root.resolve("tree").toString(), tmp.resolve("t"), TransferListener.NONE))
        .isInstanceOfSatisfying(TransferException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.NOT_ALLOWED);
          assertThat(e.getMessage()).contains("leak.txt");
        });
    assertThat(tmp.resolve("t/leak.txt")).doesNotExist();
  }

  @Test
  void withoutRootsEverythingLocalIsAllowed() {
    try (Transfers open = Transfers.create(TestData.quick().build())) {
      assertThat(open.stat(outside.resolve("secret.txt").toString())).isPresent();
    }
  }
}
