package io.tes4j.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** One in-process run of {@code tes4j}: its exit code and what it wrote. */
record CliResult(int code, String out, String err) {

  /** Runs {@code args} with {@code env} as the environment and an empty standard input. */
  static CliResult run(Map<String, String> env, String... args) {
    return runWithStdin("", env, args);
  }

  /** Runs {@code args} with {@code stdin} as standard input. */
  static CliResult runWithStdin(String stdin, Map<String, String> env, String... args) {
    return run(stdin, false, env, args);
  }

  /** Runs {@code args} as if a person watched standard error on a terminal. */
  static CliResult runOnTerminal(Map<String, String> env, String... args) {
    return run("", true, env, args);
  }

  private static CliResult run(String stdin, boolean terminal, Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code =
          Main.run(
              new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), o, e, env, terminal, args);
    }
    return new CliResult(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** The lines of standard error. */
  List<String> errLines() {
    return err.isEmpty() ? List.of() : List.of(err.split("\\R"));
  }

  @Override
  public String toString() {
    return "exit " + code + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
  }
}
