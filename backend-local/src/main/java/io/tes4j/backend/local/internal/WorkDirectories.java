package io.tes4j.backend.local.internal;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/** Removes task work directories. */
final class WorkDirectories {
  private WorkDirectories() {}

  /**
   * Deletes {@code directory} and everything in it, never following links (a link is removed,
   * not what it points to), and makes read-only directories writable on the way.
   *
   * @return the problems met (empty when all was removed); each names the path
   */
  static List<String> delete(Path directory) {
    List<String> problems = new ArrayList<>();
    if (!Files.exists(directory, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return problems;
    }
    try {
      Files.walkFileTree(directory, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          dir.toFile().setWritable(true, true);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          remove(file, problems);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          remove(file, problems);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException e) {
          remove(dir, problems);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      problems.add(directory + ": " + e);
    }
    return problems;
  }

  /** {@link #delete}, ignoring problems. */
  static void deleteQuietly(Path directory) {
    delete(directory);
  }

  private static void remove(Path path, List<String> problems) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      problems.add(path + ": " + e);
    }
  }
}
