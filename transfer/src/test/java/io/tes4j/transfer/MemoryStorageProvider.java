package io.tes4j.transfer;

import io.tes4j.transfer.spi.Storage;
import io.tes4j.transfer.spi.StorageProvider;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** Registered in the tests' META-INF/services: the {@code mem} scheme at priority 0. */
public class MemoryStorageProvider implements StorageProvider {
  final AtomicInteger opens = new AtomicInteger();
  MemoryStorage last;

  @Override
  public String name() {
    return "mem (tests)";
  }

  @Override
  public Set<String> schemes() {
    return Set.of("mem");
  }

  @Override
  public synchronized Storage open(TransferSettings settings) {
    opens.incrementAndGet();
    last = new MemoryStorage();
    return last;
  }

  /** Registered too, at a higher priority: it must win the {@code mem} scheme. */
  public static final class Preferred extends MemoryStorageProvider {
    @Override
    public String name() {
      return "mem (tests, preferred)";
    }

    @Override
    public int priority() {
      return 10;
    }
  }
}
