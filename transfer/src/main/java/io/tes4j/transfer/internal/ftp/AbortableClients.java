package io.tes4j.transfer.internal.ftp;

import java.io.IOException;
import java.net.Socket;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPSClient;

/**
 * FTP clients whose control socket another thread can close, to end a call blocked on it (a
 * cancelled transfer). {@link FTPClient#disconnect()} would also clear the client's fields under
 * the blocked thread, which then fails with a {@link NullPointerException} instead of an {@link
 * IOException}; closing only the socket makes the blocked read or write throw, as a dead server
 * would. Internal.
 */
final class AbortableClients {
  private AbortableClients() {}

  /** A client whose control socket can be closed from another thread. */
  interface Abortable {
    /** Closes the control socket; the client is unusable afterwards. */
    void abortControlSocket();
  }

  static FTPClient plain() {
    return new PlainClient();
  }

  static FTPSClient explicitTls() {
    return new TlsClient();
  }

  /** Closes {@code client}'s control socket, when it can be. */
  static void abort(FTPClient client) {
    if (client instanceof Abortable abortable) {
      abortable.abortControlSocket();
    }
  }

  private static void close(Socket socket) {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException e) {
        // closing to abort: a socket that fails to close is as unusable as a closed one
      }
    }
  }

  private static final class PlainClient extends FTPClient implements Abortable {
    @Override
    public void abortControlSocket() {
      close(_socket_);
    }
  }

  private static final class TlsClient extends FTPSClient implements Abortable {
    TlsClient() {
      super(false); // explicit TLS: AUTH TLS on the plain port
    }

    @Override
    public void abortControlSocket() {
      close(_socket_);
    }
  }
}
