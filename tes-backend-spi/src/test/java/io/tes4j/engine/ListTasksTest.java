package io.tes4j.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tes4j.api.InvalidTaskException;
import io.tes4j.api.ListTasksRequest;
import io.tes4j.model.ListTasksResponse;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** ListTasks: order, filters (the spec's tag truth table), paging and page tokens. */
class ListTasksTest {
  private final FakeBackend backend = new FakeBackend();
  private final TesEngine engine = TesEngine.builder().engineExecutor(Runnable::run).backend(backend).build();

  @AfterEach
  void close() {
    engine.close();
  }

  private List<String> ids(ListTasksRequest request) {
    return engine.listTasks(request).tasks().stream().map(Task::id).collect(Collectors.toList());
  }

  private List<String> create(int count) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(engine.createTask(Tasks.named("t" + i)));
    }
    return ids;
  }

  @Test
  void newestFirstAndIdsSortInCreationOrder() {
    List<String> created = create(50);

    assertThat(created).isSorted().doesNotHaveDuplicates();
    List<String> newestFirst = new ArrayList<>(created);
    Collections.reverse(newestFirst);
    assertThat(ids(ListTasksRequest.all())).containsExactlyElementsOf(newestFirst);
  }

  @Test
  void theDefaultPageIs256AndTheLargestAllowed2047() {
    List<String> created = create(2100);

    ListTasksResponse first = engine.listTasks(ListTasksRequest.all());
    assertThat(first.tasks()).hasSize(ListTasksRequest.DEFAULT_PAGE_SIZE);
    assertThat(first.nextPage()).isPresent();

    ListTasksResponse largest = engine.listTasks(ListTasksRequest.builder().pageSize(2047).build());
    assertThat(largest.tasks()).hasSize(2047);
    ListTasksResponse rest = engine.listTasks(ListTasksRequest.builder().pageSize(2047).pageToken(largest.nextPageToken()).build());
    assertThat(rest.tasks()).hasSize(created.size() - 2047);
    assertThat(rest.nextPage()).isEmpty();
    // The spec says page_size must be less than 2048: such a request cannot be made.
    assertThatThrownBy(() -> ListTasksRequest.builder().pageSize(2048).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("between 1 and 2047");
  }

  @Test
  void pagesStayStableWhileTasksAreAdded() {
    List<String> created = create(10);
    List<String> newestFirst = new ArrayList<>(created);
    Collections.reverse(newestFirst);
    ListTasksRequest pageOf3 = ListTasksRequest.builder().pageSize(3).build();

    List<String> seen = new ArrayList<>();
    ListTasksResponse page = engine.listTasks(pageOf3);
    while (true) {
      page.tasks().forEach(t -> seen.add(t.id()));
      create(2); // new tasks are newer than the first page: they never show up in later pages
      if (page.nextPage().isEmpty()) {
        break;
      }
      page = engine.listTasks(pageOf3.withPageToken(page.nextPageToken()));
    }

    assertThat(seen).containsExactlyElementsOf(newestFirst);
    assertThat(engine.listTasks(pageOf3).tasks()).hasSize(3);
  }

  @Test
  void aFullLastPageHasNoNextToken() {
    create(4);

    ListTasksResponse first = engine.listTasks(ListTasksRequest.builder().pageSize(2).build());
    ListTasksResponse second = engine.listTasks(ListTasksRequest.builder().pageSize(2).pageToken(first.nextPageToken()).build());

    assertThat(second.tasks()).hasSize(2);
    assertThat(second.nextPageToken()).isNull();
    assertThat(engine.listTasks(ListTasksRequest.builder().pageToken("").build()).tasks()).hasSize(4);
  }

  @Test
  void streamTasksWalksEveryPage() {
    List<String> created = create(25);

    assertThat(engine.streamTasks(ListTasksRequest.builder().pageSize(4).build()).map(Task::id))
        .containsExactlyInAnyOrderElementsOf(created)
        .hasSize(25);
  }

  @Test
  void anInvalidPageTokenIsAClearError() {
    create(3);

    for (String token : List.of("garbage!", "MTpub3QtYW4taWQ", "x".repeat(100))) {
      InvalidTaskException e = catchThrowableOfType(
          InvalidTaskException.class, () -> engine.listTasks(ListTasksRequest.builder().pageToken(token).build()));
      assertThat(e.statusCode()).isEqualTo(400);
      assertThat(e.violations()).singleElement().satisfies(v -> {
        assertThat(v.path()).isEqualTo("page_token");
        assertThat(v.message()).contains("is not a page token of this engine", "leave page_token out");
      });
    }
  }

  @Test
  void namePrefixFilters() {
    String alpha = engine.createTask(Tasks.named("alpha-1"));
    String alpha2 = engine.createTask(Tasks.named("alpha-2"));
    engine.createTask(Tasks.named("beta"));
    engine.createTask(Tasks.echo().build()); // no name

    assertThat(ids(ListTasksRequest.builder().namePrefix("alpha").build())).containsExactly(alpha2, alpha);
    assertThat(ids(ListTasksRequest.builder().namePrefix("Alpha").build())).isEmpty();
    assertThat(ids(ListTasksRequest.builder().namePrefix("").build())).hasSize(4);
  }

  @Test
  void stateFilters() {
    String running = engine.createTask(Tasks.named("r"));
    backend.run(running);
    String done = engine.createTask(Tasks.named("d"));
    backend.complete(done);
    String initializing = engine.createTask(Tasks.named("i"));

    assertThat(ids(ListTasksRequest.builder().state(State.RUNNING).build())).containsExactly(running);
    assertThat(ids(ListTasksRequest.builder().state(State.COMPLETE).build())).containsExactly(done);
    assertThat(ids(ListTasksRequest.builder().state(State.INITIALIZING).build())).containsExactly(initializing);
    assertThat(ids(ListTasksRequest.builder().state(State.QUEUED).build())).isEmpty();
  }

  /** The spec's truth table for tag filters, plus the key-only form. */
  @ParameterizedTest(name = "filter {0}, task {1}: {2}")
  @CsvSource(delimiter = '|', value = {
      "foo=bar         | foo=bar         | true",
      "foo=bar         | foo=bat         | false",
      "foo=            | foo=            | true",
      "foo=bar,baz=bat | foo=bar,baz=bat | true",
      "foo=bar         | foo=bar,baz=bat | true",
      "foo=bar,baz=bat | foo=bar         | false",
      "foo=            | foo=bar         | true",
      "foo=            | ''              | false",
  })
  void tagFiltersFollowTheSpecsTruthTable(String filter, String tags, boolean matches) {
    String id = engine.createTask(Tasks.echo().tags(parse(tags)).build());
    engine.createTask(Tasks.named("untagged"));

    List<String> found = ids(ListTasksRequest.builder().tags(parse(filter)).build());

    if (matches) {
      assertThat(found).containsExactly(id);
    } else {
      assertThat(found).isEmpty();
    }
  }

  private static Map<String, String> parse(String pairs) {
    Map<String, String> map = new java.util.LinkedHashMap<>();
    if (!pairs.isBlank()) {
      for (String pair : pairs.split(",")) {
        String[] kv = pair.split("=", -1);
        map.put(kv[0], kv[1]);
      }
    }
    return map;
  }

  @Test
  void filtersCombineAndPageTogether() {
    List<String> matching = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      String id = engine.createTask(Tasks.echo().name(i % 2 == 0 ? "keep-" + i : "drop-" + i).tag("p", i % 3 == 0 ? "x" : "y").build());
      if (i % 2 == 0 && i % 3 == 0) {
        matching.add(0, id);
      }
    }
    ListTasksRequest request = ListTasksRequest.builder().namePrefix("keep").tag("p", "x").pageSize(2).view(View.BASIC).build();

    List<String> seen = engine.streamTasks(request).map(Task::id).collect(Collectors.toList());

    assertThat(seen).containsExactlyElementsOf(matching).hasSize(5);
  }
}
