package io.tes4j.backend.pulsar.internal;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Words for bash: every one single-quoted, so that bash reads it back byte for byte and interprets
 * nothing in it ({@code $}, backquotes, globs, {@code ;}, line breaks, a leading {@code -} as a
 * word of its own). Inside single quotes bash gives no character a meaning except the closing
 * quote, so a {@code '} is written {@code '\''}: close, an escaped quote, reopen.
 */
final class ShellQuote {
  private ShellQuote() {}

  /**
   * {@code value} as one single-quoted bash word.
   *
   * @throws IllegalArgumentException when it holds a NUL character, which no bash word (and no
   *     argv) can carry
   */
  static String quote(String value) {
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("a NUL character cannot be passed through bash");
    }
    return "'" + value.replace("'", "'\\''") + "'";
  }

  /** Every word of {@code argv} quoted, separated by spaces: one simple command. */
  static String join(List<String> argv) {
    return argv.stream().map(ShellQuote::quote).collect(Collectors.joining(" "));
  }
}
