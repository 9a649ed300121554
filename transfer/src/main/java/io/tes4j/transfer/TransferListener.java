package io.tes4j.transfer;

/**
 * Hears how a transfer progresses. Methods have no-op defaults, so new ones can be added later.
 * They are called on the transferring thread (several threads for parallel transfers): they must
 * be fast, thread-safe and must not throw.
 */
public interface TransferListener {
  /** A listener that does nothing. */
  TransferListener NONE = new TransferListener() {};

  /**
   * Bytes moved so far for one object.
   *
   * @param source where the bytes come from
   * @param bytesDone how many bytes have moved
   * @param bytesTotal the size, or -1 when unknown
   */
  default void progress(StorageUrl source, long bytesDone, long bytesTotal) {}

  /** One object is done, with its final size. */
  default void completed(StorageUrl source, StorageUrl target, long bytes) {}

  /** A failed attempt is being retried. */
  default void retrying(StorageUrl source, int attempt, Throwable failure) {}
}
