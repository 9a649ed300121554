package io.tes4j.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.tes4j.api.InvalidTaskException;
import io.tes4j.api.TaskNotFoundException;
import io.tes4j.api.TesAuthException;
import io.tes4j.api.TesServiceException;
import io.tes4j.model.TesJson;
import io.tes4j.model.Violation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns an error answer into the exception the caller sees. The TES spec defines no error codes or
 * bodies, so this follows common HTTP use and reads the error bodies of known servers. Internal.
 *
 * <ul>
 *   <li>400 and 422 (FastAPI servers such as TESP API) → {@link InvalidTaskException}, with the
 *       violations read from the body when it lists them
 *   <li>401, 403 → {@link TesAuthException}
 *   <li>404 on a task route → {@link TaskNotFoundException}; elsewhere a {@link
 *       TesServiceException} that asks whether the base URL is right
 *   <li>anything else → {@link TesServiceException} with the status and the body
 * </ul>
 */
public final class ErrorAnswers {
  private static final int SNIPPET_CHARS = 300;

  private static final Map<Integer, String> REASONS =
      Map.ofEntries(
          Map.entry(301, "Moved Permanently"),
          Map.entry(302, "Found"),
          Map.entry(303, "See Other"),
          Map.entry(307, "Temporary Redirect"),
          Map.entry(308, "Permanent Redirect"),
          Map.entry(405, "Method Not Allowed"),
          Map.entry(406, "Not Acceptable"),
          Map.entry(408, "Request Timeout"),
          Map.entry(409, "Conflict"),
          Map.entry(413, "Content Too Large"),
          Map.entry(415, "Unsupported Media Type"),
          Map.entry(429, "Too Many Requests"),
          Map.entry(500, "Internal Server Error"),
          Map.entry(501, "Not Implemented"),
          Map.entry(502, "Bad Gateway"),
          Map.entry(503, "Service Unavailable"),
          Map.entry(504, "Gateway Timeout"));

  private ErrorAnswers() {}

  /**
   * The exception for a non-2xx answer.
   *
   * @param attempts how many times the request was sent, named when more than once
   * @param tokenRefreshed whether a 401 was already answered by asking for a new token
   */
  public static TesServiceException toException(
      Answer answer, int attempts, boolean tokenRefreshed) {
    HttpCall<?> call = answer.call();
    int status = answer.status();
    String body = answer.keptBody();
    switch (status) {
      case 400:
      case 422:
        return new InvalidTaskException(violations(answer), status, body);
      case 401:
        return new TesAuthException(
            "authentication refused (401) by "
                + call.uri()
                + (tokenRefreshed ? ", also with a fresh token from the token supplier" : "")
                + ": check the user and password or token",
            status,
            body);
      case 403:
        return new TesAuthException(
            "access denied (403) by "
                + call.uri()
                + ": the credentials were accepted but do not allow "
                + call.method()
                + " here",
            status,
            body);
      case 404:
        if (call.taskId() != null) {
          return new TaskNotFoundException(call.taskId(), body);
        }
        return new TesServiceException(
            "404 from " + call.describe() + ": is the base URL right? (e.g. .../ga4gh/tes/v1)",
            status,
            body);
      default:
        break;
    }
    StringBuilder message = new StringBuilder(call.describe()).append(" answered ").append(status);
    String reason = REASONS.get(status);
    if (reason != null) {
      message.append(' ').append(reason);
    }
    if (status >= 300 && status < 400) {
      message
          .append(answer.headers().firstValue("Location").map(l -> " to " + l).orElse(""))
          .append("; redirects are not followed (they would carry the credentials elsewhere):")
          .append(" use the final address as the base URL");
    }
    if (attempts > 1) {
      message.append(" (").append(attempts).append(" attempts)");
    }
    String snippet = answer.bodySnippet(SNIPPET_CHARS);
    if (!snippet.isEmpty() && (status < 300 || status >= 400)) {
      message.append(": ").append(snippet);
    }
    return new TesServiceException(message.toString(), status, body);
  }

  /**
   * The violations an error body lists, or an empty list. Understood: a JSON array, or an object
   * with an array under {@code violations}, {@code errors} or {@code detail}; each element a
   * string, or an object with a path ({@code path}, {@code field}, {@code loc}, {@code pointer})
   * and a message ({@code message}, {@code msg}, {@code detail}, {@code description}, {@code
   * reason}).
   */
  static List<Violation> violations(Answer answer) {
    JsonNode root;
    try {
      root = TesJson.reader().readTree(answer.body());
    } catch (IOException notJson) {
      // A text or HTML error page: no violations to read, and the body is kept as it is.
      return List.of();
    }
    if (root == null) {
      return List.of();
    }
    JsonNode list = root.isArray() ? root : firstArray(root, "violations", "errors", "detail");
    if (list == null) {
      return List.of();
    }
    List<Violation> found = new ArrayList<>();
    for (JsonNode element : list) {
      if (element.isTextual()) {
        found.add(new Violation("$", element.asText()));
      } else if (element.isObject()) {
        String message = firstText(element, "message", "msg", "detail", "description", "reason");
        found.add(new Violation(path(element), message == null ? element.toString() : message));
      }
    }
    return found;
  }

  private static JsonNode firstArray(JsonNode object, String... names) {
    for (String name : names) {
      JsonNode node = object.get(name);
      if (node != null && node.isArray()) {
        return node;
      }
    }
    return null;
  }

  private static String firstText(JsonNode object, String... names) {
    for (String name : names) {
      JsonNode node = object.get(name);
      if (node != null && node.isValueNode() && !node.isNull()) {
        return node.asText();
      }
    }
    return null;
  }

  /**
   * The path of one violation. FastAPI writes {@code "loc": ["body", "executors", 0, "image"]},
   * which becomes {@code executors[0].image}; JSON pointers {@code /executors/0/image} likewise.
   */
  private static String path(JsonNode element) {
    String text = firstText(element, "path", "field");
    if (text != null && !text.isEmpty()) {
      return text;
    }
    JsonNode loc = element.get("loc");
    if (loc != null && loc.isArray()) {
      List<JsonNode> parts = new ArrayList<>();
      loc.forEach(parts::add);
      if (!parts.isEmpty() && parts.get(0).isTextual() && parts.get(0).asText().equals("body")) {
        parts.remove(0);
      }
      return joinPath(
          parts.stream()
              .map(p -> p.isNumber() ? Integer.valueOf(p.asInt()) : (Object) p.asText())
              .toList());
    }
    String pointer = firstText(element, "pointer");
    if (pointer != null && pointer.startsWith("/")) {
      List<Object> parts = new ArrayList<>();
      for (String part : pointer.substring(1).split("/", -1)) {
        String unescaped = part.replace("~1", "/").replace("~0", "~");
        parts.add(unescaped.matches("\\d+") ? (Object) Integer.valueOf(unescaped) : unescaped);
      }
      return joinPath(parts);
    }
    return "$";
  }

  private static String joinPath(List<Object> parts) {
    StringBuilder out = new StringBuilder();
    for (Object part : parts) {
      if (part instanceof Integer index) {
        out.append('[').append(index).append(']');
      } else {
        if (out.length() > 0) {
          out.append('.');
        }
        out.append(part);
      }
    }
    return out.length() == 0 ? "$" : out.toString();
  }
}
