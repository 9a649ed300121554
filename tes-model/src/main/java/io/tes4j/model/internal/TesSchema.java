package io.tes4j.model.internal;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tes4j.model.Executor;
import io.tes4j.model.ExecutorLog;
import io.tes4j.model.Input;
import io.tes4j.model.Output;
import io.tes4j.model.OutputFileLog;
import io.tes4j.model.Resources;
import io.tes4j.model.Task;
import io.tes4j.model.TaskLog;
import java.lang.annotation.Annotation;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JSON shape of a model record, read from the record itself: its JSON field names in
 * declaration order, the aliases it also accepts, and what kind of value each field holds. Used by
 * the strict reading of task documents, so that what counts as a known field is exactly what the
 * records read. Internal.
 */
public final class TesSchema {

  /** What a field holds, in JSON terms. */
  public enum Kind {
    /** A JSON string. */
    STRING,
    /** {@code true} or {@code false}. */
    BOOLEAN,
    /** A whole number within int32. */
    INTEGER,
    /** Any JSON number. */
    NUMBER,
    /** An int64 coded as a string ({@code "1024"}); a JSON number is also read. */
    INT64_STRING,
    /** A string from a fixed list. */
    ENUM,
    /** A string from a list that reads unknown values as a default: any string is accepted. */
    OPEN_ENUM,
    /** An array of strings. */
    STRING_LIST,
    /** An object whose values are strings. */
    STRING_MAP,
    /** A nested object, described by {@link Field#object()}. */
    OBJECT,
    /** An array of nested objects, each described by {@link Field#object()}. */
    OBJECT_LIST
  }

  /**
   * One field of a record.
   *
   * @param name the JSON name the record writes
   * @param aliases other names it reads (camelCase spellings)
   * @param kind what the field holds
   * @param object the nested schema, for {@link Kind#OBJECT} and {@link Kind#OBJECT_LIST}
   * @param enumValues the allowed values, for {@link Kind#ENUM} and {@link Kind#OPEN_ENUM}
   * @param acceptsSingleValue for a list: whether one bare value is read as a one-element list
   */
  public record Field(
      String name,
      List<String> aliases,
      Kind kind,
      TesSchema object,
      List<String> enumValues,
      boolean acceptsSingleValue) {}

  private static final Map<Class<?>, TesSchema> CACHE = new ConcurrentHashMap<>();

  /** Singular and plural nouns for messages, per model type. */
  private static final Map<Class<?>, String[]> NOUNS =
      Map.of(
          Task.class, new String[] {"task", "tasks"},
          Input.class, new String[] {"input", "inputs"},
          Output.class, new String[] {"output", "outputs"},
          Resources.class, new String[] {"resources", "resources"},
          Executor.class, new String[] {"executor", "executors"},
          TaskLog.class, new String[] {"task log", "task logs"},
          ExecutorLog.class, new String[] {"executor log", "executor logs"},
          OutputFileLog.class, new String[] {"output file log", "output file logs"});

  private final Class<?> type;
  private final String singular;
  private final String plural;
  private final Map<String, Field> fields = new LinkedHashMap<>();
  private final Map<String, Field> byAnyName = new LinkedHashMap<>();

  private TesSchema(Class<?> type) {
    this.type = type;
    String[] nouns = NOUNS.get(type);
    String simple = type.getSimpleName().toLowerCase(Locale.ROOT);
    this.singular = nouns == null ? simple : nouns[0];
    this.plural = nouns == null ? simple + "s" : nouns[1];
  }

  /** The schema of a model record. */
  public static TesSchema of(Class<? extends Record> type) {
    TesSchema cached = CACHE.get(type);
    if (cached != null) {
      return cached;
    }
    // Built outside computeIfAbsent: building a schema builds the schemas it nests.
    TesSchema schema = new TesSchema(type);
    schema.describe();
    TesSchema previous = CACHE.putIfAbsent(type, schema);
    return previous == null ? schema : previous;
  }

  /** The record this schema describes. */
  public Class<?> type() {
    return type;
  }

  /** {@code input}, {@code executor log}... */
  public String singular() {
    return singular;
  }

  /** {@code inputs}, {@code executor logs}... */
  public String plural() {
    return plural;
  }

  /** The fields, by JSON name, in declaration order. */
  public Map<String, Field> fields() {
    return Collections.unmodifiableMap(fields);
  }

  /** The field read under {@code name}, which may be an alias. */
  public Optional<Field> field(String name) {
    return Optional.ofNullable(byAnyName.get(name));
  }

  /** This schema and every schema nested in it, at any depth, this one first. */
  public List<TesSchema> selfAndNested() {
    List<TesSchema> all = new ArrayList<>();
    collect(this, all);
    return all;
  }

  private static void collect(TesSchema schema, List<TesSchema> all) {
    if (all.contains(schema)) {
      return;
    }
    all.add(schema);
    for (Field field : schema.fields.values()) {
      if (field.object() != null) {
        collect(field.object(), all);
      }
    }
  }

  private void describe() {
    for (RecordComponent component : type.getRecordComponents()) {
      JsonProperty property = annotation(component, JsonProperty.class);
      String name =
          property == null || property.value().isEmpty() ? component.getName() : property.value();
      JsonAlias alias = annotation(component, JsonAlias.class);
      List<String> aliases = alias == null ? List.of() : List.of(alias.value());
      JsonFormat format = annotation(component, JsonFormat.class);
      boolean single =
          format != null
              && Arrays.asList(format.with()).contains(JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY);
      Field field = field(name, aliases, component.getGenericType(), single);
      fields.put(name, field);
      byAnyName.put(name, field);
      aliases.forEach(a -> byAnyName.put(a, field));
    }
  }

  private static <A extends Annotation> A annotation(RecordComponent component, Class<A> type) {
    A onAccessor = component.getAccessor().getAnnotation(type);
    if (onAccessor != null) {
      return onAccessor;
    }
    try {
      return component.getDeclaringRecord().getDeclaredField(component.getName()).getAnnotation(type);
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(
          "record " + component.getDeclaringRecord() + " has no field " + component.getName(), e);
    }
  }

  private static Field field(String name, List<String> aliases, Type type, boolean single) {
    if (type instanceof Class<?> c) {
      if (c == String.class) {
        return new Field(name, aliases, Kind.STRING, null, List.of(), false);
      }
      if (c == Boolean.class) {
        return new Field(name, aliases, Kind.BOOLEAN, null, List.of(), false);
      }
      if (c == Integer.class) {
        return new Field(name, aliases, Kind.INTEGER, null, List.of(), false);
      }
      if (c == Double.class) {
        return new Field(name, aliases, Kind.NUMBER, null, List.of(), false);
      }
      if (c == Long.class) {
        return new Field(name, aliases, Kind.INT64_STRING, null, List.of(), false);
      }
      if (c.isEnum()) {
        List<String> values = new ArrayList<>();
        boolean open = false;
        for (java.lang.reflect.Field constant : c.getFields()) {
          if (constant.isEnumConstant()) {
            values.add(constant.getName());
            open |= constant.isAnnotationPresent(JsonEnumDefaultValue.class);
          }
        }
        return new Field(name, aliases, open ? Kind.OPEN_ENUM : Kind.ENUM, null, List.copyOf(values), false);
      }
      if (c.isRecord()) {
        return new Field(name, aliases, Kind.OBJECT, of(c.asSubclass(Record.class)), List.of(), false);
      }
    } else if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
      Type[] arguments = p.getActualTypeArguments();
      if (raw == List.class && arguments[0] == String.class) {
        return new Field(name, aliases, Kind.STRING_LIST, null, List.of(), single);
      }
      if (raw == List.class && arguments[0] instanceof Class<?> element && element.isRecord()) {
        return new Field(
            name, aliases, Kind.OBJECT_LIST, of(element.asSubclass(Record.class)), List.of(), single);
      }
      if (raw == Map.class && arguments[0] == String.class && arguments[1] == String.class) {
        return new Field(name, aliases, Kind.STRING_MAP, null, List.of(), false);
      }
    }
    throw new IllegalStateException("no JSON kind for field '" + name + "' of type " + type);
  }

  @Override
  public String toString() {
    return "TesSchema[" + type.getSimpleName() + "]";
  }
}
