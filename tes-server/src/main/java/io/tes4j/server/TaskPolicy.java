package io.tes4j.server;

import io.tes4j.model.Input;
import io.tes4j.model.Output;
import io.tes4j.model.Task;
import io.tes4j.model.Violation;
import io.tes4j.transfer.StorageUrl;
import io.tes4j.transfer.TransferException;
import io.tes4j.transfer.TransferPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What the tasks a server accepts may reference. By default: {@code http}, {@code https},
 * {@code ftp} and {@code s3} URLs on any host whose address is public, and no {@code file:} URL
 * at all, since a server must not let its callers read or write the host's files or reach its
 * internal network. {@code file:} URLs are allowed only under {@link Builder#fileRoots(Path...)
 * file roots}; loopback, link-local, private and other non-public addresses only for hosts that
 * {@link Builder#allowHosts(String...)} names.
 *
 * <pre>{@code
 * TaskPolicy policy = TaskPolicy.builder()
 *     .allowSchemes("https", "s3")
 *     .allowHosts("*.example.org", "my-bucket")     // for s3:// URLs the host is the bucket
 *     .fileRoots(Path.of("/data/shared"))           // file:///data/shared/... is allowed
 *     .build();
 * List<Violation> problems = policy.check(task);   // e.g. inputs[2].url: the scheme 'gs' is not allowed...
 * }</pre>
 *
 * <p>Rules: every input {@code url} and output {@code url} is read as the transfers read it
 * ({@link StorageUrl}: {@code s3://b/my file.txt}, an unencoded path, is the same object here and
 * there; a bare {@code /path} is a {@code file:} location). It must have an allowed scheme (inputs
 * with {@code content} need no URL); when hosts are given, its host must be one of them (exact,
 * without regard to case, {@code *.example.org} for any name ending in {@code .example.org}, an IP
 * address, or {@code *} for any host); a host written as an address, in any spelling ({@code
 * 127.0.0.1}, {@code 2130706433}, {@code 0x7f.1}, {@code [::1]}, {@code [::ffff:127.0.0.1]}), must
 * be public unless an entry other than {@code *} names it; a {@code file:} URL must name an
 * absolute path that, once normalized ({@code ..} resolved) and with symbolic links of its
 * existing part resolved, lies under one of the file roots.
 *
 * <p><b>At every hop.</b> This check sees only the URLs of the task. The same rules, as a {@link
 * #transferPolicy() TransferPolicy} with the file roots, must reach the backend's transfers, which
 * check every redirect, the S3 endpoint and the address of every connection (so a name that
 * resolves to 127.0.0.1 or 169.254.169.254 is refused when connecting, DNS rebinding included):
 * {@link #backendParameters()} gives them as the standard backend parameters, and {@code tes4j
 * serve} sets them on its backend. Instances are immutable and thread-safe.
 */
public final class TaskPolicy {
  private static final List<String> DEFAULT_SCHEMES = List.of("http", "https", "ftp", "s3");
  private static final String FILE = "file";

  private final Set<String> schemes;
  private final List<Path> fileRoots;
  private final TransferPolicy transferPolicy;

  private TaskPolicy(Set<String> schemes, List<Path> fileRoots, TransferPolicy transferPolicy) {
    this.schemes = schemes;
    this.fileRoots = fileRoots;
    this.transferPolicy = transferPolicy;
  }

  /**
   * The default policy.
   *
   * @return http, https, ftp and s3 on any host with a public address; no file: URLs
   */
  public static TaskPolicy defaults() {
    return builder().build();
  }

  /**
   * A builder starting from {@link #defaults()}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Every problem of {@code task} under this policy.
   *
   * @param task the task to check
   * @return each problem with the JSON path of its URL ({@code inputs[2].url}); empty if none
   */
  public List<Violation> check(Task task) {
    Objects.requireNonNull(task, "task");
    List<Violation> violations = new ArrayList<>();
    List<Input> inputs = task.inputs();
    for (int i = 0; i < inputs.size(); i++) {
      Input input = inputs.get(i);
      if (input.content() == null && input.url() != null && !input.url().isBlank()) {
        checkUrl("inputs[" + i + "].url", input.url(), violations);
      }
    }
    List<Output> outputs = task.outputs();
    for (int i = 0; i < outputs.size(); i++) {
      Output output = outputs.get(i);
      if (output.url() != null && !output.url().isBlank()) {
        checkUrl("outputs[" + i + "].url", output.url(), violations);
      }
    }
    return List.copyOf(violations);
  }

  /**
   * The schemes allowed, lower case; {@code file} is among them when file roots are set.
   *
   * @return the allowed schemes
   */
  public Set<String> schemes() {
    return schemes;
  }

  /**
   * The hosts allowed; empty means any host.
   *
   * @return the host names, {@code *.} patterns, IP addresses and {@code *}
   */
  public List<String> hosts() {
    return transferPolicy.hosts();
  }

  /**
   * The directories under which {@code file:} URLs are allowed, absolute and normalized.
   *
   * @return the file roots; empty means no {@code file:} URL is allowed
   */
  public List<Path> fileRoots() {
    return fileRoots;
  }

  /**
   * The rules on schemes, hosts and addresses as the transfers apply them at every hop: these
   * schemes and hosts, and non-public addresses refused unless a host entry names them. The file
   * roots go with it, as {@link #fileRoots()}.
   *
   * @return the transfer policy of this task policy
   */
  public TransferPolicy transferPolicy() {
    return transferPolicy;
  }

  /**
   * This policy as the standard parameters of a backend URI, which a backend that moves files
   * turns into its transfers' settings ({@code TransferSettings.Builder.policyParameters}): {@value
   * TransferPolicy#ALLOW_SCHEMES}, {@value TransferPolicy#ALLOW_HOSTS} (when hosts are given),
   * {@value TransferPolicy#PRIVATE_ADDRESSES}{@code =refuse}, and {@value
   * TransferPolicy#FILE_ROOTS}, empty when there are none, so that the backend allows no {@code
   * file:} location at all.
   *
   * @return the parameters, by name
   * @throws IllegalArgumentException when a file root cannot be written as a parameter (a comma in
   *     its path)
   */
  public Map<String, String> backendParameters() {
    Map<String, String> parameters = new LinkedHashMap<>(transferPolicy.toParameters());
    parameters.put(TransferPolicy.FILE_ROOTS, TransferPolicy.fileRootsParameter(fileRoots));
    return parameters;
  }

  @Override
  public String toString() {
    return "TaskPolicy[schemes=" + schemes + ", hosts=" + (hosts().isEmpty() ? "any" : hosts())
        + ", fileRoots=" + fileRoots + ", non-public addresses refused unless named]";
  }

  private void checkUrl(String at, String text, List<Violation> violations) {
    StorageUrl url;
    try {
      url = StorageUrl.parse(text);
    } catch (TransferException e) {
      // The reason only: the location in the message is masked, but it adds nothing here.
      violations.add(new Violation(at, "is not a valid URL: " + detail(e)));
      return;
    }
    if (url.scheme().equals(FILE)) {
      checkFile(at, url, violations);
      return;
    }
    if (!schemes.contains(url.scheme())) {
      violations.add(new Violation(at, "scheme '" + url.scheme() + "' is not allowed on this server; allowed: "
          + String.join(", ", schemes)));
      return;
    }
    transferPolicy.problem(url).ifPresent(problem -> violations.add(new Violation(at, problem)));
  }

  /** A transfer failure's words without the location it starts with. */
  private static String detail(TransferException e) {
    String message = String.valueOf(e.getMessage());
    String prefix = e.location() + ": ";
    return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
  }

  private void checkFile(String at, StorageUrl url, List<Violation> violations) {
    if (fileRoots.isEmpty()) {
      violations.add(new Violation(at, "file: URLs are not allowed on this server (it has no file roots; a bare"
          + " /path is a file: URL too); allowed schemes: " + String.join(", ", schemes)));
      return;
    }
    Path path;
    try {
      path = Path.of(url.path()).normalize();
    } catch (InvalidPathException e) {
      violations.add(new Violation(at, "is not a valid file path: " + e.getReason()));
      return;
    }
    Path real = realPath(path);
    if (underARoot(path) && underARoot(real)) {
      return;
    }
    String shown = path.equals(real) ? "'" + path + "'" : "'" + path + "' (really '" + real + "')";
    violations.add(new Violation(at, shown + " is outside the file roots this server allows: "
        + String.join(", ", fileRoots.stream().map(Path::toString).toList())));
  }

  private boolean underARoot(Path path) {
    for (Path root : fileRoots) {
      if (path.startsWith(root)) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code path} with the symbolic links of its longest existing ancestor resolved, so that a link
   * under a root that points elsewhere does not let a task escape the root.
   */
  static Path realPath(Path path) {
    Path existing = path;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return path;
    }
    try {
      Path real = existing.toRealPath();
      return real.resolve(existing.relativize(path)).normalize();
    } catch (IOException e) {
      // Not readable (a permission problem): compare the normalized path alone.
      return path;
    }
  }

  /** Builds a {@link TaskPolicy}. Not thread-safe. */
  public static final class Builder {
    private final Set<String> schemes = new LinkedHashSet<>(DEFAULT_SCHEMES);
    private final TransferPolicy.Builder network = TransferPolicy.builder().allowPrivateAddresses(false);
    private final List<Path> fileRoots = new ArrayList<>();

    private Builder() {}

    /**
     * Directories under which {@code file:} inputs and outputs are allowed; setting any allows the
     * {@code file} scheme. Relative directories are taken from the working directory.
     *
     * @param roots the directories
     * @return this builder
     */
    public Builder fileRoots(Path... roots) {
      for (Path root : roots) {
        Path absolute = Objects.requireNonNull(root, "file root").toAbsolutePath().normalize();
        fileRoots.add(absolute);
        Path real = realPath(absolute);
        if (!real.equals(absolute)) {
          fileRoots.add(real); // a root that is itself a link: its target is the root too
        }
      }
      return this;
    }

    /**
     * The URL schemes allowed, replacing the defaults. {@code file} is allowed through {@link
     * #fileRoots(Path...)} only.
     *
     * @param schemes scheme names such as {@code https}, {@code s3}
     * @return this builder
     * @throws IllegalArgumentException when a scheme is blank or not a URI scheme
     */
    public Builder allowSchemes(String... schemes) {
      // The same check as the transfers', and the names they compare.
      Set<String> names = TransferPolicy.builder().allowSchemes(schemes).build().schemes().orElseThrow();
      this.schemes.clear();
      this.schemes.addAll(names);
      return this;
    }

    /**
     * The hosts allowed: exact names, {@code *.example.org}, IP addresses ({@code 127.0.0.1},
     * {@code ::1}), or {@code *} for any host; none given means any host. For {@code
     * s3://bucket/key} URLs the host is the bucket (and the transfers check the S3 endpoint's host
     * too). An entry other than {@code *} also lets the hosts it names have non-public addresses
     * (loopback, private...), which are refused otherwise: {@code allowHosts("*", "minio.internal")}
     * allows any public host and {@code minio.internal} wherever it is.
     *
     * @param hosts host names, patterns or addresses
     * @return this builder
     * @throws IllegalArgumentException when a host is blank, or a pattern other than {@code *.NAME}
     */
    public Builder allowHosts(String... hosts) {
      network.allowHosts(hosts);
      return this;
    }

    /**
     * The policy.
     *
     * @return an immutable policy
     * @throws IllegalArgumentException when {@code file} is among the schemes but no file root is set
     */
    public TaskPolicy build() {
      Set<String> allowed = new LinkedHashSet<>(schemes);
      if (allowed.contains(FILE) && fileRoots.isEmpty()) {
        throw new IllegalArgumentException(
            "the file scheme is allowed only under file roots: set fileRoots (tes4j serve: --file-root DIR)");
      }
      if (!fileRoots.isEmpty()) {
        allowed.add(FILE);
      }
      TransferPolicy transfers = network.allowSchemes(allowed.toArray(String[]::new)).build();
      return new TaskPolicy(
          java.util.Collections.unmodifiableSet(allowed),
          List.copyOf(new LinkedHashSet<>(fileRoots)),
          transfers);
    }
  }
}
