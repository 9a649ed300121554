package io.tes4j.server.internal;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The time limits on reading a request that Jetty's idle timeout does not give: a client that
 * sends a byte now and then never goes idle, so it could hold a connection forever.
 *
 * <ul>
 *   <li>Headers: a new connection's first request (with the TLS handshake) must arrive within the
 *       header timeout of the accept; a kept-alive connection may wait quietly for its next request
 *       (until Jetty's idle timeout), but once that request's first bytes came, its headers must
 *       be complete within the header timeout. Else the connection is closed (there is no request
 *       to answer yet).
 *   <li>Body: once the handler waits for a body, all of it must arrive within the body timeout, else
 *       the request is answered 408 and its connection closed ({@link Reading#timedOut()}).
 * </ul>
 *
 * <p>One task sweeps every connection a few times per timeout, so a connection is closed no earlier
 * than its limit and at most a quarter of the shorter timeout (and at most 1 s) later; requests
 * that arrive whole in one read cost one map lookup and a few field writes. Internal.
 */
final class ReadDeadlines implements Connection.Listener {
  private static final Logger LOG = LoggerFactory.getLogger("io.tes4j.server");
  private static final long SUMMARY_NANOS = TimeUnit.MINUTES.toNanos(1);

  /** A request whose body is being read. */
  interface Reading {
    /** Called once its body deadline passed; answers 408 unless it is already answered. */
    void timedOut();

    /** The server stops: answers 503 unless it is already answered (the API has not seen it). */
    void refuse();
  }

  /** What one HTTP connection is doing. */
  static final class Watch {
    final Connection connection;
    volatile boolean inRequest;
    volatile long requests;
    /** When it began waiting for a request: the accept, or the end of the last answer. */
    volatile long waitingSince;
    volatile long bytesWhenIdle;
    /** When the sweep first saw bytes of a request that has not arrived whole; 0 when none. */
    volatile long partialSince;
    volatile Reading reading;
    volatile long bodyDeadline;

    Watch(Connection connection) {
      this.connection = connection;
      this.waitingSince = System.nanoTime();
    }
  }

  private final Map<Connection, Watch> watches = new ConcurrentHashMap<>();
  private final long headerNanos;
  private final long bodyNanos;
  private final long periodNanos;
  private final Scheduler scheduler;
  private final AtomicInteger closedHeaders = new AtomicInteger();
  private final AtomicInteger timedOutBodies = new AtomicInteger();
  private volatile boolean stopped;
  private long lastSummary = System.nanoTime();

  ReadDeadlines(Duration headerTimeout, Duration bodyTimeout, Scheduler scheduler) {
    this.headerNanos = headerTimeout.toNanos();
    this.bodyNanos = bodyTimeout.toNanos();
    long quarter = Math.min(headerNanos, bodyNanos) / 4;
    this.periodNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(TimeUnit.SECONDS.toNanos(1), quarter));
    this.scheduler = scheduler;
  }

  void start() {
    scheduler.schedule(this::sweep, periodNanos, TimeUnit.NANOSECONDS);
  }

  void stop() {
    stopped = true;
  }

  @Override
  public void onOpened(Connection connection) {
    // The HTTP connection only (under TLS, Jetty also opens the TLS one: the same accept).
    if (connection instanceof ConnectionMetaData) {
      watches.put(connection, new Watch(connection));
    }
  }

  @Override
  public void onClosed(Connection connection) {
    watches.remove(connection);
  }

  /** A request's headers arrived on {@code connection}; {@code null} when it is not watched. */
  Watch requestStarted(Connection connection) {
    Watch watch = watches.get(connection);
    if (watch != null) {
      watch.inRequest = true;
      watch.partialSince = 0;
      watch.requests++;
    }
    return watch;
  }

  /** The handler waits for the rest of {@code reading}'s body. */
  void readingBody(Watch watch, Reading reading) {
    if (watch != null) {
      watch.bodyDeadline = System.nanoTime() + bodyNanos;
      watch.reading = reading;
    }
  }

  /** The body is read whole (or given up). */
  void bodyRead(Watch watch) {
    if (watch != null) {
      watch.reading = null;
    }
  }

  /** The answer is sent: the connection waits for its next request. Before Jetty may start it. */
  void requestDone(Watch watch) {
    if (watch != null) {
      watch.reading = null;
      watch.bytesWhenIdle = watch.connection.getBytesIn();
      watch.waitingSince = System.nanoTime();
      watch.inRequest = false;
    }
  }

  int connections() {
    return watches.size();
  }

  /** Refuses every request still waiting for its body (the server stops: they need not finish). */
  void refuseReading() {
    for (Watch watch : watches.values()) {
      Reading reading = watch.reading;
      if (reading != null) {
        reading.refuse();
      }
    }
  }

  private void sweep() {
    if (stopped) {
      return;
    }
    try {
      long now = System.nanoTime();
      for (Watch watch : watches.values()) {
        check(watch, now);
      }
      summarize(now);
    } catch (RuntimeException e) {
      LOG.warn("the check of slow requests failed; it runs again", e);
    } finally {
      if (!stopped) {
        scheduler.schedule(this::sweep, periodNanos, TimeUnit.NANOSECONDS);
      }
    }
  }

  private void check(Watch watch, long now) {
    Reading reading = watch.reading;
    if (reading != null) {
      if (now - watch.bodyDeadline >= 0) {
        watch.reading = null;
        timedOutBodies.incrementAndGet();
        reading.timedOut();
      }
      return;
    }
    if (watch.inRequest) {
      return;
    }
    if (watch.requests == 0) {
      // A new connection: its first request, TLS handshake included, is due within the limit.
      if (now - watch.waitingSince >= headerNanos) {
        closeSlow(watch);
      }
      return;
    }
    if (watch.connection.getBytesIn() == watch.bytesWhenIdle) {
      return; // kept alive and quiet: Jetty's idle timeout applies
    }
    long since = watch.partialSince;
    if (since == 0) {
      watch.partialSince = now == 0 ? 1 : now;
    } else if (now - since >= headerNanos) {
      closeSlow(watch);
    }
  }

  private void closeSlow(Watch watch) {
    if (watches.remove(watch.connection) != null) {
      closedHeaders.incrementAndGet();
      LOG.debug("closing {}: no whole request within the header timeout", watch.connection);
      watch.connection.getEndPoint().close();
    }
  }

  /** At most one line a minute, so that a flood of slow clients cannot flood the log. */
  private void summarize(long now) {
    if (now - lastSummary < SUMMARY_NANOS) {
      return;
    }
    lastSummary = now;
    int headers = closedHeaders.getAndSet(0);
    int bodies = timedOutBodies.getAndSet(0);
    if (headers > 0 || bodies > 0) {
      LOG.warn("slow clients in the last minute: {} connection(s) closed without a whole request within {} ms,"
          + " {} request(s) answered 408 for a body not whole within {} ms", headers,
          TimeUnit.NANOSECONDS.toMillis(headerNanos), bodies, TimeUnit.NANOSECONDS.toMillis(bodyNanos));
    }
  }
}
