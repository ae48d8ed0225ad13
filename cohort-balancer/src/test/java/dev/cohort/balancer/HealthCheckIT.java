package dev.cohort.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The kinds of health check against real backends on 127.0.0.1: an HTTP check on another path or
 * with other expected statuses, a TCP connect check, and none. "Stays up" is asserted once the
 * backend has seen three probes: probes never overlap, so by then two results (the fall count) were
 * recorded.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HealthCheckIT extends ItSupport {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void defaultCheck_marksABackendWithoutCohortHealthDown() throws Exception {
    PathBackend plain = closeLater(new PathBackend("n1", Map.of("/cohort/health", 404)));
    Balancer balancer = balancer(config(List.of(plain.backend())));

    await().atMost(WAIT).until(() -> health(balancer, "n1").equals("down"));
    assertThat(plain.probes).contains("/cohort/health").doesNotContain("/");
    assertThat(new Http(balancer.port()).get("/").statusCode()).isEqualTo(503);
  }

  @Test
  void healthPathSlash_keepsABackendWithoutCohortHealthUp() throws Exception {
    PathBackend plain = closeLater(new PathBackend("n1", Map.of("/cohort/health", 404)));
    Balancer balancer =
        balancer(
            config(List.of(plain.backend())).withHealthCheck(HealthCheck.parse("http", "/", null)));

    await().atMost(WAIT).until(() -> plain.probes.size() >= 3);
    assertThat(plain.probes).containsOnly("/");
    assertThat(health(balancer, "n1")).isEqualTo("up");
    HttpResponse<String> r = new Http(balancer.port()).get("/app");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(Http.route(r)).isEqualTo("n1");
  }

  @Test
  void expectedStatusMismatch_marksDown_whileTheDefaultStatusesKeepItUp() throws Exception {
    // a Tomcat whose root redirects to a login page: 302 passes 200-399, not 200
    PathBackend redirecting = closeLater(new PathBackend("n1", Map.of("/", 302)));
    Balancer strict =
        balancer(
            config(List.of(redirecting.backend()))
                .withHealthCheck(HealthCheck.parse("http", "/", "200")));

    await().atMost(WAIT).until(() -> health(strict, "n1").equals("down"));
    assertThat(new Http(strict.port()).get("/").statusCode()).isEqualTo(503);

    // the same path, told apart by a query the backend ignores
    Balancer lenient =
        balancer(
            config(List.of(redirecting.backend()))
                .withHealthCheck(HealthCheck.parse("http", "/?lenient", null)));
    await()
        .atMost(WAIT)
        .until(() -> redirecting.probes.stream().filter("/?lenient"::equals).count() >= 3);
    assertThat(health(lenient, "n1")).isEqualTo("up");
    assertThat(health(strict, "n1")).isEqualTo("down");
  }

  @Test
  void expectedStatusList_passesOnlyItsCodes() throws Exception {
    PathBackend n1 = closeLater(new PathBackend("n1", Map.of("/ping", 204)));
    PathBackend n2 = closeLater(new PathBackend("n2", Map.of("/ping", 200)));
    Balancer balancer =
        balancer(
            config(List.of(n1.backend(), n2.backend()))
                .withHealthCheck(HealthCheck.parse("http", "/ping", "204,401")));

    await().atMost(WAIT).until(() -> health(balancer, "n2").equals("down"));
    await().atMost(WAIT).until(() -> n1.probes.size() >= 3);
    assertThat(health(balancer, "n1")).isEqualTo("up");
    assertThat(n1.probes).containsOnly("/ping");
  }

  @Test
  void tcpCheck_keepsABackendThatAcceptsButNeverAnswersHttpUp_theHttpCheckDoesNot()
      throws Exception {
    MuteBackend mute = closeLater(new MuteBackend("n1"));
    Balancer tcp = balancer(config(List.of(mute.backend())).withHealthCheck(HealthCheck.tcp()));

    await().atMost(WAIT).until(() -> mute.accepted.get() >= 3);
    assertThat(health(tcp, "n1")).isEqualTo("up");
    assertThat(mute.bytesReceived.get()).as("a tcp check sends nothing").isZero();

    Balancer http = balancer(config(List.of(mute.backend())));
    await().atMost(WAIT).until(() -> health(http, "n1").equals("down"));
    assertThat(health(tcp, "n1")).isEqualTo("up");
  }

  @Test
  void tcpCheck_marksABackendThatRefusesConnectionsDown() throws Exception {
    Backend closed = new Backend("n1", URI.create("http://127.0.0.1:" + closedPort()), 1);
    Balancer tcp = balancer(config(List.of(closed)).withHealthCheck(HealthCheck.tcp()));

    await().atMost(WAIT).until(() -> health(tcp, "n1").equals("down"));
    assertThat(status(tcp)).contains("\"healthCheck\":\"tcp\"");
  }

  @Test
  void none_neverProbes_soEvenARefusingBackendStaysUpUntilARequestMeetsIt() throws Exception {
    MuteBackend mute = closeLater(new MuteBackend("n1"));
    Backend closed = new Backend("n2", URI.create("http://127.0.0.1:" + closedPort()), 1);
    Balancer none =
        balancer(
            config(List.of(mute.backend(), closed))
                .withHealthInterval(Duration.ofMillis(100))
                .withHealthCheck(HealthCheck.none()));

    // ten intervals: any kind of probe would have connected to n1 and found n2 refusing
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(
            () ->
                mute.accepted.get() == 0
                    && health(none, "n1").equals("up")
                    && health(none, "n2").equals("up"));
    assertThat(status(none)).contains("\"healthCheck\":\"none\"").contains("\"checksFailed\":0");
  }

  @Test
  void none_aFailedConnectTakesTheBackendOut_forTheInterval() throws Exception {
    PathBackend n1 = closeLater(new PathBackend("n1", Map.of()));
    Backend n2 = new Backend("n2", URI.create("http://127.0.0.1:" + closedPort()), 1);
    Balancer none = balancer(noneEvery(Duration.ofSeconds(60), n1.backend(), n2));
    Http http = new Http(none.port());

    HttpResponse<String> first = http.get("/", "Cookie", N2_USER);
    assertThat(Http.route(first)).as("refused by n2, served by n1").isEqualTo("n1");
    assertThat(health(none, "n2")).isEqualTo("down");
    assertThat(failures(none, "n2")).isEqualTo(1);

    HttpResponse<String> whileDown = http.get("/", "Cookie", N2_USER);
    assertThat(Http.route(whileDown)).isEqualTo("n1");
    assertThat(failures(none, "n2")).as("not tried while down").isEqualTo(1);
    assertThat(n1.probes).isEmpty();
  }

  @Test
  void none_aBackendTakenOutIsTriedAgain_afterTheInterval() throws Exception {
    PathBackend n1 = closeLater(new PathBackend("n1", Map.of()));
    Backend n2 = new Backend("n2", URI.create("http://127.0.0.1:" + closedPort()), 1);
    Balancer none = balancer(noneEvery(Duration.ofMillis(300), n1.backend(), n2));
    Http http = new Http(none.port());

    assertThat(Http.route(http.get("/", "Cookie", N2_USER))).isEqualTo("n1");
    assertThat(failures(none, "n2")).as("the connect failed: n2 went down").isEqualTo(1);
    await().atMost(WAIT).until(() -> health(none, "n2").equals("up"));

    assertThat(Http.route(http.get("/", "Cookie", N2_USER))).isEqualTo("n1");
    assertThat(failures(none, "n2")).as("tried again once reinstated").isEqualTo(2);
    assertThat(n1.probes).isEmpty();
  }

  private static final String N2_USER = "JSESSIONID=0DEAD0BEEF.n2";

  private static BalancerConfig noneEvery(Duration interval, Backend... backends) {
    return config(List.of(backends))
        .withHealthInterval(interval)
        .withHealthCheck(HealthCheck.none());
  }

  // ---------------------------------------------------------------------------------------------

  private static final Pattern BACKEND = Pattern.compile("\\{\"route\":\"([^\"]+)\"[^}]*}");

  private static String status(Balancer b) throws Exception {
    HttpResponse<String> r = new Http(b.adminPort()).get("/balancer/status?format=json");
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  private static String field(Balancer b, String route, String name) throws Exception {
    Matcher m = BACKEND.matcher(status(b));
    while (m.find()) {
      if (m.group(1).equals(route)) {
        Matcher f = Pattern.compile("\"" + name + "\":\"?([^\",}]*)\"?").matcher(m.group());
        assertThat(f.find()).as(name).isTrue();
        return f.group(1);
      }
    }
    throw new AssertionError("no backend " + route + " in the status page");
  }

  private static String health(Balancer b, String route) throws Exception {
    return field(b, route, "health");
  }

  private static long failures(Balancer b, String route) throws Exception {
    return Long.parseLong(field(b, route, "failures"));
  }

  /** A port on 127.0.0.1 that was free a moment ago and has no listener now. */
  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  /**
   * An HTTP backend (JDK server) whose paths answer 200 unless {@code statusByPath} says otherwise
   * (a 3xx with a {@code Location}); records the target (path and query) of every request from the
   * balancer's health checker.
   */
  static final class PathBackend implements AutoCloseable {
    final List<String> probes = new CopyOnWriteArrayList<>();
    private final String route;
    private final Map<String, Integer> statusByPath;
    private final HttpServer server;

    PathBackend(String route, Map<String, Integer> statusByPath) throws IOException {
      this.route = route;
      this.statusByPath = statusByPath;
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
      server.createContext("/", this::handle);
      server.start();
    }

    Backend backend() {
      return new Backend(route, URI.create("http://127.0.0.1:" + server.getAddress().getPort()), 1);
    }

    private void handle(HttpExchange ex) throws IOException {
      try (InputStream in = ex.getRequestBody()) {
        in.readAllBytes();
      }
      String path = ex.getRequestURI().getPath();
      if ("cohort-balancer-health".equals(ex.getRequestHeaders().getFirst("User-Agent"))) {
        probes.add(ex.getRequestURI().toString());
      }
      int status = statusByPath.getOrDefault(path, 200);
      if (status >= 300 && status < 400) {
        ex.getResponseHeaders().add("Location", "/login");
      }
      ex.getResponseHeaders().add("X-Route", route);
      byte[] body = (route + " " + status + "\n").getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(status, status == 204 ? -1 : body.length);
      try (OutputStream out = ex.getResponseBody()) {
        if (status != 204) {
          out.write(body);
        }
      }
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  /** Accepts connections and reads from them, but never writes a byte. */
  static final class MuteBackend extends SocketBackend {
    final AtomicInteger accepted = new AtomicInteger();
    final AtomicInteger bytesReceived = new AtomicInteger();

    MuteBackend(String route) throws IOException {
      super(route, "mute-backend");
    }

    @Override
    void serve(Socket s) {
      accepted.incrementAndGet();
      try (s) {
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        for (int n; (n = in.read(buf)) > 0; ) {
          bytesReceived.addAndGet(n);
        }
      } catch (IOException e) {
        // closed by the test or the balancer
      }
    }
  }
}
