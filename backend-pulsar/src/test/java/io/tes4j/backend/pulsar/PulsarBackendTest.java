package io.tes4j.backend.pulsar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.api.InvalidTaskException;

import io.tes4j.backend.pulsar.internal.PulsarClient;
import io.tes4j.engine.TesEngine;
import io.tes4j.model.Executor;
import io.tes4j.model.Input;
import io.tes4j.model.Output;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import io.tes4j.spi.Backend;
import io.tes4j.spi.BackendConfig;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the Pulsar backend does beyond the conformance kit, against {@link FakePulsar} with {@link
 * FakeDocker}: faults of the server, lost jobs, what is left behind, and how many calls a task costs.
 */
class PulsarBackendTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path work;
  private FakeDocker docker;
  private FakePulsar pulsar;

  @BeforeEach
  void start() throws Exception {
    FakeDocker.assumeUsable(); // bubblewrap plays the containers
    docker = FakeDocker.install(work.resolve("bin"));
    pulsar = FakePulsar.builder(work.resolve("staging"))
        .environment(Map.of("PATH", docker.binDirectory() + ":" + System.getenv("PATH")))
        .start();
  }

  @AfterEach
  void stop() {
    if (pulsar != null) { // null when the assumption in the set-up skipped the test
      pulsar.close();
    }
  }

  private TesEngine engine(Map<String, String> parameters) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("pollInterval", "50ms");
    all.put("workdir", work.resolve("engine").toString());
    all.putAll(parameters);
    return TesEngine.builder()
        .backend(new PulsarBackendProvider().open(BackendConfig.of(BackendConfig.uri("pulsar+" + pulsar.baseUrl()), all)))
        .build();
  }

  private static Task shell(String script) {
    return Task.builder().name("pulsar-test").addExecutor(Executor.of("alpine:3.20", "sh", "-c", script)).build();
  }

  private void awaitState(TesEngine engine, String id, State state) throws InterruptedException {
    Instant deadline = Instant.now().plus(TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      if (engine.getTask(id).state() == state) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("task " + id + " did not reach " + state + ": " + engine.getTask(id, View.FULL));
  }

  private List<String> jobsLeft() throws IOException {
    try (Stream<Path> jobs = Files.list(pulsar.stagingDirectory())) {
      return jobs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(n -> n.startsWith("tes4j-")).toList();
    }
  }

  private static List<String> systemLogs(Task task) {
    return task.logs().get(task.logs().size() - 1).systemLogs();
  }

  @Test
  void aCompletedTaskLeavesNoJobOnPulsarAndCostsAFewCalls() throws Exception {
    Path out = work.resolve("results/out.txt");
    try (TesEngine engine = engine(Map.of())) {
      String id = engine.createTask(shell("cat /in/greeting.txt > /out/out.txt; echo done").toBuilder()
          .addInput(Input.ofContent("hello pulsar\n", "/in/greeting.txt"))
          .addOutput(Output.of("/out/out.txt", out.toUri().toString()))
          .build());
      Task task = engine.await(id, TIMEOUT);
      assertThat(task.state()).as("%s", task).isEqualTo(State.COMPLETE);
      assertThat(out).hasContent("hello pulsar\n");
      assertThat(task.logs().get(0).logs().get(0).stdout()).isEqualTo("done\n");
      assertThat(task.logs().get(0).metadata()).containsEntry("pulsar.job", "tes4j-" + id);
    }
    assertThat(jobsLeft()).isEmpty();
    assertThat(docker.runningContainers()).isEmpty();
    long calls = pulsar.requests().stream().filter(r -> !"/jobs/{job_id}/status".equals(r.route())).count();
    // setup, 1 input, submit, 5 executor files, 1 output, clean: status polls aside, 10 calls
    assertThat(calls).isEqualTo(10);
  }

  @Test
  void anExecutorsLogKeepsTheLast64KibOfALongOutput() throws Exception {
    try (TesEngine engine = engine(Map.of())) {
      String id = engine.createTask(shell("head -c 300000 /dev/zero | tr '\\0' x; echo; echo the-end; echo oops >&2"));
      Task task = engine.await(id, TIMEOUT);
      assertThat(task.state()).as("%s", task).isEqualTo(State.COMPLETE);
      String stdout = task.logs().get(0).logs().get(0).stdout();
      assertThat(stdout).hasSize(64 * 1024).endsWith("x\nthe-end\n");
      assertThat(task.logs().get(0).logs().get(0).stderr()).isEqualTo("oops\n");
    }
  }

  @Test
  void cancellingARunningTaskRemovesItsContainerAndCleansTheJob() throws Exception {
    try (TesEngine engine = engine(Map.of())) {
      String id = engine.createTask(shell("echo started; sleep 600"));
      awaitState(engine, id, State.RUNNING);
      Instant until = Instant.now().plus(TIMEOUT);
      while (docker.runningContainers().isEmpty() && Instant.now().isBefore(until)) {
        Thread.sleep(20);
      }
      assertThat(docker.runningContainers()).hasSize(1);
      engine.cancelTask(id);
      Task task = engine.await(id, TIMEOUT);
      assertThat(task.state()).isEqualTo(State.CANCELED);
      // CANCELED comes only once the containers are removed and the jobs cleaned
      assertThat(docker.runningContainers()).as("containers left running").isEmpty();
      assertThat(jobsLeft()).as("Pulsar jobs left behind").isEmpty();
      assertThat(docker.invocations()).anySatisfy(argv -> assertThat(argv).contains("rm", "-f"));
    }
  }

  @Test
  void aCancelThatFailedIsAskedAgainUntilTheJobEnded() throws Exception {
    // runtime=none: no container to remove, so only Pulsar's cancel can stop the job
    FakeDocker.assumeUsable();
    try (TesEngine engine = engine(Map.of("runtime", "none", "maxAttempts", "1"))) {
      String id = engine.createTask(shell("sleep 600"));
      awaitState(engine, id, State.RUNNING);
      pulsar.failNext(40); // about 2 s of 500s at 50 ms a round: the cancel fails too
      engine.cancelTask(id);
      Task task = engine.await(id, TIMEOUT);
      assertThat(task.state()).isEqualTo(State.CANCELED);
    }
    assertThat(pulsar.runningProcesses()).isZero();
  }

  @Test
  void serverErrorsAndDroppedConnectionsOnTheWayAreRetried() throws Exception {
    try (TesEngine engine = engine(Map.of())) {
      // more failures in a row than one request's 4 attempts: the submission is tried again
      pulsar.failNext(3);
      pulsar.dropNext(3);
      String id = engine.createTask(shell("echo survived"));
      Task task = engine.await(id, TIMEOUT);
      assertThat(task.state()).as("%s", task).isEqualTo(State.COMPLETE);
      assertThat(task.logs().get(0).logs().get(0).stdout()).isEqualTo("survived\n");
    }
  }

  @Test
  void aServerGoneForLongerThanGiveUpAfterFailsTheTaskSayingWhy() throws Exception {
    try (TesEngine engine = engine(Map.of("giveUpAfter", "1s", "maxAttempts", "1"))) {
      String id = engine.createTask(shell("sleep 600"));
      awaitState(engine, id, State.RUNNING);
      pulsar.close();
      Task task = engine.await(id, TIMEOUT);
      assertThat(task.state()).isEqualTo(State.SYSTEM_ERROR);
      assertThat(systemLogs(engine.getTask(id, View.FULL)))
          .anySatisfy(line -> assertThat(line).contains("could not be read for 1s").contains("no answer"));
    }
  }

  @Test
  void aJobPulsarLostEndsItsTaskWithTheReason() throws Exception {
    try (TesEngine engine = engine(Map.of())) {
      String id = engine.createTask(shell("sleep 600"));
      awaitState(engine, id, State.RUNNING);
      // Pulsar comes back on the same port without its jobs (a new staging directory): each is lost.
      int port = pulsar.port();
      pulsar.close();
      pulsar = FakePulsar.builder(work.resolve("staging-after")).port(port).start();
      Task task = engine.await(id, TIMEOUT);
      assertThat(task.state()).isEqualTo(State.SYSTEM_ERROR);
      assertThat(systemLogs(engine.getTask(id, View.FULL))).anySatisfy(line -> assertThat(line).contains("Pulsar lost the job"));
    }
  }

  @Test
  void aJobPulsarSaysRunsForeverAfterARestartIsCollectedOnceItsCommandLineEnded() throws Exception {
    Path out = work.resolve("results/out.txt");
    try (TesEngine engine = engine(Map.of("runtime", "none", "exitCheckAfter", "500ms"))) {
      String id = engine.createTask(shell("while [ ! -e /out/go ]; do sleep 0.05; done; echo finished > /out/out.txt; echo done")
          .toBuilder().addOutput(Output.of("/out/out.txt", out.toUri().toString())).build());
      awaitState(engine, id, State.RUNNING);
      // Pulsar restarts while the job runs: the process outlives it, but the new Pulsar cannot take
      // it over, and says running as long as its pid file stays, which is for ever.
      int port = pulsar.port();
      pulsar.close(false);
      pulsar = FakePulsar.builder(work.resolve("staging")).port(port).start();
      Path job = pulsar.jobDirectory("tes4j-" + id);
      Files.writeString(job.resolve("outputs/out/go"), "");
      Task task = engine.await(id, TIMEOUT);
      assertThat(task.state()).as("%s", engine.getTask(id, View.FULL)).isEqualTo(State.COMPLETE);
      assertThat(task.logs().get(0).logs().get(0).stdout()).isEqualTo("done\n");
      assertThat(systemLogs(engine.getTask(id, View.FULL)))
          .anySatisfy(line -> assertThat(line).contains("Pulsar still said the job was running").contains("ended with 0"));
    }
    assertThat(out).hasContent("finished\n");
    assertThat(jobsLeft()).isEmpty();
  }

  @Test
  void aJobSetUpButNeverSubmittedBeforeARestartIsSubmittedWhenResumed() throws Exception {
    // The engine stopped between Pulsar's setup and the submit: Pulsar says "preprocessing" forever.
    Task task = shell("echo resumed").toBuilder().id("01TESTRESUMENEVERSUBMITTED").build();
    String handle = "tes4j-" + task.id();
    PulsarClient client = new PulsarClient(pulsar.baseUrl(), "_default_", null, Duration.ofSeconds(10),
        new PulsarClient.Retry(1, Duration.ofMillis(10), Duration.ofMillis(10)), HttpClient.newHttpClient());
    client.setup(handle);
    assertThat(client.status(handle).status()).isEqualTo("preprocessing");
    FinishedEvents events = new FinishedEvents();
    try (Backend backend = new PulsarBackendProvider().open(BackendConfig.of(BackendConfig.uri("pulsar+" + pulsar.baseUrl()),
        Map.of("pollInterval", "50ms", "workdir", work.resolve("engine").toString())))) {
      assertThat(backend.resume(handle, task, events)).isTrue();
      assertThat(events.state.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(State.COMPLETE);
      assertThat(events.stdout).isEqualTo("resumed\n");
      assertThat(backend.resume("tes4j-never-set-up", task, new FinishedEvents())).as("a job Pulsar does not know").isFalse();
    }
    assertThat(jobsLeft()).isEmpty();
  }

  @Test
  void severalServersShareTheTasksAndATaskMayNameItsServer() throws Exception {
    try (FakePulsar other = FakePulsar.builder(work.resolve("staging-other"))
        .privateToken("other-token")
        .environment(Map.of("PATH", docker.binDirectory() + ":" + System.getenv("PATH")))
        .start();
        TesEngine engine = engine(Map.of("server.other", other.baseUrl().toString(),
            "server.other.private_token", "other-token"))) {
      List<String> ids = new java.util.ArrayList<>();
      for (int i = 0; i < 4; i++) {
        ids.add(engine.createTask(shell("echo " + i)));
      }
      String named = engine.createTask(shell("echo named").toBuilder()
          .resources(io.tes4j.model.Resources.builder().backendParameters(Map.of("pulsar_server", "other")).build())
          .build());
      Map<String, Long> byServer = new java.util.TreeMap<>();
      for (String id : ids) {
        Task task = engine.await(id, TIMEOUT);
        assertThat(task.state()).as("%s", task).isEqualTo(State.COMPLETE);
        byServer.merge(task.logs().get(0).metadata().get("pulsar.server").split(" ")[0], 1L, Long::sum);
      }
      assertThat(byServer).as("round robin").containsEntry("default", 2L).containsEntry("other", 2L);
      Task task = engine.await(named, TIMEOUT);
      assertThat(task.state()).isEqualTo(State.COMPLETE);
      assertThat(task.logs().get(0).metadata().get("pulsar.server")).startsWith("other (");
      assertThat(other.requests()).allSatisfy(r -> assertThat(r.parameter("private_token")).isEqualTo("other-token"));
      assertThat(pulsar.requests()).allSatisfy(r -> assertThat(r.parameter("private_token")).isNull());

      assertThatThrownBy(() -> engine.createTask(shell("echo lost").toBuilder()
              .resources(io.tes4j.model.Resources.builder().backendParameters(Map.of("pulsar_server", "nowhere")).build())
              .build()))
          .isInstanceOf(InvalidTaskException.class)
          .hasMessageContaining("resources.backend_parameters.pulsar_server")
          .hasMessageContaining("default, other");
    }
  }

  @Test
  void aSlowServerDelaysOnlyTheStatusesOfItsOwnTasks() throws Exception {
    try (FakePulsar slow = FakePulsar.builder(work.resolve("staging-slow"))
        .environment(Map.of("PATH", docker.binDirectory() + ":" + System.getenv("PATH")))
        .start();
        TesEngine engine = engine(Map.of("server.slow", slow.baseUrl().toString(), "requestTimeout", "5m"))) {
      String stuck = engine.createTask(shell("sleep 600").toBuilder()
          .resources(io.tes4j.model.Resources.builder().backendParameters(Map.of("pulsar_server", "slow")).build())
          .build());
      awaitState(engine, stuck, State.RUNNING);
      slow.delay(Duration.ofMinutes(2)); // each status request to it now takes two minutes
      Thread.sleep(200); // a round of the slow server's poller is waiting on it
      String quick = engine.createTask(shell("echo quick").toBuilder()
          .resources(io.tes4j.model.Resources.builder().backendParameters(Map.of("pulsar_server", "default")).build())
          .build());
      // With one poller for both servers, this status would wait behind the slow one's.
      Task task = engine.await(quick, Duration.ofSeconds(30));
      assertThat(task.state()).isEqualTo(State.COMPLETE);
      slow.delay(Duration.ZERO);
    }
  }

  @Test
  void aFailingExecutorIsAnExecutorErrorWithItsExitCodeAndTheRestSkipped() throws Exception {
    try (TesEngine engine = engine(Map.of())) {
      String id = engine.createTask(shell("echo before; exit 7").toBuilder()
          .addExecutor(Executor.of("alpine:3.20", "sh", "-c", "echo never"))
          .build());
      Task task = engine.await(id, TIMEOUT);
      assertThat(task.state()).isEqualTo(State.EXECUTOR_ERROR);
      assertThat(task.logs().get(0).logs()).hasSize(1);
      assertThat(task.logs().get(0).logs().get(0).exitCode()).isEqualTo(7);
      assertThat(systemLogs(engine.getTask(id, View.FULL)))
          .anySatisfy(line -> assertThat(line).contains("executors[0] exited with 7; the executors after it did not run"));
    }
    assertThat(jobsLeft()).isEmpty();
  }
}
