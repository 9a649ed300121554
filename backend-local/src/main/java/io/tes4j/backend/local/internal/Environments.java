package io.tes4j.backend.local.internal;

import io.tes4j.model.Executor;
import io.tes4j.model.Task;
import io.tes4j.model.Violation;
import io.tes4j.model.internal.JsonPaths;
import io.tes4j.model.internal.Texts;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks what of an executor goes to a process, whatever the runtime: its environment's names and
 * values and its argv. Messages name the field, never an environment value.
 */
final class Environments {
  /** A name every runtime and shell takes as it is: {@code [A-Za-z_][A-Za-z0-9_]*}, as the validator requires. */
  static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /**
   * The longest {@code NAME=value} an executor may have, in UTF-8 bytes: the kernel takes at most
   * 128 KiB for one environment string, and the runtimes pass each under a prefix of up to 15
   * characters ({@code SINGULARITYENV_}).
   */
  static final int MAX_ENTRY_BYTES = 128 * 1024 - 1 - 16;

  private Environments() {}

  /** The path of executor {@code index}'s variable {@code name}: {@code executors[0].env.NAME}. */
  static String envPath(int index, String name) {
    return JsonPaths.field(JsonPaths.field(JsonPaths.index("executors", index), "env"), name);
  }

  /**
   * What no process can be given, in every executor of {@code task}: a variable name that is not
   * {@code [A-Za-z_][A-Za-z0-9_]*} (one holding {@code =}, a space or a leading {@code -} could
   * become another variable or an option), and a NUL character in a value or an argument.
   */
  static List<Violation> violations(Task task) {
    List<Violation> violations = new ArrayList<>();
    for (int i = 0; i < task.executors().size(); i++) {
      violations.addAll(violations(task.executors().get(i), i));
    }
    return violations;
  }

  /** {@link #violations(Task)} of executor {@code index}. */
  static List<Violation> violations(Executor executor, int index) {
    List<Violation> violations = new ArrayList<>();
    for (Map.Entry<String, String> variable : executor.env().entrySet()) {
      String name = variable.getKey();
      if (!NAME.matcher(name).matches()) {
        violations.add(new Violation(envPath(index, name),
            "invalid environment variable name " + Texts.quote(name)
                + ": must start with a letter or underscore and hold only letters, digits and underscores"));
      } else if (variable.getValue().indexOf('\0') >= 0) {
        violations.add(new Violation(envPath(index, name),
            "the value holds a NUL character, which no environment can carry"));
      } else if (name.length() + 1 + variable.getValue().getBytes(StandardCharsets.UTF_8).length > MAX_ENTRY_BYTES) {
        violations.add(new Violation(envPath(index, name),
            "NAME=value must be at most " + MAX_ENTRY_BYTES + " bytes (UTF-8): the kernel refuses a larger"
                + " environment entry; pass a value this large as an input file"));
      }
    }
    List<String> command = executor.command();
    for (int j = 0; j < command.size(); j++) {
      if (command.get(j).indexOf('\0') >= 0) {
        violations.add(new Violation(JsonPaths.index(JsonPaths.field(JsonPaths.index("executors", index), "command"), j),
            "holds a NUL character, which no argv can carry"));
      }
    }
    return violations;
  }

  /**
   * {@link #violations} of one executor, and an empty command, as a failure to launch.
   *
   * @throws LaunchException naming the first field at fault
   */
  static void check(Executor executor, int index) {
    if (executor.command().isEmpty()) {
      throw new LaunchException("executors[" + index + "].command is empty");
    }
    requireNone(violations(executor, index));
  }

  /** The first of {@code violations} as a failure to launch, or nothing when there is none. */
  static void requireNone(List<Violation> violations) {
    if (!violations.isEmpty()) {
      throw new LaunchException(violations.get(0).toString());
    }
  }
}
