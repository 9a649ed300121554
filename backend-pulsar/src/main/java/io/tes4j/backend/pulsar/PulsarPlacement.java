package io.tes4j.backend.pulsar;

import io.tes4j.model.Task;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * A rule of your own that picks which Pulsar server runs a task, for a Pulsar backend with several
 * servers ({@code server.NAME=...}). The built-in rules are {@code round-robin}, {@code least-busy}
 * and {@code tag:KEY}; a rule of this interface is found through {@link java.util.ServiceLoader}
 * (list the class in {@code META-INF/services/io.tes4j.backend.pulsar.PulsarPlacement}, or {@code
 * provides} it in a module) and chosen with the backend parameter {@code placement=NAME}.
 *
 * <p>A task that names its server in {@code resources.backend_parameters.pulsar_server} goes there
 * whatever the rule: {@link #choose} is asked only for the others. It is called once per task,
 * when the engine starts it, possibly by several threads at once, so it must be thread-safe and
 * quick (no network call: the start waits for it). What it returns must be one of {@code
 * servers}; anything else, or an exception, ends the task SYSTEM_ERROR, its system log naming the
 * rule and what it did.
 *
 * <pre>{@code
 * // placement=by-cores: tasks asking for 16 cores or more go to the server named "hpc"
 * public final class ByCores implements PulsarPlacement {
 *   public String name() { return "by-cores"; }
 *
 *   public String choose(Task task, List<String> servers, ToIntFunction<String> unfinished) {
 *     Double cores = task.resources() == null ? null : task.resources().cpuCores();
 *     return cores != null && cores >= 16 && servers.contains("hpc") ? "hpc" : servers.get(0);
 *   }
 * }
 * }</pre>
 */
public interface PulsarPlacement {
  /**
   * The name {@code placement=} takes: lower-case letters, digits and {@code -}, not one of the
   * built-in rules' names.
   */
  String name();

  /**
   * The server of {@code task}.
   *
   * @param task the task, with its id, tags and resources
   * @param servers the backend's server names, the URI's own ({@code default}) first
   * @param unfinished how many of this engine's tasks are unfinished on a server, by its name
   * @return one of {@code servers}
   */
  String choose(Task task, List<String> servers, ToIntFunction<String> unfinished);
}
