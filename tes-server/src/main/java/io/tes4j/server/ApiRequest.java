package io.tes4j.server;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One HTTP request, as any web server hands it over, for {@link TesApi#handle(ApiRequest)}: the
 * API does not depend on a web framework, so it can be mounted in a Servlet, Netty or any other
 * server by turning its request into this and {@link ApiResponse} back into its answer.
 *
 * <pre>{@code
 * ApiRequest request = new ApiRequest("GET", "/ga4gh/tes/v1/tasks/01J...", "view=FULL",
 *     Map.of("Authorization", List.of("Bearer ...")), new byte[0], null);
 * ApiResponse response = api.handle(request);
 * }</pre>
 *
 * @param method the HTTP method, e.g. {@code GET}
 * @param path the path as sent, still percent-encoded (e.g. {@code /v1/tasks/a%2Fb:cancel});
 *     without the query
 * @param rawQuery the query as sent, percent-encoded, without {@code ?}; {@code null} when none
 * @param headers the request headers; names are looked up without regard to case
 * @param body the request body, possibly empty; not copied, so do not change it afterwards. A body
 *     longer than the API's limit is answered 413: a server reading a body of unknown length needs
 *     to read no more than one byte beyond the limit
 * @param requestId the request id the hosting server already chose, or {@code null}: then the
 *     client's {@code X-Request-Id}, when sane, or a new one
 */
public record ApiRequest(
    String method,
    String path,
    String rawQuery,
    Map<String, List<String>> headers,
    byte[] body,
    String requestId) {

  /** Checks the method and path, copies the headers into a case-insensitive map. */
  public ApiRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    if (headers != null) {
      headers.forEach((name, values) -> {
        if (name != null && values != null) {
          copy.merge(name, List.copyOf(values), (a, b) -> {
            List<String> both = new java.util.ArrayList<>(a);
            both.addAll(b);
            return List.copyOf(both);
          });
        }
      });
    }
    headers = Collections.unmodifiableMap(copy);
    body = body == null ? new byte[0] : body;
  }

  /**
   * The first value of a header.
   *
   * @param name the header name, in any case
   * @return its first value, or {@code null} when the request has none
   */
  public String header(String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /**
   * Names the method, path and body length; never the headers nor the query (either may hold
   * credentials, such as an {@code access_token} parameter).
   */
  @Override
  public String toString() {
    return "ApiRequest[" + method + " " + path + (rawQuery == null ? "" : "?...") + ", " + body.length
        + " body bytes" + (requestId == null ? "" : ", request id " + requestId) + "]";
  }
}
