package io.tes4j.transfer;

import io.tes4j.model.FileType;
import io.tes4j.model.Input;
import io.tes4j.model.Output;
import io.tes4j.model.OutputFileLog;
import io.tes4j.model.Task;
import io.tes4j.transfer.TransferException.Reason;
import io.tes4j.transfer.internal.IoFailures;
import io.tes4j.transfer.internal.LocalPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stages a TES task's files: before the executors run, every input into the task's work
 * directory; after, every output out of it. Container paths map under the work directory
 * ({@code /in/x.txt} is {@code ROOT/in/x.txt}) and can never leave it, by {@code ..} or by a link.
 *
 * <pre>{@code
 * Stager stager = new Stager(transfers);
 * stager.stageInputs(task, workDir);
 * // ... run the executors with workDir's directories mounted at their container paths ...
 * List<OutputFileLog> uploaded = stager.stageOutputs(task, workDir);
 * }</pre>
 *
 * <p><b>Inputs.</b> {@code content} is written as a UTF-8 file (an empty string is an empty file).
 * A {@code url} is downloaded as a file, or recursively as a directory when the type is {@code
 * DIRECTORY} or, with no type, when the URL ends with {@code /}. HTTP has no listing, so a
 * directory over {@code http(s)} fails with {@link Reason#UNSUPPORTED}. The task's {@code volumes}
 * are created as empty directories. Inputs move up to {@link TransferSettings#parallelism()} at a
 * time.
 *
 * <p><b>Outputs.</b> A {@code FILE} is uploaded to its {@code url}; a {@code DIRECTORY} uploads
 * every file under it to {@code url/<relative path>}; with no type, what is on disk decides. A
 * {@code path} with wildcards ({@code *}, {@code ?}, {@code [...]}, POSIX rules: they never match
 * {@code /}, and {@code *} matches names starting with a dot, as Go's {@code filepath.Match} used by
 * Funnel does) uploads every matching file, and every file under a matching directory, to {@code
 * url/<path without path_prefix>}. A wildcard that matches nothing uploads nothing and is not an
 * error (TES does not say; Funnel and Nextflow do the same), while a missing {@code FILE} or {@code
 * DIRECTORY} output is. Every output is checked before anything is uploaded. Links are followed
 * only when they lead inside the work directory; links to directories are not followed.
 *
 * <p>The returned {@link OutputFileLog}s, one per file in output order, carry the URL without any
 * password of its user info, the container path and the size.
 *
 * <p>Failures are {@link TransferException}s whose location names the input or output, e.g. {@code
 * inputs[2] (s3://b/x → /in/x): not found} or {@code outputs[1]: /out/result.txt was not produced}.
 */
public final class Stager {
  private static final Logger LOG = LoggerFactory.getLogger(Stager.class);

  private final Transfers transfers;
  private final TransferListener listener;

  /** A stager moving files with {@code transfers}. */
  public Stager(Transfers transfers) {
    this(transfers, TransferListener.NONE);
  }

  /** A stager reporting progress to {@code listener}. */
  public Stager(Transfers transfers, TransferListener listener) {
    this.transfers = Objects.requireNonNull(transfers, "transfers");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  // ---------------------------------------------------------------------------------------------
  // Inputs.

  /**
   * Writes content inputs and downloads URL inputs (FILE, or DIRECTORY recursively) to their
   * container paths under {@code root}, and creates the task's volumes. {@code root} is created if
   * missing.
   *
   * @throws TransferException naming the input ({@code inputs[i]}) or volume that failed
   */
  public void stageInputs(Task task, Path root) {
    Objects.requireNonNull(task, "task");
    Path base = root.toAbsolutePath().normalize();
    createDirectories(base, base.toString());
    for (int i = 0; i < task.volumes().size(); i++) {
      String what = "volumes[" + i + "]";
      String volume = task.volumes().get(i);
      Path directory = named(what, what + " (" + volume + ")", () -> hostPath(base, volume));
      createDirectories(directory, what + " (" + volume + ")");
    }
    List<Supplier<Void>> jobs = new ArrayList<>();
    for (int i = 0; i < task.inputs().size(); i++) {
      jobs.add(inputJob(task.inputs().get(i), "inputs[" + i + "]", base));
    }
    transfers.runAll(jobs);
  }

  private Supplier<Void> inputJob(Input input, String what, Path base) {
    if (input.content() != null) {
      String described = what + " (content → " + input.path() + ")";
      Path target = named(what, described, () -> hostPath(base, input.path()));
      return () -> {
        writeContent(target, input.content(), described);
        return null;
      };
    }
    if (input.url() == null || input.url().isBlank()) {
      throw new TransferException(
          Reason.INVALID_URL, what + " (" + input.path() + ")", "has neither a url nor content", null);
    }
    StorageUrl url = named(what, what + " (" + input.path() + ")", () -> StorageUrl.parse(input.url()));
    String described = what + " (" + url + " → " + input.path() + ")";
    Path target = named(what, described, () -> hostPath(base, input.path()));
    boolean directory =
        input.type() == FileType.DIRECTORY || (input.type() == null && url.isDirectoryLike());
    return () -> {
      named(
          what,
          described,
          () -> directory
              ? transfers.downloadTree(url, target, listener)
              : transfers.download(url, target, listener));
      return null;
    };
  }

  private static void writeContent(Path target, String content, String described) {
    try {
      Files.createDirectories(target.getParent());
      Files.writeString(target, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      TransferException failure = IoFailures.classify(LocalPaths.fileUrl(target), e);
      throw new TransferException(failure.reason(), described, failure.getMessage(), e);
    }
  }

  private static void createDirectories(Path directory, String described) {
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      TransferException failure = IoFailures.classify(LocalPaths.fileUrl(directory), e);
      throw new TransferException(failure.reason(), described, failure.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Outputs.

  /**
   * Uploads every output (FILE, DIRECTORY recursively, or wildcard paths with {@code path_prefix})
   * and returns one log per uploaded file, as TES reports them, in output order.
   *
   * @throws TransferException naming the output when a declared output is missing
   */
  public List<OutputFileLog> stageOutputs(Task task, Path root) {
    Objects.requireNonNull(task, "task");
    Path base = root.toAbsolutePath().normalize();
    List<Supplier<OutputFileLog>> jobs = new ArrayList<>();
    TransferException problems = null;
    for (int i = 0; i < task.outputs().size(); i++) {
      try {
        jobs.addAll(plan(task.outputs().get(i), "outputs[" + i + "]", base));
      } catch (TransferException e) {
        if (problems == null) {
          problems = e;
        } else {
          problems.addSuppressed(e);
        }
      }
    }
    if (problems != null) {
      throw problems; // nothing is uploaded when an output is missing or refused
    }
    return transfers.runAll(jobs);
  }

  /** The uploads one output needs, after checking that what it names is there. */
  private List<Supplier<OutputFileLog>> plan(Output output, String what, Path base) {
    if (output.path() == null || output.url() == null || output.url().isBlank()) {
      throw new TransferException(
          Reason.INVALID_URL, what, "an output needs both a path and a url", null);
    }
    StorageUrl url = named(what, what + " (" + output.path() + ")", () -> StorageUrl.parse(output.url()));
    String label = what + " (" + output.path() + " → " + url + ")";
    if (hasWildcard(output.path())) {
      return named(what, label, () -> planWildcard(output, what, label, url, base));
    }
    Path host = named(what, label, () -> hostPath(base, output.path()));
    if (!Files.exists(host)) {
      throw new TransferException(
          Reason.NOT_FOUND, what, output.path() + " was not produced", null);
    }
    boolean isDirectory = Files.isDirectory(host);
    FileType type = output.type() != null ? output.type() : isDirectory ? FileType.DIRECTORY : FileType.FILE;
    if (type == FileType.FILE) {
      if (isDirectory) {
        throw new TransferException(
            Reason.FAILED, label, output.path() + " is a directory, but the output's type is FILE", null);
      }
      String logUrl = url.password() == null ? output.url() : publicUrl(url);
      return List.of(upload(what, label, host, url, logUrl, normalize(output.path())));
    }
    if (!isDirectory) {
      throw new TransferException(
          Reason.FAILED, label, output.path() + " is a file, but the output's type is DIRECTORY", null);
    }
    List<Path> files = named(what, label, () -> Transfers.localFiles(host, base));
    StorageUrl directory = asDirectory(url);
    String containerDirectory = normalize(output.path());
    List<Supplier<OutputFileLog>> jobs = new ArrayList<>();
    for (Path file : files) {
      String relative = relativeName(host, file);
      StorageUrl target = directory.resolve(relative);
      jobs.add(upload(what, label, file, target, publicUrl(target), join(containerDirectory, relative)));
    }
    return jobs;
  }

  private List<Supplier<OutputFileLog>> planWildcard(
      Output output, String what, String label, StorageUrl url, Path base) {
    if (output.pathPrefix() == null || output.pathPrefix().isBlank()) {
      throw new TransferException(
          Reason.INVALID_URL,
          label,
          "path has wildcards (*, ?, [...]) but no path_prefix to strip from the matches",
          null);
    }
    String pattern = normalize(output.path());
    String prefix = normalize(output.pathPrefix());
    String staticDirectory = staticParent(pattern);
    Path start = hostPath(base, staticDirectory);
    if (!Files.isDirectory(start)) {
      LOG.debug("{}: {} does not exist, so {} matches nothing", what, staticDirectory, pattern);
      return List.of();
    }
    Pattern regex = globPattern(pattern);
    int depth = segments(pattern) - segments(staticDirectory);
    TreeSet<Path> files = new TreeSet<>();
    try (Stream<Path> walk = Files.walk(start, depth)) {
      for (Iterator<Path> it = walk.iterator(); it.hasNext(); ) {
        Path entry = it.next();
        if (entry.equals(start) || !regex.matcher(containerPath(base, entry)).matches()) {
          continue;
        }
        if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
          files.addAll(Transfers.localFiles(entry, base));
        } else if (Files.isRegularFile(entry)) {
          files.add(confined(entry, base));
        }
      }
    } catch (UncheckedIOException e) {
      throw IoFailures.classify(LocalPaths.fileUrl(start), e.getCause());
    } catch (IOException e) {
      throw IoFailures.classify(LocalPaths.fileUrl(start), e);
    }
    if (files.isEmpty()) {
      LOG.debug("{}: {} matches nothing; nothing to upload", what, pattern);
    }
    StorageUrl directory = asDirectory(url);
    List<Supplier<OutputFileLog>> jobs = new ArrayList<>();
    for (Path file : files) {
      String containerPath = containerPath(base, file);
      String relative;
      if (prefix.equals("/")) {
        relative = containerPath.substring(1);
      } else if (containerPath.startsWith(prefix + "/")) {
        relative = containerPath.substring(prefix.length() + 1);
      } else {
        throw new TransferException(
            Reason.INVALID_URL,
            label,
            "path_prefix " + output.pathPrefix() + " is not a directory above the match " + containerPath,
            null);
      }
      StorageUrl target = directory.resolve(relative);
      jobs.add(upload(what, label, file, target, publicUrl(target), containerPath));
    }
    return jobs;
  }

  private Supplier<OutputFileLog> upload(
      String what, String label, Path file, StorageUrl target, String logUrl, String containerPath) {
    return () -> {
      long size = named(what, label, () -> transfers.upload(file, target, listener));
      return OutputFileLog.of(logUrl, containerPath, size);
    };
  }

  /** {@code file}, if its links lead inside {@code base}. */
  private static Path confined(Path file, Path base) {
    try {
      if (Files.isSymbolicLink(file) && !file.toRealPath().startsWith(base.toRealPath())) {
        throw new TransferException(
            Reason.NOT_ALLOWED,
            LocalPaths.fileUrl(file).toString(),
            "is a link that leads outside " + base + "; links may only point inside it",
            null);
      }
      return file;
    } catch (IOException e) {
      throw IoFailures.classify(LocalPaths.fileUrl(file), e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Container paths.

  /**
   * Where the container path {@code containerPath} lives under {@code root}.
   *
   * @throws TransferException with {@link TransferException.Reason#NOT_ALLOWED} when the path is not
   *     absolute, or would leave {@code root}
   */
  public static Path hostPath(Path root, String containerPath) {
    Objects.requireNonNull(root, "root");
    String where = String.valueOf(containerPath);
    if (containerPath == null || !containerPath.startsWith("/")) {
      throw new TransferException(
          Reason.NOT_ALLOWED, where, "is not an absolute container path (it must start with /)", null);
    }
    if (containerPath.indexOf('\0') >= 0) {
      throw new TransferException(Reason.NOT_ALLOWED, where, "contains a NUL character", null);
    }
    Path base = root.toAbsolutePath().normalize();
    Path result = base;
    for (String segment : containerPath.split("/")) {
      if (segment.equals("..")) {
        throw new TransferException(
            Reason.NOT_ALLOWED, where, "has a '..' segment; container paths may not climb out", null);
      }
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      try {
        result = result.resolve(segment);
      } catch (InvalidPathException e) {
        throw new TransferException(
            Reason.NOT_ALLOWED, where, "is not a valid path here: " + e.getMessage(), e);
      }
    }
    result = result.normalize();
    if (!result.startsWith(base)) {
      throw new TransferException(Reason.NOT_ALLOWED, where, "would lead outside the task directory", null);
    }
    Path realBase;
    Path real;
    try {
      realBase = LocalPaths.resolveExisting(base);
      real = LocalPaths.resolveExisting(result);
    } catch (IOException e) {
      throw new TransferException(
          Reason.NOT_ALLOWED,
          where,
          "a link on the way leads nowhere or cannot be read (" + e.getMessage() + ")",
          e);
    }
    if (!real.startsWith(realBase)) {
      throw new TransferException(
          Reason.NOT_ALLOWED,
          where,
          "leads outside the task directory through a link (to " + real + ")",
          null);
    }
    return result;
  }

  /**
   * Whether a container path holds POSIX wildcards ({@code *}, {@code ?}, {@code [}).
   *
   * @param path a container path or one of its segments
   * @return true when it holds one
   */
  public static boolean hasWildcard(String path) {
    return path.indexOf('*') >= 0 || path.indexOf('?') >= 0 || path.indexOf('[') >= 0;
  }

  /**
   * A container path with single slashes, no {@code .} segments and no trailing slash ({@code /}
   * stays); {@code ..} segments are kept, for {@link #hostPath} to refuse.
   *
   * @param path an absolute container path
   * @return the normalised path
   */
  public static String normalize(String path) {
    StringBuilder sb = new StringBuilder();
    for (String segment : path.split("/")) {
      if (!segment.isEmpty() && !segment.equals(".")) {
        sb.append('/').append(segment);
      }
    }
    return sb.length() == 0 ? "/" : sb.toString();
  }

  /**
   * The directories of a normalised pattern before its first segment with a wildcard: where a
   * wildcard output's files are looked for.
   *
   * @param pattern a {@link #normalize normalised} container path with wildcards
   * @return its directory part, {@code /} at least
   */
  public static String staticParent(String pattern) {
    StringBuilder sb = new StringBuilder();
    for (String segment : pattern.substring(1).split("/")) {
      if (hasWildcard(segment)) {
        break;
      }
      sb.append('/').append(segment);
    }
    return sb.length() == 0 ? "/" : sb.toString();
  }

  private static int segments(String normalized) {
    return normalized.equals("/") ? 0 : normalized.substring(1).split("/").length;
  }

  /**
   * A POSIX shell pattern (fnmatch with {@code FNM_PATHNAME}) as a regular expression: {@code *}
   * is any run of characters but {@code /}, {@code ?} one character but {@code /}, {@code [...]} a
   * bracket expression ({@code !} or {@code ^} negates; never {@code /}), {@code \} quotes the
   * next character. An unclosed {@code [} is a literal.
   */
  static Pattern globPattern(String glob) {
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      switch (c) {
        case '*' -> regex.append("[^/]*");
        case '?' -> regex.append("[^/]");
        case '\\' -> {
          if (i + 1 < glob.length()) {
            regex.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
          } else {
            regex.append(Pattern.quote("\\"));
          }
        }
        case '[' -> {
          int end = bracketEnd(glob, i);
          if (end < 0) {
            regex.append(Pattern.quote("["));
          } else {
            regex.append(bracket(glob.substring(i + 1, end)));
            i = end;
          }
        }
        default -> regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString());
  }

  /** The index of the {@code ]} closing the bracket expression opened at {@code open}, or -1. */
  private static int bracketEnd(String glob, int open) {
    int i = open + 1;
    if (i < glob.length() && (glob.charAt(i) == '!' || glob.charAt(i) == '^')) {
      i++;
    }
    if (i < glob.length() && glob.charAt(i) == ']') {
      i++; // a ']' first is a member
    }
    for (; i < glob.length(); i++) {
      if (glob.charAt(i) == ']') {
        return i;
      }
      if (glob.charAt(i) == '/') {
        return -1; // a bracket expression never spans segments
      }
    }
    return -1;
  }

  private static String bracket(String body) {
    boolean negate = !body.isEmpty() && (body.charAt(0) == '!' || body.charAt(0) == '^');
    String members = negate ? body.substring(1) : body;
    StringBuilder cls = new StringBuilder(negate ? "[^/" : "[");
    for (int i = 0; i < members.length(); i++) {
      char c = members.charAt(i);
      boolean range = c == '-' && i > 0 && i < members.length() - 1;
      if (range) {
        cls.append('-');
      } else if (c < 128 && !Character.isLetterOrDigit(c)) {
        cls.append('\\').append(c);
      } else {
        cls.append(c);
      }
    }
    cls.append(']');
    return negate ? cls.toString() : "(?:(?!/)" + cls + ")";
  }

  private static String containerPath(Path base, Path file) {
    return "/" + relativeName(base, file);
  }

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

  private static String join(String directory, String relative) {
    return directory.equals("/") ? "/" + relative : directory + "/" + relative;
  }

  private static StorageUrl asDirectory(StorageUrl url) {
    return url.isDirectoryLike() ? url : url.withPath(url.path() + "/");
  }

  /** The URL as text without the password of its user info (kept in logs, which others read). */
  static String publicUrl(StorageUrl url) {
    if (url.password() == null) {
      return url.raw();
    }
    return new StorageUrl(url.raw(), url.scheme(), url.user(), null, url.host(), url.port(), url.path(), url.query())
        .withPath(url.path())
        .raw();
  }

  /**
   * Runs {@code step}, naming {@code what} in its failure: {@code described: detail}. The detail
   * drops the failure's own location when {@code described} already shows it (the input's URL or
   * path); a failure about something else (one file of a directory) keeps it.
   */
  private static <T> T named(String what, String described, Supplier<T> step) {
    try {
      return step.get();
    } catch (TransferException e) {
      String message = String.valueOf(e.getMessage());
      String own = e.location() + ": ";
      String detail =
          e.location() != null && message.startsWith(own) && described.contains(e.location())
              ? message.substring(own.length())
              : message;
      LOG.debug("{} failed: {}", what, detail);
      throw new TransferException(e.reason(), described, detail, e);
    }
  }
}
