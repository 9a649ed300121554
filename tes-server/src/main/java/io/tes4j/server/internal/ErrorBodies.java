package io.tes4j.server.internal;

import io.tes4j.model.TesJson;
import io.tes4j.server.ApiResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Error answers the HTTP layer gives before or without the API (503 while stopping, 408 for a slow
 * body, Jetty's 400 and 431), with the body every error of {@code TesApi} has: {@code {"status":
 * 408, "message": "...", "request_id": "..."}}. Internal.
 */
final class ErrorBodies {
  private ErrorBodies() {}

  /** The answer, with {@code Content-Type}, {@code X-Request-Id} and the extra header pairs. */
  static ApiResponse answer(int status, String message, String requestId, String... extraHeaders) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", status);
    body.put("message", message);
    body.put("request_id", requestId);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put("X-Request-Id", requestId);
    for (int i = 0; i + 1 < extraHeaders.length; i += 2) {
      headers.put(extraHeaders[i], extraHeaders[i + 1]);
    }
    return new ApiResponse(status, headers, TesJson.write(body).getBytes(StandardCharsets.UTF_8));
  }
}
