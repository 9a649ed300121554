package io.tes4j.store;

import io.tes4j.model.State;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Which tasks to list, with the spec's ListTasks filter semantics, newest first (ids are
 * time-ordered, so that is descending id order).
 *
 * <ul>
 *   <li>{@code namePrefix}: the task's {@code name} starts with it (case-sensitive; a task without a
 *       name never matches a non-empty prefix); {@code null} or empty: no filter.
 *   <li>{@code state}: exactly this state; {@code null}: no filter.
 *   <li>{@code tags}: every entry must hold (AND); an empty value means the key must exist with any
 *       value, a non-empty one must equal the task's value; extra tags on the task do not matter.
 *   <li>{@code beforeId}: only tasks whose id sorts strictly before this one (the last id of the
 *       previous page); {@code null}: from the newest.
 *   <li>{@code limit}: at most this many tasks, at least 1.
 * </ul>
 *
 * @param namePrefix the name prefix, or null
 * @param state the state, or null
 * @param tags the tag filter; never null
 * @param beforeId the exclusive upper bound on ids, or null
 * @param limit the page size
 */
public record TaskQuery(String namePrefix, State state, Map<String, String> tags, String beforeId, int limit) {

  /** Copies the tags and checks the limit. */
  public TaskQuery {
    tags = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(tags, "tags")));
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, was " + limit);
    }
  }

  /** Whether {@code tags} of a task pass this query's tag filter (the spec's truth table). */
  public boolean tagsMatch(Map<String, String> taskTags) {
    for (Map.Entry<String, String> wanted : tags.entrySet()) {
      String value = taskTags.get(wanted.getKey());
      if (value == null && !taskTags.containsKey(wanted.getKey())) {
        return false;
      }
      if (!wanted.getValue().isEmpty() && !wanted.getValue().equals(value)) {
        return false;
      }
    }
    return true;
  }
}
