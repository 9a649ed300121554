package io.tes4j.model;

import java.util.List;
import java.util.Map;

/** Documents with every field set, shared by the tests. */
final class Fixtures {
  private Fixtures() {}

  /** The smallest task that may be submitted. */
  static Task minimalTask() {
    return Task.builder().addExecutor(Executor.of("alpine:3.20", "echo", "hello")).build();
  }

  /**
   * A task with every field of every nested object set, as a server would return it in the FULL
   * view. It is valid to submit: the server-filled fields are not errors.
   */
  static Task fullTask() {
    return Task.builder()
        .id("job-0012345")
        .state(State.COMPLETE)
        .name("align")
        .description("aligns reads")
        .addInput(
            Input.builder()
                .name("script")
                .description("the script to run")
                .path("/in/run.sh")
                .type(FileType.FILE)
                .content("echo hi\n")
                .streamable(false)
                .build())
        .addInput(
            Input.builder()
                .name("reads")
                .description("the reads")
                .url("s3://bucket/reads.fq")
                .path("/in/reads.fq")
                .type(FileType.FILE)
                .streamable(true)
                .build())
        .addOutput(
            Output.builder()
                .name("texts")
                .description("every text file")
                .url("s3://bucket/out/")
                .path("/work/*.txt")
                .pathPrefix("/work")
                .type(FileType.FILE)
                .build())
        .resources(
            Resources.builder()
                .cpuCores(4.0)
                .preemptible(true)
                .ramGb(8.0)
                .diskGb(40.0)
                .zones("us-west-1", "us-west-2")
                .backendParameter("VmSize", "Standard_D64_v3")
                .backendParametersStrict(true)
                .build())
        .addExecutor(
            Executor.builder()
                .image("ubuntu:20.04")
                .command("/bin/md5", "/data/file1")
                .workdir("/data/")
                .stdin("/data/file1")
                .stdout("/tmp/stdout.log")
                .stderr("/tmp/stderr.log")
                .env("BLASTDB", "/data/GRC38")
                .ignoreError(true)
                .build())
        .volumes("/vol/A/")
        .tag("WORKFLOW_ID", "cwl-01234")
        .tag("PROJECT_GROUP", "alice-lab")
        .addLog(
            TaskLog.builder()
                .addLog(
                    ExecutorLog.builder()
                        .startTime("2020-10-02T10:00:00-05:00")
                        .endTime("2020-10-02T11:00:00-05:00")
                        .stdout("d41d8cd98f00b204e9800998ecf8427e /data/file1\n")
                        .stderr("")
                        .exitCode(0)
                        .build())
                .metadata("host", "worker-001")
                .startTime("2020-10-02T10:00:00-05:00")
                .endTime("2020-10-02T11:00:00-05:00")
                .addOutput(OutputFileLog.of("s3://bucket/out/a.txt", "/work/a.txt", 1024))
                .addSystemLog("ran on worker-001")
                .build())
        .creationTime("2020-10-02T10:00:00-05:00")
        .build();
  }

  /** A service info with every field set. */
  static ServiceInfo fullServiceInfo() {
    return ServiceInfo.builder()
        .id("org.example.tes")
        .name("Example TES")
        .type(ServiceInfo.ServiceType.TES_1_1)
        .description("runs tasks")
        .organization("Example", "https://example.org")
        .contactUrl("mailto:support@example.org")
        .documentationUrl("https://docs.example.org")
        .createdAt("2024-01-02T03:04:05Z")
        .updatedAt("2024-02-03T04:05:06Z")
        .environment("test")
        .version("1.2.3")
        .storage(List.of("file:///data/", "s3://bucket/"))
        .tesResourcesBackendParameters(List.of("VmSize"))
        .build();
  }

  /** A page of tasks with a next page. */
  static ListTasksResponse fullListTasksResponse() {
    return new ListTasksResponse(
        List.of(fullTask(), new Task("t2", State.RUNNING, null, null, null, null, null, null, null,
            Map.of(), null, null)),
        "page-2");
  }
}
