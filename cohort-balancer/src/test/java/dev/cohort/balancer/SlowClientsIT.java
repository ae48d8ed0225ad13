package dev.cohort.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Slow clients (slowloris) over real sockets: a few hundred connections that send half a request
 * head, a few that stall in the middle of a body, and one address that opens more connections than
 * {@code max-connections-per-ip}. Ordinary users (each request on a new connection, from another
 * address) are served while those are held; then the slow ones get 408 and are closed. The ordinary
 * users' latency with and without the slow connections is printed (docs/benchmarks.md), not
 * asserted.
 *
 * <p>Client sockets bind to other loopback addresses (127.0.0.2 and up) to play other clients.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SlowClientsIT extends ItSupport {
  static final int HALF_HEADS = 300;
  static final int STALLED_BODIES = 4;
  static final int PER_IP = 40;
  static final int OVER_CAP = 10;
  static final int ORDINARY_REQUESTS = 300;

  private static Socket from(String localAddress, int port) throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(localAddress, 0));
    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    s.setSoTimeout(10_000);
    return s;
  }

  private static void send(Socket s, String text) {
    try {
      s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
    } catch (IOException e) {
      // closed by the balancer at accept (over the per-address cap): seen when reading
    }
  }

  /** Everything the balancer sent until it closed (empty when it closed without answering). */
  private static String readToClose(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    try {
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    } catch (SocketException reset) {
      return "";
    }
  }

  /** One ordinary user's request on a new connection; returns its latency in microseconds. */
  private static long ordinaryRequest(int port) throws IOException {
    long t0 = System.nanoTime();
    try (RawClient c = new RawClient(port)) {
      c.send("GET /page HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n");
      String head = c.readHead();
      assertThat(head).startsWith("HTTP/1.1 200");
      c.readBody(RawClient.contentLength(head));
    }
    return (System.nanoTime() - t0) / 1_000;
  }

  private static long[] ordinaryUsers(int port) throws IOException {
    long[] micros = new long[ORDINARY_REQUESTS];
    for (int i = 0; i < micros.length; i++) {
      micros[i] = ordinaryRequest(port);
    }
    Arrays.sort(micros);
    return micros;
  }

  private static String figures(long[] sorted) {
    return String.format(
        Locale.ROOT,
        "p50 %.2f ms, p99 %.2f ms, max %.2f ms",
        sorted[sorted.length / 2] / 1000.0,
        sorted[(int) Math.ceil(sorted.length * 0.99) - 1] / 1000.0,
        sorted[sorted.length - 1] / 1000.0);
  }

  @Test
  void slowClientsAreHeldApart_whileOrdinaryUsersAreServed_thenGet408() throws Exception {
    TestBackend n1 = backend("n1");
    Duration timeout = Duration.ofSeconds(15);
    Balancer balancer =
        balancer(
            config(n1)
                .withHeaderTimeout(timeout)
                .withBodyTimeout(timeout)
                .withMaxConnectionsPerIp(PER_IP));
    int port = balancer.port();
    ordinaryUsers(port); // warm-up: JIT, pools
    long[] before = ordinaryUsers(port);

    List<Socket> halfHeads = new ArrayList<>();
    List<Socket> stalled = new ArrayList<>();
    List<Socket> oneAddress = new ArrayList<>();
    for (int i = 0; i < HALF_HEADS; i++) {
      Socket s = closeLater(from("127.0.0." + (2 + i / PER_IP), port));
      send(s, "GET /page HTTP/1.1\r\nHost: shop\r\nUser-Agent: slow\r\n");
      halfHeads.add(s);
    }
    for (int i = 0; i < STALLED_BODIES; i++) {
      Socket s = closeLater(from("127.0.0.100", port));
      send(s, "POST /upload HTTP/1.1\r\nHost: shop\r\nContent-Length: 1000\r\n\r\nabc");
      stalled.add(s);
    }
    for (int i = 0; i < PER_IP + OVER_CAP; i++) {
      Socket s = closeLater(from("127.0.0.200", port));
      send(s, "GET /page HTTP/1.1\r\nHost: shop\r\n");
      oneAddress.add(s);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> balancer.statusJson().contains("\"connectionsRejectedPerIp\":" + OVER_CAP));

    long[] during = ordinaryUsers(port);

    String held = balancer.statusJson();
    assertThat(held)
        .as("the slow connections are still held after ordinary users were served")
        .contains("\"headerTimeouts\":0", "\"bodyTimeouts\":0")
        .containsPattern("\"connections\":(3[4-9][0-9]|[4-9][0-9][0-9])");
    System.out.printf(
        Locale.ROOT,
        "SlowClientsIT: ordinary users, %d requests each on a new connection:%n"
            + "  without slow clients: %s%n"
            + "  with %d half-sent heads + %d stalled bodies held open: %s%n",
        ORDINARY_REQUESTS,
        figures(before),
        halfHeads.size() + PER_IP,
        stalled.size(),
        figures(during));

    // after the timeout: every slow connection answered 408 and closed
    await()
        .atMost(timeout.plusSeconds(30))
        .until(() -> balancer.statusJson().contains("\"headerTimeouts\":" + (HALF_HEADS + PER_IP)));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> balancer.statusJson().contains("\"bodyTimeouts\":" + STALLED_BODIES));
    for (Socket s : halfHeads) {
      assertThat(readToClose(s)).startsWith("HTTP/1.1 408 Request Timeout");
    }
    for (Socket s : stalled) {
      assertThat(readToClose(s)).startsWith("HTTP/1.1 408 Request Timeout");
    }
    // which of one address's connections were over the cap depends on the order of admission
    Map<String, Integer> answers = new TreeMap<>();
    for (Socket s : oneAddress) {
      String a = readToClose(s);
      answers.merge(a.isEmpty() ? "closed at accept" : a.substring(0, 12), 1, Integer::sum);
    }
    assertThat(answers)
        .containsOnly(entry("HTTP/1.1 408", PER_IP), entry("closed at accept", OVER_CAP));
    assertThat(n1.hits.get())
        .as("ordinary requests only, plus the stalled uploads the node began to read")
        .isEqualTo(3 * ORDINARY_REQUESTS + STALLED_BODIES);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> balancer.statusJson().contains("\"connections\":0,"));
  }

  @Test
  void anIdleKeepAliveConnectionIsClosed_withoutAnAnswer() throws Exception {
    TestBackend n1 = backend("n1");
    Balancer balancer = balancer(config(n1).withKeepAliveTimeout(Duration.ofMillis(500)));
    try (RawClient c = new RawClient(balancer.port())) {
      c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
      String head = c.readHead();
      assertThat(head).startsWith("HTTP/1.1 200");
      c.readBody(RawClient.contentLength(head));
      assertThat(c.readToEnd()).isEmpty(); // closed by the balancer after 500 ms of silence
    }
    assertThat(balancer.statusJson()).contains("\"idleClosed\":1", "\"headerTimeouts\":0");
  }

  @Test
  void aStalledUploadIsAnswered408_andTheNodesConnectionClosed() throws Exception {
    TestBackend n1 = backend("n1");
    Balancer balancer = balancer(config(n1).withBodyTimeout(Duration.ofMillis(500)));
    try (RawClient c = new RawClient(balancer.port())) {
      c.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc");
      assertThat(c.readToEnd()).startsWith("HTTP/1.1 408 Request Timeout").contains("body-timeout");
    }
    assertThat(balancer.statusJson()).contains("\"bodyTimeouts\":1");
  }
}
