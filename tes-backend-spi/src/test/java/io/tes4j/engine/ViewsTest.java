package io.tes4j.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.api.ListTasksRequest;
import io.tes4j.model.ExecutorLog;
import io.tes4j.model.Input;
import io.tes4j.model.Output;
import io.tes4j.model.OutputFileLog;
import io.tes4j.model.Resources;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.TaskLog;
import io.tes4j.model.View;
import io.tes4j.spi.TaskEvents;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** MINIMAL, BASIC and FULL, field by field, through getTask and listTasks. */
class ViewsTest {
  private final FakeBackend backend = new FakeBackend();
  private final TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(backend).build();
  private String id;

  @BeforeEach
  void runOneTaskWithEverything() {
    id = engine.createTask(Tasks.echo()
        .name("everything")
        .description("a task with every field")
        .addInput(Input.ofContent("secret text", "/in/a.txt"))
        .addInput(Input.ofUrl("s3://b/in.txt", "/in/b.txt"))
        .addOutput(Output.of("/out/c.txt", "s3://b/out/c.txt"))
        .resources(Resources.builder().cpuCores(2.0).ramGb(4.0).build())
        .volumes("/vol/A")
        .tag("project", "demo")
        .build());
    TaskEvents events = backend.events(id);
    events.running();
    events.executorStarted(0, Instant.parse("2026-11-22T10:00:01Z"));
    events.executorFinished(0, Instant.parse("2026-11-22T10:00:02Z"), 0, "stdout tail", "stderr tail");
    events.outputs(java.util.List.of(OutputFileLog.of("s3://b/out/c.txt", "/out/c.txt", 5)));
    events.systemLog("host h1");
    events.metadata("host", "h1");
    events.finished(State.COMPLETE);
  }

  @AfterEach
  void close() {
    engine.close();
  }

  @Test
  void minimalIsIdAndStateOnly() {
    Task minimal = engine.getTask(id, View.MINIMAL);

    assertThat(minimal).isEqualTo(Task.builder().id(id).state(State.COMPLETE).build());
    assertThat(engine.getTask(id, null)).as("no view is the spec's default, MINIMAL").isEqualTo(minimal);
  }

  @Test
  void fullIsEverything() {
    Task full = engine.getTask(id, View.FULL);

    assertThat(full.name()).isEqualTo("everything");
    assertThat(full.description()).isEqualTo("a task with every field");
    assertThat(full.inputs().get(0).content()).isEqualTo("secret text");
    assertThat(full.inputs().get(1).url()).isEqualTo("s3://b/in.txt");
    assertThat(full.outputs()).hasSize(1);
    assertThat(full.resources().cpuCores()).isEqualTo(2.0);
    assertThat(full.volumes()).containsExactly("/vol/A");
    assertThat(full.tags()).containsEntry("project", "demo");
    assertThat(full.creationTime()).isNotNull();
    TaskLog log = full.logs().get(0);
    assertThat(log.logs().get(0)).extracting(ExecutorLog::stdout, ExecutorLog::stderr, ExecutorLog::exitCode)
        .containsExactly("stdout tail", "stderr tail", 0);
    assertThat(log.systemLogs()).containsExactly("host h1");
    assertThat(log.metadata()).containsEntry("host", "h1");
    assertThat(log.outputs()).hasSize(1);
    assertThat(engine.getTask(id)).as("getTask(id) is FULL").isEqualTo(full);
  }

  @Test
  void basicLeavesOutStdoutStderrInputContentAndSystemLogsOnly() {
    Task full = engine.getTask(id, View.FULL);
    Task basic = engine.getTask(id, View.BASIC);

    assertThat(basic.inputs().get(0).content()).isNull();
    assertThat(basic.inputs().get(0).path()).isEqualTo("/in/a.txt");
    assertThat(basic.inputs().get(1)).isEqualTo(full.inputs().get(1));
    TaskLog log = basic.logs().get(0);
    assertThat(log.logs().get(0)).isEqualTo(new ExecutorLog(
        "2026-11-22T10:00:01.000Z", "2026-11-22T10:00:02.000Z", null, null, 0));
    assertThat(log.systemLogs()).isEmpty();
    // Everything else is as in FULL.
    Task expected = full.toBuilder()
        .inputs(basic.inputs())
        .logs(java.util.List.of(full.logs().get(0).toBuilder().logs(log.logs()).systemLogs(java.util.List.of()).build()))
        .build();
    assertThat(basic).isEqualTo(expected);
    assertThat(log.metadata()).containsEntry("host", "h1");
    assertThat(log.outputs()).isEqualTo(full.logs().get(0).outputs());
  }

  @Test
  void listTasksUsesTheSameViews() {
    assertThat(engine.listTasks(ListTasksRequest.all()).tasks())
        .containsExactly(engine.getTask(id, View.MINIMAL));
    assertThat(engine.listTasks(ListTasksRequest.builder().view(View.BASIC).build()).tasks())
        .containsExactly(engine.getTask(id, View.BASIC));
    assertThat(engine.listTasks(ListTasksRequest.builder().view(View.FULL).build()).tasks())
        .containsExactly(engine.getTask(id, View.FULL));
  }
}
