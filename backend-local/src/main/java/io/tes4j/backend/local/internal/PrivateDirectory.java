package io.tes4j.backend.local.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory only this process's user can enter ({@code 0700}), beside the tasks' work
 * directories and inside none of them, so no container mounts it and no host sandbox sees it:
 * where the container runtimes' env files are written ({@code 0600}) for the moment an executor
 * runs. Named {@code .tes4j-env-<pid>-<random>} under the work root; created on first use; when
 * one is opened, those left by processes of this machine that are no longer alive (a JVM killed
 * with SIGKILL) are removed, since they may hold environment values. A work root therefore
 * belongs to one machine.
 */
final class PrivateDirectory {
  private static final Logger LOG = LoggerFactory.getLogger(PrivateDirectory.class);
  private static final String PREFIX = ".tes4j-env-";
  private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "([0-9]+)-[0-9a-f]+");
  private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path directory;
  private final Object lock = new Object();
  private boolean created; // guarded by lock

  private PrivateDirectory(Path directory) {
    this.directory = directory;
  }

  /** A private directory under {@code workRoot} (not created yet), after removing dead processes' ones. */
  static PrivateDirectory open(Path workRoot) {
    removeLeftovers(workRoot);
    byte[] random = new byte[4];
    RANDOM.nextBytes(random);
    String name = PREFIX + ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(random);
    return new PrivateDirectory(workRoot.resolve(name));
  }

  /** The directory. */
  Path path() {
    return directory;
  }

  /**
   * Writes {@code content} to the file {@code name} of the directory, readable and writable by
   * this process's user only, replacing an earlier one.
   *
   * @throws LaunchException when it cannot be written
   */
  Path write(String name, byte[] content) {
    Path file = directory.resolve(name);
    try {
      synchronized (lock) {
        if (!created) {
          Files.createDirectories(directory.getParent());
          Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
          created = true;
        }
      }
      Files.deleteIfExists(file);
      try (SeekableByteChannel channel = Files.newByteChannel(
          file,
          Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
          PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE))) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
      }
      return file;
    } catch (IOException | UnsupportedOperationException e) {
      throw new LaunchException("cannot write a private file under " + directory + ": " + e, e);
    }
  }

  /** Removes the file {@code name}, if there; a failure is logged. */
  void delete(String name) {
    try {
      Files.deleteIfExists(directory.resolve(name));
    } catch (IOException e) {
      LOG.warn("cannot remove the private file {} (it may hold environment values): {}", directory.resolve(name), e.toString());
    }
  }

  /** Removes the directory and what is left in it. */
  void close() {
    synchronized (lock) {
      if (!created) {
        return;
      }
      created = false;
    }
    List<String> problems = WorkDirectories.delete(directory);
    if (!problems.isEmpty()) {
      LOG.warn("cannot remove the private directory {} (it may hold environment values): {}", directory, problems);
    }
  }

  /** Removes the private directories of processes of this machine that are no longer alive. */
  private static void removeLeftovers(Path workRoot) {
    if (!Files.isDirectory(workRoot, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(workRoot, PREFIX + "*")) {
      for (Path entry : entries) {
        Matcher matcher = NAME.matcher(entry.getFileName().toString());
        if (!matcher.matches() || !Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        long pid;
        try {
          pid = Long.parseLong(matcher.group(1));
        } catch (NumberFormatException e) {
          continue; // not one of ours
        }
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
          continue;
        }
        List<String> problems = WorkDirectories.delete(entry);
        if (problems.isEmpty()) {
          LOG.info("removed {}, left by process {} which no longer runs", entry, pid);
        } else {
          LOG.warn("cannot remove {}, left by process {} (it may hold environment values): {}", entry, pid, problems);
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot look for private directories left under {}: {}", workRoot, e.toString());
    }
  }
}
