package io.tes4j.cli;

import io.tes4j.cli.internal.BatchedStderr;
import io.tes4j.cli.internal.Cli;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Map;

/**
 * The {@code tes4j} command: validates TES task files and talks to TES servers.
 *
 * <pre>
 * tes4j validate FILE...                 check task files, one "FILE: JSONPATH: message" per problem
 * tes4j service-info                     the server's service info (JSON)
 * tes4j submit FILE                      validate, submit, print the new task's id
 * tes4j get ID [--view V]                one task (JSON, FULL view by default)
 * tes4j list [--state S] [--tag K=V]...  tasks (JSON); --all follows every page
 * tes4j cancel ID                        cancel a task
 * tes4j wait ID [--timeout 10m]          wait for the end, print the final state
 * tes4j serve [--backend URI] [--auth SPEC]...
 *                                        serve the TES API over a backend, until SIGINT/SIGTERM
 * tes4j cp SRC DST [--recursive]         copy files between local paths, HTTP(S), FTP and S3
 * tes4j filer stage-in|stage-out --task TASK.json --root DIR
 *                                        stage a task's inputs or outputs (for backends' pods)
 * </pre>
 *
 * <p>Exit codes: 0 success; 1 invalid task, or the task did not end COMPLETE; 2 usage error; 3
 * server unreachable or server error (5xx); 4 task not found; 5 authentication refused. Errors are
 * one line on standard error; standard output only ever holds the command's result, so it can be
 * piped.
 */
public final class Main {
  /** The SLF4J Simple property that sets the default log level. */
  static final String LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";

  /** The SLF4J Simple property that says where the log goes. */
  static final String LOG_FILE_PROPERTY = "org.slf4j.simpleLogger.logFile";

  /** The SLF4J Simple property that sets the log level of Jetty, the server under {@code serve}. */
  static final String JETTY_LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.log.org.eclipse.jetty";

  private static final boolean LOG_LEVEL_SET_BY_USER;

  static {
    // Before any logger exists: slf4j-simple reads its configuration once, when the first logger
    // is created. Warnings only, on stderr, so that stdout stays clean JSON for pipes.
    LOG_LEVEL_SET_BY_USER = System.getProperty(LOG_LEVEL_PROPERTY) != null;
    if (!LOG_LEVEL_SET_BY_USER) {
      System.setProperty(LOG_LEVEL_PROPERTY, "warn");
    }
    if (System.getProperty(LOG_FILE_PROPERTY) == null) {
      System.setProperty(LOG_FILE_PROPERTY, "System.err");
    }
  }

  private Main() {}

  /**
   * Runs the command and exits the JVM with its exit code.
   *
   * @param args the command line, e.g. {@code get abc --view BASIC}
   */
  public static void main(String[] args) {
    if (!LOG_LEVEL_SET_BY_USER && Arrays.asList(args).contains("--debug")) {
      System.setProperty(LOG_LEVEL_PROPERTY, "debug");
    } else if (!LOG_LEVEL_SET_BY_USER && "serve".equals(firstCommand(args))) {
      // A server logs one line per request (and its start and stop) at INFO, on standard error;
      // Jetty, under it, only its warnings (its start and stop lines would repeat ours).
      System.setProperty(LOG_LEVEL_PROPERTY, "info");
      if (System.getProperty(JETTY_LOG_LEVEL_PROPERTY) == null) {
        System.setProperty(JETTY_LOG_LEVEL_PROPERTY, "warn");
      }
    }
    PrintStream err = System.err;
    if ("serve".equals(firstCommand(args)) && "System.err".equals(System.getProperty(LOG_FILE_PROPERTY))) {
      // The log, a line per request, is written in batches; the command's own error lines at once.
      err = BatchedStderr.install();
    }
    System.exit(run(System.out, err, System.getenv(), args));
  }

  /** The first argument that is not an option: the command's name, or {@code null}. */
  private static String firstCommand(String[] args) {
    for (String arg : args) {
      if (!arg.startsWith("-")) {
        return arg;
      }
    }
    return null;
  }

  /**
   * Runs the command without exiting: what {@link #main} does, with the streams and environment
   * given, so that it can run in-process (in tests, or embedded).
   *
   * @param out receives the command's result (JSON, an id, a state) and {@code --help}
   * @param err receives error lines and diagnostics
   * @param env the environment to read {@code TES_SERVER}, {@code TES_USER}, {@code TES_PASSWORD}
   *     and {@code TES_TOKEN} from
   * @param args the command line
   * @return the exit code
   */
  public static int run(PrintStream out, PrintStream err, Map<String, String> env, String... args) {
    return run(System.in, out, err, env, args);
  }

  /** As {@link #run(PrintStream, PrintStream, Map, String...)}, reading {@code -} from {@code in}. */
  static int run(
      InputStream in, PrintStream out, PrintStream err, Map<String, String> env, String... args) {
    return Cli.run(in, out, err, env, args);
  }

  /**
   * As {@link #run(InputStream, PrintStream, PrintStream, Map, String...)}, saying whether a
   * person watches standard error (progress bars are drawn only then).
   */
  static int run(
      InputStream in,
      PrintStream out,
      PrintStream err,
      Map<String, String> env,
      boolean terminal,
      String... args) {
    return Cli.run(in, out, err, env, terminal, args);
  }
}
