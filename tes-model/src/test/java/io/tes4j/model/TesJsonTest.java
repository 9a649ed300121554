package io.tes4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** How TES documents are read and written: what servers send, and what they must receive. */
class TesJsonTest {

  static Stream<Arguments> everyRecord() {
    Task task = Fixtures.fullTask();
    return Stream.of(
        Arguments.of(task),
        Arguments.of(Fixtures.minimalTask()),
        Arguments.of(task.inputs().get(0)),
        Arguments.of(task.inputs().get(1)),
        Arguments.of(task.outputs().get(0)),
        Arguments.of(task.resources()),
        Arguments.of(Resources.builder().cpuCores(0.5).ramGb(0.25).build()),
        Arguments.of(task.executors().get(0)),
        Arguments.of(task.logs().get(0)),
        Arguments.of(task.logs().get(0).logs().get(0)),
        Arguments.of(task.logs().get(0).outputs().get(0)),
        Arguments.of(Fixtures.fullServiceInfo()),
        Arguments.of(Fixtures.fullListTasksResponse()),
        Arguments.of(new ListTasksResponse(List.of(), null)),
        Arguments.of(new CreateTaskResponse("job-0012345")),
        Arguments.of(new CancelTaskResponse()));
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("everyRecord")
  void everyRecordSurvivesARoundTrip(Object record) {
    String json = TesJson.write(record);

    assertThat(TesJson.read(json, record.getClass())).isEqualTo(record);
    assertThat(TesJson.read(TesJson.writePretty(record), record.getClass())).isEqualTo(record);
  }

  @Test
  void readsFromAStream() {
    byte[] json = "{\"id\":\"a\",\"state\":\"QUEUED\"}".getBytes(StandardCharsets.UTF_8);

    Task task = TesJson.read(new ByteArrayInputStream(json), Task.class);

    assertThat(task.id()).isEqualTo("a");
    assertThat(task.state()).isEqualTo(State.QUEUED);
  }

  @Test
  void unknownFieldsAreIgnoredAtEveryLevel() {
    String json =
        """
        {"id": "a", "future_field": {"nested": [1, 2, {"x": null}]},
         "executors": [{"image": "alpine", "command": ["true"], "gpu": true}],
         "inputs": [{"path": "/in/a", "url": "s3://b/a", "checksum": "sha256:00"}],
         "resources": {"cpu_cores": 1, "accelerators": ["a100"]},
         "logs": [{"logs": [{"exit_code": 0, "host": "h"}], "outputs": [], "extra": 1}]}
        """;

    Task task = TesJson.read(json, Task.class);

    assertThat(task.executors()).containsExactly(Executor.of("alpine", "true"));
    assertThat(task.inputs()).containsExactly(Input.ofUrl("s3://b/a", "/in/a"));
    assertThat(task.resources().cpuCores()).isEqualTo(1.0);
    assertThat(task.logs().get(0).logs().get(0).exitCode()).isZero();
    assertThat(TesJson.write(task)).doesNotContain("future_field", "gpu", "checksum", "accelerators", "extra");
  }

  @Test
  void anUnknownStateReadsAsUnknownAndAMissingOneAsAbsent() {
    assertThat(TesJson.read("{\"id\":\"a\",\"state\":\"COMPLETED\"}", Task.class).state())
        .isEqualTo(State.UNKNOWN);
    Task noState = TesJson.read("{\"id\":\"a\"}", Task.class);
    assertThat(noState.state()).isNull();
    assertThat(noState.stateOrUnknown()).isEqualTo(State.UNKNOWN);
  }

  @Test
  void anUnknownFileTypeReadsAsAbsent() {
    Input input = TesJson.read("{\"path\":\"/in/a\",\"url\":\"s3://b\",\"type\":\"FOLDER\"}", Input.class);

    assertThat(input.type()).isNull();
    assertThat(TesJson.write(input)).isEqualTo("{\"url\":\"s3://b\",\"path\":\"/in/a\"}");
  }

  @Test
  void sizeBytesIsWrittenAsAStringAndReadFromAStringOrANumber() {
    OutputFileLog log = OutputFileLog.of("s3://b/a", "/out/a", 9_007_199_254_740_993L);

    assertThat(TesJson.write(log))
        .isEqualTo("{\"url\":\"s3://b/a\",\"path\":\"/out/a\",\"size_bytes\":\"9007199254740993\"}");
    assertThat(TesJson.read("{\"size_bytes\":\"9007199254740993\"}", OutputFileLog.class).sizeBytes())
        .isEqualTo(9_007_199_254_740_993L);
    assertThat(TesJson.read("{\"size_bytes\":1024}", OutputFileLog.class).sizeBytes()).isEqualTo(1024L);
    assertThat(TesJson.read("{\"sizeBytes\":\"7\"}", OutputFileLog.class).sizeBytes()).isEqualTo(7L);
  }

  @Test
  void sizeBytesThatIsNotANumberIsAnErrorAtItsPath() {
    TesJsonException e =
        catchThrowableOfType(
            TesJsonException.class,
            () -> TesJson.read("{\"logs\":[{\"outputs\":[{\"size_bytes\":\"12x\"}]}]}", Task.class));

    assertThat(e.path()).isEqualTo("logs[0].outputs[0].size_bytes");
    assertThat(e.getMessage()).contains("\"12x\"");
  }

  @Test
  void fractionalCpuCoresAreKeptAndWholeOnesWrittenAsIntegers() {
    Resources half = TesJson.read("{\"cpu_cores\":0.5}", Resources.class);
    assertThat(half.cpuCores()).isEqualTo(0.5);
    assertThat(TesJson.write(half)).isEqualTo("{\"cpu_cores\":0.5}");

    assertThat(TesJson.write(Resources.builder().cpuCores(4.0).build())).isEqualTo("{\"cpu_cores\":4}");
    assertThat(TesJson.write(TesJson.read("{\"cpu_cores\":4.0}", Resources.class)))
        .isEqualTo("{\"cpu_cores\":4}");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2024-01-02T03:04:05.123456789+05:30",
        "2024-01-02T03:04:05Z",
        "2024-01-02T03:04:05.1Z",
        "2020-10-02T10:00:00-05:00",
        "2024-01-02 03:04:05" // not RFC 3339, still kept as the server wrote it
      })
  void timesAreKeptExactlyAsWritten(String time) {
    String json =
        "{\"id\":\"a\",\"logs\":[{\"logs\":[{\"start_time\":\"%1$s\",\"end_time\":\"%1$s\",\"exit_code\":0}],"
            + "\"start_time\":\"%1$s\",\"end_time\":\"%1$s\",\"outputs\":[]}],\"creation_time\":\"%1$s\"}";
    json = String.format(json, time);

    Task task = TesJson.read(json, Task.class);

    assertThat(task.creationTime()).isEqualTo(time);
    assertThat(task.logs().get(0).startTime()).isEqualTo(time);
    assertThat(task.logs().get(0).logs().get(0).endTime()).isEqualTo(time);
    assertThat(TesJson.write(task)).isEqualTo(json);
  }

  @Test
  void absentFieldsStayAbsent() {
    String minimal = "{\"id\":\"a\",\"state\":\"RUNNING\"}";

    assertThat(TesJson.write(TesJson.read(minimal, Task.class))).isEqualTo(minimal);
    assertThat(TesJson.write(Task.builder().build())).isEqualTo("{}");
    assertThat(TesJson.write(Input.ofUrl("s3://b/a", "/in/a"))).isEqualTo("{\"url\":\"s3://b/a\",\"path\":\"/in/a\"}");
    assertThat(TesJson.write(Resources.builder().build())).isEqualTo("{}");
  }

  @Test
  void aTaskLogAlwaysWritesItsRequiredLists() {
    assertThat(TesJson.write(TaskLog.builder().build())).isEqualTo("{\"logs\":[],\"outputs\":[]}");
    assertThat(TesJson.write(new ListTasksResponse(null, null))).isEqualTo("{\"tasks\":[]}");
  }

  @Test
  void nullElementsThatServersSendAreDropped() {
    // TESK once answered "system_logs": [null], which strict clients failed to read.
    TaskLog log = TesJson.read("{\"logs\":[null],\"outputs\":[],\"system_logs\":[null, \"ok\"]}", TaskLog.class);

    assertThat(log.systemLogs()).containsExactly("ok");
    assertThat(log.logs()).isEmpty();
  }

  @Test
  void camelCaseAliasesRead() {
    String json =
        """
        {"id": "a", "creationTime": "2024-01-02T03:04:05Z",
         "resources": {"cpuCores": 2, "ramGb": 4.5, "diskGb": 10, "backendParameters": {"VmSize": "x"},
                       "backendParametersStrict": true},
         "executors": [{"image": "alpine", "command": ["true"], "ignoreError": true}],
         "outputs": [{"path": "/w/*.txt", "pathPrefix": "/w", "url": "s3://b/"}],
         "logs": [{"startTime": "s", "endTime": "e", "systemLogs": ["x"], "outputs": [],
                   "logs": [{"startTime": "s1", "endTime": "e1", "exitCode": 3}]}]}
        """;

    Task task = TesJson.read(json, Task.class);

    assertThat(task.creationTime()).isEqualTo("2024-01-02T03:04:05Z");
    assertThat(task.resources())
        .isEqualTo(
            Resources.builder()
                .cpuCores(2.0)
                .ramGb(4.5)
                .diskGb(10.0)
                .backendParameter("VmSize", "x")
                .backendParametersStrict(true)
                .build());
    assertThat(task.executors().get(0).ignoreError()).isTrue();
    assertThat(task.outputs().get(0).pathPrefix()).isEqualTo("/w");
    TaskLog log = task.logs().get(0);
    assertThat(log.startTime()).isEqualTo("s");
    assertThat(log.endTime()).isEqualTo("e");
    assertThat(log.systemLogs()).containsExactly("x");
    assertThat(log.logs().get(0)).isEqualTo(ExecutorLog.builder().startTime("s1").endTime("e1").exitCode(3).build());
    assertThat(TesJson.read("{\"tasks\":[],\"nextPageToken\":\"p2\"}", ListTasksResponse.class).nextPage())
        .contains("p2");
    // Written back with the spec's names only.
    assertThat(TesJson.write(task))
        .contains("\"creation_time\"", "\"cpu_cores\"", "\"ignore_error\"", "\"path_prefix\"", "\"exit_code\"")
        .doesNotContain("creationTime", "cpuCores", "ignoreError", "pathPrefix", "exitCode");
  }

  @Test
  void zonesGivenAsOneStringReadAsAList() {
    Resources resources = TesJson.read("{\"zones\":\"us-west-1\"}", Resources.class);

    assertThat(resources.zones()).containsExactly("us-west-1");
    assertThat(TesJson.write(resources)).isEqualTo("{\"zones\":[\"us-west-1\"]}");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"id\":\"a\"} x", "{\"id\":\"a\"} {}", "{\"id\":\"a\"}]", "{\"id\":\"a\"} \"b\""})
  void anythingAfterTheDocumentIsAnError(String json) {
    TesJsonException e = catchThrowableOfType(TesJsonException.class, () -> TesJson.read(json, Task.class));

    assertThat(e.line()).isEqualTo(1);
    assertThat(e.column()).isGreaterThan(10);
    assertThat(e.getMessage()).startsWith("line 1, column ");
  }

  @Test
  void invalidJsonSaysWhereWithLineAndColumn() {
    String json = "{\n  \"id\": \"a\",\n  \"state\": ,\n  \"name\": \"x\"\n}";

    TesJsonException e = catchThrowableOfType(TesJsonException.class, () -> TesJson.read(json, Task.class));

    assertThat(e.line()).isEqualTo(3);
    assertThat(e.column()).isEqualTo(12);
    assertThat(e.path()).isEqualTo("$");
    assertThat(e.getMessage()).startsWith("line 3, column 12: ").contains("','");
    assertThat(e.getMessage()).doesNotContain("code 44", "[Source");
  }

  @Test
  void anUnclosedDocumentSaysWhatIsOpenWithoutQuotingTheSource() {
    String json = "{\n  \"executors\": [\n    {\"image\": \"alpine\", \"command\": [\"true\"]}\n";

    TesJsonException e = catchThrowableOfType(TesJsonException.class, () -> TesJson.read(json, Task.class));

    assertThat(e.getMessage())
        .isEqualTo("line 4, column 1: the document ends before the array opened at line 2, column 16 is closed (at executors)");
  }

  @Test
  void aValueOfTheWrongTypeIsNamedByPathInPlainWords() {
    TesJsonException e =
        catchThrowableOfType(
            TesJsonException.class,
            () -> TesJson.read("{\"executors\":[{\"image\":\"a\",\"command\":\"echo hi\"}]}", Task.class));

    assertThat(e.path()).isEqualTo("executors[0].command");
    assertThat(e.getMessage())
        .isEqualTo("line 1, column 38: expected an array, found a string (\"echo hi\") (at executors[0].command)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"[]", "\"task\"", "42", "true", "{\"executors\":{}}", "{\"resources\":[1]}", "{\"tags\":{\"a\":[1]}}"})
  void messagesNameNoJavaTypes(String json) {
    TesJsonException e = catchThrowableOfType(TesJsonException.class, () -> TesJson.read(json, Task.class));

    assertThat(e.getMessage()).startsWith("line 1, column ").contains("expected ").doesNotContain("java.", "`", "io.tes4j");
  }

  @Test
  void anEmptyDocumentSaysSo() {
    TesJsonException e = catchThrowableOfType(TesJsonException.class, () -> TesJson.read("  ", Task.class));

    assertThat(e.getMessage()).contains("the document is empty");
  }

  @Test
  void anEmptyContentIsAnEmptyFileAndSurvivesARoundTrip() {
    Input empty = Input.ofContent("", "/in/empty");
    String json = TesJson.write(empty);

    assertThat(json).isEqualTo("{\"path\":\"/in/empty\",\"content\":\"\"}");
    assertThat(TesJson.read(json, Input.class).content()).isEmpty();
  }

  @Test
  void nullCollectionsBecomeEmpty() {
    Task read =
        TesJson.read(
            "{\"inputs\":null,\"outputs\":null,\"executors\":null,\"volumes\":null,\"tags\":null,\"logs\":null}",
            Task.class);
    Task built = new Task(null, null, null, null, null, null, null, null, null, null, null, null);

    for (Task task : List.of(read, built)) {
      assertThat(task.inputs()).isEmpty();
      assertThat(task.outputs()).isEmpty();
      assertThat(task.executors()).isEmpty();
      assertThat(task.volumes()).isEmpty();
      assertThat(task.tags()).isEmpty();
      assertThat(task.logs()).isEmpty();
      assertThat(task.lastLog()).isEmpty();
    }
    Executor executor = new Executor("alpine", null, null, null, null, null, null, null);
    assertThat(executor.command()).isEmpty();
    assertThat(executor.env()).isEmpty();
    Resources resources = new Resources(null, null, null, null, null, null, null);
    assertThat(resources.zones()).isEmpty();
    assertThat(resources.backendParameters()).isEmpty();
    TaskLog log = new TaskLog(null, null, null, null, null, null);
    assertThat(log.logs()).isEmpty();
    assertThat(log.metadata()).isEmpty();
    assertThat(log.outputs()).isEmpty();
    assertThat(log.systemLogs()).isEmpty();
    ServiceInfo info = new ServiceInfo(null, null, null, null, null, null, null, null, null, null, null, null, null);
    assertThat(info.storage()).isEmpty();
    assertThat(info.tesResourcesBackendParameters()).isEmpty();
  }

  @Test
  void aNullMapValueIsReadAsAnEmptyString() {
    Task task = TesJson.read("{\"tags\":{\"done\":null,\"a\":\"b\"}}", Task.class);

    assertThat(task.tags()).containsExactly(Map.entry("done", ""), Map.entry("a", "b"));
  }

  @Test
  void mapsKeepTheirOrder() {
    String json = "{\"tags\":{\"z\":\"1\",\"a\":\"2\",\"m\":\"3\"}}";

    assertThat(TesJson.write(TesJson.read(json, Task.class))).isEqualTo(json);
  }

  @Test
  void theMinimalViewOfAPageReads() {
    ListTasksResponse page =
        TesJson.read("{\"tasks\":[{\"id\":\"a\",\"state\":\"QUEUED\"}],\"next_page_token\":\"\"}", ListTasksResponse.class);

    assertThat(page.tasks()).extracting(Task::id).containsExactly("a");
    assertThat(page.nextPage()).isEmpty();
  }

  @Test
  void newMapperGivesAFreshMapperWithTheSameConfiguration() {
    var first = TesJson.newMapper();
    var second = TesJson.newMapper();

    assertThat(first).isNotSameAs(second);
    assertThat(TesJson.reader()).isSameAs(TesJson.reader());
    assertThat(TesJson.writer()).isSameAs(TesJson.writer());
    first.enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    // Reconfiguring one caller's mapper changes nothing for TesJson itself.
    assertThat(TesJson.read("{\"x\":1}", Task.class)).isEqualTo(Task.builder().build());
  }
}
