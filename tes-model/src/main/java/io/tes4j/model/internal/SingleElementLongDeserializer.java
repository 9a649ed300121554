package io.tes4j.model.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.NumberDeserializers;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;

/**
 * Reads a {@code Long} as Jackson does (a number, or a string of digits), and also from a
 * one-element array. Not part of the API.
 *
 * <p>The TES 1.1 spec gives {@code ["1024"]} as the example of {@code tesOutputFileLog.size_bytes};
 * mock servers generated from the spec answer with it. {@code size_bytes} is the only {@code Long}
 * of the model, so this reads that example without loosening any other field.
 */
public final class SingleElementLongDeserializer extends StdDeserializer<Long> {
  private static final long serialVersionUID = 1L;
  private static final NumberDeserializers.LongDeserializer STANDARD =
      new NumberDeserializers.LongDeserializer(Long.class, null);

  /** The deserializer {@code TesJson} registers for {@code Long}. */
  public SingleElementLongDeserializer() {
    super(Long.class);
  }

  @Override
  public Long deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
    if (!p.isExpectedStartArrayToken()) {
      return STANDARD.deserialize(p, ctxt);
    }
    JsonToken element = p.nextToken();
    if (element == JsonToken.END_ARRAY || element == JsonToken.START_ARRAY
        || element == JsonToken.START_OBJECT) {
      return (Long) ctxt.handleUnexpectedToken(Long.class, JsonToken.START_ARRAY, p, null);
    }
    Long value = element == JsonToken.VALUE_NULL ? null : STANDARD.deserialize(p, ctxt);
    if (p.nextToken() != JsonToken.END_ARRAY) {
      return (Long) ctxt.handleUnexpectedToken(Long.class, JsonToken.START_ARRAY, p, null);
    }
    return value;
  }
}
