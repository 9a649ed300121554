package io.tes4j.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tes4j.model.Executor;
import io.tes4j.model.ListTasksResponse;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.TesJson;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The MINIMAL page writer gives exactly the bytes of the data binding, whatever the page holds. */
class MinimalPagesTest {
  private static void assertSameBytes(ListTasksResponse page) throws Exception {
    byte[] expected = TesJson.writer().writeValueAsBytes(page);
    assertThat(new String(MinimalPages.write(page), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo(new String(expected, java.nio.charset.StandardCharsets.UTF_8));
    assertThat(MinimalPages.write(page)).isEqualTo(expected);
  }

  private static Task minimal(String id, State state) {
    return Task.builder().id(id).state(state).build();
  }

  @Test
  void anEmptyPage() throws Exception {
    assertSameBytes(new ListTasksResponse(List.of(), null));
    assertSameBytes(new ListTasksResponse(List.of(), ""));
  }

  @Test
  void aFullPageWithAndWithoutTheNextToken() throws Exception {
    List<Task> tasks = new ArrayList<>();
    State[] states = State.values();
    for (int i = 0; i < 100; i++) {
      tasks.add(minimal(String.format("01M981AENJ4H6SG56WSQ5D%04d", i), states[i % states.length]));
    }
    assertSameBytes(new ListTasksResponse(tasks, "MDFNOTgxQUVOSjRINlNHNTZXU1E1RDAwOTk"));
    assertSameBytes(new ListTasksResponse(tasks, null));
  }

  @Test
  void idsAndTokensThatNeedEscapingFromAServerBehindThisOne() throws Exception {
    assertSameBytes(new ListTasksResponse(
        List.of(minimal("quote\" backslash\\ tab\t nl\n ctl\u0001 é ∑ 😀 </script>", State.RUNNING),
            minimal(null, State.QUEUED), minimal("no-state", null)),
        "tok\"en\u2028"));
  }

  @Test
  void theEnginesMinimalViewIsWrittenHere() {
    // as the engine's views make a MINIMAL task: the canonical constructor, nulls for the rest
    Task fromTheEngine = new Task("t1", State.RUNNING, null, null, null, null, null, null, null, null, null, null);
    assertThat(MinimalPages.minimalOnly(new ListTasksResponse(List.of(fromTheEngine), null))).isTrue();
    assertThat(MinimalPages.minimalOnly(new ListTasksResponse(
        List.of(fromTheEngine, fromTheEngine.toBuilder().name("x").build()), null))).isFalse();
  }

  @Test
  void theCheckKnowsEveryFieldOfATask() {
    // A new field of Task must be added to MinimalPages.minimalOnly, then here.
    assertThat(java.util.Arrays.stream(Task.class.getRecordComponents()).map(c -> c.getName()))
        .containsExactly("id", "state", "name", "description", "inputs", "outputs", "resources", "executors",
            "volumes", "tags", "logs", "creationTime");
    Task base = new Task("t", State.QUEUED, null, null, null, null, null, null, null, null, null, null);
    List<Task> eachWithOneMore = List.of(
        base.toBuilder().name("n").build(),
        base.toBuilder().description("d").build(),
        base.toBuilder().addInput(io.tes4j.model.Input.ofContent("x", "/in/x")).build(),
        base.toBuilder().addOutput(io.tes4j.model.Output.of("/out/x", "file:///tmp/x")).build(),
        base.toBuilder().resources(io.tes4j.model.Resources.builder().cpuCores(1.0).build()).build(),
        base.toBuilder().addExecutor(Executor.of("alpine", "true")).build(),
        base.toBuilder().volumes(List.of("/vol")).build(),
        base.toBuilder().tags(java.util.Map.of("k", "v")).build(),
        base.toBuilder().logs(List.of(io.tes4j.model.TaskLog.builder().build())).build(),
        base.toBuilder().creationTime("2026-12-07T10:00:00Z").build());
    for (Task task : eachWithOneMore) {
      assertThat(MinimalPages.minimalOnly(new ListTasksResponse(List.of(base, task), null))).as("%s", task).isFalse();
    }
  }

  @Test
  void aPageWithMoreThanIdAndStateIsWrittenByTheDataBinding() throws Exception {
    Task basic = Task.builder().id("t1").state(State.COMPLETE).name("named")
        .addExecutor(Executor.of("alpine", "true")).build();
    ListTasksResponse page = new ListTasksResponse(List.of(minimal("t0", State.QUEUED), basic), null);

    assertSameBytes(page);
    assertThat(new String(MinimalPages.write(page), java.nio.charset.StandardCharsets.UTF_8)).contains("\"named\"");
  }
}
