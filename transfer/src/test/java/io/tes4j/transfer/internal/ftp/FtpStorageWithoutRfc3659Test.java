package io.tes4j.transfer.internal.ftp;

import static io.tes4j.transfer.internal.ftp.FtpTestSupport.bytes;
import static io.tes4j.transfer.internal.ftp.FtpTestSupport.settings;
import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.transfer.ObjectInfo;
import io.tes4j.transfer.StorageUrl;
import io.tes4j.transfer.spi.Storage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Servers without MLST/MLSD (RFC 3659): listing falls back to LIST, parsed by commons-net, and
 * stat to SIZE and CWD, or to listing the parent when SIZE is missing too.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FtpStorageWithoutRfc3659Test {

  abstract static class Base {
    abstract TestFtpServer ftp();

    Storage storage;

    @BeforeEach
    void open() {
      storage = new FtpStorageProvider().open(settings().build());
    }

    @AfterEach
    void close() {
      storage.close();
    }

    StorageUrl alice(String path) {
      return StorageUrl.parse(ftp().aliceUrl(path));
    }

    @Test
    void listParsesLongListingsRecursivelyWithSpacesAndNonAsciiNames() throws IOException {
      for (String path : List.of("/in/dir with space/ä ö.txt", "/in/b.txt", "/in/x/y/z.txt", "/in/.hidden")) {
        byte[] content = path.getBytes(StandardCharsets.UTF_8);
        storage.write(alice(path), new ByteArrayInputStream(content), content.length, n -> {});
      }

      List<ObjectInfo> listed = storage.list(alice("/in/"));

      assertThat(listed)
          .extracting(info -> info.url().path())
          .containsExactly("/in/.hidden", "/in/b.txt", "/in/dir with space/ä ö.txt", "/in/x/y/z.txt");
      assertThat(listed)
          .extracting(ObjectInfo::size)
          .containsExactly(
              (long) "/in/.hidden".length(),
              (long) "/in/b.txt".length(),
              (long) "/in/dir with space/ä ö.txt".getBytes(StandardCharsets.UTF_8).length,
              (long) "/in/x/y/z.txt".length());
      try (InputStream in = storage.openRead(listed.get(2).url(), 0)) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("/in/dir with space/ä ö.txt");
      }
    }

    @Test
    void statFindsFilesAndDirectoriesAndNothing() {
      ftp().put("d/file name.txt", bytes(321, 4));

      assertThat(storage.stat(alice("/d/file name.txt")))
          .get()
          .extracting(ObjectInfo::size, ObjectInfo::directory)
          .containsExactly(321L, false);
      assertThat(storage.stat(alice("/d"))).get().extracting(ObjectInfo::directory).isEqualTo(true);
      assertThat(storage.stat(alice("/d/missing.txt"))).isEmpty();
      assertThat(storage.stat(alice("/nowhere/missing.txt"))).isEmpty();
    }
  }

  /** SIZE and MDTM, but no MLST. */
  @Nested
  class WithSize extends Base {
    @RegisterExtension final TestFtpServer ftp = new TestFtpServer().features("SIZE", "MDTM", "REST STREAM", "UTF8");

    @Override
    TestFtpServer ftp() {
      return ftp;
    }

    @Test
    void statTakesTheTimeFromMdtm() {
      ftp.put("t.txt", bytes(1, 1));

      assertThat(storage.stat(alice("/t.txt"))).get().extracting(ObjectInfo::lastModified).isNotNull();
    }
  }

  /** Neither SIZE nor MLST: stat lists the parent directory. */
  @Nested
  class WithoutSize extends Base {
    @RegisterExtension final TestFtpServer ftp = new TestFtpServer().features("REST STREAM", "UTF8");

    @Override
    TestFtpServer ftp() {
      return ftp;
    }
  }
}
