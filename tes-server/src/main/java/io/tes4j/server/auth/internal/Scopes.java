package io.tes4j.server.auth.internal;

import io.tes4j.server.auth.Scope;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Scope names as written in files and tokens: {@code read}, {@code submit}, {@code cancel}. */
public final class Scopes {
  private Scopes() {}

  /** The allowed names, for messages: {@code read, submit, cancel}. */
  public static String allowedNames() {
    return Arrays.stream(Scope.values()).map(Scope::wireName).collect(Collectors.joining(", "));
  }

  /** The scope named {@code wireName} (exactly, lower case), if there is one. */
  public static Optional<Scope> byWireName(String wireName) {
    for (Scope scope : Scope.values()) {
      if (scope.wireName().equals(wireName)) {
        return Optional.of(scope);
      }
    }
    return Optional.empty();
  }

  /**
   * A comma-separated list such as {@code read,submit}.
   *
   * @param where the file and line, for the message
   * @throws IllegalArgumentException for an empty list, an empty item or an unknown name
   */
  public static Set<Scope> parseList(String list, String where) {
    if (list.isEmpty()) {
      throw new IllegalArgumentException(
          where + ": the scopes are empty; list one or more of " + allowedNames());
    }
    Set<Scope> scopes = EnumSet.noneOf(Scope.class);
    for (String name : list.split(",", -1)) {
      String trimmed = name.strip();
      if (trimmed.isEmpty()) {
        throw new IllegalArgumentException(
            where + ": an empty scope in the comma-separated list; allowed: " + allowedNames());
      }
      Scope scope =
          byWireName(trimmed)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          where
                              + ": unknown scope '"
                              + printable(trimmed)
                              + "'; allowed: "
                              + allowedNames()));
      scopes.add(scope);
    }
    return scopes;
  }

  /** {@code text} if it is short and plain, else a placeholder: it came from a file or header. */
  static String printable(String text) {
    return text.length() <= 40 && text.chars().allMatch(c -> c > 0x20 && c < 0x7f)
        ? text
        : "(" + text.length() + " characters, not shown)";
  }
}
