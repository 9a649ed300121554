package io.tes4j.client.internal;

import java.net.http.HttpHeaders;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * An HTTP answer as received: status, headers, body bytes. Internal.
 *
 * @param call the request it answers
 * @param status the HTTP status
 * @param headers the response headers
 * @param body the body, possibly empty
 */
public record Answer(HttpCall<?> call, int status, HttpHeaders headers, byte[] body) {

  /** Error bodies kept in exceptions are cut to this many characters. */
  public static final int MAX_KEPT_BODY_CHARS = 4096;

  /** Whether the status is 2xx. */
  public boolean isSuccess() {
    return status >= 200 && status < 300;
  }

  /** The {@code Content-Type} header, or an empty string. */
  public String contentType() {
    return headers.firstValue("Content-Type").orElse("");
  }

  /** Whether the body claims to be JSON ({@code application/json}, {@code ...+json}). */
  public boolean isJson() {
    String type = contentType().toLowerCase(Locale.ROOT);
    return type.contains("/json") || type.contains("+json");
  }

  /** The body as text, in the charset of the {@code Content-Type}, UTF-8 by default. */
  public String bodyText() {
    return new String(body, charset());
  }

  /**
   * The body as text, cut to {@value #MAX_KEPT_BODY_CHARS} characters, or {@code null} when empty;
   * what error exceptions keep.
   */
  public String keptBody() {
    if (body.length == 0) {
      return null;
    }
    String text = bodyText();
    if (text.length() <= MAX_KEPT_BODY_CHARS) {
      return text;
    }
    return text.substring(0, MAX_KEPT_BODY_CHARS)
        + "... ("
        + (text.length() - MAX_KEPT_BODY_CHARS)
        + " more characters)";
  }

  /** The start of the body on one line, for a message; empty when there is no body. */
  public String bodySnippet(int maxChars) {
    String text = bodyText().strip().replaceAll("\\s+", " ");
    return text.length() <= maxChars ? text : text.substring(0, maxChars) + "...";
  }

  /** The delay a {@code Retry-After} header asks for, if it has one that can be read. */
  public Optional<Duration> retryAfter(Clock clock) {
    return headers.firstValue("Retry-After").flatMap(value -> RetryAfter.parse(value, clock));
  }

  private Charset charset() {
    for (String part : contentType().split(";")) {
      String p = part.strip();
      if (p.regionMatches(true, 0, "charset=", 0, 8)) {
        try {
          return Charset.forName(p.substring(8).replace("\"", "").strip());
        } catch (IllegalArgumentException unknownCharset) {
          // A charset this JVM does not know: TES bodies are JSON, whose default is UTF-8.
          return StandardCharsets.UTF_8;
        }
      }
    }
    return StandardCharsets.UTF_8;
  }
}
