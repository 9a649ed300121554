package io.tes4j.cli.internal;

import io.tes4j.transfer.S3Settings;
import io.tes4j.transfer.TransferSettings;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options of the commands that move files ({@code cp}, {@code filer}): where S3 is, and how
 * many parts, how large, how often retried. Keys come from the environment only ({@code
 * AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_SESSION_TOKEN}), never from the
 * command line, where other users of the machine could see them; FTP and HTTP passwords come from
 * the URLs' user info, or from the netrc file ({@code NETRC}, else {@code HOME/.netrc}).
 */
final class TransferOptions {
  /** The most retries: {@link TransferSettings} allows 100 tries. */
  static final int MAX_RETRIES = 99;

  @Option(
      names = "--s3-endpoint",
      paramLabel = "URL",
      description =
          "An S3-compatible server (MinIO, Ceph, S3Proxy), e.g. http://127.0.0.1:9000; implies"
              + " path-style addressing. Default: AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, else AWS.")
  private String s3Endpoint;

  @Option(
      names = "--s3-region",
      paramLabel = "REGION",
      description = "The S3 region. Default: AWS_REGION or AWS_DEFAULT_REGION, else us-east-1.")
  private String s3Region;

  @Option(
      names = "--s3-path-style",
      paramLabel = "BOOLEAN",
      arity = "0..1",
      fallbackValue = "true",
      description =
          "Address S3 as ENDPOINT/BUCKET/KEY (true) or BUCKET.ENDPOINT/KEY (false). Default: true"
              + " with an endpoint (unless AWS_S3_FORCE_PATH_STYLE=false), false for AWS.")
  private Boolean s3PathStyle;

  @Option(
      names = "--parallelism",
      paramLabel = "N",
      description = "How many parts or files move at once, 1 to 64. Default: 4.")
  private Integer parallelism;

  @Option(
      names = "--part-size",
      paramLabel = "SIZE",
      converter = ByteSize.class,
      description =
          "The size of one part of an S3 multipart upload or ranged download, 5MiB to 5GiB"
              + " (units are powers of 1024). Default: 8MiB.")
  private Long partSize;

  @Option(
      names = "--retries",
      paramLabel = "N",
      description =
          "Retries of a transfer that failed for a passing reason (unreachable, 5xx, 429, a"
              + " corrupt transfer), with back-off from 0.2 s to 10 s; each starts the file again."
              + " 0 turns retrying off. Default: 3.")
  private Integer retries;

  @Option(
      names = "--connect-timeout",
      paramLabel = "DURATION",
      description = "How long connecting to a storage may take (e.g. 5s). Default: 10s.")
  private Duration connectTimeout;

  @Option(
      names = "--read-timeout",
      paramLabel = "DURATION",
      description =
          "How long to wait for an answer, or for the next bytes of a body in either direction"
              + " (e.g. 2m). Default: 60s.")
  private Duration readTimeout;

  /**
   * The settings these options and the environment describe: {@link
   * TransferSettings#fromEnvironment} of the Context's environment, then the options.
   *
   * @throws UsageError naming the option or variable that is out of range or malformed
   * @throws io.tes4j.transfer.TransferException when the netrc file cannot be read
   */
  TransferSettings.Builder settings(Context ctx) {
    TransferSettings defaults = TransferSettings.defaults();
    Map<String, String> env = ctx.environment();
    TransferSettings fromEnv;
    try {
      fromEnv = TransferSettings.fromEnvironment(env);
    } catch (IllegalArgumentException e) {
      // A half-set key pair, or an endpoint that is not http(s): the messages name no secret.
      throw new UsageError(
          "invalid S3 settings in the environment (AWS_*, TES4J_S3_PAYLOAD_SIGNING): " + e.getMessage());
    }
    TransferSettings.Builder builder = fromEnv.toBuilder().s3(s3(env, fromEnv.s3()));
    if (parallelism != null) {
      if (parallelism < 1 || parallelism > 64) {
        throw new UsageError("invalid --parallelism " + parallelism + ": must be between 1 and 64");
      }
      builder.parallelism(parallelism);
    }
    if (partSize != null) {
      if (partSize < TransferSettings.MIN_PART_SIZE || partSize > 5L * 1024 * 1024 * 1024) {
        throw new UsageError(
            "invalid --part-size " + ByteSize.format(partSize) + ": must be between 5MiB and 5GiB (S3's limits)");
      }
      builder.partSize(partSize);
    }
    if (retries != null) {
      if (retries < 0 || retries > MAX_RETRIES) {
        throw new UsageError("invalid --retries " + retries + ": must be between 0 and " + MAX_RETRIES);
      }
      builder.retries(retries + 1, defaults.initialBackoff(), defaults.maxBackoff());
    }
    if (connectTimeout != null) {
      builder.connectTimeout(positive("--connect-timeout", connectTimeout));
    }
    if (readTimeout != null) {
      builder.readTimeout(positive("--read-timeout", readTimeout));
    }
    return builder;
  }

  private static Duration positive(String option, Duration value) {
    if (value.isZero()) {
      throw new UsageError("invalid " + option + " 0s: must be more than zero");
    }
    return value;
  }

  /** The S3 settings: those of the AWS variables, overridden by the options. */
  private S3Settings s3(Map<String, String> env, S3Settings fromEnv) {
    URI endpoint = fromEnv.endpoint();
    boolean pathStyle = fromEnv.pathStyle();
    if (s3Endpoint != null) {
      try {
        endpoint = URI.create(s3Endpoint.strip());
      } catch (IllegalArgumentException e) {
        throw new UsageError("invalid --s3-endpoint '" + s3Endpoint + "': " + e.getMessage());
      }
      String forced = env.get("AWS_S3_FORCE_PATH_STYLE");
      pathStyle = forced == null || forced.isBlank() || Boolean.parseBoolean(forced.strip());
    }
    if (s3PathStyle != null) {
      pathStyle = s3PathStyle;
    }
    try {
      // From the environment: the keys, and the payload signing (TES4J_S3_PAYLOAD_SIGNING).
      return fromEnv.toBuilder()
          .endpoint(endpoint)
          .region(s3Region != null ? s3Region : fromEnv.region())
          .pathStyle(pathStyle)
          .build();
    } catch (IllegalArgumentException e) {
      throw new UsageError("invalid --s3-endpoint: " + e.getMessage());
    }
  }
}
