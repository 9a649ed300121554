package io.tes4j.cli.internal;

import io.tes4j.api.TesClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/** A command that talks to a TES server: it opens a client from {@link RemoteOptions}. */
abstract class RemoteCommand implements Callable<Integer> {
  /** The streams, environment and secrets of this run. */
  final Context ctx;

  @Mixin private RemoteOptions remote = new RemoteOptions();

  RemoteCommand(Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public final Integer call() {
    // Usage errors (no server, conflicting credentials) come first, then the command's own checks,
    // and only then is anything sent.
    RemoteOptions.Settings settings = remote.resolve(ctx);
    int prepared = prepare();
    if (prepared != ExitCodes.OK) {
      return prepared;
    }
    try (TesClient client = RemoteOptions.open(settings)) {
      return run(client);
    }
  }

  /**
   * Checks and reads what the command needs before connecting.
   *
   * @return {@link ExitCodes#OK} to go on, or the exit code to stop with
   */
  int prepare() {
    return ExitCodes.OK;
  }

  /** Does the command's work with an open client and returns the exit code. */
  abstract int run(TesClient client);
}
