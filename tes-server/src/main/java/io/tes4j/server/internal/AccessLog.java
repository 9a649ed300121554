package io.tes4j.server.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The one INFO line per request, on the logger {@code io.tes4j.server}, with the request id in the
 * MDC as {@code request_id}: {@code request ID: METHOD PATH -> STATUS in N ms, user U}. Method, path
 * and user are sent by clients: control characters become {@code ?} and a long path is cut, so that
 * no line can be forged.
 *
 * <p>{@link #log} writes the line at once, as {@link io.tes4j.server.TesApi} does when a framework
 * hosts it (which may have its own asynchronous appender). {@link #queue}, which {@code TesServer}
 * uses, is cheap for the request: it only queues the line's values. One daemon thread formats and writes
 * them, a batch at a time, looking every millisecond while requests come (so that requests never
 * wake it) and sleeping after 100 ms without one (then the next request wakes it), so that
 * requests neither format nor wait on the logger's lock and its write to the console or a file. When 65,536 lines wait (the logger cannot keep up), a request writes its own line, slowing
 * down rather than dropping lines. {@link #flush()} writes every queued line (the server calls it
 * when it stops). Internal.
 */
public final class AccessLog {
  private static final Logger LOG = LoggerFactory.getLogger("io.tes4j.server");
  private static final int MAX_LOGGED_PATH = 300;
  private static final int MAX_QUEUED = 65_536;
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final int POLLS_BEFORE_SLEEP = 100;

  /** The MDC key of the request id (TesApi.MDC_REQUEST_ID). */
  static final String MDC_REQUEST_ID = "request_id";

  private static final ConcurrentLinkedQueue<Line> QUEUE = new ConcurrentLinkedQueue<>();
  private static final AtomicInteger QUEUED = new AtomicInteger();
  private static final Object WRITING = new Object();
  private static volatile Thread writer;
  private static volatile boolean sleeping;

  private AccessLog() {}

  /** One request's values, formatted by the writer. */
  private record Line(String requestId, String method, String path, int status, long millis, String user) {}

  /** Whether lines are written at all (the logger is at INFO or finer). */
  public static boolean enabled() {
    return LOG.isInfoEnabled();
  }

  /**
   * Logs one request now, on this thread.
   *
   * @param user the caller, or {@code null} when not authenticated
   */
  public static void log(String requestId, String method, String path, int status, long millis, String user) {
    if (LOG.isInfoEnabled()) {
      write(new Line(requestId, method, path, status, millis, user));
    }
  }

  /**
   * Logs one request soon, from the writer thread.
   *
   * @param user the caller, or {@code null} when not authenticated
   */
  public static void queue(String requestId, String method, String path, int status, long millis, String user) {
    if (!LOG.isInfoEnabled()) {
      return;
    }
    Line line = new Line(requestId, method, path, status, millis, user);
    if (QUEUED.incrementAndGet() > MAX_QUEUED) {
      QUEUED.decrementAndGet();
      write(line);
      return;
    }
    QUEUE.add(line);
    Thread thread = writer;
    if (thread == null) {
      startWriter();
    } else if (sleeping) {
      sleeping = false;
      LockSupport.unpark(thread);
    }
  }

  /** Writes every line queued so far, on this thread. */
  public static void flush() {
    drain();
  }

  private static synchronized void startWriter() {
    if (writer != null) {
      return;
    }
    Thread thread = new Thread(AccessLog::run, "tes4j-access-log");
    thread.setDaemon(true);
    writer = thread;
    thread.start();
    // A JVM that exits normally writes what is queued (a halt or a kill cannot).
    Runtime.getRuntime().addShutdownHook(new Thread(AccessLog::drain, "tes4j-access-log-flush"));
  }

  private static void run() {
    int idle = 0;
    while (true) {
      if (drain()) {
        idle = 0;
      } else if (++idle < POLLS_BEFORE_SLEEP) {
        LockSupport.parkNanos(POLL_NANOS);
      } else {
        // Sleep until a request wakes it; look once more after saying so, lest a line just queued waits.
        sleeping = true;
        if (QUEUE.isEmpty()) {
          LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
        }
        sleeping = false;
        idle = 0;
      }
    }
  }

  /** Writes the queued lines; whether there were any. */
  private static boolean drain() {
    boolean any = false;
    synchronized (WRITING) {
      Line line;
      while ((line = QUEUE.poll()) != null) {
        QUEUED.decrementAndGet();
        any = true;
        try {
          write(line);
        } catch (RuntimeException e) {
          // A logger that throws must not stop the writer: the next lines still get their chance.
          System.err.println("tes4j: the access log failed: " + e);
        }
      }
    }
    return any;
  }

  private static void write(Line line) {
    String previous = MDC.get(MDC_REQUEST_ID);
    MDC.put(MDC_REQUEST_ID, line.requestId());
    try {
      LOG.info("request {}: {} {} -> {} in {} ms, user {}", line.requestId(), loggable(line.method()),
          loggable(line.path()), line.status(), line.millis(), line.user() == null ? "-" : loggable(line.user()));
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
