package io.tes4j.server.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A request's query, decoded: every value of each name, in order. Internal. */
public final class QueryParameters {
  private final Map<String, List<String>> values;

  private QueryParameters(Map<String, List<String>> values) {
    this.values = values;
  }

  /**
   * Parses {@code rawQuery} ({@code a=1&b=2&a=3}, percent-encoded; {@code +} is a space).
   *
   * @throws IllegalArgumentException naming the parameter whose encoding is broken
   */
  public static QueryParameters parse(String rawQuery) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    if (rawQuery != null && !rawQuery.isEmpty()) {
      for (String pair : rawQuery.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int equals = pair.indexOf('=');
        String name = decode(equals < 0 ? pair : pair.substring(0, equals), "a parameter name");
        String value = equals < 0 ? "" : decode(pair.substring(equals + 1), "the value of " + name);
        values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      }
    }
    return new QueryParameters(values);
  }

  private static String decode(String text, String what) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " is not correctly percent-encoded (" + e.getMessage() + ")");
    }
  }

  /** Every value of {@code name}, in order; empty when absent. */
  public List<String> all(String name) {
    return values.getOrDefault(name, List.of());
  }

  /**
   * The value of {@code name}, or {@code null} when absent.
   *
   * @throws IllegalArgumentException when it is given more than once
   */
  public String single(String name) {
    List<String> all = all(name);
    if (all.size() > 1) {
      throw new IllegalArgumentException(name + " is given " + all.size() + " times; give it once");
    }
    return all.isEmpty() ? null : all.get(0);
  }
}
