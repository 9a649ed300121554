package io.tes4j.transfer;

import io.tes4j.transfer.TransferException.Reason;
import io.tes4j.transfer.internal.Addresses;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where transfers may go, checked at every hop: the URL given, every redirect, the S3 endpoint,
 * and every address a connection is made to (HTTP, HTTPS, S3, FTP control and data connections).
 * It says which URL schemes are allowed, which hosts, and whether addresses that are not public
 * (loopback, link-local, private...) may be reached. Which local directories {@code file:}
 * locations may use is {@link TransferSettings#fileRoots()}.
 *
 * <pre>{@code
 * TransferPolicy policy = TransferPolicy.builder()
 *     .allowSchemes("https", "s3")
 *     .allowHosts("*", "minio.internal")      // any public host, and minio.internal wherever it is
 *     .allowPrivateAddresses(false)
 *     .build();
 * Transfers transfers = Transfers.create(TransferSettings.builder().policy(policy).build());
 * }</pre>
 *
 * <p><b>Two defaults.</b> {@link #permissive()}, the default of {@link TransferSettings}: any
 * scheme, any host, any address, as a program moving its own files expects ({@code tes4j cp},
 * {@code tes4j run}, an embedded {@code TesEngine}). A server that takes tasks from others
 * ({@code tes4j serve}) restricts the schemes and refuses non-public addresses unless a host is
 * named.
 *
 * <p><b>Rules.</b>
 *
 * <ul>
 *   <li><b>Schemes</b>: when {@link #schemes()} is present, a location's scheme must be among
 *       them (a redirect too: {@code https} to {@code http} needs both).
 *   <li><b>Hosts</b>: when {@link #hosts()} is not empty, a location's host must match an entry: a
 *       name, without regard to case; {@code *.example.org}, any name ending in {@code
 *       .example.org}; an IP address, which matches the host written as that address in any
 *       spelling; or {@code *}, any host. For {@code s3://bucket/key} the host is the bucket, and
 *       the S3 endpoint's host must match as well. {@code file:} locations have no host.
 *   <li><b>Non-public addresses</b>: unless {@link #privateAddressesAllowed()}, no connection is
 *       made to a loopback, link-local (169.254.169.254, where clouds serve credentials), private
 *       (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7, fec0::/10), unspecified (0.0.0.0,
 *       {@code ::}), multicast or reserved address, nor to an IPv6 address that embeds one of those
 *       IPv4 addresses ({@code ::ffff:127.0.0.1}, NAT64, 6to4), unless the host was named by an
 *       entry of {@link #hosts()} other than {@code *} (its name, a pattern that matches it, or the
 *       address itself).
 * </ul>
 *
 * <p><b>Where each rule is checked.</b> Scheme, host and a host written as an address (in any
 * spelling: {@code 2130706433}, {@code 0x7f.1}, {@code [::1]}, {@code ::ffff:127.0.0.1}) are
 * checked on the text of the URL by {@link #check}, without any name lookup: by {@code Transfers}
 * for the URLs it is given, by the HTTP storage for every redirect, by the S3 storage for its
 * endpoint, and by a server when a task is submitted. A host name is judged by the address the
 * connection is actually made to: the storages resolve it once and connect to that very address
 * ({@code http}), or check the socket's peer before a byte is sent ({@code https}, S3's client,
 * FTP), so a name that resolves to a public address when checked and to 127.0.0.1 when used (DNS
 * rebinding) gets nowhere. FTP data connections go to the control connection's address only,
 * whatever a {@code PASV} reply says.
 *
 * <p><b>Proxies.</b> When the JVM is configured to reach a URL through a proxy ({@code
 * http.proxyHost}, {@code https.proxyHost} or a {@link java.net.ProxySelector}), the connection
 * goes to the proxy, which resolves the names: only the rules on the URL's text apply, and the
 * proxy's own rules decide which addresses it reaches.
 *
 * <p><b>As parameters.</b> {@link #toParameters()} and {@link #fromParameters} write and read the
 * policy as the string parameters a backend URI carries ({@value #ALLOW_SCHEMES}, {@value
 * #ALLOW_HOSTS}, {@value #PRIVATE_ADDRESSES}), next to {@value #FILE_ROOTS} for the file roots:
 * that is how {@code tes4j serve} hands its policy to the backend that moves the files.
 *
 * <p>Immutable and thread-safe.
 */
public final class TransferPolicy {

  /**
   * The backend parameter with the allowed schemes, comma-separated; absent means any scheme.
   */
  public static final String ALLOW_SCHEMES = "allowSchemes";

  /** The backend parameter with the allowed hosts, comma-separated; absent or empty means any. */
  public static final String ALLOW_HOSTS = "allowHosts";

  /**
   * The backend parameter that says whether non-public addresses may be reached: {@code allow}
   * (the default when absent) or {@code refuse}.
   */
  public static final String PRIVATE_ADDRESSES = "privateAddresses";

  /**
   * The backend parameter with the file roots, comma-separated absolute directories: absent means
   * {@code file:} is unrestricted, empty means no {@code file:} location at all (see {@link
   * TransferSettings#fileRoots()}).
   */
  public static final String FILE_ROOTS = "fileRoots";

  /** Every parameter of a transfer policy, file roots included. */
  public static final Set<String> PARAMETERS = Set.of(ALLOW_SCHEMES, ALLOW_HOSTS, PRIVATE_ADDRESSES, FILE_ROOTS);

  private static final Pattern SCHEME = Pattern.compile("[a-z][a-z0-9+.-]*");
  private static final Pattern NAME = Pattern.compile("[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*");
  private static final TransferPolicy PERMISSIVE = new TransferPolicy(null, List.of(), true);

  private final Set<String> schemes; // null: any
  private final List<String> hosts;
  private final List<HostEntry> entries;
  private final boolean privateAddresses;

  private TransferPolicy(Set<String> schemes, List<String> hosts, boolean privateAddresses) {
    this.schemes = schemes == null ? null : Collections.unmodifiableSet(new LinkedHashSet<>(schemes));
    this.hosts = List.copyOf(hosts);
    this.entries = hosts.stream().map(HostEntry::parse).toList();
    this.privateAddresses = privateAddresses;
  }

  /** Any scheme, any host, any address: the default for programs that move their own files. */
  public static TransferPolicy permissive() {
    return PERMISSIVE;
  }

  /** A builder starting from {@link #permissive()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this policy. */
  public Builder toBuilder() {
    Builder builder = new Builder();
    builder.schemes = schemes == null ? null : new LinkedHashSet<>(schemes);
    builder.hosts.addAll(hosts);
    builder.privateAddresses = privateAddresses;
    return builder;
  }

  /** The allowed schemes, lower case; empty when any scheme is allowed. */
  public Optional<Set<String>> schemes() {
    return Optional.ofNullable(schemes);
  }

  /** The host entries (names, {@code *.} patterns, IP addresses, {@code *}); empty means any host. */
  public List<String> hosts() {
    return hosts;
  }

  /** Whether loopback, link-local, private and other non-public addresses may be reached. */
  public boolean privateAddressesAllowed() {
    return privateAddresses;
  }

  /** Whether this policy lets everything through: nothing to check anywhere. */
  public boolean isPermissive() {
    return schemes == null && hosts.isEmpty() && privateAddresses;
  }

  /**
   * Checks a location's text: its scheme, its host, and a host written as an address. Asks no
   * DNS; names are judged when connecting (see the class comment).
   *
   * @throws TransferException with {@link Reason#NOT_ALLOWED}, saying what is refused and how to
   *     allow it
   */
  public void check(StorageUrl url) {
    problem(url).ifPresent(problem -> {
      throw new TransferException(Reason.NOT_ALLOWED, url.toString(), problem, null);
    });
  }

  /**
   * What {@link #check} would refuse {@code url} for, in words without the location itself, or
   * empty when it is allowed.
   */
  public Optional<String> problem(StorageUrl url) {
    Objects.requireNonNull(url, "url");
    if (schemes != null && !schemes.contains(url.scheme())) {
      return Optional.of("the scheme '" + url.scheme() + "' is not allowed by the transfer policy; allowed: "
          + (schemes.isEmpty() ? "none" : String.join(", ", schemes)));
    }
    if (url.scheme().equals("file")) {
      return Optional.empty(); // file roots decide
    }
    String host = url.host();
    if (host == null || host.isEmpty()) {
      return hosts.isEmpty()
          ? Optional.empty()
          : Optional.of("has no host; the transfer policy allows only the hosts " + String.join(", ", hosts));
    }
    if (url.scheme().equals("s3")) {
      // The bucket is a name in the endpoint's namespace, not a network host: the endpoint's host
      // and the addresses it resolves to are checked by the S3 storage.
      return hostListed(host)
          ? Optional.empty()
          : Optional.of("the bucket '" + host + "' is not among the hosts the transfer policy allows ("
              + String.join(", ", hosts) + "); allow it with --allow-host " + host);
    }
    return hostProblem(host);
  }

  /**
   * What is wrong with connecting to {@code host} (a name or an address as written in a URL, in
   * brackets for IPv6), judged on its text: the host rule, and the address rule when it is written
   * as an address. Empty when allowed.
   */
  public Optional<String> hostProblem(String host) {
    Objects.requireNonNull(host, "host");
    if (!hostListed(host)) {
      return Optional.of("the host '" + host + "' is not among the hosts the transfer policy allows ("
          + String.join(", ", hosts) + "); allow it with --allow-host " + bare(host));
    }
    if (privateAddresses) {
      return Optional.empty();
    }
    List<InetAddress> readings = Addresses.literal(host);
    for (InetAddress address : readings) {
      Optional<String> problem = addressProblem(host, address);
      if (problem.isPresent()) {
        return problem;
      }
    }
    return Optional.empty();
  }

  /**
   * What is wrong with a connection to {@code address}, reached for {@code host} (the name or
   * address written in the URL, or {@code null}), or empty when it is allowed: a non-public
   * address needs {@link #privateAddressesAllowed()} or a host entry that names it.
   */
  public Optional<String> addressProblem(String host, InetAddress address) {
    Objects.requireNonNull(address, "address");
    if (privateAddresses) {
      return Optional.empty();
    }
    Optional<String> kind = Addresses.nonPublic(address);
    if (kind.isEmpty() || named(host, address)) {
      return Optional.empty();
    }
    String shown = Addresses.describe(address);
    String name = host == null ? null : bare(host);
    String allow;
    String what;
    if (name == null || !Addresses.literal(name).isEmpty()) {
      what = "the address " + shown + (name != null && !sameText(name, address) ? " (written '" + name + "')" : "");
      allow = bare(shown);
    } else {
      what = "the host '" + name + "' has the address " + shown + ", which";
      allow = name;
    }
    return Optional.of(what + " is " + kind.get() + ": the transfer policy reaches non-public addresses only"
        + " for hosts allowed by name; allow it with --allow-host " + allow);
  }

  private static boolean sameText(String name, InetAddress address) {
    return bare(Addresses.describe(address)).equalsIgnoreCase(name) || address.getHostAddress().equalsIgnoreCase(name);
  }

  /** {@code host} without the brackets of an IPv6 literal. */
  private static String bare(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  /** Whether {@code host} passes the host rule. */
  private boolean hostListed(String host) {
    if (entries.isEmpty()) {
      return true;
    }
    String name = host.toLowerCase(Locale.ROOT);
    List<InetAddress> readings = null;
    for (HostEntry entry : entries) {
      if (entry.any()) {
        return true;
      }
      if (entry.address() != null) {
        if (readings == null) {
          readings = Addresses.literal(name);
        }
        if (readings.contains(entry.address())) {
          return true;
        }
      } else if (entry.matchesName(name)) {
        return true;
      }
    }
    return false;
  }

  /** Whether an entry other than {@code *} names {@code host} or {@code address}. */
  private boolean named(String host, InetAddress address) {
    String name = host == null ? null : host.toLowerCase(Locale.ROOT);
    List<InetAddress> readings = name == null ? List.of() : Addresses.literal(name);
    for (HostEntry entry : entries) {
      if (entry.any()) {
        continue;
      }
      if (entry.address() != null) {
        if (entry.address().equals(address) || readings.contains(entry.address())) {
          return true;
        }
      } else if (name != null && readings.isEmpty() && entry.matchesName(name)) {
        return true;
      }
    }
    return false;
  }

  /**
   * This policy as backend parameters: {@value #ALLOW_SCHEMES} when schemes are restricted,
   * {@value #ALLOW_HOSTS} when hosts are, and {@value #PRIVATE_ADDRESSES} always. File roots are
   * not part of it: add {@value #FILE_ROOTS} with {@link #fileRootsParameter}.
   */
  public Map<String, String> toParameters() {
    Map<String, String> parameters = new LinkedHashMap<>();
    if (schemes != null) {
      parameters.put(ALLOW_SCHEMES, String.join(",", schemes));
    }
    if (!hosts.isEmpty()) {
      parameters.put(ALLOW_HOSTS, String.join(",", hosts));
    }
    parameters.put(PRIVATE_ADDRESSES, privateAddresses ? "allow" : "refuse");
    return parameters;
  }

  /**
   * The policy that backend parameters describe: {@value #ALLOW_SCHEMES}, {@value #ALLOW_HOSTS}
   * and {@value #PRIVATE_ADDRESSES}; others are ignored, and missing ones keep the permissive
   * default.
   *
   * @throws IllegalArgumentException naming the parameter whose value is wrong and what is allowed
   */
  public static TransferPolicy fromParameters(Map<String, String> parameters) {
    Builder builder = builder();
    String schemes = parameters.get(ALLOW_SCHEMES);
    if (schemes != null) {
      try {
        builder.allowSchemes(split(schemes).toArray(String[]::new));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(ALLOW_SCHEMES + "=" + schemes + ": " + e.getMessage(), e);
      }
    }
    String hosts = parameters.get(ALLOW_HOSTS);
    if (hosts != null) {
      try {
        builder.allowHosts(split(hosts).toArray(String[]::new));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(ALLOW_HOSTS + "=" + hosts + ": " + e.getMessage(), e);
      }
    }
    String addresses = parameters.get(PRIVATE_ADDRESSES);
    if (addresses != null) {
      switch (addresses.strip().toLowerCase(Locale.ROOT)) {
        case "allow" -> builder.allowPrivateAddresses(true);
        case "refuse" -> builder.allowPrivateAddresses(false);
        default -> throw new IllegalArgumentException(
            PRIVATE_ADDRESSES + "=" + addresses + ": must be allow or refuse");
      }
    }
    return builder.build();
  }

  /**
   * The value of {@value #FILE_ROOTS} for these directories: absolute paths joined by commas; an
   * empty string for none, which allows no {@code file:} location.
   *
   * @throws IllegalArgumentException when a directory is relative or its path holds a comma
   */
  public static String fileRootsParameter(List<Path> roots) {
    List<String> texts = new ArrayList<>();
    for (Path root : roots) {
      String text = root.toString();
      if (!root.isAbsolute()) {
        throw new IllegalArgumentException("the file root " + text + " is not an absolute path");
      }
      if (text.indexOf(',') >= 0) {
        throw new IllegalArgumentException(
            "the file root " + text + " holds a comma, which separates the roots of " + FILE_ROOTS);
      }
      texts.add(text);
    }
    return String.join(",", texts);
  }

  private static List<String> split(String list) {
    List<String> items = new ArrayList<>();
    for (String item : list.split(",")) {
      if (!item.isBlank()) {
        items.add(item.strip());
      }
    }
    return items;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TransferPolicy that
        && Objects.equals(schemes, that.schemes)
        && hosts.equals(that.hosts)
        && privateAddresses == that.privateAddresses;
  }

  @Override
  public int hashCode() {
    return Objects.hash(schemes, hosts, privateAddresses);
  }

  @Override
  public String toString() {
    return "TransferPolicy[schemes=" + (schemes == null ? "any" : schemes)
        + ", hosts=" + (hosts.isEmpty() ? "any" : hosts)
        + ", privateAddresses=" + (privateAddresses ? "allowed" : "refused unless named") + "]";
  }

  /** One entry of the host list, parsed. */
  private record HostEntry(String text, boolean any, String suffix, InetAddress address) {
    static HostEntry parse(String text) {
      if (text.equals("*")) {
        return new HostEntry(text, true, null, null);
      }
      if (text.startsWith("*.")) {
        return new HostEntry(text, false, text.substring(1), null);
      }
      List<InetAddress> readings = Addresses.literal(text);
      return new HostEntry(text, false, null, readings.isEmpty() ? null : readings.get(0));
    }

    boolean matchesName(String name) {
      String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
      if (suffix != null) {
        return n.endsWith(suffix) && n.length() > suffix.length();
      }
      return n.equals(text);
    }
  }

  /** Builds a {@link TransferPolicy}; starts from {@link #permissive()}. Not thread-safe. */
  public static final class Builder {
    private Set<String> schemes; // null: any
    private final List<String> hosts = new ArrayList<>();
    private boolean privateAddresses = true;

    private Builder() {}

    /**
     * Allows only these schemes (replacing those set before); none given allows no scheme.
     *
     * @throws IllegalArgumentException when a scheme is not a URI scheme
     */
    public Builder allowSchemes(String... schemes) {
      Set<String> names = new LinkedHashSet<>();
      for (String scheme : schemes) {
        String name = Objects.requireNonNull(scheme, "scheme").strip().toLowerCase(Locale.ROOT);
        if (!SCHEME.matcher(name).matches()) {
          throw new IllegalArgumentException("invalid URL scheme '" + scheme
              + "': a letter, then letters, digits, '+', '-' or '.', e.g. https");
        }
        names.add(name);
      }
      this.schemes = names;
      return this;
    }

    /** Allows every scheme (the default). */
    public Builder allowAnyScheme() {
      this.schemes = null;
      return this;
    }

    /**
     * Adds allowed hosts: names ({@code data.example.org}), patterns for subdomains ({@code
     * *.example.org}), IP addresses ({@code 10.0.0.7}, {@code ::1} or {@code [::1]}), or {@code *}
     * for any host. Once any is given, other hosts are refused. An entry other than {@code *} also
     * names its hosts for the non-public address rule.
     *
     * @throws IllegalArgumentException when an entry is none of these, saying what is allowed
     */
    public Builder allowHosts(String... hosts) {
      for (String host : hosts) {
        this.hosts.add(normalizeHost(host));
      }
      return this;
    }

    /**
     * Whether loopback, link-local, private and other non-public addresses may be reached by hosts
     * that no entry names; {@code true} by default.
     */
    public Builder allowPrivateAddresses(boolean allowed) {
      this.privateAddresses = allowed;
      return this;
    }

    /** The policy. */
    public TransferPolicy build() {
      return new TransferPolicy(schemes, new ArrayList<>(new LinkedHashSet<>(hosts)), privateAddresses);
    }
  }

  /**
   * {@code host} as a host entry: lower case, IPv6 without brackets in its compressed form.
   *
   * @throws IllegalArgumentException when it is not a name, a {@code *.} pattern, an address or {@code *}
   */
  static String normalizeHost(String host) {
    String text = Objects.requireNonNull(host, "host").strip().toLowerCase(Locale.ROOT);
    if (text.equals("*")) {
      return text;
    }
    String rest = text.startsWith("*.") ? text.substring(2) : text;
    if (rest.endsWith(".")) {
      rest = rest.substring(0, rest.length() - 1);
    }
    if (!text.startsWith("*.") && (text.indexOf(':') >= 0 || text.startsWith("["))) {
      List<InetAddress> readings = Addresses.literal(text);
      if (readings.size() == 1) {
        return bare(Addresses.describe(readings.get(0)));
      }
    } else if (!text.startsWith("*.") && NAME.matcher(rest).matches()) {
      List<InetAddress> readings = Addresses.literal(rest);
      if (readings.size() > 1) {
        throw new IllegalArgumentException("invalid host '" + host + "': it reads as more than one address ("
            + readings.stream().map(Addresses::describe).toList() + "); write the address in dotted decimal");
      }
      return readings.isEmpty() ? rest : Addresses.describe(readings.get(0));
    } else if (NAME.matcher(rest).matches() && Addresses.literal(rest).isEmpty()) {
      return "*." + rest;
    }
    throw new IllegalArgumentException("invalid host '" + host + "': give a host name (data.example.org), a"
        + " pattern for its subdomains (*.example.org), an IP address (10.0.0.7, ::1) or * for any host");
  }
}
