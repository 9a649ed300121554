package io.tes4j.backend.local.internal;

import io.tes4j.model.Executor;

/** Checks what of an executor goes into a command line: its argv and its environment. */
final class Environments {
  private Environments() {}

  /**
   * Refuses what no process can be given: an empty variable name, a name holding {@code =}, and a
   * NUL character in a name, a value or an argument. Messages name the field, never a value.
   *
   * @throws LaunchException naming the field
   */
  static void check(Executor executor, int index) {
    executor.env().forEach((name, value) -> {
      if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
        throw new LaunchException(
            "executors[" + index + "].env: the name '" + name.replace("\0", "\\0")
                + "' cannot be an environment variable (it is empty or holds '=' or NUL)");
      }
      if (value.indexOf('\0') >= 0) {
        throw new LaunchException(
            "executors[" + index + "].env[" + name + "]: the value holds a NUL character, which no"
                + " environment can carry");
      }
    });
    for (int i = 0; i < executor.command().size(); i++) {
      if (executor.command().get(i).indexOf('\0') >= 0) {
        throw new LaunchException(
            "executors[" + index + "].command[" + i + "] holds a NUL character, which no argv can carry");
      }
    }
    if (executor.command().isEmpty()) {
      throw new LaunchException("executors[" + index + "].command is empty");
    }
  }
}
