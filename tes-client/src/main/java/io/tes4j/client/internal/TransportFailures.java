package io.tes4j.client.internal;

import io.tes4j.api.TesClientException;
import io.tes4j.api.TesException;
import io.tes4j.api.TesTimeoutException;
import io.tes4j.api.internal.Durations;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLException;

/**
 * What to do with a request that got no answer: whether to retry it, and the exception the caller
 * sees. Internal.
 */
public final class TransportFailures {
  private TransportFailures() {}

  /** The failure inside {@link CompletionException} and {@link ExecutionException} wrappers. */
  public static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * Whether the request certainly never reached the server: the connection was refused, could not
   * be opened in time, or the host name did not resolve. Only then may a CreateTask be sent again.
   */
  public static boolean certainlyNotSent(Throwable failure) {
    Throwable t = unwrap(failure);
    return t instanceof ConnectException || t instanceof HttpConnectTimeoutException;
  }

  /** Whether sending the request again may succeed, given whether it is idempotent. */
  public static boolean retryable(Throwable failure, boolean idempotent) {
    Throwable t = unwrap(failure);
    if (certainlyNotSent(t)) {
      return true;
    }
    if (!idempotent || t instanceof SSLException) {
      // A TLS failure is a certificate or protocol mismatch that a retry will not fix.
      return false;
    }
    return t instanceof IOException; // request timeouts, connections reset or closed mid-answer
  }

  /**
   * The exception the caller sees for a request that got no answer.
   *
   * @param baseUrl the client's base URL, named when the server cannot be reached
   * @param requestTimeout the per-request timeout, named when it passed
   * @param attempts how many times the request was sent
   */
  public static TesException toException(
      HttpCall<?> call, Throwable failure, URI baseUrl, Duration requestTimeout, int attempts) {
    Throwable t = unwrap(failure);
    if (t instanceof TesException tes) {
      return tes;
    }
    String tries = attempts > 1 ? " (" + attempts + " attempts)" : "";
    String notResent =
        call.idempotent()
            ? ""
            : "; the task may have been created anyway, so it was not sent again: check with"
                + " listTasks before submitting it again";
    if (t instanceof HttpConnectTimeoutException) {
      return new TesTimeoutException(
          "cannot connect to " + baseUrl + ": connect timed out" + tries, t);
    }
    if (t instanceof ConnectException) {
      return new TesClientException(
          "cannot connect to " + baseUrl + ": " + connectReason(t, baseUrl) + tries, t, true);
    }
    if (t instanceof HttpTimeoutException) {
      return new TesTimeoutException(
          call.describe()
              + ": no answer within "
              + Durations.format(requestTimeout)
              + tries
              + notResent,
          t);
    }
    if (t instanceof SSLException) {
      return new TesClientException(
          "TLS with " + baseUrl + " failed: " + reason(t, "handshake failed"), t, false);
    }
    if (t instanceof InterruptedException) {
      return new TesClientException("interrupted during " + call.describe(), t, false);
    }
    if (t instanceof IOException) {
      return new TesClientException(
          call.describe()
              + " failed: "
              + reason(t, t.getClass().getSimpleName())
              + tries
              + notResent,
          t,
          call.idempotent());
    }
    return new TesClientException(call.describe() + " failed: " + t, t, false);
  }

  private static String connectReason(Throwable t, URI baseUrl) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof UnresolvedAddressException) {
        return "unknown host " + baseUrl.getHost();
      }
    }
    // The JDK client throws ConnectException without a message when the port is closed.
    return reason(t, "connection refused");
  }

  /** The first message in the cause chain, starting lower case, or {@code fallback}. */
  private static String reason(Throwable t, String fallback) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      String message = c.getMessage();
      if (message != null && !message.isBlank()) {
        return message.substring(0, 1).toLowerCase(Locale.ROOT) + message.substring(1);
      }
    }
    return fallback;
  }
}
