package io.tes4j.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The helper must be able to fail, or the tests that use it prove nothing. */
class SecretAssertionsTest {

  @Test
  void findsASecretInAMessageACauseOrAChallenge() {
    assertThatThrownBy(
            () ->
                SecretAssertions.assertNoSecretIn(
                    new IllegalStateException("wrapper", new RuntimeException("pw=hunter2")),
                    "hunter2"))
        .isInstanceOf(AssertionError.class);
    assertThatThrownBy(
            () ->
                SecretAssertions.assertNoSecretIn(
                    new AuthenticationException("no", "Bearer hunter2"), "hunter2"))
        .isInstanceOf(AssertionError.class);
    SecretAssertions.assertNoSecretIn(new IllegalStateException("nothing here"), "hunter2");
  }

  @Test
  void capturesWhatSlf4jLogs() throws Exception {
    String logged =
        SecretAssertions.stderrOf(
            () -> LoggerFactory.getLogger(SecretAssertionsTest.class).warn("a line with hunter2"));
    assertThat(logged).contains("a line with hunter2");
    assertThatThrownBy(() -> SecretAssertions.assertNoSecretIn("the log", logged, "hunter2"))
        .isInstanceOf(AssertionError.class);
  }
}
