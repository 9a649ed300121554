package io.tes4j.api;

import io.tes4j.model.Violation;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The task, or the request, was rejected as invalid (HTTP 400). {@link #violations()} lists every
 * problem found, each with the JSON path of the field; it is empty when a server answered 400
 * without a body this library can read, and then {@link #body()} holds what it said.
 */
public class InvalidTaskException extends TesServiceException {
  private static final long serialVersionUID = 1L;
  private final List<Violation> violations;

  /** Rejected locally, before anything was sent or run. */
  public InvalidTaskException(List<Violation> violations) {
    this(violations, 400, null);
  }

  public InvalidTaskException(List<Violation> violations, int statusCode, String body) {
    super(message(violations, body), statusCode, body);
    this.violations = List.copyOf(violations);
  }

  /** Every problem found, in document order. */
  public List<Violation> violations() {
    return violations;
  }

  private static String message(List<Violation> violations, String body) {
    if (violations.isEmpty()) {
      return "invalid task" + (body == null || body.isBlank() ? "" : ": " + body.strip());
    }
    return "invalid task: "
        + violations.stream().map(Violation::toString).collect(Collectors.joining("; "));
  }
}
