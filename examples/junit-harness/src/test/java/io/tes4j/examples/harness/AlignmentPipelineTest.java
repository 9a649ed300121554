package io.tes4j.examples.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.tes4j.api.TesClient;
import io.tes4j.examples.harness.AlignmentPipeline.Aligned;
import io.tes4j.examples.harness.AlignmentPipeline.Cancelled;
import io.tes4j.examples.harness.AlignmentPipeline.Failed;
import io.tes4j.examples.harness.AlignmentPipeline.Result;
import io.tes4j.model.FileType;
import io.tes4j.model.Input;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.testing.MockBackend;
import io.tes4j.testing.Outcome;
import io.tes4j.testing.TesExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline against a real engine over {@link MockBackend}: each test scripts how the backend
 * ends the tasks ({@link Outcome}), then checks what the pipeline made of it and which tasks it sent.
 */
class AlignmentPipelineTest {
  private static final String READS = "s3://lab-data/runs/42/NA12878.fq.gz";
  private static final String REFERENCE = "s3://lab-data/references/GRCh38/";
  private static final Duration WAIT = Duration.ofSeconds(10);

  // An instance field: a new engine and mock for each test. Tasks end as soon as they start.
  @RegisterExtension final TesExtension tes = TesExtension.mock().delay(Duration.ZERO);

  @TempDir Path results;

  private AlignmentPipeline pipeline(TesClient client) {
    return new AlignmentPipeline(client, WAIT, 3);
  }

  private Result align(TesClient client) {
    return pipeline(client).align("NA12878", READS, REFERENCE, results.toUri().toString());
  }

  @Test
  void aCompleteTaskIsAnAlignedSampleWithItsSize(TesClient client, MockBackend mock) {
    // The mock writes the executor's file to the output's file: URL and logs its size.
    mock.enqueue(Outcome.complete().withFile("/out/NA12878.sam", "@HD\tVN:1.6\tSO:unsorted\n"));

    Result result = align(client);

    String sam = results.resolve("NA12878.sam").toUri().toString();
    assertThat(result).isEqualTo(new Aligned(sam, 23, 1));
    assertThat(results.resolve("NA12878.sam")).hasContent("@HD\tVN:1.6\tSO:unsorted");
    // What the pipeline asked for: one task, with its inputs, output, resources and tags.
    Task sent = mock.take(WAIT);
    assertThat(sent.name()).isEqualTo("align-NA12878");
    assertThat(sent.tags()).containsEntry("pipeline", "alignment").containsEntry("sample", "NA12878");
    assertThat(sent.inputs()).extracting(Input::url, Input::path)
        .containsExactly(tuple(READS, "/data/reads.fq.gz"),
            tuple(REFERENCE, "/ref"));
    assertThat(sent.inputs().get(1).type()).isEqualTo(FileType.DIRECTORY);
    assertThat(sent.outputs()).singleElement().satisfies(o -> assertThat(o.url()).isEqualTo(sam));
    assertThat(sent.executors()).singleElement().satisfies(e -> {
      assertThat(e.image()).isEqualTo(AlignmentPipeline.IMAGE);
      assertThat(String.join(" ", e.command())).contains("bwa mem -t 4 /ref/genome.fa /data/reads.fq.gz");
    });
    assertThat(sent.resources().cpuCores()).isEqualTo(4.0);
    assertThat(mock.received()).hasSize(1);
  }

  @Test
  void anExecutorErrorFailsAtOnceWithTheToolsMessage(TesClient client, MockBackend mock) {
    mock.enqueue(Outcome.fail(1).withStderr("[M::bwa_idx_load] loading the index\n"
        + "[E::bwa_idx_load_from_disk] fail to locate the index files\n"));

    Result result = align(client);

    assertThat(result).isEqualTo(new Failed(
        "bwa failed with exit code 1: [E::bwa_idx_load_from_disk] fail to locate the index files", 1));
    assertThat(mock.received()).as("the same input fails the same way: no retry").hasSize(1);
  }

  @Test
  void aSystemErrorIsTriedAgain(TesClient client, MockBackend mock) {
    mock.enqueue(Outcome.systemError("node lost"), Outcome.preempted(), Outcome.complete());

    Result result = align(client);

    assertThat(result).isInstanceOfSatisfying(Aligned.class, a -> assertThat(a.attempts()).isEqualTo(3));
    assertThat(mock.received()).hasSize(3).extracting(Task::name).containsOnly("align-NA12878");
  }

  @Test
  void systemErrorsEveryTimeGiveUpAfterTheLastAttempt(TesClient client, MockBackend mock) {
    mock.defaultOutcome(Outcome.systemError("no space left on device"));

    Result result = align(client);

    assertThat(result).isInstanceOfSatisfying(Failed.class, f -> {
      assertThat(f.attempts()).isEqualTo(3);
      assertThat(f.reason()).startsWith("gave up after 3 attempts").contains("SYSTEM_ERROR", "no space left on device");
    });
    assertThat(mock.received()).hasSize(3);
  }

  @Test
  void aTaskThatTakesTooLongIsCancelled(TesClient client, MockBackend mock) {
    mock.enqueue(Outcome.hang()); // runs until cancelled

    Result result = new AlignmentPipeline(client, Duration.ofMillis(200), 3)
        .align("NA12878", READS, REFERENCE, results.toUri().toString());

    assertThat(result).isInstanceOf(Cancelled.class);
    String id = ((Cancelled) result).taskId();
    assertThat(mock.cancelled()).containsExactly(id);
    Task task = client.await(id, WAIT);
    assertThat(task.state()).isEqualTo(State.CANCELED);
    assertThat(task.lastLog().orElseThrow().logs().get(0).exitCode()).isEqualTo(143); // SIGTERM
  }

  @Test
  void aTaskCancelledBySomeoneElseIsReportedSo(TesClient client, MockBackend mock) throws Exception {
    mock.enqueue(Outcome.hang());
    CompletableFuture<Result> result = CompletableFuture.supplyAsync(() -> align(client));

    Task running = mock.take(WAIT); // the pipeline's task reached the backend
    client.cancelTask(running.id()); // e.g. an operator, with tes4j cancel ID

    assertThat(result.get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .isEqualTo(new Cancelled(running.id(), "cancelled by someone else"));
    assertThat(mock.received()).as("a cancel is not retried").hasSize(1);
  }
}
