package io.tes4j.server;

import static io.tes4j.server.Requests.HELLO;
import static io.tes4j.server.Requests.get;
import static io.tes4j.server.Requests.json;
import static io.tes4j.server.Requests.post;
import static io.tes4j.server.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tes4j.api.ListTasksRequest;
import io.tes4j.api.TesClient;
import io.tes4j.engine.TesEngine;
import io.tes4j.model.ListTasksResponse;
import io.tes4j.model.ServiceInfo;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import io.tes4j.testing.MockBackend;
import io.tes4j.testing.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The API without a socket: routes, statuses and bodies, over an engine on the mock backend. */
class TesApiTest {
  private MockBackend mock;
  private TesEngine engine;
  private TesApi api;

  @BeforeEach
  void open() {
    mock = MockBackend.builder().delay(Duration.ZERO).backendParameters("VmSize").build();
    mock.defaultOutcome(Outcome.hang());
    engine = TesEngine.builder().backend(mock).build();
    api = TesApi.builder(engine).build();
  }

  @AfterEach
  void close() {
    engine.close();
  }

  private String create(TesApi on, String body, String... headers) {
    ApiResponse created = on.handle(post("/ga4gh/tes/v1/tasks", body, headers));
    assertThat(created.status()).as(created.bodyText()).isEqualTo(200);
    return json(created).get("id").asText();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/ga4gh/tes/v1", "/v1"})
  void servesTheFiveOperationsUnderBothBases(String base) {
    ApiResponse info = api.handle(get(base + "/service-info"));
    assertThat(info.status()).isEqualTo(200);
    assertThat(info.headers()).containsEntry("Content-Type", "application/json");
    assertThat(json(info).get("type").get("artifact").asText()).isEqualTo("tes");

    ApiResponse created = api.handle(post(base + "/tasks", HELLO, "Content-Type", "application/json"));
    assertThat(created.status()).isEqualTo(200);
    String id = json(created).get("id").asText();
    assertThat(json(created).size()).as("only the id: %s", created.bodyText()).isEqualTo(1);

    ApiResponse minimal = api.handle(get(base + "/tasks/" + id));
    assertThat(minimal.status()).isEqualTo(200);
    assertThat(json(minimal).fieldNames()).toIterable().containsExactlyInAnyOrder("id", "state");

    ApiResponse full = api.handle(get(base + "/tasks/" + id + "?view=FULL"));
    assertThat(json(full).get("name").asText()).isEqualTo("hello");

    ApiResponse list = api.handle(get(base + "/tasks?view=BASIC"));
    assertThat(list.status()).isEqualTo(200);
    assertThat(json(list).get("tasks")).hasSize(1);
    assertThat(json(list).has("next_page_token")).as("no next page: %s", list.bodyText()).isFalse();

    ApiResponse cancelled = api.handle(post(base + "/tasks/" + id + ":cancel", null));
    assertThat(cancelled.status()).isEqualTo(200);
    assertThat(cancelled.bodyText()).isEqualTo("{}");
    assertThat(engine.getTask(id, View.MINIMAL).state()).isIn(State.CANCELING, State.CANCELED);
  }

  @Test
  void serviceInfoAtTheRootForNextflowAndReportsTheBackend() {
    ApiResponse info = api.handle(get("/service-info"));
    assertThat(info.status()).isEqualTo(200);
    JsonNode body = json(info);
    assertThat(body.get("name").asText()).contains("MockBackend");
    assertThat(body.get("tesResources_backend_parameters").get(0).asText()).isEqualTo("VmSize");
  }

  @Test
  void serviceInfoStorageIsWhatThePolicyAllows() {
    TesClient reportsStorage = new ForwardingTesClient(engine) {
      @Override
      public ServiceInfo serviceInfo() {
        return engine.serviceInfo().toBuilder().storage(List.of("file:///", "https://", "s3://", "gs://")).build();
      }

      @Override
      public void close() {} // the engine is closed after each test
    };
    ServiceInfo defaults = io.tes4j.model.TesJson.read(
        TesApi.builder(reportsStorage).build().handle(get("/v1/service-info")).bodyText(), ServiceInfo.class);
    assertThat(defaults.storage()).containsExactly("https://", "s3://");
    java.nio.file.Path root = java.nio.file.Path.of("/srv/tes-data");
    ServiceInfo withRoot = io.tes4j.model.TesJson.read(TesApi.builder(reportsStorage)
        .policy(TaskPolicy.builder().allowSchemes("https").fileRoots(root).build()).build()
        .handle(get("/v1/service-info")).bodyText(), ServiceInfo.class);
    assertThat(withRoot.storage()).containsExactly(root.toUri().toString(), "https://");
  }

  @Test
  void serviceInfoCanBeCustomized() {
    TesApi custom = TesApi.builder(engine)
        .serviceInfo(info -> info.toBuilder().organization("My lab", "https://lab.example.org").build())
        .build();
    ServiceInfo info = io.tes4j.model.TesJson.read(custom.handle(get("/v1/service-info")).bodyText(), ServiceInfo.class);
    assertThat(info.organization().name()).isEqualTo("My lab");
    assertThat(info.tesResourcesBackendParameters()).containsExactly("VmSize");
  }

  @Test
  void unknownPathIs404AndWrongMethodIs405WithAllow() {
    for (String path : List.of("/", "/tasks", "/ga4gh/tes/v1", "/ga4gh/tes/v1/nothing", "/ga4gh/tes/v1/tasks/a/b",
        "/ga4gh/tes/v2/tasks")) {
      ApiResponse answer = api.handle(get(path));
      assertThat(answer.status()).as(path).isEqualTo(404);
      assertThat(json(answer).get("message").asText()).contains("no such path");
    }
    ApiResponse delete = api.handle(request("DELETE", "/ga4gh/tes/v1/tasks", null));
    assertThat(delete.status()).isEqualTo(405);
    assertThat(delete.headers()).containsEntry("Allow", "GET, POST");
    assertThat(api.handle(get("/v1/tasks/X:cancel")).headers()).containsEntry("Allow", "POST");
    assertThat(api.handle(post("/v1/service-info", "{}")).status()).isEqualTo(405);
    assertThat(api.handle(request("PUT", "/v1/tasks/X", "{}")).headers()).containsEntry("Allow", "GET");
  }

  @Test
  void unknownTaskIs404ForGetAndCancel() {
    ApiResponse answer = api.handle(get("/ga4gh/tes/v1/tasks/NOPE?view=FULL"));
    assertThat(answer.status()).isEqualTo(404);
    JsonNode body = json(answer);
    assertThat(body.get("status").asInt()).isEqualTo(404);
    assertThat(body.get("message").asText()).isEqualTo("no task with id 'NOPE'");
    assertThat(body.get("request_id").asText()).isEqualTo(answer.headers().get("X-Request-Id"));
    assertThat(api.handle(post("/ga4gh/tes/v1/tasks/NOPE:cancel", null)).status()).isEqualTo(404);
  }

  @Test
  void cancelAcceptsAnEncodedColonAndIdsArePercentDecoded() {
    String id = create(api, HELLO);
    assertThat(api.handle(post("/v1/tasks/" + id + "%3Acancel", null)).status()).isEqualTo(200);
    assertThat(api.handle(get("/v1/tasks/a%2Fb")).status()).isEqualTo(404);
    assertThat(json(api.handle(get("/v1/tasks/a%2Fb"))).get("message").asText()).isEqualTo("no task with id 'a/b'");
  }

  @Test
  void invalidTaskListsEveryProblemOfValidatorAndPolicyTogether() {
    String body = "{\"inputs\":[{\"url\":\"gs://bucket/x\",\"path\":\"/in/x\"},"
        + "{\"url\":\"file:///etc/passwd\",\"path\":\"/in/y\"}],"
        + "\"executors\":[{\"image\":\"\",\"command\":[\"echo\"]}]}";
    ApiResponse answer = api.handle(post("/ga4gh/tes/v1/tasks", body, "Content-Type", "application/json; charset=utf-8"));
    assertThat(answer.status()).isEqualTo(400);
    JsonNode json = json(answer);
    List<String> paths = new ArrayList<>();
    json.get("violations").forEach(v -> paths.add(v.get("path").asText()));
    assertThat(paths).containsExactlyInAnyOrder("executors[0].image", "inputs[0].url", "inputs[1].url");
    assertThat(json.get("message").asText()).isEqualTo("invalid task: 3 problems");
    assertThat(answer.bodyText()).contains("scheme 'gs' is not allowed").contains("file: URLs are not allowed");
    assertThat(engine.listTasks(ListTasksRequest.all()).tasks()).as("nothing created").isEmpty();
  }

  @Test
  void malformedJsonIs400NamingLineAndColumn() {
    ApiResponse answer = api.handle(post("/v1/tasks", "{\n  \"executors\": [,]\n}"));
    assertThat(answer.status()).isEqualTo(400);
    JsonNode violation = json(answer).get("violations").get(0);
    assertThat(violation.get("path").asText()).isEqualTo("$");
    assertThat(violation.get("message").asText()).startsWith("line 2, column");
  }

  @Test
  void emptyBodyAndWrongTypesAre400() {
    assertThat(api.handle(post("/v1/tasks", "")).status()).isEqualTo(400);
    ApiResponse wrongType = api.handle(post("/v1/tasks", "{\"executors\": \"echo\"}"));
    assertThat(wrongType.status()).isEqualTo(400);
    assertThat(json(wrongType).get("violations").get(0).get("path").asText()).startsWith("executors");
    assertThat(api.handle(post("/v1/tasks", "[1, 2]")).status()).isEqualTo(400);
  }

  @Test
  void aTaskCopiedFromTheServerIsAcceptedAndAnUnknownFieldIsNamed() {
    String id = create(api, HELLO);
    String copy = api.handle(get("/v1/tasks/" + id + "?view=FULL")).bodyText();
    assertThat(copy).contains("\"creation_time\"").contains("\"state\"");
    assertThat(api.handle(post("/v1/tasks", copy)).status()).as("id, state, logs and creation_time are the server's")
        .isEqualTo(200);

    ApiResponse typo = api.handle(post("/v1/tasks", HELLO.replace("\"name\"", "\"nmae\"")));
    assertThat(typo.status()).isEqualTo(400);
    assertThat(json(typo).get("violations").get(0).get("path").asText()).isEqualTo("nmae");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "null", "1", "\"task\"", "true", "{", "{}", "{\"executors\": null}", "{\"executors\": [null]}",
      "{\"executors\": [{}]}", "{\"executors\": [{\"image\": \"a\", \"command\": \"echo\"}]}",
      "{\"tags\": {\"a\": null}, \"executors\": [{\"image\": \"a\", \"command\": [\"x\"]}]}",
      "{\"tags\": [1], \"executors\": [{\"image\": \"a\", \"command\": [\"x\"]}]}",
      "{\"inputs\": [{\"url\": \"http://[::1\", \"path\": \"/in\"}], \"executors\": [{\"image\": \"a\", \"command\": [\"x\"]}]}",
      "{\"outputs\": [{\"url\": \"file:\", \"path\": \"/o\"}], \"executors\": [{\"image\": \"a\", \"command\": [\"x\"]}]}",
      "{\"resources\": {\"cpu_cores\": \"many\"}, \"executors\": [{\"image\": \"a\", \"command\": [\"x\"]}]}",
      "{\"resources\": {\"ram_gb\": 1e999}, \"executors\": [{\"image\": \"a\", \"command\": [\"x\"]}]}",
      "{\"executors\": [{\"image\": \"a\", \"command\": [\"x\"]}]} trailing",
      "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
      "\u0000\u00ff\ufffe"})
  void badTaskBodiesAre400NeverA500(String body) {
    ApiResponse answer = api.handle(post("/v1/tasks", body));
    assertThat(answer.status()).as(answer.bodyText()).isEqualTo(400);
    assertThat(json(answer).get("violations")).isNotEmpty();
  }

  @Test
  void deeplyNestedJsonIs400() {
    String deep = "{\"executors\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
    assertThat(api.handle(post("/v1/tasks", deep)).status()).isEqualTo(400);
  }

  @Test
  void bodyThatIsNotJsonIs415() {
    ApiResponse answer = api.handle(post("/v1/tasks", HELLO, "Content-Type", "text/plain"));
    assertThat(answer.status()).isEqualTo(415);
    assertThat(json(answer).get("message").asText()).contains("text/plain").contains("application/json");
    assertThat(api.handle(post("/v1/tasks", HELLO, "Content-Type", "application/vnd.tes+json")).status()).isEqualTo(200);
  }

  @Test
  void bodyOverTheLimitIs413() {
    TesApi small = TesApi.builder(engine).maxRequestBytes(100).build();
    String big = HELLO.replace("hello\"]", "x".repeat(200) + "\"]");
    assertThat(small.handle(post("/v1/tasks", big)).status()).isEqualTo(413);
    assertThat(small.handle(post("/v1/tasks", "{}", "Content-Length", "5000000")).status())
        .as("a declared length over the limit").isEqualTo(413);
    assertThat(small.handle(post("/v1/tasks", HELLO)).status()).isEqualTo(200);
  }

  @Test
  void queryParameterErrorsNameTheParameterAndWhatIsAllowed() {
    ApiResponse view = api.handle(get("/v1/tasks?view=EVERYTHING"));
    assertThat(view.status()).isEqualTo(400);
    assertThat(json(view).get("message").asText()).contains("view").contains("MINIMAL").contains("BASIC").contains("FULL");
    assertThat(json(view).get("violations").get(0).get("path").asText()).isEqualTo("view");

    ApiResponse tooBig = api.handle(get("/v1/tasks?page_size=2048"));
    assertThat(tooBig.status()).isEqualTo(400);
    assertThat(json(tooBig).get("message").asText()).contains("page_size").contains("less than 2048");
    assertThat(api.handle(get("/v1/tasks?page_size=0")).status()).isEqualTo(400);
    assertThat(json(api.handle(get("/v1/tasks?page_size=ten"))).get("message").asText()).contains("1 to 2047");
    assertThat(api.handle(get("/v1/tasks?page_size=2047")).status()).isEqualTo(200);

    ApiResponse state = api.handle(get("/v1/tasks?state=DONE"));
    assertThat(state.status()).isEqualTo(400);
    assertThat(json(state).get("message").asText()).contains("state").contains("COMPLETE").contains("CANCELING");

    assertThat(api.handle(get("/v1/tasks/X?view=nope")).status()).isEqualTo(400);
    assertThat(api.handle(get("/v1/tasks?tag_value=a")).status()).isEqualTo(400);
    assertThat(api.handle(get("/v1/tasks?view=FULL&view=BASIC")).status()).isEqualTo(400);
    assertThat(api.handle(get("/v1/tasks?page_token=not-a-token")).status()).isEqualTo(400);
    assertThat(api.handle(get("/v1/tasks?name_prefix=%zz")).status()).isEqualTo(400);
  }

  @Test
  void tagFilterFollowsTheSpecTruthTable() {
    String fooBar = create(api, tagged("\"foo\":\"bar\""));
    String fooBat = create(api, tagged("\"foo\":\"bat\""));
    String fooEmpty = create(api, tagged("\"foo\":\"\""));
    String both = create(api, tagged("\"foo\":\"bar\",\"baz\":\"bat\""));
    String none = create(api, HELLO);

    assertThat(listedIds("tag_key=foo&tag_value=bar")).containsExactlyInAnyOrder(fooBar, both);
    assertThat(listedIds("tag_key=foo&tag_value=bar&tag_key=baz&tag_value=bat")).containsExactly(both);
    assertThat(listedIds("tag_key=foo")).containsExactlyInAnyOrder(fooBar, fooBat, fooEmpty, both);
    assertThat(listedIds("tag_key=foo&tag_value=")).containsExactlyInAnyOrder(fooBar, fooBat, fooEmpty, both);
    assertThat(listedIds("tag_key=baz&tag_key=foo&tag_value=bat")).as("a short tag_value list pads with \"\"")
        .containsExactly(both);
    assertThat(listedIds("")).contains(none).hasSize(5);
  }

  private static String tagged(String tags) {
    return HELLO.replace("{\"name\"", "{\"tags\":{" + tags + "},\"name\"");
  }

  private List<String> listedIds(String query) {
    ApiResponse answer = api.handle(get("/ga4gh/tes/v1/tasks?" + query));
    assertThat(answer.status()).as(answer.bodyText()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    json(answer).get("tasks").forEach(task -> ids.add(task.get("id").asText()));
    return ids;
  }

  @Test
  void pagesCarryATokenOnlyWhenMoreExist() {
    for (int i = 0; i < 5; i++) {
      create(api, HELLO);
    }
    JsonNode first = json(api.handle(get("/v1/tasks?page_size=3&name_prefix=hel")));
    assertThat(first.get("tasks")).hasSize(3);
    String token = first.get("next_page_token").asText();
    JsonNode second = json(api.handle(get("/v1/tasks?page_size=3&name_prefix=hel&page_token=" + token)));
    assertThat(second.get("tasks")).hasSize(2);
    assertThat(second.has("next_page_token")).isFalse();
  }

  @Test
  void requestIdIsTakenWhenSaneAndGeneratedOtherwise() {
    ApiResponse taken = api.handle(get("/v1/tasks/NOPE", "X-Request-Id", "trace-42"));
    assertThat(taken.headers()).containsEntry("X-Request-Id", "trace-42");
    assertThat(json(taken).get("request_id").asText()).isEqualTo("trace-42");

    for (String insane : List.of("x".repeat(129), "two words", "line\nbreak", "")) {
      ApiResponse generated = api.handle(get("/v1/service-info", "X-Request-Id", insane));
      assertThat(generated.headers().get("X-Request-Id")).isNotEqualTo(insane).matches("[0-9a-z]{16}");
    }
    ApiResponse first = api.handle(get("/v1/service-info"));
    ApiResponse second = api.handle(get("/v1/service-info"));
    assertThat(first.headers().get("X-Request-Id")).isNotEqualTo(second.headers().get("X-Request-Id"));
  }

  @Test
  void oneLogLinePerRequestNamesTheRequestIdAndUserButNoCredential() {
    TesApi secured = TesApi.builder(engine).authenticator(Requests.tokens()).build();
    java.io.PrintStream original = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      secured.handle(post("/v1/tasks", HELLO, "Authorization", "Bearer alice-token", "X-Request-Id", "log-check-1"));
      secured.handle(get("/v1/tasks", "Authorization", "Bearer wrong-secret", "X-Request-Id", "log-check-2"));
    } finally {
      System.setErr(original);
    }
    String log = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(log).contains("request log-check-1: POST /v1/tasks -> 200 in ").contains("ms, user alice")
        .contains("request log-check-2: GET /v1/tasks -> 401 in ");
    assertThat(log.lines().filter(line -> line.contains("log-check-1"))).hasSize(1);
    assertThat(log).doesNotContain("alice-token").doesNotContain("wrong-secret").doesNotContain("hello\"]");
  }

  @Test
  void missingOrWrongCredentialsAre401WithTheChallengeAndMissingScopeIs403() {
    TesApi secured = TesApi.builder(engine).authenticator(Requests.tokens()).build();
    ApiResponse none = secured.handle(get("/v1/tasks"));
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.headers()).containsEntry("WWW-Authenticate", "Bearer realm=\"tes4j\"");
    assertThat(json(none).get("message").asText()).contains("no credentials");

    ApiResponse wrong = secured.handle(get("/v1/tasks", "Authorization", "Bearer stolen"));
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.bodyText()).doesNotContain("stolen");

    assertThat(secured.handle(get("/v1/tasks", "Authorization", "Bearer reader-token")).status()).isEqualTo(200);
    ApiResponse submit = secured.handle(post("/v1/tasks", HELLO, "Authorization", "Bearer reader-token"));
    assertThat(submit.status()).isEqualTo(403);
    assertThat(json(submit).get("message").asText()).contains("reader").contains("submit");

    String id = create(secured, HELLO, "Authorization", "Bearer alice-token");
    ApiResponse cancel = secured.handle(post("/v1/tasks/" + id + ":cancel", null, "authorization", "Bearer reader-token"));
    assertThat(cancel.status()).isEqualTo(403);
    assertThat(json(cancel).get("message").asText()).contains("cancel");
    assertThat(secured.handle(get("/v1/service-info", "Authorization", "Bearer reader-token")).status()).isEqualTo(200);
  }

  @Test
  void anIdentityProviderThatIsDownIs503WithRetryAfterNot401() {
    TesApi secured = TesApi.builder(engine).authenticator(authorization -> {
      throw new io.tes4j.server.auth.AuthenticationUnavailableException(
          "the issuer's keys could not be fetched, so the token cannot be checked now");
    }).build();

    ApiResponse answer = secured.handle(get("/v1/tasks", "Authorization", "Bearer some.jwt.value"));

    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.headers()).containsEntry("Retry-After", "30").doesNotContainKey("WWW-Authenticate");
    assertThat(json(answer).get("message").asText()).contains("could not be fetched");
    assertThat(answer.bodyText()).doesNotContain("some.jwt.value");
  }

  @Test
  void isolatedUsersSeeAndCancelOnlyTheirOwnTasks() {
    TesApi isolated = TesApi.builder(engine).authenticator(Requests.tokens()).isolateUsers(true).build();
    String alices = create(isolated, tagged("\"project\":\"x\""), "Authorization", "Bearer alice-token");
    String bobs = create(isolated, HELLO, "Authorization", "Bearer bob-token");
    assertThat(engine.getTask(alices, View.BASIC).tags()).containsEntry(TesApi.OWNER_TAG, "alice");

    ApiResponse peek = isolated.handle(get("/v1/tasks/" + alices, "Authorization", "Bearer bob-token"));
    ApiResponse unknown = isolated.handle(get("/v1/tasks/NOPE", "Authorization", "Bearer bob-token"));
    assertThat(peek.status()).isEqualTo(404);
    assertThat(json(peek).get("message").asText()).isEqualTo("no task with id '" + alices + "'");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(isolated.handle(post("/v1/tasks/" + alices + ":cancel", null, "Authorization", "Bearer bob-token"))
        .status()).isEqualTo(404);
    assertThat(engine.getTask(alices, View.MINIMAL).state()).as("not cancelled by bob").isNotIn(State.CANCELED,
        State.CANCELING);

    JsonNode bobsList = json(isolated.handle(get("/v1/tasks", "Authorization", "Bearer bob-token")));
    assertThat(bobsList.get("tasks")).hasSize(1);
    assertThat(bobsList.get("tasks").get(0).get("id").asText()).isEqualTo(bobs);
    JsonNode spying = json(isolated.handle(get("/v1/tasks?tag_key=tes4j.owner&tag_value=alice",
        "Authorization", "Bearer bob-token")));
    assertThat(spying.get("tasks")).isEmpty();

    assertThat(isolated.handle(get("/v1/tasks/" + alices, "Authorization", "Bearer alice-token")).status()).isEqualTo(200);
    assertThat(isolated.handle(post("/v1/tasks/" + alices + ":cancel", null, "Authorization", "Bearer alice-token"))
        .status()).isEqualTo(200);

    ApiResponse forged = isolated.handle(post("/v1/tasks", tagged("\"tes4j.owner\":\"alice\""),
        "Authorization", "Bearer bob-token"));
    assertThat(forged.status()).isEqualTo(400);
    assertThat(json(forged).get("violations").get(0).get("path").asText()).isEqualTo("tags.tes4j.owner");
    assertThat(create(isolated, tagged("\"tes4j.owner\":\"bob\""), "Authorization", "Bearer bob-token")).isNotBlank();
  }

  @Test
  void somethingUnexpectedInsideTheClientIsA500WithAGenericMessage() {
    TesClient broken = new TesClient() {
      @Override
      public ServiceInfo serviceInfo() {
        throw new IllegalStateException("secret internal detail");
      }

      @Override
      public String createTask(Task task) {
        throw new NullPointerException("boom");
      }

      @Override
      public Task getTask(String id, View view) {
        throw new IllegalStateException("secret internal detail");
      }

      @Override
      public ListTasksResponse listTasks(ListTasksRequest request) {
        throw new IllegalStateException("secret internal detail");
      }

      @Override
      public void cancelTask(String id) {
        throw new IllegalStateException("secret internal detail");
      }

      @Override
      public void close() {}
    };
    TesApi over = TesApi.builder(broken).build();
    for (ApiRequest request : List.of(get("/v1/service-info"), post("/v1/tasks", HELLO), get("/v1/tasks/X"),
        get("/v1/tasks"), post("/v1/tasks/X:cancel", null))) {
      ApiResponse answer = over.handle(request);
      assertThat(answer.status()).as(request.toString()).isEqualTo(500);
      assertThat(answer.bodyText()).doesNotContain("secret").doesNotContain("boom")
          .contains(answer.headers().get("X-Request-Id"));
    }
  }

  @Test
  void aClosedClientIs503() {
    engine.close();
    ApiResponse answer = api.handle(get("/v1/tasks"));
    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.headers()).doesNotContainKey("Retry-After");
  }

  @Test
  void aTaskTheEngineCannotStoreIs503WithRetryAfterAndIsNotCreated() {
    io.tes4j.store.MemoryTaskStore memory = new io.tes4j.store.MemoryTaskStore();
    try (TesEngine failing = TesEngine.builder().backend(MockBackend.create()).store(new InsertsFail(memory))
        .storeRetry(2, Duration.ZERO, Duration.ZERO).build()) {
      ApiResponse answer = TesApi.builder(failing).build().handle(post("/v1/tasks", HELLO));

      assertThat(answer.status()).isEqualTo(503);
      assertThat(answer.headers()).containsEntry("Retry-After", "5");
      assertThat(json(answer).get("message").asText()).contains("try again later").doesNotContain("disk");
      assertThat(memory.count()).isZero();
      assertThat(failing.listTasks(ListTasksRequest.all()).tasks()).isEmpty();
    }
  }

  @Test
  void aCreateBeyondMaxQueuedIs503WithRetryAfterAndIsNotCreated() {
    try (TesEngine full = TesEngine.builder().backend(MockBackend.builder().delay(Duration.ofMinutes(5)).build())
        .maxRunning(1).maxQueued(1).build()) {
      TesApi over = TesApi.builder(full).build();
      assertThat(over.handle(post("/v1/tasks", HELLO)).status()).isEqualTo(200); // runs
      assertThat(over.handle(post("/v1/tasks", HELLO)).status()).isEqualTo(200); // waits QUEUED

      ApiResponse answer = over.handle(post("/v1/tasks", HELLO));

      assertThat(answer.status()).isEqualTo(503);
      assertThat(answer.headers()).containsEntry("Retry-After", "5");
      assertThat(json(answer).get("message").asText())
          .isEqualTo("the engine's queue is full (maxQueued=1 tasks waiting QUEUED): try again once some have started");
      assertThat(full.listTasks(ListTasksRequest.all()).tasks()).hasSize(2);
    }
  }

  /** A store whose inserts fail, as a database that is down does. */
  private static final class InsertsFail implements io.tes4j.store.TaskStore {
    private final io.tes4j.store.TaskStore delegate;

    InsertsFail(io.tes4j.store.TaskStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public void insert(io.tes4j.store.StoredTask task) {
      throw new io.tes4j.store.TaskStoreException("insert", task.id(), "the disk is full", null);
    }

    @Override
    public java.util.Optional<io.tes4j.store.StoredTask> get(String id) {
      return delegate.get(id);
    }

    @Override
    public void update(io.tes4j.store.StoredTask task) {
      delegate.update(task);
    }

    @Override
    public io.tes4j.store.TaskPage list(io.tes4j.store.TaskQuery query) {
      return delegate.list(query);
    }

    @Override
    public List<io.tes4j.store.StoredTask> unfinished() {
      return delegate.unfinished();
    }

    @Override
    public long count() {
      return delegate.count();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
