package io.tes4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code example} values of the TES 1.1 OpenAPI file, transcribed as written, read: including
 * its odd ones ({@code zones} as a single string, {@code size_bytes} as a one-element list, a
 * number in {@code metadata}), since mock servers generated from the spec answer with them.
 */
class SpecExamplesTest {

  /** A task assembled from the examples of tesTask and every schema it nests. */
  static final String TASK_FROM_EXAMPLES =
      """
      {
        "id": "job-0012345",
        "state": "COMPLETE",
        "inputs": [{ "url" : "s3://my-object-store/file1", "path" : "/data/file1" }],
        "outputs": [{ "path" : "/data/outfile", "url" : "s3://my-object-store/outfile-1", "type": "FILE" }],
        "resources": {
          "cpu_cores": 4,
          "preemptible": false,
          "ram_gb": 8,
          "disk_gb": 40,
          "zones": "us-west-1",
          "backend_parameters": { "VmSize" : "Standard_D64_v3" },
          "backend_parameters_strict": false
        },
        "executors": [{
          "image": "ubuntu:20.04",
          "command": ["/bin/md5", "/data/file1"],
          "workdir": "/data/",
          "stdin": "/data/file1",
          "stdout": "/tmp/stdout.log",
          "stderr": "/tmp/stderr.log",
          "env": { "BLASTDB" : "/data/GRC38", "HMMERDB" : "/data/hmmer" }
        }],
        "volumes": ["/vol/A/"],
        "tags": { "WORKFLOW_ID" : "cwl-01234", "PROJECT_GROUP" : "alice-lab" },
        "logs": [{
          "logs": [{ "start_time": "2020-10-02T10:00:00-05:00", "end_time": "2020-10-02T11:00:00-05:00", "exit_code": 0 }],
          "metadata": { "host": "worker-001", "slurmm_id": 123456 },
          "start_time": "2020-10-02T10:00:00-05:00",
          "end_time": "2020-10-02T11:00:00-05:00",
          "outputs": [{ "url": "s3://bucket/file.txt", "path": "/data/outfile", "size_bytes": ["1024"] }]
        }],
        "creation_time": "2020-10-02T10:00:00-05:00"
      }
      """;

  /** The examples written in the descriptions of tesExecutor's fields. */
  static final String EXECUTOR_DESCRIPTION_EXAMPLES =
      """
      {"executors": [
        { "image": "ubuntu", "command" : ["/bin/md5"], "stdin" : "/data/file1" },
        { "image": "quay.io/aptible/ubuntu", "command" : ["/bin/md5", "/data/file1"], "stdout" : "/tmp/stdout.log" },
        { "image": "gcr.io/my-org/my-image", "command" : ["true"], "stderr" : "/tmp/stderr.log" },
        { "image": "myregistryhost:5000/fedora/httpd:version1.0", "command" : ["true"],
          "env" : { "ENV_CONFIG_PATH" : "/data/config.file", "BLASTDB" : "/data/GRC38", "HMMERDB" : "/data/hmmer" } }
      ]}
      """;

  @Test
  void theTaskExamplesRead() {
    Task task = TesJson.read(TASK_FROM_EXAMPLES, Task.class);

    assertThat(task.id()).isEqualTo("job-0012345");
    assertThat(task.state()).isEqualTo(State.COMPLETE);
    assertThat(task.inputs()).containsExactly(Input.ofUrl("s3://my-object-store/file1", "/data/file1"));
    assertThat(task.outputs())
        .containsExactly(
            Output.builder().path("/data/outfile").url("s3://my-object-store/outfile-1").type(FileType.FILE).build());
    assertThat(task.resources())
        .isEqualTo(
            Resources.builder()
                .cpuCores(4.0)
                .preemptible(false)
                .ramGb(8.0)
                .diskGb(40.0)
                .zones("us-west-1")
                .backendParameter("VmSize", "Standard_D64_v3")
                .backendParametersStrict(false)
                .build());
    Executor executor = task.executors().get(0);
    assertThat(executor.image()).isEqualTo("ubuntu:20.04");
    assertThat(executor.command()).containsExactly("/bin/md5", "/data/file1");
    assertThat(executor.workdir()).isEqualTo("/data/");
    assertThat(executor.stdin()).isEqualTo("/data/file1");
    assertThat(executor.stdout()).isEqualTo("/tmp/stdout.log");
    assertThat(executor.stderr()).isEqualTo("/tmp/stderr.log");
    assertThat(executor.env()).containsExactly(Map.entry("BLASTDB", "/data/GRC38"), Map.entry("HMMERDB", "/data/hmmer"));
    assertThat(task.volumes()).containsExactly("/vol/A/");
    assertThat(task.tags()).containsExactly(Map.entry("WORKFLOW_ID", "cwl-01234"), Map.entry("PROJECT_GROUP", "alice-lab"));
    assertThat(task.creationTime()).isEqualTo("2020-10-02T10:00:00-05:00");
  }

  @Test
  void theLogExamplesReadIncludingTheirOddTypes() {
    TaskLog log = TesJson.read(TASK_FROM_EXAMPLES, Task.class).lastLog().orElseThrow();

    assertThat(log.metadata()).containsEntry("host", "worker-001").containsEntry("slurmm_id", "123456");
    assertThat(log.startTime()).isEqualTo("2020-10-02T10:00:00-05:00");
    assertThat(log.endTime()).isEqualTo("2020-10-02T11:00:00-05:00");
    assertThat(log.outputs()).containsExactly(OutputFileLog.of("s3://bucket/file.txt", "/data/outfile", 1024));
    assertThat(log.logs().get(0).startTime()).isEqualTo("2020-10-02T10:00:00-05:00");
    assertThat(log.logs().get(0).endTime()).isEqualTo("2020-10-02T11:00:00-05:00");
  }

  @Test
  void theTaskExamplesMakeAValidTask() {
    assertThat(TaskValidator.validate(TesJson.read(TASK_FROM_EXAMPLES, Task.class))).isEmpty();
  }

  @Test
  void theExecutorDescriptionExamplesReadAndAreValid() {
    Task task = TesJson.read(EXECUTOR_DESCRIPTION_EXAMPLES, Task.class);

    assertThat(task.executors()).hasSize(4);
    assertThat(task.executors().get(0).stdin()).isEqualTo("/data/file1");
    assertThat(task.executors().get(3).env()).containsKeys("ENV_CONFIG_PATH", "BLASTDB", "HMMERDB");
    assertThat(TaskValidator.validateJson(EXECUTOR_DESCRIPTION_EXAMPLES)).isEmpty();
  }

  @Test
  void theServiceInfoExamplesRead() {
    String json =
        """
        {
          "id": "org.ga4gh.myservice",
          "name": "My project",
          "type": { "group": "org.ga4gh", "artifact": "tes", "version": "1.1.0" },
          "description": "This service provides...",
          "organization": { "name": "My organization", "url": "https://example.com" },
          "contactUrl": "mailto:support@example.com",
          "documentationUrl": "https://docs.myservice.example.com",
          "createdAt": "2019-06-04T12:58:19Z",
          "updatedAt": "2019-06-04T12:58:19Z",
          "environment": "test",
          "version": "1.0.0",
          "storage": ["file:///path/to/local/funnel-storage", "s3://ohsu-compbio-funnel/storage"],
          "tesResources_backend_parameters": ["VmSize"]
        }
        """;

    ServiceInfo info = TesJson.read(json, ServiceInfo.class);

    assertThat(info.type()).isEqualTo(ServiceInfo.ServiceType.TES_1_1);
    assertThat(info.organization()).isEqualTo(new ServiceInfo.Organization("My organization", "https://example.com"));
    assertThat(info.contactUrl()).isEqualTo("mailto:support@example.com");
    assertThat(info.createdAt()).isEqualTo("2019-06-04T12:58:19Z");
    assertThat(info.storage())
        .containsExactly("file:///path/to/local/funnel-storage", "s3://ohsu-compbio-funnel/storage");
    assertThat(info.tesResourcesBackendParameters()).containsExactly("VmSize");
  }

  @Test
  void theCreateAndCancelExamplesRead() {
    assertThat(TesJson.read("{\"id\": \"job-0012345\"}", CreateTaskResponse.class).id()).isEqualTo("job-0012345");
    assertThat(TesJson.read("{}", CancelTaskResponse.class)).isEqualTo(new CancelTaskResponse());
  }
}
