package io.tes4j.cli.internal;

import io.tes4j.api.InvalidTaskException;
import io.tes4j.api.TaskNotFoundException;
import io.tes4j.api.TesAuthException;
import io.tes4j.api.TesException;
import io.tes4j.api.TesServiceException;
import io.tes4j.model.TesJsonException;
import io.tes4j.transfer.TransferException;
import java.util.stream.Collectors;

/** Turns what a command threw into one error line and an exit code. */
final class Errors {
  private Errors() {}

  /**
   * Writes one line for {@code e} (preceded by its stack trace when {@code debug}) and returns the
   * exit code it calls for.
   */
  static int handle(Context ctx, Exception e, boolean debug) {
    if (debug) {
      ctx.stackTrace(e);
    }
    int code = exitCode(e);
    ctx.error(message(e, debug));
    return code;
  }

  /** The exit code for {@code e}; see {@link ExitCodes}. */
  static int exitCode(Throwable e) {
    if (e instanceof UsageError) {
      return ExitCodes.USAGE;
    }
    if (e instanceof TransferFailed || e instanceof TransferException) {
      return ExitCodes.FAILED; // cp and filer: 1 for any failed transfer
    }
    if (e instanceof TaskNotFoundException) {
      return ExitCodes.NOT_FOUND;
    }
    if (e instanceof TesAuthException) {
      return ExitCodes.AUTH;
    }
    if (e instanceof InvalidTaskException) {
      return ExitCodes.FAILED;
    }
    if (e instanceof TesServiceException s) {
      int status = s.statusCode();
      // 5xx: the server failed; 429: it is overloaded; 404 (not of a task) and 405: no TES API at
      // this URL. Like an unreachable server, these are about the server, not the task.
      return status >= 500 || status == 429 || status == 404 || status == 405
          ? ExitCodes.UNAVAILABLE
          : ExitCodes.FAILED;
    }
    // TesClientException (unreachable, timed out, an answer that is not TES JSON), TesJsonException
    // and BackendException: no usable answer.
    return e instanceof TesException ? ExitCodes.UNAVAILABLE : ExitCodes.FAILED;
  }

  private static String message(Throwable e, boolean debug) {
    String m = e.getMessage() == null || e.getMessage().isBlank() ? null : e.getMessage().strip();
    if (e instanceof UsageError || e instanceof TaskNotFoundException || e instanceof TransferFailed) {
      return m;
    }
    if (e instanceof InvalidTaskException invalid) {
      // Outside submit (which lists the violations itself), a 400 is a refused request, such as a
      // page token the server does not know: say so rather than "invalid task".
      String why =
          invalid.violations().isEmpty()
              ? invalid.body().map(String::strip).orElse("")
              : invalid.violations().stream().map(Object::toString).collect(Collectors.joining("; "));
      return "the server refused the request (HTTP "
          + invalid.statusCode()
          + ")"
          + (why.isEmpty() ? "" : ": " + why);
    }
    if (e instanceof TesServiceException s) {
      // The client's messages name the status, the URL and what to check; add what is missing.
      String status = String.valueOf(s.statusCode());
      if (m != null && m.contains(status)) {
        return m;
      }
      String what =
          e instanceof TesAuthException ? "authentication refused" : "the server answered";
      return what + " (HTTP " + status + ")" + (m == null ? "" : ": " + m);
    }
    if (e instanceof TesJsonException) {
      return "the server's answer is not valid TES JSON: " + m;
    }
    if (e instanceof TesException) {
      return m == null ? e.getClass().getSimpleName() : m;
    }
    return "internal error: "
        + e.getClass().getName()
        + (m == null ? "" : ": " + m)
        + (debug ? "" : " (run with --debug for the stack trace)");
  }
}
