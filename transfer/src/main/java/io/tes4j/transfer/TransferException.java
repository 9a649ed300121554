package io.tes4j.transfer;

import io.tes4j.api.TesException;

/**
 * A transfer failed. Says which location (with any password masked), why in plain words, and a
 * {@link Reason} that programs can act on: a {@link Reason#NOT_FOUND} input is the user's mistake,
 * an {@link Reason#UNREACHABLE} server may work on a retry.
 */
public class TransferException extends TesException {
  private static final long serialVersionUID = 1L;

  /** Why a transfer failed. */
  public enum Reason {
    /** The object, file or directory does not exist. */
    NOT_FOUND(false),
    /** The credentials were refused, or do not allow this operation. */
    ACCESS_DENIED(false),
    /** The server could not be reached, or the connection broke; a retry may work. */
    UNREACHABLE(true),
    /** The server answered that it is busy or failing (HTTP 5xx, 429); a retry may work. */
    SERVER_ERROR(true),
    /** The local disk is full. */
    DISK_FULL(false),
    /** What arrived does not match what was announced (size, checksum, ETag). */
    CORRUPT(true),
    /** The URL cannot be parsed, or its scheme is not supported. */
    INVALID_URL(false),
    /** The location is outside what the configuration allows (a file root, a task directory). */
    NOT_ALLOWED(false),
    /** The storage cannot do this (listing a directory over HTTP). */
    UNSUPPORTED(false),
    /** Anything else. */
    FAILED(false);

    private final boolean retryable;

    Reason(boolean retryable) {
      this.retryable = retryable;
    }

    /** Whether the same transfer may succeed if tried again. */
    public boolean retryable() {
      return retryable;
    }
  }

  private final Reason reason;
  private final String location;

  /**
   * @param reason why it failed
   * @param location the location concerned, already masked (use {@link StorageUrl#toString()})
   * @param detail what happened, in plain words
   * @param cause the underlying failure, or {@code null}
   */
  public TransferException(Reason reason, String location, String detail, Throwable cause) {
    super(location + ": " + detail, cause);
    this.reason = reason;
    this.location = location;
  }

  /** Why it failed. */
  public Reason reason() {
    return reason;
  }

  /** The location concerned, with any password masked. */
  public String location() {
    return location;
  }

  @Override
  public boolean retryable() {
    return reason.retryable();
  }
}
