package io.tes4j.server.auth;

import java.util.Locale;

/**
 * What an authenticated caller may do. A token or user carries a set of them, like the worker and
 * client tokens of a pipeline service: a dashboard gets {@link #READ}, a workflow engine
 * {@link #READ} and {@link #SUBMIT} and {@link #CANCEL}.
 */
public enum Scope {
  /** GET service-info, a task, the list of tasks. */
  READ,
  /** POST a new task. */
  SUBMIT,
  /** POST {@code /tasks/{id}:cancel}. */
  CANCEL;

  /** The name used in files, tokens and flags: {@code read}, {@code submit}, {@code cancel}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
