package io.tes4j.model;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.tes4j.model.internal.JsonPaths;
import io.tes4j.model.internal.SingleElementLongDeserializer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The one Jackson configuration for TES documents, and shortcuts to read and write them.
 *
 * <p>How it reads: unknown fields are ignored (newer servers add fields); an unknown state reads as
 * {@link State#UNKNOWN} and an unknown file type as absent; {@code size_bytes} reads from a string
 * or a number (or the one-element list {@code ["1024"]} the spec's own example shows); times stay
 * the strings the server wrote; camelCase aliases that Funnel and old examples use
 * ({@code cpuCores}, {@code creationTime}) are accepted; anything after the document is an error. How it writes: the spec's snake_case names; absent fields and empty lists stay out.
 *
 * <pre>{@code
 * Task task = TesJson.read(json, Task.class);   // TesJsonException with line and column
 * String out = TesJson.write(task);
 * ObjectMapper mine = TesJson.newMapper();       // a private copy to configure further
 * }</pre>
 *
 * <p>{@link #reader()} and {@link #writer()} are shared and immutable, so safe from any thread;
 * {@link #newMapper()} gives a fresh mapper each call, because a shared mutable mapper could be
 * reconfigured by one caller under another.
 */
public final class TesJson {
  private static final ObjectMapper MAPPER = newMapper();
  private static final ObjectReader READER = MAPPER.reader();
  private static final ObjectWriter WRITER = MAPPER.writer();
  private static final ObjectWriter PRETTY = MAPPER.writerWithDefaultPrettyPrinter();

  private TesJson() {}

  /** A new mapper with the TES configuration, for callers that need an {@link ObjectMapper}. */
  public static ObjectMapper newMapper() {
    return JsonMapper.builder()
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE)
        .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
        .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
        .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
        .addModule(
            new SimpleModule("tes4j")
                .addDeserializer(Long.class, new SingleElementLongDeserializer()))
        .build();
  }

  /** The shared reader (immutable, thread-safe). */
  public static ObjectReader reader() {
    return READER;
  }

  /** The shared compact writer (immutable, thread-safe). */
  public static ObjectWriter writer() {
    return WRITER;
  }

  /** Reads one document of {@code type}. */
  public static <T> T read(String json, Class<T> type) {
    try {
      return READER.forType(type).readValue(json);
    } catch (JsonProcessingException e) {
      throw toTesJsonException(e);
    }
  }

  /** Reads one document of {@code type} from a stream, which is not closed. */
  public static <T> T read(InputStream json, Class<T> type) {
    try {
      return READER.forType(type).readValue(json);
    } catch (JsonProcessingException e) {
      throw toTesJsonException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code value} as compact JSON. */
  public static String write(Object value) {
    try {
      return WRITER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getName() + " as JSON", e);
    }
  }

  /** Writes {@code value} as indented JSON, for people. */
  public static String writePretty(Object value) {
    try {
      return PRETTY.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getName() + " as JSON", e);
    }
  }

  /**
   * Turns a Jackson failure into a {@link TesJsonException} whose message reads {@code line L,
   * column C: what} (plus {@code at PATH} when a field is at fault), without Jackson's source dump.
   */
  public static TesJsonException toTesJsonException(JsonProcessingException e) {
    JsonLocation location = e.getLocation();
    int line = location == null ? -1 : location.getLineNr();
    int column = location == null ? -1 : location.getColumnNr();
    String path =
        e instanceof JsonMappingException mapping ? JsonPaths.of(mapping.getPath()) : JsonPaths.ROOT;
    StringBuilder message = new StringBuilder();
    if (line > 0) {
      message.append("line ").append(line).append(", column ").append(column).append(": ");
    }
    message.append(JsonPaths.describe(e));
    if (!JsonPaths.ROOT.equals(path)) {
      message.append(" (at ").append(path).append(')');
    }
    return new TesJsonException(message.toString(), line, column, path, e);
  }
}
