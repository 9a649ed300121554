package io.tes4j.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.tes4j.model.Executor;
import io.tes4j.model.ExecutorLog;
import io.tes4j.model.ListTasksResponse;
import io.tes4j.model.ServiceInfo;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.TaskLog;
import io.tes4j.model.TesJson;
import io.tes4j.model.TesJsonException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Every remote command against a real HTTP server on the loopback interface. */
class RemoteCommandsTest {
  static final String BASE = "/ga4gh/tes/v1";

  @RegisterExtension
  static WireMockExtension wm =
      WireMockExtension.newInstance()
          .options(WireMockConfiguration.wireMockConfig().bindAddress("127.0.0.1").dynamicPort())
          .build();

  @TempDir Path dir;

  static String server() {
    return wm.baseUrl() + BASE;
  }

  /** {@code args} after the command, with {@code --server} and no retries. */
  static CliResult tes4j(String command, String... args) {
    return tes4jWithEnv(Map.of(), command, args);
  }

  static CliResult tes4jWithEnv(Map<String, String> env, String command, String... args) {
    String[] all = new String[args.length + 5];
    all[0] = command;
    System.arraycopy(args, 0, all, 1, args.length);
    all[args.length + 1] = "--server";
    all[args.length + 2] = server();
    all[args.length + 3] = "--retries";
    all[args.length + 4] = "0";
    return CliResult.run(env, all);
  }

  static Task task(String id, State state) {
    return Task.builder()
        .id(id)
        .state(state)
        .name("task " + id)
        .addExecutor(Executor.of("alpine:3.20", "echo", id))
        .tag("project", "demo")
        .build();
  }

  // --- service-info ---------------------------------------------------------------------------

  @Test
  void serviceInfoPrintsTheServersAnswerAsIndentedJson() {
    String info =
        """
        {"id": "org.example.tes", "name": "Example TES", "type": {"group": "org.ga4gh",
         "artifact": "tes", "version": "1.1.0"}, "organization": {"name": "Example",
         "url": "https://example.org"}, "version": "1.2.3", "storage": ["file:///data"]}
        """;
    wm.stubFor(get(BASE + "/service-info").willReturn(okJson(info)));

    CliResult r = tes4j("service-info");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(TesJson.read(r.out(), ServiceInfo.class)).isEqualTo(TesJson.read(info, ServiceInfo.class));
    assertThat(r.out()).contains("\n  \"name\" : \"Example TES\"");
  }

  @Test
  void theServerMayComeFromTheEnvironment() {
    wm.stubFor(get(BASE + "/service-info").willReturn(okJson("{\"id\":\"x\",\"name\":\"from env\"}")));

    CliResult r = CliResult.run(Map.of("TES_SERVER", server()), "service-info", "--retries", "0");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).contains("from env");
  }

  // --- submit ---------------------------------------------------------------------------------

  @Test
  void submitSendsTheTaskAndPrintsOnlyTheId() throws IOException {
    String json = Files.readString(Path.of("..", "examples", "tasks", "hello.json"));
    Path file = dir.resolve("hello.json");
    Files.writeString(file, json);
    wm.stubFor(post(BASE + "/tasks").willReturn(okJson("{\"id\":\"task-42\"}")));

    CliResult r = tes4j("submit", file.toString());

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("task-42" + System.lineSeparator());
    assertThat(r.err()).isEmpty();
    wm.verify(
        1,
        postRequestedFor(urlPathEqualTo(BASE + "/tasks"))
            .withRequestBody(equalToJson(TesJson.write(TesJson.read(json, Task.class)))));
  }

  @Test
  void submitReadsStandardInput() {
    wm.stubFor(post(BASE + "/tasks").willReturn(okJson("{\"id\":\"from-stdin\"}")));

    CliResult r =
        CliResult.runWithStdin(
            ValidateCommandTest.VALID, Map.of("TES_SERVER", server()), "submit", "-");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out().strip()).isEqualTo("from-stdin");
  }

  @Test
  void anInvalidTaskIsNotSent() throws IOException {
    Path file = dir.resolve("bad.json");
    Files.writeString(file, ValidateCommandTest.INVALID);

    CliResult r = tes4j("submit", file.toString());

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.errLines()).hasSize(3).allMatch(l -> l.startsWith(file + ": "));
    assertThat(r.errLines().get(1)).startsWith(file + ": executors[0].image: ");
    wm.verify(0, anyRequestedFor(anyUrl()));
  }

  @Test
  void aMissingFileIsNotSent() {
    String missing = dir.resolve("missing.json").toString();

    CliResult r = tes4j("submit", missing);

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.errLines()).containsExactly(missing + ": cannot read: no such file");
    wm.verify(0, anyRequestedFor(anyUrl()));
  }

  @Test
  void aTaskTheServerRejectsExitsOneWithFileLines() throws IOException {
    Path file = dir.resolve("task.json");
    Files.writeString(file, ValidateCommandTest.VALID);
    wm.stubFor(
        post(BASE + "/tasks")
            .willReturn(
                aResponse()
                    .withStatus(400)
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"message\": \"image alpine:3.20 is not allowed here\"}")));

    CliResult r = tes4j("submit", file.toString());

    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.errLines()).isNotEmpty().allMatch(l -> l.startsWith(file + ": "));
    assertThat(r.err()).contains("is not allowed here");
  }

  // --- get ------------------------------------------------------------------------------------

  @Test
  void getAsksForTheFullViewByDefaultAndPrintsTheTask() {
    Task task = task("t1", State.RUNNING);
    wm.stubFor(get(urlPathEqualTo(BASE + "/tasks/t1")).willReturn(okJson(TesJson.write(task))));

    CliResult r = tes4j("get", "t1");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(TesJson.read(r.out(), Task.class)).isEqualTo(task);
    wm.verify(getRequestedFor(urlPathEqualTo(BASE + "/tasks/t1")).withQueryParam("view", equalTo("FULL")));
  }

  @Test
  void getSendsTheViewAskedFor() {
    Task minimal = Task.builder().id("t1").state(State.QUEUED).build();
    wm.stubFor(get(urlPathEqualTo(BASE + "/tasks/t1")).willReturn(okJson(TesJson.write(minimal))));

    CliResult r = tes4j("get", "t1", "--view", "minimal");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(TesJson.read(r.out(), Task.class)).isEqualTo(minimal);
    wm.verify(getRequestedFor(urlPathEqualTo(BASE + "/tasks/t1")).withQueryParam("view", equalTo("MINIMAL")));
  }

  // --- list -----------------------------------------------------------------------------------

  @Test
  void listSendsEveryFilterAndPrintsThePage() {
    ListTasksResponse page =
        new ListTasksResponse(List.of(task("a", State.RUNNING), task("b", State.RUNNING)), "next-1");
    wm.stubFor(get(urlPathEqualTo(BASE + "/tasks")).willReturn(okJson(TesJson.write(page))));

    CliResult r =
        tes4j(
            "list",
            "--state", "RUNNING",
            "--name-prefix", "task ",
            "--tag", "project=demo",
            "--tag", "owner",
            "--tag", "stage=",
            "--view", "BASIC",
            "--page-size", "2",
            "--page-token", "start");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(TesJson.read(r.out(), ListTasksResponse.class)).isEqualTo(page);
    assertThat(r.out()).contains("\"next_page_token\" : \"next-1\"");
    LoggedRequest sent = onlyRequest();
    assertThat(sent.queryParameter("state").values()).containsExactly("RUNNING");
    assertThat(sent.queryParameter("name_prefix").values()).containsExactly("task ");
    assertThat(sent.queryParameter("view").values()).containsExactly("BASIC");
    assertThat(sent.queryParameter("page_size").values()).containsExactly("2");
    assertThat(sent.queryParameter("page_token").values()).containsExactly("start");
    // Zipped pairs, in order; a key without a value matches any value.
    assertThat(sent.queryParameter("tag_key").values()).containsExactly("project", "owner", "stage");
    assertThat(sent.queryParameter("tag_value").values()).containsExactly("demo", "", "");
  }

  @Test
  void listWithoutOptionsSendsNoFiltersAndTheMinimalView() {
    wm.stubFor(get(urlPathEqualTo(BASE + "/tasks")).willReturn(okJson("{\"tasks\": []}")));

    CliResult r = tes4j("list");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(TesJson.read(r.out(), ListTasksResponse.class).tasks()).isEmpty();
    LoggedRequest sent = onlyRequest();
    assertThat(sent.getQueryParams()).containsOnlyKeys("view");
    assertThat(sent.queryParameter("view").values()).containsExactly("MINIMAL");
  }

  @Test
  void listAllFollowsEveryPageAndConcatenatesTheTasks() {
    stubPage(null, "p2", task("a", State.COMPLETE), task("b", State.RUNNING));
    stubPage("p2", "p3", task("c", State.QUEUED));
    stubPage("p3", null, task("d", State.COMPLETE), task("e", State.EXECUTOR_ERROR));

    CliResult r = tes4j("list", "--all", "--page-size", "2", "--tag", "project=demo");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.err()).isEmpty();
    ListTasksResponse all = TesJson.read(r.out(), ListTasksResponse.class);
    assertThat(all.tasks()).extracting(Task::id).containsExactly("a", "b", "c", "d", "e");
    assertThat(all.tasks().get(4)).isEqualTo(task("e", State.EXECUTOR_ERROR));
    assertThat(all.nextPageToken()).isNull();
    assertThat(r.out()).doesNotContain("next_page_token");
    List<LoggedRequest> sent = wm.findAll(getRequestedFor(urlPathEqualTo(BASE + "/tasks")));
    assertThat(sent).hasSize(3);
    assertThat(sent).allSatisfy(q -> {
      assertThat(q.queryParameter("page_size").values()).containsExactly("2");
      assertThat(q.queryParameter("tag_key").values()).containsExactly("project");
    });
  }

  @Test
  void listAllThatFailsMidwayLeavesTheJsonUnfinishedAndExitsThree() {
    stubPage(null, "p2", task("a", State.COMPLETE));
    wm.stubFor(
        get(urlPathEqualTo(BASE + "/tasks"))
            .withQueryParam("page_token", equalTo("p2"))
            .willReturn(aResponse().withStatus(500).withBody("{\"message\":\"database gone\"}")));

    CliResult r = tes4j("list", "--all");

    assertThat(r.code()).as(r.toString()).isEqualTo(3);
    assertThat(r.out()).startsWith("{").contains("\"id\" : \"a\"");
    // Not closed: a reader of the output cannot mistake it for the whole list.
    assertThatThrownBy(() -> TesJson.read(r.out(), ListTasksResponse.class))
        .isInstanceOf(TesJsonException.class);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0)).startsWith("tes4j: ").contains("500", "database gone");
  }

  @Test
  void listAllOfNothingIsAnEmptyList() {
    stubPage(null, null);

    CliResult r = tes4j("list", "--all");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(TesJson.read(r.out(), ListTasksResponse.class).tasks()).isEmpty();
  }

  private static void stubPage(String token, String next, Task... tasks) {
    var request = get(urlPathEqualTo(BASE + "/tasks"));
    if (token == null) {
      request = request.withQueryParam("page_token", com.github.tomakehurst.wiremock.client.WireMock.absent());
    } else {
      request = request.withQueryParam("page_token", equalTo(token));
    }
    wm.stubFor(request.willReturn(okJson(TesJson.write(new ListTasksResponse(List.of(tasks), next)))));
  }

  private static LoggedRequest onlyRequest() {
    List<LoggedRequest> all = wm.findAll(anyRequestedFor(anyUrl()));
    assertThat(all).hasSize(1);
    return all.get(0);
  }

  // --- cancel ---------------------------------------------------------------------------------

  @Test
  void cancelPostsToTheCancelPathAndPrintsNothing() {
    wm.stubFor(post(BASE + "/tasks/t1:cancel").willReturn(okJson("{}")));

    CliResult r = tes4j("cancel", "t1");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEmpty();
    wm.verify(1, postRequestedFor(urlPathEqualTo(BASE + "/tasks/t1:cancel")));
  }

  // --- wait -----------------------------------------------------------------------------------

  private static void stubViews(String id, State minimalState, Task full) {
    wm.stubFor(
        get(urlPathEqualTo(BASE + "/tasks/" + id))
            .withQueryParam("view", equalTo("MINIMAL"))
            .willReturn(okJson(TesJson.write(Task.builder().id(id).state(minimalState).build()))));
    wm.stubFor(
        get(urlPathEqualTo(BASE + "/tasks/" + id))
            .withQueryParam("view", equalTo("FULL"))
            .willReturn(okJson(TesJson.write(full))));
  }

  @Test
  void waitPrintsCompleteAndExitsZero() {
    stubViews("t1", State.COMPLETE, task("t1", State.COMPLETE));

    CliResult r = tes4j("wait", "t1", "--timeout", "10s");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("COMPLETE" + System.lineSeparator());
    assertThat(r.err()).isEmpty();
  }

  @Test
  void waitPrintsAFailedStateAndExitsOne() {
    Task failed =
        task("t2", State.EXECUTOR_ERROR).toBuilder()
            .addLog(TaskLog.builder().logs(List.of(ExecutorLog.builder().exitCode(3).build())).build())
            .build();
    stubViews("t2", State.EXECUTOR_ERROR, failed);

    CliResult r = tes4j("wait", "t2");

    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(r.out()).isEqualTo("EXECUTOR_ERROR" + System.lineSeparator());
    assertThat(r.errLines())
        .containsExactly("tes4j: task t2 ended EXECUTOR_ERROR (executor 0 exited with code 3)");
  }

  @Test
  void waitThatTimesOutPrintsTheCurrentStateAndExitsOne() {
    stubViews("t3", State.RUNNING, task("t3", State.RUNNING));

    long start = System.nanoTime();
    CliResult r = tes4j("wait", "t3", "--timeout", "700ms");
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(r.out()).isEqualTo("RUNNING" + System.lineSeparator());
    assertThat(r.errLines())
        .containsExactly("tes4j: task t3 did not end within 700ms; it is RUNNING and goes on running");
    assertThat(millis).isGreaterThanOrEqualTo(700).isLessThan(10_000);
  }

  // --- authentication and headers ------------------------------------------------------------

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static String authorizationSentWith(Map<String, String> env, String... args) {
    wm.stubFor(get(BASE + "/service-info").willReturn(okJson("{\"id\":\"x\"}")));
    CliResult r = tes4jWithEnv(env, "service-info", args);
    assertThat(r.code()).as(r.toString()).isZero();
    LoggedRequest sent = onlyRequest();
    return sent.containsHeader("Authorization") ? sent.getHeader("Authorization") : null;
  }

  @Test
  void noCredentialsSendNoAuthorization() {
    assertThat(authorizationSentWith(Map.of())).isNull();
  }

  @Test
  void basicCredentialsFromOptions() {
    assertThat(authorizationSentWith(Map.of(), "--user", "alice", "--password", "pw1"))
        .isEqualTo(basic("alice", "pw1"));
  }

  @Test
  void basicCredentialsFromTheEnvironment() {
    assertThat(authorizationSentWith(Map.of("TES_USER", "bob", "TES_PASSWORD", "pw2")))
        .isEqualTo(basic("bob", "pw2"));
  }

  @Test
  void aUserOptionTakesItsPasswordFromTheEnvironment() {
    assertThat(authorizationSentWith(Map.of("TES_PASSWORD", "pw3"), "--user", "carol"))
        .isEqualTo(basic("carol", "pw3"));
  }

  @Test
  void bearerTokenFromOptionAndFromTheEnvironment() {
    assertThat(authorizationSentWith(Map.of(), "--token", "tok-1")).isEqualTo("Bearer tok-1");
    wm.resetAll();
    assertThat(authorizationSentWith(Map.of("TES_TOKEN", "tok-2"))).isEqualTo("Bearer tok-2");
  }

  @Test
  void optionsWinOverTheEnvironment() {
    Map<String, String> env = Map.of("TES_USER", "env-user", "TES_PASSWORD", "env-pw", "TES_TOKEN", "env-tok");
    assertThat(authorizationSentWith(env, "--token", "flag-tok")).isEqualTo("Bearer flag-tok");
    wm.resetAll();
    assertThat(authorizationSentWith(env, "--user", "flag-user", "--password", "flag-pw"))
        .isEqualTo(basic("flag-user", "flag-pw"));
  }

  @Test
  void extraHeadersAreSent() {
    wm.stubFor(get(BASE + "/service-info").willReturn(okJson("{\"id\":\"x\"}")));

    CliResult r = tes4j("service-info", "--header", "X-Project=demo", "--header", "X-Trace = a=b");

    assertThat(r.code()).as(r.toString()).isZero();
    LoggedRequest sent = onlyRequest();
    assertThat(sent.getHeader("X-Project")).isEqualTo("demo");
    assertThat(sent.getHeader("X-Trace")).isEqualTo("a=b");
    assertThat(sent.getHeader("User-Agent")).startsWith("tes4j-cli/");
  }
}
