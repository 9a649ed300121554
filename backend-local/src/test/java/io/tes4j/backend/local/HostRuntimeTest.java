package io.tes4j.backend.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.model.Executor;
import io.tes4j.model.Input;
import io.tes4j.model.Output;
import io.tes4j.model.OutputFileLog;
import io.tes4j.model.Resources;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.transfer.TransferSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * runtime=host for real: real processes in real namespaces, real staging through the transfer
 * module's file storage. Every case runs with each sandbox ({@link HostRuntimeUnshareTest}, {@link
 * HostRuntimeBwrapTest}): they must behave alike, except where a case says otherwise.
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "runtime=host needs Linux namespaces")
abstract class HostRuntimeTest {
  private static final AtomicInteger IDS = new AtomicInteger();

  @TempDir Path tmp;
  Path work;
  Path results;
  LocalBackend backend;

  static TransferSettings quickTransfers() {
    return TransferSettings.builder()
        .retries(1, Duration.ofMillis(10), Duration.ofMillis(10))
        .connectTimeout(Duration.ofSeconds(2))
        .build();
  }

  /** The sandbox the cases run with. */
  abstract HostSandbox sandbox();

  @BeforeEach
  void setUp() throws IOException {
    work = tmp.resolve("work");
    results = Files.createDirectories(tmp.resolve("results"));
    backend = hostBackend(false);
  }

  @AfterEach
  void tearDown() {
    backend.close();
  }

  private LocalBackend hostBackend(boolean keep) {
    return LocalBackend.builder()
        .runtime(LocalRuntime.HOST)
        .hostSandbox(sandbox())
        .workRoot(work)
        .keepWorkDirectories(keep)
        .transferSettings(quickTransfers())
        .build();
  }

  static Task.Builder task() {
    return Task.builder().id("task-" + IDS.incrementAndGet());
  }

  static Executor sh(String script) {
    return Executor.of("alpine:3.20", "sh", "-c", script);
  }

  RecordingEvents run(LocalBackend on, Task task) {
    RecordingEvents events = new RecordingEvents();
    on.start(task, events);
    events.awaitFinished();
    return events;
  }

  RecordingEvents run(Task task) {
    return run(backend, task);
  }

  private String url(Path file) {
    return file.toUri().toString();
  }

  @Test
  void inputsAreReadAtTheirContainerPathsAndOutputsAreUploaded() throws IOException {
    Path data = Files.writeString(Files.createDirectories(tmp.resolve("data")).resolve("x.txt"), "from a file\n");
    Task task = task()
        .addInput(Input.ofContent("hello\n", "/in/hello.txt"))
        .addInput(Input.ofUrl(url(data), "/data/x.txt"))
        .addExecutor(sh("cat /in/hello.txt /data/x.txt > /out/both.txt"))
        .addOutput(Output.of("/out/both.txt", url(results.resolve("both.txt"))))
        .build();

    RecordingEvents events = run(task);

    assertThat(events.calls()).containsExactly(
        "initializing", "running", "executorStarted 0", "executorFinished 0 0", "outputs 1", "finished COMPLETE");
    assertThat(results.resolve("both.txt")).hasContent("hello\nfrom a file");
    assertThat(events.outputs()).containsExactly(
        OutputFileLog.of(url(results.resolve("both.txt")), "/out/both.txt", 18));
    assertThat(events.metadata()).containsEntry("local.runtime", "host").containsKey("local.workdir")
        .containsEntry("local.sandbox", sandbox().parameter());
    RecordingEvents.ExecutorRecord log = events.executor(0);
    assertThat(log.start()).isNotNull();
    assertThat(log.end()).isAfterOrEqualTo(log.start());
    assertThat(Path.of(events.metadata().get("local.workdir"))).doesNotExist();
  }

  @Test
  void stdinStdoutAndStderrAreRedirectedAndTheirTailsLogged() throws IOException {
    Task task = task()
        .addInput(Input.ofContent("b\na\n", "/in/lines.txt"))
        .addExecutor(Executor.builder().image("alpine").command("sort")
            .stdin("/in/lines.txt").stdout("/out/sorted.txt").stderr("/logs/sort.err").build())
        .addExecutor(Executor.builder().image("alpine")
            .command("sh", "-c", "echo oops >&2; cat /out/sorted.txt; cat /logs/sort.err | wc -c")
            .stderr("/logs/second.err").build())
        .addOutput(Output.of("/out/sorted.txt", url(results.resolve("sorted.txt"))))
        .addOutput(Output.of("/logs/second.err", url(results.resolve("second.err"))))
        .build();

    RecordingEvents events = run(task);

    assertThat(events.awaitFinished()).isEqualTo(State.COMPLETE);
    assertThat(events.executor(0).stdout()).isEqualTo("a\nb\n");
    assertThat(events.executor(0).stderr()).isEmpty();
    assertThat(events.executor(1).stdout()).isEqualTo("a\nb\n0\n");
    assertThat(events.executor(1).stderr()).isEqualTo("oops\n");
    assertThat(results.resolve("sorted.txt")).hasContent("a\nb");
    assertThat(results.resolve("second.err")).hasContent("oops");
  }

  @Test
  void theEnvironmentIsTheExecutorsAndArgumentsReachTheProgramAsGiven() {
    Task task = task()
        .addExecutor(Executor.builder().image("alpine").command("/usr/bin/env")
            .env(Map.of("GREETING", "hi there", "TRICKY", "a'b\"c $HOME `id` ;"))
            .build())
        .addExecutor(Executor.of("alpine", "printf", "%s|", "a b", "$HOME", "'q'", "*", "$(id)"))
        .build();

    RecordingEvents events = run(task);

    assertThat(events.awaitFinished()).isEqualTo(State.COMPLETE);
    List<String> env = events.executor(0).stdout().lines().sorted().toList();
    assertThat(env).containsExactlyInAnyOrder(
        "GREETING=hi there",
        "HOME=/tmp",
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "TRICKY=a'b\"c $HOME `id` ;");
    assertThat(events.executor(1).stdout()).isEqualTo("a b|$HOME|'q'|*|$(id)|");
  }

  @Test
  void environmentValuesArriveIntactWithNamesShellsTreatAsSpecialAndNothingAdded() {
    Map<String, String> env = new java.util.LinkedHashMap<>();
    env.put("LINES", "first\nsecond\r\nthird\n");
    env.put("QUOTES", "a'b\"c\\d `id` ;");
    env.put("SUBST", "$(id) ${HOME} $HOME ${TES4J_ENV_SUBST} \\$x");
    env.put("EQUALS", "=a=b==");
    env.put("DASH", "-i -u PATH --");
    env.put("SPACES", "  lead and trail  ");
    env.put("EMPTY", "");
    env.put("UNICODE", "h\u00e9llo \u2028 \uD83D\uDE00");
    for (String special : List.of("UID", "EUID", "PPID", "OPTIND", "PWD", "OLDPWD", "IFS", "SHLVL", "RANDOM",
        "SECONDS", "LINENO", "ENV", "BASH_ENV", "PS4", "_")) {
      env.put(special, special.toLowerCase() + " value");
    }
    RecordingEvents events = run(task()
        .addExecutor(Executor.builder().image("alpine").command("/usr/bin/env", "-0").env(env).build())
        .build());

    assertThat(events.awaitFinished()).as("%s", events.systemLogs()).isEqualTo(State.COMPLETE);
    Map<String, String> seen = new java.util.LinkedHashMap<>();
    for (String entry : events.executor(0).stdout().split("\0")) {
      int equals = entry.indexOf('=');
      seen.put(entry.substring(0, equals), entry.substring(equals + 1));
    }
    Map<String, String> expected = new java.util.LinkedHashMap<>(Map.of(
        "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME", "/tmp"));
    expected.putAll(env);
    assertThat(seen).as("exactly the executor's environment, byte for byte").isEqualTo(expected);
  }

  @Test
  void theTasksLdPreloadAndPathReachOnlyTheCommandNeverTheSandboxSetUp() {
    // ld.so names a library it cannot preload on stderr, once for each program started with it: the
    // set-up runs sh, mount, pivot_root, umount, unshare and env; the executor runs one sh.
    String library = "/nonexistent-" + UUID.randomUUID() + "/evil.so";
    RecordingEvents events = run(task()
        .addExecutor(Executor.builder().image("alpine").command("/bin/sh", "-c", "echo \"$PATH\"")
            .env("LD_PRELOAD", library).env("PATH", "/nowhere").build())
        .build());

    assertThat(events.awaitFinished()).as("%s", events.systemLogs()).isEqualTo(State.COMPLETE);
    assertThat(events.executor(0).stdout()).isEqualTo("/nowhere\n");
    assertThat(events.executor(0).stderr().lines().filter(line -> line.contains(library)))
        .as("only the executor's own program saw LD_PRELOAD: %s", events.executor(0).stderr())
        .hasSize(1);
  }

  @Test
  void noEnvironmentValueIsOnAnyCommandLineWhileTheExecutorRuns() throws IOException {
    String secret = "s3cr3t-" + UUID.randomUUID();
    String seconds = Integer.toString(ThreadLocalRandom.current().nextInt(100_000, 999_999));
    RecordingEvents events = new RecordingEvents();
    String handle = backend.start(task()
        .addExecutor(Executor.builder().image("alpine").command("sleep", seconds).env("TOKEN", secret).build())
        .build(), events);
    try {
      Waits.until("the sleep runs", () -> !Processes.withArguments("sleep", seconds).isEmpty());
      List<String> holding = new java.util.ArrayList<>();
      try (java.util.stream.Stream<Path> processes = Files.list(Path.of("/proc"))) {
        for (Path process : processes.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
          try {
            String cmdline = new String(Files.readAllBytes(process.resolve("cmdline")), java.nio.charset.StandardCharsets.UTF_8);
            if (cmdline.contains(secret)) {
              holding.add(process + ": " + cmdline.replace('\0', ' '));
            }
          } catch (IOException e) {
            // the process ended while it was read
          }
        }
      }
      assertThat(holding).isEmpty();
    } finally {
      backend.cancel(handle);
    }
    assertThat(events.awaitFinished()).isEqualTo(State.CANCELED);
  }

  @Test
  void optionsAndEqualsSignsInTheCommandAreJustTheCommand() {
    Task task = task()
        .addExecutor(Executor.of("alpine", "sh", "-c",
            "mkdir -p /tools && printf '#!/bin/sh\\necho ran \"$@\"\\n' > /tools/a=b && chmod +x /tools/a=b"))
        .addExecutor(Executor.of("alpine", "/tools/a=b", "-i", "X=1"))
        .addExecutor(Executor.builder().image("alpine").command("--privileged", "-u", "PATH").ignoreError(true).build())
        .addExecutor(Executor.builder().image("alpine").command("-i").ignoreError(true).build())
        .build();

    RecordingEvents events = run(task);

    assertThat(events.awaitFinished()).as("%s", events.systemLogs()).isEqualTo(State.COMPLETE);
    assertThat(events.executor(1).stdout()).isEqualTo("ran -i X=1\n");
    assertThat(events.executor(2).exitCode()).isEqualTo(127);
    assertThat(events.executor(2).stderr()).contains("--privileged");
    assertThat(events.executor(3).exitCode()).isEqualTo(127);
  }

  @Test
  void badEnvironmentNamesAreRefusedBeforeAnythingRuns() {
    Map<String, String> env = new java.util.LinkedHashMap<>();
    env.put("odd-name", "x");
    env.put("A=B", "top-secret-value");
    env.put("-i", "x");
    RecordingEvents events = run(task()
        .addExecutor(Executor.builder().image("alpine").command("true").env(env).build())
        .build());

    assertThat(events.calls()).containsExactly("initializing", "finished SYSTEM_ERROR");
    assertThat(events.systemLogs()).containsExactly(
        "runtime=host cannot run this task: executors[0].env[\"odd-name\"]: invalid environment variable name"
            + " 'odd-name': must start with a letter or underscore and hold only letters, digits and underscores",
        "runtime=host cannot run this task: executors[0].env[\"A=B\"]: invalid environment variable name"
            + " 'A=B': must start with a letter or underscore and hold only letters, digits and underscores",
        "runtime=host cannot run this task: executors[0].env[\"-i\"]: invalid environment variable name"
            + " '-i': must start with a letter or underscore and hold only letters, digits and underscores");
    assertThat(backend.check(task().addExecutor(Executor.builder().image("anything at all").command("true")
        .env("OK", "a\nb").build()).build())).as("host uses no image, and carries any value").isEmpty();
    assertThat(backend.check(task().addExecutor(Executor.builder().image("alpine").command("true")
        .env("BIG", "x".repeat(131_052)).build()).build()))
        .singleElement().satisfies(v -> assertThat(v.toString()).isEqualTo("executors[0].env.BIG: NAME=value must be"
            + " at most 131055 bytes (UTF-8): the kernel refuses a larger environment entry; pass a value this large"
            + " as an input file"));
  }

  @Test
  void theWorkdirIsCreatedAndEntered() {
    Task task = task()
        .addExecutor(Executor.builder().image("alpine").command("pwd").workdir("/work/deep/er").build())
        .addExecutor(Executor.builder().image("alpine").command("pwd").build())
        .build();

    RecordingEvents events = run(task);

    assertThat(events.awaitFinished()).isEqualTo(State.COMPLETE);
    assertThat(events.executor(0).stdout()).isEqualTo("/work/deep/er\n");
    assertThat(events.executor(1).stdout()).isEqualTo("/\n");
  }

  @Test
  void ignoreErrorGoesOnToTheNextExecutor() {
    Task task = task()
        .addExecutor(sh("echo first; exit 3").toBuilder().ignoreError(true).build())
        .addExecutor(sh("echo second"))
        .build();

    RecordingEvents events = run(task);

    assertThat(events.calls()).containsExactly(
        "initializing", "running", "executorStarted 0", "executorFinished 0 3",
        "executorStarted 1", "executorFinished 1 0", "outputs 0", "finished COMPLETE");
    assertThat(events.systemLogs()).contains("executors[0] exited with 3; ignore_error is set, so the task goes on");
  }

  @Test
  void aNonZeroExitEndsTheTaskAndSkipsTheLaterExecutors() {
    Task task = task()
        .addExecutor(sh("exit 3"))
        .addExecutor(sh("echo never"))
        .addOutput(Output.of("/out/none.txt", url(results.resolve("none.txt"))))
        .build();

    RecordingEvents events = run(task);

    assertThat(events.calls()).containsExactly(
        "initializing", "running", "executorStarted 0", "executorFinished 0 3", "finished EXECUTOR_ERROR");
    assertThat(events.systemLogs()).contains("executors[0] exited with 3; the executors after it did not run");
  }

  @Test
  void aProgramThatIsNotThereExits127() {
    RecordingEvents events = run(task().addExecutor(Executor.of("alpine", "no-such-program-tes4j")).build());

    assertThat(events.awaitFinished()).isEqualTo(State.EXECUTOR_ERROR);
    assertThat(events.executor(0).exitCode()).isEqualTo(127);
    assertThat(events.executor(0).stderr()).contains("no-such-program-tes4j");
  }

  @Test
  void aMissingOutputIsASystemErrorThatNamesIt() {
    Task task = task()
        .addExecutor(sh("echo nothing written"))
        .addOutput(Output.of("/out/result.txt", url(results.resolve("result.txt"))))
        .build();

    RecordingEvents events = run(task);

    assertThat(events.awaitFinished()).isEqualTo(State.SYSTEM_ERROR);
    assertThat(events.systemLogs()).anySatisfy(line -> assertThat(line)
        .startsWith("staging the outputs failed: ")
        .contains("outputs[0]")
        .contains("/out/result.txt was not produced"));
    assertThat(events.calls()).doesNotContain("outputs 0");
  }

  @Test
  void anInputThatCannotBeStagedIsASystemErrorThatNamesItWithoutItsPassword() {
    Task task = task()
        .addInput(Input.ofContent("fine", "/in/fine.txt"))
        .addInput(Input.ofUrl(url(tmp.resolve("missing.txt")), "/in/missing.txt"))
        .addExecutor(sh("echo never"))
        .build();
    RecordingEvents events = run(task);
    assertThat(events.calls()).containsExactly("initializing", "finished SYSTEM_ERROR");
    assertThat(events.systemLogs()).anySatisfy(line -> assertThat(line)
        .startsWith("staging the inputs failed: inputs[1]")
        .contains("missing.txt"));

    // port 1 of the loopback refuses connections at once
    Task secret = task()
        .addInput(Input.ofUrl("ftp://user:s3cr3t-pw@127.0.0.1:1/x.txt", "/in/x.txt"))
        .addExecutor(sh("echo never"))
        .build();
    RecordingEvents failed = run(secret);
    assertThat(failed.awaitFinished()).isEqualTo(State.SYSTEM_ERROR);
    assertThat(failed.systemLogs()).anySatisfy(line -> assertThat(line).contains("inputs[0]"));
    assertThat(String.join("\n", failed.systemLogs())).doesNotContain("s3cr3t-pw");
  }

  @Test
  void aSandboxThatCannotBeSetUpIsASystemErrorThatSaysWhy() {
    // /dev is the sandbox's own: a working directory made below it in the work directory is hidden
    RecordingEvents events = run(task()
        .addExecutor(Executor.builder().image("alpine").command("true").workdir("/dev/shm/work").build())
        .build());

    assertThat(events.awaitFinished()).isEqualTo(State.SYSTEM_ERROR);
    assertThat(events.executor(0).exitCode()).isEqualTo(125);
    assertThat(events.systemLogs()).anySatisfy(line -> assertThat(line)
        .startsWith("executors[0]: runtime=host could not set up the executor's sandbox: cannot enter the working"
            + " directory")
        .contains("/dev/shm/work"));
  }

  @Test
  void aMissingStdinIsASystemErrorThatNamesIt() {
    RecordingEvents events = run(task()
        .addExecutor(Executor.builder().image("alpine").command("cat").stdin("/in/absent.txt").build())
        .build());

    assertThat(events.awaitFinished()).isEqualTo(State.SYSTEM_ERROR);
    assertThat(events.systemLogs()).contains("executors[0].stdin: /in/absent.txt is not a file");
  }

  @Test
  void wildcardOutputsAndVolumesWork() throws IOException {
    Task task = task()
        .volumes("/shared")
        .addExecutor(sh("echo one > /shared/a.txt"))
        .addExecutor(sh("cp /shared/a.txt /out/a.txt; echo two > /out/b.txt; echo no > /out/c.log"))
        .addOutput(Output.builder().path("/out/*.txt").pathPrefix("/out").url(url(results) + "txt").build())
        .build();

    RecordingEvents events = run(task);

    assertThat(events.awaitFinished()).isEqualTo(State.COMPLETE);
    assertThat(results.resolve("txt/a.txt")).hasContent("one");
    assertThat(results.resolve("txt/b.txt")).hasContent("two");
    assertThat(results.resolve("txt/c.log")).doesNotExist();
    assertThat(events.outputs()).extracting(OutputFileLog::path).containsExactly("/out/a.txt", "/out/b.txt");
  }

  @Test
  void anInputInsideASystemDirectoryIsSeenBesideTheHostsFiles() {
    Task task = task()
        .addInput(Input.ofContent("setting=1\n", "/etc/tes4j-test/app.conf"))
        .addExecutor(sh("cat /etc/tes4j-test/app.conf; test -r /etc/passwd && echo passwd-too"))
        .build();

    RecordingEvents events = run(task);

    assertThat(events.awaitFinished()).isEqualTo(State.COMPLETE);
    assertThat(events.executor(0).stdout()).isEqualTo("setting=1\npasswd-too\n");
  }

  @Test
  void tasksRunningAtOnceDoNotSeeEachOthersFiles() throws IOException {
    String hostTmpName = "tes4j-isolation-" + UUID.randomUUID();
    String script = "echo $ME > /data/same.txt; echo $ME > /tmp/" + hostTmpName + ";"
        + " while [ ! -e /data/go ]; do sleep 0.02; done;"
        + " cat /data/same.txt /tmp/" + hostTmpName + " > /out/seen.txt; ls / > /out/root.txt";
    RecordingEvents[] events = new RecordingEvents[2];
    String[] names = {"A", "B"};
    for (int i = 0; i < 2; i++) {
      Task task = task()
          .volumes("/data")
          .addExecutor(Executor.builder().image("alpine").command("sh", "-c", script).env("ME", names[i]).build())
          .addOutput(Output.of("/out/seen.txt", url(results.resolve(names[i] + ".txt"))))
          .addOutput(Output.of("/out/root.txt", url(results.resolve(names[i] + "-root.txt"))))
          .build();
      events[i] = new RecordingEvents();
      backend.start(task, events[i]);
    }
    // Both write the same container paths before either reads them back.
    for (RecordingEvents e : events) {
      Waits.until("both tasks wrote /data/same.txt", () -> e.metadata().containsKey("local.workdir")
          && Files.exists(Path.of(e.metadata().get("local.workdir"), "data", "same.txt")));
    }
    for (RecordingEvents e : events) {
      Files.createFile(Path.of(e.metadata().get("local.workdir"), "data", "go"));
    }

    assertThat(events[0].awaitFinished()).isEqualTo(State.COMPLETE);
    assertThat(events[1].awaitFinished()).isEqualTo(State.COMPLETE);
    assertThat(results.resolve("A.txt")).hasContent("A\nA");
    assertThat(results.resolve("B.txt")).hasContent("B\nB");
    assertThat(Path.of("/tmp", hostTmpName)).doesNotExist();
    // Only the task's own directories and the system ones: no /root, /home, /work, /var of the host.
    assertThat(Files.readAllLines(results.resolve("A-root.txt")))
        .isSubsetOf("bin", "data", "dev", "etc", "lib", "lib32", "lib64", "libx32", "opt", "out", "proc", "sbin",
            "tmp", "usr");
  }

  @Test
  void nothingOutsideTheWorkDirectoryIsWritten() throws IOException {
    String name = "tes4j-top-" + UUID.randomUUID() + ".txt";
    try (LocalBackend keeping = hostBackend(true)) {
      RecordingEvents events = run(keeping, task()
          .addExecutor(sh("touch /usr/" + name + " || echo usr-is-read-only; echo top > /" + name
              + "; echo tmp > /tmp/" + name + "; echo done"))
          .build());

      assertThat(events.awaitFinished()).isEqualTo(State.COMPLETE);
      assertThat(events.executor(0).stdout()).isEqualTo("usr-is-read-only\ndone\n");
      assertThat(events.executor(0).stderr()).contains("Read-only file system");
      Path root = Path.of(events.metadata().get("local.workdir"));
      assertThat(root.resolve(name)).hasContent("top");
      assertThat(root.resolve("tmp").resolve(name)).hasContent("tmp");
      assertThat(Path.of("/", name)).doesNotExist();
      assertThat(Path.of("/usr", name)).doesNotExist();
      assertThat(Path.of("/tmp", name)).doesNotExist();
    }
  }

  @Test
  void cancelKillsTheWholeProcessTreeAndRemovesTheWorkDirectory() {
    String seconds = Integer.toString(ThreadLocalRandom.current().nextInt(100_000, 999_999));
    RecordingEvents events = new RecordingEvents();
    String handle = backend.start(
        task().addExecutor(sh("sleep " + seconds + " & sleep " + seconds + " & wait")).build(), events);
    events.awaitFirstExecutor();
    Waits.until("both sleeps run", () -> Processes.withArguments("sleep", seconds).size() == 2);
    List<ProcessHandle> sleeps = Processes.withArguments("sleep", seconds);

    backend.cancel(handle);

    assertThat(events.awaitFinished()).isEqualTo(State.CANCELED);
    Waits.until("the sleeps are dead", () -> sleeps.stream().noneMatch(Processes::running));
    assertThat(events.calls()).startsWith("initializing", "running", "executorStarted 0").endsWith("finished CANCELED");
    assertThat(Path.of(events.metadata().get("local.workdir"))).doesNotExist();
    backend.cancel(handle); // a second cancel, of an ended task, does nothing
    backend.cancel("no-such-handle");
  }

  @Test
  void closeStopsRunningTasks() {
    String seconds = Integer.toString(ThreadLocalRandom.current().nextInt(100_000, 999_999));
    RecordingEvents events = new RecordingEvents();
    backend.start(task().addExecutor(Executor.of("alpine", "sleep", seconds)).build(), events);
    events.awaitFirstExecutor();

    backend.close();

    assertThat(events.awaitFinished()).isEqualTo(State.SYSTEM_ERROR);
    assertThat(events.systemLogs()).contains("the local backend was closed while the task ran; its processes were stopped");
    Waits.until("the sleep is dead", () -> Processes.withArguments("sleep", seconds).stream().noneMatch(Processes::running));
  }

  @Test
  void aStopAtAnyMomentOfTheSandboxSetupLeavesNoProcess() {
    // the sandbox program makes its namespaces after it started: a stop that comes meanwhile must
    // still reach what it makes (a child made between a listing and the kill would be lost)
    String seconds = Integer.toString(ThreadLocalRandom.current().nextInt(100_000, 999_999));
    for (int i = 0; i < 40; i++) {
      RecordingEvents events = new RecordingEvents();
      String handle = backend.start(task().addExecutor(Executor.of("alpine", "sleep", seconds)).build(), events);
      events.awaitFirstExecutor();
      long pause = ThreadLocalRandom.current().nextLong(0, 3_000_000);
      long until = System.nanoTime() + pause;
      while (System.nanoTime() < until) {
        Thread.onSpinWait();
      }
      backend.cancel(handle);
      assertThat(events.awaitFinished()).isEqualTo(State.CANCELED);
    }
    Waits.until("every sleep is dead",
        () -> Processes.withArguments("sleep", seconds).stream().noneMatch(Processes::running));
  }

  @Test
  void systemLogsSayTheImageIsNotUsedAndResourcesAreNotEnforced() {
    Task task = task()
        .resources(Resources.builder().cpuCores(2.0).ramGb(4.0).build())
        .addExecutor(Executor.of("alpine:3.20", "true"))
        .addExecutor(Executor.of("ubuntu:24.04", "true"))
        .build();

    RecordingEvents events = run(task);

    assertThat(events.awaitFinished()).isEqualTo(State.COMPLETE);
    assertThat(events.systemLogs()).containsExactly(
        "runtime=host: the images alpine:3.20, ubuntu:24.04 are not used; the executors run this machine's"
            + " programs, with the task's files at their container paths (private mount namespace)",
        "runtime=host does not enforce resources (cpu_cores=2, ram_gb=4): the executors share this machine's"
            + " CPUs, memory and disk");
    assertThat(backend.capabilities().enforcedResources()).isEmpty();
    assertThat(backend.capabilities().cancelRunning()).isTrue();
    assertThat(backend.capabilities().resume()).isFalse();
  }

  @Test
  void theStdoutTailIsBoundedAndTheFileHasItAll() throws IOException {
    // 200 000 lines of "line NNNNNN": about 2.2 MB, far more than the 64 KiB tail.
    Task task = task()
        .addExecutor(Executor.builder().image("alpine")
            .command("sh", "-c", "i=0; while [ $i -lt 200000 ]; do echo \"line $i\"; i=$((i+1)); done")
            .stdout("/out/all.txt").build())
        .addOutput(Output.of("/out/all.txt", url(results.resolve("all.txt"))))
        .build();

    RecordingEvents events = run(task);

    assertThat(events.awaitFinished()).isEqualTo(State.COMPLETE);
    String tail = events.executor(0).stdout();
    assertThat(tail.length()).isLessThanOrEqualTo(64 * 1024);
    assertThat(tail).endsWith("line 199999\n");
    List<String> all = Files.readAllLines(results.resolve("all.txt"));
    assertThat(all).hasSize(200_000);
    assertThat(all.get(0)).isEqualTo("line 0");
  }

  @Test
  void theSandboxsMountsCannotBeMadeWritableUnmountedOrMovedByTheExecutor() throws IOException {
    String name = "tes4j-remount-" + UUID.randomUUID();
    // the executor is root in its user namespace, with CAP_SYS_ADMIN there: it tries what that allows
    RecordingEvents events = run(task()
        .addExecutor(sh("mount -o remount,rw,bind /usr 2>/dev/null && echo remounted-usr;"
            + " mount -o remount,rw,bind /dev 2>/dev/null && echo remounted-dev;"
            + " umount /dev/null 2>/dev/null && echo unmounted-null;"
            + " umount -l /etc 2>/dev/null && echo unmounted-etc;"
            + " mount --move /usr /tmp 2>/dev/null && echo moved-usr;"
            + " umount /proc/sys 2>/dev/null && echo unmounted-proc-sys;"
            + " touch /usr/" + name + " 2>/dev/null && echo wrote-usr;"
            + " touch /dev/" + name + " 2>/dev/null && echo wrote-dev;"
            + " mount -t tmpfs tes4j /tmp && echo mounted-own-tmpfs; id -u"))
        .build());

    assertThat(events.awaitFinished()).as("%s", events.systemLogs()).isEqualTo(State.COMPLETE);
    // unshare: root of a user namespace of its own, which may mount its own file systems; bwrap:
    // root without capabilities, which may mount nothing
    assertThat(events.executor(0).stdout())
        .isEqualTo(sandbox() == HostSandbox.UNSHARE ? "mounted-own-tmpfs\n0\n" : "0\n");
    assertThat(Path.of("/usr", name)).doesNotExist();
  }

  @Test
  void devHoldsTheDevicesTheLinksAndShmOnlyAndItsDevicesWork() {
    RecordingEvents events = run(task()
        .addExecutor(sh("ls -A /dev | tr '\\n' ' '; echo;"
            + " echo x > /dev/null && head -c 3 /dev/zero | wc -c && head -c 5 /dev/urandom | wc -c;"
            + " echo shm > /dev/shm/a && cat /dev/shm/a; echo fd > /dev/fd/1; readlink /dev/stdout"))
        .addExecutor(sh("ls -A /dev/shm | wc -l"))
        .build());

    assertThat(events.awaitFinished()).as("%s", events.systemLogs()).isEqualTo(State.COMPLETE);
    List<String> lines = events.executor(0).stdout().lines().toList();
    List<String> expected = new java.util.ArrayList<>(List.of("fd", "shm", "stderr", "stdin", "stdout"));
    for (String device : List.of("full", "null", "random", "tty", "urandom", "zero")) {
      if (Files.exists(Path.of("/dev", device))) {
        expected.add(device);
      }
    }
    assertThat(lines.get(0).split(" ")).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(lines.subList(1, lines.size())).containsExactly("3", "5", "shm", "fd", "/proc/self/fd/1");
    assertThat(events.executor(1).stdout()).as("each executor gets an empty /dev/shm").isEqualTo("0\n");
  }

  @Test
  void aWorkRootWithSpacesBackslashesHashesAndLineBreaksWorks() throws IOException {
    Path odd = tmp.resolve("work dir #1 \\x\ty\nz");
    try (LocalBackend backend = LocalBackend.builder()
        .runtime(LocalRuntime.HOST)
        .hostSandbox(sandbox())
        .workRoot(odd)
        .transferSettings(quickTransfers())
        .build()) {
      RecordingEvents events = run(backend, task()
          .addInput(Input.ofContent("in\n", "/in/a b.txt"))
          .addExecutor(sh("cat '/in/a b.txt'; echo out > /out/x.txt; ls /usr > /dev/null && echo usr"))
          .addOutput(Output.of("/out/x.txt", url(results.resolve("x.txt"))))
          .build());

      assertThat(events.awaitFinished()).as("%s", events.systemLogs()).isEqualTo(State.COMPLETE);
      assertThat(events.executor(0).stdout()).isEqualTo("in\nusr\n");
      assertThat(results.resolve("x.txt")).hasContent("out");
    }
  }

  @Test
  void anExecutorThatReplacesItsStdoutWithALinkCannotMakeTheEngineReadWhatTheLinkNames() throws IOException {
    Path secret = Files.writeString(tmp.resolve("secret.txt"), "s3cr3t-" + UUID.randomUUID());
    RecordingEvents events = run(task()
        .addExecutor(Executor.builder().image("alpine")
            .command("sh", "-c", "echo mine; rm /out/log; ln -s '" + secret + "' /out/log")
            .stdout("/out/log").build())
        .build());

    assertThat(events.awaitFinished()).as("%s", events.systemLogs()).isEqualTo(State.COMPLETE);
    assertThat(events.executor(0).stdout()).isEqualTo("mine\n");
  }

  @Test
  void writingToDevStdoutOrDevStderrAgainAppendsAsToAPipe() throws IOException {
    // had the output gone to a file, "> /dev/stderr" would open it again and truncate it
    RecordingEvents events = run(task()
        .addExecutor(Executor.builder().image("alpine")
            .command("sh", "-c", "echo one >&2; echo two > /dev/stderr; echo a; echo b > /dev/stdout; echo c > /dev/fd/1")
            .stderr("/logs/err.txt").build())
        .addOutput(Output.of("/logs/err.txt", url(results.resolve("err.txt"))))
        .build());

    assertThat(events.awaitFinished()).as("%s", events.systemLogs()).isEqualTo(State.COMPLETE);
    assertThat(events.executor(0).stderr()).isEqualTo("one\ntwo\n");
    assertThat(events.executor(0).stdout()).isEqualTo("a\nb\nc\n");
    assertThat(results.resolve("err.txt")).hasContent("one\ntwo");
  }

  @Test
  void theKernelsSettingsAreReadOnlyAndItsInternalsHidden() {
    // run as root, the executor's uid is root's: without this, it could change this machine's
    // settings (the same value is written back, in case it could)
    RecordingEvents events = run(task()
        .addExecutor(sh("cat /proc/sys/kernel/hostname > /tmp/name;"
            + " cat /tmp/name > /proc/sys/kernel/hostname 2>/dev/null && echo wrote-sysctl;"
            + " for f in sysrq-trigger kcore keys timer_list sched_debug latency_stats; do"
            + "   [ -e /proc/$f ] && echo \"$f $(stat -c %t,%T /proc/$f)\"; done; true"))
        .build());

    assertThat(events.awaitFinished()).as("%s", events.systemLogs()).isEqualTo(State.COMPLETE);
    List<String> masked = new java.util.ArrayList<>();
    for (String entry : List.of("sysrq-trigger", "kcore", "keys", "timer_list", "sched_debug", "latency_stats")) {
      if (Files.exists(Path.of("/proc", entry))) {
        masked.add(entry + " 1,3"); // /dev/null's device numbers
      }
    }
    assertThat(events.executor(0).stdout().lines()).containsExactlyElementsOf(masked);
  }
}
