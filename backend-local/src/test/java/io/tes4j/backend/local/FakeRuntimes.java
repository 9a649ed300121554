package io.tes4j.backend.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Fake {@code docker}, {@code podman}, {@code apptainer} and {@code singularity} programs in a
 * directory of their own, to put on the backend's {@code PATH}. Each records its argv (one file
 * per call, NUL-separated) and then does what the real one would, on this machine: {@code run} and
 * {@code exec} start the command after the image (docker's {@code --entrypoint} first) in the
 * foreground, writing their pid to {@code pids/NAME}; {@code rm -f NAME} kills that pid. An image
 * named {@code broken-image} fails the way a runtime does: a message on stderr and exit 125 for
 * docker and podman, a {@code FATAL:} line and 255 for apptainer and singularity.
 */
final class FakeRuntimes {
  private static final String DOCKER = String.join("\n",
      "#!/bin/sh",
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "dir='%s'",
      "printf '%%s\\0' \"$0\" \"$@\" > \"$dir/calls/$(date +%%s%%N)-$$\"",
      "case \"$1\" in",
      "  run)",
      "    shift; name=; entry=",
      "    while [ $# -gt 0 ]; do",
      "      case \"$1\" in",
      "        --rm|-i) shift ;;",
      "        --name) name=$2; shift 2 ;;",
      "        --entrypoint) entry=$2; shift 2 ;;",
      "        -v|-e|-w|--cpus|--memory) shift 2 ;;",
      "        *) break ;;",
      "      esac",
      "    done",
      "    image=$1; shift",
      "    if [ \"$image\" = broken-image ]; then",
      "      echo \"Unable to find image 'broken-image:latest' locally\" >&2",
      "      echo \"docker: Error response from daemon: pull access denied for broken-image.\" >&2",
      "      exit 125",
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
      "printf '%%s\\0' \"$0\" \"$@\" > \"$dir/calls/$(date +%%s%%N)-$$\"",
      "[ \"$1\" = exec ] || exit 2",
      "shift",
      "while [ $# -gt 0 ]; do",
      "  case \"$1\" in",
      "    --containall) shift ;;",
      "    --pwd|--bind|--env|--cpus|--memory) shift 2 ;;",
      "    *) break ;;",
      "  esac",
      "done",
      "image=$1; shift",
      "if [ \"$image\" = docker://broken-image ]; then",
      "  echo 'FATAL:   Unable to handle docker://broken-image uri: failed to get checksum' >&2",
      "  exit 255",
      "fi",
      "echo $$ > \"$dir/pids/exec\"",
      "exec \"$@\"",
      "");

  private final Path dir;
  private final Path bin;

  /** Fakes of {@code programs} ({@code docker}, {@code podman}, {@code apptainer}, {@code singularity}) in {@code dir}. */
  FakeRuntimes(Path dir, String... programs) throws IOException {
    this.dir = dir.toAbsolutePath();
    this.bin = Files.createDirectories(this.dir.resolve("bin"));
    Files.createDirectories(this.dir.resolve("calls"));
    Files.createDirectories(this.dir.resolve("pids"));
    for (String program : programs) {
      String template = program.equals("docker") || program.equals("podman") ? DOCKER : APPTAINER;
      Path script = bin.resolve(program);
      Files.writeString(script, String.format(template, this.dir));
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
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

  /** Every call so far, in order, each its whole argv (the program's path first). */
  List<List<String>> calls() throws IOException {
    List<List<String>> calls = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir.resolve("calls"))) {
      for (Path file : files.sorted().toList()) {
        String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        List<String> argv = new ArrayList<>(Arrays.asList(text.split("\0", -1)));
        argv.remove(argv.size() - 1); // after the last NUL
        calls.add(argv);
      }
    }
    return calls;
  }
}
