package io.tes4j.client;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.tes4j.client.Fixtures.BASE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.tes4j.api.TesClientException;
import io.tes4j.api.TesServiceException;
import io.tes4j.api.TesTimeoutException;
import io.tes4j.model.Executor;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Which failures are retried, how often, how long apart, and which never are. */
class TesHttpClientRetryTest {
  @RegisterExtension static WireMockExtension wm = Fixtures.wireMock();

  private static final AtomicInteger SCENARIOS = new AtomicInteger();
  private static final Task TASK =
      Task.builder().addExecutor(Executor.of("alpine", "true")).build();

  /**
   * Answers the requests {@code request} matches with each response in turn (a WireMock scenario);
   * after the last one, WireMock answers 404.
   */
  static void answerInTurn(
      WireMockExtension wm,
      Supplier<MappingBuilder> request,
      List<ResponseDefinitionBuilder> responses) {
    String scenario = "sequence " + SCENARIOS.incrementAndGet(); // one state machine per call
    for (int i = 0; i < responses.size(); i++) {
      wm.stubFor(
          request
              .get()
              .inScenario(scenario)
              .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "step " + i)
              .willSetStateTo("step " + (i + 1))
              .willReturn(responses.get(i)));
    }
  }

  private static ResponseDefinitionBuilder status(int code) {
    return aResponse().withStatus(code).withBody("status " + code);
  }

  @Test
  void aGetAnswered503TwiceSucceedsOnTheThirdRequest() {
    answerInTurn(
        wm,
        () -> get(urlPathEqualTo(BASE + "/tasks/t")),
        List.of(status(503), status(503), okJson(Fixtures.minimalTaskJson("t", "RUNNING"))));

    try (TesHttpClient client = Fixtures.client(wm).retry(Fixtures.fastRetry(4)).build()) {
      assertThat(client.getTask("t").state()).isEqualTo(State.RUNNING);
    }
    wm.verify(3, getRequestedFor(urlPathEqualTo(BASE + "/tasks/t")));
  }

  @Test
  void bad502And504GatewaysAreRetriedForIdempotentCalls() {
    answerInTurn(
        wm,
        () -> post(urlPathEqualTo(BASE + "/tasks/t:cancel")),
        List.of(status(502), status(504), okJson("{}")));

    try (TesHttpClient client = Fixtures.client(wm).build()) {
      client.cancelTask("t");
    }
    wm.verify(3, postRequestedFor(urlEqualTo(BASE + "/tasks/t:cancel")));
  }

  @Test
  void whenEveryAttemptFailsTheLastAnswerIsReportedWithTheAttemptCount() {
    wm.stubFor(get(BASE + "/service-info").willReturn(status(503)));

    try (TesHttpClient client = Fixtures.client(wm).retry(Fixtures.fastRetry(3)).build()) {
      TesServiceException e = catchThrowableOfType(TesServiceException.class, client::serviceInfo);

      assertThat(e.statusCode()).isEqualTo(503);
      assertThat(e.retryable()).isTrue();
      assertThat(e.getMessage())
          .isEqualTo(
              "GET "
                  + Fixtures.baseUrl(wm)
                  + "/service-info answered 503 Service Unavailable (3 attempts): status 503");
    }
    wm.verify(3, getRequestedFor(urlEqualTo(BASE + "/service-info")));
  }

  @Test
  void retryAfterInSecondsIsHonoured() {
    answerInTurn(
        wm,
        () -> get(BASE + "/service-info"),
        List.of(
            status(429).withHeader("Retry-After", "1"), okJson("{\"name\": \"after the wait\"}")));
    RetrySettings patientRetry =
        new RetrySettings(2, Duration.ofMillis(10), Duration.ofSeconds(5), 0.0);

    try (TesHttpClient client = Fixtures.client(wm).retry(patientRetry).build()) {
      long start = System.nanoTime();
      assertThat(client.serviceInfo().name()).isEqualTo("after the wait");
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }
    wm.verify(2, getRequestedFor(urlEqualTo(BASE + "/service-info")));
  }

  @Test
  void retryAfterIsCappedAtMaxDelay() {
    answerInTurn(
        wm,
        () -> get(BASE + "/service-info"),
        List.of(status(503).withHeader("Retry-After", "3600"), okJson("{\"name\": \"soon\"}")));
    RetrySettings shortCap =
        new RetrySettings(2, Duration.ofMillis(10), Duration.ofMillis(100), 0.0);

    try (TesHttpClient client = Fixtures.client(wm).retry(shortCap).build()) {
      long start = System.nanoTime();
      assertThat(client.serviceInfo().name()).isEqualTo("soon");
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isGreaterThanOrEqualTo(Duration.ofMillis(90))
          .isLessThan(Duration.ofSeconds(3));
    }
  }

  @Test
  void createTaskIsNotRetriedAfterA502() {
    answerInTurn(
        wm, () -> post(BASE + "/tasks"), List.of(status(502), okJson("{\"id\": \"duplicate\"}")));

    try (TesHttpClient client = Fixtures.client(wm).retry(Fixtures.fastRetry(4)).build()) {
      TesServiceException e =
          catchThrowableOfType(TesServiceException.class, () -> client.createTask(TASK));

      assertThat(e.statusCode()).isEqualTo(502);
    }
    wm.verify(1, postRequestedFor(urlEqualTo(BASE + "/tasks")));
  }

  @Test
  void createTaskIsNotRetriedAfterA504() {
    answerInTurn(
        wm, () -> post(BASE + "/tasks"), List.of(status(504), okJson("{\"id\": \"duplicate\"}")));

    try (TesHttpClient client = Fixtures.client(wm).retry(Fixtures.fastRetry(4)).build()) {
      assertThat(
              catchThrowableOfType(TesServiceException.class, () -> client.createTask(TASK))
                  .statusCode())
          .isEqualTo(504);
    }
    wm.verify(1, postRequestedFor(urlEqualTo(BASE + "/tasks")));
  }

  @Test
  void createTaskIsNotRetriedAfterARequestTimeoutAndSaysTheTaskMayExist()
      throws InterruptedException {
    answerInTurn(
        wm,
        () -> post(BASE + "/tasks"),
        List.of(
            okJson("{\"id\": \"slow\"}").withFixedDelay(1_000), okJson("{\"id\": \"duplicate\"}")));

    try (TesHttpClient client =
        Fixtures.client(wm)
            .retry(Fixtures.fastRetry(4))
            .requestTimeout(Duration.ofMillis(200))
            .build()) {
      TesTimeoutException e =
          catchThrowableOfType(TesTimeoutException.class, () -> client.createTask(TASK));

      assertThat(e.getMessage())
          .startsWith("POST " + Fixtures.baseUrl(wm) + "/tasks: no answer within 200ms")
          .contains("the task may have been created anyway, so it was not sent again");
    }
    Thread.sleep(
        1_000); // the slow answer ends; a retry, if any, would have reached the server by now
    wm.verify(1, postRequestedFor(urlEqualTo(BASE + "/tasks")));
  }

  @Test
  void createTaskIsRetriedAfterA503BecauseTheServerRefusedToProcessIt() {
    answerInTurn(
        wm, () -> post(BASE + "/tasks"), List.of(status(503), okJson("{\"id\": \"task-7\"}")));

    try (TesHttpClient client = Fixtures.client(wm).build()) {
      assertThat(client.createTask(TASK)).isEqualTo("task-7");
    }
    wm.verify(2, postRequestedFor(urlEqualTo(BASE + "/tasks")));
  }

  @Test
  void createTaskIsRetriedAfterA429() {
    answerInTurn(
        wm,
        () -> post(BASE + "/tasks"),
        List.of(status(429).withHeader("Retry-After", "0"), okJson("{\"id\": \"task-8\"}")));

    try (TesHttpClient client = Fixtures.client(wm).build()) {
      assertThat(client.createTask(TASK)).isEqualTo("task-8");
    }
    wm.verify(2, postRequestedFor(urlEqualTo(BASE + "/tasks")));
  }

  @Test
  void createTaskIsRetriedWhenTheConnectionIsRefused() {
    String base = "http://127.0.0.1:" + Fixtures.closedPort() + BASE;
    try (TesHttpClient down =
        TesHttpClient.builder().baseUrl(base).retry(Fixtures.fastRetry(3)).build()) {
      TesClientException e =
          catchThrowableOfType(TesClientException.class, () -> down.createTask(TASK));

      assertThat(e.getMessage())
          .isEqualTo("cannot connect to " + base + ": connection refused (3 attempts)");
      assertThat(e.retryable()).isTrue();
    }
  }

  @Test
  void anIdempotentCallIsRetriedAfterARequestTimeout() {
    answerInTurn(
        wm,
        () -> get(BASE + "/service-info"),
        List.of(
            okJson("{\"name\": \"slow\"}").withFixedDelay(1_000), okJson("{\"name\": \"quick\"}")));

    try (TesHttpClient client =
        Fixtures.client(wm).requestTimeout(Duration.ofMillis(200)).build()) {
      assertThat(client.serviceInfo().name()).isEqualTo("quick");
    }
  }

  @Test
  void otherClientErrorsAreNotRetried() {
    wm.stubFor(get(BASE + "/service-info").willReturn(status(409)));

    try (TesHttpClient client = Fixtures.client(wm).build()) {
      assertThat(catchThrowableOfType(TesServiceException.class, client::serviceInfo).statusCode())
          .isEqualTo(409);
    }
    wm.verify(1, getRequestedFor(urlEqualTo(BASE + "/service-info")));
  }
}
