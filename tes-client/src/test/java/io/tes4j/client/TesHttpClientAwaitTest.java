package io.tes4j.client;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.tes4j.client.Fixtures.BASE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.tes4j.api.TesTimeoutException;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The blocking await over HTTP: polls MINIMAL, returns FULL, or times out. */
class TesHttpClientAwaitTest {
  @RegisterExtension static WireMockExtension wm = Fixtures.wireMock();

  @Test
  void awaitReturnsTheFullTaskAfterQueuedRunningComplete() {
    TesHttpClientRetryTest.answerInTurn(
        wm,
        () -> get(urlEqualTo(BASE + "/tasks/job-1?view=MINIMAL")),
        List.of(
            okJson(Fixtures.minimalTaskJson("job-1", "QUEUED")),
            okJson(Fixtures.minimalTaskJson("job-1", "RUNNING")),
            okJson(Fixtures.minimalTaskJson("job-1", "COMPLETE"))));
    wm.stubFor(
        get(urlEqualTo(BASE + "/tasks/job-1?view=FULL"))
            .willReturn(okJson(Fixtures.fullTaskJson("job-1", "COMPLETE"))));

    try (TesHttpClient client = Fixtures.client(wm).build()) {
      Task done = client.await("job-1", Duration.ofSeconds(10));

      assertThat(done.state()).isEqualTo(State.COMPLETE);
      assertThat(done.lastLog().orElseThrow().logs().get(0).stdout()).isEqualTo("hello\n");
    }
    wm.verify(3, getRequestedFor(urlEqualTo(BASE + "/tasks/job-1?view=MINIMAL")));
    wm.verify(1, getRequestedFor(urlEqualTo(BASE + "/tasks/job-1?view=FULL")));
  }

  @Test
  void awaitThrowsATimeoutWhileTheTaskStillRuns() {
    wm.stubFor(
        get(urlEqualTo(BASE + "/tasks/job-2?view=MINIMAL"))
            .willReturn(okJson(Fixtures.minimalTaskJson("job-2", "RUNNING"))));

    try (TesHttpClient client = Fixtures.client(wm).build()) {
      long start = System.nanoTime();
      TesTimeoutException e =
          catchThrowableOfType(
              TesTimeoutException.class, () -> client.await("job-2", Duration.ofMillis(400)));

      assertThat(e.getMessage()).isEqualTo("task job-2 did not end within 400ms; it was RUNNING");
      // A guard against an await that ignores its timeout, not a speed check: on a loaded machine the
      // first call alone took 4.4 s.
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    }
    wm.verify(0, getRequestedFor(urlEqualTo(BASE + "/tasks/job-2?view=FULL")));
  }
}
