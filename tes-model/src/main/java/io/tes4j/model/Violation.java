package io.tes4j.model;

import java.util.Objects;

/**
 * One problem with a task document: where it is, as a JSON path such as
 * {@code executors[0].image} or {@code executors[1].env["1X"]}, and a plain sentence saying what is
 * wrong and what is allowed. {@code toString()} is {@code path: message}.
 *
 * @param path the JSON path of the field at fault; {@code $} for the document itself
 * @param message what is wrong, and what is allowed
 */
public record Violation(String path, String message) {
  public Violation {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return path + ": " + message;
  }
}
