package io.tes4j.transfer.internal.ftp;

import io.tes4j.transfer.StorageUrl;
import io.tes4j.transfer.TransferException;
import io.tes4j.transfer.TransferException.Reason;
import io.tes4j.transfer.internal.IoFailures;
import java.io.IOException;
import javax.net.ssl.SSLHandshakeException;
import org.apache.commons.net.MalformedServerReplyException;
import org.apache.commons.net.ftp.FTPConnectionClosedException;

/**
 * Turns FTP reply codes and I/O failures into {@link TransferException}s whose message says what
 * was being done and quotes the server's reply line (with the log-in's password masked, should a
 * server echo it). Internal.
 */
final class FtpReplies {
  private FtpReplies() {}

  /** What was being done when the server said no; the reply codes mean different things. */
  enum Op {
    /** The greeting after connecting. */
    CONNECT("connecting"),
    /** USER/PASS. */
    LOGIN("logging in"),
    /** RETR. */
    READ("download"),
    /** SIZE, MLST, MDTM. */
    STAT("stat"),
    /** STOR. */
    WRITE("upload"),
    /** MKD. */
    MKDIR("creating a directory"),
    /** MLSD/LIST. */
    LIST("listing"),
    /** DELE. */
    DELETE("delete"),
    /** TYPE, PWD, REST and other set-up commands. */
    SETUP("setting up the session");

    private final String text;

    Op(String text) {
      this.text = text;
    }

    /** The operation in words, for messages. */
    String text() {
      return text;
    }
  }

  /** The reason a reply {@code code} stands for, during {@code op}. */
  static Reason reason(Op op, int code) {
    return switch (code) {
      // 421 service not available, 425 cannot open data connection, 426 transfer aborted
      case 421, 425, 426 -> Reason.UNREACHABLE;
      // 530 not logged in, 532 need account for storing files
      case 530, 532 -> Reason.ACCESS_DENIED;
      // insufficient storage space on the server
      case 452 -> Reason.DISK_FULL;
      // file unavailable: not found, or no access
      case 550 -> switch (op) {
        case READ, STAT, LIST -> Reason.NOT_FOUND;
        case WRITE, MKDIR, DELETE, LOGIN -> Reason.ACCESS_DENIED;
        default -> Reason.FAILED;
      };
      // file busy or unavailable; FtpServer also says so when a delete is not permitted
      case 450 -> op == Op.DELETE ? Reason.ACCESS_DENIED : Reason.SERVER_ERROR;
      // file name not allowed
      case 553 -> op == Op.WRITE || op == Op.MKDIR ? Reason.ACCESS_DENIED : Reason.FAILED;
      // command not implemented (for that parameter)
      case 502, 504 -> Reason.UNSUPPORTED;
      // other transient negative completions may work on a retry
      default -> code >= 400 && code < 500 ? Reason.SERVER_ERROR : Reason.FAILED;
    };
  }

  /** Plain words for a reply code, or {@code null} when the server's text says enough. */
  static String meaning(Op op, int code) {
    return switch (code) {
      case 421 -> "the server is not available and closed the connection";
      case 425 -> "the server could not open the data connection";
      case 426 -> "the data connection broke and the transfer was aborted";
      case 450 -> op == Op.DELETE
          ? "the server refused to delete the file (no permission, or it is in use)"
          : "the file is busy or unavailable for now";
      case 451 -> "the server failed while processing the request";
      case 452 -> "the FTP server has no space left (server side, not the local disk)";
      case 530 -> "not logged in, or the user may not do this";
      case 532 -> "the server needs an account (ACCT) to store files";
      case 550 -> switch (op) {
        case READ, STAT, LIST -> "not found (or not a readable file)";
        case WRITE -> "the server refused to store the file (no permission?)";
        case MKDIR -> "the server refused to create the directory (no permission?)";
        case DELETE -> "the server refused to delete the file (no permission?)";
        default -> null;
      };
      case 552 -> "the server's storage allocation (quota) is exceeded";
      case 553 -> "the server does not allow this file name";
      case 502, 504 -> "the server does not support this command";
      default -> null;
    };
  }

  /**
   * A failure for a negative reply.
   *
   * @param url the location concerned
   * @param login whose password to mask in the reply text
   * @param op what was being done
   * @param code the reply code
   * @param replyText the server's reply (one or more lines)
   */
  static TransferException refused(StorageUrl url, FtpLogin login, Op op, int code, String replyText) {
    String meaning = meaning(op, code);
    String detail =
        "FTP " + op.text() + " failed: "
            + (meaning == null ? "" : meaning + " ")
            + "(server: " + replyLine(login, code, replyText) + ")";
    return new TransferException(reason(op, code), url.toString(), detail, null);
  }

  /** The server's reply on one line, password masked; the code alone when there is no text. */
  static String replyLine(FtpLogin login, int code, String replyText) {
    if (replyText == null || replyText.isBlank()) {
      return String.valueOf(code);
    }
    String oneLine = replyText.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    return login.mask(oneLine);
  }

  /** A failure for an I/O exception while {@code doing} something (e.g. "FTP download"). */
  static TransferException io(StorageUrl url, String doing, IOException e) {
    String where = url.toString();
    if (e instanceof FTPConnectionClosedException) {
      return new TransferException(
          Reason.UNREACHABLE, where, doing + " failed: the FTP server closed the connection", e);
    }
    if (e instanceof SSLHandshakeException) {
      return new TransferException(
          Reason.FAILED,
          where,
          doing + " failed: the TLS handshake failed (" + e.getMessage()
              + "); is the server's certificate trusted by this JVM and issued for this host?",
          e);
    }
    if (e instanceof MalformedServerReplyException) {
      return new TransferException(
          Reason.FAILED, where, doing + " failed: the server's reply makes no sense: " + e.getMessage(), e);
    }
    TransferException classified = IoFailures.classify(url, e);
    String message = classified.getMessage();
    String prefix = where + ": ";
    String detail = message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    return new TransferException(classified.reason(), where, doing + " failed: " + detail, e);
  }
}
