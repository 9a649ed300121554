package io.tes4j.backend.local.internal;

import io.tes4j.api.BackendException;
import io.tes4j.backend.local.HostSandbox;
import io.tes4j.backend.local.LocalRuntime;
import io.tes4j.model.Executor;
import io.tes4j.model.Output;
import io.tes4j.model.Resources;
import io.tes4j.model.Task;
import io.tes4j.model.Violation;
import io.tes4j.transfer.internal.LocalPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs executors as processes of this machine, each in a private user, mount and PID namespace
 * made by bubblewrap ({@code bwrap}) or by {@code unshare} (util-linux), so that container paths
 * behave as in a container. Both sandboxes are planned alike ({@link SandboxMount}: the same
 * mounts, environment and working directory); what differs is the program that makes them, see
 * <b>bubblewrap</b> below. The description that follows is the {@code unshare} sandbox's.
 *
 * <p>The task's work directory becomes the executor's {@code /}: it is bind-mounted on itself and
 * made the root with {@code pivot_root}, so {@code /in/x.txt} is the task's staged input and
 * {@code /tmp} is the task's own. This machine's programs and libraries ({@code /usr}, {@code
 * /bin}, {@code /lib*}, {@code /etc}, {@code /opt}) are bind-mounted into it read-only; where a
 * task path lies inside one of them ({@code /etc/app.conf}), that directory is merged entry by
 * entry instead, and the task's entries win. {@code /dev} is a read-only directory made once (in
 * the {@link PrivateDirectory}, outside every work directory) with {@code null}, {@code zero},
 * {@code full}, {@code random}, {@code urandom} and {@code tty} of the host bound on its entries,
 * the links {@code fd}, {@code stdin}, {@code stdout} and {@code stderr}, and {@code /dev/shm} a
 * new tmpfs for each executor; {@code /proc} is a new proc of the executor's own PID
 * namespace, whose {@code sys}, {@code irq}, {@code bus} and {@code fs} are read-only and whose
 * {@code sysrq-trigger}, {@code kcore}, {@code keys} and timing files are hidden, as in a container.
 * Nothing else of the host is visible, and nothing outside the work directory can be written
 * (tmpfs aside). The executor cannot undo any of this (see {@link #SCRIPT}).
 *
 * <p>The mounts are made by a fixed shell script whose every variable part (paths, names, argv) is
 * passed as an argument, never written into its text. It runs as PID 1 of the new PID namespace
 * and becomes the command ({@code exec}), so when the command ends, or the {@code unshare} process
 * is killed ({@code --kill-child}), the kernel kills every process the executor left.
 *
 * <p><b>Few programs, for speed.</b> Each program the set-up starts costs a fork, an exec and the
 * dynamic linker (a few milliseconds, much more on a busy machine), and an executor running {@code
 * true} is mostly set-up. So the mount points are made beforehand, in Java, and all mounts are made
 * by one {@code mount --all --fstab=FILE} (util-linux 2.27+: {@code bind,ro} binds and then
 * remounts read-only) from a mount table written in the private directory, where the task cannot
 * change it; {@code pivot_root . .} stacks the host's root on the new one, so {@code umount
 * --lazy .} detaches it with no directory to make and remove. The set-up runs {@code unshare},
 * {@code sh}, {@code mount}, {@code pivot_root}, {@code umount}, {@code unshare} again (the lock,
 * see {@link #SCRIPT}) and {@code env}, then the command: eight programs where {@code unshare}
 * alone runs two, which is what {@code benchmarks/host-tasks.sh} measures.
 *
 * <p><b>The environment</b> must reach the command intact, and must neither show on a command line
 * ({@code /proc/PID/cmdline} is readable by every local user) nor act on the set-up. {@code
 * unshare}, {@code sh}, {@code mount} and the others run with this machine's root still visible
 * until {@code pivot_root}: a task's {@code LD_PRELOAD} naming a library it staged would run there,
 * and {@code PATH}, {@code IFS}, {@code ENV}, {@code GLIBC_TUNABLES} and many more steer them. So
 * each variable {@code NAME} is given to {@code unshare} as {@code TES4J_ENV_NAME}, a name no
 * program reads, beside a {@code PATH} of the launcher's own; the script receives the names only,
 * checked against {@code [A-Za-z_][A-Za-z0-9_]*}, as one argument {@code -i NAME=${TES4J_ENV_NAME}
 * ...}; and its last step, after {@code pivot_root}, the detach of the host's root and {@code cd},
 * is {@code exec unshare --user --map-root-user --mount -- /usr/bin/env -S "$that" ARGV...} (that
 * {@code unshare}, which locks the mounts, sees the prefixed names only). GNU env (coreutils 8.30+)
 * expands {@code ${TES4J_ENV_NAME}} itself, in its own memory, into the exact value (no shell reads it: quotes,
 * {@code $()}, {@code =} and line breaks arrive as they are), clears the environment ({@code -i})
 * and executes the command with exactly the executor's variables. No shell assigns them either,
 * so names the shells treat as special ({@code UID}, {@code OPTIND}, {@code RANDOM}, {@code PWD})
 * arrive as given, and the shell adds nothing ({@code PWD}, {@code SHLVL}). The trial sandbox run
 * when the backend opens checks that {@code env -S} works here.
 *
 * <p><b>bubblewrap</b> ({@link HostSandbox#BWRAP}) makes the same namespaces and mounts in one
 * program: {@code bwrap} {@link #BWRAP_OPTIONS} then one option per mount ({@code --bind WORKDIR /},
 * {@code --ro-bind /usr /usr}, {@code --dev-bind}, {@code --tmpfs}, {@code --proc}), {@code --chdir
 * /} and {@code -- /usr/bin/env -C WORKDIR -S "-i NAME=${TES4J_ENV_NAME}..." ARGV}: three programs
 * with the command where the script takes eight. The executor is root without any capability
 * ({@code --cap-drop ALL}; bubblewrap also sets {@code no_new_privs}), so it cannot change a mount
 * (no lock is needed) nor mount anything; PID 1 of its namespace ({@code --as-pid-1}), as with
 * {@code unshare}; in a session of its own ({@code --new-session}: it cannot push input into the
 * terminal of the engine, if it has one); and killed when {@code bwrap} or the engine dies ({@code
 * --die-with-parent}: the thread that starts it waits for it, see {@link TaskRun}). bubblewrap takes
 * {@code /proc/sys} and the like from this machine's {@code /proc} (what they show depends on the
 * reader, not the mount), and runs with the same environment as {@code unshare} above, values under
 * {@code TES4J_ENV_} names only, which neither it nor the dynamic linker reads. {@code env} stays,
 * for two reasons: bubblewrap's {@code --setenv} puts values on its command line, and it always
 * sets {@code PWD}; {@code env -i} gives the command exactly its variables. {@code env -C} enters the
 * working directory, so a missing one is {@code env}'s exit 125, which {@link Prepared#runtimeFailure}
 * can tell from the command's own failures.
 */
final class HostLauncher implements Launcher {
  private static final Logger LOG = LoggerFactory.getLogger(HostLauncher.class);

  /** The host directories executors see read-only, when the host has them. */
  static final List<String> SYSTEM_DIRECTORIES =
      List.of("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc", "opt");

  /** The devices executors see in their {@code /dev}. */
  static final List<String> DEVICES = List.of("null", "zero", "full", "random", "urandom", "tty");

  /** What starts a sandbox-setup failure on stderr; the script then exits 125. */
  static final String FAILURE_PREFIX = "tes4j host sandbox: ";

  /**
   * The entries of {@code /proc} an executor may read but not write, as in a container: the kernel's
   * settings ({@code /proc/sys}: run as root, the executor's files are root's, and it could change
   * this machine's settings, which no namespace of its own covers) and the like.
   */
  static final List<String> PROC_READ_ONLY = List.of("sys", "irq", "bus", "fs");

  /**
   * The entries of {@code /proc} hidden behind {@code /dev/null}, as in a container: {@code
   * sysrq-trigger} (run as root, the executor could reboot this machine through it), the kernel's
   * memory and keys, and timing details of other processes.
   */
  static final List<String> PROC_MASKED =
      List.of("sysrq-trigger", "kcore", "keys", "timer_list", "sched_debug", "latency_stats");

  /** The links of every executor's {@code /dev}, by name, to their targets. */
  static final Map<String, String> DEVICE_LINKS = Map.of(
      "fd", "/proc/self/fd", "stdin", "/proc/self/fd/0", "stdout", "/proc/self/fd/1", "stderr", "/proc/self/fd/2");

  /** The environment executors start from, {@code PATH} then {@code HOME}; theirs overrides it. */
  static final Map<String, String> BASE_ENVIRONMENT = baseEnvironment();

  private static Map<String, String> baseEnvironment() {
    Map<String, String> base = new LinkedHashMap<>();
    base.put("PATH", Executables.STANDARD_PATH);
    base.put("HOME", "/tmp");
    return java.util.Collections.unmodifiableMap(base);
  }

  /** The prefix under which each executor variable reaches {@code unshare} or {@code bwrap}, and the sandbox. */
  static final String ENV_PREFIX = "TES4J_ENV_";

  /**
   * bubblewrap's options for every executor, before the mounts: the namespaces of the {@code
   * unshare} sandbox (user with root mapped to this process's user, mount, PID), no capability, the
   * command as PID 1, a session of its own, and death with its parent.
   */
  static final List<String> BWRAP_OPTIONS = List.of(
      "--unshare-user", "--uid", "0", "--gid", "0", "--unshare-pid", "--cap-drop", "ALL", "--as-pid-1",
      "--new-session", "--die-with-parent");

  /** The program that gives the command its environment and working directory, inside the sandbox. */
  static final String ENV_PROGRAM = "/usr/bin/env";

  /** What bubblewrap says first when it cannot make a sandbox; it then exits 1. */
  static final String BWRAP_FAILURE_PREFIX = "bwrap: ";

  /** How long the trial sandbox may take when the backend opens. */
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(60);

  /**
   * Mounts what the mount table ({@code $2}) lists, makes the work directory ({@code $1}) the root,
   * detaches the host's, enters the working directory ({@code $3}), locks the mounts, then runs the
   * argv (after the {@code env -S} argument, {@code $4}) with exactly the executor's environment.
   *
   * <p>The lock: mounts made in a user namespace can be changed by its root, which the executor is,
   * so {@code mount -o remount,rw,bind /usr} would make the host's {@code /usr} writable to it. The
   * last {@code unshare} (found on {@link Executables#STANDARD_PATH} inside the sandbox, so this
   * machine's own) enters a new user and mount namespace, which the kernel gives a copy of the
   * mounts that cannot be made writable, unmounted or moved (locked: {@code mount_namespaces(7)});
   * the executor is root there too.
   */
  static final String SCRIPT =
      String.join(
          "\n",
          "fail() { echo \"" + FAILURE_PREFIX + "$*\" >&2; exit 125; }",
          "root=$1 fstab=$2 wd=$3 environment=$4",
          "shift 4",
          "said=$(mount --all --fstab=\"$fstab\" 2>&1) || fail \"cannot mount the sandbox's file systems: $said\"",
          "cd -- \"$root\" || fail \"cannot enter $root\"",
          "pivot_root . . || fail \"pivot_root to $root failed\"",
          "umount --lazy . || fail \"cannot detach the host's root\"",
          "cd -- \"$wd\" || fail \"cannot enter the working directory $wd\"",
          "command -v unshare > /dev/null || fail \"no unshare in the sandbox's /usr, /bin or /sbin\"",
          "exec unshare --user --map-root-user --mount -- /usr/bin/env -S \"$environment\" \"$@\"",
          "");

  private final HostSandbox sandbox;
  private final Path program;
  private final Path shell;
  private final PrivateDirectory privateDirectory;
  private DevSkeleton devSkeleton; // guarded by this

  /**
   * The util-linux sandbox.
   *
   * @param unshare util-linux's {@code unshare}
   * @param shell a POSIX shell, {@code /bin/sh}
   * @param privateDirectory where each executor's mount table and {@code /dev} go
   */
  HostLauncher(Path unshare, Path shell, PrivateDirectory privateDirectory) {
    this(HostSandbox.UNSHARE, unshare, shell, privateDirectory);
  }

  private HostLauncher(HostSandbox sandbox, Path program, Path shell, PrivateDirectory privateDirectory) {
    this.sandbox = sandbox;
    this.program = program;
    this.shell = shell;
    this.privateDirectory = privateDirectory;
  }

  /**
   * The bubblewrap sandbox.
   *
   * @param bwrap bubblewrap's {@code bwrap}
   * @param privateDirectory where the executors' {@code /dev} goes
   */
  static HostLauncher bwrap(Path bwrap, PrivateDirectory privateDirectory) {
    return new HostLauncher(HostSandbox.BWRAP, bwrap, null, privateDirectory);
  }

  @Override
  public Optional<HostSandbox> hostSandbox() {
    return Optional.of(sandbox);
  }

  /**
   * Opens the sandbox {@code wanted} asks for: for {@link HostSandbox#AUTO}, bubblewrap when {@code
   * bwrap} is on {@code path} and a trial sandbox made with it works, else the util-linux sandbox
   * (the reason logged when bubblewrap is there but fails).
   *
   * @param path where {@code bwrap} and {@code unshare} are looked for
   * @param scratch where the trial sandboxes go
   * @param privateDirectory where each executor's mount table and {@code /dev} go
   * @throws BackendException saying why host executors cannot run here with that sandbox, and what to do
   */
  static HostLauncher open(HostSandbox wanted, String path, Path scratch, PrivateDirectory privateDirectory) {
    if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
      throw new BackendException(
          "runtime=host needs Linux (user and mount namespaces); this is "
              + System.getProperty("os.name") + ". Use a container runtime (runtime=docker or podman)");
    }
    switch (wanted) {
      case BWRAP -> {
        Path bwrap = Executables.find("bwrap", path)
            .orElseThrow(() -> new BackendException(
                "runtime=host sandbox=bwrap runs each executor in a sandbox made by bubblewrap, and bwrap is not on"
                    + " PATH=" + path + ". Install bubblewrap (Debian, Ubuntu: apt-get install bubblewrap; Fedora:"
                    + " dnf install bubblewrap), or use sandbox=unshare (util-linux) or sandbox=auto"));
        HostLauncher launcher = bwrap(bwrap, privateDirectory);
        launcher.probe(scratch);
        return launcher;
      }
      case AUTO -> {
        Optional<Path> bwrap = Executables.find("bwrap", path);
        if (bwrap.isPresent()) {
          HostLauncher launcher = bwrap(bwrap.get(), privateDirectory);
          try {
            launcher.probe(scratch);
            return launcher;
          } catch (BackendException e) {
            LOG.warn("{}; runtime=host uses the util-linux sandbox (unshare) instead, whose set-up costs more"
                + " (set sandbox=unshare to choose it and silence this)", e.getMessage());
          }
        } else {
          LOG.debug("runtime=host: no bwrap on PATH={}; using the util-linux sandbox (unshare)", path);
        }
        return openUnshare(path, scratch, privateDirectory);
      }
      default -> {
        return openUnshare(path, scratch, privateDirectory);
      }
    }
  }

  /**
   * Finds {@code unshare} on {@code path} and checks, by running {@code true} in a sandbox under
   * {@code scratch}, that this system lets us make the namespaces.
   *
   * @throws BackendException saying why host executors cannot run here and what to do
   */
  private static HostLauncher openUnshare(String path, Path scratch, PrivateDirectory privateDirectory) {
    Path unshare =
        Executables.find("unshare", path)
            .or(() -> Optional.of(Path.of("/usr/bin/unshare")).filter(Files::isExecutable))
            .orElseThrow(() -> new BackendException(
                "runtime=host runs each executor in private namespaces made by unshare (util-linux),"
                    + " and unshare is not on PATH=" + path + ". Install util-linux, or use a"
                    + " container runtime (runtime=docker, podman, apptainer or singularity)"));
    Path shell = Path.of("/bin/sh");
    HostLauncher launcher = new HostLauncher(unshare, shell, privateDirectory);
    launcher.probe(scratch);
    return launcher;
  }

  /** Runs a trial executor in a sandbox, the way an executor runs, for at most {@link #PROBE_TIMEOUT}. */
  private void probe(Path scratch) {
    probe(scratch, PROBE_TIMEOUT);
  }

  /**
   * Runs {@code sh -c 'test "$TES4J_PROBE" = ...'} with that variable set, in a sandbox, the way an
   * executor runs: proves the namespaces and {@code env -S} work. Its output goes to a file, so the
   * time limit holds whatever it writes; at the limit, its whole process tree is killed.
   *
   * @throws BackendException saying what failed and what to do
   */
  void probe(Path scratch, Duration timeout) {
    Path root = null;
    try {
      Files.createDirectories(scratch);
      root = Files.createTempDirectory(scratch, "probe-");
      String value = "a b'c\"$(x)=";
      Task task = Task.builder()
          .addExecutor(Executor.builder().image("none").command("/bin/sh", "-c", "test \"$TES4J_PROBE\" = \"$0\"", value)
              .env("TES4J_PROBE", value).build())
          .build();
      Prepared prepared = prepare(task, root, "probe-" + root.getFileName());
      ShortCommands.Result result;
      try {
        result = ShortCommands.run(prepared.command(0), prepared.environment(0), scratch, timeout);
      } finally {
        prepared.release(0);
        prepared.close();
      }
      if (!result.ended()) {
        throw new BackendException("runtime=host" + (sandbox == HostSandbox.BWRAP ? " sandbox=bwrap" : "")
            + ": a trial executor in a sandbox did not end in " + timeout.toSeconds() + " s; it was killed. Is "
            + program.getFileName() + " hanging here? Use "
            + (sandbox == HostSandbox.BWRAP ? "sandbox=unshare, or " : "")
            + "a container runtime (runtime=docker, podman, apptainer or singularity) if host processes cannot run");
      }
      if (result.exitCode() != 0) {
        String said = result.output().strip();
        if (said.contains("env:")) {
          throw new BackendException(
              "runtime=host passes each executor's environment with env -S (GNU coreutils 8.30 or later), and"
                  + " /usr/bin/env here refused: " + said + ". Install GNU coreutils' env, or use a container"
                  + " runtime (runtime=docker, podman, apptainer or singularity)");
        }
        if (sandbox == HostSandbox.BWRAP) {
          throw new BackendException(
              "runtime=host sandbox=bwrap runs each executor in private user, mount and PID namespaces made by"
                  + " bubblewrap (" + program + "), and it failed here: "
                  + (said.isEmpty() ? "exit " + result.exitCode() : said)
                  + ". Install bubblewrap 0.8 or later, allow unprivileged user namespaces (sysctl"
                  + " kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0; on Ubuntu 24.04+ an AppArmor"
                  + " profile for bwrap), or use sandbox=unshare or a container runtime");
        }
        throw new BackendException(
            "runtime=host runs each executor in private user, mount and PID namespaces (unshare"
                + " --user --map-root-user --mount --pid), and this system refused: "
                + (said.isEmpty() ? "exit " + result.exitCode() : said)
                + ". Allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1,"
                + " user.max_user_namespaces > 0; on Ubuntu 24.04+"
                + " kernel.apparmor_restrict_unprivileged_userns=0), or use a container runtime"
                + " (runtime=docker, podman, apptainer or singularity)");
      }
    } catch (IOException e) {
      throw new BackendException("runtime=host: cannot try a " + sandbox.parameter() + " sandbox under " + scratch
          + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BackendException("runtime=host: interrupted while trying a sandbox", e);
    } catch (LaunchException e) {
      throw new BackendException("runtime=host: cannot prepare a sandbox: " + e.getMessage(), e);
    } finally {
      if (root != null) {
        LocalPaths.deleteTree(root); // the trial's scratch directory; what cannot be removed is left
      }
    }
  }

  @Override
  public List<Violation> check(Task task) {
    return Environments.violations(task);
  }

  @Override
  public LocalRuntime runtime() {
    return LocalRuntime.HOST;
  }

  @Override
  public Set<String> enforcedResources() {
    return Set.of();
  }

  @Override
  public List<String> notes(Task task) {
    List<String> notes = new ArrayList<>();
    Set<String> images = new LinkedHashSet<>();
    task.executors().forEach(e -> images.add(String.valueOf(e.image())));
    notes.add(
        "runtime=host: the image" + (images.size() > 1 ? "s " : " ") + String.join(", ", images)
            + (images.size() > 1 ? " are" : " is")
            + " not used; the executors run this machine's programs, with the task's files at their"
            + " container paths (private mount namespace)");
    String requested = requestedResources(task.resources());
    if (!requested.isEmpty()) {
      notes.add(
          "runtime=host does not enforce resources (" + requested
              + "): the executors share this machine's CPUs, memory and disk");
    }
    return notes;
  }

  /** The resources {@code resources} asks for, as {@code cpu_cores=2, ram_gb=4}; empty for none. */
  static String requestedResources(Resources resources) {
    if (resources == null) {
      return "";
    }
    List<String> asked = new ArrayList<>();
    if (resources.cpuCores() != null) {
      asked.add("cpu_cores=" + Numbers.plain(resources.cpuCores()));
    }
    if (resources.ramGb() != null) {
      asked.add("ram_gb=" + Numbers.plain(resources.ramGb()));
    }
    if (resources.diskGb() != null) {
      asked.add("disk_gb=" + Numbers.plain(resources.diskGb()));
    }
    if (Boolean.TRUE.equals(resources.preemptible())) {
      asked.add("preemptible=true");
    }
    if (!resources.zones().isEmpty()) {
      asked.add("zones=" + String.join(",", resources.zones()));
    }
    return String.join(", ", asked);
  }

  @Override
  public Prepared prepare(Task task, Path workDirectory, String runId) {
    Path root = workDirectory.toAbsolutePath().normalize();
    List<Map<String, String>> environments = new ArrayList<>();
    for (int i = 0; i < task.executors().size(); i++) {
      Executor executor = task.executors().get(i);
      Environments.check(executor, i);
      Map<String, String> env = new LinkedHashMap<>(BASE_ENVIRONMENT);
      env.putAll(executor.env());
      environments.add(env);
      if (executor.workdir() != null) {
        createDirectories(ContainerPaths.hostPath(root, executor.workdir(), "executors[" + i + "].workdir"));
      }
    }
    // What a container runtime would mount exists before the executors run, as it would there.
    for (int i = 0; i < task.outputs().size(); i++) {
      Output output = task.outputs().get(i);
      String path = ContainerPaths.normalize(output.path());
      String directory = ContainerPaths.hasWildcard(path) ? ContainerPaths.staticParent(path) : ContainerPaths.parent(path);
      createDirectories(ContainerPaths.hostPath(root, directory, "outputs[" + i + "]"));
    }
    Path tmp = root.resolve("tmp");
    createDirectories(tmp);

    // The mounts, planned once for all the executors; the unshare sandbox's table is written
    // where the task cannot change it.
    List<SandboxMount> mounts = new ArrayList<>();
    mounts.add(new SandboxMount(SandboxMount.Kind.ROOT, root.toString(), root));
    Path hostRoot = Path.of("/");
    for (String name : SYSTEM_DIRECTORIES) {
      merge(hostRoot.resolve(name), root.resolve(name), mounts);
    }
    Path dev = root.resolve("dev");
    Path proc = root.resolve("proc");
    createDirectories(dev);
    createDirectories(proc);
    DevSkeleton skeleton = devSkeleton();
    mounts.add(new SandboxMount(SandboxMount.Kind.DEV, skeleton.directory().toString(), dev));
    for (String device : skeleton.devices()) {
      mounts.add(new SandboxMount(SandboxMount.Kind.DEVICE, Path.of("/dev", device).toString(), dev.resolve(device)));
    }
    mounts.add(new SandboxMount(SandboxMount.Kind.SHM, "tes4j", dev.resolve("shm")));
    mounts.add(new SandboxMount(SandboxMount.Kind.PROC, "proc", proc));
    for (String entry : skeleton.procReadOnly()) {
      mounts.add(new SandboxMount(SandboxMount.Kind.PROC_READ_ONLY, Path.of("/proc", entry).toString(), proc.resolve(entry)));
    }
    for (String entry : skeleton.procMasked()) {
      mounts.add(new SandboxMount(SandboxMount.Kind.PROC_MASKED, "/dev/null", proc.resolve(entry)));
    }
    for (SandboxMount mount : mounts) {
      mount.fstab().check(root);
    }
    Path fstab;
    List<String> bwrapMounts = new ArrayList<>();
    if (sandbox == HostSandbox.BWRAP) {
      fstab = null;
      for (SandboxMount mount : mounts) {
        mount.addBwrapArguments(root, bwrapMounts);
      }
    } else {
      StringBuilder lines = new StringBuilder();
      for (SandboxMount mount : mounts) {
        lines.append(mount.fstab().line());
      }
      fstab = privateDirectory.write(fstabName(runId), lines.toString().getBytes(StandardCharsets.UTF_8));
    }

    return new Prepared() {
      @Override
      public List<String> command(int index) {
        Executor executor = task.executors().get(index);
        String workdir = executor.workdir() != null ? ContainerPaths.normalize(executor.workdir()) : "/";
        String spec = envSpecification(environments.get(index).keySet());
        List<String> argv = new ArrayList<>();
        if (sandbox == HostSandbox.BWRAP) {
          argv.add(program.toString());
          argv.addAll(BWRAP_OPTIONS);
          argv.addAll(bwrapMounts);
          argv.addAll(List.of("--chdir", "/", "--", ENV_PROGRAM, "-C", workdir, "-S", spec));
        } else {
          argv.addAll(List.of(
              program.toString(), "--user", "--map-root-user", "--mount", "--pid", "--fork", "--kill-child",
              shell.toString(), "-c", SCRIPT, SANDBOX_NAME, root.toString(), fstab.toString(), workdir, spec));
        }
        if (executor.command().get(0).indexOf('=') >= 0) {
          // env would read a program name holding '=' as one more variable: let sh start it
          argv.addAll(List.of("/bin/sh", "-c", "exec \"$0\" \"$@\""));
        }
        argv.addAll(executor.command());
        return argv;
      }

      @Override
      public void close() {
        if (fstab != null) {
          privateDirectory.delete(fstabName(runId));
        }
      }

      @Override
      public Map<String, String> environment(int index) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", Executables.STANDARD_PATH);
        environments.get(index).forEach((name, value) -> env.put(ENV_PREFIX + name, value));
        return env;
      }

      @Override
      public void stop(int index, Process process) {
        ProcessTrees.killSandbox(process);
      }

      @Override
      public Optional<String> runtimeFailure(int exitCode, String stderrTail) {
        return sandbox == HostSandbox.BWRAP
            ? bwrapFailure(exitCode, stderrTail)
            : scriptFailure(exitCode, stderrTail);
      }
    };
  }

  /** What the unshare sandbox's script said when it could not set the sandbox up (exit 125). */
  private static Optional<String> scriptFailure(int exitCode, String stderrTail) {
    if (exitCode != 125) {
      return Optional.empty();
    }
    return stderrTail.lines()
        .filter(line -> line.startsWith(FAILURE_PREFIX))
        .reduce((first, second) -> second)
        .map(line -> "runtime=host could not set up the executor's sandbox: " + line.substring(FAILURE_PREFIX.length()));
  }

  /**
   * What bubblewrap or {@code env} said when the bubblewrap sandbox could not be set up: {@code
   * env}'s exit 125 for a working directory it cannot enter; bubblewrap's exit 1 with a single line
   * of its own ({@code bwrap: ...}) and nothing else, as when a mount failed (the command, which
   * never ran, wrote nothing).
   */
  static Optional<String> bwrapFailure(int exitCode, String stderrTail) {
    String prefix = ENV_PROGRAM + ": cannot change directory to ";
    if (exitCode == 125) {
      return stderrTail.lines()
          .filter(line -> line.startsWith(prefix))
          .reduce((first, second) -> second)
          .map(line -> "runtime=host could not set up the executor's sandbox: cannot enter the working directory: "
              + line.substring(prefix.length()));
    }
    String said = stderrTail.strip();
    if (exitCode == 1 && said.startsWith(BWRAP_FAILURE_PREFIX) && said.lines().count() == 1) {
      return Optional.of("runtime=host could not set up the executor's sandbox: " + said);
    }
    return Optional.empty();
  }

  /** The name {@code sh -c} gives the script ({@code $0}), which its messages start with. */
  static final String SANDBOX_NAME = "tes4j-sandbox";

  private static String fstabName(String runId) {
    return runId + ".fstab";
  }

  /**
   * What every executor's {@code /dev} shows, bound read-only: the mount points of the devices this
   * machine has, the links, and {@code shm}; and which entries of {@code /proc} this machine has to
   * make read-only or hide.
   *
   * @param directory where it is, in the private directory
   * @param devices the names of {@link #DEVICES} this machine has
   * @param procReadOnly those of {@link #PROC_READ_ONLY} it has
   * @param procMasked those of {@link #PROC_MASKED} it has
   */
  record DevSkeleton(Path directory, List<String> devices, List<String> procReadOnly, List<String> procMasked) {}

  /** The {@link DevSkeleton}, made on first use. */
  private DevSkeleton devSkeleton() {
    synchronized (this) {
      if (devSkeleton == null) {
        Path directory = privateDirectory.newDirectory("dev");
        List<String> present = new ArrayList<>();
        try {
          for (String device : DEVICES) {
            if (Files.exists(Path.of("/dev", device))) {
              present.add(device);
              Files.createFile(directory.resolve(device));
            }
          }
          for (Map.Entry<String, String> link : DEVICE_LINKS.entrySet()) {
            Files.createSymbolicLink(directory.resolve(link.getKey()), Path.of(link.getValue()));
          }
          Files.createDirectory(directory.resolve("shm"));
        } catch (IOException e) {
          privateDirectory.delete("dev");
          throw new LaunchException("runtime=host: cannot make the executors' /dev in " + directory + ": " + e, e);
        }
        devSkeleton = new DevSkeleton(directory, List.copyOf(present),
            PROC_READ_ONLY.stream().filter(entry -> Files.exists(Path.of("/proc", entry))).toList(),
            PROC_MASKED.stream().filter(entry -> Files.exists(Path.of("/proc", entry))).toList());
      }
      return devSkeleton;
    }
  }

  /**
   * One mount of a sandbox, as planned for both: what the unshare sandbox's mount table says of it
   * ({@link #fstab}) and what bubblewrap is told ({@link #addBwrapArguments}).
   *
   * @param kind what it is
   * @param source the host path bound ({@code /usr}, {@code /dev/null}, this machine's {@code
   *     /proc/sys} for {@link Kind#PROC_READ_ONLY}), or the name of a new file system
   * @param target where, under the work directory
   */
  record SandboxMount(Kind kind, String source, Path target) {
    /** The kinds of mount a sandbox has. */
    enum Kind {
      /** The work directory, writable: the new root. */
      ROOT,
      /** A system directory or one of its entries, with all mounted below it, read-only. */
      SYSTEM,
      /** The {@link DevSkeleton}, read-only. */
      DEV,
      /** A device of this machine on its entry of {@code /dev}. */
      DEVICE,
      /** A new tmpfs, {@code /dev/shm}, writable by all. */
      SHM,
      /** A new proc of the executor's PID namespace. */
      PROC,
      /** An entry of {@code /proc} ({@link #PROC_READ_ONLY}), read-only. */
      PROC_READ_ONLY,
      /** An entry of {@code /proc} ({@link #PROC_MASKED}) hidden behind {@code /dev/null}. */
      PROC_MASKED
    }

    /** The line of the unshare sandbox's mount table: {@link Kind#PROC_READ_ONLY} binds the new proc's entry. */
    FstabEntry fstab() {
      return switch (kind) {
        case ROOT, DEVICE, PROC_MASKED -> FstabEntry.bind(source, target.toString(), false);
        case SYSTEM -> FstabEntry.bind(source, target.toString(), true);
        case DEV -> FstabEntry.bindReadOnly(source, target.toString());
        case PROC_READ_ONLY -> FstabEntry.bindReadOnly(target.toString(), target.toString());
        case SHM -> new FstabEntry(source, target.toString(), "tmpfs", "mode=1777");
        case PROC -> new FstabEntry(source, target.toString(), "proc", "defaults");
      };
    }

    /**
     * Adds bubblewrap's options for it to {@code arguments}: its sources are this machine's paths
     * and its targets paths inside the sandbox, whose root is {@code root}. {@link
     * Kind#PROC_READ_ONLY} binds this machine's entry (bubblewrap cannot name the new proc as a
     * source, and its own read-only cover skips {@code /proc/sys} when the directory itself is not
     * writable, which its files are): {@code /proc/sys} shows what the reader's namespaces hold,
     * whichever proc it is read through.
     */
    void addBwrapArguments(Path root, List<String> arguments) {
      String inside = "/" + root.relativize(target);
      switch (kind) {
        case ROOT -> arguments.addAll(List.of("--bind", source, "/"));
        case SYSTEM, DEV, PROC_READ_ONLY, PROC_MASKED -> arguments.addAll(List.of("--ro-bind", source, inside));
        case DEVICE -> arguments.addAll(List.of("--dev-bind", source, inside));
        case SHM -> arguments.addAll(List.of("--perms", "1777", "--tmpfs", inside));
        case PROC -> arguments.addAll(List.of("--proc", inside));
      }
    }
  }

  /**
   * One line of the sandbox's mount table ({@code fstab(5)}).
   *
   * @param source what is mounted: an absolute path for a bind, a name for tmpfs and proc
   * @param target where: an absolute path under the work directory
   * @param type the file system type, {@code none} for a bind
   * @param options the mount options
   */
  record FstabEntry(String source, String target, String type, String options) {
    /** A bind of {@code source} on {@code target}: recursive and read-only, or plain. */
    static FstabEntry bind(String source, String target, boolean recursiveReadOnly) {
      return new FstabEntry(source, target, "none", recursiveReadOnly ? "rbind,ro" : "bind");
    }

    /** A bind of {@code source} (no mount below it) on {@code target}, read-only. */
    static FstabEntry bindReadOnly(String source, String target) {
      return new FstabEntry(source, target, "none", "bind,ro");
    }

    /**
     * Refuses a target outside {@code root} or a bind of a relative source: the table holds paths
     * the launcher made, and this keeps it so.
     */
    void check(Path root) {
      boolean bind = type.equals("none");
      if (!target.startsWith("/") || !Path.of(target).normalize().startsWith(root) || bind && !source.startsWith("/")) {
        throw new LaunchException("runtime=host: a sandbox mount is not where it belongs: " + source + " on " + target);
      }
    }

    /** The line, with its fields escaped, and a line break. */
    String line() {
      return escape(source) + " " + escape(target) + " " + type + " " + options + " 0 0\n";
    }
  }

  /**
   * {@code field} as the fields of a mount table are written: each space, tab, line break, other
   * control character, backslash and {@code #} as a backslash and three octal digits ({@code \040}),
   * which {@code mount} reads back as that character; every other character as it is.
   */
  static String escape(String field) {
    StringBuilder escaped = new StringBuilder(field.length() + 8);
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c <= ' ' || c == '\\' || c == '#' || c == 0x7f) {
        escaped.append(String.format("\\%03o", (int) c));
      } else {
        escaped.append(c);
      }
    }
    return escaped.toString();
  }

  /**
   * {@code -i NAME=${TES4J_ENV_NAME}...}: what {@code env -S} makes of the executor's variables,
   * from their names alone.
   *
   * @throws LaunchException for a name that is not {@code [A-Za-z_][A-Za-z0-9_]*}
   */
  static String envSpecification(Collection<String> names) {
    StringBuilder spec = new StringBuilder("-i");
    for (String name : names) {
      if (!Environments.NAME.matcher(name).matches()) {
        throw new LaunchException("runtime=host: '" + name + "' cannot be an environment variable name");
      }
      spec.append(' ').append(name).append("=${").append(ENV_PREFIX).append(name).append('}');
    }
    return spec.toString();
  }

  /**
   * Makes {@code host} (a system directory or one of its entries) visible read-only at {@code
   * target}: bound whole when the task has nothing there, merged entry by entry when the task has
   * a directory there, left out when the task has a file there. Links are copied, not bound.
   */
  private static void merge(Path host, Path target, List<SandboxMount> mounts) {
    try {
      if (!Files.exists(host, LinkOption.NOFOLLOW_LINKS)) {
        return;
      }
      if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        if (Files.isSymbolicLink(host)) {
          Files.createSymbolicLink(target, Files.readSymbolicLink(host));
          return;
        }
        if (Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectory(target);
        } else {
          Files.createFile(target);
        }
        mounts.add(new SandboxMount(SandboxMount.Kind.SYSTEM, host.toString(), target));
        return;
      }
      if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS) && Files.isDirectory(host)) {
        List<Path> children;
        try (Stream<Path> list = Files.list(host)) {
          children = list.sorted().collect(Collectors.toList());
        }
        for (Path child : children) {
          merge(child, target.resolve(child.getFileName().toString()), mounts);
        }
      }
      // else: the task's own file is there, and stays
    } catch (IOException | UncheckedIOException e) {
      throw new LaunchException("cannot make " + host + " visible at " + target + ": " + e, e);
    }
  }

  private static void createDirectories(Path directory) {
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new LaunchException("cannot create " + directory + ": " + e, e);
    }
  }
}
