package io.tes4j.client;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.tes4j.api.ListTasksRequest;
import io.tes4j.model.Executor;
import io.tes4j.model.ExecutorLog;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.TaskLog;
import io.tes4j.model.View;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Answers shaped like those of real servers (Funnel, TESK, TESP API): camelCase names, extra
 * fields, missing optional fields, nulls inside lists, empty next-page tokens, another base path.
 */
class RealServerAnswersTest {
  @RegisterExtension static WireMockExtension wm = Fixtures.wireMock();

  /** Funnel (grpc-gateway) in its camelCase form, with fields the spec does not have. */
  private static final String FUNNEL_FULL_TASK =
      """
      {
        "id": "cd2hqnuhjel0o8d4lc5g",
        "state": "COMPLETE",
        "name": "md5 of a file",
        "description": "",
        "inputs": [{"name": "", "description": "", "url": "s3://bucket/in.txt", "path": "/in/in.txt",
                    "type": "FILE", "content": "", "streamable": false}],
        "outputs": [{"url": "s3://bucket/out.txt", "path": "/out/out.txt", "type": "FILE", "pathPrefix": ""}],
        "resources": {"cpuCores": 1, "preemptible": false, "ramGb": 1.5, "diskGb": 10, "zones": [],
                      "backendParameters": {}, "backendParametersStrict": false},
        "executors": [{"image": "ubuntu:24.04", "command": ["md5sum", "/in/in.txt"], "workdir": "",
                       "stdin": "", "stdout": "/out/out.txt", "stderr": "", "env": {}, "ignoreError": false}],
        "volumes": [],
        "tags": {"project": "demo"},
        "logs": [{
          "logs": [{"startTime": "2026-11-22T10:00:05.123456789Z", "endTime": "2026-11-22T10:00:06Z",
                    "stdout": "d41d8cd98f00b204e9800998ecf8427e  /in/in.txt\\n", "stderr": "",
                    "exitCode": 0}],
          "metadata": {"hostname": "worker-3"},
          "startTime": "2026-11-22T10:00:04Z",
          "endTime": "2026-11-22T10:00:07Z",
          "outputs": [{"url": "s3://bucket/out.txt", "path": "/out/out.txt", "sizeBytes": "46"}],
          "systemLogs": ["level='info' msg='Starting task'"]
        }],
        "creationTime": "2026-11-22T10:00:00.5Z",
        "funnelWorker": {"version": "0.11.1"}
      }
      """;

  @Test
  void funnelCamelCaseTaskWithExtraFieldsIsReadCompletely() {
    wm.stubFor(
        get(urlPathEqualTo(Fixtures.BASE + "/tasks/cd2hqnuhjel0o8d4lc5g"))
            .willReturn(okJson(FUNNEL_FULL_TASK)));

    try (TesHttpClient client = Fixtures.client(wm).build()) {
      Task task = client.getTask("cd2hqnuhjel0o8d4lc5g");

      assertThat(task.state()).isEqualTo(State.COMPLETE);
      assertThat(task.resources().cpuCores()).isEqualTo(1.0);
      assertThat(task.resources().ramGb()).isEqualTo(1.5);
      assertThat(task.creationTime()).isEqualTo("2026-11-22T10:00:00.5Z");
      TaskLog attempt = task.lastLog().orElseThrow();
      assertThat(attempt.startTime()).isEqualTo("2026-11-22T10:00:04Z");
      assertThat(attempt.metadata()).containsEntry("hostname", "worker-3");
      assertThat(attempt.systemLogs()).containsExactly("level='info' msg='Starting task'");
      assertThat(attempt.outputs().get(0).sizeBytes()).isEqualTo(46L);
      ExecutorLog executor = attempt.logs().get(0);
      assertThat(executor.exitCode()).isZero();
      assertThat(executor.startTime()).isEqualTo("2026-11-22T10:00:05.123456789Z");
      assertThat(executor.stdout()).startsWith("d41d8cd98f00b204e9800998ecf8427e");
    }
  }

  @Test
  void funnelListingWithMinimalTasksAndAnEmptyTokenOnTheLastPageEnds() {
    wm.stubFor(
        get(urlEqualTo(Fixtures.BASE + "/tasks?view=MINIMAL"))
            .willReturn(
                okJson(
                    "{\"tasks\": [{\"id\": \"a1\", \"state\": \"RUNNING\"}, {\"id\": \"a2\","
                        + " \"state\": \"QUEUED\"}], \"nextPageToken\": \"a2\"}")));
    wm.stubFor(
        get(urlEqualTo(Fixtures.BASE + "/tasks?page_token=a2&view=MINIMAL"))
            .willReturn(
                okJson(
                    "{\"tasks\": [{\"id\": \"a3\", \"state\": \"SYSTEM_ERROR\"}],"
                        + " \"next_page_token\": \"\"}")));

    try (TesHttpClient client = Fixtures.client(wm).build()) {
      List<Task> tasks = client.streamTasks(ListTasksRequest.all()).collect(Collectors.toList());

      assertThat(tasks).extracting(Task::id).containsExactly("a1", "a2", "a3");
      assertThat(tasks)
          .extracting(Task::state)
          .containsExactly(State.RUNNING, State.QUEUED, State.SYSTEM_ERROR);
      assertThat(tasks.get(0).executors()).isEmpty();
      assertThat(tasks.get(0).logs()).isEmpty();
    }
    wm.verify(2, getRequestedFor(urlPathEqualTo(Fixtures.BASE + "/tasks")));
  }

  @Test
  void teskRunningTaskWithNullSystemLogsAndNoExitCodeYetIsRead() {
    String tesk =
        """
        {
          "id": "task-5f2b1c3d",
          "state": "RUNNING",
          "name": "bwa mem",
          "inputs": [{"url": "ftp://ftp.example.org/ref.fa", "path": "/data/ref.fa", "type": "FILE"}],
          "outputs": [{"url": "s3://results/out.sam", "path": "/data/out.sam", "type": "FILE"}],
          "resources": {"cpu_cores": 4, "ram_gb": 8.0, "disk_gb": 50.0, "preemptible": false},
          "executors": [{"image": "biocontainers/bwa:0.7.17", "command": ["bwa", "mem", "/data/ref.fa"],
                         "workdir": "/data"}],
          "logs": [{
            "logs": [{"start_time": "2026-11-22T09:59:00Z", "stdout": "", "stderr": ""}],
            "start_time": "2026-11-22T09:58:30Z",
            "system_logs": [null],
            "outputs": null
          }],
          "creation_time": "2026-11-22T09:58:00Z"
        }
        """;
    wm.stubFor(
        get(urlPathEqualTo(Fixtures.BASE + "/tasks/task-5f2b1c3d")).willReturn(okJson(tesk)));

    try (TesHttpClient client = Fixtures.client(wm).build()) {
      Task task = client.getTask("task-5f2b1c3d");

      assertThat(task.state()).isEqualTo(State.RUNNING);
      TaskLog attempt = task.lastLog().orElseThrow();
      assertThat(attempt.systemLogs()).isEmpty();
      assertThat(attempt.outputs()).isEmpty();
      assertThat(attempt.logs().get(0).exitCode()).isNull();
      assertThat(attempt.logs().get(0).endTime()).isNull();
      assertThat(task.resources().diskGb()).isEqualTo(50.0);
    }
  }

  @Test
  void tespApiUnderItsV1BaseWithExtraFieldsWorksEndToEnd() {
    String base = "/v1";
    wm.stubFor(
        get(base + "/service-info")
            .willReturn(
                okJson(
                    """
                    {"id": "cz.cesnet.tesp-api", "name": "TESP API", "type": {"group": "org.ga4gh",
                     "artifact": "tes", "version": "1.1.0"}, "organization": {"name": "CESNET",
                     "url": "https://www.cesnet.cz"}, "version": "0.2.0", "doc": "/docs",
                     "storage": ["ftp://ftp.example.org"], "extra": {"pulsar": "http://pulsar:8913"}}
                    """)));
    wm.stubFor(post(base + "/tasks").willReturn(okJson("{\"id\": \"6745f2a1b3c4d5e6f7a8b9c0\"}")));
    wm.stubFor(
        get(urlPathEqualTo(base + "/tasks/6745f2a1b3c4d5e6f7a8b9c0"))
            .willReturn(
                okJson(
                    """
                    {"id": "6745f2a1b3c4d5e6f7a8b9c0", "state": "EXECUTOR_ERROR", "name": null,
                     "executors": [{"image": "alpine", "command": ["false"], "env": null}],
                     "logs": [{"logs": [{"exit_code": 1, "stdout": "", "stderr": "boom",
                                          "start_time": "2026-11-22T10:00:00+00:00"}],
                               "outputs": [], "metadata": {"pulsar_job_id": "17"}}],
                     "creation_time": "2026-11-22T10:00:00+00:00", "_id": {"$oid": "6745f2a1b3c4d5e6f7a8b9c0"}}
                    """)));

    try (TesHttpClient client =
        Fixtures.client(wm).baseUrl("http://127.0.0.1:" + wm.getPort() + base).build()) {
      assertThat(client.serviceInfo().name()).isEqualTo("TESP API");
      String id =
          client.createTask(Task.builder().addExecutor(Executor.of("alpine", "false")).build());
      Task task = client.getTask(id);

      assertThat(task.state()).isEqualTo(State.EXECUTOR_ERROR);
      assertThat(task.state().isFailure()).isTrue();
      assertThat(task.name()).isNull();
      assertThat(task.executors().get(0).env()).isEmpty();
      assertThat(task.lastLog().orElseThrow().logs().get(0).exitCode()).isEqualTo(1);
      assertThat(task.lastLog().orElseThrow().logs().get(0).stderr()).isEqualTo("boom");
    }
    wm.verify(getRequestedFor(urlEqualTo(base + "/service-info")));
    wm.verify(postRequestedFor(urlEqualTo(base + "/tasks")));
    wm.verify(getRequestedFor(urlEqualTo(base + "/tasks/6745f2a1b3c4d5e6f7a8b9c0?view=FULL")));
  }

  @Test
  void anUnknownStateFromANewerServerReadsAsUnknown() {
    wm.stubFor(
        get(urlPathEqualTo(Fixtures.BASE + "/tasks/x"))
            .willReturn(okJson("{\"id\": \"x\", \"state\": \"HIBERNATING\"}")));

    try (TesHttpClient client = Fixtures.client(wm).build()) {
      assertThat(client.getTask("x", View.MINIMAL).state()).isEqualTo(State.UNKNOWN);
    }
  }
}
