package io.tes4j.transfer.internal.s3;

/**
 * Sees each part of a parallel multipart upload or ranged download start and finish, on the thread
 * that moves it. For tests: the storage uses {@link #NONE}. An exception thrown here fails the
 * transfer like a failed part.
 */
interface PartObserver {
  /** Watches nothing. */
  PartObserver NONE = new PartObserver() {};

  /**
   * A part is about to move.
   *
   * @param operation {@code upload} or {@code download}
   * @param index the part's index, from 0
   */
  default void partStarted(String operation, int index) {}

  /**
   * A part has moved completely.
   *
   * @param operation {@code upload} or {@code download}
   * @param index the part's index, from 0
   */
  default void partFinished(String operation, int index) {}
}
