package io.tes4j.model;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tes4j.model.internal.Collections2;
import java.util.List;
import java.util.Optional;

/**
 * One page of ListTasks ({@code tesListTasksResponse}).
 *
 * @param tasks the tasks of this page, in the requested view (always written, possibly empty)
 * @param nextPageToken the token for the next page; absent (or empty) on the last page
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ListTasksResponse(
    @JsonProperty("tasks") @JsonInclude(JsonInclude.Include.ALWAYS) List<Task> tasks,
    @JsonProperty("next_page_token") @JsonAlias("nextPageToken") String nextPageToken) {

  /** Copies the list; {@code null} becomes empty. */
  public ListTasksResponse {
    tasks = Collections2.list(tasks);
  }

  /**
   * The token of the next page, or empty on the last page. Some servers send an empty string
   * instead of leaving the field out; both mean there is no next page.
   */
  public Optional<String> nextPage() {
    return nextPageToken == null || nextPageToken.isEmpty()
        ? Optional.empty()
        : Optional.of(nextPageToken);
  }
}
