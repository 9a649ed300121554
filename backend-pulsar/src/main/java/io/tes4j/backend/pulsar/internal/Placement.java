package io.tes4j.backend.pulsar.internal;

import io.tes4j.backend.pulsar.PulsarPlacement;
import io.tes4j.model.Resources;
import io.tes4j.model.Task;
import io.tes4j.model.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToIntFunction;
import java.util.regex.Pattern;

/**
 * Which Pulsar server runs a task, when the backend has several. A task that names one in {@code
 * resources.backend_parameters.pulsar_server} goes there; any other goes where the rule says:
 *
 * <ul>
 *   <li>{@code round-robin} (the default): each server in turn;
 *   <li>{@code least-busy}: the server with the fewest of this engine's unfinished tasks (the first
 *       named on a tie);
 *   <li>{@code tag:KEY}: the server the task's tag {@code KEY} names; a task without that tag goes
 *       round robin;
 *   <li>{@code NAME}: the {@link PulsarPlacement} of that name, found through {@link ServiceLoader}.
 * </ul>
 *
 * <p>A name that is no server's is refused when the task is created ({@link #check}). Thread-safe.
 */
public final class Placement {
  /** The {@code backend_parameters} key that names a task's server. */
  public static final String SERVER_PARAMETER = "pulsar_server";

  private static final Pattern PLUG_IN_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  private final String rule;
  private final String tagKey;
  private final PulsarPlacement plugIn;
  private final List<String> servers;
  private final AtomicLong turn = new AtomicLong();

  private Placement(String rule, String tagKey, PulsarPlacement plugIn, List<String> servers) {
    this.rule = rule;
    this.tagKey = tagKey;
    this.plugIn = plugIn;
    this.servers = List.copyOf(servers);
  }

  /**
   * The rule a {@code placement} parameter names, over {@code servers} (in the order given).
   *
   * @throws IllegalArgumentException naming what is allowed
   */
  public static Placement parse(String value, List<String> servers) {
    String text = value == null || value.isBlank() ? "round-robin" : value.strip();
    String lower = text.toLowerCase(Locale.ROOT);
    if (lower.equals("round-robin") || lower.equals("least-busy")) {
      return new Placement(lower, null, null, servers);
    }
    if (lower.startsWith("tag:") && text.length() > 4) {
      return new Placement("tag", text.substring(4), null, servers);
    }
    List<String> plugIns = new ArrayList<>();
    for (ServiceLoader.Provider<PulsarPlacement> provider : ServiceLoader.load(PulsarPlacement.class).stream().toList()) {
      PulsarPlacement candidate;
      try {
        candidate = provider.get();
      } catch (ServiceConfigurationError e) {
        throw new IllegalArgumentException("pulsar: the placement rule " + provider.type().getName()
            + " cannot be made: " + e.getMessage(), e);
      }
      String name = candidate.name();
      if (name == null || !PLUG_IN_NAME.matcher(name).matches() || name.equals("round-robin")
          || name.equals("least-busy")) {
        throw new IllegalArgumentException("pulsar: the placement rule " + candidate.getClass().getName()
            + " is named '" + name + "'; a rule's name is lower-case letters, digits and -, and not a built-in rule's");
      }
      if (name.equals(text)) {
        return new Placement(name, null, candidate, servers);
      }
      plugIns.add(name);
    }
    throw new IllegalArgumentException("pulsar: placement=" + text
        + " is not a placement rule; use round-robin, least-busy or tag:KEY (the tag KEY names the server)"
        + (plugIns.isEmpty() ? "" : ", or one of the rules found on the class path: " + String.join(", ", plugIns)));
  }

  /** The servers, the first being the URI's own. */
  public List<String> servers() {
    return servers;
  }

  /** What {@link #choose} cannot do for {@code task}: a server name it names that is none of ours. */
  public List<Violation> check(Task task) {
    List<Violation> violations = new ArrayList<>();
    named(task).ifPresent(name -> {
      if (!servers.contains(name)) {
        violations.add(new Violation("resources.backend_parameters." + SERVER_PARAMETER,
            "names no Pulsar server of this backend; use one of " + String.join(", ", servers)));
      }
    });
    if (tagKey != null && task.tags() != null && task.tags().containsKey(tagKey)
        && !servers.contains(task.tags().get(tagKey))) {
      violations.add(new Violation("tags." + tagKey,
          "names no Pulsar server of this backend (placement=tag:" + tagKey + "); use one of "
              + String.join(", ", servers)));
    }
    return violations;
  }

  /**
   * The server of {@code task}.
   *
   * @param busy how many unfinished tasks a server has, for {@code least-busy}
   * @throws IllegalArgumentException when the task names a server that is none of ours
   */
  public String choose(Task task, ToIntFunction<String> busy) {
    Optional<String> named = named(task);
    if (named.isEmpty() && tagKey != null && task.tags() != null) {
      named = Optional.ofNullable(task.tags().get(tagKey));
    }
    if (named.isPresent()) {
      if (!servers.contains(named.get())) {
        throw new IllegalArgumentException("task " + task.id() + " names the Pulsar server '" + named.get()
            + "', which this backend does not have; it has " + String.join(", ", servers));
      }
      return named.get();
    }
    if (servers.size() == 1) {
      return servers.get(0);
    }
    if (plugIn != null) {
      String chosen;
      try {
        chosen = plugIn.choose(task, servers, busy);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("the placement rule '" + rule + "' failed for task " + task.id() + ": " + e, e);
      }
      if (chosen == null || !servers.contains(chosen)) {
        throw new IllegalArgumentException("the placement rule '" + rule + "' chose '" + chosen + "' for task "
            + task.id() + ", which is no server of this backend; it has " + String.join(", ", servers));
      }
      return chosen;
    }
    if (rule.equals("least-busy")) {
      String best = servers.get(0);
      int fewest = busy.applyAsInt(best);
      for (String server : servers.subList(1, servers.size())) {
        int count = busy.applyAsInt(server);
        if (count < fewest) {
          best = server;
          fewest = count;
        }
      }
      return best;
    }
    return servers.get((int) Math.floorMod(turn.getAndIncrement(), (long) servers.size()));
  }

  /** The server a task names in its {@code backend_parameters} (keys are case-insensitive). */
  private static Optional<String> named(Task task) {
    Resources resources = task.resources();
    if (resources == null || resources.backendParameters() == null) {
      return Optional.empty();
    }
    for (Map.Entry<String, String> entry : resources.backendParameters().entrySet()) {
      if (entry.getKey().equalsIgnoreCase(SERVER_PARAMETER) && entry.getValue() != null) {
        return Optional.of(entry.getValue().strip());
      }
    }
    return Optional.empty();
  }

  /** The rule, as the parameter names it. */
  @Override
  public String toString() {
    return tagKey == null ? rule : "tag:" + tagKey;
  }
}
