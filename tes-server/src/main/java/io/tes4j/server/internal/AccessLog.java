package io.tes4j.server.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The one INFO line per request, on the logger {@code io.tes4j.server}, with the request id in the
 * MDC as {@code request_id}: {@code request ID: METHOD PATH -> STATUS in N ms, user U}. Method, path
 * and user are sent by clients: control characters become {@code ?} and a long path is cut, so that
 * no line can be forged; a clean value (the usual case) is used as it is, without a copy.
 *
 * <p>The line is logged on the request's thread, when the answer is ready. What it costs then is
 * the logging backend's: {@code tes4j serve} gives slf4j-simple a standard error that writes in
 * batches (one {@code write} call per 20 ms rather than per line); an application embedding the
 * server can give the logger {@code io.tes4j.server} an asynchronous appender. A thread of our own
 * that formats and writes queued lines was measured too, and cost more: its wake-ups, on 2 cores
 * and one keep-alive connection (benchmarks/README.md). Internal.
 */
public final class AccessLog {
  private static final Logger LOG = LoggerFactory.getLogger("io.tes4j.server");
  private static final int MAX_LOGGED_PATH = 300;

  /** The MDC key of the request id (TesApi.MDC_REQUEST_ID). */
  static final String MDC_REQUEST_ID = "request_id";

  private AccessLog() {}

  /**
   * Logs one request.
   *
   * @param user the caller, or {@code null} when not authenticated
   */
  public static void log(String requestId, String method, String path, int status, long millis, String user) {
    if (!LOG.isInfoEnabled()) {
      return;
    }
    String previous = MDC.get(MDC_REQUEST_ID);
    MDC.put(MDC_REQUEST_ID, requestId);
    try {
      LOG.info("request {}: {} {} -> {} in {} ms, user {}", requestId, loggable(method), loggable(path), status,
          millis, user == null ? "-" : loggable(user));
    } finally {
      if (previous == null) {
        MDC.remove(MDC_REQUEST_ID);
      } else {
        MDC.put(MDC_REQUEST_ID, previous);
      }
    }
  }

  /** {@code text} with control characters replaced and cut to 300 characters; itself when clean. */
  public static String loggable(String text) {
    int length = text.length();
    boolean clean = length <= MAX_LOGGED_PATH;
    for (int i = 0; clean && i < length; i++) {
      char c = text.charAt(i);
      clean = c >= ' ' && c != 127;
    }
    if (clean) {
      return text;
    }
    StringBuilder out = new StringBuilder(Math.min(length, MAX_LOGGED_PATH) + 3);
    for (int i = 0; i < Math.min(length, MAX_LOGGED_PATH); i++) {
      char c = text.charAt(i);
      out.append(c < ' ' || c == 127 ? '?' : c);
    }
    return length > MAX_LOGGED_PATH ? out.append("...").toString() : out.toString();
  }
}
