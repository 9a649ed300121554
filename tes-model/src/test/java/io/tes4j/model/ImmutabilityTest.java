package io.tes4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Model objects can be shared freely: nothing a caller does afterwards changes them. */
class ImmutabilityTest {

  /** Every collection of every record, as built and as read from JSON. */
  static Stream<Arguments> everyCollection() {
    Task built = Fixtures.fullTask();
    Task read = TesJson.read(TesJson.write(built), Task.class);
    List<Arguments> all = new ArrayList<>();
    for (Task t : List.of(built, read)) {
      String how = t == built ? "built " : "read ";
      all.add(collection(how + "inputs", t::inputs));
      all.add(collection(how + "outputs", t::outputs));
      all.add(collection(how + "executors", t::executors));
      all.add(collection(how + "volumes", t::volumes));
      all.add(collection(how + "tags", t::tags));
      all.add(collection(how + "logs", t::logs));
      all.add(collection(how + "command", () -> t.executors().get(0).command()));
      all.add(collection(how + "env", () -> t.executors().get(0).env()));
      all.add(collection(how + "zones", () -> t.resources().zones()));
      all.add(collection(how + "backend_parameters", () -> t.resources().backendParameters()));
      all.add(collection(how + "logs[0].logs", () -> t.logs().get(0).logs()));
      all.add(collection(how + "logs[0].metadata", () -> t.logs().get(0).metadata()));
      all.add(collection(how + "logs[0].outputs", () -> t.logs().get(0).outputs()));
      all.add(collection(how + "logs[0].system_logs", () -> t.logs().get(0).systemLogs()));
    }
    ServiceInfo info = Fixtures.fullServiceInfo();
    all.add(collection("storage", info::storage));
    all.add(collection("tesResources_backend_parameters", info::tesResourcesBackendParameters));
    all.add(collection("tasks", () -> Fixtures.fullListTasksResponse().tasks()));
    return all.stream();
  }

  private static Arguments collection(String name, Supplier<Object> getter) {
    return Arguments.of(name, getter);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyCollection")
  void collectionsCannotBeChanged(String name, Supplier<Object> collection) {
    Object value = collection.get();

    if (value instanceof List<?> list) {
      assertThat(list).as(name).isNotEmpty();
      assertThatThrownBy(list::clear).as(name).isInstanceOf(UnsupportedOperationException.class);
    } else if (value instanceof Map<?, ?> map) {
      assertThat(map).as(name).isNotEmpty();
      assertThatThrownBy(map::clear).as(name).isInstanceOf(UnsupportedOperationException.class);
    } else {
      throw new AssertionError(name + " is neither a list nor a map: " + value);
    }
  }

  @Test
  void changingTheCollectionsPassedInChangesNothing() {
    List<String> command = new ArrayList<>(List.of("echo", "a"));
    Map<String, String> env = new LinkedHashMap<>(Map.of("A", "1"));
    Executor executor = new Executor("alpine", command, null, null, null, null, env, null);
    List<Executor> executors = new ArrayList<>(List.of(executor));
    Task task = new Task(null, null, null, null, null, null, null, executors, null, null, null, null);

    command.add("b");
    env.put("B", "2");
    executors.clear();

    assertThat(executor.command()).containsExactly("echo", "a");
    assertThat(executor.env()).containsOnlyKeys("A");
    assertThat(task.executors()).containsExactly(executor);
  }

  @Test
  void aTaskRebuiltFromAnotherSharesItsTagsButTheCallersMapsAreCopied() {
    Task task = Task.builder().name("t").tag("a", "1").tag("b", "").addExecutor(Executor.of("alpine", "true")).build();
    Task running = new Task(task.id(), State.RUNNING, task.name(), task.description(), task.inputs(), task.outputs(),
        task.resources(), task.executors(), task.volumes(), task.tags(), task.logs(), task.creationTime());
    assertThat(running.tags()).as("a map the model made is shared, not copied").isSameAs(task.tags());
    assertThat(running.executors()).isSameAs(task.executors());

    Map<String, String> backing = new LinkedHashMap<>(Map.of("a", "1"));
    Task viewed = new Task(null, null, null, null, null, null, null, null, null,
        java.util.Collections.unmodifiableMap(backing), null, null);
    backing.put("b", "2");
    assertThat(viewed.tags()).as("a read-only view of a map its maker changes is copied").containsOnlyKeys("a");

    assertThat(task.tags()).isEqualTo(Map.of("a", "1", "b", "")).hasSameHashCodeAs(Map.of("a", "1", "b", ""));
    assertThat(Map.of("a", "1", "b", "")).isEqualTo(task.tags());
    assertThat(task.tags().keySet()).containsExactly("a", "b");
    assertThat(task.tags()).hasToString("{a=1, b=}");
    assertThatThrownBy(() -> task.tags().put("c", "3")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> task.tags().remove("a")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> task.tags().keySet().remove("a")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> task.tags().entrySet().iterator().next().setValue("x"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void reusingATaskBuilderDoesNotChangeTasksItBuilt() {
    Task.Builder builder = Task.builder().name("first").addExecutor(Executor.of("alpine", "true")).tag("a", "1");
    Task first = builder.build();

    builder
        .name("second")
        .addExecutor(Executor.of("alpine", "false"))
        .addInput(Input.ofUrl("s3://b/x", "/in/x"))
        .addOutput(Output.of("/out/x", "s3://b/x"))
        .volumes("/vol")
        .tag("b", "2")
        .addLog(TaskLog.builder().build());
    Task second = builder.build();

    assertThat(first.name()).isEqualTo("first");
    assertThat(first.executors()).hasSize(1);
    assertThat(first.inputs()).isEmpty();
    assertThat(first.outputs()).isEmpty();
    assertThat(first.volumes()).isEmpty();
    assertThat(first.tags()).containsOnlyKeys("a");
    assertThat(first.logs()).isEmpty();
    assertThat(second.executors()).hasSize(2);
    assertThat(second.tags()).containsOnlyKeys("a", "b");
  }

  @Test
  void reusingTheOtherBuildersDoesNotChangeWhatTheyBuilt() {
    Executor.Builder executorBuilder = Executor.builder().image("alpine").command("echo").env("A", "1");
    Executor executor = executorBuilder.build();
    executorBuilder.command("ls", "-l").env("B", "2");
    assertThat(executor.command()).containsExactly("echo");
    assertThat(executor.env()).containsOnlyKeys("A");

    Resources.Builder resourcesBuilder = Resources.builder().zones("a").backendParameter("K", "v");
    Resources resources = resourcesBuilder.build();
    resourcesBuilder.zones("b", "c").backendParameter("L", "w");
    assertThat(resources.zones()).containsExactly("a");
    assertThat(resources.backendParameters()).containsOnlyKeys("K");

    TaskLog.Builder logBuilder = TaskLog.builder().addSystemLog("one").metadata("k", "v");
    TaskLog log = logBuilder.build();
    logBuilder.addSystemLog("two").metadata("l", "w").addLog(ExecutorLog.builder().exitCode(0).build());
    assertThat(log.systemLogs()).containsExactly("one");
    assertThat(log.metadata()).containsOnlyKeys("k");
    assertThat(log.logs()).isEmpty();
  }

  @Test
  void toBuilderDerivesACopyAndLeavesTheOriginal() {
    Task original = Fixtures.fullTask();

    Task changed = original.toBuilder().name("other").tag("extra", "").volumes(List.of()).build();

    assertThat(original).isEqualTo(Fixtures.fullTask());
    assertThat(changed.name()).isEqualTo("other");
    assertThat(changed.tags()).containsEntry("extra", "");
    assertThat(changed.volumes()).isEmpty();
    assertThat(original.toBuilder().build()).isEqualTo(original);
    Executor executor = original.executors().get(0);
    assertThat(executor.toBuilder().build()).isEqualTo(executor);
    assertThat(original.resources().toBuilder().build()).isEqualTo(original.resources());
    assertThat(original.logs().get(0).toBuilder().build()).isEqualTo(original.logs().get(0));
    Input input = original.inputs().get(0);
    assertThat(input.toBuilder().build()).isEqualTo(input);
    Output output = original.outputs().get(0);
    assertThat(output.toBuilder().build()).isEqualTo(output);
    ExecutorLog executorLog = original.logs().get(0).logs().get(0);
    assertThat(executorLog.toBuilder().build()).isEqualTo(executorLog);
    ServiceInfo info = Fixtures.fullServiceInfo();
    assertThat(info.toBuilder().build()).isEqualTo(info);
  }
}
