package io.tes4j.model.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/**
 * Writes a whole {@code Double} as a JSON integer ({@code 4}, not {@code 4.0}) and any other value
 * as a number. Not part of the API.
 *
 * <p>TES 1.1 types {@code cpu_cores} as int32 while the coming 1.2 makes it a number; servers with
 * strict int32 parsing reject {@code 4.0}, so a whole value must go out as an integer, and a
 * fractional one ({@code 0.5}) must go out unchanged rather than be truncated.
 */
public final class WholeNumberSerializer extends StdSerializer<Double> {
  private static final long serialVersionUID = 1L;
  private static final double LARGEST_EXACT_LONG = 9.007199254740992E15; // 2^53

  public WholeNumberSerializer() {
    super(Double.class);
  }

  @Override
  public void serialize(Double value, JsonGenerator gen, SerializerProvider provider)
      throws IOException {
    double d = value;
    if (Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) <= LARGEST_EXACT_LONG) {
      gen.writeNumber((long) d);
    } else {
      gen.writeNumber(d);
    }
  }
}
