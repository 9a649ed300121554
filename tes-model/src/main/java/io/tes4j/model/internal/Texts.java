package io.tes4j.model.internal;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/** Values quoted for messages: one line, escaped, not too long. Internal. */
public final class Texts {
  private static final int MAX_QUOTED = 80;

  private Texts() {}

  /** {@code 'value'}, with control characters escaped and long values cut. */
  public static String quote(String value) {
    return "'" + escape(value) + "'";
  }

  /** {@code "value"}, as JSON would write it, with long values cut. */
  public static String jsonString(String value) {
    return "\"" + escape(value).replace("\"", "\\\"") + "\"";
  }

  /** A number the way people write it: {@code -1}, {@code 0.5}, {@code NaN}. */
  public static String number(double value) {
    if (!Double.isFinite(value)) {
      return Double.toString(value);
    }
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }

  /** {@code a, b and c}. */
  public static String and(Collection<String> items) {
    List<String> list = List.copyOf(items);
    if (list.size() <= 1) {
      return String.join("", list);
    }
    return String.join(", ", list.subList(0, list.size() - 1)) + " and " + list.get(list.size() - 1);
  }

  /** {@code a} or {@code an}, for a noun phrase. */
  public static String article(String noun) {
    return noun.isEmpty() || "aeiou".indexOf(Character.toLowerCase(noun.charAt(0))) < 0
        ? "a " + noun
        : "an " + noun;
  }

  private static String escape(String value) {
    StringBuilder out = new StringBuilder();
    int end = value.length();
    boolean cut = false;
    if (value.codePointCount(0, end) > MAX_QUOTED) {
      end = value.offsetByCodePoints(0, MAX_QUOTED);
      cut = true;
    }
    for (int i = 0; i < end; i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\\' -> out.append("\\\\");
        default -> {
          if (Character.isISOControl(c)) {
            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    if (cut) {
      out.append("...");
    }
    return out.toString();
  }
}
