package io.tes4j.api;

import io.tes4j.model.State;
import io.tes4j.model.View;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The filters and paging of a ListTasks call. Every field is optional.
 *
 * <p>Tag filters follow the spec: every pair must match; an empty value matches any value of that
 * key, but the key must exist on the task.
 *
 * <pre>{@code
 * ListTasksRequest running = ListTasksRequest.builder()
 *     .state(State.RUNNING).tag("project", "demo").view(View.BASIC).pageSize(100).build();
 * client.streamTasks(running).forEach(t -> System.out.println(t.id()));
 * }</pre>
 *
 * @param namePrefix keep only tasks whose name starts with this
 * @param state keep only tasks in this state
 * @param tags keep only tasks with these tags (an empty value: any value of that key)
 * @param view how much of each task to return; servers default to MINIMAL
 * @param pageSize tasks per page, 1 to {@value #MAX_PAGE_SIZE}; servers default to 256
 * @param pageToken the {@code next_page_token} of the previous page
 */
public record ListTasksRequest(
    String namePrefix,
    State state,
    Map<String, String> tags,
    View view,
    Integer pageSize,
    String pageToken) {

  /** The largest page size the spec allows ("must be less than 2048"). */
  public static final int MAX_PAGE_SIZE = 2047;

  /** The page size servers use when none is given. */
  public static final int DEFAULT_PAGE_SIZE = 256;

  /**
   * Checks the page size and copies the tags.
   *
   * @throws IllegalArgumentException when the page size is outside 1 to {@value #MAX_PAGE_SIZE}
   */
  public ListTasksRequest {
    if (pageSize != null && (pageSize < 1 || pageSize > MAX_PAGE_SIZE)) {
      throw new IllegalArgumentException(
          "page_size must be between 1 and " + MAX_PAGE_SIZE + ", was " + pageSize);
    }
    if (tags == null || tags.isEmpty()) {
      tags = Map.of();
    } else {
      Map<String, String> copy = new LinkedHashMap<>();
      tags.forEach(
          (key, value) -> copy.put(Objects.requireNonNull(key, "tag key"), value == null ? "" : value));
      tags = Collections.unmodifiableMap(copy);
    }
  }

  /** Every task, first page, server defaults. */
  public static ListTasksRequest all() {
    return builder().build();
  }

  /** A new, empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these values. */
  public Builder toBuilder() {
    return new Builder()
        .namePrefix(namePrefix)
        .state(state)
        .tags(tags)
        .view(view)
        .pageSize(pageSize)
        .pageToken(pageToken);
  }

  /** The same request for the page after the one that returned {@code token}. */
  public ListTasksRequest withPageToken(String token) {
    return new ListTasksRequest(namePrefix, state, tags, view, pageSize, token);
  }

  /** Builds {@link ListTasksRequest}s. Not thread-safe. */
  public static final class Builder {
    private String namePrefix;
    private State state;
    private final Map<String, String> tags = new LinkedHashMap<>();
    private View view;
    private Integer pageSize;
    private String pageToken;

    private Builder() {}

    public Builder namePrefix(String namePrefix) {
      this.namePrefix = namePrefix;
      return this;
    }

    public Builder state(State state) {
      this.state = state;
      return this;
    }

    /** Adds a tag filter; {@code ""} matches any value of {@code key}. */
    public Builder tag(String key, String value) {
      tags.put(Objects.requireNonNull(key, "key"), value == null ? "" : value);
      return this;
    }

    /** Replaces all tag filters. */
    public Builder tags(Map<String, String> tags) {
      this.tags.clear();
      tags.forEach(this::tag);
      return this;
    }

    public Builder view(View view) {
      this.view = view;
      return this;
    }

    public Builder pageSize(Integer pageSize) {
      this.pageSize = pageSize;
      return this;
    }

    public Builder pageToken(String pageToken) {
      this.pageToken = pageToken;
      return this;
    }

    /**
     * @throws IllegalArgumentException when the page size is outside 1 to {@value #MAX_PAGE_SIZE}
     */
    public ListTasksRequest build() {
      return new ListTasksRequest(namePrefix, state, tags, view, pageSize, pageToken);
    }
  }
}
