package io.tes4j.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.model.ListTasksResponse;
import io.tes4j.model.State;
import io.tes4j.model.Task;
import io.tes4j.model.View;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link TesClient#streamTasks} and {@link TesClient#iterateTasks}: lazy paging that always ends. */
@Timeout(10)
class StreamTasksTest {

  /** Serves pages by token ({@code null} for the first page) and records every request. */
  static final class PagedClient extends FakeTesClient {
    final Map<String, ListTasksResponse> pages = new HashMap<>();
    final List<ListTasksRequest> requests = new ArrayList<>();

    PagedClient page(String token, String nextToken, String... ids) {
      List<Task> tasks = Arrays.stream(ids).map(id -> Task.builder().id(id).state(State.RUNNING).build()).toList();
      pages.put(token, new ListTasksResponse(tasks, nextToken));
      return this;
    }

    @Override
    public ListTasksResponse listTasks(ListTasksRequest request) {
      requests.add(request);
      ListTasksResponse page = pages.get(request.pageToken());
      if (page == null) {
        throw new AssertionError("no page for token " + request.pageToken());
      }
      return page;
    }

    List<String> tokensAsked() {
      return requests.stream().map(ListTasksRequest::pageToken).toList();
    }
  }

  private static List<String> ids(Stream<Task> tasks) {
    return tasks.map(Task::id).toList();
  }

  @Test
  void everyPageIsReadInOrder() {
    PagedClient client = new PagedClient().page(null, "p2", "a", "b").page("p2", "p3", "c").page("p3", null, "d");

    assertThat(ids(client.streamTasks(ListTasksRequest.all()))).containsExactly("a", "b", "c", "d");
    assertThat(client.tokensAsked()).containsExactly(null, "p2", "p3");
  }

  @Test
  void pagesAreFetchedOnlyWhenNeeded() {
    PagedClient client = new PagedClient().page(null, "p2", "a", "b").page("p2", "p3", "c").page("p3", null, "d");

    Iterator<Task> tasks = client.iterateTasks(ListTasksRequest.all());
    assertThat(client.requests).isEmpty();

    assertThat(tasks.next().id()).isEqualTo("a");
    assertThat(tasks.next().id()).isEqualTo("b");
    assertThat(client.requests).hasSize(1);

    assertThat(tasks.next().id()).isEqualTo("c");
    assertThat(client.requests).hasSize(2);
  }

  @Test
  void aShortStreamStopsAskingForPages() {
    PagedClient client = new PagedClient().page(null, "p2", "a", "b").page("p2", "p3", "c").page("p3", null, "d");

    assertThat(ids(client.streamTasks(ListTasksRequest.all()).limit(3))).containsExactly("a", "b", "c");
    assertThat(client.tokensAsked()).containsExactly(null, "p2");
  }

  @Test
  void everyPageIsAskedWithTheSameFilters() {
    PagedClient client = new PagedClient().page(null, "p2", "a").page("p2", null, "b");
    ListTasksRequest request =
        ListTasksRequest.builder().namePrefix("align").state(State.RUNNING).tag("project", "x").view(View.BASIC).pageSize(1).build();

    assertThat(ids(client.streamTasks(request))).containsExactly("a", "b");

    assertThat(client.requests.get(1)).isEqualTo(request.toBuilder().pageToken("p2").build());
  }

  @Test
  void theListingStartsAtTheRequestsPageToken() {
    PagedClient client = new PagedClient().page("p2", null, "c");

    assertThat(ids(client.streamTasks(ListTasksRequest.builder().pageToken("p2").build()))).containsExactly("c");
  }

  @Test
  void anEmptyNextPageTokenEndsTheListing() {
    PagedClient client = new PagedClient().page(null, "", "a");

    assertThat(ids(client.streamTasks(ListTasksRequest.all()))).containsExactly("a");
    assertThat(client.requests).hasSize(1);
  }

  @Test
  void anEmptyListingIsAnEmptyStream() {
    PagedClient client = new PagedClient().page(null, null);

    assertThat(ids(client.streamTasks(ListTasksRequest.all()))).isEmpty();
  }

  @Test
  void anEmptyPageWithANextTokenDoesNotEndTheListing() {
    PagedClient client = new PagedClient().page(null, "p2").page("p2", null, "a");

    assertThat(ids(client.streamTasks(ListTasksRequest.all()))).containsExactly("a");
  }

  @Test
  void aServerRepeatingTheTokenItWasGivenDoesNotLoopForever() {
    PagedClient client = new PagedClient().page(null, "p2", "a").page("p2", "p2", "b");

    // Bounded, so that a pager that does loop fails here instead of running forever.
    assertThat(ids(client.streamTasks(ListTasksRequest.all()).limit(10))).containsExactly("a", "b");
    assertThat(client.tokensAsked()).containsExactly(null, "p2");
  }

  @Test
  void aServerCyclingThroughTokensDoesNotLoopForever() {
    PagedClient client =
        new PagedClient().page(null, "t1", "a").page("t1", "t2", "b").page("t2", "t1", "c");

    assertThat(ids(client.streamTasks(ListTasksRequest.all()).limit(10))).containsExactly("a", "b", "c");
    assertThat(client.tokensAsked()).containsExactly(null, "t1", "t2");
  }

  @Test
  void pastTheEndNextFails() {
    PagedClient client = new PagedClient().page(null, null, "a");
    Iterator<Task> tasks = client.iterateTasks(ListTasksRequest.all());
    tasks.next();

    assertThat(tasks.hasNext()).isFalse();
    assertThatThrownBy(tasks::next).isInstanceOf(NoSuchElementException.class);
    assertThat(client.requests).hasSize(1);
  }

  @Test
  void anErrorFromTheServerReachesTheCaller() {
    FakeTesClient client =
        new FakeTesClient() {
          @Override
          public ListTasksResponse listTasks(ListTasksRequest request) {
            throw new TesServiceException("server error", 500, "boom");
          }
        };

    assertThatThrownBy(() -> client.streamTasks(ListTasksRequest.all()).count())
        .isInstanceOf(TesServiceException.class)
        .hasMessage("server error");
  }
}
