package io.tes4j.transfer;

import io.tes4j.transfer.spi.Storage;
import io.tes4j.transfer.spi.StorageProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Moves files between local disk, HTTP(S), FTP, S3 and any storage a
 * {@link StorageProvider} adds, with retries, bounded memory, and no half-written files.
 *
 * <pre>{@code
 * try (Transfers transfers = Transfers.create()) {          // AWS_* variables for S3
 *   transfers.download("s3://bucket/reads.fq", Path.of("/tmp/reads.fq"));
 *   transfers.upload(Path.of("report.html"), "ftp://user:pw@ftp.example.org/out/report.html");
 *   transfers.copy("https://example.org/data.tar", "s3://bucket/data.tar");   // no local copy
 * }
 * }</pre>
 *
 * <p>Locations are URLs ({@code s3://bucket/key}, {@code https://...}, {@code ftp://...},
 * {@code file:///abs/path}) or absolute local paths. Downloads go to a temporary file beside the
 * target and are moved into place only when complete and of the announced size. Failures are
 * {@link TransferException}s naming the location (password masked) and the reason. Thread-safe:
 * share one instance.
 */
public final class Transfers implements AutoCloseable {
  private Transfers() {
    throw new UnsupportedOperationException("being written");
  }

  /** Transfers with the defaults and S3 settings from the AWS environment variables. */
  public static Transfers create() {
    throw new UnsupportedOperationException("being written");
  }

  /** Transfers with these settings and the storages found on the class path. */
  public static Transfers create(TransferSettings settings) {
    throw new UnsupportedOperationException("being written");
  }

  /** A builder, to add providers explicitly or a default listener. */
  public static Builder builder() {
    throw new UnsupportedOperationException("being written");
  }

  /** The settings in use. */
  public TransferSettings settings() {
    throw new UnsupportedOperationException("being written");
  }

  /** What is at {@code location}, or empty when nothing is. */
  public Optional<ObjectInfo> stat(String location) {
    throw new UnsupportedOperationException("being written");
  }

  /** Downloads one file to {@code target}; returns its size. */
  public long download(String location, Path target) {
    return download(location, target, TransferListener.NONE);
  }

  /** Downloads one file to {@code target}, reporting progress; returns its size. */
  public long download(String location, Path target, TransferListener listener) {
    throw new UnsupportedOperationException("being written");
  }

  /** Uploads one local file; returns its size. */
  public long upload(Path source, String location) {
    return upload(source, location, TransferListener.NONE);
  }

  /** Uploads one local file, reporting progress; returns its size. */
  public long upload(Path source, String location, TransferListener listener) {
    throw new UnsupportedOperationException("being written");
  }

  /** Copies one file between any two locations, streaming, without a local copy. */
  public long copy(String source, String target) {
    return copy(source, target, TransferListener.NONE);
  }

  /** As {@link #copy(String, String)}, reporting progress. */
  public long copy(String source, String target, TransferListener listener) {
    throw new UnsupportedOperationException("being written");
  }

  /** Every file under {@code prefix}, recursively. */
  public List<ObjectInfo> list(String prefix) {
    throw new UnsupportedOperationException("being written");
  }

  /** Deletes one file or object; nothing there is not an error. */
  public void delete(String location) {
    throw new UnsupportedOperationException("being written");
  }

  /** Downloads every file under {@code location} into {@code target}, keeping relative paths. */
  public TransferSummary downloadDirectory(String location, Path target, TransferListener listener) {
    throw new UnsupportedOperationException("being written");
  }

  /** Uploads every file under {@code source} to {@code location}, keeping relative paths. */
  public TransferSummary uploadDirectory(Path source, String location, TransferListener listener) {
    throw new UnsupportedOperationException("being written");
  }

  /** Copies every file under {@code source} to {@code target}, keeping relative paths. */
  public TransferSummary copyDirectory(String source, String target, TransferListener listener) {
    throw new UnsupportedOperationException("being written");
  }

  /** The storage that handles {@code url}'s scheme. */
  public Storage storage(StorageUrl url) {
    throw new UnsupportedOperationException("being written");
  }

  /** Closes every storage opened. */
  @Override
  public void close() {
    throw new UnsupportedOperationException("being written");
  }

  /** Builds {@link Transfers}. Not thread-safe. */
  public static final class Builder {
    private Builder() {}

    /** The settings; {@link TransferSettings#fromEnvironment} of the process by default. */
    public Builder settings(TransferSettings settings) {
      throw new UnsupportedOperationException("being written");
    }

    /** Uses this provider for its schemes, ahead of any found on the class path. */
    public Builder provider(StorageProvider provider) {
      throw new UnsupportedOperationException("being written");
    }

    /** Whether to look for providers with {@link java.util.ServiceLoader} (default true). */
    public Builder discoverProviders(boolean discover) {
      throw new UnsupportedOperationException("being written");
    }

    public Transfers build() {
      throw new UnsupportedOperationException("being written");
    }
  }
}
