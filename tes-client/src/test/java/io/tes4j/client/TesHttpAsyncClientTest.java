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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.tes4j.api.InvalidTaskException;
import io.tes4j.api.ListTasksRequest;
import io.tes4j.api.TaskNotFoundException;
import io.tes4j.api.TesAsyncClient;
import io.tes4j.api.TesClientException;
import io.tes4j.api.TesServiceException;
import io.tes4j.api.TesTimeoutException;
import io.tes4j.model.Executor;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The non-blocking view: same requests, same results, same exceptions, and a cancellable await. */
class TesHttpAsyncClientTest {
  @RegisterExtension static WireMockExtension wm = Fixtures.wireMock();

  private static final Task TASK =
      Task.builder().addExecutor(Executor.of("alpine", "true")).build();

  private TesHttpClient client;
  private TesAsyncClient async;

  @BeforeEach
  void open() {
    client = Fixtures.client(wm).build();
    async = client.async();
  }

  @AfterEach
  void close() {
    client.close();
  }

  @Test
  void theAsyncViewBelongsToItsClient() {
    assertThat(async.sync()).isSameAs(client);
    assertThat(client.async()).isSameAs(async);
  }

  @Test
  void createAndGetCompleteWithTheSameValuesAsTheBlockingCalls() throws Exception {
    wm.stubFor(post(BASE + "/tasks").willReturn(okJson("{\"id\": \"async-1\"}")));
    wm.stubFor(
        get(urlPathEqualTo(BASE + "/tasks/async-1"))
            .willReturn(okJson(Fixtures.fullTaskJson("async-1", "COMPLETE"))));

    Task task =
        async
            .createTask(TASK)
            .thenCompose(id -> async.getTask(id, View.FULL))
            .get(5, TimeUnit.SECONDS);

    assertThat(task.id()).isEqualTo("async-1");
    assertThat(task.state()).isEqualTo(State.COMPLETE);
    wm.verify(1, postRequestedFor(urlEqualTo(BASE + "/tasks")));
    wm.verify(1, getRequestedFor(urlEqualTo(BASE + "/tasks/async-1?view=FULL")));
  }

  @Test
  void serviceInfoListAndCancelComplete() throws Exception {
    wm.stubFor(get(BASE + "/service-info").willReturn(okJson("{\"name\": \"async\"}")));
    wm.stubFor(
        get(urlPathEqualTo(BASE + "/tasks")).willReturn(okJson("{\"tasks\": [{\"id\": \"l1\"}]}")));
    wm.stubFor(post(BASE + "/tasks/l1:cancel").willReturn(okJson("{}")));

    assertThat(async.serviceInfo().get(5, TimeUnit.SECONDS).name()).isEqualTo("async");
    assertThat(
            async
                .listTasks(ListTasksRequest.builder().state(State.RUNNING).build())
                .get(5, TimeUnit.SECONDS)
                .tasks())
        .extracting(Task::id)
        .containsExactly("l1");
    assertThat(async.cancelTask("l1").get(5, TimeUnit.SECONDS)).isNull();

    wm.verify(getRequestedFor(urlEqualTo(BASE + "/tasks?state=RUNNING&view=MINIMAL")));
    wm.verify(1, postRequestedFor(urlEqualTo(BASE + "/tasks/l1:cancel")));
  }

  @Test
  void errorsSurfaceAsTheSameExceptionTypes() {
    wm.stubFor(
        get(urlPathEqualTo(BASE + "/tasks/missing")).willReturn(aResponse().withStatus(404)));
    wm.stubFor(
        post(BASE + "/tasks")
            .willReturn(
                aResponse()
                    .withStatus(400)
                    .withBody(
                        "{\"violations\": [{\"path\": \"executors\", \"message\":"
                            + " \"required\"}]}")));

    assertThatThrownBy(() -> async.getTask("missing", View.MINIMAL).join())
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOf(TaskNotFoundException.class)
        .hasMessage("task not found: missing");
    assertThatThrownBy(() -> async.createTask(TASK).join())
        .cause()
        .isInstanceOfSatisfying(
            InvalidTaskException.class, e -> assertThat(e.violations()).hasSize(1));
  }

  @Test
  void anUnreachableServerFailsTheFutureAfterScheduledRetries() {
    String base = "http://127.0.0.1:" + Fixtures.closedPort() + BASE;
    try (TesHttpClient down =
        TesHttpClient.builder().baseUrl(base).retry(Fixtures.fastRetry(3)).build()) {
      assertThatThrownBy(() -> down.async().serviceInfo().join())
          .cause()
          .isInstanceOfSatisfying(
              TesClientException.class,
              e -> {
                assertThat(e.retryable()).isTrue();
                assertThat(e.getMessage())
                    .isEqualTo("cannot connect to " + base + ": connection refused (3 attempts)");
              });
    }
  }

  @Test
  void retriesHappenWithoutBlockingAndFollowTheSameRules() throws Exception {
    TesHttpClientRetryTest.answerInTurn(
        wm,
        () -> get(BASE + "/service-info"),
        List.of(aResponse().withStatus(503), okJson("{\"name\": \"ok\"}")));
    TesHttpClientRetryTest.answerInTurn(
        wm,
        () -> post(BASE + "/tasks"),
        List.of(aResponse().withStatus(502), okJson("{\"id\": \"dup\"}")));

    assertThat(async.serviceInfo().get(5, TimeUnit.SECONDS).name()).isEqualTo("ok");
    assertThatThrownBy(() -> async.createTask(TASK).join())
        .cause()
        .isInstanceOfSatisfying(
            TesServiceException.class, e -> assertThat(e.statusCode()).isEqualTo(502));

    wm.verify(2, getRequestedFor(urlEqualTo(BASE + "/service-info")));
    wm.verify(1, postRequestedFor(urlEqualTo(BASE + "/tasks")));
  }

  @Test
  void aSlowAnswerFailsTheFutureWithATimeout() {
    wm.stubFor(get(BASE + "/service-info").willReturn(okJson("{}").withFixedDelay(2_000)));

    try (TesHttpClient impatient =
        Fixtures.client(wm)
            .requestTimeout(Duration.ofMillis(200))
            .retry(RetrySettings.none())
            .build()) {
      assertThatThrownBy(() -> impatient.async().serviceInfo().join())
          .cause()
          .isInstanceOf(TesTimeoutException.class);
    }
  }

  @Test
  void awaitCompletesWhenTheTaskTurnsComplete() throws Exception {
    TesHttpClientRetryTest.answerInTurn(
        wm,
        () -> get(urlEqualTo(BASE + "/tasks/poll-1?view=MINIMAL")),
        List.of(
            okJson(Fixtures.minimalTaskJson("poll-1", "QUEUED")),
            okJson(Fixtures.minimalTaskJson("poll-1", "RUNNING")),
            okJson(Fixtures.minimalTaskJson("poll-1", "COMPLETE"))));
    wm.stubFor(
        get(urlEqualTo(BASE + "/tasks/poll-1?view=FULL"))
            .willReturn(okJson(Fixtures.fullTaskJson("poll-1", "COMPLETE"))));

    Task done = async.await("poll-1", Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS);

    assertThat(done.state()).isEqualTo(State.COMPLETE);
    assertThat(done.lastLog()).isPresent(); // the FULL view, with logs
    wm.verify(3, getRequestedFor(urlEqualTo(BASE + "/tasks/poll-1?view=MINIMAL")));
    wm.verify(1, getRequestedFor(urlEqualTo(BASE + "/tasks/poll-1?view=FULL")));
  }

  @Test
  void cancellingAnAwaitStopsThePolling() throws Exception {
    wm.stubFor(
        get(urlEqualTo(BASE + "/tasks/forever?view=MINIMAL"))
            .willReturn(okJson(Fixtures.minimalTaskJson("forever", "RUNNING"))));
    var polls = getRequestedFor(urlEqualTo(BASE + "/tasks/forever?view=MINIMAL"));

    CompletableFuture<Task> waiting = async.await("forever", Duration.ofMinutes(1));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (wm.findAll(polls).size() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(wm.findAll(polls)).hasSizeGreaterThanOrEqualTo(2); // polling is going on
    assertThat(waiting.cancel(true)).isTrue();
    Thread.sleep(100); // lets a poll already on the wire land
    int afterCancel = wm.findAll(polls).size();

    Thread.sleep(1_200); // without the cancel, polls would come at about +0.3 s, +0.75 s, +1.4 s
    assertThat(wm.findAll(polls)).hasSize(afterCancel);
    assertThat(waiting).isCancelled();
  }

  @Test
  void awaitFailsWithATimeoutWhenTheTaskDoesNotEndInTime() {
    wm.stubFor(
        get(urlEqualTo(BASE + "/tasks/slow?view=MINIMAL"))
            .willReturn(okJson(Fixtures.minimalTaskJson("slow", "RUNNING"))));

    assertThatThrownBy(() -> async.await("slow", Duration.ofMillis(300)).join())
        .cause()
        .isInstanceOf(TesTimeoutException.class)
        .hasMessageContaining("task slow did not end within 300ms");
  }

  @Test
  void aBadArgumentFailsTheFutureInsteadOfThrowing() {
    CompletableFuture<Task> future = async.getTask("", View.FULL);

    assertThat(future).isCompletedExceptionally();
    assertThatThrownBy(future::join)
        .cause()
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the task id must not be empty");
  }

  @Test
  void callsAfterCloseFailTheirFutures() {
    client.close();

    assertThatThrownBy(() -> async.serviceInfo().join())
        .cause()
        .isInstanceOf(TesClientException.class)
        .hasMessageEndingWith("is closed");
    assertThatThrownBy(() -> async.await("x", Duration.ofSeconds(1)).join())
        .cause()
        .isInstanceOf(TesClientException.class)
        .hasMessageEndingWith("is closed");
  }
}
