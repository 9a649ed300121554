package io.tes4j.backend.local.internal;

import io.tes4j.transfer.internal.LocalPaths;
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
 * directories and inside none of them, so no container mounts it and no host sandbox sees it
 * whole: what a running executor needs and its task must neither see nor change goes there, for
 * the moment the executor runs. The container runtimes' env files ({@code 0600}); the host
 * sandbox's mount table and its {@code /dev}; the executors' stdout and stderr when they have no
 * path of their own. Named {@code .tes4j-private-<pid>-<random>} under the work root; created on
 * first use; when one is opened, those left by processes of this machine that are no longer alive
 * (a JVM killed with SIGKILL) are removed, since they may hold environment values. A work root
 * therefore belongs to one machine. Thread-safe.
 */
public final class PrivateDirectory {
  private static final Logger LOG = LoggerFactory.getLogger(PrivateDirectory.class);
  private static final String PREFIX = ".tes4j-private-";
  private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "([0-9]+)-[0-9a-f]+");
  private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> SHARED_DIRECTORY = PosixFilePermissions.fromString("rwxr-xr-x");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path directory;
  private final Object lock = new Object();
  private boolean created; // guarded by lock

  private PrivateDirectory(Path directory) {
    this.directory = directory;
  }

  /** A private directory under {@code workRoot} (not created yet), after removing dead processes' ones. */
  public static PrivateDirectory open(Path workRoot) {
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
    Path file = resolve(name);
    try {
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

  /**
   * A new, empty directory {@code name} of the directory ({@code 0755}: what is bound into a sandbox
   * keeps the mode it shows there), replacing an earlier one.
   *
   * @throws LaunchException when it cannot be created
   */
  Path newDirectory(String name) {
    Path created = resolve(name);
    delete(name);
    try {
      Files.createDirectory(created);
      Files.setPosixFilePermissions(created, SHARED_DIRECTORY); // whatever the umask
      return created;
    } catch (IOException | UnsupportedOperationException e) {
      throw new LaunchException("cannot create a private directory under " + directory + ": " + e, e);
    }
  }

  /**
   * Where the entry {@code name} of the directory goes (the directory is created if need be); for
   * a file another program creates, such as a process's output.
   *
   * @throws LaunchException when the directory cannot be created
   */
  Path resolve(String name) {
    if (name.isEmpty() || name.indexOf('/') >= 0 || name.startsWith(".")) {
      throw new IllegalArgumentException("not a plain name: " + name);
    }
    try {
      synchronized (lock) {
        if (!created) {
          Files.createDirectories(directory.getParent());
          Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
          created = true;
        }
      }
    } catch (IOException | UnsupportedOperationException e) {
      throw new LaunchException("cannot create the private directory " + directory + ": " + e, e);
    }
    return directory.resolve(name);
  }

  /** Removes the entry {@code name} (a file, or a directory with all it holds), if there; a failure is logged. */
  void delete(String name) {
    List<String> problems = LocalPaths.deleteTree(directory.resolve(name));
    if (!problems.isEmpty()) {
      LOG.warn("cannot remove the private entry {} (it may hold environment values): {}", directory.resolve(name), problems);
    }
  }

  /** Removes the directory and what is left in it. */
  public void close() {
    synchronized (lock) {
      if (!created) {
        return;
      }
      created = false;
    }
    List<String> problems = LocalPaths.deleteTree(directory);
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
        List<String> problems = LocalPaths.deleteTree(entry);
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
