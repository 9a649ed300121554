package io.tes4j.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.client.RetrySettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The delay between attempts: exponential, capped, jittered downwards only, or Retry-After. */
class HttpTransportDelayTest {
  private static HttpTransport transport(RetrySettings retry) {
    return new HttpTransport(
        HttpClient.newHttpClient(),
        URI.create("http://127.0.0.1:1/ga4gh/tes/v1"),
        Authorization.NONE,
        List.of(),
        Duration.ofSeconds(1),
        "test",
        retry);
  }

  private static Answer answerWithHeaders(Map<String, List<String>> headers) {
    HttpCall<Void> call =
        new HttpCall<>("GET", URI.create("http://127.0.0.1:1/x"), null, true, null, a -> null);
    return new Answer(call, 503, HttpHeaders.of(headers, (name, value) -> true), new byte[0]);
  }

  @Test
  void delaysDoubleUpToTheMaximum() {
    try (HttpTransport t =
        transport(new RetrySettings(10, Duration.ofMillis(100), Duration.ofMillis(700), 0.0))) {
      assertThat(t.delayBefore(1, null)).isEqualTo(Duration.ofMillis(100));
      assertThat(t.delayBefore(2, null)).isEqualTo(Duration.ofMillis(200));
      assertThat(t.delayBefore(3, null)).isEqualTo(Duration.ofMillis(400));
      assertThat(t.delayBefore(4, null)).isEqualTo(Duration.ofMillis(700));
      assertThat(t.delayBefore(60, null)).isEqualTo(Duration.ofMillis(700));
    }
  }

  @Test
  void jitterOnlyShortensTheDelay() {
    try (HttpTransport t =
        transport(new RetrySettings(10, Duration.ofMillis(100), Duration.ofSeconds(1), 0.5))) {
      for (int i = 0; i < 200; i++) {
        assertThat(t.delayBefore(2, null))
            .isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
      }
    }
  }

  @Test
  void retryAfterReplacesTheBackOffUpToTheMaximum() {
    try (HttpTransport t =
        transport(new RetrySettings(10, Duration.ofMillis(100), Duration.ofSeconds(5), 0.5))) {
      assertThat(t.delayBefore(1, answerWithHeaders(Map.of("Retry-After", List.of("2")))))
          .isEqualTo(Duration.ofSeconds(2));
      assertThat(t.delayBefore(1, answerWithHeaders(Map.of("Retry-After", List.of("60")))))
          .isEqualTo(Duration.ofSeconds(5));
      assertThat(t.delayBefore(1, answerWithHeaders(Map.of("Retry-After", List.of("later")))))
          .isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
    }
  }
}
