package io.tes4j.transfer.spi;

import io.tes4j.transfer.ObjectInfo;
import io.tes4j.transfer.StorageUrl;
import io.tes4j.transfer.TransferException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * One kind of storage (S3, FTP, HTTP, local files), for {@code Transfers} and the {@code Stager}.
 * Implementations do one attempt of each operation: retries, temporary files, atomic moves, size
 * checks and {@code file:} roots are the caller's job. They must be thread-safe, stream with
 * bounded memory whatever the size, and report failures as {@link TransferException}s with the
 * right {@link TransferException.Reason} and the location's masked text.
 *
 * <p>They must also honour {@link io.tes4j.transfer.TransferSettings#policy()} themselves, since
 * only they see where their connections go: check the address of every connection before sending
 * anything ({@link io.tes4j.transfer.TransferPolicy#addressProblem}), every redirect they follow
 * ({@link io.tes4j.transfer.TransferPolicy#check}) and any endpoint of their own ({@link
 * io.tes4j.transfer.TransferPolicy#hostProblem}), and refuse with {@link
 * TransferException.Reason#NOT_ALLOWED}.
 *
 * <p>{@code progress} callbacks receive the number of bytes moved since the previous call.
 */
public interface Storage extends AutoCloseable {

  /** What is at {@code url}, or empty when nothing is. */
  Optional<ObjectInfo> stat(StorageUrl url);

  /**
   * Opens the object for reading, starting at byte {@code offset} (0 for all of it). The caller
   * closes the stream.
   */
  InputStream openRead(StorageUrl url, long offset);

  /**
   * Writes {@code data} to {@code url}, replacing what is there.
   *
   * @param size the number of bytes, or -1 when unknown
   * @return the number of bytes written
   */
  long write(StorageUrl url, InputStream data, long size, LongConsumer progress);

  /**
   * Copies the object into the local file {@code target} (which the caller created empty, in the
   * final directory). The default streams {@link #openRead}; storages that can fetch ranges in
   * parallel override it. Open {@code target} without {@code TRUNCATE_EXISTING}: on ext4,
   * truncating a file makes closing it write the whole file back, which costs about 0.3 s per GiB.
   *
   * @return the number of bytes written
   */
  default long download(StorageUrl url, Path target, LongConsumer progress) {
    try (InputStream in = openRead(url, 0);
        // WRITE only: target is empty, and truncating it would cost a write-back on close (see
        // LocalPaths.createTempSibling).
        OutputStream out = Files.newOutputStream(target, StandardOpenOption.WRITE)) {
      // 256 KiB: on loopback FTP, 64 KiB reads took twice the system time of 256 KiB ones.
      byte[] buffer = new byte[256 * 1024];
      long total = 0;
      for (int n; (n = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
        total += n;
        progress.accept(n);
      }
      return total;
    } catch (IOException e) {
      throw Failures.of(url, e);
    }
  }

  /**
   * Continues a download that was cut off: {@code target} holds the first {@code offset} bytes of
   * the object as it was when its entity tag was {@code etag}. A storage that can ask for the rest
   * only if the object still has that tag (HTTP's {@code If-Range}) appends it; if the object
   * changed, it writes the whole new object from the start instead. Never splice two versions.
   *
   * <p>Only a storage whose {@link #download} writes the file in order, so that a cut-off leaves
   * a clean first part, may resume. The default cannot, and returns -1 without touching {@code
   * target}: the caller then downloads the object again from its first byte.
   *
   * @param progress told of the bytes written by this call only
   * @return the size of {@code target} afterwards, or -1 when this storage cannot resume
   */
  default long resume(StorageUrl url, Path target, long offset, String etag, LongConsumer progress) {
    return -1;
  }

  /**
   * Copies the local file {@code source} to {@code url}. The default calls {@link #write}; storages
   * with multipart uploads override it.
   *
   * @return the number of bytes written
   */
  default long upload(Path source, StorageUrl url, LongConsumer progress) {
    try (InputStream in = Files.newInputStream(source)) {
      return write(url, in, Files.size(source), progress);
    } catch (IOException e) {
      throw Failures.of(url, e);
    }
  }

  /**
   * Every file under {@code prefix}, recursively, with paths relative to nothing (full URLs);
   * directories themselves are not listed.
   *
   * @throws TransferException with {@link TransferException.Reason#UNSUPPORTED} where the
   *     storage cannot list (HTTP)
   */
  List<ObjectInfo> list(StorageUrl prefix);

  /** Deletes the object or file; deleting nothing is not an error. */
  void delete(StorageUrl url);

  /** Releases connections and threads. */
  @Override
  void close();

  /** Shared translations of I/O failures into {@link TransferException}s. */
  final class Failures {
    private Failures() {}

    /** A failure of an operation on {@code url}, classified from the exception's type and text. */
    public static TransferException of(StorageUrl url, IOException e) {
      return io.tes4j.transfer.internal.IoFailures.classify(url, e);
    }

    /** As {@link #of(StorageUrl, IOException)}, for an unchecked wrapper. */
    public static TransferException of(StorageUrl url, UncheckedIOException e) {
      return of(url, e.getCause());
    }
  }
}
