package io.tes4j.transfer.internal.s3;

import io.minio.errors.ErrorResponseException;
import io.minio.errors.InsufficientDataException;
import io.minio.errors.InvalidResponseException;
import io.minio.errors.MinioException;
import io.minio.errors.ServerException;
import io.minio.messages.ErrorResponse;
import io.tes4j.transfer.StorageUrl;
import io.tes4j.transfer.TransferException;
import io.tes4j.transfer.TransferException.Reason;
import io.tes4j.transfer.internal.IoFailures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Translates MinIO client failures into {@link TransferException}s with plain messages.
 *
 * <p>MinIO's own exceptions are never attached as causes: {@link ErrorResponseException#toString()}
 * prints the request headers, and only the signature and the credential scope are redacted there,
 * not an {@code X-Amz-Security-Token}. The cause is an {@link S3ServiceException} carrying the S3
 * error code, the HTTP status, the server's message and the original stack trace instead, or the
 * underlying {@link IOException} for network failures.
 */
final class S3Errors {
  private static final Set<String> NOT_FOUND = Set.of("NoSuchKey", "ResourceNotFound", "NoSuchVersion");
  private static final Set<String> DENIED =
      Set.of(
          "AccessDenied",
          "InvalidAccessKeyId",
          "SignatureDoesNotMatch",
          "ExpiredToken",
          "ExpiredTokenException",
          "InvalidToken",
          "TokenRefreshRequired",
          "AllAccessDisabled",
          "AccountProblem",
          "InvalidSecurity",
          "NotSignedUp",
          "RequestTimeTooSkewed");
  private static final Set<String> BUSY =
      Set.of(
          "SlowDown",
          "SlowDownRead",
          "SlowDownWrite",
          "ServiceUnavailable",
          "InternalError",
          "RequestTimeout",
          "Throttling",
          "ThrottlingException",
          "RequestThrottled",
          "RequestLimitExceeded",
          "OperationAborted");
  private static final Set<String> CORRUPT =
      Set.of(
          "BadDigest",
          "InvalidDigest",
          "XAmzContentSHA256Mismatch",
          "XAmzContentChecksumMismatch",
          "IncompleteBody",
          "InvalidPart",
          "InvalidPartOrder",
          "EntityTooSmall");
  private static final Pattern RESPONSE_CODE = Pattern.compile("Response code: (\\d{3})");

  private final String endpoint;
  private final boolean anonymous;

  /**
   * @param endpoint the endpoint as shown in messages (scheme, host and port only)
   * @param anonymous whether requests go unsigned
   */
  S3Errors(String endpoint, boolean anonymous) {
    this.endpoint = endpoint;
    this.anonymous = anonymous;
  }

  /** The S3 error code of a MinIO failure, or {@code null} when the server sent none. */
  static String code(Throwable t) {
    Throwable e = unwrap(t);
    if (e instanceof ErrorResponseException ere && ere.errorResponse() != null) {
      return ere.errorResponse().code();
    }
    if (e instanceof S3ServiceException se) {
      return se.code();
    }
    return null;
  }

  /** Whether the failure says that the object (not the bucket) does not exist. */
  static boolean isNoSuchKey(Throwable t) {
    String code = code(t);
    return code != null && NOT_FOUND.contains(code);
  }

  /** Whether the failure says that the bucket does not exist. */
  static boolean isNoSuchBucket(Throwable t) {
    return "NoSuchBucket".equals(code(t));
  }

  /** Removes the wrappers that futures and executors add. */
  static Throwable unwrap(Throwable t) {
    Throwable e = t;
    while ((e instanceof CompletionException || e instanceof ExecutionException || e instanceof UncheckedIOException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  /** The failure of an operation on {@code url}, classified. */
  TransferException map(StorageUrl url, Throwable failure) {
    String where = url.toString();
    Throwable e = unwrap(failure);
    if (e instanceof TransferException te) {
      return te;
    }
    if (e instanceof ErrorResponseException ere) {
      return fromErrorResponse(url, ere);
    }
    if (e instanceof S3ServiceException se) {
      // An answer that S3Http read: already free of secrets.
      return se.code() == null
          ? fromStatus(url, se.status(), null, se)
          : fromCode(url, se.code(), se.status(), se.serverMessage(), se);
    }
    if (e instanceof ServerException se) {
      return fromStatus(url, se.statusCode(), null, sanitized(se, null, se.statusCode()));
    }
    if (e instanceof InvalidResponseException ire) {
      Matcher m = RESPONSE_CODE.matcher(String.valueOf(ire.getMessage()));
      int status = m.find() ? Integer.parseInt(m.group(1)) : -1;
      return fromStatus(url, status, null, sanitized(ire, null, status));
    }
    if (e instanceof InsufficientDataException ide) {
      return new TransferException(
          Reason.CORRUPT,
          where,
          "the data ended before the announced size: " + ide.getMessage(),
          sanitized(ide, null, -1));
    }
    IOException io = findIo(e);
    if (io != null) {
      if (IoFailures.interruption(io)) {
        return new TransferException(Reason.FAILED, where, IoFailures.INTERRUPTED, io);
      }
      TransferException classified = IoFailures.classify(url, io);
      if (classified.reason() == Reason.UNREACHABLE) {
        String detail = classified.getMessage();
        if (detail.startsWith(where + ": ")) {
          detail = detail.substring(where.length() + 2);
        }
        return new TransferException(Reason.UNREACHABLE, where, detail + " (S3 endpoint " + endpoint + ")", io);
      }
      return classified;
    }
    if (e instanceof RejectedExecutionException) {
      return new TransferException(Reason.FAILED, where, "the S3 storage is closed", e);
    }
    if (e instanceof IllegalArgumentException) {
      // MinIO checks bucket and object names before sending anything.
      return new TransferException(Reason.INVALID_URL, where, String.valueOf(e.getMessage()), e);
    }
    if (e instanceof InterruptedException) {
      return new TransferException(Reason.FAILED, where, IoFailures.INTERRUPTED, e);
    }
    if (e instanceof MinioException me) {
      return new TransferException(
          Reason.FAILED, where, "S3 request failed: " + me.getMessage(), sanitized(me, null, -1));
    }
    return new TransferException(
        Reason.FAILED, where, e.getClass().getSimpleName() + ": " + e.getMessage(), e);
  }

  private TransferException fromErrorResponse(StorageUrl url, ErrorResponseException e) {
    ErrorResponse response = e.errorResponse();
    String code = response == null ? null : response.code();
    int status = statusOf(e);
    S3ServiceException cause = sanitized(e, code, status);
    if (code == null) {
      return fromStatus(url, status, null, cause);
    }
    return fromCode(url, code, status, response.message(), cause);
  }

  /** The failure that an S3 error code (and its HTTP status and message) stands for. */
  private TransferException fromCode(
      StorageUrl url, String code, int status, String message, S3ServiceException cause) {
    String where = url.toString();
    if ("NoSuchBucket".equals(code)) {
      return new TransferException(Reason.NOT_FOUND, where, "no such bucket '" + url.host() + "'", cause);
    }
    if (NOT_FOUND.contains(code)) {
      return new TransferException(Reason.NOT_FOUND, where, "not found", cause);
    }
    if (DENIED.contains(code)) {
      return new TransferException(Reason.ACCESS_DENIED, where, deniedMessage(code), cause);
    }
    if (BUSY.contains(code)) {
      return new TransferException(
          Reason.SERVER_ERROR, where, "the S3 server is busy or failing (" + code + ")", cause);
    }
    if ("PreconditionFailed".equals(code)) {
      return new TransferException(
          Reason.CORRUPT, where, "the object changed while it was being read (its ETag no longer matches)", cause);
    }
    if (CORRUPT.contains(code)) {
      return new TransferException(
          Reason.CORRUPT, where, "the server rejected the data as damaged or incomplete (" + code + ")", cause);
    }
    if ("InvalidBucketName".equals(code)) {
      return new TransferException(
          Reason.INVALID_URL, where, "'" + url.host() + "' is not a valid bucket name", cause);
    }
    if ("NotImplemented".equals(code)) {
      return new TransferException(
          Reason.UNSUPPORTED,
          where,
          "the S3 server does not implement this request (NotImplemented): " + message,
          cause);
    }
    if ("NoSuchUpload".equals(code)) {
      return new TransferException(
          Reason.FAILED, where, "the multipart upload was aborted or has expired on the server", cause);
    }
    if ("PermanentRedirect".equals(code)
        || "AuthorizationHeaderMalformed".equals(code)
        || "IllegalLocationConstraintException".equals(code)) {
      return new TransferException(
          Reason.FAILED,
          where,
          "the bucket is in another region than the configured one: set the S3 region (" + code + ")",
          cause);
    }
    if ("InvalidRange".equals(code)) {
      return new TransferException(
          Reason.FAILED, where, "the requested range is beyond the end of the object", cause);
    }
    if (status >= 500 || status == 429) {
      return new TransferException(
          Reason.SERVER_ERROR, where, "the S3 server failed (" + code + ", HTTP " + status + ")", cause);
    }
    return new TransferException(
        Reason.FAILED, where, "S3 error " + code + ": " + message, cause);
  }

  private TransferException fromStatus(StorageUrl url, int status, String code, S3ServiceException cause) {
    String where = url.toString();
    if (status >= 500 || status == 429) {
      return new TransferException(
          Reason.SERVER_ERROR, where, "the S3 server failed (HTTP " + status + ")", cause);
    }
    if (status == 401 || status == 403) {
      return new TransferException(
          Reason.ACCESS_DENIED, where, deniedMessage(code == null ? "HTTP " + status : code), cause);
    }
    if (status == 404) {
      return new TransferException(Reason.NOT_FOUND, where, "not found", cause);
    }
    return new TransferException(
        Reason.FAILED,
        where,
        "unexpected answer from the S3 endpoint " + endpoint + (status > 0 ? " (HTTP " + status + ")" : "")
            + ": " + cause.getMessage(),
        cause);
  }

  private String deniedMessage(String code) {
    if (anonymous) {
      return "access denied to anonymous requests: configure an S3 access key and secret for endpoint "
          + endpoint + " (" + code + ")";
    }
    if (code.startsWith("ExpiredToken") || "TokenRefreshRequired".equals(code)) {
      return "access denied: the S3 session token has expired; renew the temporary credentials for endpoint "
          + endpoint + " (" + code + ")";
    }
    if ("RequestTimeTooSkewed".equals(code)) {
      return "access denied: this machine's clock is too far from the S3 server's; fix the clock (" + code + ")";
    }
    return "access denied: check the S3 access key and secret for endpoint " + endpoint + " (" + code + ")";
  }

  private static int statusOf(ErrorResponseException e) {
    return e.response() == null ? -1 : e.response().code();
  }

  private static IOException findIo(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof IOException io) {
        return io;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return null;
  }

  /** A secret-free stand-in for a MinIO exception, keeping its stack trace. */
  static S3ServiceException sanitized(MinioException e, String code, int status) {
    StringBuilder text = new StringBuilder();
    if (code != null) {
      text.append("S3 error ").append(code);
    } else {
      text.append(e.getClass().getSimpleName());
    }
    if (status > 0) {
      text.append(" (HTTP ").append(status).append(')');
    }
    String message = e instanceof ErrorResponseException ere && ere.errorResponse() != null
        ? ere.errorResponse().message()
        : e.getMessage();
    if (message != null && !message.isBlank()) {
      text.append(": ").append(message);
    }
    if (e instanceof ErrorResponseException ere && ere.errorResponse() != null
        && ere.errorResponse().requestId() != null) {
      text.append(" [request id ").append(ere.errorResponse().requestId()).append(']');
    }
    S3ServiceException out = new S3ServiceException(text.toString(), code, status, message);
    out.setStackTrace(e.getStackTrace());
    return out;
  }

  /**
   * What an S3 server answered, as {@link S3Http} read it: the error code ({@code null} when the
   * answer had none, e.g. to a HEAD request), the HTTP status, the server's message and request id.
   */
  static S3ServiceException answer(String code, int status, String message, String requestId) {
    StringBuilder text = new StringBuilder();
    text.append(code != null ? "S3 error " + code : "S3 answer");
    if (status > 0) {
      text.append(" (HTTP ").append(status).append(')');
    }
    if (message != null && !message.isBlank()) {
      text.append(": ").append(message);
    }
    if (requestId != null && !requestId.isBlank()) {
      text.append(" [request id ").append(requestId).append(']');
    }
    return new S3ServiceException(text.toString(), code, status, message);
  }

  /**
   * What an S3 server answered, without the request's headers. Stands in for MinIO's exceptions as
   * the cause of a {@link TransferException}.
   */
  static final class S3ServiceException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String code;
    private final int status;
    private final String serverMessage;

    S3ServiceException(String message, String code, int status, String serverMessage) {
      super(message);
      this.code = code;
      this.status = status;
      this.serverMessage = serverMessage;
    }

    /** The server's own message, or {@code null}. */
    String serverMessage() {
      return serverMessage;
    }

    /** The S3 error code, or {@code null}. */
    String code() {
      return code;
    }

    /** The HTTP status, or -1. */
    int status() {
      return status;
    }
  }
}
