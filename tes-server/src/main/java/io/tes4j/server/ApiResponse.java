package io.tes4j.server;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The answer of {@link TesApi#handle(ApiRequest)}, for the hosting server to send as it is.
 *
 * @param status the HTTP status
 * @param headers the headers to send: {@code Content-Type} when there is a body, {@code
 *     X-Request-Id} always, and {@code Allow} or {@code WWW-Authenticate} where they apply
 * @param body the body, JSON; empty for none; not copied
 */
public record ApiResponse(int status, Map<String, String> headers, byte[] body) {

  /** Copies the headers, keeping their order. */
  public ApiResponse {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status must be between 100 and 599, was " + status);
    }
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(headers, "headers")));
    body = body == null ? new byte[0] : body;
  }

  /**
   * The body as text.
   *
   * @return the body, decoded as UTF-8
   */
  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** Names the status and body length. */
  @Override
  public String toString() {
    return "ApiResponse[" + status + ", " + headers + ", " + body.length + " body bytes]";
  }
}
