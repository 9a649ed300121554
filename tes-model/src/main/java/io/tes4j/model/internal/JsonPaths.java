package io.tes4j.model.internal;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** JSON paths in the form {@code executors[0].env["1X"]} and plain Jackson messages. Internal. */
public final class JsonPaths {
  /** The path of the document itself. */
  public static final String ROOT = "$";

  private static final Pattern UNCLOSED =
      Pattern.compile(
          "expected close marker for (Object|Array) \\(start marker at .*line: (\\d+), column: (\\d+)\\]\\)",
          Pattern.DOTALL);
  private static final Pattern FOUND =
      Pattern.compile(
          "from (Array|Object|String|Boolean|Integer|Floating-point|Number) value"
              + "(?: \\('(.*)'\\)| \\(([^)]*)\\))?",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern CHARACTER_CODE = Pattern.compile(" \\(code -?\\d+\\)");

  private JsonPaths() {}

  /** The path of a Jackson reference chain; {@code $} when empty. */
  public static String of(List<JsonMappingException.Reference> references) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference reference : references) {
      if (reference.getIndex() >= 0) {
        path.append('[').append(reference.getIndex()).append(']');
      } else if (reference.getFieldName() != null) {
        appendField(path, reference.getFieldName());
      }
    }
    return path.length() == 0 ? ROOT : path.toString();
  }

  /** Appends {@code .name}, or {@code ["name"]} when the name is not a plain identifier. */
  public static StringBuilder appendField(StringBuilder path, String name) {
    if (isIdentifier(name)) {
      if (path.length() > 0) {
        path.append('.');
      }
      return path.append(name);
    }
    return path.append("[\"").append(name.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"]");
  }

  /** Whether {@code name} matches {@code [A-Za-z_][A-Za-z0-9_]*} (a check on every validated field: no regex). */
  private static boolean isIdentifier(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean letter = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_';
      if (!letter && (i == 0 || c < '0' || c > '9')) {
        return false;
      }
    }
    return true;
  }

  /** {@code parent.name} or {@code parent["name"]}. */
  public static String field(String parent, String name) {
    StringBuilder path = new StringBuilder(ROOT.equals(parent) ? "" : parent);
    return appendField(path, name).toString();
  }

  /** {@code parent[index]}. */
  public static String index(String parent, int index) {
    return (ROOT.equals(parent) ? "" : parent) + "[" + index + "]";
  }

  /**
   * Jackson's message in plain words, without the location, the source excerpt and the Java class
   * names it appends: {@code expected an array, found a string ("echo")}, {@code the document ends
   * before the object opened at line 1, column 1 is closed}.
   */
  public static String describe(JsonProcessingException e) {
    String message = e.getOriginalMessage();
    if (message == null) {
      message = e.getClass().getSimpleName();
    }
    String first = message.lines().findFirst().orElse(message);
    if (e instanceof InvalidFormatException invalid) {
      return "cannot read " + quote(invalid.getValue()) + " as " + typeName(invalid.getTargetType());
    }
    if (first.startsWith("No content to map due to end-of-input")) {
      return "the document is empty";
    }
    if (first.startsWith("Trailing token")) {
      return "unexpected content after the end of the JSON document; only one document is allowed";
    }
    // The start marker quotes the source, which may span lines: match the whole message.
    Matcher unclosed = UNCLOSED.matcher(message);
    if (unclosed.find()) {
      return "the document ends before the "
          + unclosed.group(1).toLowerCase(Locale.ROOT)
          + " opened at line "
          + unclosed.group(2)
          + ", column "
          + unclosed.group(3)
          + " is closed";
    }
    if (e instanceof MismatchedInputException mismatched
        && mismatched.getTargetType() != null
        && !(e instanceof JsonParseException)) {
      Matcher found = FOUND.matcher(first);
      if (found.find()) {
        // A map is where environment variables live: a value given in its place is not quoted.
        boolean showValue = !Map.class.isAssignableFrom(mismatched.getTargetType());
        return "expected " + typeName(mismatched.getTargetType()) + ", found " + found(found, showValue);
      }
      first = first.replaceAll("\\s*\\(through reference chain:.*$", "");
    }
    // "Unexpected character ('}' (code 125))": the code adds nothing for people.
    return CHARACTER_CODE.matcher(first).replaceAll("");
  }

  /**
   * {@code a string ("echo")}, {@code an array}... from Jackson's "from String value ('echo')";
   * without the value when {@code showValue} is false, and with URL credentials masked.
   */
  private static String found(Matcher found, boolean showValue) {
    String shape = found.group(1).toLowerCase(Locale.ROOT);
    String value = showValue ? (found.group(2) != null ? found.group(2) : found.group(3)) : null;
    return switch (shape) {
      case "array" -> "an array";
      case "object" -> "an object";
      case "string" ->
          value == null ? "a string" : "a string (" + Texts.jsonString(Redact.url(value)) + ")";
      case "boolean" -> value == null ? "a boolean" : "a boolean (" + value + ")";
      case "integer", "floating-point", "number" -> value == null ? "a number" : "a number (" + value + ")";
      default -> shape + " value";
    };
  }

  private static String quote(Object value) {
    return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
  }

  private static String typeName(Class<?> type) {
    if (type == null) {
      return "the expected type";
    }
    if (type.isEnum()) {
      Object[] constants = type.getEnumConstants();
      StringBuilder allowed = new StringBuilder();
      for (Object constant : constants) {
        if (allowed.length() > 0) {
          allowed.append(", ");
        }
        allowed.append(constant);
      }
      return "one of " + allowed;
    }
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "an integer";
    }
    if (type == Double.class || type == double.class) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string";
    }
    if (Collection.class.isAssignableFrom(type) || type.isArray()) {
      return "an array";
    }
    if (Map.class.isAssignableFrom(type)) {
      return "an object";
    }
    if (type.isRecord()) {
      return Texts.article(TesSchema.of(type.asSubclass(Record.class)).singular() + " object");
    }
    return "a " + type.getSimpleName();
  }
}
