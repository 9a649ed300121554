package io.tes4j.cli.internal;

import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a command may touch: its streams and environment, given rather than taken from
 * {@link System}, so that the command runs the same in-process under test. It also keeps the
 * secrets of this run (passwords, tokens, credential headers) and blots them out of every line
 * written to standard error.
 */
public final class Context {
  /** What a secret is replaced with. */
  static final String REDACTED = "***";

  private final InputStream in;
  private final PrintStream out;
  private final PrintStream err;
  private final Map<String, String> env;
  private final boolean terminal;
  private final Set<String> secrets = new LinkedHashSet<>();
  private int progressWidth; // guarded by this: the length of the progress line on screen

  Context(InputStream in, PrintStream out, PrintStream err, Map<String, String> env, boolean terminal) {
    this.in = in;
    this.out = out;
    this.err = err;
    this.env = Map.copyOf(env);
    this.terminal = terminal;
    for (String name : List.of(Env.PASSWORD, Env.TOKEN, Env.AWS_SECRET_ACCESS_KEY, Env.AWS_SESSION_TOKEN)) {
      secret(env(name));
    }
  }

  /** Standard input, read by {@code -} as a file name. */
  InputStream in() {
    return in;
  }

  /** Standard output: results only (JSON, an id, a state). */
  PrintStream out() {
    return out;
  }

  /** Standard error; prefer {@link #error(String)} and {@link #line(String)}, which redact. */
  PrintStream err() {
    return err;
  }

  /** The environment variable {@code name}, or {@code null} when it is unset or blank. */
  String env(String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? null : value;
  }

  /** The whole environment, for settings that read several variables (the AWS ones). */
  Map<String, String> environment() {
    return env;
  }

  /**
   * Whether a person is watching: the process has a console (so standard error is very likely a
   * terminal too). Progress bars are drawn only then.
   */
  boolean terminal() {
    return terminal;
  }

  /** Remembers a secret, so that it is never written to standard error. */
  void secret(String value) {
    if (value != null && !value.isEmpty()) {
      secrets.add(value);
    }
  }

  /** {@code text} with every known secret replaced by {@value #REDACTED}. */
  String redact(String text) {
    if (text == null || secrets.isEmpty()) {
      return text;
    }
    String result = text;
    // Longest first, so that a secret holding another is blotted out whole.
    for (String s : secrets.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList()) {
      result = result.replace(s, REDACTED);
    }
    return result;
  }

  /** Writes {@code tes4j: message} to standard error, as one line, redacted. */
  void error(String message) {
    line("tes4j: " + message);
  }

  /** Writes {@code text} to standard error as one line (line breaks become spaces), redacted. */
  synchronized void line(String text) {
    endProgress();
    err.println(oneLine(redact(text)));
    err.flush();
  }

  /**
   * Draws {@code text} as the progress line: over the previous one ({@code \r}), redacted, padded
   * to clear what was longer, without a line break.
   */
  synchronized void progress(String text) {
    String shown = oneLine(redact(text));
    int padding = Math.max(0, progressWidth - shown.length());
    err.print("\r" + shown + " ".repeat(padding));
    err.flush();
    progressWidth = shown.length();
  }

  /** Ends the progress line, if one is drawn, so that what follows starts on a line of its own. */
  synchronized void endProgress() {
    if (progressWidth > 0) {
      err.println();
      err.flush();
      progressWidth = 0;
    }
  }

  /** Writes the stack trace of {@code e} to standard error, redacted (for {@code --debug}). */
  synchronized void stackTrace(Throwable e) {
    endProgress();
    StringWriter trace = new StringWriter();
    e.printStackTrace(new PrintWriter(trace));
    err.print(redact(trace.toString()));
    err.flush();
  }

  private static String oneLine(String text) {
    return text == null ? "" : text.strip().replaceAll("\\s*\\R\\s*", " ");
  }
}
