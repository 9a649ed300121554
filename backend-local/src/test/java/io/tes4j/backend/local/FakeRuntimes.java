package io.tes4j.backend.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Fake {@code docker}, {@code podman}, {@code apptainer} and {@code singularity} programs in a
 * directory of their own, to put on the backend's {@code PATH}. Each records its argv (one file
 * per call in {@code calls/}, NUL-separated) and its own environment ({@code env -0}, in {@code
 * environs/} under the same name), then does what the real one would, on this machine.
 *
 * <p>The fakes parse their options more strictly than the real programs: only the {@code
 * --option=value} forms the launchers write, and {@code --} before the image; anything else is a
 * runtime failure (exit 125 for docker and podman, a {@code FATAL:} line and 255 for apptainer and
 * singularity), so a value that became an option would show.
 *
 * <p>{@code run} and {@code exec} start the command after the image in the foreground, writing
 * their pid to {@code pids/NAME}: docker's entrypoint first (podman's decoded from its JSON
 * array), with the variables of {@code --env-file} exported as docker reads them ({@code
 * NAME=value} lines, taken as they are; the file, its mode and its directory's mode are copied to
 * {@code envfiles/NAME}); apptainer's with exactly {@code PATH} and the variables its environment
 * holds as {@code APPTAINERENV_NAME} (singularity: {@code SINGULARITYENV_NAME}). {@code rm -f NAME}
 * kills that pid; {@code podman --version} says {@code podman version} and the version given. An
 * image named {@code broken-image} fails the way a runtime does.
 */
final class FakeRuntimes {
  private static final String DOCKER = String.join("\n",
      "#!/bin/sh",
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "dir='%s'",
      "call=$(date +%%s%%N)-$$",
      "printf '%%s\\0' \"$0\" \"$@\" > \"$dir/calls/$call\"",
      "env -0 > \"$dir/environs/$call\"",
      "case \"$1\" in",
      "  --version) echo 'podman version %s' ;;",
      "  run)",
      "    shift; name=; entry=; envfile=",
      "    while [ $# -gt 0 ]; do",
      "      case \"$1\" in",
      "        --rm|-i) shift ;;",
      "        --name=*) name=${1#--name=}; shift ;;",
      "        --entrypoint=*) entry=${1#--entrypoint=}; shift ;;",
      "        --env-file=*) envfile=${1#--env-file=}; shift ;;",
      "        --volume=*|--workdir=*|--cpus=*|--memory=*|--user=*|--userns=*) shift ;;",
      "        --) shift; break ;;",
      "        *) echo \"docker: unknown option or misplaced argument: $1\" >&2; exit 125 ;;",
      "      esac",
      "    done",
      "    image=$1; shift",
      "    if [ \"$image\" = broken-image ]; then",
      "      echo \"Unable to find image 'broken-image:latest' locally\" >&2",
      "      echo \"docker: Error response from daemon: pull access denied for broken-image.\" >&2",
      "      exit 125",
      "    fi",
      "    case $entry in",
      "      '[\"'*'\"]') entry=$(printf '%%s' \"$entry\" | sed 's/^\\[\"//; s/\"\\]$//; s/\\\\\"/\"/g; s/\\\\\\\\/\\\\/g') ;;",
      "    esac",
      "    if [ -n \"$envfile\" ]; then",
      "      cp \"$envfile\" \"$dir/envfiles/$name\"",
      "      stat -c %%a \"$envfile\" > \"$dir/envfiles/$name.mode\"",
      "      stat -c %%a \"$(dirname \"$envfile\")\" > \"$dir/envfiles/$name.dirmode\"",
      "      while IFS= read -r line; do export \"$line\"; done < \"$envfile\"",
      "    fi",
      "    echo $$ > \"$dir/pids/$name\"",
      "    exec \"$entry\" \"$@\" ;;",
      "  rm)",
      "    name=$3",
      "    if [ -f \"$dir/pids/$name\" ]; then kill -9 \"$(cat \"$dir/pids/$name\")\"; fi",
      "    echo \"$name\" ;;",
      "esac",
      "");

  private static final String APPTAINER = String.join("\n",
      "#!/bin/sh",
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "dir='%s'",
      "call=$(date +%%s%%N)-$$",
      "printf '%%s\\0' \"$0\" \"$@\" > \"$dir/calls/$call\"",
      "env -0 > \"$dir/environs/$call\"",
      "case $(basename \"$0\") in singularity) prefix=SINGULARITYENV_ ;; *) prefix=APPTAINERENV_ ;; esac",
      "[ \"$1\" = exec ] || exit 2",
      "shift",
      "while [ $# -gt 0 ]; do",
      "  case \"$1\" in",
      "    --containall|--no-eval) shift ;;",
      "    --pwd=*|--bind=*|--cpus=*|--memory=*) shift ;;",
      "    --) shift; break ;;",
      "    *) echo \"FATAL:   unknown option or misplaced argument: $1\" >&2; exit 255 ;;",
      "  esac",
      "done",
      "image=$1; shift",
      "if [ \"$image\" = docker://broken-image ]; then",
      "  echo 'FATAL:   Unable to handle docker://broken-image uri: failed to get checksum' >&2",
      "  exit 255",
      "fi",
      "spec=\"-i PATH=$PATH\"",
      "for name in $(env -0 | grep -zo \"^$prefix[A-Za-z0-9_]*=\" | tr '\\0' '\\n' | sed \"s/^$prefix//; s/=\\$//\"); do",
      "  spec=\"$spec $name=\\${$prefix$name}\"",
      "done",
      "echo $$ > \"$dir/pids/exec\"",
      "exec env -S \"$spec\" \"$@\"",
      "");

  private final Path dir;
  private final Path bin;

  /** Fakes of {@code programs} ({@code docker}, {@code podman}, {@code apptainer}, {@code singularity}) in {@code dir}. */
  FakeRuntimes(Path dir, String... programs) throws IOException {
    this(dir, "5.2.0", List.of(programs));
  }

  /** A fake podman in {@code dir} that says it is {@code version}. */
  static FakeRuntimes podmanVersion(Path dir, String version) throws IOException {
    return new FakeRuntimes(dir, version, List.of("podman"));
  }

  private FakeRuntimes(Path dir, String podmanVersion, List<String> programs) throws IOException {
    this.dir = dir.toAbsolutePath();
    this.bin = Files.createDirectories(this.dir.resolve("bin"));
    for (String sub : List.of("calls", "environs", "envfiles", "pids")) {
      Files.createDirectories(this.dir.resolve(sub));
    }
    for (String program : programs) {
      boolean dockerLike = program.equals("docker") || program.equals("podman");
      String script = dockerLike
          ? String.format(DOCKER, this.dir, podmanVersion)
          : String.format(APPTAINER, this.dir);
      Path file = bin.resolve(program);
      Files.writeString(file, script);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  /** The environment to give the backend: only {@code PATH}, holding only the fakes. */
  Map<String, String> environment() {
    return Map.of("PATH", bin.toString());
  }

  /** The fake program {@code name}. */
  Path program(String name) {
    return bin.resolve(name);
  }

  /** The pid file the fake writes for a container, or for apptainer's {@code exec}. */
  Path pidFile(String name) {
    return dir.resolve("pids").resolve(name);
  }

  /** The copy of the env file the container {@code name} was given, with its mode and its directory's. */
  Path envFileCopy(String name) {
    return dir.resolve("envfiles").resolve(name);
  }

  /** Every call so far, in order, each its whole argv (the program's path first). */
  List<List<String>> calls() throws IOException {
    List<List<String>> calls = new ArrayList<>();
    for (Path file : files("calls")) {
      calls.add(nulSeparated(file));
    }
    return calls;
  }

  /** The environment of every call so far, in the order of {@link #calls()}. */
  List<Map<String, String>> environments() throws IOException {
    List<Map<String, String>> environments = new ArrayList<>();
    for (Path file : files("environs")) {
      Map<String, String> env = new LinkedHashMap<>();
      for (String entry : nulSeparated(file)) {
        int equals = entry.indexOf('=');
        env.put(entry.substring(0, equals), entry.substring(equals + 1));
      }
      environments.add(env);
    }
    return environments;
  }

  private List<Path> files(String sub) throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve(sub))) {
      return files.sorted().toList();
    }
  }

  private static List<String> nulSeparated(Path file) throws IOException {
    String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    List<String> items = new ArrayList<>(Arrays.asList(text.split("\0", -1)));
    items.remove(items.size() - 1); // after the last NUL
    return items;
  }
}
