package io.tes4j.transfer.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Aborts blocking network I/O when the thread waiting on it is interrupted. The sockets of the
 * JDK's {@code HttpURLConnection} and of Commons Net ignore {@link Thread#interrupt()}: a task
 * cancelled while its input downloads from a server that stopped answering would wait for the
 * whole read timeout (a minute by default) before it could end.
 *
 * <p>A thread {@linkplain #watch registers} what aborts its I/O (closing the connection) for as
 * long as it may block; one daemon thread, which runs only while something is registered, looks
 * every {@value #PERIOD_MILLIS} ms whether a registered thread is interrupted, and if so runs its
 * abort once. The blocked call then fails (a closed socket), and {@link Registration#check} turns
 * that failure into an {@link InterruptedIOException}. The interrupt flag is only read, never
 * cleared: what the interrupted thread does next still sees it. Internal.
 */
public final class InterruptWatch {
  /** How often the watching thread looks at the registered threads. */
  static final long PERIOD_MILLIS = 50;

  private static final Set<Registration> REGISTERED = ConcurrentHashMap.newKeySet();
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final Object LOCK = new Object();
  private static Thread watcher; // guarded by LOCK; null when none runs

  private InterruptWatch() {}

  /**
   * Runs {@code abort} if the calling thread is interrupted before the registration is closed.
   *
   * @throws InterruptedIOException when the calling thread is interrupted already: the I/O would
   *     start after the abort, and block
   */
  public static Registration watch(Runnable abort) throws InterruptedIOException {
    Thread thread = Thread.currentThread();
    if (thread.isInterrupted()) {
      throw interrupted();
    }
    Registration registration = new Registration(thread, abort);
    REGISTERED.add(registration);
    synchronized (LOCK) {
      if (watcher == null) {
        watcher = new Thread(InterruptWatch::watchWhileRegistered, "tes4j-interrupt-watch-" + THREADS.incrementAndGet());
        watcher.setDaemon(true);
        watcher.start();
      }
    }
    return registration;
  }

  /** Blocking I/O, run under a watch. */
  @FunctionalInterface
  public interface Io<T> {
    T run() throws IOException;
  }

  /**
   * Runs {@code io} {@linkplain #watch watched} with {@code abort}: when the calling thread is
   * interrupted while {@code io} blocks, {@code abort} runs and what {@code io} then throws comes
   * out as an {@link InterruptedIOException} (its cause kept).
   *
   * @throws InterruptedIOException when the calling thread is interrupted already, or was while
   *     {@code io} blocked
   * @throws IOException what {@code io} threw otherwise
   */
  public static <T> T run(Runnable abort, Io<T> io) throws IOException {
    try (Registration registration = watch(abort)) {
      try {
        return io.run();
      } catch (IOException e) {
        throw registration.check(e);
      }
    }
  }

  /**
   * {@code in}, whose reads and skips are {@linkplain #run run watched} with {@code abort}: a read
   * blocked when its thread is interrupted fails with an {@link InterruptedIOException}.
   */
  public static InputStream readsWatched(InputStream in, Runnable abort) {
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        return run(abort, in::read);
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return run(abort, () -> in.read(b, off, len));
      }

      @Override
      public long skip(long n) throws IOException {
        return run(abort, () -> in.skip(n));
      }
    };
  }

  private static void watchWhileRegistered() {
    while (true) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(PERIOD_MILLIS));
      for (Registration registration : REGISTERED) {
        if (registration.thread.isInterrupted()) {
          registration.fire();
        }
      }
      synchronized (LOCK) {
        if (REGISTERED.isEmpty()) {
          watcher = null; // a registration made from now on starts a new watcher
          return;
        }
      }
    }
  }

  private static InterruptedIOException interrupted() {
    return new InterruptedIOException(IoFailures.INTERRUPTED);
  }

  /** One thread's I/O under watch; close it when the I/O is over. */
  public static final class Registration implements AutoCloseable {
    private final Thread thread;
    private final Runnable abort;
    private boolean fired; // guarded by this

    private Registration(Thread thread, Runnable abort) {
      this.thread = thread;
      this.abort = abort;
    }

    private void fire() {
      synchronized (this) {
        if (fired || !REGISTERED.contains(this)) {
          return;
        }
        fired = true;
        abort.run();
      }
    }

    /** Whether the abort ran. */
    public synchronized boolean fired() {
      return fired;
    }

    /**
     * What the watched I/O should throw for {@code failure}: an {@link InterruptedIOException}
     * (with {@code failure} as its cause) when the abort caused it, else {@code failure} itself.
     */
    public IOException check(IOException failure) {
      if (fired()) {
        InterruptedIOException interrupted = interrupted();
        interrupted.initCause(failure);
        return interrupted;
      }
      return failure;
    }

    /** Ends the watch; the abort no longer runs. */
    @Override
    public void close() {
      synchronized (this) {
        REGISTERED.remove(this);
      }
    }
  }
}
