package io.tes4j.transfer;

import io.tes4j.transfer.internal.Netrc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a transfer needs to know: credentials, part sizes, parallelism, retries, timeouts,
 * which local directories {@code file:} locations may touch, and where connections may go.
 * Immutable; build it with {@link #builder()}, or take {@link #fromEnvironment(Map)}.
 *
 * <p>Defaults: 8 MiB parts, 4 parts in parallel, 4 attempts with back-off from 200 ms to 10 s,
 * 10 s to connect, 60 s without a byte before a read times out, {@code file:} unrestricted and
 * the {@linkplain TransferPolicy#permissive() permissive} transfer policy (any scheme, host and
 * address). A server that moves files for others must set {@link Builder#fileRoots} and a
 * {@link Builder#policy}: {@code tes4j serve} does.
 *
 * @param s3 how to reach S3
 * @param credentials user/password and bearer credentials, each for one host (FTP, HTTP)
 * @param partSize the size of one part of a multipart upload or ranged download, at least 5 MiB
 * @param parallelism how many parts or files move at once
 * @param maxAttempts tries per transfer, at least 1
 * @param initialBackoff the wait before the first retry
 * @param maxBackoff the longest wait between retries
 * @param connectTimeout how long to wait for a connection
 * @param readTimeout how long to wait for the next bytes or an answer
 * @param fileRoots when present, the only local directories {@code file:} locations may use (none,
 *     when empty)
 * @param policy which schemes, hosts and addresses transfers may reach, at every hop
 */
public record TransferSettings(
    S3Settings s3,
    List<Credentials> credentials,
    long partSize,
    int parallelism,
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration connectTimeout,
    Duration readTimeout,
    Optional<List<Path>> fileRoots,
    TransferPolicy policy) {

  /** S3's smallest part size (except the last part). */
  public static final long MIN_PART_SIZE = 5L * 1024 * 1024;

  /** Checks every value, naming the one at fault. */
  public TransferSettings {
    Objects.requireNonNull(s3, "s3");
    credentials = List.copyOf(credentials);
    if (partSize < MIN_PART_SIZE || partSize > 5L * 1024 * 1024 * 1024) {
      throw new IllegalArgumentException(
          "partSize must be between 5 MiB and 5 GiB (S3's limits), was " + partSize + " bytes");
    }
    if (parallelism < 1 || parallelism > 64) {
      throw new IllegalArgumentException("parallelism must be between 1 and 64, was " + parallelism);
    }
    if (maxAttempts < 1 || maxAttempts > 100) {
      throw new IllegalArgumentException("maxAttempts must be between 1 and 100, was " + maxAttempts);
    }
    requirePositive(initialBackoff, "initialBackoff");
    requirePositive(maxBackoff, "maxBackoff");
    requirePositive(connectTimeout, "connectTimeout");
    requirePositive(readTimeout, "readTimeout");
    fileRoots = fileRoots.map(roots -> roots.stream().map(p -> p.toAbsolutePath().normalize()).toList());
    Objects.requireNonNull(policy, "policy");
  }

  private static void requirePositive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + d);
    }
  }

  /** The defaults, with no credentials. */
  public static TransferSettings defaults() {
    return builder().build();
  }

  /**
   * The defaults, with S3 settings from the usual AWS variables ({@link S3Settings#fromEnvironment})
   * and FTP and HTTP passwords from the netrc file that curl and wget read: {@code $NETRC} when
   * set, else {@code $HOME/.netrc} when it exists.
   *
   * @throws TransferException when {@code $NETRC} names a file that cannot be read
   */
  public static TransferSettings fromEnvironment(Map<String, String> env) {
    Builder builder = builder().s3(S3Settings.fromEnvironment(env));
    String netrc = env.get("NETRC");
    String home = env.get("HOME");
    Path file = null;
    if (netrc != null && !netrc.isBlank()) {
      file = Path.of(netrc);
    } else if (home != null && !home.isBlank() && Files.isRegularFile(Path.of(home, ".netrc"))) {
      file = Path.of(home, ".netrc");
    }
    if (file != null) {
      try {
        Netrc.read(file).forEach(builder::credentials);
      } catch (IOException e) {
        throw new TransferException(
            TransferException.Reason.FAILED,
            file.toString(),
            "cannot read the netrc file named by NETRC or HOME: " + e.getMessage(),
            e);
      }
    }
    return builder.build();
  }

  /** The credentials for {@code url}'s host, if configured. */
  public Optional<Credentials> credentialsFor(StorageUrl url) {
    // The most specific entry wins: one with a port before one for the whole host.
    return credentials.stream()
        .filter(c -> c.appliesTo(url))
        .min((a, b) -> Integer.compare(a.port() < 0 ? 1 : 0, b.port() < 0 ? 1 : 0));
  }

  /** A new builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these settings. */
  public Builder toBuilder() {
    Builder b =
        new Builder()
            .s3(s3)
            .partSize(partSize)
            .parallelism(parallelism)
            .retries(maxAttempts, initialBackoff, maxBackoff)
            .connectTimeout(connectTimeout)
            .readTimeout(readTimeout)
            .policy(policy);
    credentials.forEach(b::credentials);
    fileRoots.ifPresent(b::fileRoots);
    return b;
  }

  /** Builds {@link TransferSettings}. Not thread-safe. */
  public static final class Builder {
    private S3Settings s3 = S3Settings.anonymous();
    private final List<Credentials> credentials = new ArrayList<>();
    private long partSize = 8L * 1024 * 1024;
    private int parallelism = 4;
    private int maxAttempts = 4;
    private Duration initialBackoff = Duration.ofMillis(200);
    private Duration maxBackoff = Duration.ofSeconds(10);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration readTimeout = Duration.ofSeconds(60);
    private List<Path> fileRoots;
    private TransferPolicy policy = TransferPolicy.permissive();

    private Builder() {}

    public Builder s3(S3Settings s3) {
      this.s3 = Objects.requireNonNull(s3, "s3");
      return this;
    }

    /** Adds credentials for one host. */
    public Builder credentials(Credentials credentials) {
      this.credentials.add(Objects.requireNonNull(credentials, "credentials"));
      return this;
    }

    public Builder partSize(long bytes) {
      this.partSize = bytes;
      return this;
    }

    public Builder parallelism(int parallelism) {
      this.parallelism = parallelism;
      return this;
    }

    /** Tries per transfer, and the back-off between them. */
    public Builder retries(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
      this.maxAttempts = maxAttempts;
      this.initialBackoff = initialBackoff;
      this.maxBackoff = maxBackoff;
      return this;
    }

    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = timeout;
      return this;
    }

    public Builder readTimeout(Duration timeout) {
      this.readTimeout = timeout;
      return this;
    }

    /**
     * Restricts {@code file:} locations to these directories (and what is below them). Servers that
     * take tasks from others must set this, or any task could read the host's files.
     */
    public Builder fileRoots(List<Path> roots) {
      this.fileRoots = List.copyOf(roots);
      return this;
    }

    /**
     * Which schemes, hosts and addresses transfers may reach, checked at every hop (redirects, the
     * S3 endpoint, FTP data connections); {@link TransferPolicy#permissive()} by default.
     */
    public Builder policy(TransferPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Applies the standard parameters of a transfer policy, as a backend URI carries them ({@link
     * TransferPolicy#PARAMETERS}): when any of {@value TransferPolicy#ALLOW_SCHEMES}, {@value
     * TransferPolicy#ALLOW_HOSTS} or {@value TransferPolicy#PRIVATE_ADDRESSES} is present, the
     * {@linkplain #policy policy} they describe ({@link TransferPolicy#fromParameters}); when
     * {@value TransferPolicy#FILE_ROOTS} is present, the {@linkplain #fileRoots file roots}:
     * comma-separated absolute directories, and an empty value for none (no {@code file:} location
     * at all). Other parameters are ignored.
     *
     * @throws IllegalArgumentException naming the parameter whose value is wrong
     */
    public Builder policyParameters(Map<String, String> parameters) {
      if (parameters.containsKey(TransferPolicy.ALLOW_SCHEMES)
          || parameters.containsKey(TransferPolicy.ALLOW_HOSTS)
          || parameters.containsKey(TransferPolicy.PRIVATE_ADDRESSES)) {
        policy(TransferPolicy.fromParameters(parameters));
      }
      String roots = parameters.get(TransferPolicy.FILE_ROOTS);
      if (roots != null) {
        List<Path> paths = new ArrayList<>();
        for (String root : roots.split(",")) {
          if (root.isBlank()) {
            continue;
          }
          Path path;
          try {
            path = Path.of(root.strip());
          } catch (java.nio.file.InvalidPathException e) {
            throw new IllegalArgumentException(
                TransferPolicy.FILE_ROOTS + "=" + roots + ": " + root.strip() + " is not a path: " + e.getMessage(), e);
          }
          if (!path.isAbsolute()) {
            throw new IllegalArgumentException(
                TransferPolicy.FILE_ROOTS + "=" + roots + ": " + root.strip() + " is not an absolute path");
          }
          paths.add(path);
        }
        fileRoots(paths);
      }
      return this;
    }

    /** @throws IllegalArgumentException naming the setting that is out of range */
    public TransferSettings build() {
      return new TransferSettings(
          s3,
          credentials,
          partSize,
          parallelism,
          maxAttempts,
          initialBackoff,
          maxBackoff,
          connectTimeout,
          readTimeout,
          Optional.ofNullable(fileRoots),
          policy);
    }
  }
}
