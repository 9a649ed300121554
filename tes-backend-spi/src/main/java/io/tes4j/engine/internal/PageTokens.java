package io.tes4j.engine.internal;

import io.tes4j.api.InvalidTaskException;
import io.tes4j.model.Violation;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * ListTasks page tokens: the id of the last task of a page, prefixed with a format version and
 * encoded in unpadded URL-safe base64, so that clients treat it as opaque. The filters are not in the
 * token: a client sends them again with it, as the spec's clients do. Internal.
 */
public final class PageTokens {
  private static final String VERSION = "1:";

  private PageTokens() {}

  /** The token of the page that follows the task with id {@code lastId}. */
  public static String encode(String lastId) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString((VERSION + lastId).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The last id of the previous page, or {@code null} for the first page (no token, or an empty one).
   *
   * @throws InvalidTaskException when the token was not made by {@link #encode}
   */
  public static String decode(String token) {
    if (token == null || token.isEmpty()) {
      return null;
    }
    String text;
    try {
      text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      text = "";
    }
    if (!text.startsWith(VERSION) || !TaskIds.isId(text.substring(VERSION.length()))) {
      throw new InvalidTaskException(
          List.of(
              new Violation(
                  "page_token",
                  "is not a page token of this engine (" + shown(token) + "): pass the next_page_token"
                      + " of the previous page unchanged, or leave page_token out to get the first page")));
    }
    return text.substring(VERSION.length());
  }

  private static String shown(String token) {
    return token.length() <= 40 ? "'" + token + "'" : "'" + token.substring(0, 40) + "...', " + token.length() + " characters";
  }
}
