package io.tes4j.backend.pulsar.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Pulsar job directory on this machine ({@code working/ inputs/ outputs/ metadata/}) that runs
 * a command line as Pulsar does, with fake {@code docker}, {@code apptainer} and {@code
 * singularity} programs first on the {@code PATH}. Each fake records its argv (NUL-separated) in
 * {@code calls/N.argv}, then runs the container's command as a plain process of this machine
 * (stdin, stdout and stderr passed through, its exit code returned) with only the environment the
 * runtime would give it.
 */
final class FakePulsarJob {
  /** What the job directory is named: every layout value is quoted too, so make them hostile. */
  static final String HOSTILE_DIRECTORY_NAME = "job 'dir' $(touch pwned) `touch pwned` ; & *";

  /** The one name every injected {@code touch} in the tests creates. */
  static final String MARKER_NAME = "pwned";

  /** Variables of the Pulsar job's own environment that apptainer and singularity must not pass on. */
  static final List<String> LEAKED_VARIABLES =
      List.of("APPTAINERENV_LEAKED_FROM_PULSAR", "SINGULARITYENV_LEAKED_FROM_PULSAR");

  private static final String FAKE_RUNTIME = """
      #!/bin/bash
      # A fake container runtime: records its argv, then runs the container's command here.
      calls=$TES4J_FAKE_CALLS
      n=0
      while [ -e "$calls/$n.argv" ]; do n=$((n + 1)); done
      printf '%s\\0' "${0##*/}" "$@" > "$calls/$n.argv"
      case ${0##*/} in
        docker)
          [ "$1" = rm ] && exit 0
          [ "$1" = run ] || exit 125
          shift
          entrypoint=
          envfile=
          while [ $# -gt 0 ]; do
            case $1 in
              --) shift; break ;;
              --entrypoint=*) entrypoint=${1#--entrypoint=} ;;
              --env-file=*) envfile=${1#--env-file=} ;;
            esac
            shift
          done
          shift # the image
          vars=()
          if [ -n "$envfile" ]; then
            cat -- "$envfile" > "$calls/$n.envfile" || exit 125
            while IFS= read -r line; do vars+=("$line"); done < "$envfile"
          fi
          exec env -i -- PATH="$PATH" "${vars[@]}" "$entrypoint" "$@"
          ;;
        apptainer|singularity)
          [ "$1" = exec ] || exit 255
          shift
          while [ $# -gt 0 ]; do
            case $1 in --) shift; break ;; esac
            shift
          done
          shift # the image
          if [ "${0##*/}" = singularity ]; then prefix=SINGULARITYENV_; else prefix=APPTAINERENV_; fi
          vars=()
          for name in $(compgen -e); do
            case $name in "$prefix"*) vars+=("${name#"$prefix"}=${!name}") ;; esac
          done
          : > "$calls/$n.env"
          [ ${#vars[@]} -eq 0 ] || printf '%s\\0' "${vars[@]}" > "$calls/$n.env"
          exec env -i -- PATH="$PATH" "${vars[@]}" "$@"
          ;;
      esac
      exit 127
      """;

  /**
   * A recorded runtime call.
   *
   * @param argv the runtime's argv, its name first
   * @param environment what the fake passed to the command ({@code NAME=value}); empty for none
   * @param envFile the docker env file as the runtime read it, or {@code null}
   */
  record Call(List<String> argv, List<String> environment, String envFile) {}

  /**
   * A finished run of the command line.
   *
   * @param returnCode what Pulsar's job script recorded in {@code return_code}, or, when it ended
   *     before (under {@code set -e}), its exit status, as Pulsar's monitor records it
   * @param stdout the job's own stdout ({@code job_stdout})
   * @param stderr the job's own stderr ({@code job_stderr})
   */
  record Run(int returnCode, String stdout, String stderr) {}

  final Path root;
  final Path jobDirectory;
  final JobLayout layout;
  private final Path bin;
  private final Path calls;

  private FakePulsarJob(Path root, Path jobDirectory, Path bin, Path calls, String jobId) {
    this.root = root;
    this.jobDirectory = jobDirectory;
    this.bin = bin;
    this.calls = calls;
    this.layout = new JobLayout(
        jobId,
        jobDirectory.toString(),
        jobDirectory.resolve("inputs").toString(),
        jobDirectory.resolve("outputs").toString(),
        jobDirectory.resolve("metadata").toString(),
        jobDirectory.resolve("working").toString());
  }

  /** A job directory named {@link #HOSTILE_DIRECTORY_NAME} under {@code root}, with its fakes. */
  static FakePulsarJob create(Path root) throws IOException {
    Path jobDirectory = root.resolve("staging").resolve(HOSTILE_DIRECTORY_NAME);
    for (String directory : List.of("working", "inputs", "outputs", "metadata")) {
      Files.createDirectories(jobDirectory.resolve(directory));
    }
    Path bin = Files.createDirectories(root.resolve("fake-bin"));
    Path fake = Files.writeString(bin.resolve("fake-runtime"), FAKE_RUNTIME);
    assertThat(fake.toFile().setExecutable(true)).isTrue();
    for (String name : List.of("docker", "apptainer", "singularity")) {
      Files.createSymbolicLink(bin.resolve(name), fake);
    }
    Files.createDirectories(root.resolve("home"));
    return new FakePulsarJob(root, jobDirectory, bin, Files.createDirectories(root.resolve("calls")), "job-1");
  }

  /** Where the input at {@code containerPath} is staged. */
  Path input(String containerPath) {
    return jobDirectory.resolve("inputs").resolve(containerPath.substring(1));
  }

  /** Where {@code containerPath} is under {@code outputs/}. */
  Path output(String containerPath) {
    return jobDirectory.resolve("outputs").resolve(containerPath.substring(1));
  }

  /** A file of {@code metadata/}. */
  Path metadata(String name) {
    return jobDirectory.resolve("metadata").resolve(name);
  }

  /** The content of a file of {@code metadata/}, if it exists. */
  Optional<String> metadataText(String name) throws IOException {
    Path file = metadata(name);
    return Files.exists(file) ? Optional.of(Files.readString(file)) : Optional.empty();
  }

  /** Stages an input file, as the backend's upload would. */
  void stage(String containerPath, String content) throws IOException {
    Path file = input(containerPath);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }

  /** Uploads env files into {@code metadata/}, as the backend does before the submit. */
  void upload(Map<String, byte[]> files) throws IOException {
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      Files.write(metadata(file.getKey()), file.getValue());
    }
  }

  /** Runs {@code commandLine} as Pulsar's job script embeds it, in {@code working/}. */
  Run run(String commandLine) throws IOException, InterruptedException {
    return run("", commandLine);
  }

  /**
   * Runs {@code commandLine} as Pulsar's job script embeds it ({@code TEXT; return_code=$?; echo
   * $return_code > return_code}), after {@code prelude} (shell options, say), with a clean
   * environment as Pulsar's ({@code HOME}, {@code PATH}, {@code TMPDIR}, {@code LC_CTYPE}) plus
   * {@link #LEAKED_VARIABLES}.
   */
  Run run(String prelude, String commandLine) throws IOException, InterruptedException {
    Path returnCode = jobDirectory.resolve("return_code");
    Files.deleteIfExists(returnCode);
    String script = "#!/bin/bash\n" + prelude + "\ncd " + ShellQuote.quote(layout.workingDirectory()) + "\n"
        + commandLine + "; return_code=$?; echo $return_code > " + ShellQuote.quote(returnCode.toString()) + ";\n";
    Path scriptFile = Files.writeString(jobDirectory.resolve("command.sh"), script);
    Path stdout = metadata("job_stdout");
    Path stderr = metadata("job_stderr");
    ProcessBuilder builder = new ProcessBuilder("/bin/bash", scriptFile.toString())
        .directory(new File(layout.workingDirectory()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile());
    builder.environment().clear();
    builder.environment().put("PATH", bin + File.pathSeparator + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    builder.environment().put("HOME", root.resolve("home").toString());
    builder.environment().put("TMPDIR", System.getProperty("java.io.tmpdir"));
    builder.environment().put("LC_CTYPE", "C.UTF-8");
    builder.environment().put("TES4J_FAKE_CALLS", calls.toString());
    LEAKED_VARIABLES.forEach(name -> builder.environment().put(name, "from-pulsar"));
    Process process = builder.start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the command line did not end in 60 s");
    }
    if (prelude.isEmpty()) {
      assertThat(process.exitValue()).as("the job script's own status").isZero();
      assertThat(returnCode).as("Pulsar's return_code").exists();
    }
    int status = Files.exists(returnCode)
        ? Integer.parseInt(Files.readString(returnCode).strip())
        : process.exitValue();
    return new Run(status, Files.readString(stdout), Files.readString(stderr));
  }

  /** The runtime calls recorded so far, in order. */
  List<Call> calls() throws IOException {
    List<Call> result = new ArrayList<>();
    for (int n = 0; Files.exists(calls.resolve(n + ".argv")); n++) {
      Path env = calls.resolve(n + ".env");
      Path envFile = calls.resolve(n + ".envfile");
      result.add(new Call(
          nulSeparated(calls.resolve(n + ".argv")),
          Files.exists(env) ? nulSeparated(env) : List.of(),
          Files.exists(envFile) ? Files.readString(envFile) : null));
    }
    return result;
  }

  /** Every file named {@link #MARKER_NAME} under the root: what an injected command would create. */
  List<Path> markers() throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(f -> f.getFileName().toString().equals(MARKER_NAME)).toList();
    }
  }

  private static List<String> nulSeparated(Path file) throws IOException {
    String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    if (text.isEmpty()) {
      return List.of();
    }
    assertThat(text).endsWith("\0");
    return Arrays.asList(text.substring(0, text.length() - 1).split("\0", -1));
  }
}
