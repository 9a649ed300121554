package io.tes4j.cli.internal;

import io.tes4j.api.internal.Durations;
import java.time.Duration;
import picocli.CommandLine;

/** Reads {@code 30s}, {@code 10m}, {@code 2h}, {@code 1d}, {@code 250ms} or {@code PT10M}. */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    Duration d;
    try {
      d = Durations.parse(value);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
    if (d.isNegative()) {
      throw new CommandLine.TypeConversionException(
          "invalid duration '" + value + "': must not be negative");
    }
    return d;
  }
}
