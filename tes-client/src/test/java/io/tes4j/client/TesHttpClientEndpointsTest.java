package io.tes4j.client;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.tes4j.client.Fixtures.BASE;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.tes4j.api.ListTasksRequest;
import io.tes4j.model.Executor;
import io.tes4j.model.Input;
import io.tes4j.model.ListTasksResponse;
import io.tes4j.model.Output;
import io.tes4j.model.Resources;
import io.tes4j.model.ServiceInfo;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import java.net.URI;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each TES route: the request that goes out, and the value that comes back. */
class TesHttpClientEndpointsTest {
  @RegisterExtension static WireMockExtension wm = Fixtures.wireMock();

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
  void serviceInfoIsReadWithItsTesFields() {
    wm.stubFor(
        get(BASE + "/service-info")
            .willReturn(
                okJson(
                    """
                    {"id": "org.example.tes", "name": "Example TES", "type": {"group": "org.ga4gh",
                     "artifact": "tes", "version": "1.1.0"}, "organization": {"name": "Example",
                     "url": "https://example.org"}, "version": "2.3.0",
                     "storage": ["s3://bucket/", "file:///data"],
                     "tesResources_backend_parameters": ["VmSize"]}
                    """)));

    ServiceInfo info = client.serviceInfo();

    assertThat(info.name()).isEqualTo("Example TES");
    assertThat(info.type()).isEqualTo(ServiceInfo.ServiceType.TES_1_1);
    assertThat(info.storage()).containsExactly("s3://bucket/", "file:///data");
    assertThat(info.tesResourcesBackendParameters()).containsExactly("VmSize");
    wm.verify(
        getRequestedFor(urlEqualTo(BASE + "/service-info"))
            .withHeader("Accept", equalTo("application/json"))
            .withHeader("User-Agent", matching("tes4j/\\d+\\.\\d+\\.\\d+.*")));
  }

  @Test
  void createTaskPostsTheTaskAsSnakeCaseJsonAndReturnsTheNewId() {
    wm.stubFor(post(BASE + "/tasks").willReturn(okJson("{\"id\": \"task-0001\"}")));
    Task task =
        Task.builder()
            .name("count words")
            .addInput(Input.ofContent("hello world\n", "/in/hello.txt"))
            .addExecutor(Executor.of("alpine:3.20", "sh", "-c", "wc -w /in/hello.txt > /out/n"))
            .addOutput(Output.of("/out/n", "s3://bucket/n"))
            .resources(Resources.builder().cpuCores(2.0).ramGb(4.0).build())
            .tag("project", "demo")
            .build();

    String id = client.createTask(task);

    assertThat(id).isEqualTo("task-0001");
    wm.verify(
        1,
        postRequestedFor(urlEqualTo(BASE + "/tasks"))
            .withHeader("Content-Type", equalTo("application/json"))
            .withHeader("Accept", equalTo("application/json"))
            .withRequestBody(
                equalToJson(
                    """
                    {"name": "count words",
                     "inputs": [{"content": "hello world\\n", "path": "/in/hello.txt"}],
                     "executors": [{"image": "alpine:3.20",
                                    "command": ["sh", "-c", "wc -w /in/hello.txt > /out/n"]}],
                     "outputs": [{"path": "/out/n", "url": "s3://bucket/n"}],
                     "resources": {"cpu_cores": 2, "ram_gb": 4.0},
                     "tags": {"project": "demo"}}
                    """)));
  }

  @ParameterizedTest
  @EnumSource(View.class)
  void getTaskSendsTheViewExplicitly(View view) {
    wm.stubFor(
        get(urlPathEqualTo(BASE + "/tasks/task-1"))
            .willReturn(okJson(Fixtures.fullTaskJson("task-1", "RUNNING"))));

    Task task = client.getTask("task-1", view);

    assertThat(task.id()).isEqualTo("task-1");
    assertThat(task.state()).isEqualTo(State.RUNNING);
    wm.verify(1, getRequestedFor(urlEqualTo(BASE + "/tasks/task-1?view=" + view.name())));
  }

  @Test
  void getTaskWithoutViewAsksForFullAndReadsTheLogs() {
    wm.stubFor(
        get(urlPathEqualTo(BASE + "/tasks/task-2"))
            .willReturn(okJson(Fixtures.fullTaskJson("task-2", "COMPLETE"))));

    Task task = client.getTask("task-2");

    assertThat(task.lastLog().orElseThrow().logs().get(0).exitCode()).isZero();
    assertThat(task.lastLog().orElseThrow().systemLogs()).containsExactly("pulled alpine:3.20");
    wm.verify(getRequestedFor(urlEqualTo(BASE + "/tasks/task-2?view=FULL")));
  }

  @Test
  void getTaskWithNullViewSendsTheSpecDefaultMinimal() {
    wm.stubFor(
        get(urlPathEqualTo(BASE + "/tasks/t"))
            .willReturn(okJson(Fixtures.minimalTaskJson("t", "QUEUED"))));

    assertThat(client.getTask("t", null).state()).isEqualTo(State.QUEUED);
    wm.verify(getRequestedFor(urlEqualTo(BASE + "/tasks/t?view=MINIMAL")));
  }

  @Test
  void listTasksSendsEveryFilterEncodedWithTagPairsInOrder() {
    wm.stubFor(
        get(urlPathEqualTo(BASE + "/tasks"))
            .willReturn(okJson("{\"tasks\": [{\"id\": \"a\", \"state\": \"RUNNING\"}]}")));
    ListTasksRequest request =
        ListTasksRequest.builder()
            .namePrefix("run 1 & co=x")
            .state(State.RUNNING)
            .tag("project", "dëmo 日本")
            .tag("owner", "")
            .tag("a&b", "c=d+e")
            .pageSize(50)
            .pageToken("tok/+=")
            .view(View.BASIC)
            .build();

    ListTasksResponse page = client.listTasks(request);

    assertThat(page.tasks()).extracting(Task::id).containsExactly("a");
    assertThat(page.nextPage()).isEmpty();
    // The exact bytes on the wire: percent-encoding (space as %20), pairs zipped by position.
    wm.verify(
        1,
        getRequestedFor(
            urlEqualTo(
                BASE
                    + "/tasks?name_prefix=run%201%20%26%20co%3Dx&state=RUNNING"
                    + "&tag_key=project&tag_value=d%C3%ABmo%20%E6%97%A5%E6%9C%AC"
                    + "&tag_key=owner&tag_value="
                    + "&tag_key=a%26b&tag_value=c%3Dd%2Be"
                    + "&page_size=50&page_token=tok%2F%2B%3D&view=BASIC")));
    // And what a server decodes from them.
    LoggedRequest sent = wm.findAll(getRequestedFor(urlPathEqualTo(BASE + "/tasks"))).get(0);
    assertThat(sent.queryParameter("name_prefix").values()).containsExactly("run 1 & co=x");
    assertThat(sent.queryParameter("tag_key").values()).containsExactly("project", "owner", "a&b");
    assertThat(sent.queryParameter("tag_value").values()).containsExactly("dëmo 日本", "", "c=d+e");
    assertThat(sent.queryParameter("page_token").values()).containsExactly("tok/+=");
  }

  @Test
  void listTasksWithoutFiltersSendsOnlyTheMinimalView() {
    wm.stubFor(get(urlPathEqualTo(BASE + "/tasks")).willReturn(okJson("{\"tasks\": []}")));

    assertThat(client.listTasks(ListTasksRequest.all()).tasks()).isEmpty();
    wm.verify(getRequestedFor(urlEqualTo(BASE + "/tasks?view=MINIMAL")));
  }

  @Test
  void cancelTaskPostsToTheLiteralColonCancelRoute() {
    wm.stubFor(post(urlPathEqualTo(BASE + "/tasks/task-9:cancel")).willReturn(okJson("{}")));

    client.cancelTask("task-9");

    wm.verify(
        1,
        postRequestedFor(urlEqualTo(BASE + "/tasks/task-9:cancel"))
            .withHeader("Content-Type", equalTo("application/json")));
  }

  @Test
  void cancelTaskEscapesAnIdThatWouldOtherwiseChangeTheRoute() {
    wm.stubFor(
        post(urlEqualTo(BASE + "/tasks/run%201%23%C3%BC%3Fx%3A2:cancel")).willReturn(okJson("{}")));

    client.cancelTask("run 1#ü?x:2");

    wm.verify(1, postRequestedFor(urlEqualTo(BASE + "/tasks/run%201%23%C3%BC%3Fx%3A2:cancel")));
  }

  @Test
  void cancelTaskAcceptsAnEmptyAnswer() {
    wm.stubFor(
        post(urlPathEqualTo(BASE + "/tasks/t:cancel")).willReturn(aResponse().withStatus(200)));

    client.cancelTask("t");

    wm.verify(1, postRequestedFor(urlEqualTo(BASE + "/tasks/t:cancel")));
  }

  @Test
  void streamTasksWalksThreePagesAndStopsOnAnEmptyNextToken() {
    stubThreePages();

    List<String> ids =
        client
            .streamTasks(ListTasksRequest.builder().pageSize(2).build())
            .map(Task::id)
            .collect(Collectors.toList());

    assertThat(ids).containsExactly("t1", "t2", "t3", "t4", "t5");
    wm.verify(3, getRequestedFor(urlPathEqualTo(BASE + "/tasks")));
    wm.verify(getRequestedFor(urlEqualTo(BASE + "/tasks?page_size=2&view=MINIMAL")));
    wm.verify(getRequestedFor(urlEqualTo(BASE + "/tasks?page_size=2&page_token=p2&view=MINIMAL")));
    wm.verify(getRequestedFor(urlEqualTo(BASE + "/tasks?page_size=2&page_token=p3&view=MINIMAL")));
  }

  @Test
  void iterateTasksAsksForTheNextPageOnlyWhenTheCurrentOneIsUsedUp() {
    stubThreePages();

    Iterator<Task> tasks = client.iterateTasks(ListTasksRequest.builder().pageSize(2).build());

    assertThat(tasks.next().id()).isEqualTo("t1");
    wm.verify(1, getRequestedFor(urlPathEqualTo(BASE + "/tasks")));
    assertThat(tasks.next().id()).isEqualTo("t2");
    wm.verify(1, getRequestedFor(urlPathEqualTo(BASE + "/tasks")));
    assertThat(tasks.next().id()).isEqualTo("t3");
    wm.verify(2, getRequestedFor(urlPathEqualTo(BASE + "/tasks")));
    assertThat(client.streamTasks(ListTasksRequest.builder().pageSize(2).build()).findFirst())
        .map(Task::id)
        .contains("t1");
    wm.verify(3, getRequestedFor(urlPathEqualTo(BASE + "/tasks"))); // findFirst read one page only
  }

  private static void stubThreePages() {
    wm.stubFor(
        get(urlEqualTo(BASE + "/tasks?page_size=2&view=MINIMAL"))
            .willReturn(
                okJson(
                    "{\"tasks\": [{\"id\": \"t1\", \"state\": \"COMPLETE\"}, {\"id\": \"t2\","
                        + " \"state\": \"RUNNING\"}], \"next_page_token\": \"p2\"}")));
    wm.stubFor(
        get(urlEqualTo(BASE + "/tasks?page_size=2&page_token=p2&view=MINIMAL"))
            .willReturn(
                okJson(
                    "{\"tasks\": [{\"id\": \"t3\", \"state\": \"QUEUED\"}, {\"id\": \"t4\","
                        + " \"state\": \"QUEUED\"}], \"next_page_token\": \"p3\"}")));
    wm.stubFor(
        get(urlEqualTo(BASE + "/tasks?page_size=2&page_token=p3&view=MINIMAL"))
            .willReturn(
                okJson(
                    "{\"tasks\": [{\"id\": \"t5\", \"state\": \"CANCELED\"}], \"next_page_token\":"
                        + " \"\"}")));
  }

  @Test
  void aBaseUrlWithoutPathGetsTheSpecPath() {
    wm.stubFor(
        get(BASE + "/tasks/x?view=MINIMAL")
            .willReturn(okJson(Fixtures.minimalTaskJson("x", "QUEUED"))));

    try (TesHttpClient bare = TesHttpClient.create("http://127.0.0.1:" + wm.getPort())) {
      assertThat(bare.baseUrl()).isEqualTo(URI.create("http://127.0.0.1:" + wm.getPort() + BASE));
      assertThat(bare.getTask("x", View.MINIMAL).id()).isEqualTo("x");
    }
    try (TesHttpClient slash =
        TesHttpClient.create(URI.create("http://127.0.0.1:" + wm.getPort() + "/"))) {
      assertThat(slash.baseUrl().getPath()).isEqualTo(BASE);
    }
    wm.verify(1, getRequestedFor(urlEqualTo(BASE + "/tasks/x?view=MINIMAL")));
  }

  @Test
  void aTrailingSlashOnTheBaseUrlIsIgnored() {
    wm.stubFor(get(BASE + "/service-info").willReturn(okJson("{\"name\": \"x\"}")));

    try (TesHttpClient slashed = TesHttpClient.create(Fixtures.baseUrl(wm) + "/")) {
      assertThat(slashed.serviceInfo().name()).isEqualTo("x");
    }
    wm.verify(1, getRequestedFor(urlEqualTo(BASE + "/service-info")));
  }
}
