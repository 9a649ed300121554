package io.tes4j.api.internal;

import io.tes4j.api.ListTasksRequest;
import io.tes4j.model.ListTasksResponse;
import io.tes4j.model.Task;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * Iterates every task of a listing, asking for the next page only when the current one is used up.
 * Stops on a page without a next token, and also when a server hands out a token it already gave
 * (a server that repeats or cycles its tokens would otherwise page forever). Internal.
 */
public final class TaskPager implements Iterator<Task> {
  private final Function<ListTasksRequest, ListTasksResponse> fetch;
  private ListTasksRequest next;
  private final Set<String> seenTokens = new HashSet<>();
  private Iterator<Task> page = java.util.Collections.emptyIterator();

  public TaskPager(Function<ListTasksRequest, ListTasksResponse> fetch, ListTasksRequest first) {
    this.fetch = fetch;
    this.next = first;
    if (first.pageToken() != null) {
      seenTokens.add(first.pageToken());
    }
  }

  @Override
  public boolean hasNext() {
    while (!page.hasNext() && next != null) {
      ListTasksRequest request = next;
      ListTasksResponse response = fetch.apply(request);
      page = response.tasks().iterator();
      next =
          response
              .nextPage()
              .filter(seenTokens::add)
              .map(request::withPageToken)
              .orElse(null);
    }
    return page.hasNext();
  }

  @Override
  public Task next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return page.next();
  }
}
