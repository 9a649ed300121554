package io.tes4j.model;

import io.tes4j.api.InvalidTaskException;
import io.tes4j.model.internal.JsonPaths;
import io.tes4j.model.internal.StrictTaskReader;
import io.tes4j.model.internal.Texts;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Says whether a task may be submitted, listing every problem at once, each with its JSON path.
 *
 * <p>Rules checked: at least one executor; each executor's {@code image} is not blank, holds no
 * whitespace or control character and does not start with {@code -} (which every container runtime
 * would read as one of its options), and its {@code command} is not empty; container paths ({@code inputs[].path}, {@code outputs[].path},
 * {@code workdir}, {@code stdin}, {@code stdout}, {@code stderr}, {@code volumes[]}) are absolute
 * and hold no {@code ..} segment; an input has exactly one of {@code url} and {@code content} (an
 * empty {@code content} is an empty file); an output has {@code url} and {@code path}; an output
 * whose {@code path} has wildcards has a {@code path_prefix} that is a parent of the path, and
 * {@code path_prefix} appears nowhere else; resources are not negative; environment variable names
 * are valid; no two outputs (and no two inputs) share a path.
 *
 * <p>Fields the server fills ({@code id}, {@code state}, {@code logs}, {@code creation_time}) are
 * not rejected, so a task copied from a server validates. {@link #validateJson(String)} also checks
 * what only the JSON text shows: syntax, unknown fields, values of the wrong type, and {@code null}
 * elements in lists (which the records drop when reading).
 *
 * <pre>{@code
 * List<Violation> problems = TaskValidator.validate(task);
 * problems.forEach(p -> System.err.println(p));   // executors[0].image: must not be blank; ...
 * TaskValidator.requireValid(task);                // or throw InvalidTaskException
 * }</pre>
 */
public final class TaskValidator {
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final String WILDCARDS = "*?[";

  private final List<Violation> violations = new ArrayList<>();

  private TaskValidator() {}

  /** Every problem with {@code task}, in document order; empty when it is valid. */
  public static List<Violation> validate(Task task) {
    Objects.requireNonNull(task, "task");
    TaskValidator validator = new TaskValidator();
    validator.task(task);
    return List.copyOf(validator.violations);
  }

  /**
   * Every problem with a task document: JSON syntax (with line and column), fields that TES does
   * not define (such as {@code path_prefix} on an input), values of the wrong type, and then every
   * rule of {@link #validate(Task)}.
   *
   * <p>A syntax error is reported alone, at {@code $}, as {@code line L, column C: what}. Otherwise
   * the structural problems come first, in document order, then the rules' violations; a rule
   * violation at a path already reported as structurally wrong is not repeated.
   */
  public static List<Violation> validateJson(String json) {
    return readJson(json).violations();
  }

  /**
   * Reads and checks a task document in one pass, as {@link #validateJson(String)} does, and keeps
   * the task it read, so that a server taking the document need not parse it a second time.
   *
   * @param json a task document
   * @return the task and every problem, as {@link #validateJson(String)} reports them
   */
  public static Checked readJson(String json) {
    Objects.requireNonNull(json, "json");
    StrictTaskReader.Result read = StrictTaskReader.read(json);
    List<Violation> all = new ArrayList<>(read.violations());
    if (read.task() != null) {
      for (Violation violation : validate(read.task())) {
        if (!coveredBy(violation.path(), read.violations())) {
          all.add(violation);
        }
      }
    }
    return new Checked(read.task(), all);
  }

  /**
   * What {@link #readJson(String)} found.
   *
   * @param task the task as far as the document could be read, faulty values left out; the task
   *     itself when {@code violations} is empty; {@code null} when the document is not a JSON
   *     object
   * @param violations every problem, in the order of {@link #validateJson(String)}
   */
  public record Checked(Task task, List<Violation> violations) {
    /** Copies the violations. */
    public Checked {
      violations = List.copyOf(violations);
    }
  }

  /**
   * Returns {@code task} when it is valid.
   *
   * @throws InvalidTaskException listing every problem, when it is not
   */
  public static Task requireValid(Task task) {
    List<Violation> violations = validate(task);
    if (!violations.isEmpty()) {
      throw new InvalidTaskException(violations);
    }
    return task;
  }

  /** Whether {@code path} is, or is inside, a path that already has a violation. */
  private static boolean coveredBy(String path, List<Violation> reported) {
    for (Violation violation : reported) {
      String at = violation.path();
      if (path.equals(at) || path.startsWith(at + ".") || path.startsWith(at + "[")) {
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------------------------------------
  // The rules, in the order TesJson writes a task: inputs, outputs, resources, executors, volumes.

  private void task(Task task) {
    inputs(task.inputs());
    outputs(task.outputs());
    if (task.resources() != null) {
      resources(task.resources(), "resources");
    }
    executors(task.executors());
    volumes(task.volumes());
  }

  private void inputs(List<Input> inputs) {
    Map<String, String> firstPathAt = new HashMap<>();
    for (int i = 0; i < inputs.size(); i++) {
      Input input = inputs.get(i);
      String at = JsonPaths.index("inputs", i);
      boolean hasUrl = input.url() != null && !input.url().isBlank();
      boolean hasContent = input.content() != null;
      if (hasUrl && hasContent) {
        add(at, "set either url or content, not both (content wins over url per the spec, so url would be ignored)");
      } else if (!hasUrl && !hasContent) {
        add(
            at,
            "needs url or content: url to fetch the file from (e.g. s3://bucket/file), or content"
                + " to hold the text of a small file"
                + (input.url() == null ? "" : "; url is blank"));
      } else if (input.url() != null && input.url().isBlank()) {
        add(JsonPaths.field(at, "url"), "must not be blank; leave url out when content is set");
      }
      String pathAt = JsonPaths.field(at, "path");
      if (containerPath(pathAt, input.path(), true, "/data/file1")) {
        duplicate(firstPathAt, pathAt, input.path(), "input");
      }
      if (hasContent && input.type() == FileType.DIRECTORY) {
        add(
            JsonPaths.field(at, "content"),
            "a DIRECTORY input cannot have content, which is the text of a single file;"
                + " use type FILE, or a url for a directory");
      }
    }
  }

  private void outputs(List<Output> outputs) {
    Map<String, String> firstPathAt = new HashMap<>();
    for (int i = 0; i < outputs.size(); i++) {
      Output output = outputs.get(i);
      String at = JsonPaths.index("outputs", i);
      if (output.url() == null) {
        add(
            JsonPaths.field(at, "url"),
            "is required; give where the output is stored, e.g. s3://bucket/out.txt");
      } else if (output.url().isBlank()) {
        add(
            JsonPaths.field(at, "url"),
            "must not be blank; give where the output is stored, e.g. s3://bucket/out.txt");
      }
      String pathAt = JsonPaths.field(at, "path");
      boolean pathOk = containerPath(pathAt, output.path(), true, "/data/outfile");
      if (pathOk) {
        duplicate(firstPathAt, pathAt, output.path(), "output");
      }
      pathPrefix(JsonPaths.field(at, "path_prefix"), output, pathOk);
    }
  }

  private void pathPrefix(String at, Output output, boolean pathOk) {
    String path = output.path();
    String prefix = output.pathPrefix();
    if (path == null) {
      return; // reported at path; whether path_prefix belongs depends on it
    }
    boolean wildcards = hasWildcard(path);
    if (!wildcards) {
      if (prefix != null) {
        add(
            at,
            "path_prefix is only allowed when path has wildcards (*, ?, [...]); TES ignores it"
                + " otherwise");
      }
      return;
    }
    String suggestion = staticParent(path);
    String example =
        suggestion == null ? "" : "; for " + Texts.quote(path) + " use " + Texts.quote(suggestion);
    if (prefix == null) {
      add(
          at,
          "path has wildcards, so path_prefix is required: the part of the path stripped before"
              + " appending to url"
              + example);
      return;
    }
    if (!containerPath(at, prefix, true, "/data")) {
      return;
    }
    if (hasWildcard(prefix)) {
      add(
          at,
          "must not contain wildcards (*, ?, [...]), was "
              + Texts.quote(prefix)
              + "; it is the directory stripped from each match"
              + example);
      return;
    }
    if (pathOk && !isDirectoryPrefix(prefix, path)) {
      add(
          at,
          Texts.quote(prefix)
              + " is not a directory prefix of path "
              + Texts.quote(path)
              + ": it must name a directory the path starts with"
              + example);
    }
  }

  private void resources(Resources resources, String at) {
    notNegative(JsonPaths.field(at, "cpu_cores"), resources.cpuCores());
    notNegative(JsonPaths.field(at, "ram_gb"), resources.ramGb());
    notNegative(JsonPaths.field(at, "disk_gb"), resources.diskGb());
    List<String> zones = resources.zones();
    for (int i = 0; i < zones.size(); i++) {
      if (zones.get(i).isBlank()) {
        add(JsonPaths.index(JsonPaths.field(at, "zones"), i), "a zone must not be blank");
      }
    }
    String parametersAt = JsonPaths.field(at, "backend_parameters");
    Map<String, String> firstKey = new HashMap<>();
    for (String key : resources.backendParameters().keySet()) {
      String keyAt = JsonPaths.field(parametersAt, key);
      if (key.isBlank()) {
        add(keyAt, "a backend parameter name must not be blank");
        continue;
      }
      String earlier = firstKey.putIfAbsent(key.toLowerCase(Locale.ROOT), key);
      if (earlier != null) {
        add(
            keyAt,
            "duplicate backend parameter "
                + Texts.quote(key)
                + ": keys are case-insensitive, and "
                + Texts.quote(earlier)
                + " is also set");
      }
    }
  }

  private void notNegative(String at, Double value) {
    if (value == null) {
      return;
    }
    if (!Double.isFinite(value)) {
      add(at, "must be a finite number, was " + Texts.number(value));
    } else if (value < 0) {
      add(at, "must not be negative, was " + Texts.number(value));
    }
  }

  private void executors(List<Executor> executors) {
    if (executors.isEmpty()) {
      add(
          "executors",
          "must contain at least one executor: the container image and command to run");
      return;
    }
    for (int i = 0; i < executors.size(); i++) {
      executor(executors.get(i), JsonPaths.index("executors", i));
    }
  }

  private void executor(Executor executor, String at) {
    // Paths are made into text only for a violation: a valid executor, the usual case, builds none.
    String image = executor.image();
    if (image == null) {
      add(at, "image", "is required; give the container image to run, e.g. ubuntu:22.04");
    } else if (image.isBlank()) {
      add(at, "image", "must not be blank; give the container image to run, e.g. ubuntu:22.04");
    } else if (anyChar(image, Character::isWhitespace)) {
      add(at, "image", "must not contain whitespace, was " + Texts.quote(image));
    } else if (anyChar(image, Character::isISOControl)) {
      add(at, "image", "must not contain control characters, was " + Texts.quote(image));
    } else if (image.startsWith("-")) {
      // docker, podman and apptainer would read it as one of their own options (--privileged)
      add(
          at,
          "image",
          "must not start with '-', was "
              + Texts.quote(image)
              + "; an image is a name such as ubuntu:22.04 or registry.example.org/team/tool:1.2,"
              + " never an option");
    }
    List<String> command = executor.command();
    if (command.isEmpty()) {
      add(
          at,
          "command",
          "must not be empty; give the program to run, then its arguments, e.g. [\"echo\", \"hello\"]");
    } else if (command.get(0).isBlank()) {
      add(
          JsonPaths.index(JsonPaths.field(at, "command"), 0),
          "the first element is the program to run and must not be blank");
    }
    containerPath(at, "workdir", executor.workdir(), false, "/data");
    containerPath(at, "stdin", executor.stdin(), false, "/data/file1");
    containerPath(at, "stdout", executor.stdout(), false, "/tmp/stdout.log");
    containerPath(at, "stderr", executor.stderr(), false, "/tmp/stderr.log");
    for (String name : executor.env().keySet()) {
      if (!ENV_NAME.matcher(name).matches()) {
        add(
            JsonPaths.field(JsonPaths.field(at, "env"), name),
            "invalid environment variable name "
                + Texts.quote(name)
                + ": must start with a letter or underscore and hold only letters, digits and"
                + " underscores");
      }
    }
  }

  private static boolean anyChar(String text, java.util.function.IntPredicate test) {
    for (int i = 0; i < text.length(); i++) {
      if (test.test(text.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  private void volumes(List<String> volumes) {
    Map<String, String> firstPathAt = new HashMap<>();
    for (int i = 0; i < volumes.size(); i++) {
      String at = JsonPaths.index("volumes", i);
      if (containerPath(at, volumes.get(i), true, "/vol/A")) {
        duplicate(firstPathAt, at, volumes.get(i), "volume");
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Paths inside the container.

  /** As {@link #containerPath(String, String, boolean, String)} for the field {@code field} of {@code parent}. */
  private boolean containerPath(String parent, String field, String path, boolean required, String example) {
    // The usual cases, without making the field's path into text: unset and optional, or valid.
    if (path == null && !required) {
      return false;
    }
    if (path != null && path.startsWith("/") && !path.contains("..")) {
      return true;
    }
    return containerPath(JsonPaths.field(parent, field), path, required, example);
  }

  /**
   * Checks a container path: when set (or when {@code required}), it must be absolute and hold no
   * {@code ..} segment. Returns whether it is set and valid.
   */
  private boolean containerPath(String at, String path, boolean required, String example) {
    if (path == null) {
      if (required) {
        add(at, "is required; give an absolute path inside the container, e.g. " + example);
      }
      return false;
    }
    if (path.isBlank()) {
      add(at, "must not be blank; give an absolute path inside the container, e.g. " + example);
      return false;
    }
    if (!path.startsWith("/")) {
      add(
          at,
          "must be an absolute path inside the container (starting with /), was "
              + Texts.quote(path));
      return false;
    }
    for (String segment : path.split("/", -1)) {
      if (segment.equals("..")) {
        add(at, "must not contain a '..' segment, was " + Texts.quote(path));
        return false;
      }
    }
    return true;
  }

  /** Records {@code path} and reports it when an earlier element has the same path. */
  private void duplicate(Map<String, String> firstPathAt, String at, String path, String kind) {
    String earlier = firstPathAt.putIfAbsent(normalize(path), at);
    if (earlier != null) {
      add(at, "duplicate " + kind + " path " + Texts.quote(path) + " (also " + earlier + ")");
    }
  }

  /** The same path written one way: no repeated {@code /}, no {@code .} segment, no trailing /. */
  private static String normalize(String path) {
    StringBuilder normal = new StringBuilder();
    for (String segment : path.split("/")) {
      if (!segment.isEmpty() && !segment.equals(".")) {
        normal.append('/').append(segment);
      }
    }
    return normal.length() == 0 ? "/" : normal.toString();
  }

  private static boolean hasWildcard(String path) {
    for (int i = 0; i < path.length(); i++) {
      if (WILDCARDS.indexOf(path.charAt(i)) >= 0) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code prefix} names a directory that {@code path} is inside. */
  private static boolean isDirectoryPrefix(String prefix, String path) {
    String directory = normalize(prefix);
    String normalPath = normalize(path);
    return directory.equals("/") || normalPath.startsWith(directory + "/");
  }

  /** The longest directory of {@code path} before its first wildcard segment, or {@code null}. */
  private static String staticParent(String path) {
    if (!path.startsWith("/")) {
      return null;
    }
    StringBuilder parent = new StringBuilder();
    for (String segment : normalize(path).substring(1).split("/")) {
      if (hasWildcard(segment)) {
        return parent.length() == 0 ? "/" : parent.toString();
      }
      parent.append('/').append(segment);
    }
    return null;
  }

  private void add(String path, String message) {
    violations.add(new Violation(path, message));
  }

  private void add(String parent, String field, String message) {
    add(JsonPaths.field(parent, field), message);
  }
}
