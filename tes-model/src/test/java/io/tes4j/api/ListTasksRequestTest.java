package io.tes4j.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tes4j.model.State;
import io.tes4j.model.View;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The filters and paging of ListTasks, checked when the request is built. */
class ListTasksRequestTest {

  @ParameterizedTest
  @ValueSource(ints = {0, -1, 2048, Integer.MAX_VALUE})
  void aPageSizeOutsideTheSpecsBoundsIsRejected(int size) {
    assertThatThrownBy(() -> ListTasksRequest.builder().pageSize(size).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("page_size must be between 1 and 2047, was " + size);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 256, 2047})
  void aPageSizeWithinBoundsIsKept(int size) {
    assertThat(ListTasksRequest.builder().pageSize(size).build().pageSize()).isEqualTo(size);
  }

  @Test
  void everyFieldIsOptional() {
    ListTasksRequest all = ListTasksRequest.all();

    assertThat(all).isEqualTo(new ListTasksRequest(null, null, null, null, null, null));
    assertThat(all.tags()).isEmpty();
    assertThat(ListTasksRequest.MAX_PAGE_SIZE).isEqualTo(2047);
    assertThat(ListTasksRequest.DEFAULT_PAGE_SIZE).isEqualTo(256);
  }

  @Test
  void tagsAreCopiedInOrderAndCannotBeChanged() {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("b", "1");
    tags.put("a", null);
    ListTasksRequest request = new ListTasksRequest(null, null, tags, null, null, null);

    tags.put("c", "2");

    assertThat(request.tags()).containsExactly(Map.entry("b", "1"), Map.entry("a", ""));
    assertThatThrownBy(() -> request.tags().put("d", "3")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void reusingTheBuilderDoesNotChangeBuiltRequests() {
    ListTasksRequest.Builder builder = ListTasksRequest.builder().tag("project", "x");
    ListTasksRequest first = builder.build();

    builder.tag("owner", null).state(State.RUNNING);

    assertThat(first.tags()).containsOnlyKeys("project");
    assertThat(first.state()).isNull();
    assertThat(builder.build().tags()).containsEntry("owner", "");
  }

  @Test
  void anEmptyTagValueMatchesAnyValueOfTheKey() {
    assertThat(ListTasksRequest.builder().tag("done", null).build().tags()).containsExactly(Map.entry("done", ""));
  }

  @Test
  void aNullTagKeyIsRejected() {
    Map<String, String> tags = new HashMap<>();
    tags.put(null, "x");

    assertThatThrownBy(() -> new ListTasksRequest(null, null, tags, null, null, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("tag key");
  }

  @Test
  void withPageTokenKeepsEverythingElse() {
    ListTasksRequest request =
        ListTasksRequest.builder().namePrefix("n").state(State.QUEUED).tag("k", "v").view(View.FULL).pageSize(10).build();

    ListTasksRequest next = request.withPageToken("p2");

    assertThat(next).isEqualTo(request.toBuilder().pageToken("p2").build());
    assertThat(request.pageToken()).isNull();
  }
}
