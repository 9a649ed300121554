package io.tes4j.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tes4j.api.InvalidTaskException;
import io.tes4j.api.ListTasksRequest;
import io.tes4j.model.Executor;
import io.tes4j.model.Input;
import io.tes4j.model.Resources;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.TaskLog;
import io.tes4j.model.View;
import io.tes4j.model.Violation;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** createTask: validation, backend_parameters (strict or not), and what the engine sets. */
class CreateTaskTest {
  private final FakeBackend backend = FakeBackend.withParameters("VmSize", "gpu");
  private final TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(backend).build();

  @AfterEach
  void close() {
    engine.close();
  }

  @Test
  void anInvalidTaskIsRefusedWithEveryViolationAndNothingIsStored() {
    Task invalid = Task.builder()
        .addInput(Input.builder().path("relative/path").build())
        .addExecutor(Executor.builder().image(" ").command(List.of()).workdir("../up").build())
        .resources(Resources.builder().cpuCores(-1.0).build())
        .build();

    InvalidTaskException e = catchThrowableOfType(InvalidTaskException.class, () -> engine.createTask(invalid));

    assertThat(e.statusCode()).isEqualTo(400);
    assertThat(e.violations()).extracting(Violation::path).containsExactly(
        "inputs[0]", "inputs[0].path", "resources.cpu_cores",
        "executors[0].image", "executors[0].command", "executors[0].workdir");
    assertThat(e.getMessage()).startsWith("invalid task: inputs[0]: needs url or content");
    assertThat(engine.listTasks(ListTasksRequest.all()).tasks()).isEmpty();
    assertThat(backend.startedIds).isEmpty();
  }

  @Test
  void whatTheBackendCouldNeverRunIsRefusedWithTheValidatorsViolationsAndNothingIsStored() {
    backend.checks = task -> List.of(
        new Violation("executors[0].image", "the backend cannot read this image"),
        new Violation("executors[1].workdir", "the backend says so too"));
    Task task = Tasks.echo().addExecutor(Executor.builder().image("").command("true").workdir("rel").build()).build();

    InvalidTaskException e = catchThrowableOfType(InvalidTaskException.class, () -> engine.createTask(task));

    assertThat(e.statusCode()).isEqualTo(400);
    assertThat(e.violations()).extracting(Violation::toString)
        .as("the validator's first; a field it reported is not reported again")
        .containsExactly(
            "executors[1].image: must not be blank; give the container image to run, e.g. ubuntu:22.04",
            "executors[1].workdir: must be an absolute path inside the container (starting with /), was 'rel'",
            "executors[0].image: the backend cannot read this image");
    assertThat(engine.listTasks(ListTasksRequest.all()).tasks()).isEmpty();
    assertThat(backend.startedIds).isEmpty();

    backend.checks = t -> List.of(new Violation("executors[0].image", "the backend cannot read this image"));
    InvalidTaskException alone =
        catchThrowableOfType(InvalidTaskException.class, () -> engine.createTask(Tasks.echo().build()));
    assertThat(alone.violations()).extracting(Violation::toString)
        .as("a task the validator accepts is still refused")
        .containsExactly("executors[0].image: the backend cannot read this image");
    assertThat(engine.listTasks(ListTasksRequest.all()).tasks()).isEmpty();
  }

  @Test
  void aTaskWithoutExecutorsIsInvalid() {
    InvalidTaskException e = catchThrowableOfType(InvalidTaskException.class, () -> engine.createTask(Task.builder().build()));

    assertThat(e.violations()).extracting(Violation::toString)
        .containsExactly("executors: must contain at least one executor: the container image and command to run");
  }

  @Test
  void strictBackendParametersTheBackendDoesNotSupportAreRefusedByName() {
    Task task = Tasks.echo().resources(Resources.builder()
        .backendParameter("vmsize", "Standard_D64_v3") // keys are case-insensitive: supported
        .backendParameter("queue", "long")
        .backendParameter("odd key", "x")
        .backendParametersStrict(true)
        .build()).build();

    InvalidTaskException e = catchThrowableOfType(InvalidTaskException.class, () -> engine.createTask(task));

    assertThat(e.violations()).extracting(Violation::toString).containsExactly(
        "resources.backend_parameters.queue: backend_parameters_strict is true and the backend FakeBackend does not"
            + " support the backend parameter 'queue'; it supports VmSize, gpu",
        "resources.backend_parameters[\"odd key\"]: backend_parameters_strict is true and the backend FakeBackend does"
            + " not support the backend parameter 'odd key'; it supports VmSize, gpu");
  }

  @Test
  void strictViolationsAreListedWithTheValidatorsOnes() {
    Task task = Task.builder()
        .addExecutor(Executor.of("", "true"))
        .resources(Resources.builder().backendParameter("queue", "long").backendParametersStrict(true).build())
        .build();

    InvalidTaskException e = catchThrowableOfType(InvalidTaskException.class, () -> engine.createTask(task));

    assertThat(e.violations()).extracting(Violation::path)
        .containsExactly("executors[0].image", "resources.backend_parameters.queue");
  }

  @Test
  void strictSupportedParametersAreKept() {
    Task task = Tasks.echo().resources(Resources.builder()
        .backendParameter("VMSIZE", "big").backendParametersStrict(true).build()).build();

    String id = engine.createTask(task);

    assertThat(engine.getTask(id).resources().backendParameters()).containsEntry("VMSIZE", "big");
    assertThat(engine.getTask(id).logs().get(0).systemLogs()).isEmpty();
  }

  @Test
  void withoutStrictUnsupportedParametersAreDroppedWithASystemLog() {
    Task task = Tasks.echo().resources(Resources.builder()
        .backendParameter("gpu", "1")
        .backendParameter("queue", "long")
        .build()).build();

    String id = engine.createTask(task);

    Task stored = engine.getTask(id);
    assertThat(stored.resources().backendParameters()).containsExactly(java.util.Map.entry("gpu", "1"));
    assertThat(backend.byId.get(id).task().resources().backendParameters()).doesNotContainKey("queue");
    assertThat(stored.logs()).hasSize(1);
    assertThat(stored.logs().get(0).systemLogs()).containsExactly(
        "the backend parameter 'queue' is not supported by the backend FakeBackend and was ignored (it supports VmSize, gpu)");
    assertThat(stored.logs().get(0).startTime()).isNotNull();
  }

  @Test
  void aBackendWithoutParametersSaysSo() {
    try (TesEngine plain = TesEngine.builder().engineExecutor(Runnable::run).backend(new FakeBackend()).build()) {
      Task task = Tasks.echo().resources(Resources.builder().backendParameter("x", "1").backendParametersStrict(true).build()).build();

      assertThat(catchThrowableOfType(InvalidTaskException.class, () -> plain.createTask(task)).getMessage())
          .endsWith("does not support the backend parameter 'x'; it supports no backend parameters");
    }
  }

  @Test
  void theEngineSetsIdStateAndCreationTimeAndIgnoresThoseOfTheClient() {
    Task fromAServer = Tasks.echo().id("client-id").state(State.COMPLETE).creationTime("1999-01-01T00:00:00Z")
        .addLog(TaskLog.builder().addSystemLog("old").build()).build();

    String id = engine.createTask(fromAServer);

    Task stored = engine.getTask(id, View.FULL);
    assertThat(id).isNotEqualTo("client-id");
    assertThat(stored.state()).isEqualTo(State.INITIALIZING);
    assertThat(stored.creationTime()).isNotEqualTo("1999-01-01T00:00:00Z").endsWith("Z");
    assertThat(stored.logs()).hasSize(1);
    assertThat(stored.logs().get(0).systemLogs()).isEmpty();
  }
}
