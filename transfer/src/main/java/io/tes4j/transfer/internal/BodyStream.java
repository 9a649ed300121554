package io.tes4j.transfer.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The body of an HTTP answer as an {@link InputStream}, with bounded memory and a read timeout.
 *
 * <p>{@code java.net.http}'s own timeout covers the wait for the headers only; a server that
 * stalls in the middle of a body would block a plain {@code ofInputStream()} reader forever. This
 * subscriber asks for one chunk at a time (so at most two chunks of the client's buffer size are
 * held) and gives up, cancelling the exchange, when no chunk arrives within the timeout. It also
 * checks that the body is as long as {@code Content-Length} announced. Internal.
 */
final class BodyStream extends InputStream implements Flow.Subscriber<List<ByteBuffer>> {
  private sealed interface Item permits Chunk, End, Failure {}

  private record Chunk(List<ByteBuffer> buffers) implements Item {}

  private record End() implements Item {}

  private record Failure(Throwable cause) implements Item {}

  private final BlockingQueue<Item> queue = new LinkedBlockingQueue<>();
  private final long timeoutNanos;
  private final Duration timeout;
  private final long expected;
  private volatile Flow.Subscription subscription;
  private volatile boolean closed;
  private Iterator<ByteBuffer> chunk;
  private ByteBuffer current;
  private boolean ended;
  private long received;

  /**
   * @param timeout the longest wait for the next bytes
   * @param expected the announced length, or -1
   */
  BodyStream(Duration timeout, long expected) {
    this.timeout = timeout;
    this.timeoutNanos = timeout.toNanos();
    this.expected = expected;
  }

  /** How many bytes were read so far. */
  long received() {
    return received;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = Objects.requireNonNull(s);
    if (closed) {
      s.cancel();
    } else {
      s.request(1);
    }
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    queue.add(new Chunk(buffers));
  }

  @Override
  public void onError(Throwable failure) {
    queue.add(new Failure(failure));
  }

  @Override
  public void onComplete() {
    queue.add(new End());
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (closed) {
      throw new IOException("the body stream is closed");
    }
    if (len == 0) {
      return 0;
    }
    while (current == null || !current.hasRemaining()) {
      if (chunk != null && chunk.hasNext()) {
        current = chunk.next();
        continue;
      }
      if (ended) {
        return -1;
      }
      Item item = next();
      if (item instanceof Chunk c) {
        chunk = c.buffers().iterator();
        // Ask for the next chunk while this one is consumed: network and disk overlap.
        subscription.request(1);
      } else if (item instanceof Failure f) {
        ended = true;
        throw f.cause() instanceof IOException io ? io : new IOException(f.cause());
      } else {
        ended = true;
        if (expected >= 0 && received < expected) {
          throw new IOException(
              "premature end of the body: the connection closed after " + received + " of "
                  + expected + " bytes");
        }
        return -1;
      }
    }
    int n = Math.min(len, current.remaining());
    current.get(b, off, n);
    received += n;
    return n;
  }

  private Item next() throws IOException {
    Item item;
    try {
      item = queue.poll(timeoutNanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cancel();
      throw new InterruptedIOException("interrupted while waiting for the body");
    }
    if (item == null) {
      cancel();
      ended = true;
      throw new HttpTimeoutException(
          "no data for " + timeout.toMillis() + " ms after " + received + " bytes of the body");
    }
    return item;
  }

  private void cancel() {
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
  }

  /** Stops the exchange if the body was not read to its end. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      if (!ended) {
        cancel();
      }
      queue.clear();
    }
  }
}
