package io.tes4j.server;

import io.tes4j.model.Input;
import io.tes4j.model.Output;
import io.tes4j.model.Task;
import io.tes4j.model.Violation;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * What the tasks a server accepts may reference. By default: {@code http}, {@code https},
 * {@code ftp} and {@code s3} URLs on any host, and no {@code file:} URL at all, since a server
 * must not let its callers read or write the host's files. {@code file:} URLs are allowed only
 * under {@link Builder#fileRoots(Path...) file roots}.
 *
 * <pre>{@code
 * TaskPolicy policy = TaskPolicy.builder()
 *     .allowSchemes("https", "s3")
 *     .allowHosts("*.example.org", "my-bucket")     // for s3:// URLs the host is the bucket
 *     .fileRoots(Path.of("/data/shared"))           // file:///data/shared/... is allowed
 *     .build();
 * List<Violation> problems = policy.check(task);   // e.g. inputs[2].url: scheme 'gs' is not allowed...
 * }</pre>
 *
 * <p>Rules: every input {@code url} and output {@code url} must have an allowed scheme (inputs with
 * {@code content} need no URL); when hosts are given, its host must be one of them (exact, without
 * regard to case, or {@code *.example.org} for any name ending in {@code .example.org}); a {@code
 * file:} URL must name an absolute path that, once normalized ({@code ..} resolved) and with
 * symbolic links of its existing part resolved, lies under one of the file roots. Instances are
 * immutable and thread-safe.
 */
public final class TaskPolicy {
  private static final List<String> DEFAULT_SCHEMES = List.of("http", "https", "ftp", "s3");
  private static final String FILE = "file";

  private final Set<String> schemes;
  private final List<String> hosts;
  private final List<Path> fileRoots;

  private TaskPolicy(Set<String> schemes, List<String> hosts, List<Path> fileRoots) {
    this.schemes = schemes;
    this.hosts = hosts;
    this.fileRoots = fileRoots;
  }

  /**
   * The default policy.
   *
   * @return http, https, ftp and s3 on any host; no file: URLs
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
   * @return the host names and {@code *.} patterns
   */
  public List<String> hosts() {
    return hosts;
  }

  /**
   * The directories under which {@code file:} URLs are allowed, absolute and normalized.
   *
   * @return the file roots; empty means no {@code file:} URL is allowed
   */
  public List<Path> fileRoots() {
    return fileRoots;
  }

  @Override
  public String toString() {
    return "TaskPolicy[schemes=" + schemes + ", hosts=" + (hosts.isEmpty() ? "any" : hosts)
        + ", fileRoots=" + fileRoots + "]";
  }

  private void checkUrl(String at, String url, List<Violation> violations) {
    URI uri;
    try {
      uri = new URI(url.strip());
    } catch (URISyntaxException e) {
      // The reason and index only: the text may hold a password.
      violations.add(new Violation(at, "is not a valid URL: " + e.getReason() + " at index " + e.getIndex()));
      return;
    }
    String scheme = uri.getScheme();
    if (scheme == null) {
      violations.add(new Violation(at, "has no scheme; give a full URL such as "
          + exampleUrl() + " (allowed schemes: " + String.join(", ", schemes) + ")"));
      return;
    }
    scheme = scheme.toLowerCase(Locale.ROOT);
    if (scheme.equals(FILE)) {
      checkFile(at, uri, violations);
      return;
    }
    if (!schemes.contains(scheme)) {
      violations.add(new Violation(at, "scheme '" + scheme + "' is not allowed on this server; allowed: "
          + String.join(", ", schemes)));
      return;
    }
    if (!hosts.isEmpty()) {
      String host = uri.getHost();
      if (host == null) {
        host = uri.getAuthority(); // s3://my_bucket/key: an authority that is not a valid host name
      }
      if (host == null || host.isEmpty()) {
        violations.add(new Violation(at, "has no host; allowed hosts: " + String.join(", ", hosts)));
      } else if (!hostAllowed(stripUserInfo(host))) {
        violations.add(new Violation(at, "host '" + stripUserInfo(host) + "' is not allowed on this server;"
            + " allowed: " + String.join(", ", hosts)));
      }
    }
  }

  private String exampleUrl() {
    return schemes.contains("https") || schemes.isEmpty() ? "https://example.org/data.txt"
        : schemes.iterator().next() + "://host/data.txt";
  }

  private static String stripUserInfo(String authority) {
    int at = authority.lastIndexOf('@');
    String host = at < 0 ? authority : authority.substring(at + 1);
    int colon = host.lastIndexOf(':');
    if (colon > 0 && !host.endsWith("]")) {
      host = host.substring(0, colon);
    }
    return host;
  }

  private boolean hostAllowed(String host) {
    String name = host.toLowerCase(Locale.ROOT);
    for (String allowed : hosts) {
      if (allowed.startsWith("*.")) {
        if (name.endsWith(allowed.substring(1)) && name.length() > allowed.length() - 1) {
          return true;
        }
      } else if (allowed.equals(name)) {
        return true;
      }
    }
    return false;
  }

  private void checkFile(String at, URI uri, List<Violation> violations) {
    if (fileRoots.isEmpty()) {
      violations.add(new Violation(at, "file: URLs are not allowed on this server (it has no file roots);"
          + " allowed schemes: " + String.join(", ", schemes)));
      return;
    }
    String host = uri.getHost();
    if (uri.isOpaque() || (host != null && !host.isEmpty() && !host.equalsIgnoreCase("localhost"))) {
      violations.add(new Violation(at, "a file: URL must name an absolute path on this machine,"
          + " as file:///path; was " + describeFileUrl(uri)));
      return;
    }
    String pathText = uri.getPath();
    if (pathText == null || !pathText.startsWith("/")) {
      violations.add(new Violation(at, "a file: URL must name an absolute path, as file:///path"));
      return;
    }
    Path path;
    try {
      path = Path.of(pathText).normalize();
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

  private static String describeFileUrl(URI uri) {
    return "file:" + (uri.isOpaque() ? uri.getRawSchemeSpecificPart() : "//" + uri.getRawAuthority() + uri.getRawPath());
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
    private final List<String> hosts = new ArrayList<>();
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
      this.schemes.clear();
      for (String scheme : schemes) {
        String name = Objects.requireNonNull(scheme, "scheme").strip().toLowerCase(Locale.ROOT);
        if (!name.matches("[a-z][a-z0-9+.-]*")) {
          throw new IllegalArgumentException("invalid URL scheme '" + scheme
              + "': a letter, then letters, digits, '+', '-' or '.', e.g. https");
        }
        this.schemes.add(name);
      }
      return this;
    }

    /**
     * The hosts allowed: exact names, or {@code *.example.org}; none given means any host. For
     * {@code s3://bucket/key} URLs the host is the bucket.
     *
     * @param hosts host names or patterns
     * @return this builder
     * @throws IllegalArgumentException when a host is blank or a pattern other than {@code *.NAME}
     */
    public Builder allowHosts(String... hosts) {
      for (String host : hosts) {
        String name = Objects.requireNonNull(host, "host").strip().toLowerCase(Locale.ROOT);
        String rest = name.startsWith("*.") ? name.substring(2) : name;
        if (rest.isEmpty() || rest.contains("*") || rest.contains("/") || rest.contains(":")) {
          throw new IllegalArgumentException("invalid host '" + host
              + "': give a host name (data.example.org) or a pattern for its subdomains (*.example.org)");
        }
        this.hosts.add(name);
      }
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
      return new TaskPolicy(
          java.util.Collections.unmodifiableSet(allowed),
          List.copyOf(hosts),
          List.copyOf(new LinkedHashSet<>(fileRoots)));
    }
  }
}
