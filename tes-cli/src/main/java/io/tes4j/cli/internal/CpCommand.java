package io.tes4j.cli.internal;

import io.tes4j.transfer.ObjectInfo;
import io.tes4j.transfer.StorageUrl;
import io.tes4j.transfer.TransferException;
import io.tes4j.transfer.TransferException.Reason;
import io.tes4j.transfer.TransferListener;
import io.tes4j.transfer.TransferSettings;
import io.tes4j.transfer.Transfers;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tes4j cp SRC DST}: copies a file or, with {@code --recursive}, a directory between local
 * paths and URLs ({@code s3://}, {@code ftp://}, {@code http(s)://}, {@code file://}). Local to
 * remote uploads, remote to local downloads, remote to remote streams without a local copy.
 */
@Command(
    name = "cp",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Copy a file, or a directory with --recursive, between local paths and URLs:"
          + " s3://BUCKET/KEY, ftp://[USER[:PASSWORD]@]HOST/PATH, http(s)://..., file:///PATH.",
      "Local to remote uploads, remote to local downloads, remote to remote streams without a"
          + " local copy. A DST that ends with / or is an existing directory receives SRC under its"
          + " own name, as cp does. A download appears at DST only once it is complete.",
      "S3 keys come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN); FTP and"
          + " HTTP passwords from the URL's user info, or the netrc file (NETRC, else ~/.netrc)."
          + " Passwords are never printed.",
      "A progress bar is drawn on standard error when there is a terminal; nothing is written"
          + " otherwise.",
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:copied",
      "1:the copy failed: one line, tes4j: cp: LOCATION: reason",
      "2:usage error",
    })
final class CpCommand implements Callable<Integer> {
  /** A URL rather than a local path: {@code scheme://...} or {@code file:...}. */
  private static final Pattern URL = Pattern.compile("^(?:[a-zA-Z][a-zA-Z0-9+.-]*://|[fF][iI][lL][eE]:).*", Pattern.DOTALL);

  /** A URL's parts: everything up to the path, the path, and the query. */
  private static final Pattern URL_PARTS =
      Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*:(?://[^/?#]*)?)([^?#]*)(\\?[^#]*)?(#.*)?$", Pattern.DOTALL);

  private final Context ctx;

  @Parameters(index = "0", paramLabel = "SRC", description = "What to copy: a local path or a URL.")
  private String source;

  @Parameters(
      index = "1",
      paramLabel = "DST",
      description = "Where to: a local path or a URL; ending with / (or an existing directory): into it.")
  private String target;

  @Option(
      names = {"-r", "--recursive"},
      description = "Copy SRC as a directory: every file under it, keeping relative paths.")
  private boolean recursive;

  @Option(names = "--no-progress", description = "Draw no progress bar, even on a terminal.")
  private boolean noProgress;

  @Mixin private TransferOptions options = new TransferOptions();

  CpCommand(Context ctx) {
    this.ctx = ctx;
  }

  /** One side of the copy: a local path, or a remote URL. */
  private record Location(String text, StorageUrl url, Path path) {
    boolean local() {
      return path != null;
    }

    /** Whether the text ends with a separator: "into this directory". */
    boolean endsWithSeparator() {
      return text.endsWith("/") || text.endsWith(File.separator);
    }
  }

  @Override
  public Integer call() {
    Location from = location(source, "SRC");
    Location to = location(target, "DST");
    TransferSettings settings;
    try {
      settings = options.settings(ctx).build();
    } catch (IllegalArgumentException e) {
      throw new UsageError(e.getMessage());
    } catch (TransferException e) {
      throw new TransferFailed("cp", e); // the netrc file cannot be read
    }
    ProgressBar bar = ctx.terminal() && !noProgress ? new ProgressBar(ctx, recursive) : null;
    TransferListener listener = bar == null ? TransferListener.NONE : bar;
    boolean done = false;
    try (Transfers transfers = Transfers.create(settings)) {
      copy(transfers, from, to, listener);
      done = true;
      if (bar != null) {
        bar.finish();
      }
    } catch (TransferException e) {
      throw new TransferFailed("cp", e);
    } finally {
      if (bar != null && !done) {
        bar.abandon();
      }
    }
    return ExitCodes.OK;
  }

  private static Location location(String text, String label) {
    if (URL.matcher(text).matches()) {
      StorageUrl url;
      try {
        url = StorageUrl.parse(text);
      } catch (TransferException e) {
        throw new UsageError("invalid " + label + ": " + e.getMessage());
      }
      if (url.scheme().equals("file")) {
        return new Location(text, null, localPath(url.path(), label));
      }
      return new Location(text, url, null);
    }
    return new Location(text, null, localPath(text, label));
  }

  private static Path localPath(String text, String label) {
    try {
      return Path.of(text).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw new UsageError("invalid " + label + " '" + text + "': " + e.getReason());
    }
  }

  private void copy(Transfers transfers, Location from, Location to, TransferListener listener) {
    if (from.local()) {
      copyLocal(transfers, from, to, listener);
    } else {
      copyRemote(transfers, from, to, listener);
    }
  }

  /** From a local file or directory: upload, or a local copy. */
  private void copyLocal(Transfers transfers, Location from, Location to, TransferListener listener) {
    Path path = from.path();
    if (!Files.exists(path)) {
      throw new TransferFailed("cp", from.text(), "no such file or directory");
    }
    boolean directory = Files.isDirectory(path);
    if (directory && !recursive) {
      throw new TransferFailed("cp", from.text(), "is a directory (copy it with --recursive)");
    }
    String name = path.getFileName() == null ? "" : path.getFileName().toString();
    if (to.local()) {
      Path destination = localInto(to) ? to.path().resolve(name(name, from)) : to.path();
      if (directory) {
        transfers.copyDirectory(fileUrl(path), fileUrl(destination), listener);
      } else {
        transfers.download(fileUrl(path), destination, listener); // the kernel copies, atomically
      }
    } else {
      String destination = remoteInto(transfers, to) ? child(to.text(), name(name, from)) : to.text();
      if (directory) {
        transfers.uploadDirectory(path, destination, listener);
      } else {
        transfers.upload(path, destination, listener);
      }
    }
  }

  /** From a URL: download, or a streamed copy. */
  private void copyRemote(Transfers transfers, Location from, Location to, TransferListener listener) {
    boolean directory =
        recursive
            && transfers.stat(from.text()).map(ObjectInfo::directory).orElse(from.url().isDirectoryLike());
    String name = from.url().fileName();
    try {
      if (to.local()) {
        Path destination = localInto(to) ? to.path().resolve(name(name, from)) : to.path();
        if (directory) {
          transfers.downloadDirectory(from.text(), destination, listener);
        } else {
          transfers.download(from.text(), destination, listener);
        }
      } else {
        String destination = remoteInto(transfers, to) ? child(to.text(), name(name, from)) : to.text();
        if (directory) {
          transfers.copyDirectory(from.text(), destination, listener);
        } else {
          transfers.copy(from.text(), destination, listener);
        }
      }
    } catch (TransferException e) {
      if (!directory && e.reason() == Reason.FAILED && isDirectory(transfers, from, e)) {
        throw new TransferFailed("cp", from.url().toString(), "is a directory (copy it with --recursive)");
      }
      throw e;
    }
  }

  /**
   * Whether {@code location} is a directory; asked only after {@code failure}, to explain it. If
   * asking fails too, that is added to {@code failure}, which remains the one reported.
   */
  private static boolean isDirectory(Transfers transfers, Location location, TransferException failure) {
    try {
      return transfers.stat(location.text()).map(ObjectInfo::directory).orElse(false);
    } catch (TransferException e) {
      failure.addSuppressed(e);
      return false;
    }
  }

  private static String name(String name, Location from) {
    if (name.isEmpty()) {
      throw new UsageError(
          "cannot tell a file name from SRC '" + (from.local() ? from.text() : from.url().toString())
              + "': give DST in full, not as a directory");
    }
    return name;
  }

  /** Whether a local DST means "into this directory". */
  private static boolean localInto(Location to) {
    return to.endsWithSeparator() || Files.isDirectory(to.path());
  }

  /**
   * Whether a remote DST means "into this directory": it ends with {@code /}, or the storage says
   * it is a directory (an FTP directory, an S3 bucket or prefix). HTTP has no directories.
   */
  private static boolean remoteInto(Transfers transfers, Location to) {
    StorageUrl url = to.url();
    if (url.isDirectoryLike()) {
      return true;
    }
    if (url.scheme().equals("http") || url.scheme().equals("https")) {
      return false;
    }
    Optional<ObjectInfo> info;
    try {
      info = transfers.stat(to.text());
    } catch (TransferException e) {
      if (e.reason() == Reason.ACCESS_DENIED || e.reason() == Reason.UNSUPPORTED) {
        return false; // write-only credentials: DST is taken as the file's name, as given
      }
      throw e;
    }
    return info.map(ObjectInfo::directory).orElse(false);
  }

  /** {@code path} as a {@code file:} URL, percent-encoded, for the storages. */
  private static String fileUrl(Path path) {
    return path.toUri().toString();
  }

  /**
   * The URL of {@code name} inside the directory URL {@code directory}: its user info, host and
   * query kept, the path joined with one {@code /}. Every {@code %} of the path is escaped, so that
   * the name reads back exactly as given.
   */
  static String child(String directory, String name) {
    Matcher m = URL_PARTS.matcher(directory.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a URL: " + StorageUrl.parse(directory));
    }
    String path = StorageUrl.parse(directory).path();
    String joined = (path.endsWith("/") ? path : path + "/") + name;
    return m.group(1) + joined.replace("%", "%25") + (m.group(3) == null ? "" : m.group(3));
  }
}
