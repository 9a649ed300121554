package io.tes4j.backend.local.internal;

import io.tes4j.backend.local.LocalRuntime;
import io.tes4j.model.Resources;
import java.util.ArrayList;
import java.util.List;

/** The system log lines of a container runtime: what of {@code tesResources} it does not enforce. */
final class ContainerNotes {
  private ContainerNotes() {}

  static List<String> notes(LocalRuntime runtime, Resources resources) {
    if (resources == null) {
      return List.of();
    }
    List<String> ignored = new ArrayList<>();
    if (resources.diskGb() != null) {
      ignored.add("disk_gb=" + Numbers.plain(resources.diskGb()));
    }
    if (Boolean.TRUE.equals(resources.preemptible())) {
      ignored.add("preemptible=true");
    }
    if (!resources.zones().isEmpty()) {
      ignored.add("zones=" + String.join(",", resources.zones()));
    }
    if (ignored.isEmpty()) {
      return List.of();
    }
    return List.of(
        "runtime=" + runtime.parameter() + " enforces cpu_cores and ram_gb only; " + String.join(", ", ignored)
            + (ignored.size() > 1 ? " are" : " is") + " ignored");
  }
}
