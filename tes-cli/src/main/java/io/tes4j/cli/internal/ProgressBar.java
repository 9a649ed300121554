package io.tes4j.cli.internal;

import io.tes4j.transfer.StorageUrl;
import io.tes4j.transfer.TransferListener;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar on standard error, redrawn in place ({@code \r}) at most every {@value
 * #INTERVAL_MILLIS} ms: bytes moved, the total and the percentage when known, and the mean rate
 * since the first bytes moved.
 * For several files (a directory) it counts the files done instead of a percentage, since the
 * total is not known in advance. Thread-safe: parallel transfers report from several threads.
 */
final class ProgressBar implements TransferListener {
  static final long INTERVAL_MILLIS = 200;

  private final Context ctx;
  private final boolean manyFiles;
  private final LongSupplier nanoClock;
  /** When the first bytes were reported (the rate counts from there), or {@code Long.MIN_VALUE}. */
  private final AtomicLong start = new AtomicLong(Long.MIN_VALUE);
  /** The most bytes reported per object: a retry starting again does not move the bar back. */
  private final Map<String, Long> doneByObject = new ConcurrentHashMap<>();
  private final Map<String, Long> totalByObject = new ConcurrentHashMap<>();
  private final AtomicLong done = new AtomicLong();
  private final AtomicLong total = new AtomicLong();
  private final AtomicInteger unknownTotals = new AtomicInteger();
  private final AtomicInteger files = new AtomicInteger();
  private final AtomicLong nextDraw;

  /**
   * @param manyFiles whether a directory is moved (count files, no percentage)
   */
  ProgressBar(Context ctx, boolean manyFiles) {
    this(ctx, manyFiles, System::nanoTime);
  }

  ProgressBar(Context ctx, boolean manyFiles, LongSupplier nanoClock) {
    this.ctx = ctx;
    this.manyFiles = manyFiles;
    this.nanoClock = nanoClock;
    this.nextDraw = new AtomicLong(Long.MIN_VALUE);
  }

  @Override
  public void progress(StorageUrl source, long bytesDone, long bytesTotal) {
    long now = nanoClock.getAsLong();
    if (start.compareAndSet(Long.MIN_VALUE, now)) {
      // The first line one interval after the first bytes: a rate measured over less means little.
      nextDraw.set(now + TimeUnit.MILLISECONDS.toNanos(INTERVAL_MILLIS));
    }
    String key = source.raw();
    if (totalByObject.putIfAbsent(key, bytesTotal) == null) {
      if (bytesTotal >= 0) {
        total.addAndGet(bytesTotal);
      } else {
        unknownTotals.incrementAndGet();
      }
    }
    advance(key, bytesDone);
    maybeDraw();
  }

  @Override
  public void completed(StorageUrl source, StorageUrl target, long bytes) {
    advance(source.raw(), bytes);
    files.incrementAndGet();
    maybeDraw();
  }

  private void advance(String key, long bytesDone) {
    long[] delta = new long[1];
    doneByObject.compute(
        key,
        (k, before) -> {
          long most = before == null ? 0 : before;
          if (bytesDone > most) {
            delta[0] = bytesDone - most;
            return bytesDone;
          }
          return most;
        });
    if (delta[0] > 0) {
      done.addAndGet(delta[0]);
    }
  }

  private void maybeDraw() {
    long now = nanoClock.getAsLong();
    long due = nextDraw.get();
    if (due != Long.MIN_VALUE && now - due >= 0 && nextDraw.compareAndSet(due, now + TimeUnit.MILLISECONDS.toNanos(INTERVAL_MILLIS))) {
      ctx.progress(line(now));
    }
  }

  /** Draws the final state and ends the line: after a success. */
  void finish() {
    ctx.progress(line(nanoClock.getAsLong()));
    ctx.endProgress();
  }

  /** Ends the line without drawing again: after a failure, before the error line. */
  void abandon() {
    ctx.endProgress();
  }

  /** The text of the bar at {@code now}. */
  String line(long now) {
    long bytes = done.get();
    long first = start.get();
    double seconds = Math.max(1e-3, first == Long.MIN_VALUE ? 0 : (now - first) / 1e9);
    String rate = ByteSize.format((long) (bytes / seconds)) + "/s";
    if (manyFiles) {
      int n = files.get();
      return String.format(
          Locale.ROOT, "%d %s  %s  %s", n, n == 1 ? "file" : "files", ByteSize.format(bytes), rate);
    }
    long all = total.get();
    if (unknownTotals.get() > 0 || totalByObject.isEmpty()) {
      return ByteSize.format(bytes) + "  " + rate;
    }
    int percent = all <= 0 ? 100 : (int) Math.min(100, bytes * 100 / all);
    return String.format(
        Locale.ROOT, "%s / %s  %3d%%  %s", ByteSize.format(bytes), ByteSize.format(all), percent, rate);
  }
}
