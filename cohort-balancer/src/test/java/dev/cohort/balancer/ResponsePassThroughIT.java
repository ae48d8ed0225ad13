package dev.cohort.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Responses go from backend to client as bytes (ResponseParser): a backend that writes scripted
 * bytes, in pieces that split heads and chunk framing across reads, and raw clients that check what
 * arrives — bodyless responses, a backend's {@code Connection: close}, a body up to the backend's
 * close, chunked bodies for HTTP/1.1 and HTTP/1.0 clients, a malformed status line.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResponsePassThroughIT extends ItSupport {
  private static final String CHUNKED_BODY = "4\r\nabcd\r\n3;x=y\r\nefg\r\n0\r\nX-T: 1\r\n\r\n";

  /** Answers each path with fixed bytes, written in the given pieces (a flush and pause each). */
  private static final Map<String, List<String>> SCRIPTS =
      Map.of(
          "/head",
          List.of("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nX-Kind: head\r\n\r\n"),
          "/nocontent",
          List.of("HTTP/1.1 204 No Content\r\nX-Kind: 204\r\n\r\n"),
          "/close",
          List.of("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 5\r\n\r\nbye!\n"),
          "/eof",
          List.of("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\npart one,", "part two"),
          "/chunked",
          List.of(
              "HTTP/1.1 200 OK\r\nTransfer-",
              "Encoding: chunked\r\n\r\n4\r\nab",
              "cd\r\n3;x=y\r\nefg\r",
              "\n0\r\nX-T: 1\r\n",
              "\r\n"),
          "/bad",
          List.of("HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n"));

  /** Paths after whose answer the backend closes the connection. */
  private static final List<String> CLOSE_AFTER = List.of("/close", "/eof", "/bad");

  @Test
  void bodylessAndClosingResponses_keepTheClientConnectionUsable() throws Exception {
    Balancer balancer = balancer(config(List.of(scripted("n1").backend())));
    try (RawClient c = new RawClient(balancer.port())) {
      c.send("HEAD /head HTTP/1.1\r\nHost: x\r\n\r\n");
      String head = c.readHead();
      assertThat(head).startsWith("HTTP/1.1 200").contains("Content-Length: 1000", "X-Kind: head");

      c.send("GET /nocontent HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(c.readHead()).startsWith("HTTP/1.1 204").contains("X-Kind: 204");

      c.send("GET /close HTTP/1.1\r\nHost: x\r\n\r\n");
      head = c.readHead();
      assertThat(head).startsWith("HTTP/1.1 200");
      assertThat(head.toLowerCase()).doesNotContain("connection");
      assertThat(c.readBody(5)).isEqualTo("bye!\n");

      c.send("GET /chunked HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(c.readHead()).contains("Transfer-Encoding: chunked");
      assertThat(c.readBody(CHUNKED_BODY.length()))
          .as("chunk framing, extensions and trailers as the backend sent them")
          .isEqualTo(CHUNKED_BODY);

      c.send("GET /nocontent HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(c.readHead()).startsWith("HTTP/1.1 204");
    }
  }

  @Test
  void bodyUpToTheBackendsClose_reachesAnHttp11ClientInChunks() throws Exception {
    Balancer balancer = balancer(config(List.of(scripted("n1").backend())));
    try (RawClient c = new RawClient(balancer.port())) {
      c.send("GET /eof HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(c.readHead().toLowerCase()).contains("transfer-encoding: chunked");
      assertThat(dechunk(readUntil(c, "0\r\n\r\n"))).isEqualTo("part one,part two");
      c.send("GET /nocontent HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(c.readHead()).as("the client connection stays open").startsWith("HTTP/1.1 204");
    }
  }

  @Test
  void chunkedBodyReachesAnHttp10ClientWithoutFraming() throws Exception {
    Balancer balancer = balancer(config(List.of(scripted("n1").backend())));
    try (RawClient c = new RawClient(balancer.port())) {
      c.send("GET /chunked HTTP/1.0\r\n\r\n");
      String head = c.readHead();
      assertThat(head).startsWith("HTTP/1.0 200");
      assertThat(head.toLowerCase()).doesNotContain("chunked");
      assertThat(c.readToEnd()).isEqualTo("abcdefg");
    }
  }

  @Test
  void malformedStatusLineFromTheBackendIsAnswered502() throws Exception {
    Balancer balancer = balancer(config(List.of(scripted("n1").backend())));
    try (RawClient c = new RawClient(balancer.port())) {
      c.send("GET /bad HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(c.readHead()).startsWith("HTTP/1.1 502");
    }
    assertThat(balancer.statusJson()).contains("\"badGateway\":1");
  }

  private static String readUntil(RawClient c, String end) throws IOException {
    InputStream in = c.socket.getInputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int b; (b = in.read()) >= 0; ) {
      out.write(b);
      if (out.toString(StandardCharsets.ISO_8859_1).endsWith(end)) {
        break;
      }
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  private static String dechunk(String chunked) {
    StringBuilder data = new StringBuilder();
    int at = 0;
    while (true) {
      int lf = chunked.indexOf("\r\n", at);
      int size = Integer.parseInt(chunked.substring(at, lf), 16);
      if (size == 0) {
        return data.toString();
      }
      data.append(chunked, lf + 2, lf + 2 + size);
      at = lf + 2 + size + 2;
    }
  }

  private ScriptedBackend scripted(String route) throws IOException {
    return closeLater(new ScriptedBackend(route));
  }

  /** Reads request heads (no bodies) and writes the script of the path; health checks get 200. */
  private static final class ScriptedBackend extends SocketBackend {
    ScriptedBackend(String route) throws IOException {
      super(route, "scripted-backend");
    }

    @Override
    void serve(Socket s) {
      try (s) {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        for (String head; (head = readHead(in)) != null; ) {
          String path = head.split(" ", 3)[1];
          List<String> script =
              path.equals("/cohort/health")
                  ? List.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                  : SCRIPTS.getOrDefault(
                      path, List.of("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"));
          for (int i = 0; i < script.size(); i++) {
            if (i > 0) {
              Thread.sleep(30); // lets the balancer read the pieces separately
            }
            out.write(script.get(i).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
          }
          if (CLOSE_AFTER.contains(path)) {
            return;
          }
        }
      } catch (IOException e) {
        // the balancer closed the connection, or the test is over
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
