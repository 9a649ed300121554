package io.tes4j.transfer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalPathsTest {
  @TempDir Path tmp;

  @Test
  void deleteTreeRemovesEverythingReadOnlyDirectoriesToo() throws Exception {
    Path work = tmp.resolve("work");
    Path locked = Files.createDirectories(work.resolve("out/locked"));
    Files.writeString(locked.resolve("result.txt"), "x");
    Files.writeString(work.resolve("in.txt"), "y");
    // a task's files may come back read-only (an input mounted :ro, a container's umask)
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-x------"));

    assertThat(LocalPaths.deleteTree(work)).isEmpty();
    assertThat(work).doesNotExist();
  }

  @Test
  void deleteTreeRemovesALinkNotWhatItPointsTo() throws Exception {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("keep.txt"), "kept");
    Path work = Files.createDirectories(tmp.resolve("work"));
    Files.createSymbolicLink(work.resolve("link"), outside);
    Files.createSymbolicLink(work.resolve("file-link"), outside.resolve("keep.txt"));

    assertThat(LocalPaths.deleteTree(work)).isEmpty();
    assertThat(work).doesNotExist();
    assertThat(outside.resolve("keep.txt")).hasContent("kept");
  }

  @Test
  void deleteTreeOfNothingIsNoProblem() {
    assertThat(LocalPaths.deleteTree(tmp.resolve("absent"))).isEmpty();
  }
}
