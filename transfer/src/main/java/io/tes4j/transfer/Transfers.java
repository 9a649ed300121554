package io.tes4j.transfer;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import dev.failsafe.RetryPolicyBuilder;
import io.tes4j.transfer.TransferException.Reason;
import io.tes4j.transfer.internal.IoFailures;
import io.tes4j.transfer.internal.LocalPaths;
import io.tes4j.transfer.spi.Storage;
import io.tes4j.transfer.spi.StorageProvider;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *
 * <p><b>Storages.</b> One {@link StorageProvider} per scheme: those given to {@link
 * Builder#provider} first, then those found with {@link ServiceLoader} (the highest {@link
 * StorageProvider#priority()} wins). A storage is opened the first time one of its schemes is used
 * (once per provider: {@code http} and {@code https} share one) and closed by {@link #close()}.
 *
 * <p><b>Retries.</b> Each transfer is tried up to {@link TransferSettings#maxAttempts()} times when
 * it fails with a {@linkplain TransferException#retryable() retryable} reason (unreachable, server
 * error, corrupt), waiting with jittered exponential back-off between {@link
 * TransferSettings#initialBackoff()} and {@link TransferSettings#maxBackoff()}. A retry starts the
 * object again from its first byte.
 *
 * <p><b>Checks.</b> A download's size must match what the storage announced ({@link
 * Reason#CORRUPT} if not). An upload's size is checked by asking the storage afterwards, except
 * over {@code http(s)}, where a PUT target often cannot be read back (presigned URLs); a storage
 * that denies that read (write-only credentials) is not an error either.
 *
 * <p><b>Policy.</b> Every location given as a {@code String} or {@link StorageUrl} must pass
 * {@link TransferSettings#policy()} ({@link TransferPolicy#check}: scheme, host, a host written as
 * an address), else {@link Reason#NOT_ALLOWED}; the storages check every redirect, the S3
 * endpoint and the address of every connection against the same policy.
 *
 * <p><b>File roots.</b> When {@link TransferSettings#fileRoots()} is set, every {@code file:}
 * location (URL or bare path) given as a {@code String} must lead inside one root, after
 * normalising {@code ..} and resolving the links of its existing part; else {@link
 * Reason#NOT_ALLOWED}. Local {@link Path} arguments (download targets, upload sources) are the
 * caller's own and are not restricted.
 */
public final class Transfers implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Transfers.class);
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final TransferSettings settings;
  private final Map<String, StorageProvider> providers;
  private final List<String> loadFailures;
  private final TransferListener defaultListener;
  private final Map<StorageProvider, Storage> open = new IdentityHashMap<>(); // guarded by open
  private boolean closed; // guarded by open

  private Transfers(Builder builder) {
    this.settings = builder.settings != null
        ? builder.settings
        : TransferSettings.fromEnvironment(System.getenv());
    this.defaultListener = builder.listener;
    List<String> failures = new ArrayList<>();
    Map<String, StorageProvider> chosen = new TreeMap<>(choose(builder.providers, "given"));
    if (builder.discover) {
      choose(discover(failures), "found").forEach(chosen::putIfAbsent);
    }
    this.providers = Collections.unmodifiableMap(chosen);
    this.loadFailures = List.copyOf(failures);
    LOG.debug("storages: {}", describeProviders());
  }

  /** Transfers with the defaults and S3 settings from the AWS environment variables. */
  public static Transfers create() {
    return builder().build();
  }

  /** Transfers with these settings and the storages found on the class path. */
  public static Transfers create(TransferSettings settings) {
    return builder().settings(settings).build();
  }

  /** A builder, to add providers explicitly or a default listener. */
  public static Builder builder() {
    return new Builder();
  }

  /** The settings in use. */
  public TransferSettings settings() {
    return settings;
  }

  /** The URL schemes that have a storage, sorted. */
  public Set<String> schemes() {
    return providers.keySet();
  }

  /**
   * The storage locations tasks may use through these transfers, for {@code service-info}'s {@code
   * storage}: {@code file:///} (or each file root, when they are set), then {@code scheme://} for
   * every other storage; only the schemes the transfer policy allows.
   */
  public List<String> storageLocations() {
    List<String> storage = new ArrayList<>();
    Optional<Set<String>> allowed = settings.policy().schemes();
    for (String scheme : schemes()) {
      if (allowed.isPresent() && !allowed.get().contains(scheme)) {
        continue;
      }
      if (scheme.equals("file")) {
        settings.fileRoots().ifPresentOrElse(
            roots -> roots.forEach(r -> storage.add(r.toUri().toString())), () -> storage.add("file:///"));
      } else {
        storage.add(scheme + "://");
      }
    }
    return storage;
  }

  /** What is at {@code location}, or empty when nothing is. */
  public Optional<ObjectInfo> stat(String location) {
    StorageUrl url = allowed(StorageUrl.parse(location));
    Storage storage = storage(url);
    return retrying("stat", url, listener(TransferListener.NONE), () -> storage.stat(url));
  }

  /** Downloads one file to {@code target}; returns its size. */
  public long download(String location, Path target) {
    return download(location, target, TransferListener.NONE);
  }

  /**
   * Downloads one file to {@code target}, reporting progress; returns its size. Parent directories
   * are created; an existing file is replaced, atomically, only once the new one is complete.
   */
  public long download(String location, Path target, TransferListener listener) {
    return download(StorageUrl.parse(location), target, listener);
  }

  long download(StorageUrl location, Path target, TransferListener listener) {
    Objects.requireNonNull(target, "target");
    StorageUrl url = allowed(location);
    Path destination = target.toAbsolutePath().normalize();
    TransferListener l = listener(listener);
    Download download = new Download(storage(url), url, destination, l);
    long size;
    try {
      size = retrying("download", url, l, download::attempt);
      download.moveIntoPlace();
    } catch (RuntimeException | Error e) {
      download.discard(e);
      throw e;
    }
    LOG.debug("downloaded {} to {} ({} bytes)", url, destination, size);
    l.completed(url, LocalPaths.fileUrl(destination), size);
    return size;
  }

  /**
   * One file's download, over its attempts. The temporary file beside the target lives across
   * them: an attempt cut off by the network ({@link Reason#UNREACHABLE}) leaves the bytes it
   * received, and the next one asks the storage for the rest ({@link Storage#resume}), provided the
   * object still has the same entity tag, size and date. Otherwise, or after any other failure
   * (a corrupt body among them), the next attempt starts again from the first byte in a new file.
   */
  private final class Download {
    private final Storage storage;
    private final StorageUrl url;
    private final Path destination;
    private final StorageUrl local;
    private final TransferListener listener;
    private Path temp; // created by the first attempt that finds the object
    private ObjectInfo inTemp; // the object whose first bytes the temporary file holds
    private boolean resumable; // whether those bytes are good: the network cut them off, nothing else

    Download(Storage storage, StorageUrl url, Path destination, TransferListener listener) {
      this.storage = storage;
      this.url = url;
      this.destination = destination;
      this.local = LocalPaths.fileUrl(destination);
      this.listener = listener;
    }

    long attempt() {
      ObjectInfo info = storage.stat(url).orElseThrow(() -> notFound(url));
      if (info.directory()) {
        throw new TransferException(
            Reason.FAILED,
            url.toString(),
            "is a directory: download it as a directory (downloadDirectory, or type DIRECTORY)",
            null);
      }
      if (Files.isDirectory(destination, LinkOption.NOFOLLOW_LINKS)) {
        throw new TransferException(
            Reason.FAILED, local.toString(), "is a directory; a file cannot replace it", null);
      }
      try {
        long have = temp == null ? 0 : Files.size(temp);
        boolean resume = resumable && have > 0 && have < info.size() && sameObject(inTemp, info);
        resumable = false; // until this attempt is cut off by the network
        long reported = -1;
        try {
          if (resume) {
            reported = storage.resume(url, temp, have, info.etag(), new Progress(listener, url, info.size(), have));
            if (reported >= 0) {
              LOG.debug("resumed the download of {} after {} bytes", url, have);
            }
          }
          if (reported < 0) {
            newTemp();
            inTemp = info;
            reported = storage.download(url, temp, new Progress(listener, url, info.size(), 0));
          }
        } catch (TransferException e) {
          resumable = e.reason() == Reason.UNREACHABLE;
          throw e;
        }
        long actual = Files.size(temp);
        if (actual != reported) {
          throw new TransferException(
              Reason.CORRUPT, url.toString(), "the storage reported " + reported + " bytes but wrote " + actual, null);
        }
        if (info.size() >= 0 && actual != info.size()) {
          throw new TransferException(
              Reason.CORRUPT, url.toString(), "received " + actual + " bytes but its size is " + info.size(), null);
        }
        return actual;
      } catch (IOException e) {
        throw IoFailures.classify(local, e);
      }
    }

    /** A new, empty temporary file (creating the target's directories), replacing an old one. */
    private void newTemp() throws IOException {
      if (temp != null) {
        // Deleted, not truncated: a new file costs nothing at close (see LocalPaths.createTempSibling).
        Files.deleteIfExists(temp);
        temp = null;
      }
      Path parent = destination.getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      temp = LocalPaths.createTempSibling(destination);
    }

    void moveIntoPlace() {
      try {
        LocalPaths.moveIntoPlace(temp, destination);
      } catch (IOException e) {
        throw IoFailures.classify(local, e);
      }
      temp = null;
    }

    /** After the last failure: nothing is left behind. */
    void discard(Throwable failure) {
      LocalPaths.deleteAfterFailure(temp, failure);
      temp = null;
    }
  }

  /** Whether two looks at an object saw the same version: the same entity tag, size and date. */
  private static boolean sameObject(ObjectInfo before, ObjectInfo now) {
    return before != null
        && before.etag() != null
        && before.etag().equals(now.etag())
        && before.size() >= 0
        && before.size() == now.size()
        && Objects.equals(before.lastModified(), now.lastModified());
  }

  /** Uploads one local file; returns its size. */
  public long upload(Path source, String location) {
    return upload(source, location, TransferListener.NONE);
  }

  /** Uploads one local file, reporting progress; returns its size. */
  public long upload(Path source, String location, TransferListener listener) {
    return upload(source, StorageUrl.parse(location), listener);
  }

  long upload(Path source, StorageUrl location, TransferListener listener) {
    Objects.requireNonNull(source, "source");
    StorageUrl url = allowed(location);
    Path file = source.toAbsolutePath().normalize();
    StorageUrl sourceUrl = LocalPaths.fileUrl(file);
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new TransferException(Reason.NOT_FOUND, sourceUrl.toString(), "no such file to upload", e);
    } catch (IOException e) {
      throw IoFailures.classify(sourceUrl, e);
    }
    if (attributes.isDirectory()) {
      throw new TransferException(
          Reason.FAILED,
          sourceUrl.toString(),
          "is a directory: upload it as a directory (uploadDirectory, or type DIRECTORY)",
          null);
    }
    TransferListener l = listener(listener);
    Storage storage = storage(url);
    long size = attributes.size();
    long sent =
        retrying(
            "upload",
            sourceUrl,
            l,
            () -> {
              long n = storage.upload(file, url, new Progress(l, sourceUrl, size));
              if (n != size) {
                throw new TransferException(
                    Reason.CORRUPT,
                    url.toString(),
                    "sent " + n + " bytes but " + file + " has " + size + " (did it change?)",
                    null);
              }
              verifyWritten(storage, url, n);
              return n;
            });
    LOG.debug("uploaded {} to {} ({} bytes)", file, url, sent);
    l.completed(sourceUrl, url, sent);
    return sent;
  }

  /** Copies one file between any two locations, streaming, without a local copy. */
  public long copy(String source, String target) {
    return copy(source, target, TransferListener.NONE);
  }

  /** As {@link #copy(String, String)}, reporting progress. */
  public long copy(String source, String target, TransferListener listener) {
    return copy(StorageUrl.parse(source), StorageUrl.parse(target), listener);
  }

  long copy(StorageUrl source, StorageUrl target, TransferListener listener) {
    StorageUrl from = allowed(source);
    StorageUrl to = allowed(target);
    TransferListener l = listener(listener);
    Storage in = storage(from);
    Storage out = storage(to);
    long size = retrying("copy", from, l, () -> copyOnce(in, from, out, to, l));
    LOG.debug("copied {} to {} ({} bytes)", from, to, size);
    l.completed(from, to, size);
    return size;
  }

  private long copyOnce(Storage in, StorageUrl from, Storage out, StorageUrl to, TransferListener listener) {
    ObjectInfo info = in.stat(from).orElseThrow(() -> notFound(from));
    if (info.directory()) {
      throw new TransferException(
          Reason.FAILED, from.toString(), "is a directory: copy it with copyDirectory", null);
    }
    SourceStream data = new SourceStream(from, in.openRead(from, 0));
    try (data) {
      long n = out.write(to, data, info.size(), new Progress(listener, from, info.size()));
      if (info.size() >= 0 && n != info.size()) {
        throw new TransferException(
            Reason.CORRUPT, to.toString(), "wrote " + n + " bytes but " + from + " has " + info.size(), null);
      }
      verifyWritten(out, to, n);
      return n;
    } catch (RuntimeException e) {
      // A failure to read the source surfaces in the target's write: report it as the source's.
      TransferException sourceFailure = data.failure();
      if (sourceFailure != null && sourceFailure != e) {
        sourceFailure.addSuppressed(e);
        throw sourceFailure;
      }
      throw e;
    } catch (IOException e) {
      throw IoFailures.classify(from, e); // closing the source
    }
  }

  /**
   * Checks the size of what was written, where the storage can say cheaply: not over http(s), and
   * not when reading back is denied.
   */
  private void verifyWritten(Storage storage, StorageUrl url, long expected) {
    if (url.scheme().equals("http") || url.scheme().equals("https")) {
      return;
    }
    Optional<ObjectInfo> info;
    try {
      info = storage.stat(url);
    } catch (TransferException e) {
      if (e.reason() == Reason.ACCESS_DENIED || e.reason() == Reason.UNSUPPORTED) {
        LOG.debug("cannot check the size of {} after writing it ({}); trusting the storage", url, e.reason());
        return;
      }
      throw e;
    }
    if (info.isEmpty()) {
      throw new TransferException(
          Reason.CORRUPT, url.toString(), "was written but is not there afterwards", null);
    }
    if (info.get().size() >= 0 && info.get().size() != expected) {
      throw new TransferException(
          Reason.CORRUPT,
          url.toString(),
          "wrote " + expected + " bytes but the storage now holds " + info.get().size(),
          null);
    }
  }

  /** Every file under {@code prefix}, recursively. */
  public List<ObjectInfo> list(String prefix) {
    StorageUrl url = allowed(StorageUrl.parse(prefix));
    Storage storage = storage(url);
    return retrying("list", url, listener(TransferListener.NONE), () -> storage.list(url));
  }

  /** Deletes one file or object; nothing there is not an error. */
  public void delete(String location) {
    StorageUrl url = allowed(StorageUrl.parse(location));
    Storage storage = storage(url);
    retrying(
        "delete",
        url,
        listener(TransferListener.NONE),
        () -> {
          storage.delete(url);
          return null;
        });
  }

  // ---------------------------------------------------------------------------------------------
  // Directories.

  /** One file moved as part of a directory. */
  record Moved(StorageUrl source, StorageUrl target, String relative, long bytes) {}

  /**
   * Downloads every file under {@code location} into {@code target}, keeping relative paths, up to
   * {@link TransferSettings#parallelism()} files at once. A location without a trailing {@code /}
   * is read as a directory all the same ({@code s3://b/dir} lists {@code dir/}, not {@code dir2/}).
   *
   * @throws TransferException with {@link Reason#NOT_FOUND} when nothing is there, {@link
   *     Reason#UNSUPPORTED} over http(s), or the first failure of a file (later ones suppressed)
   */
  public TransferSummary downloadDirectory(String location, Path target, TransferListener listener) {
    return summary(downloadTree(StorageUrl.parse(location), target, listener));
  }

  List<Moved> downloadTree(StorageUrl location, Path target, TransferListener listener) {
    StorageUrl prefix = asDirectory(allowed(location));
    Path base = target.toAbsolutePath().normalize();
    TransferListener l = listener(listener);
    Storage storage = storage(prefix);
    List<ObjectInfo> objects = retrying("list", prefix, l, () -> storage.list(prefix));
    List<Supplier<Moved>> jobs = new ArrayList<>();
    for (ObjectInfo object : objects) {
      String relative = relative(prefix, object.url());
      if (object.directory() || relative.endsWith("/")) {
        continue; // a directory marker: directories are made for the files in them
      }
      Path destination = inside(base, relative, object.url());
      jobs.add(() -> new Moved(object.url(), LocalPaths.fileUrl(destination), relative,
          download(object.url(), destination, l)));
    }
    if (jobs.isEmpty()) {
      requireDirectory(storage, prefix, l);
    }
    try {
      Files.createDirectories(base);
    } catch (IOException e) {
      throw IoFailures.classify(LocalPaths.fileUrl(base), e);
    }
    return runAll(jobs);
  }

  /** An empty listing: fine for an existing, empty directory; else say what is there. */
  private void requireDirectory(Storage storage, StorageUrl prefix, TransferListener listener) {
    StorageUrl plain = prefix.path().length() > 1
        ? prefix.withPath(prefix.path().substring(0, prefix.path().length() - 1))
        : prefix;
    Optional<ObjectInfo> info = retrying("stat", plain, listener, () -> storage.stat(plain));
    if (info.isEmpty()) {
      throw new TransferException(Reason.NOT_FOUND, prefix.toString(), "no such directory (nothing under it)", null);
    }
    if (!info.get().directory()) {
      throw new TransferException(
          Reason.FAILED, prefix.toString(), "is a file, not a directory (transfer it as a FILE)", null);
    }
  }

  /**
   * Uploads every file under {@code source} to {@code location}, keeping relative paths, up to
   * {@link TransferSettings#parallelism()} files at once. Links to files are followed; links to
   * directories are not (no cycles). Empty directories are not recreated: object stores have none.
   */
  public TransferSummary uploadDirectory(Path source, String location, TransferListener listener) {
    return summary(uploadTree(source, StorageUrl.parse(location), listener, null));
  }

  /**
   * As {@link #uploadDirectory}; with {@code confine}, a file whose links lead outside it is
   * refused ({@link Reason#NOT_ALLOWED}).
   */
  List<Moved> uploadTree(Path source, StorageUrl location, TransferListener listener, Path confine) {
    StorageUrl prefix = asDirectory(allowed(location));
    Path base = source.toAbsolutePath().normalize();
    StorageUrl baseUrl = LocalPaths.fileUrl(base);
    if (!Files.isDirectory(base)) {
      throw Files.exists(base)
          ? new TransferException(Reason.FAILED, baseUrl.toString(), "is a file, not a directory", null)
          : new TransferException(Reason.NOT_FOUND, baseUrl.toString(), "no such directory to upload", null);
    }
    TransferListener l = listener(listener);
    List<Supplier<Moved>> jobs = new ArrayList<>();
    for (Path file : localFiles(base, confine)) {
      String relative = relativeName(base, file);
      StorageUrl target = prefix.resolve(relative);
      jobs.add(() -> new Moved(LocalPaths.fileUrl(file), target, relative, upload(file, target, l)));
    }
    return runAll(jobs);
  }

  /**
   * The files under {@code base}, sorted: regular files, and links that lead to regular files (and,
   * with {@code confine}, lead inside it). Links to directories are not followed.
   */
  static List<Path> localFiles(Path base, Path confine) {
    Path realConfine = null;
    List<Path> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(base)) {
      for (Iterator<Path> it = walk.sorted().iterator(); it.hasNext(); ) {
        Path path = it.next();
        boolean link = Files.isSymbolicLink(path);
        if (!(link ? Files.isRegularFile(path) : Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS))) {
          if (link) {
            LOG.debug("not uploading {}: a link to a directory or to nothing", path);
          }
          continue;
        }
        if (confine != null && link) {
          if (realConfine == null) {
            realConfine = confine.toRealPath();
          }
          Path real = path.toRealPath();
          if (!real.startsWith(realConfine)) {
            throw new TransferException(
                Reason.NOT_ALLOWED,
                LocalPaths.fileUrl(path).toString(),
                "is a link that leads outside " + confine + "; links may only point inside it",
                null);
          }
        }
        files.add(path);
      }
    } catch (UncheckedIOException e) {
      throw IoFailures.classify(LocalPaths.fileUrl(base), e.getCause());
    } catch (IOException e) {
      throw IoFailures.classify(LocalPaths.fileUrl(base), e);
    }
    return files;
  }

  /** Copies every file under {@code source} to {@code target}, keeping relative paths. */
  public TransferSummary copyDirectory(String source, String target, TransferListener listener) {
    StorageUrl from = asDirectory(allowed(StorageUrl.parse(source)));
    StorageUrl to = asDirectory(allowed(StorageUrl.parse(target)));
    TransferListener l = listener(listener);
    Storage storage = storage(from);
    List<ObjectInfo> objects = retrying("list", from, l, () -> storage.list(from));
    List<Supplier<Moved>> jobs = new ArrayList<>();
    for (ObjectInfo object : objects) {
      String relative = relative(from, object.url());
      if (object.directory() || relative.endsWith("/")) {
        continue;
      }
      safeRelative(relative, object.url());
      StorageUrl destination = to.resolve(relative);
      jobs.add(() -> new Moved(object.url(), destination, relative, copy(object.url(), destination, l)));
    }
    if (jobs.isEmpty()) {
      requireDirectory(storage, from, l);
    }
    return summary(runAll(jobs));
  }

  private static TransferSummary summary(List<Moved> moved) {
    return new TransferSummary(moved.size(), moved.stream().mapToLong(Moved::bytes).sum());
  }

  /** {@code url} ending with {@code /}. */
  private static StorageUrl asDirectory(StorageUrl url) {
    return url.isDirectoryLike() ? url : url.withPath(url.path() + "/");
  }

  /** The path of {@code object} below {@code prefix} (which ends with {@code /}). */
  private static String relative(StorageUrl prefix, StorageUrl object) {
    if (!object.path().startsWith(prefix.path()) || object.path().length() == prefix.path().length()) {
      throw new TransferException(
          Reason.FAILED, prefix.toString(), "the storage listed " + object + ", which is not under it", null);
    }
    return object.path().substring(prefix.path().length());
  }

  /** Refuses names that would climb out of the directory they are copied into. */
  private static void safeRelative(String relative, StorageUrl object) {
    String trimmed = relative.endsWith("/") ? relative.substring(0, relative.length() - 1) : relative;
    for (String segment : trimmed.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new TransferException(
            Reason.NOT_ALLOWED,
            object.toString(),
            "its name has an empty, '.' or '..' part, so it cannot be placed safely in a directory",
            null);
      }
    }
  }

  /** Where {@code relative} goes under {@code base}, never outside it. */
  private static Path inside(Path base, String relative, StorageUrl object) {
    safeRelative(relative, object);
    Path destination;
    try {
      destination = base;
      for (String segment : relative.split("/")) {
        destination = destination.resolve(segment);
      }
    } catch (java.nio.file.InvalidPathException e) {
      throw new TransferException(
          Reason.NOT_ALLOWED, object.toString(), "its name is not a valid local file name: " + e.getMessage(), e);
    }
    destination = destination.normalize();
    if (!destination.startsWith(base) || destination.equals(base)) {
      throw new TransferException(
          Reason.NOT_ALLOWED, object.toString(), "its name would place it outside " + base, null);
    }
    return destination;
  }

  /** {@code file}'s path below {@code base}, with {@code /} separators. */
  private static String relativeName(Path base, Path file) {
    StringBuilder sb = new StringBuilder();
    for (Path part : base.relativize(file)) {
      if (sb.length() > 0) {
        sb.append('/');
      }
      sb.append(part);
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------------------------------------
  // Parallel work.

  /** Marks a job skipped because an earlier one failed. */
  private static final class Skipped extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Skipped() {
      super("skipped after an earlier failure", null, false, false);
    }
  }

  /**
   * Runs {@code jobs}, up to {@link TransferSettings#parallelism()} at once, and returns their
   * results in order. After a failure, jobs not yet started are skipped and those running finish;
   * then the first failure (in job order) is thrown, with the others suppressed.
   */
  <T> List<T> runAll(List<Supplier<T>> jobs) {
    int threads = Math.min(settings.parallelism(), jobs.size());
    if (threads <= 1) {
      List<T> results = new ArrayList<>(jobs.size());
      for (Supplier<T> job : jobs) {
        results.add(job.get());
      }
      return results;
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            task -> {
              Thread thread = new Thread(task, "tes4j-transfer-" + THREADS.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    AtomicBoolean failed = new AtomicBoolean();
    List<Future<T>> futures = new ArrayList<>(jobs.size());
    for (Supplier<T> job : jobs) {
      futures.add(
          pool.submit(
              () -> {
                if (failed.get()) {
                  throw new Skipped();
                }
                try {
                  return job.get();
                } catch (RuntimeException | Error e) {
                  failed.set(true);
                  throw e;
                }
              }));
    }
    pool.shutdown();
    List<T> results = new ArrayList<>(jobs.size());
    Throwable first = null;
    try {
      for (Future<T> future : futures) {
        try {
          results.add(future.get());
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof Skipped) {
            continue;
          }
          if (first == null) {
            first = cause;
          } else {
            first.addSuppressed(cause);
          }
        }
      }
    } catch (InterruptedException e) {
      failed.set(true);
      pool.shutdownNow();
      Thread.currentThread().interrupt();
      throw new TransferException(Reason.FAILED, "transfers", IoFailures.INTERRUPTED, e);
    }
    if (first instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (first instanceof Error error) {
      throw error;
    }
    if (first != null) {
      throw new TransferException(Reason.FAILED, "transfers", String.valueOf(first), first);
    }
    return results;
  }

  // ---------------------------------------------------------------------------------------------
  // Storages.

  /**
   * The storage that handles {@code url}'s scheme, opened on first use. It does single attempts
   * only: no retries, no size checks, and no file roots. The built-in storages still check the
   * transfer policy at every hop: redirects, the S3 endpoint, the address of every connection.
   *
   * @throws TransferException with {@link Reason#INVALID_URL} when no storage handles the scheme,
   *     listing those that do and how to add one
   * @throws IllegalStateException when these transfers are closed
   */
  public Storage storage(StorageUrl url) {
    StorageProvider provider = providers.get(url.scheme());
    if (provider == null) {
      throw new TransferException(
          Reason.INVALID_URL,
          url.toString(),
          "no storage handles the scheme '" + url.scheme() + "' (available: "
              + String.join(", ", providers.keySet())
              + "); to add one, implement io.tes4j.transfer.spi.StorageProvider and list it in"
              + " META-INF/services/io.tes4j.transfer.spi.StorageProvider, or pass it to"
              + " Transfers.builder().provider(...)"
              + (loadFailures.isEmpty() ? "" : "; providers that failed to load: " + loadFailures),
          null);
    }
    synchronized (open) {
      if (closed) {
        throw new IllegalStateException("these transfers are closed");
      }
      Storage storage = open.get(provider);
      if (storage == null) {
        storage = Objects.requireNonNull(provider.open(settings), () -> provider.name() + " opened null");
        open.put(provider, storage);
        LOG.debug("opened the {} storage", provider.name());
      }
      return storage;
    }
  }

  /** Closes every storage opened; the first failure is thrown after all were tried. */
  @Override
  public void close() {
    List<Storage> storages;
    synchronized (open) {
      if (closed) {
        return;
      }
      closed = true;
      storages = new ArrayList<>(open.values());
      open.clear();
    }
    RuntimeException failure = null;
    for (Storage storage : storages) {
      try {
        storage.close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private String describeProviders() {
    Map<String, String> names = new LinkedHashMap<>();
    providers.forEach((scheme, provider) -> names.put(scheme, provider.name()));
    return names.toString();
  }

  /** The chosen provider per scheme: the highest priority, then the first. */
  private static Map<String, StorageProvider> choose(List<StorageProvider> candidates, String how) {
    Map<String, StorageProvider> chosen = new TreeMap<>();
    for (StorageProvider provider : candidates) {
      for (String raw : provider.schemes()) {
        String scheme = raw.toLowerCase(java.util.Locale.ROOT);
        StorageProvider current = chosen.get(scheme);
        if (current == null || provider.priority() > current.priority()) {
          chosen.put(scheme, provider);
        }
        if (current != null) {
          LOG.debug(
              "{} providers {} and {} both handle '{}'; using {}",
              how,
              current.name(),
              provider.name(),
              scheme,
              chosen.get(scheme).name());
        }
      }
    }
    return chosen;
  }

  private static List<StorageProvider> discover(List<String> failures) {
    List<StorageProvider> found = new ArrayList<>();
    Iterator<StorageProvider> it =
        ServiceLoader.load(StorageProvider.class, Transfers.class.getClassLoader()).iterator();
    for (int guard = 0; guard < 1000; guard++) {
      try {
        if (!it.hasNext()) {
          break;
        }
        found.add(it.next());
      } catch (ServiceConfigurationError e) {
        // One broken provider must not take the others down; its scheme reports the failure.
        LOG.debug("a storage provider failed to load: {}", e.getMessage());
        failures.add(e.getMessage());
      }
    }
    return found;
  }

  // ---------------------------------------------------------------------------------------------
  // Retries, progress and checks.

  private <T> T retrying(String operation, StorageUrl subject, TransferListener listener, Supplier<T> attempt) {
    RetryPolicyBuilder<T> policy =
        RetryPolicy.<T>builder()
            .handleIf((Throwable failure) -> failure instanceof TransferException t && t.retryable())
            .withMaxAttempts(settings.maxAttempts())
            .onRetryScheduled(
                event -> {
                  LOG.debug(
                      "{} of {} failed (attempt {} of {}), again in {} ms: {}",
                      operation,
                      subject,
                      event.getAttemptCount(),
                      settings.maxAttempts(),
                      event.getDelay().toMillis(),
                      String.valueOf(event.getLastException()));
                  listener.retrying(subject, event.getAttemptCount(), event.getLastException());
                });
    if (settings.initialBackoff().compareTo(settings.maxBackoff()) < 0) {
      policy.withBackoff(settings.initialBackoff(), settings.maxBackoff()).withJitter(0.25);
    } else {
      policy.withDelay(settings.maxBackoff());
    }
    try {
      return Failsafe.with(policy.build())
          .get(
              () -> {
                try {
                  return attempt.get();
                } catch (UncheckedIOException e) {
                  throw IoFailures.classify(subject, e.getCause());
                }
              });
    } catch (FailsafeException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof InterruptedException) {
        Thread.currentThread().interrupt();
        throw new TransferException(Reason.FAILED, subject.toString(), "interrupted while waiting to retry", cause);
      }
      throw new TransferException(Reason.FAILED, subject.toString(), String.valueOf(cause), cause);
    }
  }

  private static TransferException notFound(StorageUrl url) {
    return new TransferException(Reason.NOT_FOUND, url.toString(), "not found", null);
  }

  /**
   * {@code url}, with its path normalised, if it is allowed: it must pass the transfer policy, and
   * a {@code file:} location must lead inside a configured root.
   */
  StorageUrl allowed(StorageUrl url) {
    settings.policy().check(url);
    if (!url.scheme().equals("file") || settings.fileRoots().isEmpty()) {
      return url;
    }
    List<Path> roots = settings.fileRoots().get();
    Path path = LocalPaths.toPath(url).toAbsolutePath().normalize();
    Path real;
    try {
      real = LocalPaths.resolveExisting(path);
    } catch (IOException e) {
      throw new TransferException(
          Reason.NOT_ALLOWED,
          url.toString(),
          "cannot tell where it leads (" + e.getMessage() + "), so it is refused; allowed file roots: " + roots,
          e);
    }
    for (Path root : roots) {
      Path realRoot;
      try {
        realRoot = LocalPaths.resolveExisting(root);
      } catch (IOException e) {
        LOG.debug("the file root {} cannot be resolved ({}); skipping it", root, e.getMessage());
        continue;
      }
      if (LocalPaths.isInside(real, realRoot)) {
        String normal = LocalPaths.urlPath(path);
        return normal.equals(url.path()) || (normal + "/").equals(url.path()) ? url : url.withPath(normal);
      }
    }
    throw new TransferException(
        Reason.NOT_ALLOWED,
        url.toString(),
        "is outside the allowed file roots " + roots
            + (real.equals(path) ? "" : " (it leads to " + real + ")"),
        null);
  }

  private TransferListener listener(TransferListener call) {
    Objects.requireNonNull(call, "listener");
    if (call == TransferListener.NONE) {
      return defaultListener;
    }
    if (defaultListener == TransferListener.NONE) {
      return call;
    }
    TransferListener first = defaultListener;
    return new TransferListener() {
      @Override
      public void progress(StorageUrl source, long bytesDone, long bytesTotal) {
        first.progress(source, bytesDone, bytesTotal);
        call.progress(source, bytesDone, bytesTotal);
      }

      @Override
      public void completed(StorageUrl source, StorageUrl target, long bytes) {
        first.completed(source, target, bytes);
        call.completed(source, target, bytes);
      }

      @Override
      public void retrying(StorageUrl source, int attempt, Throwable failure) {
        first.retrying(source, attempt, failure);
        call.retrying(source, attempt, failure);
      }
    };
  }

  /** Turns a storage's byte deltas into the listener's running totals. */
  private static final class Progress implements LongConsumer {
    private final TransferListener listener;
    private final StorageUrl source;
    private final long total;
    private final AtomicLong done;

    Progress(TransferListener listener, StorageUrl source, long total) {
      this(listener, source, total, 0);
    }

    /** Counting from {@code alreadyDone}: the bytes a resumed download had before. */
    Progress(TransferListener listener, StorageUrl source, long total, long alreadyDone) {
      this.listener = listener;
      this.source = source;
      this.total = total;
      this.done = new AtomicLong(alreadyDone);
    }

    @Override
    public void accept(long delta) {
      listener.progress(source, done.addAndGet(delta), total);
    }
  }

  /**
   * The source of a copy: remembers the first read failure, so that it is reported as the source's
   * even though it surfaces inside the target's write.
   */
  private static final class SourceStream extends FilterInputStream {
    private final StorageUrl url;
    private volatile TransferException failure;

    SourceStream(StorageUrl url, InputStream in) {
      super(in);
      this.url = url;
    }

    TransferException failure() {
      return failure;
    }

    private IOException record(IOException e) {
      if (failure == null) {
        TransferException classified = IoFailures.classify(url, e);
        failure = classified.reason() == Reason.FAILED && !url.scheme().equals("file")
            ? new TransferException(Reason.UNREACHABLE, url.toString(), "reading broke off: " + e.getMessage(), e)
            : classified;
      }
      return e;
    }

    @Override
    public int read() throws IOException {
      try {
        return super.read();
      } catch (IOException e) {
        throw record(e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return super.read(b, off, len);
      } catch (IOException e) {
        throw record(e);
      }
    }

    @Override
    public long skip(long n) throws IOException {
      try {
        return super.skip(n);
      } catch (IOException e) {
        throw record(e);
      }
    }
  }

  /** Builds {@link Transfers}. Not thread-safe. */
  public static final class Builder {
    private TransferSettings settings;
    private final List<StorageProvider> providers = new ArrayList<>();
    private boolean discover = true;
    private TransferListener listener = TransferListener.NONE;

    private Builder() {}

    /** The settings; {@link TransferSettings#fromEnvironment} of the process by default. */
    public Builder settings(TransferSettings settings) {
      this.settings = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /**
     * Uses this provider for its schemes, ahead of any found on the class path (among several given
     * for one scheme, the highest priority, then the first given).
     */
    public Builder provider(StorageProvider provider) {
      providers.add(Objects.requireNonNull(provider, "provider"));
      return this;
    }

    /** Whether to look for providers with {@link java.util.ServiceLoader} (default true). */
    public Builder discoverProviders(boolean discover) {
      this.discover = discover;
      return this;
    }

    /** A listener told about every transfer, besides the one given to each call. */
    public Builder listener(TransferListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** The transfers; storages are opened when first used. */
    public Transfers build() {
      return new Transfers(this);
    }
  }
}
