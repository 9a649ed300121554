package io.tes4j.backend.pulsar.internal;

import io.tes4j.backend.pulsar.PulsarRuntime;
import io.tes4j.model.Executor;
import io.tes4j.model.Input;
import io.tes4j.model.Output;
import io.tes4j.model.Resources;
import io.tes4j.model.Task;
import io.tes4j.model.Violation;
import io.tes4j.model.internal.ImageReferences;
import io.tes4j.model.internal.JsonPaths;
import io.tes4j.model.internal.Texts;
import io.tes4j.transfer.Stager;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The one bash command line a Pulsar job runs for a TES task: it prepares the job's directories,
 * runs the executors in order, each in its container ({@link PulsarRuntime}), and leaves each
 * one's streams, exit code and times in the job's {@code metadata/} directory. Pulsar embeds the
 * text in its job script as {@code TEXT; return_code=$?; ...} and runs it with {@code /bin/bash}
 * in {@code working/}, with no {@code set -e}.
 *
 * <h2>What the command line does</h2>
 *
 * <ol>
 *   <li>Creates, under {@code outputs/}, the directory of every output (a FILE output's parent, a
 *       DIRECTORY output itself, a wildcard output's fixed part before its first wildcard) and
 *       every volume, and the parent of the host file of every executor's {@code stdout} and
 *       {@code stderr}; an empty file for a FILE output directly under {@code /}, which is
 *       mounted as a file since a container's {@code /} cannot be; and, for the container
 *       runtimes, the mount point of every mount nested in a mount of the other source (an input
 *       inside an output directory, an output directory inside an input), see {@link MountPlan}.
 *       If that fails, no executor runs and the status is the failing step's (with no {@code .rc}
 *       file written; the step's message is on the job's stderr).
 *   <li>For executor {@code i}: writes the start time to {@code metadata/tes_exec_i.start}, runs
 *       the executor with its stdout in {@code metadata/tes_exec_i.stdout}, its stderr in {@code
 *       .stderr} and its stdin from the host file of its {@code stdin} ({@code /dev/null} when it
 *       has none), writes its exit code (a decimal number and a line break) to {@code .rc} and the
 *       end time to {@code .end}, deletes its env file, then copies the captured stdout and stderr
 *       to the host places of the executor's TES {@code stdout} and {@code stderr} paths (so later
 *       executors and the outputs see them; a failed copy is reported on the job's stderr and the
 *       run goes on).
 *   <li>A non-zero exit code stops the chain unless the executor has {@code ignore_error}: the
 *       env files not yet deleted are deleted, later executors do not run (no {@code .rc}), and
 *       the command line's status is that exit code. Otherwise the status is 0.
 * </ol>
 *
 * <p><b>Times</b> are written by {@code date -u +%Y-%m-%dT%H:%M:%S.%NZ} (GNU date): ISO-8601 in
 * UTC with nanoseconds and a line break, e.g. {@code 2026-11-22T10:15:30.123456789Z}; {@link
 * #parseTime} reads them.
 *
 * <p><b>Where a container path is on the Pulsar host</b> follows the {@link JobLayout} rule: an
 * input at {@code inputs/} + path, an output directory or volume at {@code outputs/} + path; any
 * other path (a {@code stdout} file under no mount) under the deepest mount covering it, else at
 * {@code outputs/} + path.
 *
 * <h2>Runtimes (one executor each)</h2>
 *
 * <pre>
 * docker: docker run --rm --name=tes4j-JOB-0 [-i] [--cpus=N] [--memory=BYTES]
 *     --volume=HOST:CONTAINER[:ro]... [--workdir=W] [--env-file=metadata/tes_env_0.list]
 *     --entrypoint=ARGV0 -- IMAGE ARGV1...
 * apptainer, singularity: ( unset every APPTAINERENV_* and SINGULARITYENV_*;
 *     . metadata/tes_env_0.list &amp;&amp; exec apptainer exec --containall --no-eval [--pwd=W]
 *     --bind=HOST:CONTAINER[:ro]... [--cpus=N] [--memory=BYTES] -- IMAGE ARGV... )
 * none: ( cd -- W &amp;&amp; . metadata/tes_env_0.list &amp;&amp; exec -- ARGV... )
 * </pre>
 *
 * <p><b>docker</b>: {@code --entrypoint} makes the command the whole argv, whatever entrypoint
 * the image declares; {@code -i} only when the executor has a {@code stdin}. The container is
 * named {@code tes4j-JOB-INDEX} ({@link #containerNames}): Pulsar's cancel kills the {@code
 * docker} client, not the container, so a cancel also submits {@link #removeContainersCommand}.
 * {@code --cpus} and {@code --memory} are enforced by docker.
 *
 * <p><b>apptainer and singularity</b>: {@code --containall} gives the executor its own PID and
 * IPC namespaces, an empty {@code /tmp} and home, and none of the job's environment; {@code
 * --no-eval} (apptainer 1.1+, SingularityCE 3.10+) passes environment values as they are. An image
 * reference such as {@code alpine:3.20} is run as {@code docker://alpine:3.20}; {@code docker://},
 * {@code oras://}, {@code library://} and {@code shub://} images are passed as they are. {@code
 * --cpus} and {@code --memory} are enforced only where the runtime has cgroups (apptainer 1.1+, as
 * root or with cgroups v2 delegated); elsewhere the runtime refuses them and the executor fails.
 *
 * <p><b>none</b>: no container image: the executor's argv runs with the Pulsar host's own
 * programs, as Pulsar runs Galaxy tools, as the Pulsar user, in a bubblewrap sandbox ({@link
 * #NONE_PRELUDE}) that shows the host's system directories read-only and the task's files at their
 * paths, mounted as for a container; it needs {@code bwrap} on the Pulsar host (or its cluster
 * nodes), and says so in the job's stderr where it is missing. The environment is the job's
 * (Pulsar's {@code PATH}...) with {@code HOME} and {@code TMPDIR} at the sandbox's {@code /tmp},
 * plus the executor's own.
 *
 * <h2>Safety</h2>
 *
 * <p><b>Nothing the task chose is read by bash.</b> Every word of the command line that holds a
 * value (image, argv, paths, names, workdir, and the layout's directories) is single-quoted
 * ({@link ShellQuote}), so quotes, {@code $(...)}, backquotes, line breaks, globs, {@code ;} and
 * {@code &&} reach the runtime as they are, each argument as one word. A NUL, which bash cannot
 * carry, is refused by {@link #check}. Redirections are written by this class only.
 *
 * <p><b>Nothing the task chose becomes an option.</b> Every runtime option is one word {@code
 * --option=value}, and the options end with {@code --}; the image of docker must be a reference
 * of the distribution grammar (never starting with {@code -}, never holding {@code =}); paths are
 * absolute; mounted paths hold no {@code :} (nor {@code ,} for apptainer), which would split a
 * {@code --volume} or {@code --bind} value.
 *
 * <p><b>No environment value on the command line.</b> Pulsar logs the command line and writes it
 * into the job directory, and a process's argv is visible to every local user. Executor {@code
 * i}'s environment therefore goes in {@code metadata/tes_env_i.list} ({@link
 * #environmentFiles}), uploaded by the backend before the submit and deleted by the command line
 * as soon as the executor ended (or when the chain stops; a job killed by a cancel leaves them
 * until the job directory is deleted). For docker the file is an env file, {@code NAME=value}
 * lines read as they are (no quotes, no expansion), so a value cannot hold a line break and a
 * line is at most 65,535 bytes. For apptainer and singularity, as the local backend does it, each
 * variable reaches the runtime's own process environment as {@code APPTAINERENV_NAME} (and {@code
 * SINGULARITYENV_NAME} for singularity), which the runtime sets as {@code NAME} inside the
 * container even with {@code --containall}: the file is bash, {@code export
 * APPTAINERENV_NAME='value' || return 1} lines with single-quoted values, read with {@code .} in
 * the executor's subshell, after every inherited variable of these prefixes is unset. For none
 * the file is the same without prefix. A prefixed name steers nothing of the runtime, and the
 * variables are set in the executor's subshell only, never in the command line's own shell.
 *
 * <p>The command line does not depend on bash options: it never relies on {@code set -e} to stop
 * the chain, keeps working under it (every status is taken with {@code ||}) and under {@code
 * noclobber} (files are written with {@code >|}), and leaves Pulsar's appended {@code ;
 * return_code=$?} valid: the text is one subshell, {@code ( ... )}, whose status is the result.
 */
public final class JobScript {
  /** The {@code date} format of the {@code .start} and {@code .end} files (with {@code date -u}). */
  public static final String TIME_FORMAT = "+%Y-%m-%dT%H:%M:%S.%NZ";

  /** The longest {@code NAME=value} line docker reads from an env file (Go's bufio.Scanner). */
  static final int MAX_ENV_LINE_BYTES = 65_535;

  /** The most of an executor's stdout and stderr kept in its log: their last 64 KiB. */
  public static final int STREAM_TAIL_BYTES = 64 * 1024;

  /**
   * The file of the job's {@code metadata/} where the command line writes its exit status as it
   * ends, whatever the way ({@code trap ... EXIT}). Pulsar keeps saying {@code running} for a job
   * whose process it could not take over after a restart, even once that process ended: this file
   * tells the backend that the job is over.
   */
  public static final String EXIT_MARKER = "tes4j_exit";

  /** docker's {@code --user}: the uid and gid of the Pulsar user, as the job's shell reads them. */
  static final String RUN_AS_PULSAR_USER = "\"--user=$(id -u):$(id -g)\"";

  /**
   * The longest {@code NAME=value} an executor may have for the other runtimes, in UTF-8 bytes:
   * the kernel takes at most 128 KiB for one environment string, and apptainer and singularity
   * get each under a prefix of up to 15 characters ({@code SINGULARITYENV_}).
   */
  static final int MAX_ENV_ENTRY_BYTES = 128 * 1024 - 1 - 16;

  /** A name every runtime and shell takes as it is. */
  static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** What docker takes as a container name. */
  private static final Pattern CONTAINER_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");

  /**
   * Text Pulsar replaces in a command line when the submit also sets the job up ({@code
   * setup_params}): a value holding it would not reach the runtime as written.
   */
  static final String PULSAR_PLACEHOLDER = "__PULSAR_JOBS_DIRECTORY__";

  /** The schemes apptainer and singularity pull from that are passed on (as in the local backend). */
  private static final String APPTAINER_IMAGES =
      "use docker://, oras://, library:// or shub://, or an image reference such as alpine:3.20 (read as"
          + " docker://)";

  private JobScript() {}

  // ---------------------------------------------------------------------------------------------
  // check

  /**
   * What of {@code task} this backend could never run with {@code runtime}, one violation per
   * field at fault (its JSON path, e.g. {@code executors[0].image}, and what is wrong and what is
   * allowed; a message never holds an environment value):
   *
   * <ul>
   *   <li>no executor, an executor with no command or an empty program ({@code command[0]});
   *   <li>a path ({@code inputs[i].path}, {@code outputs[i].path}, {@code volumes[i]}, an
   *       executor's {@code workdir}, {@code stdin}, {@code stdout}, {@code stderr}) that is not
   *       absolute or holds a {@code ..} segment;
   *   <li>a value for the command line (image, argv, paths) holding a NUL, an unpaired UTF-16
   *       surrogate, or {@value #PULSAR_PLACEHOLDER};
   *   <li>an environment name that is not {@code [A-Za-z_][A-Za-z0-9_]*}, a value holding a NUL or
   *       an unpaired surrogate; for docker a value with a line break or a {@code NAME=value}
   *       longer than {@value #MAX_ENV_LINE_BYTES} bytes, for the others longer than {@value
   *       #MAX_ENV_ENTRY_BYTES} bytes;
   *   <li>a {@code stdin} that is neither an input's path (or below an input directory) nor below
   *       an output's directory or a volume;
   *   <li>for docker, an image that is not a reference of the distribution grammar (which also
   *       refuses a scheme and every local path); for apptainer and singularity, an image that is
   *       a local path, a scheme other than {@code docker://}, {@code oras://}, {@code library://},
   *       {@code shub://}, or not a valid image of its scheme;
   *   <li>for the container runtimes, a mount they cannot make: a path at {@code /}, an input and
   *       something writable at the same path, a mounted path holding {@code :} (and, for
   *       apptainer and singularity, {@code ,}).
   * </ul>
   *
   * <p>For {@link PulsarRuntime#NONE}, the image is not used; the mounts are checked as for the
   * container runtimes, since bubblewrap makes them, but a {@code :} or {@code ,} in a path is fine.
   *
   * @return the violations, in the task's order; empty when the task can run
   */
  public static List<Violation> check(Task task, PulsarRuntime runtime) {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(runtime, "runtime");
    List<Violation> violations = new ArrayList<>();
    if (task.executors().isEmpty()) {
      violations.add(new Violation("executors", "at least one executor is required"));
    }
    for (int i = 0; i < task.inputs().size(); i++) {
      Input input = task.inputs().get(i);
      String field = JsonPaths.index("inputs", i);
      if (input == null) {
        violations.add(new Violation(field, "must not be null"));
      } else {
        checkPath(violations, JsonPaths.field(field, "path"), input.path(), true);
      }
    }
    for (int i = 0; i < task.outputs().size(); i++) {
      Output output = task.outputs().get(i);
      String field = JsonPaths.index("outputs", i);
      if (output == null) {
        violations.add(new Violation(field, "must not be null"));
      } else {
        checkPath(violations, JsonPaths.field(field, "path"), output.path(), true);
      }
    }
    for (int i = 0; i < task.volumes().size(); i++) {
      checkPath(violations, JsonPaths.index("volumes", i), task.volumes().get(i), true);
    }
    MountPlan plan = MountPlan.of(task);
    violations.addAll(plan.problems());
    if (runtime != PulsarRuntime.NONE) {
      checkMountedPaths(violations, plan, runtime); // bwrap takes each path as an argument of its own
    }
    for (int i = 0; i < task.executors().size(); i++) {
      Executor executor = task.executors().get(i);
      String field = JsonPaths.index("executors", i);
      if (executor == null) {
        violations.add(new Violation(field, "must not be null"));
        continue;
      }
      if (runtime != PulsarRuntime.NONE) {
        checkImage(violations, JsonPaths.field(field, "image"), executor.image(), runtime);
      }
      checkCommand(violations, field, executor.command());
      checkPath(violations, JsonPaths.field(field, "workdir"), executor.workdir(), false);
      checkPath(violations, JsonPaths.field(field, "stdout"), executor.stdout(), false);
      checkPath(violations, JsonPaths.field(field, "stderr"), executor.stderr(), false);
      String stdinField = JsonPaths.field(field, "stdin");
      if (checkPath(violations, stdinField, executor.stdin(), false)
          && !plan.isReadable(Stager.normalize(executor.stdin()))) {
        violations.add(new Violation(stdinField, Texts.quote(executor.stdin()) + " is not in the job: a stdin"
            + " must be an input's path (or below an input directory), or below an output's directory or a"
            + " volume, where an earlier executor wrote it"));
      }
      checkEnvironment(violations, field, executor.env(), runtime);
    }
    return firstPerField(violations);
  }

  /** Adds why {@code path} cannot be placed; returns whether it is set and valid. */
  private static boolean checkPath(List<Violation> violations, String field, String path, boolean required) {
    if (path == null) {
      if (required) {
        violations.add(new Violation(field, "is required; give an absolute path, e.g. /data/file.txt"));
      }
      return false;
    }
    String problem = textProblem(path);
    if (problem != null) {
      violations.add(new Violation(field, problem));
      return false;
    }
    if (!path.startsWith("/")) {
      violations.add(new Violation(field, "must be an absolute path (starting with /), was " + Texts.quote(path)));
      return false;
    }
    if (!MountPlan.isValidPath(path)) {
      violations.add(new Violation(field, "must not hold a '..' segment, was " + Texts.quote(path)));
      return false;
    }
    return true;
  }

  /** Why {@code value} cannot reach the runtime byte for byte through the command line, or {@code null}. */
  private static String textProblem(String value) {
    if (value.indexOf('\0') >= 0) {
      return "holds a NUL character, which bash cannot pass in an argument";
    }
    if (hasUnpairedSurrogate(value)) {
      return "holds an unpaired UTF-16 surrogate (\\ud800 to \\udfff), which has no UTF-8 form";
    }
    if (value.contains(PULSAR_PLACEHOLDER)) {
      return "holds " + PULSAR_PLACEHOLDER + ", which Pulsar replaces in a command line by its jobs directory";
    }
    return null;
  }

  private static boolean hasUnpairedSurrogate(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  /** Mounted paths whose {@code :} (or {@code ,}) would split a {@code --volume} or {@code --bind} value. */
  private static void checkMountedPaths(List<Violation> violations, MountPlan plan, PulsarRuntime runtime) {
    String separators = runtime == PulsarRuntime.DOCKER ? ":" : ":,";
    String option = runtime == PulsarRuntime.DOCKER ? "--volume=HOST:CONTAINER[:ro]" : "--bind=HOST:CONTAINER[:ro]";
    for (ContainerMount mount : plan.allMounts()) {
      String path = mount.containerPath();
      if (path.chars().anyMatch(c -> separators.indexOf(c) >= 0)) {
        violations.add(new Violation(mount.field(), "runtime=" + runtime.parameter() + " mounts "
            + Texts.quote(path) + " with " + option + ", which separates fields with "
            + (separators.length() == 1 ? "':'" : "':' and ','") + ": a mounted path cannot hold "
            + (separators.length() == 1 ? "':'" : "either")));
      }
    }
  }

  private static void checkImage(List<Violation> violations, String field, String image, PulsarRuntime runtime) {
    if (image == null || image.isBlank()) {
      violations.add(new Violation(field, "is required for runtime=" + runtime.parameter()));
      return;
    }
    String problem = textProblem(image);
    if (problem == null) {
      problem = runtime == PulsarRuntime.DOCKER ? dockerImageProblem(image) : apptainerImage(image, runtime).problem();
    }
    if (problem != null) {
      violations.add(new Violation(field, problem));
    }
  }

  private static String dockerImageProblem(String image) {
    if (ImageReferences.isValid(image)) {
      return null;
    }
    String hint = image.contains("://")
        ? " (a scheme such as docker:// is not part of a reference)"
        : image.startsWith("/") || image.startsWith(".")
            ? " (a local image file cannot be run: docker on the Pulsar host pulls images by reference)"
            : "";
    return "runtime=docker needs " + ImageReferences.GRAMMAR + "; was " + Texts.quote(image) + hint;
  }

  /**
   * The image as apptainer or singularity gets it, or why not.
   *
   * @param argument what follows {@code --}, or {@code null}
   * @param problem why not, or {@code null}
   */
  record ApptainerImage(String argument, String problem) {}

  /** Reads {@code image} (not blank) as the class comment says. */
  static ApptainerImage apptainerImage(String image, PulsarRuntime runtime) {
    String name = runtime.parameter();
    if (image.contains("://")) {
      return ImageReferences.apptainerUriProblem(image, name, APPTAINER_IMAGES)
          .map(problem -> new ApptainerImage(null, problem))
          .orElseGet(() -> new ApptainerImage(image, null));
    }
    if (image.startsWith("/") || image.startsWith(".") || image.endsWith(".sif") || image.endsWith(".simg")
        || image.endsWith(".sqsh")) {
      return new ApptainerImage(null, "runtime=" + name + " takes no local image on Pulsar: "
          + Texts.quote(image) + " would name a file of the Pulsar host, outside the task; " + APPTAINER_IMAGES);
    }
    if (!ImageReferences.isValid(image)) {
      return new ApptainerImage(null, "runtime=" + name + " cannot read " + Texts.quote(image) + " as an image; "
          + APPTAINER_IMAGES);
    }
    return new ApptainerImage("docker://" + image, null);
  }

  private static void checkCommand(List<Violation> violations, String executorField, List<String> command) {
    String field = JsonPaths.field(executorField, "command");
    if (command.isEmpty()) {
      violations.add(new Violation(field, "is required: the program and its arguments, e.g. [\"echo\", \"hi\"]"));
      return;
    }
    for (int j = 0; j < command.size(); j++) {
      String argument = command.get(j);
      String at = JsonPaths.index(field, j);
      if (argument == null) {
        violations.add(new Violation(at, "must not be null"));
        continue;
      }
      String problem = textProblem(argument);
      if (problem != null) {
        violations.add(new Violation(at, problem));
      } else if (j == 0 && argument.isEmpty()) {
        violations.add(new Violation(at, "the program must not be empty"));
      }
    }
  }

  private static void checkEnvironment(
      List<Violation> violations, String executorField, Map<String, String> env, PulsarRuntime runtime) {
    String envField = JsonPaths.field(executorField, "env");
    env.forEach((name, value) -> {
      String field = JsonPaths.field(envField, name);
      if (!ENV_NAME.matcher(name).matches()) {
        violations.add(new Violation(field, "invalid environment variable name " + Texts.quote(name)
            + ": must start with a letter or underscore and hold only letters, digits and underscores"));
      } else if (value == null) {
        violations.add(new Violation(field, "has no value; give a string (it may be empty)"));
      } else if (value.indexOf('\0') >= 0) {
        violations.add(new Violation(field, "the value holds a NUL character, which no environment can carry"));
      } else if (hasUnpairedSurrogate(value)) {
        violations.add(new Violation(field, "the value holds an unpaired UTF-16 surrogate, which has no UTF-8"
            + " form"));
      } else if (runtime == PulsarRuntime.DOCKER && (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0)) {
        violations.add(new Violation(field, "runtime=docker passes environment values in an env file, one"
            + " NAME=value line each, to keep them off command lines: a value cannot hold a line break (\\n or"
            + " \\r); pass it as an input file, or use runtime=apptainer or singularity"));
      } else if (runtime == PulsarRuntime.DOCKER && entryBytes(name, value) > MAX_ENV_LINE_BYTES) {
        violations.add(new Violation(field, "runtime=docker passes environment values in an env file, whose"
            + " NAME=value lines are at most " + MAX_ENV_LINE_BYTES + " bytes (UTF-8); pass a value this large as"
            + " an input file"));
      } else if (entryBytes(name, value) > MAX_ENV_ENTRY_BYTES) {
        violations.add(new Violation(field, "NAME=value must be at most " + MAX_ENV_ENTRY_BYTES + " bytes (UTF-8):"
            + " the kernel refuses a larger environment entry; pass a value this large as an input file"));
      }
    });
  }

  private static int entryBytes(String name, String value) {
    return name.length() + 1 + value.getBytes(StandardCharsets.UTF_8).length;
  }

  /** The first violation of each field: one message per field, in order. */
  private static List<Violation> firstPerField(List<Violation> violations) {
    Map<String, Violation> first = new LinkedHashMap<>();
    violations.forEach(v -> first.putIfAbsent(v.path(), v));
    return List.copyOf(first.values());
  }

  /** {@link #check}, as an exception naming every violation. */
  private static void requireRunnable(Task task, PulsarRuntime runtime) {
    List<Violation> violations = check(task, runtime);
    if (!violations.isEmpty()) {
      throw new IllegalArgumentException("the task cannot run on Pulsar with runtime=" + runtime.parameter() + ": "
          + violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // the command line

  /**
   * The bash text Pulsar runs for {@code task} (see the class comment): valid for {@code bash -n},
   * one subshell whose status is the first failing executor's exit code that was not ignored,
   * else 0.
   *
   * @param layout the job's directories, as Pulsar's setup answered
   * @throws IllegalArgumentException when {@link #check} finds a violation, or the layout cannot
   *     be used (a directory not absolute; for docker a mounted one holding {@code :}, or a job id
   *     that cannot name a container; for apptainer and singularity one holding {@code :} or
   *     {@code ,})
   */
  public static String commandLine(Task task, JobLayout layout, PulsarRuntime runtime) {
    Objects.requireNonNull(layout, "layout");
    requireRunnable(task, runtime);
    requireUsable(layout, runtime);
    MountPlan plan = MountPlan.of(task);
    List<String> environmentFiles = new ArrayList<>();
    for (int i = 0; i < task.executors().size(); i++) {
      if (!task.executors().get(i).env().isEmpty()) {
        environmentFiles.add(metadataFile(layout, environmentFileName(i)));
      }
    }

    StringBuilder text = new StringBuilder("(\n");
    // The whole text is a subshell: `exit` ends it only, and Pulsar's appended
    // `; return_code=$?` reads its status.
    line(text, "tes4j_remove_environment_files() { "
        + (environmentFiles.isEmpty() ? ":" : commandWords(List.of("rm", "-f", "--"), environmentFiles)) + "; }");
    line(text, "tes4j_fail() { tes4j_remove_environment_files; exit \"$1\"; }");
    line(text, "trap 'echo \"$?\" >| " + ShellQuote.quote(metadataFile(layout, EXIT_MARKER)).replace("'", "'\\''")
        + "' EXIT");
    if (runtime == PulsarRuntime.NONE) {
      text.append(NONE_PRELUDE).append('\n');
    }
    prepareDirectories(text, task, layout, runtime, plan);
    for (int i = 0; i < task.executors().size(); i++) {
      runExecutor(text, task, i, layout, runtime, plan);
    }
    text.append("exit 0\n)");
    return text.toString();
  }

  private static void requireUsable(JobLayout layout, PulsarRuntime runtime) {
    Map<String, String> directories = new LinkedHashMap<>();
    directories.put("jobDirectory", layout.jobDirectory());
    directories.put("inputsDirectory", layout.inputsDirectory());
    directories.put("outputsDirectory", layout.outputsDirectory());
    directories.put("metadataDirectory", layout.metadataDirectory());
    directories.put("workingDirectory", layout.workingDirectory());
    directories.forEach((name, directory) -> {
      if (!MountPlan.isValidPath(directory)) {
        throw new IllegalArgumentException("the job layout's " + name + " must be an absolute path with no '..'"
            + " and no NUL, was " + Texts.quote(directory));
      }
    });
    String separators = switch (runtime) {
      case DOCKER -> ":";
      case APPTAINER, SINGULARITY -> ":,";
      case NONE -> "";
    };
    for (String directory : List.of(layout.inputsDirectory(), layout.outputsDirectory())) {
      if (directory.chars().anyMatch(c -> separators.indexOf(c) >= 0)) {
        throw new IllegalArgumentException("runtime=" + runtime.parameter() + " cannot mount from "
            + Texts.quote(directory) + ": its mount option separates fields with " + Texts.quote(separators));
      }
    }
    if (runtime == PulsarRuntime.DOCKER) {
      requireContainerName(containerName(layout.jobId(), 0));
    }
  }

  /** Creates the output directories, volumes, stdout/stderr parents and mount points; stops on failure. */
  private static void prepareDirectories(
      StringBuilder text, Task task, JobLayout layout, PulsarRuntime runtime, MountPlan plan) {
    List<String> directories = new ArrayList<>();
    for (String directory : plan.writableDirectories()) {
      addOnce(directories, MountPlan.join(layout.outputsDirectory(), directory));
    }
    // A stream file is placed under its deepest covering mount's source, never inside the mount
    // point of a nested mount (that lies in the parent's source), so one mkdir creates all.
    for (Executor executor : task.executors()) {
      for (String path : new String[] {executor.stdout(), executor.stderr()}) {
        if (path != null) {
          addOnce(directories, hostParent(plan.hostPath(layout, path)));
        }
      }
    }
    if (!directories.isEmpty()) {
      line(text, commandWords(List.of("mkdir", "-p", "--"), directories) + " || tes4j_fail \"$?\"");
    }
    for (String file : plan.writableFiles()) {
      line(text, ": >> " + ShellQuote.quote(MountPlan.join(layout.outputsDirectory(), file)) + " || tes4j_fail \"$?\"");
    }
    // A mount inside a mount of the other source needs its mount point in the parent's host
    // directory, which the container may see read-only: create it now. An input's is a
    // directory or a file as the staged input is.
    for (ContainerMount mount : plan.mounts()) {
      plan.mountPointParent(mount).ifPresent(parent -> {
        String mountPoint = MountPlan.join(parent.hostBase(layout), mount.containerPath());
        String point = ShellQuote.quote(mountPoint);
        String create = mount.kind() == ContainerMount.Kind.INPUT
            ? "if [ -d " + ShellQuote.quote(mount.hostPath(layout)) + " ]; then mkdir -p -- " + point
                + "; else mkdir -p -- " + ShellQuote.quote(hostParent(mountPoint)) + " && : >> " + point + "; fi"
            : "mkdir -p -- " + point;
        line(text, "if [ ! -e " + point + " ]; then " + create + "; fi || tes4j_fail \"$?\"");
      });
    }
  }

  private static void runExecutor(
      StringBuilder text, Task task, int index, JobLayout layout, PulsarRuntime runtime, MountPlan plan) {
    Executor executor = task.executors().get(index);
    String environmentFile = executor.env().isEmpty() ? null : metadataFile(layout, environmentFileName(index));
    String stdout = metadataFile(layout, JobLayout.executorFile(index, "stdout"));
    String stderr = metadataFile(layout, JobLayout.executorFile(index, "stderr"));
    String stdin = executor.stdin() == null ? "/dev/null" : plan.hostPath(layout, executor.stdin());
    String now = "date -u " + ShellQuote.quote(TIME_FORMAT);

    line(text, "# executor " + index);
    line(text, now + " >| " + ShellQuote.quote(metadataFile(layout, JobLayout.executorFile(index, "start"))));
    line(text, "tes4j_status=0");
    // The stream files first, so that a stdin that cannot be opened is reported in this executor's stderr.
    line(text, run(task, index, layout, runtime, plan, environmentFile)
        + " >| " + ShellQuote.quote(stdout) + " 2>| " + ShellQuote.quote(stderr) + " < " + ShellQuote.quote(stdin)
        + " || tes4j_status=$?");
    // The ends of the streams, which the executor's log keeps: the backend downloads these, never
    // a stream of many gigabytes. Before the exit code, whose file says the executor ended.
    for (String stream : List.of("stdout", "stderr")) {
      String captured = stream.equals("stdout") ? stdout : stderr;
      line(text, "tail -c " + STREAM_TAIL_BYTES + " -- " + ShellQuote.quote(captured) + " >| "
          + ShellQuote.quote(metadataFile(layout, JobLayout.executorFile(index, stream + ".tail"))) + " || :");
    }
    line(text, "printf '%s\\n' \"$tes4j_status\" >| "
        + ShellQuote.quote(metadataFile(layout, JobLayout.executorFile(index, "rc"))));
    line(text, now + " >| " + ShellQuote.quote(metadataFile(layout, JobLayout.executorFile(index, "end"))));
    if (environmentFile != null) {
      line(text, "rm -f -- " + ShellQuote.quote(environmentFile));
    }
    copyStream(text, index, "stdout", stdout, executor.stdout(), layout, plan);
    copyStream(text, index, "stderr", stderr, executor.stderr(), layout, plan);
    if (!Boolean.TRUE.equals(executor.ignoreError())) {
      line(text, "[ \"$tes4j_status\" = 0 ] || tes4j_fail \"$tes4j_status\"");
    }
  }

  /** Copies a captured stream to the host place of the executor's TES path, when it has one. */
  private static void copyStream(
      StringBuilder text, int index, String stream, String captured, String path, JobLayout layout, MountPlan plan) {
    if (path == null) {
      return;
    }
    String message = "tes4j: cannot copy the " + stream + " of executors[" + index + "] to " + path;
    line(text, "cat -- " + ShellQuote.quote(captured) + " >| " + ShellQuote.quote(plan.hostPath(layout, path))
        + " || printf '%s\\n' " + ShellQuote.quote(message) + " >&2");
  }

  /** The command that runs executor {@code index}, without its redirections. */
  private static String run(
      Task task, int index, JobLayout layout, PulsarRuntime runtime, MountPlan plan, String environmentFile) {
    Executor executor = task.executors().get(index);
    return switch (runtime) {
      case DOCKER -> {
        // The container runs as the Pulsar user, read on the Pulsar host when the job runs, so that
        // Pulsar can delete what the executors wrote in the job's directory (a root container's
        // directories it could not empty). The one word not quoted: it holds no value of the task.
        List<String> argv = dockerArgv(task, index, layout, plan, environmentFile);
        yield ShellQuote.join(argv.subList(0, 2)) + " " + RUN_AS_PULSAR_USER + " "
            + ShellQuote.join(argv.subList(2, argv.size()));
      }
      case APPTAINER, SINGULARITY -> "( for tes4j_name in \"${!APPTAINERENV_@}\" \"${!SINGULARITYENV_@}\"; do"
          + " unset -v \"$tes4j_name\"; done; "
          + (environmentFile == null ? "" : ". " + ShellQuote.quote(environmentFile) + " && ")
          + "exec " + ShellQuote.join(apptainerArgv(task, index, layout, runtime, plan)) + " )";
      case NONE -> "( " + (environmentFile == null ? "" : ". " + ShellQuote.quote(environmentFile) + " && ")
          + "exec bwrap \"${tes4j_system[@]}\" " + ShellQuote.join(bwrapArgv(task, index, layout, plan)) + " )";
    };
  }

  /**
   * What {@code bwrap} gets for executor {@code index} of {@code runtime=none}, after the host's
   * system directories ({@link #NONE_PRELUDE}): the task's mounts, parents first, its workdir
   * (made if missing; {@code /} by default), then {@code env} to start the command, which gives
   * the exit codes a container would (127 for a program not found, 126 for one that cannot run).
   */
  static List<String> bwrapArgv(Task task, int index, JobLayout layout, MountPlan plan) {
    Executor executor = task.executors().get(index);
    List<String> argv = new ArrayList<>();
    for (ContainerMount mount : plan.mounts()) {
      argv.add(mount.readOnly() ? "--ro-bind" : "--bind");
      argv.add(mount.hostPath(layout));
      argv.add(mount.containerPath());
    }
    String workdir = executor.workdir() == null ? "/" : Stager.normalize(executor.workdir());
    if (!workdir.equals("/")) {
      argv.addAll(List.of("--dir", workdir));
    }
    argv.addAll(List.of("--chdir", workdir, "--", "/usr/bin/env", "--"));
    argv.addAll(executor.command());
    return argv;
  }

  /**
   * The first lines of a {@code runtime=none} command line: it stops, saying why, where bubblewrap
   * is missing, and puts in {@code tes4j_system} what every executor's sandbox shows of the host: a
   * fresh root with the host's {@code /usr}, {@code /etc}, {@code /opt} and {@code /bin}, {@code
   * /sbin}, {@code /lib*} (as links where the host has links) read-only, a new {@code /proc} and
   * {@code /dev}, an empty {@code /tmp} as {@code HOME} and {@code TMPDIR}, its own PID namespace,
   * and nothing else of the host: not the job's directory, not the Pulsar user's home.
   */
  static final String NONE_PRELUDE = String.join("\n",
      "command -v bwrap >/dev/null 2>&1 || { printf '%s\\n' 'tes4j: runtime=none runs each executor with"
          + " bubblewrap (bwrap), which is not on this Pulsar host' >&2; tes4j_fail 127; }",
      "tes4j_system=(--tmpfs / --ro-bind-try /usr /usr --ro-bind-try /etc /etc --ro-bind-try /opt /opt)",
      "for tes4j_dir in /bin /sbin /lib /lib32 /lib64; do if [ -L \"$tes4j_dir\" ]; then"
          + " tes4j_system+=(--symlink \"$(readlink -- \"$tes4j_dir\")\" \"$tes4j_dir\"); elif [ -d \"$tes4j_dir\" ];"
          + " then tes4j_system+=(--ro-bind \"$tes4j_dir\" \"$tes4j_dir\"); fi; done",
      "tes4j_system+=(--proc /proc --dev /dev --tmpfs /tmp --unshare-pid --die-with-parent"
          + " --setenv HOME /tmp --setenv TMPDIR /tmp)");

  /** {@code docker run ...} for executor {@code index}: the argv, one element per word. */
  static List<String> dockerArgv(Task task, int index, JobLayout layout, MountPlan plan, String environmentFile) {
    Executor executor = task.executors().get(index);
    List<String> argv = new ArrayList<>(List.of("docker", "run", "--rm", "--name=" + containerName(layout.jobId(), index)));
    if (executor.stdin() != null) {
      argv.add("-i");
    }
    argv.addAll(limits(task.resources()));
    for (ContainerMount mount : plan.mounts()) {
      argv.add("--volume=" + mount.hostPath(layout) + ":" + mount.containerPath() + (mount.readOnly() ? ":ro" : ""));
    }
    if (executor.workdir() != null) {
      argv.add("--workdir=" + Stager.normalize(executor.workdir()));
    }
    if (environmentFile != null) {
      argv.add("--env-file=" + environmentFile);
    }
    argv.add("--entrypoint=" + executor.command().get(0));
    argv.add("--");
    argv.add(executor.image());
    argv.addAll(executor.command().subList(1, executor.command().size()));
    return argv;
  }

  /** {@code apptainer exec ...} (or singularity) for executor {@code index}. */
  static List<String> apptainerArgv(Task task, int index, JobLayout layout, PulsarRuntime runtime, MountPlan plan) {
    Executor executor = task.executors().get(index);
    List<String> argv = new ArrayList<>(List.of(runtime.parameter(), "exec", "--containall", "--no-eval"));
    if (executor.workdir() != null) {
      argv.add("--pwd=" + Stager.normalize(executor.workdir()));
    }
    for (ContainerMount mount : plan.mounts()) {
      argv.add("--bind=" + mount.hostPath(layout) + ":" + mount.containerPath() + (mount.readOnly() ? ":ro" : ""));
    }
    argv.addAll(limits(task.resources()));
    argv.add("--");
    argv.add(apptainerImage(executor.image(), runtime).argument());
    argv.addAll(executor.command());
    return argv;
  }

  /** {@code --cpus=N --memory=BYTES} for what the task asks (docker, apptainer and singularity spell them alike). */
  static List<String> limits(Resources resources) {
    List<String> limits = new ArrayList<>();
    if (resources != null && resources.cpuCores() != null && resources.cpuCores() > 0) {
      limits.add("--cpus=" + BigDecimal.valueOf(resources.cpuCores()).stripTrailingZeros().toPlainString());
    }
    if (resources != null && resources.ramGb() != null && resources.ramGb() > 0) {
      // A GB as 2^30 bytes, the reading that never gives less memory (as the local backend).
      limits.add("--memory=" + Math.round(resources.ramGb() * 1024 * 1024 * 1024));
    }
    return limits;
  }

  // ---------------------------------------------------------------------------------------------
  // environment files

  /** {@code tes_env_INDEX.list}: executor {@code index}'s environment file, in {@code metadata/}. */
  public static String environmentFileName(int index) {
    return "tes_env_" + index + ".list";
  }

  /**
   * The environment files to upload into the job's {@code metadata/} before the submit: for each
   * executor that has an environment, {@link #environmentFileName} → its content (UTF-8), in the
   * form the runtime reads (see the class comment): {@code NAME=value} lines for docker, bash
   * {@code export} lines with single-quoted values for the others. Executors with no environment
   * have none.
   *
   * @throws IllegalArgumentException when {@link #check} finds a violation
   */
  public static Map<String, byte[]> environmentFiles(Task task, PulsarRuntime runtime) {
    requireRunnable(task, runtime);
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (int i = 0; i < task.executors().size(); i++) {
      Executor executor = task.executors().get(i);
      if (executor.env().isEmpty()) {
        continue;
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      executor.env().forEach((name, value) -> {
        String lines = switch (runtime) {
          case DOCKER -> name + "=" + value + "\n";
          case APPTAINER -> export("APPTAINERENV_" + name, value);
          // singularity reads SINGULARITYENV_; apptainer's `singularity` reads APPTAINERENV_ too.
          case SINGULARITY -> export("SINGULARITYENV_" + name, value) + export("APPTAINERENV_" + name, value);
          case NONE -> export(name, value);
        };
        out.writeBytes(lines.getBytes(StandardCharsets.UTF_8));
      });
      files.put(environmentFileName(i), out.toByteArray());
    }
    return files;
  }

  /** {@code export NAME='value' || return 1}: a failed export (a read-only name) stops the reading. */
  private static String export(String name, String value) {
    return "export " + name + "=" + ShellQuote.quote(value) + " || return 1\n";
  }

  // ---------------------------------------------------------------------------------------------
  // cancel

  /**
   * The docker container names of {@code task}'s executors in the job, {@code tes4j-JOB-INDEX},
   * in executor order, as {@link #commandLine} names them for runtime=docker.
   *
   * @throws IllegalArgumentException when the job id cannot be part of a container name ({@code
   *     [a-zA-Z0-9][a-zA-Z0-9_.-]*})
   */
  public static List<String> containerNames(JobLayout layout, Task task) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < task.executors().size(); i++) {
      names.add(requireContainerName(containerName(layout.jobId(), i)));
    }
    return names;
  }

  /**
   * The bash text that stops and removes the named containers: {@code docker rm -f -- NAME...},
   * every name quoted. Run as a separate Pulsar job on cancel, since killing the job's {@code
   * docker run} client leaves its container running. Its status is docker's: not 0 when a
   * container does not exist (an executor that never started, or already ended and removed).
   *
   * @param names from {@link #containerNames}
   * @throws IllegalArgumentException when there is no name, or one docker would not take
   */
  public static String removeContainersCommand(List<String> names) {
    if (names.isEmpty()) {
      throw new IllegalArgumentException("no container to remove");
    }
    names.forEach(JobScript::requireContainerName);
    List<String> argv = new ArrayList<>(List.of("docker", "rm", "-f", "--"));
    argv.addAll(names);
    return ShellQuote.join(argv);
  }

  private static String containerName(String jobId, int index) {
    return "tes4j-" + jobId + "-" + index;
  }

  private static String requireContainerName(String name) {
    if (!CONTAINER_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(Texts.quote(name) + " cannot name a docker container (allowed:"
          + " [a-zA-Z0-9][a-zA-Z0-9_.-]*); use a Pulsar job id of letters, digits, '_', '.' and '-'");
    }
    return name;
  }

  // ---------------------------------------------------------------------------------------------
  // times

  /**
   * The time in a {@code .start} or {@code .end} file, as written with {@link #TIME_FORMAT}.
   *
   * @throws java.time.format.DateTimeParseException when it is not such a time (an empty file, or
   *     a {@code date} without {@code %N})
   */
  public static Instant parseTime(String content) {
    return Instant.parse(content.strip());
  }

  // ---------------------------------------------------------------------------------------------

  private static void line(StringBuilder text, String line) {
    text.append(line).append('\n');
  }

  private static String commandWords(List<String> command, List<String> values) {
    List<String> argv = new ArrayList<>(command);
    argv.addAll(values);
    return ShellQuote.join(argv);
  }

  private static void addOnce(List<String> list, String value) {
    if (!list.contains(value)) {
      list.add(value);
    }
  }

  private static String metadataFile(JobLayout layout, String name) {
    return MountPlan.join(layout.metadataDirectory(), "/" + name);
  }

  /** The parent of a host path (absolute). */
  private static String hostParent(String hostPath) {
    int slash = hostPath.lastIndexOf('/');
    return slash <= 0 ? "/" : hostPath.substring(0, slash);
  }
}
