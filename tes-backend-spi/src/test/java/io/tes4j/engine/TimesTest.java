package io.tes4j.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.engine.internal.Times;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** RFC 3339 timestamps in UTC to the millisecond, and durations in words. */
class TimesTest {
  private static final DateTimeFormatter REFERENCE =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  @Test
  void formatsAsJavaTimeDoes() {
    assertThat(Times.format(Instant.parse("2026-11-22T10:15:30.123456Z"))).isEqualTo("2026-11-22T10:15:30.123Z");
    assertThat(Times.format(Instant.EPOCH)).isEqualTo("1970-01-01T00:00:00.000Z");
    assertThat(Times.format(Instant.parse("2000-02-29T23:59:59.999Z"))).isEqualTo("2000-02-29T23:59:59.999Z");
    assertThat(Times.format(Instant.parse("1969-12-31T23:59:59.5Z"))).isEqualTo("1969-12-31T23:59:59.500Z");
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < 100_000; i++) {
      Instant instant = Instant.ofEpochSecond(random.nextLong(-62_167_219_200L, 253_402_300_799L), random.nextInt(1_000_000_000));
      assertThat(Times.format(instant)).isEqualTo(REFERENCE.format(instant));
    }
  }

  @Test
  void durationsInWords() {
    assertThat(Times.format(Duration.ofMillis(250))).isEqualTo("250 ms");
    assertThat(Times.format(Duration.ofSeconds(10))).isEqualTo("10 s");
    assertThat(Times.format(Duration.ofMinutes(2))).isEqualTo("2 min");
    assertThat(Times.format(Duration.ofMillis(1500))).isEqualTo("1.5 s");
  }
}
