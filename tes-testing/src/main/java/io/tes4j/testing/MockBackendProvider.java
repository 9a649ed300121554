package io.tes4j.testing;

import io.tes4j.spi.Backend;
import io.tes4j.spi.BackendConfig;
import io.tes4j.spi.BackendProvider;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code mock:} scheme: a {@link MockBackend}, registered for {@link java.util.ServiceLoader}, so
 * {@code TesClient.connect("mock:")} gives an engine over it. Parameters: {@code delay} (e.g. {@code
 * 50ms}, {@code 1s}, {@code 0}; default 50 ms), {@code backend_parameters} (comma-separated keys the
 * backend supports), {@code record} ({@code true} or {@code false}). The {@linkplain
 * BackendConfig#TRANSFER_POLICY_PARAMETERS transfer policy parameters} are accepted and ignored: the
 * mock moves no files.
 */
public final class MockBackendProvider implements BackendProvider {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|min)?");

  /** For ServiceLoader. */
  public MockBackendProvider() {}

  @Override
  public String name() {
    return "mock (tes-testing)";
  }

  @Override
  public Set<String> schemes() {
    return Set.of("mock");
  }

  @Override
  public Backend open(BackendConfig config) {
    Set<String> known = new java.util.HashSet<>(Set.of("delay", "backend_parameters", "record"));
    known.addAll(BackendConfig.TRANSFER_POLICY_PARAMETERS); // it moves no files: nothing to enforce
    config.requireOnly(known);
    MockBackend.Builder builder = MockBackend.builder();
    config.get("delay").ifPresent(text -> builder.delay(duration(text)));
    config.get("backend_parameters").ifPresent(keys ->
        builder.backendParameters(keys.isBlank() ? new String[0] : keys.split(",")));
    config.get("record").ifPresent(text -> {
      if (!text.equals("true") && !text.equals("false")) {
        throw new IllegalArgumentException("mock: record must be true or false, was '" + text + "'");
      }
      builder.record(Boolean.parseBoolean(text));
    });
    return builder.build();
  }

  /** {@code 50ms}, {@code 2s}, {@code 1m}, {@code 0}, or ISO-8601 ({@code PT0.5S}). */
  static Duration duration(String text) {
    Matcher matcher = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (matcher.matches()) {
      long amount = Long.parseLong(matcher.group(1));
      String unit = matcher.group(2);
      if (unit == null) {
        if (amount == 0) {
          return Duration.ZERO;
        }
      } else {
        switch (unit) {
          case "ms":
            return Duration.ofMillis(amount);
          case "s":
            return Duration.ofSeconds(amount);
          default:
            return Duration.ofMinutes(amount);
        }
      }
    } else {
      try {
        Duration duration = Duration.parse(text.trim());
        if (!duration.isNegative()) {
          return duration;
        }
      } catch (DateTimeParseException e) {
        // fall through to the message below
      }
    }
    throw new IllegalArgumentException(
        "mock: delay must be a duration such as 50ms, 2s, 1m, 0 or PT0.5S, was '" + text + "'");
  }
}
