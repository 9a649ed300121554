package io.tes4j.backend.local;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether bubblewrap is installed here, for the tests of {@code sandbox=bwrap}. */
final class Sandboxes {
  private Sandboxes() {}

  /**
   * Whether an executable {@code bwrap} is on this JVM's {@code PATH}, which {@code sandbox=auto}
   * would find. Only its absence skips the bwrap tests: one that is there but fails makes them fail.
   */
  static boolean bwrapInstalled() {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String directory : path.split(File.pathSeparator)) {
      if (!directory.isEmpty()) {
        Path candidate = Path.of(directory, "bwrap");
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Skips the calling test unless bubblewrap is installed (.ci/run installs it). */
  static void assumeBwrapInstalled() {
    assumeTrue(bwrapInstalled(), "bubblewrap (bwrap) is not installed: apt-get install bubblewrap");
  }
}
