package io.tes4j.api.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The polling schedule that {@code TesClient.await} documents: 0.2 s, growing, at most 5 s. */
class PollingTest {

  @Test
  void theDelayStartsAt200msAndGrowsByHalf() {
    long first = Polling.nextDelay(0);
    long second = Polling.nextDelay(first);

    assertThat(TimeUnit.NANOSECONDS.toMillis(first)).isEqualTo(200);
    assertThat(TimeUnit.NANOSECONDS.toMillis(second)).isEqualTo(300);
    assertThat(TimeUnit.NANOSECONDS.toMillis(Polling.nextDelay(second))).isEqualTo(450);
  }

  @Test
  void theDelayNeverExceedsFiveSeconds() {
    long delay = 0;
    for (int i = 0; i < 50; i++) {
      delay = Polling.nextDelay(delay);
    }

    assertThat(TimeUnit.NANOSECONDS.toSeconds(delay)).isEqualTo(5);
  }

  @Test
  void unwrapFindsTheCauseOfNestedCompletionExceptions() {
    IllegalStateException cause = new IllegalStateException("x");

    assertThat(Polling.unwrap(new CompletionException(new CompletionException(cause)))).isSameAs(cause);
    assertThat(Polling.unwrap(cause)).isSameAs(cause);
  }
}
