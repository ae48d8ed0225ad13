package dev.cohort.balancer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend that misbehaves on purpose: it accepts, reads the request head, then either resets the
 * connection before any response byte ({@link Mode#RESET}) or never answers ({@link Mode#SILENT}).
 * Counts the requests it saw.
 */
final class BrokenBackend implements AutoCloseable {
  enum Mode {
    RESET,
    SILENT,
    /** Answers 503 with a body and keeps the connection open, as a Tomcat that is stopping. */
    UNAVAILABLE
  }

  final String route;
  final AtomicInteger requests = new AtomicInteger();
  private final Mode mode;
  private final ServerSocket server;
  private final Thread acceptor;
  private final List<Socket> held = new CopyOnWriteArrayList<>();

  BrokenBackend(String route, Mode mode) throws IOException {
    this.route = route;
    this.mode = mode;
    this.server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    this.acceptor = new Thread(this::acceptLoop, "broken-backend-" + route);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  Backend backend() {
    return new Backend(route, URI.create("http://127.0.0.1:" + server.getLocalPort()), 1);
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        Thread t = new Thread(() -> serve(s), "broken-backend-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try {
      InputStream in = s.getInputStream();
      // read up to the end of the request head
      int state = 0;
      for (int c; (c = in.read()) >= 0; ) {
        state =
            (c == '\r' && (state == 0 || state == 2))
                ? state + 1
                : (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        if (state == 4) {
          break;
        }
      }
      if (state != 4) {
        s.close();
        return;
      }
      requests.incrementAndGet();
      if (mode == Mode.RESET) {
        s.setSoLinger(true, 0);
        s.close();
      } else if (mode == Mode.UNAVAILABLE) {
        byte[] body = "stopping\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        s.getOutputStream()
            .write(
                ("HTTP/1.1 503 Service Unavailable\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        s.getOutputStream().write(body);
        s.getOutputStream().flush();
        held.add(s);
      } else {
        held.add(s);
      }
    } catch (IOException e) {
      // the test is over or the balancer gave up on us
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : held) {
      s.close();
    }
  }
}
