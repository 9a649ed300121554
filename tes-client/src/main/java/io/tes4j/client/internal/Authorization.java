package io.tes4j.client.internal;

import io.tes4j.api.TesClientException;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The {@code Authorization} header of one client: none, a fixed value, or a bearer token asked of a
 * supplier and asked again after a 401. Thread-safe. Internal.
 *
 * <p>No method puts a header value or a token in an exception message.
 */
public abstract class Authorization {

  /** Sends no {@code Authorization} header. */
  public static final Authorization NONE =
      new Authorization() {
        @Override
        public String header() {
          return null;
        }

        @Override
        public String refreshAfterRejection(String rejected) {
          return null;
        }
      };

  Authorization() {}

  /** A header value that never changes (Basic, or a fixed bearer token). */
  public static Authorization fixed(String headerValue) {
    Objects.requireNonNull(headerValue, "headerValue");
    return new Authorization() {
      @Override
      public String header() {
        return headerValue;
      }

      @Override
      public String refreshAfterRejection(String rejected) {
        return null; // the same value would be refused again
      }
    };
  }

  /** {@code Bearer <token>}, the token asked of {@code tokens} before the first request. */
  public static Authorization refreshingBearer(Supplier<String> tokens) {
    return new RefreshingBearer(Objects.requireNonNull(tokens, "tokens"));
  }

  /** The value to send, or {@code null} to send no header. */
  public abstract String header();

  /**
   * The value to retry with after the server refused {@code rejected} with a 401, or {@code null}
   * when a retry cannot help.
   */
  public abstract String refreshAfterRejection(String rejected);

  /** Whether a header value can go into an HTTP header line (no line breaks, no control chars). */
  static boolean isSafeHeaderValue(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return false;
      }
    }
    return true;
  }

  private static final class RefreshingBearer extends Authorization {
    private final Supplier<String> tokens;
    private String current; // guarded by this

    RefreshingBearer(Supplier<String> tokens) {
      this.tokens = tokens;
    }

    @Override
    public synchronized String header() {
      if (current == null) {
        current = ask();
      }
      return current;
    }

    @Override
    public synchronized String refreshAfterRejection(String rejected) {
      // Another call may have refreshed the token while this one waited for its 401: use that
      // fresh token rather than asking the supplier once per failed call.
      if (current != null && !current.equals(rejected)) {
        return current;
      }
      current = ask();
      return current;
    }

    private String ask() {
      String token;
      try {
        token = tokens.get();
      } catch (RuntimeException e) {
        throw new TesClientException(
            "the bearer token supplier failed: " + e.getClass().getName(), e, false);
      }
      if (token == null || token.isBlank()) {
        throw new TesClientException("the bearer token supplier returned no token");
      }
      if (!isSafeHeaderValue(token)) {
        throw new TesClientException(
            "the bearer token supplier returned a token with a line break or control character");
      }
      return "Bearer " + token.strip();
    }
  }
}
