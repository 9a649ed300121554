package io.tes4j.transfer.internal;

import io.tes4j.transfer.StorageUrl;
import io.tes4j.transfer.TransferException;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local paths for {@code file:} locations: conversions, temporary siblings, atomic moves,
 * resolving links of the existing part of a path, and deleting trees. Internal.
 */
public final class LocalPaths {
  private static final Logger LOG = LoggerFactory.getLogger(LocalPaths.class);

  /** Temporary files end with this; they start with a dot and the target's name. */
  public static final String TEMP_SUFFIX = ".part";

  /** Between the target's name and the random part of a temporary file's name. */
  public static final String TEMP_MARK = ".tes4j-";

  /** Names longer than this many UTF-8 bytes are shortened in temporary names (limit 255). */
  private static final int MAX_NAME_BYTES = 200;

  private LocalPaths() {}

  /**
   * Deletes {@code directory} and everything in it, never following links (a link is removed,
   * not what it points to), and makes read-only directories writable on the way. It goes on after
   * a failure, so that as much as can be is removed. For the work directories of the backends that
   * stage task files on this machine (local, pulsar).
   *
   * @return the problems met (empty when all was removed, or nothing was there); each names the path
   */
  public static List<String> deleteTree(Path directory) {
    List<String> problems = new ArrayList<>();
    if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
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
          deleteOne(file, problems);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          deleteOne(file, problems);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException e) {
          deleteOne(dir, problems);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      problems.add(directory + ": " + e);
    }
    return problems;
  }

  private static void deleteOne(Path path, List<String> problems) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      problems.add(path + ": " + e);
    }
  }

  /** The local path a {@code file:} location names. */
  public static Path toPath(StorageUrl url) {
    if (File.separatorChar == '/') {
      return Path.of(url.path());
    }
    try {
      // Windows: /C:/dir/x -> C:\dir\x, through a file URI that the platform understands.
      URI uri = new URI("file", null, url.path(), null);
      return Path.of(URI.create(uri.toASCIIString()));
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a local path: " + url, e);
    }
  }

  /** The absolute, {@code /}-separated path of {@code path}, as a {@code file:} URL holds it. */
  public static String urlPath(Path path) {
    String text = path.toAbsolutePath().toString();
    if (File.separatorChar == '/') {
      return text;
    }
    return "/" + text.replace(File.separatorChar, '/');
  }

  /** {@code path} as a {@code file:} location; its text is the path as the platform prints it. */
  public static StorageUrl fileUrl(Path path) {
    Path absolute = path.toAbsolutePath();
    return new StorageUrl(absolute.toString(), "file", null, null, null, -1, urlPath(absolute), null);
  }

  /**
   * Creates an empty temporary file beside {@code target}: {@code .<name>.tes4j-<random>.part}, in
   * the same directory, so that moving it onto the target is atomic.
   *
   * <p>Open it with {@code WRITE} only, never {@code TRUNCATE_EXISTING}: it is empty already, and
   * truncating a file on ext4 (even an empty one) makes closing it start writing the whole file
   * back to disk (its {@code auto_da_alloc} heuristic), which the closing thread waits for: about
   * 0.3 s per GiB that curl, which creates its file, does not pay.
   */
  public static Path createTempSibling(Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    String name = shorten(target.getFileName() == null ? "file" : target.getFileName().toString());
    for (int tries = 0; ; tries++) {
      String random = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
      Path temp = dir.resolve("." + name + TEMP_MARK + random + TEMP_SUFFIX);
      try {
        return Files.createFile(temp);
      } catch (java.nio.file.FileAlreadyExistsException e) {
        if (tries > 10) {
          throw e;
        }
      }
    }
  }

  private static String shorten(String name) {
    if (name.getBytes(StandardCharsets.UTF_8).length <= MAX_NAME_BYTES) {
      return name;
    }
    StringBuilder sb = new StringBuilder();
    int bytes = 0;
    for (int i = 0; i < name.length(); ) {
      int cp = name.codePointAt(i);
      int size = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
      if (bytes + size > MAX_NAME_BYTES) {
        break;
      }
      sb.appendCodePoint(cp);
      bytes += size;
      i += Character.charCount(cp);
    }
    return sb.toString();
  }

  /**
   * Moves the complete temporary file {@code temp} onto {@code target}, replacing it, atomically
   * where the file system can (always, for a sibling on a local disk).
   */
  public static void moveIntoPlace(Path temp, Path target) throws IOException {
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      LOG.debug("atomic moves are not supported for {}; moving without: {}", target, e.getMessage());
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Deletes {@code temp} if it exists; a failure is added to {@code failure}. */
  public static void deleteAfterFailure(Path temp, Throwable failure) {
    if (temp == null) {
      return;
    }
    try {
      Files.deleteIfExists(temp);
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
  }

  /**
   * {@code path}, absolute and normalised, with every link of its existing part resolved: the real
   * path of the deepest existing ancestor with the missing names appended. This is where the path
   * leads on disk, even if the last parts do not exist yet.
   *
   * @throws IOException when a link leads nowhere (it could be created later, anywhere) or the
   *     path cannot be read
   */
  public static Path resolveExisting(Path path) throws IOException {
    Path absolute = path.toAbsolutePath().normalize();
    Deque<Path> missing = new ArrayDeque<>();
    Path existing = absolute;
    while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
      if (existing.getFileName() != null) {
        missing.push(existing.getFileName());
      }
      existing = existing.getParent();
    }
    Path real = existing == null ? absolute.getRoot() : existing.toRealPath();
    for (Path name : missing) {
      real = real.resolve(name);
    }
    return real;
  }

  /** Whether {@code path} is {@code root} or below it (both absolute and normalised). */
  public static boolean isInside(Path path, Path root) {
    return path.startsWith(root);
  }

  /** Fills a temporary file; returns the number of bytes written. */
  @FunctionalInterface
  public interface TempWriter {
    long write(Path temp) throws IOException;
  }

  /**
   * Writes {@code target} through a temporary sibling that is moved into place only when {@code
   * writer} returns, creating the parent directories; on any failure the temporary file is deleted
   * and {@code target} is left as it was. I/O failures are reported against {@code blame}.
   */
  public static long writeIntoPlace(StorageUrl blame, Path target, TempWriter writer) {
    Path temp = null;
    try {
      Path parent = target.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      temp = createTempSibling(target);
      long written = writer.write(temp);
      moveIntoPlace(temp, target);
      temp = null;
      return written;
    } catch (IOException e) {
      TransferException failure = IoFailures.classify(blame, e);
      deleteAfterFailure(temp, failure);
      throw failure;
    } catch (RuntimeException | Error e) {
      deleteAfterFailure(temp, e);
      throw e;
    }
  }
}
