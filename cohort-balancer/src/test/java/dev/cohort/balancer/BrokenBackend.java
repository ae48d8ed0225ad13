package dev.cohort.balancer;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend that misbehaves on purpose: it accepts, reads the request head, then either resets the
 * connection before any response byte ({@link Mode#RESET}) or never answers ({@link Mode#SILENT}).
 * Counts the requests it saw.
 */
final class BrokenBackend extends SocketBackend {
  enum Mode {
    RESET,
    SILENT,
    /** Answers 503 with a body and keeps the connection open, as a Tomcat that is stopping. */
    UNAVAILABLE,
    /**
     * Answers 200 on a kept-alive connection until {@link #breakNow()}, then resets every
     * connection when the next request arrives on it: a node killed while the balancer holds idle
     * connections to it.
     */
    HEALTHY_UNTIL_BROKEN
  }

  final AtomicInteger requests = new AtomicInteger();
  private volatile boolean broken;

  /** From now on, {@link Mode#HEALTHY_UNTIL_BROKEN} resets instead of answering. */
  void breakNow() {
    broken = true;
  }

  private final Mode mode;

  BrokenBackend(String route, Mode mode) throws IOException {
    super(route, "broken-backend");
    this.mode = mode;
  }

  @Override
  void serve(Socket s) {
    try {
      if (mode == Mode.HEALTHY_UNTIL_BROKEN) {
        serveUntilBroken(s);
        return;
      }
      if (readHead(s.getInputStream()) == null) {
        s.close();
        return;
      }
      requests.incrementAndGet();
      if (mode == Mode.RESET) {
        s.setSoLinger(true, 0);
        s.close();
      } else if (mode == Mode.UNAVAILABLE) {
        byte[] body = "stopping\n".getBytes(StandardCharsets.US_ASCII);
        s.getOutputStream()
            .write(
                ("HTTP/1.1 503 Service Unavailable\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().write(body);
        s.getOutputStream().flush();
      }
      // SILENT and UNAVAILABLE keep the connection open until close()
    } catch (IOException e) {
      // the test is over or the balancer gave up on us
    }
  }

  private void serveUntilBroken(Socket s) throws IOException {
    while (readHead(s.getInputStream()) != null) {
      requests.incrementAndGet();
      if (broken) {
        s.setSoLinger(true, 0);
        s.close();
        return;
      }
      byte[] body = (route + "\n").getBytes(StandardCharsets.US_ASCII);
      s.getOutputStream()
          .write(
              ("HTTP/1.1 200 OK\r\nx-route: "
                      + route
                      + "\r\nContent-Length: "
                      + body.length
                      + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().write(body);
      s.getOutputStream().flush();
    }
    s.close();
  }
}
