package io.tes4j.transfer;

import io.tes4j.transfer.spi.Storage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * A storage in memory for the scheme {@code mem}: {@code mem://box/dir/file}. What a user-added
 * storage looks like; tests also use it to inject failures.
 */
class MemoryStorage implements Storage {
  final Map<String, byte[]> objects = new ConcurrentSkipListMap<>();
  final AtomicInteger closes = new AtomicInteger();
  /** Attempts of {@link #openRead} so far. */
  final AtomicInteger reads = new AtomicInteger();
  /** The first this many reads fail with a server error. */
  volatile int failingReads;

  private static String key(StorageUrl url) {
    return url.host() + url.path();
  }

  @Override
  public Optional<ObjectInfo> stat(StorageUrl url) {
    byte[] data = objects.get(key(url));
    return Optional.ofNullable(data).map(d -> ObjectInfo.file(url, d.length));
  }

  @Override
  public InputStream openRead(StorageUrl url, long offset) {
    if (reads.incrementAndGet() <= failingReads) {
      throw new TransferException(TransferException.Reason.SERVER_ERROR, url.toString(), "busy (503)", null);
    }
    byte[] data = objects.get(key(url));
    if (data == null) {
      throw new TransferException(TransferException.Reason.NOT_FOUND, url.toString(), "not found", null);
    }
    return new ByteArrayInputStream(data, (int) offset, data.length - (int) offset);
  }

  @Override
  public long write(StorageUrl url, InputStream data, long size, LongConsumer progress) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = data.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
        progress.accept(n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    objects.put(key(url), out.toByteArray());
    return out.size();
  }

  @Override
  public List<ObjectInfo> list(StorageUrl prefix) {
    String start = key(prefix);
    return objects.entrySet().stream()
        .filter(e -> e.getKey().startsWith(start))
        .map(e -> ObjectInfo.file(prefix.withPath(e.getKey().substring(prefix.host().length())), e.getValue().length))
        .toList();
  }

  @Override
  public void delete(StorageUrl url) {
    objects.remove(key(url));
  }

  @Override
  public void close() {
    closes.incrementAndGet();
  }
}
