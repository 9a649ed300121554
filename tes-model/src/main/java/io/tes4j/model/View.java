package io.tes4j.model;

/**
 * How much of a task GetTask and ListTasks return.
 *
 * <p>The spec's default, when a request names no view, is {@link #MINIMAL}.
 */
public enum View {
  /** Only {@code id} and {@code state}. */
  MINIMAL,
  /**
   * Everything except executor logs' {@code stdout} and {@code stderr}, inputs' {@code content} and
   * task logs' {@code system_logs}.
   */
  BASIC,
  /** Every field. */
  FULL
}
