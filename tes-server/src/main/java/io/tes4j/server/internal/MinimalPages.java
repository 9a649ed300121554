package io.tes4j.server.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.tes4j.model.ListTasksResponse;
import io.tes4j.model.Task;
import io.tes4j.model.TesJson;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes a page of tasks in the MINIMAL view ({@code GET /tasks}'s default, what pollers ask for):
 * the same bytes as {@link TesJson#writer()}, written field by field with Jackson's streaming
 * generator instead of its data binding, which reads every property of every task through
 * reflection to find the two that are set. Internal.
 */
public final class MinimalPages {
  /** About what one task takes: {@code {"id":"01M981AENJ4H6SG56WSQ5DTFRB","state":"COMPLETE"},}. */
  private static final int BYTES_PER_TASK = 64;

  private MinimalPages() {}

  /**
   * {@code page} as JSON, as {@link TesJson#writer()} writes it. A page whose tasks have nothing
   * but an id and a state is written here; any other (a server behind this one sent more) is
   * written by the data binding.
   *
   * @throws JsonProcessingException when the data binding fails
   */
  public static byte[] write(ListTasksResponse page) throws JsonProcessingException {
    if (!minimalOnly(page)) {
      return TesJson.writer().writeValueAsBytes(page);
    }
    ByteArrayBuilder bytes = new ByteArrayBuilder(64 + BYTES_PER_TASK * page.tasks().size());
    try (JsonGenerator json = TesJson.writer().getFactory().createGenerator(bytes)) {
      json.writeStartObject();
      json.writeArrayFieldStart("tasks");
      for (Task task : page.tasks()) {
        json.writeStartObject();
        if (task.id() != null) {
          json.writeStringField("id", task.id());
        }
        if (task.state() != null) {
          json.writeStringField("state", task.state().name());
        }
        json.writeEndObject();
      }
      json.writeEndArray();
      if (page.nextPageToken() != null) {
        json.writeStringField("next_page_token", page.nextPageToken());
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory failed", e); // a ByteArrayBuilder does not fail
    }
    return bytes.toByteArray();
  }

  /**
   * Whether every task of {@code page} has nothing but an id and a state. Field by field: a task
   * built to compare with would cost more than the writing it spares. {@code MinimalPagesTest}
   * fails when {@link Task} gains a field, so that this check learns it too.
   */
  static boolean minimalOnly(ListTasksResponse page) {
    for (Task task : page.tasks()) {
      boolean minimal = task.name() == null
          && task.description() == null
          && task.inputs().isEmpty()
          && task.outputs().isEmpty()
          && task.resources() == null
          && task.executors().isEmpty()
          && task.volumes().isEmpty()
          && task.tags().isEmpty()
          && task.logs().isEmpty()
          && task.creationTime() == null;
      if (!minimal) {
        return false;
      }
    }
    return true;
  }
}
