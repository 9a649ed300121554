package io.tes4j.model;

import io.tes4j.api.InvalidTaskException;
import java.util.List;

/**
 * Says whether a task may be submitted, listing every problem at once, each with its JSON path.
 *
 * <p>Rules checked: at least one executor; each executor's {@code image} is not blank and its
 * {@code command} is not empty; container paths ({@code inputs[].path}, {@code outputs[].path},
 * {@code workdir}, {@code stdin}, {@code stdout}, {@code stderr}, {@code volumes[]}) are absolute
 * and hold no {@code ..} segment; an input has exactly one of {@code url} and {@code content} (an
 * empty {@code content} is an empty file); an output has {@code url} and {@code path}; an output
 * whose {@code path} has wildcards has a {@code path_prefix} that is a parent of the path, and
 * {@code path_prefix} appears nowhere else; resources are not negative; environment variable names
 * are valid; no two outputs (and no two inputs) share a path.
 *
 * <pre>{@code
 * List<Violation> problems = TaskValidator.validate(task);
 * problems.forEach(p -> System.err.println(p));   // executors[0].image: must not be blank
 * TaskValidator.requireValid(task);                // or throw InvalidTaskException
 * }</pre>
 */
public final class TaskValidator {
  private TaskValidator() {}

  /** Every problem with {@code task}, in document order; empty when it is valid. */
  public static List<Violation> validate(Task task) {
    throw new UnsupportedOperationException("being written");
  }

  /**
   * Every problem with a task document: JSON syntax (with line and column), fields that TES does
   * not define (such as {@code path_prefix} on an input), values of the wrong type, and then every
   * rule of {@link #validate(Task)}.
   */
  public static List<Violation> validateJson(String json) {
    throw new UnsupportedOperationException("being written");
  }

  /**
   * Returns {@code task} when it is valid.
   *
   * @throws InvalidTaskException listing every problem, when it is not
   */
  public static Task requireValid(Task task) {
    List<Violation> violations = validate(task);
    if (!violations.isEmpty()) {
      throw new InvalidTaskException(violations);
    }
    return task;
  }
}
