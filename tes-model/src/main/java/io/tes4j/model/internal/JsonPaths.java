package io.tes4j.model.internal;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.util.List;
import java.util.regex.Pattern;

/** JSON paths in the form {@code executors[0].env["1X"]} and plain Jackson messages. Internal. */
public final class JsonPaths {
  /** The path of the document itself. */
  public static final String ROOT = "$";

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

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
    if (IDENTIFIER.matcher(name).matches()) {
      if (path.length() > 0) {
        path.append('.');
      }
      return path.append(name);
    }
    return path.append("[\"").append(name.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"]");
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

  /** Jackson's message, without the location and source excerpt it appends. */
  public static String describe(JsonProcessingException e) {
    String message = e.getOriginalMessage();
    if (message == null) {
      message = e.getClass().getSimpleName();
    }
    if (e instanceof InvalidFormatException invalid) {
      return "cannot read " + quote(invalid.getValue()) + " as " + typeName(invalid.getTargetType());
    }
    if (e instanceof MismatchedInputException mismatched && mismatched.getTargetType() != null
        && !(e instanceof JsonParseException)) {
      String first = message.lines().findFirst().orElse(message);
      return first.replaceAll("\\s*\\(through reference chain:.*$", "");
    }
    return message.lines().findFirst().orElse(message);
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
    return "a " + type.getSimpleName();
  }
}
