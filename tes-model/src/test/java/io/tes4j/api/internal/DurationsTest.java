package io.tes4j.api.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** Durations as people write them on a command line and read them in messages. */
class DurationsTest {

  @ParameterizedTest
  @CsvSource({
    "10m, PT10M",
    "30s, PT30S",
    "250ms, PT0.25S",
    "2h, PT2H",
    "1d, PT24H",
    "45, PT45S",
    "' 5 s ', PT5S",
    "10M, PT10M",
    "PT1H, PT1H",
    "PT1H30M, PT1H30M",
    "1h30m, PT1H30M",
    "2.5s, PT2.5S",
    "1.5h, PT1H30M",
    "1m 30s, PT1M30S",
  })
  void parsesTheUsualForms(String text, String iso) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @ValueSource(strings = {"bad", "10 minutes", "-5s", "1.5.2h", "s", "h1"})
  void rejectsAnythingElseSayingWhatIsAccepted(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "invalid duration '"
                + text
                + "': use numbers with ms, s, m, h or d (e.g. 30s, 10m, 1h30m), or ISO-8601 (PT10M)");
  }

  @ParameterizedTest
  @NullAndEmptySource
  void rejectsNothing(String text) {
    assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @CsvSource({
    "PT0S, 0s",
    "PT0.25S, 250ms",
    "PT30S, 30s",
    "PT10M, 10m",
    "PT1H30M, 1h30m",
    "PT1M30S, 1m30s",
    "PT2.5S, 2.5s",
    "PT1.05S, 1.05s",
    "PT26H, 26h",
  })
  void formatsForPeople(String iso, String text) {
    assertThat(Durations.format(Duration.parse(iso))).isEqualTo(text);
  }

  @Test
  void everythingFormatPrintsReadsBack() {
    for (Duration d :
        new Duration[] {
          Duration.ofMillis(250),
          Duration.ofSeconds(30),
          Duration.ofMinutes(10),
          Duration.ofHours(3),
          Duration.ofMinutes(90),
          Duration.ofMillis(2500),
          Duration.ofMillis(1050),
          Duration.ofSeconds(93_784)
        }) {
      assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
    }
  }
}
