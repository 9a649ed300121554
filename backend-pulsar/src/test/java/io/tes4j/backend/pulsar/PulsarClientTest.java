package io.tes4j.backend.pulsar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.api.BackendException;
import io.tes4j.backend.pulsar.internal.JobLayout;
import io.tes4j.backend.pulsar.internal.PulsarClient;
import io.tes4j.backend.pulsar.internal.PulsarStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PulsarClient} against {@link FakePulsar}: the protocol's rules and quirks. */
class PulsarClientTest {
  private static final String TOKEN = "t0ken&with=odd chars";

  @TempDir Path work;
  private FakePulsar pulsar;

  @AfterEach
  void stop() {
    if (pulsar != null) {
      pulsar.close();
    }
  }

  private PulsarClient client(String token, int attempts) throws Exception {
    pulsar = FakePulsar.builder(work.resolve("staging")).privateToken(TOKEN).start();
    return new PulsarClient(pulsar.baseUrl(), "_default_", token, Duration.ofSeconds(10),
        new PulsarClient.Retry(attempts, Duration.ofMillis(10), Duration.ofMillis(50)), HttpClient.newHttpClient());
  }

  private PulsarStatus awaitEnd(PulsarClient client, String jobId) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(20);
    while (Instant.now().isBefore(deadline)) {
      PulsarStatus status = client.status(jobId);
      if (status.ended()) {
        return status;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("job " + jobId + " did not end in 20 s");
  }

  @Test
  void runsAJobThroughEveryRouteWithTheTokenInTheQuery() throws Exception {
    PulsarClient client = client(TOKEN, 1);
    assertThat(client.version()).isEqualTo(FakePulsar.VERSION);
    JobLayout layout = client.setup("job-1");
    assertThat(layout.jobId()).isEqualTo("job-1");
    assertThat(layout.inputsDirectory()).isEqualTo(pulsar.jobDirectory("job-1").resolve("inputs").toString());

    Path input = Files.writeString(work.resolve("in.txt"), "from a file\n");
    client.upload("job-1", "data/in.txt", "input", input);
    client.upload("job-1", "note.txt", "metadata", "from memory\n".getBytes(StandardCharsets.UTF_8));
    client.submit("job-1", "cat ../inputs/data/in.txt ../metadata/note.txt > ../outputs/out.txt; echo done; exit 3", null, null);

    PulsarStatus status = awaitEnd(client, "job-1");
    assertThat(status.status()).isEqualTo("complete");
    assertThat(status.returnCode()).isEqualTo(3);
    assertThat(status.jobStdout()).isEqualTo("done\n");
    assertThat(status.outputsContents()).contains("out.txt");
    assertThat(new String(client.download("job-1", "out.txt", "output"), StandardCharsets.UTF_8))
        .isEqualTo("from a file\nfrom memory\n");
    Path copy = work.resolve("copies/out.txt");
    client.download("job-1", "out.txt", "output", copy);
    assertThat(copy).hasContent("from a file\nfrom memory\n");

    client.clean("job-1");
    assertThat(client.status("job-1").status()).isEqualTo("lost");
    assertThat(pulsar.requests()).isNotEmpty().allSatisfy(r -> assertThat(r.parameter("private_token")).isEqualTo(TOKEN));
    assertThat(client.calls()).isEqualTo(pulsar.requests().size());
  }

  @Test
  void aWrongTokenFailsAtOnceWithoutShowingIt() throws Exception {
    PulsarClient client = client("not-the-token", 5);
    assertThatThrownBy(() -> client.setup("job-2"))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("401")
        .hasMessageContaining("private_token")
        .hasMessageNotContaining("not-the-token")
        .satisfies(e -> assertThat(((BackendException) e).retryable()).isFalse());
    assertThat(pulsar.requests()).hasSize(1);
  }

  @Test
  void errorsAndDroppedConnectionsAreRetriedThenReported() throws Exception {
    PulsarClient client = client(TOKEN, 4);
    pulsar.failNext(2);
    pulsar.dropNext(1);
    assertThat(client.setup("job-3").jobId()).isEqualTo("job-3");
    assertThat(client.calls()).isEqualTo(4);

    pulsar.failNext(4);
    assertThatThrownBy(() -> client.status("job-3"))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("status of job job-3")
        .hasMessageContaining("HTTP 500")
        .hasMessageNotContaining(TOKEN)
        .satisfies(e -> assertThat(((BackendException) e).retryable()).isTrue());
  }

  @Test
  void aSubmitOfAJobNeverSetUpIsADroppedConnectionUnlessItCarriesSetupParams() throws Exception {
    PulsarClient client = client(TOKEN, 1);
    assertThatThrownBy(() -> client.submit("never", "true", null, null))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("no answer");
    client.submit("one-shot", "echo one-shot", Map.of("job_id", "one-shot"), null);
    assertThat(awaitEnd(client, "one-shot").jobStdout()).isEqualTo("one-shot\n");
  }

  @Test
  void aMissingDownloadIsAFailureNamingTheFile() throws Exception {
    PulsarClient client = client(TOKEN, 1);
    client.setup("job-4");
    assertThatThrownBy(() -> client.download("job-4", "absent.txt", "output"))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("download of output absent.txt of job job-4");
  }

  @Test
  void aManagerIsAddressedByItsPrefix() throws Exception {
    pulsar = FakePulsar.builder(work.resolve("staging")).manager("big").start();
    PulsarClient big = new PulsarClient(pulsar.baseUrl(), "big", null, Duration.ofSeconds(10),
        new PulsarClient.Retry(1, Duration.ofMillis(10), Duration.ofMillis(10)), HttpClient.newHttpClient());
    big.setup("job-5");
    assertThat(pulsar.requests().get(0).manager()).isEqualTo("big");
    assertThat(big.description()).contains("manager big");
    PulsarClient unknown = new PulsarClient(URI.create(pulsar.baseUrl().toString()), "nope", null,
        Duration.ofSeconds(10), new PulsarClient.Retry(1, Duration.ofMillis(10), Duration.ofMillis(10)),
        HttpClient.newHttpClient());
    assertThatThrownBy(() -> unknown.setup("job-6")).hasMessageContaining("HTTP 500");
  }
}
