package io.tes4j.backend.local.internal;

import io.tes4j.backend.local.LocalRuntime;
import io.tes4j.model.Resources;
import io.tes4j.model.Task;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the launchers of container runtimes (docker and podman, apptainer and singularity) share:
 * the runtime's program and environment, the resources they enforce, the checks every task gets
 * before its mounts are planned, and the {@code --cpus}/{@code --memory} options, which all four
 * spell alike.
 */
abstract class ContainerRuntimeLauncher implements Launcher {
  protected final LocalRuntime runtime;
  protected final Path executable;
  protected final Map<String, String> environment;

  /**
   * @param runtime the runtime this launcher drives
   * @param executable the runtime's program
   * @param environment the runtime's own environment ({@code DOCKER_HOST}, {@code HOME}...)
   */
  ContainerRuntimeLauncher(LocalRuntime runtime, Path executable, Map<String, String> environment) {
    this.runtime = runtime;
    this.executable = executable;
    this.environment = Map.copyOf(environment);
  }

  @Override
  public final LocalRuntime runtime() {
    return runtime;
  }

  @Override
  public final Set<String> enforcedResources() {
    return Set.of("cpu_cores", "ram_gb");
  }

  @Override
  public final List<String> notes(Task task) {
    return ContainerNotes.notes(runtime, task.resources());
  }

  /** Checks every executor's environment, then plans the task's mounts under {@code root}. */
  static List<Mount> checkAndPlanMounts(Task task, Path root) {
    for (int i = 0; i < task.executors().size(); i++) {
      Environments.check(task.executors().get(i), i);
    }
    return ContainerMounts.plan(task, root);
  }

  /** {@code --cpus N --memory BYTES} for what the task asks. */
  static List<String> limits(Resources resources) {
    List<String> limits = new ArrayList<>();
    if (resources != null && resources.cpuCores() != null && resources.cpuCores() > 0) {
      limits.add("--cpus");
      limits.add(Numbers.plain(resources.cpuCores()));
    }
    if (resources != null && resources.ramGb() != null && resources.ramGb() > 0) {
      limits.add("--memory");
      limits.add(Long.toString(Numbers.bytes(resources.ramGb())));
    }
    return limits;
  }
}
