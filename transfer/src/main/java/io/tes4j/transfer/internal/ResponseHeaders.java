package io.tes4j.transfer.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The headers of an HTTP answer, looked up by name without regard to case, as {@link
 * java.net.HttpURLConnection#getHeaderFields()} gives them (without the status line). Internal.
 */
final class ResponseHeaders {
  private final Map<String, List<String>> values;

  private ResponseHeaders(Map<String, List<String>> values) {
    this.values = values;
  }

  /** The headers in {@code fields}; the entry with a {@code null} name (the status line) is left out. */
  static ResponseHeaders of(Map<String, List<String>> fields) {
    Map<String, List<String>> values = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    fields.forEach(
        (name, list) -> {
          if (name != null && list != null) {
            values.computeIfAbsent(name, n -> new ArrayList<>()).addAll(list);
          }
        });
    return new ResponseHeaders(values);
  }

  /** The first value of {@code name}, if the header is there. */
  Optional<String> firstValue(String name) {
    List<String> list = values.get(name);
    return list == null || list.isEmpty() ? Optional.empty() : Optional.ofNullable(list.get(0));
  }

  /** Every value of {@code name}, in the order given; empty when the header is missing. */
  List<String> allValues(String name) {
    return List.copyOf(values.getOrDefault(name, List.of()));
  }

  /** The first value of {@code name} as a number; empty when missing or not a number. */
  OptionalLong firstValueAsLong(String name) {
    Optional<String> value = firstValue(name);
    if (value.isEmpty()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(value.get().strip()));
    } catch (NumberFormatException notANumber) {
      // A malformed number is treated as no number: the caller then knows less, not something false.
      return OptionalLong.empty();
    }
  }
}
