package io.tes4j.client;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.tes4j.client.Fixtures.BASE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.tes4j.api.InvalidTaskException;
import io.tes4j.api.ListTasksRequest;
import io.tes4j.api.TaskNotFoundException;
import io.tes4j.api.TesAuthException;
import io.tes4j.api.TesClientException;
import io.tes4j.api.TesServiceException;
import io.tes4j.api.TesTimeoutException;
import io.tes4j.model.Executor;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import io.tes4j.model.Violation;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Error answers and missing answers become the documented exceptions, with useful messages. */
class TesHttpClientErrorsTest {
  @RegisterExtension static WireMockExtension wm = Fixtures.wireMock();

  private static final Task TASK =
      Task.builder().addExecutor(Executor.of("alpine", "true")).build();

  private TesHttpClient client;

  @BeforeEach
  void open() {
    client = Fixtures.client(wm).build();
  }

  @AfterEach
  void close() {
    client.close();
  }

  @Test
  void aTaskRouteAnswering404IsTaskNotFound() {
    wm.stubFor(
        get(urlPathEqualTo(BASE + "/tasks/gone"))
            .willReturn(aResponse().withStatus(404).withBody("{\"message\": \"no such task\"}")));

    TaskNotFoundException e =
        catchThrowableOfType(TaskNotFoundException.class, () -> client.getTask("gone", View.BASIC));

    assertThat(e.taskId()).isEqualTo("gone");
    assertThat(e.statusCode()).isEqualTo(404);
    assertThat(e.body()).contains("{\"message\": \"no such task\"}");
    assertThat(e.retryable()).isFalse();
    wm.verify(1, getRequestedFor(urlPathEqualTo(BASE + "/tasks/gone"))); // a 404 is never retried
  }

  @Test
  void cancellingAnUnknownTaskIsTaskNotFound() {
    wm.stubFor(
        post(urlPathEqualTo(BASE + "/tasks/gone:cancel")).willReturn(aResponse().withStatus(404)));

    TaskNotFoundException e =
        catchThrowableOfType(TaskNotFoundException.class, () -> client.cancelTask("gone"));

    assertThat(e.taskId()).isEqualTo("gone");
    assertThat(e.body()).isEmpty();
  }

  @Test
  void a404OutsideTaskRoutesAsksWhetherTheBaseUrlIsRight() {
    wm.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(404).withBody("Not Found")));

    try (TesHttpClient wrongBase =
        TesHttpClient.builder().baseUrl("http://127.0.0.1:" + wm.getPort() + "/x").build()) {
      TesServiceException e =
          catchThrowableOfType(TesServiceException.class, wrongBase::serviceInfo);

      assertThat(e).isNotInstanceOf(TaskNotFoundException.class);
      assertThat(e.statusCode()).isEqualTo(404);
      assertThat(e.getMessage())
          .isEqualTo(
              "404 from GET http://127.0.0.1:"
                  + wm.getPort()
                  + "/x/service-info: is the base URL right? (e.g. .../ga4gh/tes/v1)");
    }
  }

  @Test
  void a400WithOurValidationBodyListsEveryViolation() {
    String body =
        """
        {"message": "invalid task", "violations": [
          {"path": "executors[0].image", "message": "required: the container image to run"},
          {"path": "inputs[1].path", "message": "must be an absolute path, was 'data.txt'"}]}
        """;
    wm.stubFor(post(BASE + "/tasks").willReturn(aResponse().withStatus(400).withBody(body)));

    InvalidTaskException e =
        catchThrowableOfType(InvalidTaskException.class, () -> client.createTask(TASK));

    assertThat(e.violations())
        .containsExactly(
            new Violation("executors[0].image", "required: the container image to run"),
            new Violation("inputs[1].path", "must be an absolute path, was 'data.txt'"));
    assertThat(e.statusCode()).isEqualTo(400);
    assertThat(e.body()).contains(body);
    assertThat(e.getMessage()).contains("executors[0].image: required");
  }

  @Test
  void a400OfTesServerIsReadWithItsStatusAndRequestId() {
    // The error body tes-server writes for every 4xx and 5xx.
    String body =
        """
        {"status":400,"message":"invalid task: 2 problems","violations":[\
        {"path":"inputs[0].url","message":"scheme 'gs' is not allowed on this server; allowed: http, https"},\
        {"path":"executors[0].image","message":"must not be blank"}],"request_id":"k3j2h1"}""";
    wm.stubFor(post(BASE + "/tasks").willReturn(aResponse().withStatus(400).withBody(body)));

    InvalidTaskException e =
        catchThrowableOfType(InvalidTaskException.class, () -> client.createTask(TASK));

    assertThat(e.violations())
        .containsExactly(
            new Violation("inputs[0].url", "scheme 'gs' is not allowed on this server; allowed: http, https"),
            new Violation("executors[0].image", "must not be blank"));
    assertThat(e.body().orElseThrow()).contains("\"request_id\":\"k3j2h1\"");
  }

  @Test
  void a400ListingFieldsUnderErrorsIsReadToo() {
    wm.stubFor(
        post(BASE + "/tasks")
            .willReturn(
                aResponse()
                    .withStatus(400)
                    .withBody(
                        "{\"errors\": [{\"field\": \"executors\", \"message\": \"at least one"
                            + " executor\"}]}")));

    InvalidTaskException e =
        catchThrowableOfType(InvalidTaskException.class, () -> client.createTask(TASK));

    assertThat(e.violations()).containsExactly(new Violation("executors", "at least one executor"));
  }

  @Test
  void a400WithAListOfStringsGivesViolationsOnTheDocument() {
    wm.stubFor(
        post(BASE + "/tasks")
            .willReturn(
                aResponse()
                    .withStatus(400)
                    .withBody("[\"executors is required\", \"name is too long\"]")));

    InvalidTaskException e =
        catchThrowableOfType(InvalidTaskException.class, () -> client.createTask(TASK));

    assertThat(e.violations())
        .containsExactly(
            new Violation("$", "executors is required"), new Violation("$", "name is too long"));
  }

  @Test
  void aFastApi422IsAnInvalidTaskWithTheLocationAsPath() {
    wm.stubFor(
        post(BASE + "/tasks")
            .willReturn(
                aResponse()
                    .withStatus(422)
                    .withBody(
                        "{\"detail\": [{\"loc\": [\"body\", \"executors\", 0, \"image\"], \"msg\":"
                            + " \"field required\", \"type\": \"value_error.missing\"}]}")));

    InvalidTaskException e =
        catchThrowableOfType(InvalidTaskException.class, () -> client.createTask(TASK));

    assertThat(e.statusCode()).isEqualTo(422);
    assertThat(e.violations())
        .containsExactly(new Violation("executors[0].image", "field required"));
  }

  @Test
  void a400WithATextBodyKeepsTheBodyAndListsNoViolations() {
    wm.stubFor(
        post(BASE + "/tasks")
            .willReturn(aResponse().withStatus(400).withBody("bad request: no executors")));

    InvalidTaskException e =
        catchThrowableOfType(InvalidTaskException.class, () -> client.createTask(TASK));

    assertThat(e.violations()).isEmpty();
    assertThat(e.body()).contains("bad request: no executors");
    assertThat(e.getMessage()).isEqualTo("invalid task: bad request: no executors");
  }

  @Test
  void a401IsTesAuthExceptionNamingTheUrl() {
    wm.stubFor(get(BASE + "/service-info").willReturn(aResponse().withStatus(401)));

    TesAuthException e = catchThrowableOfType(TesAuthException.class, client::serviceInfo);

    assertThat(e.statusCode()).isEqualTo(401);
    assertThat(e.getMessage())
        .isEqualTo(
            "authentication refused (401) by "
                + Fixtures.baseUrl(wm)
                + "/service-info: check the user and password or token");
    wm.verify(1, getRequestedFor(urlEqualTo(BASE + "/service-info")));
  }

  @Test
  void a403IsTesAuthException() {
    wm.stubFor(
        get(urlPathEqualTo(BASE + "/tasks"))
            .willReturn(aResponse().withStatus(403).withBody("forbidden")));

    TesAuthException e =
        catchThrowableOfType(
            TesAuthException.class, () -> client.listTasks(ListTasksRequest.all()));

    assertThat(e.statusCode()).isEqualTo(403);
    assertThat(e.getMessage())
        .startsWith("access denied (403) by " + Fixtures.baseUrl(wm) + "/tasks");
    assertThat(e.body()).contains("forbidden");
  }

  @Test
  void a500IsAServiceErrorAndIsNotRetried() {
    wm.stubFor(
        get(urlPathEqualTo(BASE + "/tasks/t"))
            .willReturn(aResponse().withStatus(500).withBody("database is down")));

    TesServiceException e =
        catchThrowableOfType(TesServiceException.class, () -> client.getTask("t"));

    assertThat(e.statusCode()).isEqualTo(500);
    assertThat(e.retryable()).isFalse();
    assertThat(e.getMessage())
        .isEqualTo(
            "GET "
                + Fixtures.baseUrl(wm)
                + "/tasks/t?view=FULL answered 500 Internal Server Error: database is down");
    wm.verify(1, getRequestedFor(urlPathEqualTo(BASE + "/tasks/t")));
  }

  @Test
  void aLongErrorBodyIsCutToFourKibibytes() {
    String huge = "x".repeat(10_000);
    wm.stubFor(
        get(urlPathEqualTo(BASE + "/tasks/t"))
            .willReturn(aResponse().withStatus(500).withBody(huge)));

    TesServiceException e =
        catchThrowableOfType(TesServiceException.class, () -> client.getTask("t"));

    assertThat(e.body().orElseThrow())
        .startsWith("x".repeat(4096))
        .endsWith("... (5904 more characters)")
        .hasSizeLessThan(4200);
    assertThat(e.getMessage()).hasSizeLessThan(500);
  }

  @Test
  void invalidJsonInASuccessfulAnswerNamesTheUrlAndTheProblem() {
    wm.stubFor(
        get(urlPathEqualTo(BASE + "/tasks/t")).willReturn(okJson("{\"id\": \"t\", \"state\": ")));

    TesClientException e =
        catchThrowableOfType(TesClientException.class, () -> client.getTask("t"));

    assertThat(e.getMessage())
        .startsWith(
            "GET "
                + Fixtures.baseUrl(wm)
                + "/tasks/t?view=FULL answered 200 with a body that is not a TES Task: line 1")
        .doesNotContain("is this a TES server");
    assertThat(e.retryable()).isFalse();
  }

  @Test
  void anHtmlPageInsteadOfJsonSaysWhatCameBack() {
    wm.stubFor(
        get(BASE + "/service-info")
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "text/html")
                    .withBody("<html>login</html>")));

    TesClientException e = catchThrowableOfType(TesClientException.class, client::serviceInfo);

    assertThat(e.getMessage())
        .contains("not a TES ServiceInfo")
        .endsWith("(Content-Type text/html; is this a TES server?)");
  }

  @Test
  void aCreateAnswerWithoutIdIsAnError() {
    wm.stubFor(post(BASE + "/tasks").willReturn(okJson("{}")));

    TesClientException e =
        catchThrowableOfType(TesClientException.class, () -> client.createTask(TASK));

    assertThat(e.getMessage())
        .isEqualTo("POST " + Fixtures.baseUrl(wm) + "/tasks answered 200 without a task id: {}");
  }

  @Test
  void aRedirectIsNotFollowedAndSaysWhereItPointed() {
    wm.stubFor(
        get(BASE + "/service-info")
            .willReturn(
                aResponse()
                    .withStatus(301)
                    .withHeader(
                        "Location", "https://elsewhere.invalid/ga4gh/tes/v1/service-info")));

    TesServiceException e = catchThrowableOfType(TesServiceException.class, client::serviceInfo);

    assertThat(e.statusCode()).isEqualTo(301);
    assertThat(e.getMessage())
        .contains(
            "answered 301 Moved Permanently to https://elsewhere.invalid/ga4gh/tes/v1/service-info")
        .contains("use the final address as the base URL");
    wm.verify(1, anyRequestedFor(anyUrl()));
  }

  @Test
  void anUnreachableServerIsARetryableClientErrorNamingTheUrl() {
    String base = "http://127.0.0.1:" + Fixtures.closedPort() + BASE;
    try (TesHttpClient down =
        TesHttpClient.builder().baseUrl(base).retry(Fixtures.fastRetry(3)).build()) {
      TesClientException e = catchThrowableOfType(TesClientException.class, down::serviceInfo);

      assertThat(e).isNotInstanceOf(TesServiceException.class);
      assertThat(e.retryable()).isTrue();
      assertThat(e.getMessage())
          .isEqualTo("cannot connect to " + base + ": connection refused (3 attempts)");
      assertThat(e.getCause()).isInstanceOf(java.net.ConnectException.class);
    }
  }

  @Test
  void aSlowAnswerIsATimeout() {
    wm.stubFor(get(BASE + "/service-info").willReturn(okJson("{}").withFixedDelay(2_000)));

    try (TesHttpClient impatient =
        Fixtures.client(wm)
            .requestTimeout(Duration.ofMillis(300))
            .retry(RetrySettings.none())
            .build()) {
      long start = System.nanoTime();
      TesTimeoutException e =
          catchThrowableOfType(TesTimeoutException.class, impatient::serviceInfo);

      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1_500));
      assertThat(e.retryable()).isTrue();
      assertThat(e.getMessage())
          .isEqualTo("GET " + Fixtures.baseUrl(wm) + "/service-info: no answer within 300ms");
    }
  }

  @Test
  void callsAfterCloseFail() {
    client.close();

    TesClientException e = catchThrowableOfType(TesClientException.class, client::serviceInfo);

    assertThat(e.getMessage())
        .isEqualTo("the TES client for " + Fixtures.baseUrl(wm) + " is closed");
    wm.verify(0, anyRequestedFor(anyUrl()));
  }

  @Test
  void anEmptyTaskIdIsRefusedBeforeSending() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> client.getTask("", View.FULL))
        .withMessage("the task id must not be empty");
    wm.verify(0, postRequestedFor(anyUrl()));
  }
}
