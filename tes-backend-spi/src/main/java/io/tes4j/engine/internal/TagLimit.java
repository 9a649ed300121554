package io.tes4j.engine.internal;

import java.util.Objects;

/**
 * At most {@code max} admitted tasks at once whose tag {@code key} has the value {@code value}.
 * Internal.
 *
 * @param key the tag key
 * @param value the tag value, matched exactly
 * @param max at most this many admitted at once, at least 1
 */
public record TagLimit(String key, String value, int max) {
  /** Checks the values. */
  public TagLimit {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (max < 1) {
      throw new IllegalArgumentException("the tag limit " + key + "=" + value + " must allow at least 1 task, was " + max);
    }
  }
}
