package io.tes4j.client.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.tes4j.api.ListTasksRequest;
import io.tes4j.api.TesClientException;
import io.tes4j.model.CreateTaskResponse;
import io.tes4j.model.ListTasksResponse;
import io.tes4j.model.ServiceInfo;
import io.tes4j.model.Task;
import io.tes4j.model.TesJson;
import io.tes4j.model.TesJsonException;
import io.tes4j.model.View;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * The five TES routes under one base URL, as {@link HttpCall}s, and the reading of their answers.
 * Internal.
 *
 * <pre>
 * GET  {base}/service-info
 * GET  {base}/tasks?name_prefix=&amp;state=&amp;tag_key=&amp;tag_value=&amp;page_size=&amp;page_token=&amp;view=
 * POST {base}/tasks
 * GET  {base}/tasks/{id}?view=
 * POST {base}/tasks/{id}:cancel
 * </pre>
 */
public final class TesRoutes {
  private static final String HEX = "0123456789ABCDEF";
  private final String base;

  /** Routes under {@code baseUrl}, which has no trailing slash. */
  public TesRoutes(URI baseUrl) {
    this.base = baseUrl.toString();
  }

  /** GetServiceInfo. */
  public HttpCall<ServiceInfo> serviceInfo() {
    return new HttpCall<>(
        "GET",
        URI.create(base + "/service-info"),
        null,
        true,
        null,
        answer -> read(answer, ServiceInfo.class));
  }

  /** CreateTask; not idempotent. */
  public HttpCall<String> createTask(Task task) {
    Objects.requireNonNull(task, "task");
    byte[] body;
    try {
      body = TesJson.writer().writeValueAsBytes(task);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the task as JSON", e);
    }
    return new HttpCall<>(
        "POST",
        URI.create(base + "/tasks"),
        body,
        false,
        null,
        answer -> {
          CreateTaskResponse created = read(answer, CreateTaskResponse.class);
          if (created.id() == null || created.id().isBlank()) {
            throw new TesClientException(
                answer.call().describe()
                    + " answered "
                    + answer.status()
                    + " without a task id: "
                    + answer.bodySnippet(200));
          }
          return created.id();
        });
  }

  /**
   * GetTask. The view is always sent, so that the answer does not depend on the server's default;
   * {@code null} sends MINIMAL, the spec's default.
   */
  public HttpCall<Task> getTask(String id, View view) {
    String query = new Query().add("view", viewOrDefault(view).name()).toString();
    return new HttpCall<>(
        "GET",
        URI.create(base + "/tasks/" + pathSegment(id) + query),
        null,
        true,
        id,
        answer -> read(answer, Task.class));
  }

  /**
   * ListTasks. Tag filters go as {@code tag_key}/{@code tag_value} pairs in the same order, so the
   * server zips them back together; an empty value is sent as {@code tag_value=} (any value of the
   * key). The view is always sent; {@code null} sends MINIMAL.
   */
  public HttpCall<ListTasksResponse> listTasks(ListTasksRequest request) {
    Objects.requireNonNull(request, "request");
    Query query = new Query();
    if (request.namePrefix() != null) {
      query.add("name_prefix", request.namePrefix());
    }
    if (request.state() != null) {
      query.add("state", request.state().name());
    }
    for (Map.Entry<String, String> tag : request.tags().entrySet()) {
      query.add("tag_key", tag.getKey()).add("tag_value", tag.getValue());
    }
    if (request.pageSize() != null) {
      query.add("page_size", request.pageSize().toString());
    }
    if (request.pageToken() != null && !request.pageToken().isEmpty()) {
      query.add("page_token", request.pageToken());
    }
    query.add("view", viewOrDefault(request.view()).name());
    return new HttpCall<>(
        "GET",
        URI.create(base + "/tasks" + query),
        null,
        true,
        null,
        answer -> read(answer, ListTasksResponse.class));
  }

  /** CancelTask, on the literal {@code :cancel} route. The answer body is not read. */
  public HttpCall<Void> cancelTask(String id) {
    return new HttpCall<>(
        "POST",
        URI.create(base + "/tasks/" + pathSegment(id) + ":cancel"),
        "{}".getBytes(StandardCharsets.UTF_8),
        true,
        id,
        answer -> null);
  }

  private static View viewOrDefault(View view) {
    return view == null ? View.MINIMAL : view;
  }

  /**
   * {@code id} as one path segment: every byte but the unreserved characters of RFC 3986 is
   * percent-encoded, so {@code /}, {@code ?}, {@code #} and {@code :} cannot change the route.
   *
   * @throws IllegalArgumentException when the id is empty
   */
  static String pathSegment(String id) {
    Objects.requireNonNull(id, "task id");
    if (id.isEmpty()) {
      throw new IllegalArgumentException("the task id must not be empty");
    }
    if (id.equals(".") || id.equals("..")) {
      // Unencoded, these would be read as "this directory" and "parent directory".
      return id.replace(".", "%2E");
    }
    StringBuilder out = new StringBuilder();
    for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        out.append((char) c);
      } else {
        out.append('%').append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 0xf));
      }
    }
    return out.toString();
  }

  /** Reads a 2xx body as {@code type}, or fails naming the URL and the problem. */
  static <T> T read(Answer answer, Class<T> type) {
    T value;
    try {
      value = TesJson.reader().forType(type).readValue(answer.body());
    } catch (JsonProcessingException e) {
      TesJsonException problem = TesJson.toTesJsonException(e);
      throw new TesClientException(notReadable(answer, type, problem.getMessage()), problem);
    } catch (IOException e) {
      throw new TesClientException(notReadable(answer, type, e.getMessage()), e);
    }
    if (value == null) {
      throw new TesClientException(notReadable(answer, type, "the body is JSON null"));
    }
    return value;
  }

  private static String notReadable(Answer answer, Class<?> type, String problem) {
    String hint =
        answer.isJson()
            ? ""
            : answer.contentType().isEmpty()
                ? " (no Content-Type; is this a TES server?)"
                : " (Content-Type " + answer.contentType() + "; is this a TES server?)";
    return answer.call().describe()
        + " answered "
        + answer.status()
        + " with a body that is not a TES "
        + type.getSimpleName()
        + ": "
        + problem
        + hint;
  }

  /** A query string whose values are percent-encoded as UTF-8, spaces as {@code %20}. */
  static final class Query {
    private final StringBuilder text = new StringBuilder();

    Query add(String name, String value) {
      text.append(text.length() == 0 ? '?' : '&').append(name).append('=').append(encode(value));
      return this;
    }

    static String encode(String value) {
      // URLEncoder writes form encoding, where a space is '+'; a literal '+' is already %2B, so
      // this swap yields plain percent-encoding that every server reads the same way.
      return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public String toString() {
      return text.toString();
    }
  }
}
