package io.tes4j.backend.local.internal;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the launchers' own short commands (a trial sandbox, a version query) with a time limit. The
 * output goes to a file, not a pipe, so nothing has to read it while the command runs: the wait
 * can time out whatever the command writes, and then its whole process tree is killed.
 */
final class ShortCommands {
  /** How much of the output is kept: its end. */
  static final int OUTPUT_BYTES = 8 * 1024;

  private ShortCommands() {}

  /**
   * How a command ended.
   *
   * @param ended false when it was killed at the time limit
   * @param exitCode its exit code; -1 when it did not end
   * @param output the end of its stdout and stderr, interleaved
   */
  record Result(boolean ended, int exitCode, String output) {}

  /**
   * Runs {@code argv} with exactly {@code environment}, stdin from {@code /dev/null}, its output
   * into a file under {@code scratch} (removed after), for at most {@code timeout}.
   *
   * @throws IOException when it cannot be started
   * @throws InterruptedException when interrupted while waiting (the command is killed)
   */
  static Result run(List<String> argv, Map<String, String> environment, Path scratch, Duration timeout)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile(scratch, ".tes4j-command-", ".log");
    try {
      ProcessBuilder builder = new ProcessBuilder(argv)
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      builder.environment().clear();
      builder.environment().putAll(environment);
      Process process = builder.start();
      boolean ended;
      try {
        ended = process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        ProcessTrees.kill(process);
        throw e;
      }
      if (!ended) {
        ProcessTrees.kill(process);
        return new Result(false, -1, tail(log));
      }
      return new Result(true, process.exitValue(), tail(log));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /** The last {@link #OUTPUT_BYTES} of {@code file}, as UTF-8. */
  private static String tail(Path file) throws IOException {
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long length = in.length();
      int size = (int) Math.min(length, OUTPUT_BYTES);
      byte[] bytes = new byte[size];
      in.seek(length - size);
      in.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }
}
