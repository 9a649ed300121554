package io.tes4j.backend.local.internal;

import io.tes4j.backend.local.LocalRuntime;
import io.tes4j.model.Executor;
import io.tes4j.model.Resources;
import io.tes4j.model.Task;
import io.tes4j.model.Violation;
import io.tes4j.model.internal.JsonPaths;
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
 *
 * <p>Every option value is written {@code --option=value}, in one argument, so that no value can
 * be read as an option of its own, and the options end with {@code --} before the image: all four
 * CLIs parse their arguments with Go's {@code pflag}, which ends options there.
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

  /** {@link Environments#violations}, then this runtime's own rules for each executor. */
  @Override
  public final List<Violation> check(Task task) {
    List<Violation> violations = new ArrayList<>(Environments.violations(task));
    for (int i = 0; i < task.executors().size(); i++) {
      Executor executor = task.executors().get(i);
      String image = executor.image();
      if (image != null && !image.isBlank()) { // the validator reports a missing image
        String problem = imageProblem(image);
        if (problem != null) {
          violations.add(new Violation(JsonPaths.field(JsonPaths.index("executors", i), "image"), problem));
        }
      }
      List<Violation> own = new ArrayList<>();
      checkEnvironment(executor, i, own);
      for (Violation violation : own) { // one violation per field
        if (violations.stream().noneMatch(v -> v.path().equals(violation.path()))) {
          violations.add(violation);
        }
      }
    }
    return violations;
  }

  /** Why this runtime cannot be given {@code image} (not blank), or {@code null} when it can. */
  abstract String imageProblem(String image);

  /** Adds what this runtime cannot pass of executor {@code index}'s environment; nothing by default. */
  void checkEnvironment(Executor executor, int index, List<Violation> violations) {}

  /**
   * {@link #check} of one executor, at launch.
   *
   * @throws LaunchException naming the first field at fault
   */
  final void checkAtLaunch(Task task, int index) {
    Executor executor = task.executors().get(index);
    Environments.check(executor, index);
    String problem = executor.image() == null || executor.image().isBlank()
        ? "is required"
        : imageProblem(executor.image());
    if (problem != null) {
      throw new LaunchException("executors[" + index + "].image: " + problem);
    }
    List<Violation> violations = new ArrayList<>();
    checkEnvironment(executor, index, violations);
    Environments.requireNone(violations);
  }

  /** Checks every executor's environment, then plans the task's mounts under {@code root}. */
  static List<Mount> checkAndPlanMounts(Task task, Path root) {
    for (int i = 0; i < task.executors().size(); i++) {
      Environments.check(task.executors().get(i), i);
    }
    return ContainerMounts.plan(task, root);
  }

  /** {@code --cpus=N --memory=BYTES} for what the task asks. */
  static List<String> limits(Resources resources) {
    List<String> limits = new ArrayList<>();
    if (resources != null && resources.cpuCores() != null && resources.cpuCores() > 0) {
      limits.add("--cpus=" + Numbers.plain(resources.cpuCores()));
    }
    if (resources != null && resources.ramGb() != null && resources.ramGb() > 0) {
      limits.add("--memory=" + Numbers.bytes(resources.ramGb()));
    }
    return limits;
  }

  /** The executor's working directory as an absolute, normalised path (never an option). */
  static String workdir(Executor executor) {
    return ContainerPaths.normalize(executor.workdir());
  }
}
