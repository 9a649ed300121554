package io.tes4j.cli.internal;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Sizes in bytes: reads {@code 8MiB}, {@code 8M}, {@code 16384}, {@code 1GiB} (every unit a power of
 * 1024, so {@code 8MB} is 8 MiB too), and writes them for people ({@code 1.5 GiB}).
 */
final class ByteSize implements CommandLine.ITypeConverter<Long> {
  private static final Pattern SIZE =
      Pattern.compile("(\\d{1,19})\\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)", Pattern.CASE_INSENSITIVE);
  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};

  @Override
  public Long convert(String value) {
    return parse(value);
  }

  /**
   * The number of bytes {@code value} says.
   *
   * @throws CommandLine.TypeConversionException saying what is accepted
   */
  static long parse(String value) {
    Matcher m = SIZE.matcher(value.strip());
    if (!m.matches()) {
      throw new CommandLine.TypeConversionException(
          "invalid size '" + value + "': use a number of bytes, or one with K, M, G or T (KiB, MiB,"
              + " GiB, TiB: powers of 1024), e.g. 8MiB");
    }
    int shift =
        switch (m.group(2).toLowerCase(Locale.ROOT)) {
          case "", "b" -> 0;
          case "k", "kb", "kib" -> 10;
          case "m", "mb", "mib" -> 20;
          case "g", "gb", "gib" -> 30;
          default -> 40;
        };
    long number;
    try {
      number = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw new CommandLine.TypeConversionException("invalid size '" + value + "': too large");
    }
    if (number > (Long.MAX_VALUE >> shift)) {
      throw new CommandLine.TypeConversionException("invalid size '" + value + "': too large");
    }
    return number << shift;
  }

  /** {@code bytes} for people: {@code 512 B}, {@code 1.5 KiB}, {@code 1023.9 MiB}, {@code 1.0 GiB}. */
  static String format(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    double value = bytes;
    int unit = 0;
    while (value >= 1024 && unit < UNITS.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
  }
}
