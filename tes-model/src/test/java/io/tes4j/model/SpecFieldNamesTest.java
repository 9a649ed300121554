package io.tes4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The JSON names tes4j writes are exactly the spec's. The property lists below are transcribed from
 * {@code task_execution_service.openapi.yaml} (TES 1.1.0) and, for the fields {@code tesServiceInfo}
 * inherits, from GA4GH service-info 1.0.0. A field missing from the output, a misspelled name or
 * an extra field fails here, whichever record it is in.
 */
class SpecFieldNamesTest {

  /** {@code components.schemas.*.properties}, in the spec's order. */
  static final Map<String, List<String>> SPEC_PROPERTIES =
      Map.ofEntries(
          Map.entry(
              "tesTask",
              List.of(
                  "id", "state", "name", "description", "inputs", "outputs", "resources",
                  "executors", "volumes", "tags", "logs", "creation_time")),
          Map.entry(
              "tesExecutor",
              List.of(
                  "image", "command", "workdir", "stdin", "stdout", "stderr", "env",
                  "ignore_error")),
          Map.entry(
              "tesInput",
              List.of("name", "description", "url", "path", "type", "content", "streamable")),
          Map.entry(
              "tesOutput", List.of("name", "description", "url", "path", "path_prefix", "type")),
          Map.entry(
              "tesResources",
              List.of(
                  "cpu_cores", "preemptible", "ram_gb", "disk_gb", "zones", "backend_parameters",
                  "backend_parameters_strict")),
          Map.entry(
              "tesTaskLog",
              List.of("logs", "metadata", "start_time", "end_time", "outputs", "system_logs")),
          Map.entry(
              "tesExecutorLog", List.of("start_time", "end_time", "stdout", "stderr", "exit_code")),
          Map.entry("tesOutputFileLog", List.of("url", "path", "size_bytes")),
          // allOf service-info Service (id ... version) and the TES properties.
          Map.entry(
              "tesServiceInfo",
              List.of(
                  "id", "name", "type", "description", "organization", "contactUrl",
                  "documentationUrl", "createdAt", "updatedAt", "environment", "version",
                  "storage", "tesResources_backend_parameters")),
          Map.entry("tesServiceType", List.of("group", "artifact", "version")),
          Map.entry("Organization", List.of("name", "url")),
          Map.entry("tesListTasksResponse", List.of("tasks", "next_page_token")),
          Map.entry("tesCreateTaskResponse", List.of("id")),
          Map.entry("tesCancelTaskResponse", List.of()));

  /** {@code tesState.enum}, in the spec's order. */
  static final List<String> SPEC_STATES =
      List.of(
          "UNKNOWN", "QUEUED", "INITIALIZING", "RUNNING", "PAUSED", "COMPLETE", "EXECUTOR_ERROR",
          "SYSTEM_ERROR", "CANCELED", "PREEMPTED", "CANCELING");

  private static final ObjectMapper PLAIN = new ObjectMapper();

  private static JsonNode written(Object value) throws Exception {
    return PLAIN.readTree(TesJson.write(value));
  }

  private static Set<String> keys(JsonNode object) {
    assertThat(object.isObject()).as("%s is an object", object).isTrue();
    Set<String> keys = new LinkedHashSet<>();
    object.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  private static void assertKeys(String schema, JsonNode object) {
    assertThat(keys(object)).as(schema).containsExactlyInAnyOrderElementsOf(SPEC_PROPERTIES.get(schema));
  }

  @Test
  void everyTaskObjectWritesExactlyTheSpecFieldNames() throws Exception {
    JsonNode task = written(Fixtures.fullTask());

    assertKeys("tesTask", task);
    assertKeys("tesResources", task.get("resources"));
    assertKeys("tesExecutor", task.get("executors").get(0));
    assertKeys("tesOutput", task.get("outputs").get(0));
    JsonNode log = task.get("logs").get(0);
    assertKeys("tesTaskLog", log);
    assertKeys("tesExecutorLog", log.get("logs").get(0));
    assertKeys("tesOutputFileLog", log.get("outputs").get(0));
  }

  @Test
  void inputsWriteTheSpecFieldNamesInBothTheirContentAndUrlForms() throws Exception {
    JsonNode inputs = written(Fixtures.fullTask()).get("inputs");
    Set<String> withContent = keys(inputs.get(0));
    Set<String> withUrl = keys(inputs.get(1));

    List<String> spec = SPEC_PROPERTIES.get("tesInput");
    assertThat(withContent).containsExactlyInAnyOrder("name", "description", "path", "type", "content", "streamable");
    assertThat(withUrl).containsExactlyInAnyOrder("name", "description", "url", "path", "type", "streamable");
    Set<String> union = new LinkedHashSet<>(withContent);
    union.addAll(withUrl);
    assertThat(union).containsExactlyInAnyOrderElementsOf(spec);
  }

  @Test
  void serviceInfoWritesTheServiceInfoAndTesFieldNames() throws Exception {
    JsonNode info = written(Fixtures.fullServiceInfo());

    assertKeys("tesServiceInfo", info);
    assertKeys("tesServiceType", info.get("type"));
    assertKeys("Organization", info.get("organization"));
    assertThat(info.get("type").get("artifact").asText()).isEqualTo("tes");
  }

  @Test
  void responsesWriteTheSpecFieldNames() throws Exception {
    assertKeys("tesListTasksResponse", written(Fixtures.fullListTasksResponse()));
    assertKeys("tesCreateTaskResponse", written(new CreateTaskResponse("job-1")));
    assertKeys("tesCancelTaskResponse", written(new CancelTaskResponse()));
  }

  @Test
  void theFixtureReallySetsEveryRecordComponent() {
    // Guards the tests above: a record component left null in the fixture would hide a name.
    List<Object> everything = new ArrayList<>();
    Task task = Fixtures.fullTask();
    everything.add(task);
    everything.add(task.resources());
    everything.add(task.executors().get(0));
    everything.add(task.outputs().get(0));
    everything.add(task.logs().get(0));
    everything.add(task.logs().get(0).logs().get(0));
    everything.add(task.logs().get(0).outputs().get(0));
    ServiceInfo info = Fixtures.fullServiceInfo();
    everything.add(info);
    everything.add(info.type());
    everything.add(info.organization());
    everything.add(Fixtures.fullListTasksResponse());

    for (Object record : everything) {
      for (var component : record.getClass().getRecordComponents()) {
        Object value;
        try {
          value = component.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
          throw new AssertionError(e);
        }
        assertThat(value).as("%s.%s", record.getClass().getSimpleName(), component.getName()).isNotNull();
        if (value instanceof java.util.Collection<?> c) {
          assertThat(c).as("%s.%s", record.getClass().getSimpleName(), component.getName()).isNotEmpty();
        }
        if (value instanceof Map<?, ?> m) {
          assertThat(m).as("%s.%s", record.getClass().getSimpleName(), component.getName()).isNotEmpty();
        }
      }
    }
  }

  @Test
  void statesAreTheSpecEnumInOrder() {
    assertThat(Arrays.stream(State.values()).map(Enum::name)).containsExactlyElementsOf(SPEC_STATES);
  }

  @Test
  void fileTypesAndViewsAreTheSpecEnums() {
    assertThat(FileType.values()).extracting(Enum::name).containsExactly("FILE", "DIRECTORY");
    assertThat(View.values()).extracting(Enum::name).containsExactly("MINIMAL", "BASIC", "FULL");
  }

  @Test
  void everyStateIsWrittenAndReadUnderItsSpecName() {
    for (String name : SPEC_STATES) {
      String json = "{\"id\":\"t\",\"state\":\"" + name + "\"}";
      Task task = TesJson.read(json, Task.class);
      assertThat(task.state().name()).isEqualTo(name);
      assertThat(TesJson.write(task)).isEqualTo(json);
    }
  }
}
