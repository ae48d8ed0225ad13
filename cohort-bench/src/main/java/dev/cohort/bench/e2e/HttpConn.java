package dev.cohort.bench.e2e;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One keep-alive HTTP/1.1 connection to a node on 127.0.0.1: a blocking GET with an optional
 * session cookie. Minimal on purpose (the load client must cost little CPU next to the nodes):
 * Content-Length and chunked bodies, the {@code JSESSIONID} Set-Cookie, nothing else. Not
 * thread-safe.
 */
final class HttpConn implements Closeable {
  /** A parsed reply; {@code setCookie} is the new JSESSIONID value, or null. */
  record Reply(int status, String body, String setCookie) {
    /** The integer after {@code key=} in the body, or -1. */
    int field(String key) {
      int i = body.indexOf(key + "=");
      if (i < 0) {
        return -1;
      }
      int j = i + key.length() + 1;
      int v = 0;
      boolean any = false;
      while (j < body.length() && Character.isDigit(body.charAt(j))) {
        v = v * 10 + (body.charAt(j++) - '0');
        any = true;
      }
      return any ? v : -1;
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private boolean open = true;
  private boolean responseStarted;

  HttpConn(int port, int timeoutMillis) throws IOException {
    socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
      socket.setSoTimeout(timeoutMillis);
    } catch (IOException e) {
      socket.close();
      throw e;
    }
    in = new BufferedInputStream(socket.getInputStream(), 8192);
    out = socket.getOutputStream();
  }

  /** False when the last {@link #get} failed before any byte of the response arrived. */
  boolean responseStarted() {
    return responseStarted;
  }

  boolean isOpen() {
    return open;
  }

  Reply get(String path, String cookie) throws IOException {
    StringBuilder req = new StringBuilder(128);
    req.append("GET ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    if (cookie != null) {
      req.append("Cookie: JSESSIONID=").append(cookie).append("\r\n");
    }
    req.append("\r\n");
    responseStarted = false;
    out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
    out.flush();
    int first = in.read();
    if (first < 0) {
      throw new IOException("connection closed before the response");
    }
    responseStarted = true;
    String status = (char) first + line();
    if (status == null || !status.startsWith("HTTP/1.")) {
      throw new IOException("no HTTP status line");
    }
    int code = Integer.parseInt(status.substring(9, 12));
    long length = -1;
    boolean chunked = false;
    String setCookie = null;
    String h;
    while ((h = line()) != null && !h.isEmpty()) {
      int colon = h.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = h.substring(0, colon).trim();
      String value = h.substring(colon + 1).trim();
      if (name.equalsIgnoreCase("Content-Length")) {
        length = Long.parseLong(value);
      } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
        chunked = value.equalsIgnoreCase("chunked");
      } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
        open = false;
      } else if (name.equalsIgnoreCase("Set-Cookie") && value.startsWith("JSESSIONID=")) {
        int semi = value.indexOf(';');
        setCookie = value.substring("JSESSIONID=".length(), semi < 0 ? value.length() : semi);
      }
    }
    if (h == null) {
      throw new IOException("connection closed in the headers");
    }
    String body;
    if (chunked) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      while (true) {
        String size = line();
        if (size == null) {
          throw new IOException("connection closed in a chunked body");
        }
        int n = Integer.parseInt(size.split(";")[0].trim(), 16);
        if (n == 0) {
          line();
          break;
        }
        b.write(in.readNBytes(n));
        line();
      }
      body = b.toString(StandardCharsets.UTF_8);
    } else if (length >= 0) {
      byte[] bytes = in.readNBytes((int) length);
      if (bytes.length < length) {
        throw new IOException("connection closed in the body");
      }
      body = new String(bytes, StandardCharsets.UTF_8);
    } else {
      body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      open = false;
    }
    return new Reply(code, body, setCookie);
  }

  private String line() throws IOException {
    StringBuilder sb = new StringBuilder(64);
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        int len = sb.length();
        return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
      }
      sb.append((char) c);
    }
    return sb.length() == 0 ? null : sb.toString();
  }

  @Override
  public void close() {
    open = false;
    try {
      socket.close();
    } catch (IOException e) {
      // closing a broken connection: nothing to do
    }
  }

  /** One GET on a fresh connection (control calls: stats, populate). */
  static Reply once(int port, String path, int timeoutMillis) throws IOException {
    try (HttpConn c = new HttpConn(port, timeoutMillis)) {
      return c.get(path, null);
    }
  }
}
