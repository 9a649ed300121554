package io.tes4j.transfer.internal;

import io.tes4j.transfer.ObjectInfo;
import io.tes4j.transfer.StorageUrl;
import io.tes4j.transfer.TransferException;
import io.tes4j.transfer.TransferException.Reason;
import io.tes4j.transfer.spi.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/**
 * The {@code file:} storage: local disk (and anything mounted on it). Writes go to a temporary
 * sibling moved into place, so a reader never sees half a file; copies use the kernel's
 * file-to-file transfer in chunks, reporting progress between them. Listing walks directories
 * recursively, following links. Internal; reached through {@code Transfers}, which also enforces
 * the configured file roots.
 */
public final class FileStorage implements Storage {
  /** Bytes per {@link FileChannel#transferTo} call, between two progress reports. */
  private static final long CHUNK = 8L * 1024 * 1024;

  private static final int BUFFER = 64 * 1024;

  /** Whether this storage is closed; closing only refuses further calls. */
  private volatile boolean closed;

  /** A file storage; it holds no resources. */
  public FileStorage() {}

  @Override
  public Optional<ObjectInfo> stat(StorageUrl url) {
    ensureOpen();
    Path path = LocalPaths.toPath(url);
    try {
      BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
      return Optional.of(
          new ObjectInfo(
              url,
              attributes.isDirectory() ? -1 : attributes.size(),
              attributes.isDirectory(),
              attributes.lastModifiedTime().toInstant(),
              null));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (FileSystemException e) {
      if (isNotADirectory(e)) {
        return Optional.empty(); // a parent is a file: nothing can be at this path
      }
      throw Failures.of(url, e);
    } catch (IOException e) {
      throw Failures.of(url, e);
    }
  }

  private static boolean isNotADirectory(FileSystemException e) {
    return e instanceof NotDirectoryException || "Not a directory".equals(e.getReason());
  }

  @Override
  public InputStream openRead(StorageUrl url, long offset) {
    ensureOpen();
    if (offset < 0) {
      throw new IllegalArgumentException("offset must not be negative, was " + offset);
    }
    Path path = LocalPaths.toPath(url);
    refuseDirectory(url, path);
    try {
      FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
      try {
        channel.position(offset);
      } catch (IOException | RuntimeException e) {
        try {
          channel.close();
        } catch (IOException closing) {
          e.addSuppressed(closing);
        }
        throw e;
      }
      return Channels.newInputStream(channel);
    } catch (IOException e) {
      throw Failures.of(url, e);
    }
  }

  @Override
  public long write(StorageUrl url, InputStream data, long size, LongConsumer progress) {
    ensureOpen();
    Path target = LocalPaths.toPath(url);
    return intoPlace(
        url,
        target,
        temp -> {
          long total = 0;
          // WRITE only: see LocalPaths.createTempSibling.
          try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.WRITE)) {
            byte[] buffer = new byte[BUFFER];
            for (int n; (n = data.read(buffer)) >= 0; ) {
              out.write(buffer, 0, n);
              total += n;
              progress.accept(n);
            }
          }
          if (size >= 0 && total != size) {
            throw new TransferException(
                Reason.CORRUPT,
                url.toString(),
                "expected " + size + " bytes but the data had " + total,
                null);
          }
          return total;
        });
  }

  @Override
  public long download(StorageUrl url, Path target, LongConsumer progress) {
    ensureOpen();
    Path source = LocalPaths.toPath(url);
    refuseDirectory(url, source);
    try {
      return copyFile(source, target, progress);
    } catch (IOException e) {
      throw Failures.of(url, e);
    }
  }

  @Override
  public long upload(Path source, StorageUrl url, LongConsumer progress) {
    ensureOpen();
    Path target = LocalPaths.toPath(url);
    if (Files.isDirectory(source)) {
      throw new TransferException(
          Reason.FAILED, LocalPaths.fileUrl(source).toString(), "is a directory, not a file", null);
    }
    return intoPlace(url, target, temp -> copyFile(source, temp, progress));
  }

  /** Writes through a temporary sibling of {@code target}, moved into place when complete. */
  private static long intoPlace(StorageUrl url, Path target, LocalPaths.TempWriter writer) {
    refuseDirectory(url, target);
    return LocalPaths.writeIntoPlace(url, target, writer);
  }

  /** Copies {@code source} into the existing empty file {@code target}, a chunk at a time. */
  private static long copyFile(Path source, Path target, LongConsumer progress) throws IOException {
    try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
        FileChannel out =
            FileChannel.open(
                target,
                StandardOpenOption.WRITE,
                StandardOpenOption.CREATE)) { // no TRUNCATE_EXISTING: see LocalPaths.createTempSibling
      long size = in.size();
      long position = 0;
      while (position < size) {
        long moved = in.transferTo(position, Math.min(CHUNK, size - position), out);
        if (moved <= 0) {
          break; // the source shrank while we copied: the caller's size check reports it
        }
        position += moved;
        progress.accept(moved);
      }
      return position;
    }
  }

  private static void refuseDirectory(StorageUrl url, Path path) {
    if (Files.isDirectory(path)) {
      throw new TransferException(
          Reason.FAILED,
          url.toString(),
          "is a directory, not a file (transfer it as a directory: type DIRECTORY)",
          null);
    }
  }

  @Override
  public List<ObjectInfo> list(StorageUrl prefix) {
    ensureOpen();
    Path directory = LocalPaths.toPath(prefix);
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(directory, FileVisitOption.FOLLOW_LINKS)) {
      return walk.filter(Files::isRegularFile)
          .sorted(Comparator.comparing(LocalPaths::urlPath))
          .map(file -> info(prefix, file))
          .toList();
    } catch (UncheckedIOException e) {
      throw listFailure(prefix, e.getCause());
    } catch (IOException e) {
      throw listFailure(prefix, e);
    }
  }

  private static TransferException listFailure(StorageUrl prefix, IOException e) {
    if (e instanceof FileSystemLoopException) {
      return new TransferException(
          Reason.FAILED, prefix.toString(), "links form a loop at " + e.getMessage(), e);
    }
    return Failures.of(prefix, e);
  }

  private static ObjectInfo info(StorageUrl prefix, Path file) {
    StorageUrl url = prefix.withPath(LocalPaths.urlPath(file));
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      return new ObjectInfo(url, attributes.size(), false, attributes.lastModifiedTime().toInstant(), null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void delete(StorageUrl url) {
    ensureOpen();
    try {
      Files.deleteIfExists(LocalPaths.toPath(url));
    } catch (DirectoryNotEmptyException e) {
      throw new TransferException(
          Reason.FAILED, url.toString(), "is a directory that is not empty; delete its files first", e);
    } catch (IOException e) {
      throw Failures.of(url, e);
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("this file storage is closed");
    }
  }

  @Override
  public void close() {
    closed = true;
  }
}
