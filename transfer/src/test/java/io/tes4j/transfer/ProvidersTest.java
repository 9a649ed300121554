package io.tes4j.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.transfer.TransferException.Reason;
import io.tes4j.transfer.spi.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProvidersTest {
  @TempDir Path tmp;

  @Test
  void builtInAndRegisteredStoragesAreFoundAndTheHighestPriorityWins() {
    try (Transfers transfers = Transfers.create(TestData.quick().build())) {
      assertThat(transfers.schemes()).contains("file", "http", "https", "mem");
      Storage mem = transfers.storage(StorageUrl.parse("mem://box/x"));
      assertThat(mem).isInstanceOf(MemoryStorage.class);
      assertThat(transfers.storage(StorageUrl.parse("mem://other/y"))).isSameAs(mem);
    }
  }

  @Test
  void anExplicitProviderComesFirstWhateverItsPriority() {
    MemoryStorageProvider mine = new MemoryStorageProvider();
    try (Transfers transfers = Transfers.builder().settings(TestData.quick().build()).provider(mine).build()) {
      transfers.storage(StorageUrl.parse("mem://box/x"));
      assertThat(mine.opens.get()).isEqualTo(1);
    }
  }

  @Test
  void storagesOpenLazilyOnceAndCloseWithTheTransfers() {
    MemoryStorageProvider mine = new MemoryStorageProvider();
    Transfers transfers =
        Transfers.builder().settings(TestData.quick().build()).discoverProviders(false).provider(mine).build();
    assertThat(transfers.schemes()).containsExactly("mem");
    assertThat(mine.opens.get()).isZero();

    transfers.stat("mem://box/a");
    transfers.stat("mem://box/b");
    assertThat(mine.opens.get()).isEqualTo(1);

    transfers.close();
    transfers.close();
    assertThat(mine.last.closes.get()).isEqualTo(1);
    assertThatThrownBy(() -> transfers.stat("mem://box/a")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void anUnknownSchemeSaysWhatExistsAndHowToAddOne() {
    try (Transfers transfers = Transfers.create(TestData.quick().build())) {
      assertThatThrownBy(() -> transfers.download("gs://bucket/x", tmp.resolve("x")))
          .isInstanceOfSatisfying(TransferException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.INVALID_URL);
            assertThat(e.getMessage())
                .contains("no storage handles the scheme 'gs'")
                .contains("(available: file, ftp, ftps, http, https, mem, s3)")
                .contains("META-INF/services/io.tes4j.transfer.spi.StorageProvider")
                .contains("Transfers.builder().provider(");
          });
    }
  }

  @Test
  void copiesWorkBetweenAnyTwoSchemes() throws IOException {
    MemoryStorageProvider mine = new MemoryStorageProvider();
    Path file = Files.writeString(tmp.resolve("a.txt"), "from disk");
    try (Transfers transfers = Transfers.builder().settings(TestData.quick().build()).provider(mine).build()) {
      transfers.copy(file.toString(), "mem://box/a.txt");
      transfers.copy("mem://box/a.txt", "mem://box/dir/b.txt");
      transfers.copy("mem://box/dir/b.txt", "file://" + tmp.resolve("b.txt"));
      TransferSummary summary = transfers.copyDirectory("mem://box/", tmp.resolve("all").toString(), TransferListener.NONE);

      assertThat(tmp.resolve("b.txt")).hasContent("from disk");
      assertThat(summary).isEqualTo(new TransferSummary(2, 18));
      assertThat(tmp.resolve("all/dir/b.txt")).hasContent("from disk");
    }
  }

  @Test
  void retryableFailuresAreRetriedAndReported() throws IOException {
    MemoryStorageProvider mine = new MemoryStorageProvider();
    try (Transfers transfers = Transfers.builder().settings(TestData.quick().build()).provider(mine).build()) {
      Storage storage = transfers.storage(StorageUrl.parse("mem://box/"));
      ((MemoryStorage) storage).objects.put("box/f.txt", "data".getBytes(StandardCharsets.UTF_8));
      ((MemoryStorage) storage).failingReads = 2;
      TestData.Recorder recorder = new TestData.Recorder();

      transfers.copy("mem://box/f.txt", tmp.resolve("f.txt").toString(), recorder);

      assertThat(tmp.resolve("f.txt")).hasContent("data");
      assertThat(recorder.retries).extracting(TestData.Recorder.Retry::attempt).containsExactly(1, 2);
      assertThat(recorder.retries).allSatisfy(r -> assertThat(r.failure()).hasMessageContaining("busy (503)"));

      ((MemoryStorage) storage).reads.set(0);
      ((MemoryStorage) storage).failingReads = 5;
      assertThatThrownBy(() -> transfers.copy("mem://box/f.txt", tmp.resolve("g.txt").toString()))
          .isInstanceOfSatisfying(TransferException.class, e -> assertThat(e.reason()).isEqualTo(Reason.SERVER_ERROR));
      assertThat(((MemoryStorage) storage).reads.get()).isEqualTo(3);
    }
  }

  @Test
  void notFoundIsNotRetried() {
    MemoryStorageProvider mine = new MemoryStorageProvider();
    TestData.Recorder recorder = new TestData.Recorder();
    try (Transfers transfers = Transfers.builder().settings(TestData.quick().build()).provider(mine).build()) {
      assertThatThrownBy(() -> transfers.download("mem://box/none", tmp.resolve("n"), recorder))
          .isInstanceOfSatisfying(TransferException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND));
    }
    assertThat(recorder.retries).isEmpty();
  }

  @Test
  void anUploadWhoseResultHasTheWrongSizeIsCorruptButAWriteOnlyTargetIsTrusted() throws IOException {
    Path file = Files.writeString(tmp.resolve("u.txt"), "12345");
    MemoryStorageProvider lying = new MemoryStorageProvider() {
      @Override
      public synchronized Storage open(TransferSettings settings) {
        return new MemoryStorage() {
          @Override
          public Optional<ObjectInfo> stat(StorageUrl url) {
            if (url.path().startsWith("/write-only/")) {
              throw new TransferException(Reason.ACCESS_DENIED, url.toString(), "access denied (403)", null);
            }
            return super.stat(url).map(i -> ObjectInfo.file(url, i.size() - 1));
          }
        };
      }
    };
    try (Transfers transfers = Transfers.builder().settings(TestData.quick().build()).provider(lying).build()) {
      assertThatThrownBy(() -> transfers.upload(file, "mem://box/u.txt"))
          .isInstanceOfSatisfying(TransferException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.CORRUPT);
            assertThat(e.getMessage()).contains("wrote 5 bytes but the storage now holds 4");
          });
      assertThat(transfers.upload(file, "mem://box/write-only/u.txt")).isEqualTo(5);
    }
  }

  @Test
  void aSourceThatBreaksDuringACopyIsNamedAsTheCause() throws IOException {
    MemoryStorageProvider breaking = new MemoryStorageProvider() {
      @Override
      public synchronized Storage open(TransferSettings settings) {
        return new MemoryStorage() {
          @Override
          public Optional<ObjectInfo> stat(StorageUrl url) {
            return Optional.of(ObjectInfo.file(url, 100));
          }

          @Override
          public InputStream openRead(StorageUrl url, long offset) {
            return new InputStream() {
              int sent;

              @Override
              public int read() throws IOException {
                if (sent++ < 10) {
                  return 'x';
                }
                throw new IOException("Connection reset");
              }
            };
          }
        };
      }
    };
    try (Transfers transfers = Transfers.builder().settings(TestData.quick().build()).provider(breaking).build()) {
      assertThatThrownBy(() -> transfers.copy("mem://box/src", tmp.resolve("dst").toString()))
          .isInstanceOfSatisfying(TransferException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE);
            assertThat(e.location()).isEqualTo("mem://box/src");
          });
    }
    assertThat(TestData.tempFiles(tmp)).isEmpty();
    assertThat(tmp.resolve("dst")).doesNotExist();
  }
}
