package io.tes4j.spi;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a {@link Backend} can do. The engine and {@code service-info} read it; the conformance kit
 * skips, with the reason, the checks of what a backend lacks.
 *
 * @param cancelRunning whether a RUNNING task can be stopped (its processes killed, its job
 *     deleted); otherwise cancel takes effect only before the task starts
 * @param resume whether {@link Backend#resume} can re-attach to a task after a restart
 * @param enforcedResources the {@code tesResources} fields the backend enforces, by their JSON
 *     names ({@code cpu_cores}, {@code ram_gb}, {@code disk_gb}, {@code preemptible}, {@code zones});
 *     the others are accepted and ignored, with a system log line saying so
 * @param backendParameters the {@code resources.backend_parameters} keys the backend understands;
 *     a task with {@code backend_parameters_strict} and another key is rejected by the engine
 * @param storage the storage locations its tasks can reach, for {@code service-info}'s {@code
 *     storage} (e.g. {@code file:///data}, {@code s3://}, {@code https://})
 */
public record Capabilities(
    boolean cancelRunning,
    boolean resume,
    Set<String> enforcedResources,
    Set<String> backendParameters,
    List<String> storage) {

  /** Copies the collections. */
  public Capabilities {
    enforcedResources = Collections.unmodifiableSet(new LinkedHashSet<>(Objects.requireNonNull(enforcedResources, "enforcedResources")));
    backendParameters = Collections.unmodifiableSet(new LinkedHashSet<>(Objects.requireNonNull(backendParameters, "backendParameters")));
    storage = List.copyOf(Objects.requireNonNull(storage, "storage"));
  }

  /** Cancels running tasks; nothing else: no resume, no resources enforced, no parameters. */
  public static Capabilities basic() {
    return new Capabilities(true, false, Set.of(), Set.of(), List.of());
  }
}
