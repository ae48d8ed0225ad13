package dev.cohort.balancer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Speaks raw bytes to the balancer, for malformed and hand-framed requests. */
final class RawClient implements AutoCloseable {
  final Socket socket;

  RawClient(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
  }

  void send(String s) throws IOException {
    socket.getOutputStream().write(s.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
  }

  /** Reads one response head (up to the blank line). */
  String readHead() throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int state = 0;
    for (int c; (c = in.read()) >= 0; ) {
      out.write(c);
      state =
          (c == '\r' && (state == 0 || state == 2))
              ? state + 1
              : (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
      if (state == 4) {
        break;
      }
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  /** Reads {@code n} body bytes. */
  String readBody(int n) throws IOException {
    return new String(socket.getInputStream().readNBytes(n), StandardCharsets.ISO_8859_1);
  }

  /** Reads to the end of the stream (the server closed). */
  String readToEnd() throws IOException {
    return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
  }

  static int contentLength(String head) {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        return Integer.parseInt(line.substring(15).trim());
      }
    }
    return -1;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
