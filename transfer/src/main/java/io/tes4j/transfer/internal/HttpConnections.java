package io.tes4j.transfer.internal;

import io.tes4j.transfer.TransferPolicy;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.URI;
import java.net.URLConnection;
import java.util.List;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;

/**
 * Opens {@link HttpURLConnection}s that reach only the addresses a {@link TransferPolicy} allows,
 * for the HTTP and S3 storages. The JDK 17 has no pluggable name resolver, so:
 *
 * <ul>
 *   <li>{@code https}: the connection gets a {@linkplain GuardedSockets#sslSocketFactory checking
 *       SSL socket factory}, which sees the connected socket before TLS starts and closes it if its
 *       peer is refused;
 *   <li>{@code http}: the host is resolved here, once, its address checked, and the connection is
 *       made to that very address: the JDK is told to use it as an HTTP proxy, so it sends the
 *       request in absolute form ({@code GET http://host:port/path}, with {@code Host: host:port}),
 *       which every HTTP/1.1 server must accept (RFC 9112, 3.2.2), and looks up no name itself.
 * </ul>
 *
 * <p>When the policy allows every address, or the JVM's {@link ProxySelector} sends the URL
 * through a real proxy (which resolves the names), connections are opened as the JDK does by
 * default. Internal.
 */
public final class HttpConnections {
  private final TransferPolicy policy;
  private final String host;
  private final SSLSocketFactory ssl;

  /** Connections under {@code policy}; one per storage, so that kept-alive connections are reused. */
  public HttpConnections(TransferPolicy policy) {
    this(policy, null);
  }

  /**
   * Connections under {@code policy} that judge every address as one of {@code host} (for the S3
   * endpoint, whose virtual-hosted names are its subdomains), or of each URL's host when {@code
   * null}.
   */
  public HttpConnections(TransferPolicy policy, String host) {
    this.policy = policy;
    this.host = host;
    this.ssl = policy.privateAddressesAllowed()
        ? null
        : GuardedSockets.sslSocketFactory(policy, host, HttpsURLConnection.getDefaultSSLSocketFactory());
  }

  /** The policy connections are checked against. */
  public TransferPolicy policy() {
    return policy;
  }

  /**
   * A connection to {@code uri} ({@code http} or {@code https}), not yet connected.
   *
   * @throws DestinationRefusedException when the policy refuses the address the host resolves to
   * @throws java.net.UnknownHostException when an {@code http} host has no address
   * @throws IOException when the JDK cannot make the connection object
   */
  public URLConnection open(URI uri) throws IOException {
    if (policy.privateAddressesAllowed()) {
      return uri.toURL().openConnection();
    }
    Proxy proxy = configuredProxy(uri);
    if (proxy.type() != Proxy.Type.DIRECT) {
      return uri.toURL().openConnection(proxy); // the proxy resolves the name
    }
    String scheme = uri.getScheme();
    if ("https".equalsIgnoreCase(scheme)) {
      URLConnection connection = uri.toURL().openConnection(Proxy.NO_PROXY);
      if (connection instanceof HttpsURLConnection https) {
        https.setSSLSocketFactory(ssl);
      }
      return connection;
    }
    if (!"http".equalsIgnoreCase(scheme)) {
      throw new IOException("not an http(s) URL: " + scheme);
    }
    String name = uri.getHost();
    if (name == null) {
      throw new IOException("the URL has no host");
    }
    InetAddress address = InetAddress.getByName(name); // one lookup; the JDK does none
    int port = uri.getPort() > 0 ? uri.getPort() : 80;
    GuardedSockets.check(policy, host != null ? host : name, address, port);
    return uri.toURL().openConnection(new Proxy(Proxy.Type.HTTP, new InetSocketAddress(nameless(address), port)));
  }

  /**
   * {@code address} without its host name: the JDK connects to a proxy by its host string, which
   * would be looked up again; an address without a name gives its literal instead.
   */
  private static InetAddress nameless(InetAddress address) throws IOException {
    if (address instanceof Inet6Address v6 && v6.getScopeId() != 0) {
      return Inet6Address.getByAddress(null, v6.getAddress(), v6.getScopeId());
    }
    return InetAddress.getByAddress(address.getAddress());
  }

  /** The first proxy the JVM's proxy selector names for {@code uri}, or {@link Proxy#NO_PROXY}. */
  public static Proxy configuredProxy(URI uri) {
    ProxySelector selector = ProxySelector.getDefault();
    if (selector == null) {
      return Proxy.NO_PROXY;
    }
    List<Proxy> proxies = selector.select(uri);
    if (proxies == null || proxies.isEmpty() || proxies.get(0) == null) {
      return Proxy.NO_PROXY;
    }
    return proxies.get(0);
  }
}
