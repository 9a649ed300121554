package io.tes4j.backend.local.internal;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/** Finds programs on a {@code PATH} the way a shell does. */
final class Executables {
  /** The {@code PATH} of a container image, used for host executors and when none is set. */
  static final String STANDARD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private Executables() {}

  /**
   * The first executable regular file named {@code name} in the directories of {@code path}
   * ({@link File#pathSeparator}-separated; empty entries are skipped, not read as the current
   * directory).
   */
  static Optional<Path> find(String name, String path) {
    if (path == null || path.isEmpty()) {
      return Optional.empty();
    }
    for (String directory : path.split(File.pathSeparator)) {
      if (directory.isEmpty()) {
        continue;
      }
      try {
        Path candidate = Path.of(directory, name).toAbsolutePath();
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      } catch (InvalidPathException e) {
        // an entry that is no path cannot hold the program
      }
    }
    return Optional.empty();
  }
}
