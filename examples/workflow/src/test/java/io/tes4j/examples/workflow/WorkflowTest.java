package io.tes4j.examples.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.api.TesClient;
import io.tes4j.examples.workflow.Workflow.Status;
import io.tes4j.examples.workflow.Workflow.Step;
import io.tes4j.examples.workflow.Workflow.StepResult;
import io.tes4j.model.Input;
import io.tes4j.model.Task;
import io.tes4j.testing.MockBackend;
import io.tes4j.testing.Outcome;
import io.tes4j.testing.TesExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class WorkflowTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @RegisterExtension TesExtension tes = TesExtension.mock();

  @Test
  void theDiamondRunsOnTheHostAndMergesBothAnalyses(@TempDir Path dir) throws Exception {
    Path source = Files.writeString(dir.resolve("source.txt"), "The fox and the dog\nThe end and the start\n");
    Path storage = dir.resolve("storage");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();

    int code = WorkflowMain.run(
        new String[] {"local:?runtime=host", storage.toUri().toString(), source.toUri().toString()},
        new PrintStream(printed, true, StandardCharsets.UTF_8));

    String summary = printed.toString(StandardCharsets.UTF_8);
    assertThat(code).as(summary).isZero();
    // Every intermediate file went through the storage, and the report merges both branches.
    assertThat(storage.resolve("fetch/text.txt")).hasContent("the fox and the dog\nthe end and the start");
    assertThat(storage.resolve("merge/report.txt")).hasContent("lines: 2\nwords: 10\nthe: 4\nand: 2");
    assertThat(summary).contains("report: " + storage.toUri() + "merge/report.txt");
    assertThat(summary.lines().filter(line -> line.contains(" COMPLETE "))).hasSize(4);
  }

  @Test
  void aFailedStepSkipsTheStepsAfterItAndTheOthersGoOn(MockBackend mock, @TempDir Path dir) throws Exception {
    mock.onTag("step", "count", Outcome.fail(2).withStderr("wc: read error"));
    String storage = dir.toUri().toString();

    Map<String, StepResult> results =
        WorkflowMain.diamond("file:///data/source.txt").run(tes.client(), storage, WAIT);

    assertThat(results.get("fetch").status()).isEqualTo(Status.COMPLETE);
    assertThat(results.get("count").status()).isEqualTo(Status.FAILED);
    assertThat(results.get("count").detail()).contains("EXECUTOR_ERROR", "exit code 2: wc: read error");
    assertThat(results.get("top-words").status()).isEqualTo(Status.COMPLETE);
    assertThat(results.get("merge").status()).isEqualTo(Status.SKIPPED);
    assertThat(results.get("merge").detail()).contains("count");
    assertThat(results.get("merge").task()).isNull();
    // merge never reached the backend; count read what fetch wrote, through the storage.
    assertThat(mock.received()).extracting(Task::name).containsExactly("demo-fetch", "demo-count", "demo-top-words")
        .doesNotContain("demo-merge");
    Task count = mock.received().get(1);
    assertThat(count.inputs()).singleElement().satisfies(input -> {
      assertThat(input.url()).isEqualTo(storage + "fetch/text.txt");
      assertThat(input.path()).isEqualTo("/in/fetch/text.txt");
    });
  }

  @Test
  void independentStepsRunAtOnceAndAStepWaitsForAllItComesAfter(MockBackend mock, @TempDir Path dir)
      throws Exception {
    mock.onTag("step", "count", Outcome.hang()); // count runs until the test ends it
    TesClient client = tes.client();
    CompletableFuture<Map<String, StepResult>> run = CompletableFuture.supplyAsync(() -> {
      try {
        return WorkflowMain.diamond("file:///data/source.txt").run(client, dir.toUri().toString(), WAIT);
      } catch (InterruptedException e) {
        throw new CompletionException(e);
      }
    });

    assertThat(mock.take(WAIT).name()).isEqualTo("demo-fetch");
    Task first = mock.take(WAIT);
    Task second = mock.take(WAIT);
    // Both analyses were submitted while count was still running.
    assertThat(Set.of(first.name(), second.name())).containsExactlyInAnyOrder("demo-count", "demo-top-words");
    Task count = first.name().equals("demo-count") ? first : second;
    Task topWords = first == count ? second : first;
    assertThat(client.await(topWords.id(), WAIT).state()).hasToString("COMPLETE");
    Thread.sleep(200); // time for a wrong coordinator to submit merge early
    assertThat(mock.received()).extracting(Task::name).doesNotContain("demo-merge");

    mock.finish(count.id(), Outcome.complete());

    assertThat(mock.take(WAIT).name()).isEqualTo("demo-merge");
    assertThat(run.get(WAIT.toSeconds(), TimeUnit.SECONDS).values())
        .extracting(StepResult::status).containsOnly(Status.COMPLETE);
  }

  @Test
  void aGraphWithACycleOrAnUnknownStepIsRefused() {
    Step a = new Step("a", List.of("b"), List.of(), "true", List.of());
    Step b = new Step("b", List.of("a"), List.of(), "true", List.of());
    Step c = new Step("c", List.of("nowhere"), List.of(Input.ofContent("x", "/in/x")), "true", List.of());

    assertThatThrownBy(() -> new Workflow("w", "alpine:3.20", List.of(a, b)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cycle");
    assertThatThrownBy(() -> new Workflow("w", "alpine:3.20", List.of(c)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nowhere");
  }
}
