package io.tes4j.transfer.internal;

import io.tes4j.transfer.StorageUrl;
import io.tes4j.transfer.TransferException;
import io.tes4j.transfer.TransferException.Reason;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Locale;

/** Classifies I/O failures into {@link TransferException} reasons with plain messages. Internal. */
public final class IoFailures {
  /** What a transfer stopped by an interrupt of its thread fails with. */
  public static final String INTERRUPTED = "interrupted: the transfer was stopped";

  /**
   * Whether {@code e} says the thread was interrupted ({@link InterruptWatch} aborted its
   * connection, or an interruptible channel was closed), as opposed to a timeout.
   */
  public static boolean interruption(IOException e) {
    return (e instanceof InterruptedIOException && !(e instanceof SocketTimeoutException))
        || e instanceof ClosedByInterruptException;
  }

  private IoFailures() {}

  public static TransferException classify(StorageUrl url, IOException e) {
    String where = url.toString();
    DestinationRefusedException refused = refusal(e);
    if (refused != null) {
      return new TransferException(Reason.NOT_ALLOWED, where, refused.getMessage(), e);
    }
    if (e instanceof NoSuchFileException || e instanceof FileNotFoundException) {
      return new TransferException(Reason.NOT_FOUND, where, "not found", e);
    }
    if (e instanceof AccessDeniedException) {
      return new TransferException(Reason.ACCESS_DENIED, where, "permission denied", e);
    }
    if (e instanceof UnknownHostException) {
      return new TransferException(
          Reason.UNREACHABLE, where, "unknown host " + e.getMessage(), e);
    }
    if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
      return new TransferException(Reason.UNREACHABLE, where, "cannot connect: connection refused", e);
    }
    if (e instanceof SocketTimeoutException || e instanceof HttpTimeoutException) {
      return new TransferException(Reason.UNREACHABLE, where, "timed out", e);
    }
    if (interruption(e)) {
      // the thread was interrupted (a cancelled task): not a failure of the storage, not retried
      return new TransferException(Reason.FAILED, where, INTERRUPTED, e);
    }
    String message = String.valueOf(e.getMessage());
    String lower = message.toLowerCase(Locale.ROOT);
    if (lower.contains("no space left") || lower.contains("disk full") || lower.contains("not enough space")) {
      return new TransferException(Reason.DISK_FULL, where, "disk full", e);
    }
    if (e instanceof SocketException || lower.contains("connection reset") || lower.contains("broken pipe")
        || lower.contains("premature") || lower.contains("eof")) {
      return new TransferException(Reason.UNREACHABLE, where, "the connection broke: " + message, e);
    }
    if (e instanceof FileSystemException fs && fs.getReason() != null) {
      return new TransferException(Reason.FAILED, where, fs.getReason(), e);
    }
    return new TransferException(Reason.FAILED, where, e.getClass().getSimpleName() + ": " + message, e);
  }

  /**
   * The policy's refusal of a connection in {@code failure} or its causes (HTTP clients wrap what
   * a socket threw), or {@code null}.
   */
  public static DestinationRefusedException refusal(Throwable failure) {
    int depth = 0;
    for (Throwable t = failure; t != null && depth < 20; t = t.getCause(), depth++) {
      if (t instanceof DestinationRefusedException refused) {
        return refused;
      }
    }
    return null;
  }
}
