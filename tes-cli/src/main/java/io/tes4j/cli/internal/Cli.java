package io.tes4j.cli.internal;

import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Builds the picocli command tree, runs one command line and turns every outcome into an exit code. */
public final class Cli {
  /** The password of a URL's user info ({@code scheme://user:password@host}). */
  private static final Pattern URL_PASSWORD =
      Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*://[^/@:?#\\s]*:([^/?#\\s]*)@");

  /** Text whose every {@code %} starts a two-digit escape, so that it can be decoded. */
  private static final Pattern ESCAPED = Pattern.compile("(?:[^%]|%[0-9A-Fa-f]{2})*");

  /** The subcommands, by name, in the order of the usage text. */
  private static final Map<String, Function<Context, Object>> SUBCOMMANDS = subcommands();

  private Cli() {}

  private static Map<String, Function<Context, Object>> subcommands() {
    Map<String, Function<Context, Object>> commands = new LinkedHashMap<>();
    commands.put("validate", ValidateCommand::new);
    commands.put("service-info", ServiceInfoCommand::new);
    commands.put("submit", SubmitCommand::new);
    commands.put("get", GetCommand::new);
    commands.put("list", ListCommand::new);
    commands.put("cancel", CancelCommand::new);
    commands.put("wait", WaitCommand::new);
    commands.put("run", RunCommand::new);
    commands.put("serve", ServeCommand::new);
    commands.put("cp", CpCommand::new);
    commands.put("filer", FilerCommand::commandLine);
    return Collections.unmodifiableMap(commands);
  }

  /**
   * The first argument that is not an option: the command's name, since the top command's own
   * options ({@code --debug}, {@code --help}, {@code --version}) take no value. Null when there is
   * none.
   */
  static String commandName(String[] args) {
    for (String arg : args) {
      if (!arg.startsWith("-")) {
        return arg;
      }
    }
    return null;
  }

  /**
   * Runs {@code args}, drawing progress bars only if the process has a console.
   *
   * @return the exit code (see {@link ExitCodes})
   */
  public static int run(
      InputStream in, PrintStream out, PrintStream err, Map<String, String> env, String... args) {
    return run(in, out, err, env, System.console() != null, args);
  }

  /**
   * Runs {@code args}; {@code terminal} says whether a person watches standard error (progress
   * bars are drawn only then).
   *
   * @return the exit code (see {@link ExitCodes})
   */
  public static int run(
      InputStream in,
      PrintStream out,
      PrintStream err,
      Map<String, String> env,
      boolean terminal,
      String... args) {
    Context ctx = new Context(in, out, err, env, terminal);
    rememberSecretArguments(ctx, args);
    TopCommand top = new TopCommand(ctx);
    CommandLine cl = new CommandLine(top);
    Function<Context, Object> named = SUBCOMMANDS.get(commandName(args));
    if (named != null) {
      // Only the command that runs: picocli reads every command's annotations when it is added,
      // which for all of them costs about a tenth of a second of start-up (`tes4j cp` is timed
      // against curl). Help, usage errors and an unknown command still see the whole tree.
      cl.addSubcommand(named.apply(ctx));
    } else {
      SUBCOMMANDS.values().forEach(subcommand -> cl.addSubcommand(subcommand.apply(ctx)));
      cl.addSubcommand(new CommandLine.HelpCommand());
    }
    // These apply to the subcommands added so far, so they come after them.
    cl.registerConverter(Duration.class, new DurationConverter());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    PrintWriter outWriter = new PrintWriter(new PrintStreamWriter(out), true);
    PrintWriter errWriter = new PrintWriter(new PrintStreamWriter(err), true);
    cl.setOut(outWriter);
    cl.setErr(errWriter);
    cl.setParameterExceptionHandler((e, arguments) -> usageError(ctx, e, top.debug()));
    cl.setExecutionExceptionHandler(
        (e, commandLine, parseResult) ->
            e instanceof CommandLine.ParameterException p
                ? usageError(ctx, p, top.debug())
                : Errors.handle(ctx, e, top.debug()));
    try {
      return cl.execute(args);
    } finally {
      outWriter.flush();
      errWriter.flush();
      out.flush();
      err.flush();
    }
  }

  /** A picocli usage error: the message and a hint, exit code 2. */
  private static int usageError(Context ctx, CommandLine.ParameterException e, boolean debug) {
    if (debug) {
      ctx.stackTrace(e);
    }
    ctx.error(e.getMessage());
    String command = e.getCommandLine() == null ? "tes4j" : e.getCommandLine().getCommandSpec().qualifiedName();
    ctx.line("Try '" + command + " --help' for more information.");
    return ExitCodes.USAGE;
  }

  /**
   * Values of {@code --password} and {@code --token}, and the passwords of URLs given as arguments
   * ({@code ftp://user:password@host/...}), are secrets from the start, so that even an error while
   * parsing the command line cannot show them.
   */
  private static void rememberSecretArguments(Context ctx, String[] args) {
    for (int i = 0; i < args.length; i++) {
      rememberUrlPassword(ctx, args[i]);
      for (String option : RemoteOptions.SECRET_OPTIONS) {
        if (args[i].equals(option) && i + 1 < args.length) {
          ctx.secret(args[i + 1]);
        } else if (args[i].startsWith(option + "=")) {
          ctx.secret(args[i].substring(option.length() + 1));
        }
      }
    }
  }

  /** Remembers the password of {@code text}'s user info, as written and decoded. */
  static void rememberUrlPassword(Context ctx, String text) {
    Matcher m = URL_PASSWORD.matcher(text);
    while (m.find()) {
      String password = m.group(1);
      ctx.secret(password);
      if (password.indexOf('%') >= 0 && ESCAPED.matcher(password).matches()) {
        ctx.secret(URLDecoder.decode(password.replace("+", "%2B"), StandardCharsets.UTF_8));
      }
    }
  }
}
