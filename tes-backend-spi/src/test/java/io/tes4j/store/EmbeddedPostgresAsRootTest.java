package io.tes4j.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL tests run as root where user namespaces are forbidden (a Docker container's
 * default seccomp profile): {@link EmbeddedPostgresServer} then drops root with setpriv. Tested in
 * a child JVM whose PATH starts with an {@code unshare} that fails as it does there, so the case is
 * exercised on every root build, not only inside such a container.
 */
class EmbeddedPostgresAsRootTest {

  @Test
  void withoutUserNamespacesRootRunsPostgresThroughSetpriv(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(
        EmbeddedPostgresServer.isRoot(), "only root needs a way around PostgreSQL's refusal of root");
    Assumptions.assumeTrue(
        runs("setpriv", "--version"), "no setpriv (util-linux) on this machine, so no fallback");
    Path bin = Files.createDirectory(dir.resolve("bin"));
    Path unshare = bin.resolve("unshare");
    Files.writeString(
        unshare, "#!/bin/sh\necho 'unshare: unshare failed: Operation not permitted' >&2\nexit 1\n");
    Files.setPosixFilePermissions(unshare, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path log = dir.resolve("child.log");

    ProcessBuilder child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                EmbeddedPostgresServer.class.getName())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    child.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    Process process = child.start();
    // A bound so that a hung server cannot hang the build; not a timing assertion.
    boolean ended = process.waitFor(10, TimeUnit.MINUTES);
    if (!ended) {
      process.destroyForcibly();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);

    assertThat(ended).as(output).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).contains("started as root, through setpriv to uid 65534", "stored 1 task in");
  }

  private static boolean runs(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
