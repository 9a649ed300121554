package io.tes4j.spi;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * A backend URI holds parameters that the backend does not know: thrown by {@link
 * BackendConfig#requireOnly}. The engine adds its own parameters ({@code store}, {@code
 * maxRunning}...) to the message, so that a typo of either kind is shown with every name that
 * would have been accepted.
 */
public final class UnknownParameterException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** Not serialized: the message says it all. */
  private final transient Set<String> unknown;

  /** Not serialized: the message says it all. */
  private final transient Set<String> known;

  /**
   * @param message the message, naming the unknown parameters and the known ones
   * @param unknown the parameters the backend does not know
   * @param known the parameters it knows
   */
  public UnknownParameterException(String message, Set<String> unknown, Set<String> known) {
    super(message);
    this.unknown = Collections.unmodifiableSet(new TreeSet<>(unknown));
    this.known = Collections.unmodifiableSet(new TreeSet<>(known));
  }

  /**
   * The parameters the backend does not know, sorted.
   *
   * @return the names, empty after deserialization
   */
  public Set<String> unknown() {
    return unknown == null ? Set.of() : unknown;
  }

  /**
   * The parameters the backend knows, sorted.
   *
   * @return the names, empty after deserialization
   */
  public Set<String> known() {
    return known == null ? Set.of() : known;
  }
}
