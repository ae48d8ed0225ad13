package dev.cohort.balancer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A backend on a plain server socket on 127.0.0.1, for tests that need exact control of the bytes a
 * backend writes: one daemon thread accepts, one serves each connection ({@link #serve}); {@link
 * #close} closes the server and every accepted socket.
 */
abstract class SocketBackend implements AutoCloseable {
  final String route;
  private final ServerSocket server;
  private final List<Socket> open = new CopyOnWriteArrayList<>();

  SocketBackend(String route, String threadName) throws IOException {
    this.route = route;
    this.server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    Thread acceptor = new Thread(this::acceptLoop, threadName + "-" + route);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Serves one accepted connection; the socket is closed by {@link #close} at the latest. */
  abstract void serve(Socket s);

  Backend backend() {
    return new Backend(route, URI.create("http://127.0.0.1:" + server.getLocalPort()), 1);
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        open.add(s);
        Thread t = new Thread(() -> serve(s), Thread.currentThread().getName() + "-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  /** Reads one request head (up to the blank line), or null when the connection ended first. */
  static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int state = 0;
    for (int c; (c = in.read()) >= 0; ) {
      head.write(c);
      state =
          (c == '\r' && (state == 0 || state == 2))
              ? state + 1
              : (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
      if (state == 4) {
        return head.toString(StandardCharsets.ISO_8859_1);
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : open) {
      s.close();
    }
  }
}
