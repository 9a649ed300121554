package io.tes4j.transfer.internal;

import io.tes4j.transfer.TransferPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.Optional;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

/**
 * Sockets that check the address they connect to against a {@link TransferPolicy}: the address
 * actually used, after any name lookup, so that a name resolving to 127.0.0.1 or 169.254.169.254
 * is refused however it got there (DNS rebinding included). Internal.
 */
public final class GuardedSockets {
  private GuardedSockets() {}

  /**
   * Throws when {@code policy} refuses a connection to {@code address} for {@code host} (the name
   * or address written in the URL, or {@code null}) on {@code port}.
   */
  public static void check(TransferPolicy policy, String host, InetAddress address, int port)
      throws DestinationRefusedException {
    Optional<String> problem = policy.addressProblem(host, address);
    if (problem.isPresent()) {
      String where = (host != null ? host : Addresses.describe(address)) + (port > 0 ? ":" + port : "");
      throw new DestinationRefusedException("refused to connect to " + where + ": " + problem.get());
    }
  }

  /**
   * A socket factory whose sockets check, in {@code connect}, the address they are about to
   * connect to, before connecting. The host the policy judges is {@code host}, or when {@code
   * null}, the one the socket address was made from (its host string).
   */
  public static SocketFactory socketFactory(TransferPolicy policy, String host) {
    return new CheckingSocketFactory(Objects.requireNonNull(policy, "policy"), host);
  }

  /**
   * An SSL socket factory for {@link javax.net.ssl.HttpsURLConnection} that checks the peer of
   * each connection before TLS starts. It makes no unconnected sockets, so the JDK connects a plain
   * socket and asks this factory to layer TLS over it, with the URL's host: the address connected
   * is checked there, then {@code delegate} does the TLS (with SNI and host name verification as
   * usual). The host the policy judges is {@code host}, or when {@code null}, the URL's. Share one
   * per storage: the JDK reuses kept-alive connections per factory.
   */
  public static SSLSocketFactory sslSocketFactory(TransferPolicy policy, String host, SSLSocketFactory delegate) {
    return new CheckingSslSocketFactory(
        Objects.requireNonNull(policy, "policy"), host, Objects.requireNonNull(delegate, "delegate"));
  }

  /** A plain socket that checks its peer's address before connecting. */
  private static final class CheckingSocket extends Socket {
    private final TransferPolicy policy;
    private final String host;

    CheckingSocket(TransferPolicy policy, String host) {
      this.policy = policy;
      this.host = host;
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
      if (endpoint instanceof InetSocketAddress target) {
        String name = host != null ? host : target.getHostString();
        if (target.isUnresolved()) {
          // Only through a SOCKS proxy, which resolves the name: judge its text.
          Optional<String> problem = policy.hostProblem(name);
          if (problem.isPresent()) {
            throw new DestinationRefusedException("refused to connect to " + name + ": " + problem.get());
          }
        } else {
          check(policy, name, target.getAddress(), target.getPort());
        }
      }
      super.connect(endpoint, timeout);
    }
  }

  private static final class CheckingSocketFactory extends SocketFactory {
    private final TransferPolicy policy;
    private final String host;

    CheckingSocketFactory(TransferPolicy policy, String host) {
      this.policy = policy;
      this.host = host;
    }

    @Override
    public Socket createSocket() {
      return new CheckingSocket(policy, host);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      Socket socket = new CheckingSocket(policy, this.host != null ? this.host : host);
      return connected(socket, new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
      Socket socket = new CheckingSocket(policy, this.host != null ? this.host : host);
      socket.bind(new InetSocketAddress(localHost, localPort));
      return connected(socket, new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return connected(createSocket(), new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
      Socket socket = createSocket();
      socket.bind(new InetSocketAddress(localAddress, localPort));
      return connected(socket, new InetSocketAddress(address, port));
    }

    private static Socket connected(Socket socket, SocketAddress target) throws IOException {
      try {
        socket.connect(target);
        return socket;
      } catch (IOException | RuntimeException e) {
        socket.close();
        throw e;
      }
    }
  }

  private static final class CheckingSslSocketFactory extends SSLSocketFactory {
    private final TransferPolicy policy;
    private final String judged;
    private final SSLSocketFactory delegate;

    CheckingSslSocketFactory(TransferPolicy policy, String judged, SSLSocketFactory delegate) {
      this.policy = policy;
      this.judged = judged;
      this.delegate = delegate;
    }

    // createSocket() stays SocketFactory's, which says "unconnected sockets not implemented": the
    // JDK then connects a plain socket itself and layers TLS over it through the method below.

    @Override
    public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
      try {
        InetAddress peer = socket.getInetAddress();
        if (peer == null) {
          throw new DestinationRefusedException("refused to start TLS with " + host + ": the socket is not connected");
        }
        check(policy, judged != null ? judged : host, peer, port);
      } catch (IOException e) {
        if (autoClose) {
          socket.close();
        }
        throw e;
      }
      return delegate.createSocket(socket, host, port, autoClose);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      Socket plain = new CheckingSocketFactory(policy, judged != null ? judged : host).createSocket(host, port);
      return layered(plain, host, port);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
      Socket plain =
          new CheckingSocketFactory(policy, judged != null ? judged : host).createSocket(host, port, localHost, localPort);
      return layered(plain, host, port);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      Socket plain = new CheckingSocketFactory(policy, judged).createSocket(host, port);
      return layered(plain, host.getHostAddress(), port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
      Socket plain = new CheckingSocketFactory(policy, judged).createSocket(address, port, localAddress, localPort);
      return layered(plain, address.getHostAddress(), port);
    }

    private Socket layered(Socket plain, String host, int port) throws IOException {
      try {
        return delegate.createSocket(plain, host, port, true);
      } catch (IOException | RuntimeException e) {
        plain.close();
        throw e;
      }
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return delegate.getSupportedCipherSuites();
    }
  }
}
