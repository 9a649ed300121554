package io.tes4j.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks that passwords, tokens and hashes stay out of exception messages, {@code toString()}s and
 * log lines.
 */
final class SecretAssertions {
  private SecretAssertions() {}

  /** Fails when any of {@code secrets} is in {@code text}. */
  static void assertNoSecretIn(String what, String text, String... secrets) {
    for (String secret : secrets) {
      assertThat(secret).as("a secret to look for must not be blank").isNotBlank();
      assertThat(text == null ? "" : text)
          .as("%s must not contain a secret (of %d characters)", what, secret.length())
          .doesNotContain(secret);
    }
  }

  /**
   * Fails when any of {@code secrets} is in the message, {@code toString()} or WWW-Authenticate
   * challenge of {@code thrown}, its causes or its suppressed exceptions.
   */
  static void assertNoSecretIn(Throwable thrown, String... secrets) {
    assertThat(thrown).as("an exception to inspect").isNotNull();
    List<Throwable> all = new ArrayList<>();
    collect(thrown, all);
    for (Throwable t : all) {
      assertNoSecretIn("the message of " + t.getClass().getName(), t.getMessage(), secrets);
      assertNoSecretIn("the toString() of " + t.getClass().getName(), t.toString(), secrets);
      if (t instanceof AuthenticationException auth) {
        assertNoSecretIn("a challenge", auth.challenge(), secrets);
      }
    }
  }

  private static void collect(Throwable t, List<Throwable> into) {
    if (t == null || into.contains(t)) {
      return;
    }
    into.add(t);
    collect(t.getCause(), into);
    for (Throwable suppressed : t.getSuppressed()) {
      collect(suppressed, into);
    }
  }

  /** A piece of code that may throw anything. */
  interface Action {
    void run() throws Exception;
  }

  /**
   * What {@code action} writes to {@code System.err}, where slf4j-simple logs (it looks up {@code
   * System.err} on every line). Exceptions of {@code action} are rethrown.
   */
  static String stderrOf(Action action) throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
