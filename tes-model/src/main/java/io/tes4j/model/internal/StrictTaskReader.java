package io.tes4j.model.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.tes4j.model.Task;
import io.tes4j.model.TesJson;
import io.tes4j.model.TesJsonException;
import io.tes4j.model.Violation;
import io.tes4j.model.internal.TesSchema.Field;
import io.tes4j.model.internal.TesSchema.Kind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads a task document strictly, collecting every structural problem in one pass, each with its
 * JSON path: JSON syntax (then it stops), fields TES does not define, values of the wrong JSON
 * type. What can be read is then bound to a {@link Task}, with the faulty values left out, so that
 * the task rules can still be checked. Internal: use {@code TaskValidator.validateJson}.
 */
public final class StrictTaskReader {
  private static final TesSchema TASK = TesSchema.of(Task.class);
  private static final ObjectReader TREE_READER =
      TesJson.newMapper().reader().with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final Pattern INT64 = Pattern.compile("-?[0-9]+");
  private static final BigInteger INT32_MIN = BigInteger.valueOf(Integer.MIN_VALUE);
  private static final BigInteger INT32_MAX = BigInteger.valueOf(Integer.MAX_VALUE);

  /**
   * What strict reading found.
   *
   * @param violations the structural problems, in document order
   * @param task the task as far as it could be read, without the faulty values; {@code null} when
   *     the document is not JSON or not an object
   */
  public record Result(List<Violation> violations, Task task) {
    /** Copies the violations. */
    public Result {
      violations = List.copyOf(violations);
    }
  }

  private final List<Violation> violations = new ArrayList<>();

  private StrictTaskReader() {}

  /** Reads {@code json} strictly as a task document. */
  public static Result read(String json) {
    return new StrictTaskReader().readDocument(json);
  }

  private Result readDocument(String json) {
    JsonNode root;
    try {
      root = TREE_READER.readTree(json);
    } catch (JsonProcessingException e) {
      TesJsonException problem = TesJson.toTesJsonException(e);
      return new Result(List.of(new Violation(JsonPaths.ROOT, problem.getMessage())), null);
    }
    if (root == null || root.isMissingNode()) {
      return new Result(
          List.of(new Violation(JsonPaths.ROOT, "the document is empty; expected a task object ({...})")),
          null);
    }
    if (!root.isObject()) {
      return new Result(
          List.of(
              new Violation(
                  JsonPaths.ROOT, "expected a task object ({...}), found " + describe(root))),
          null);
    }
    ObjectNode readable = object(TASK, (ObjectNode) root, Where.ROOT);
    Task task;
    try {
      task = TesJson.reader().forType(Task.class).readValue(readable);
    } catch (JsonProcessingException e) {
      // The checks above leave out every value the records cannot read; should one slip through,
      // it is still reported, with its path, rather than lost.
      TesJsonException problem = TesJson.toTesJsonException(e);
      violations.add(new Violation(problem.path(), JsonPaths.describe(e)));
      task = null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Result(violations, task);
  }

  /**
   * Checks an object against {@code schema}; returns the object itself when all of it is readable,
   * else a copy holding only the readable values (made at the first value left out, so that a valid
   * document, the usual case, is not copied).
   */
  private ObjectNode object(TesSchema schema, ObjectNode node, Where path) {
    ObjectNode readable = null;
    Map<Field, String> seen = null; // the names met, to find a field given twice under two names
    int index = 0;
    for (Map.Entry<String, JsonNode> entry : node.properties()) {
      String name = entry.getKey();
      JsonNode value = entry.getValue();
      JsonNode checked = null;
      Optional<Field> known = schema.field(name);
      if (known.isEmpty()) {
        violations.add(new Violation(path.field(name).toString(), unknownField(schema, name)));
      } else {
        Field field = known.get();
        if (seen == null) {
          seen = new HashMap<>();
        }
        String earlier = seen.putIfAbsent(field, name);
        if (earlier != null) {
          violations.add(
              new Violation(
                  path.field(name).toString(),
                  Texts.quote(name)
                      + " and "
                      + Texts.quote(earlier)
                      + " are two names of the same field "
                      + Texts.quote(field.name())
                      + "; set it once"));
        } else if (!value.isNull()) { // an explicit null reads as absent
          checked = value(field, value, path.field(name));
        }
      }
      if (readable == null && checked != value) {
        readable = firstEntries(node, index);
      }
      if (readable != null && checked != null) {
        readable.set(name, checked);
      }
      index++;
    }
    return readable != null ? readable : node;
  }

  /** A new object holding the first {@code count} entries of {@code node}. */
  private static ObjectNode firstEntries(ObjectNode node, int count) {
    ObjectNode copy = JsonNodeFactory.instance.objectNode();
    int index = 0;
    for (Map.Entry<String, JsonNode> entry : node.properties()) {
      if (index++ == count) {
        break;
      }
      copy.set(entry.getKey(), entry.getValue());
    }
    return copy;
  }

  /** Checks one field's value; returns what can be read of it, or {@code null} to leave it out. */
  private JsonNode value(Field field, JsonNode value, Where path) {
    switch (field.kind()) {
      case STRING, OPEN_ENUM -> {
        return value.isTextual() ? value : wrongType(path, "a string", value);
      }
      case BOOLEAN -> {
        return value.isBoolean() ? value : wrongType(path, "true or false", value);
      }
      case INTEGER -> {
        return isInt32(value) ? value : wrongType(path, "a whole number (int32)", value);
      }
      case NUMBER -> {
        return value.isNumber() ? value : wrongType(path, "a number", value);
      }
      case INT64_STRING -> {
        boolean ok =
            value.isTextual() && INT64.matcher(value.textValue()).matches() && fitsLong(value.textValue())
                || value.isIntegralNumber() && value.canConvertToLong();
        return ok ? value : wrongType(path, "a whole number written as a string, such as \"1024\"", value);
      }
      case ENUM -> {
        return enumValue(field, value, path);
      }
      case STRING_LIST -> {
        if (value.isTextual() && field.acceptsSingleValue()) {
          return value;
        }
        if (!value.isArray()) {
          return wrongType(path, "an array of strings", value);
        }
        ArrayNode readable = null; // a copy, made at the first element that is not a string
        for (int i = 0; i < value.size(); i++) {
          JsonNode element = value.get(i);
          if (!element.isTextual()) {
            wrongType(path.index(i), "a string", element);
            if (readable == null) {
              readable = firstElements((ArrayNode) value, i);
            }
            readable.add(TextNode.valueOf("")); // keeps the indexes of the elements after it
          } else if (readable != null) {
            readable.add(element);
          }
        }
        return readable != null ? readable : value;
      }
      case STRING_MAP -> {
        // Maps hold environment variables, which routinely carry secrets: values are not quoted.
        if (!value.isObject()) {
          return wrongType(path, "an object whose values are strings", value, false);
        }
        ObjectNode readable = null; // a copy, made at the first value that is not a string
        int index = 0;
        for (Map.Entry<String, JsonNode> entry : value.properties()) {
          if (!entry.getValue().isTextual()) {
            wrongType(path.field(entry.getKey()), "a string", entry.getValue(), false);
            if (readable == null) {
              readable = firstEntries((ObjectNode) value, index);
            }
          } else if (readable != null) {
            readable.set(entry.getKey(), entry.getValue());
          }
          index++;
        }
        return readable != null ? readable : value;
      }
      case OBJECT -> {
        TesSchema nested = field.object();
        return value.isObject()
            ? object(nested, (ObjectNode) value, path)
            : wrongType(path, Texts.article(nested.singular() + " object") + " ({...})", value);
      }
      case OBJECT_LIST -> {
        TesSchema nested = field.object();
        if (!value.isArray()) {
          return wrongType(path, "an array of " + nested.plural() + " ([{...}])", value);
        }
        ArrayNode readable = null; // a copy, made at the first element that changes
        for (int i = 0; i < value.size(); i++) {
          JsonNode element = value.get(i);
          JsonNode checked;
          if (element.isObject()) {
            checked = object(nested, (ObjectNode) element, path.index(i));
          } else {
            wrongType(path.index(i), Texts.article(nested.singular() + " object") + " ({...})", element);
            checked = JsonNodeFactory.instance.objectNode(); // keeps the indexes after it
          }
          if (readable == null && checked != element) {
            readable = firstElements((ArrayNode) value, i);
          }
          if (readable != null) {
            readable.add(checked);
          }
        }
        return readable != null ? readable : value;
      }
      default -> throw new IllegalStateException("unhandled kind " + field.kind());
    }
  }

  /** A new array holding the first {@code count} elements of {@code array}. */
  private static ArrayNode firstElements(ArrayNode array, int count) {
    ArrayNode copy = JsonNodeFactory.instance.arrayNode();
    for (int i = 0; i < count; i++) {
      copy.add(array.get(i));
    }
    return copy;
  }

  private JsonNode enumValue(Field field, JsonNode value, Where path) {
    String allowed = "one of " + String.join(", ", field.enumValues());
    if (!value.isTextual()) {
      return wrongType(path, allowed, value);
    }
    String text = value.textValue();
    if (field.enumValues().contains(text)) {
      return value;
    }
    String message = "expected " + allowed + ", found " + Texts.jsonString(text);
    for (String candidate : field.enumValues()) {
      if (candidate.equalsIgnoreCase(text)) {
        message += " (values are upper case: use \"" + candidate + "\")";
      }
    }
    violations.add(new Violation(path.toString(), message));
    return null;
  }

  private JsonNode wrongType(Where path, String expected, JsonNode found) {
    return wrongType(path, expected, found, true);
  }

  private JsonNode wrongType(Where path, String expected, JsonNode found, boolean showValue) {
    violations.add(new Violation(path.toString(), "expected " + expected + ", found " + describe(found, showValue)));
    return null;
  }

  private static boolean isInt32(JsonNode value) {
    if (value.isIntegralNumber()) {
      BigInteger n = value.bigIntegerValue();
      return n.compareTo(INT32_MIN) >= 0 && n.compareTo(INT32_MAX) <= 0;
    }
    if (value.isFloatingPointNumber()) {
      double d = value.doubleValue();
      return d == Math.rint(d) && d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE;
    }
    return false;
  }

  private static boolean fitsLong(String digits) {
    try {
      Long.parseLong(digits);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** {@code a string ("echo")}, {@code a number (42)}, {@code an array}, {@code null}. */
  private static String describe(JsonNode node) {
    return describe(node, true);
  }

  /**
   * As {@link #describe(JsonNode)}; without the value when {@code showValue} is false. Quoted
   * strings have URL credentials masked.
   */
  private static String describe(JsonNode node, boolean showValue) {
    if (!showValue && node.isValueNode() && !node.isNull()) {
      return node.isTextual() ? "a string" : node.isNumber() ? "a number" : "a boolean";
    }
    return switch (node.getNodeType()) {
      case STRING -> "a string (" + Texts.jsonString(Redact.url(node.textValue())) + ")";
      case NUMBER -> "a number (" + node.asText() + ")";
      case BOOLEAN -> "a boolean (" + node.asText() + ")";
      case NULL -> "null";
      case ARRAY -> node.isEmpty() ? "an empty array" : "an array";
      case OBJECT -> node.isEmpty() ? "an empty object" : "an object";
      default -> node.getNodeType().name().toLowerCase(Locale.ROOT);
    };
  }

  /**
   * Says why {@code name} is unknown: it belongs on another TES object, or it is a typo (with the
   * closest allowed name), followed by the allowed names.
   */
  private static String unknownField(TesSchema schema, String name) {
    List<String> owners = new ArrayList<>();
    String canonical = name;
    for (TesSchema other : TASK.selfAndNested()) {
      Optional<Field> there = other.field(name);
      if (other != schema && there.isPresent()) {
        owners.add(other.plural());
        canonical = there.get().name();
      }
    }
    if (!owners.isEmpty()) {
      return "unknown field "
          + Texts.quote(name)
          + ": "
          + schema.plural()
          + " have no "
          + canonical
          + " (it belongs on "
          + Texts.and(owners)
          + ")";
    }
    String message =
        "unknown field "
            + Texts.quote(name)
            + "; allowed: "
            + String.join(", ", schema.fields().keySet());
    String suggestion = closest(schema, name);
    return suggestion == null ? message : message + " (did you mean " + Texts.quote(suggestion) + "?)";
  }

  /** The allowed name {@code name} is most likely a misspelling of, or {@code null}. */
  private static String closest(TesSchema schema, String name) {
    String normal = normalize(name);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : schema.fields().keySet()) {
      int distance = distance(normal, normalize(candidate));
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    int tolerance = normal.length() <= 4 ? 1 : 2;
    return bestDistance <= tolerance ? best : null;
  }

  /** Lower case without {@code _} or {@code -}, so that {@code workDir} and {@code work_dir} match. */
  private static String normalize(String name) {
    return name.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
  }

  /** Levenshtein distance. */
  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  /**
   * A JSON path, made into text ({@code executors[0].env["1X"]}) only when a problem is reported
   * at it: a valid document, the usual case, builds none.
   */
  private static final class Where {
    static final Where ROOT = new Where(null, null, -1);

    private final Where parent;
    private final String name;
    private final int index;

    private Where(Where parent, String name, int index) {
      this.parent = parent;
      this.name = name;
      this.index = index;
    }

    Where field(String field) {
      return new Where(this, field, -1);
    }

    Where index(int element) {
      return new Where(this, null, element);
    }

    @Override
    public String toString() {
      if (parent == null) {
        return JsonPaths.ROOT;
      }
      String at = parent.toString();
      return name != null ? JsonPaths.field(at, name) : JsonPaths.index(at, index);
    }
  }
}
