package dev.cohort.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two Spring Boot applications with the starter in one JVM, each with its own embedded Tomcat on
 * 127.0.0.1, clustered over JGroups (static discovery, free ports, a unique cluster name): sessions
 * replicate, a request on the other node takes the session over, a graceful close of the owner
 * loses nothing, and the node's figures reach Actuator's health and Micrometer's Prometheus
 * registry.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StarterClusterIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<ConfigurableApplicationContext> apps = new ArrayList<>();

  @AfterEach
  void close() {
    apps.forEach(ConfigurableApplicationContext::close);
  }

  @Test
  void twoApplications_shareSessions_andReportThroughActuator() throws Exception {
    String cluster = "it-starter-" + UUID.randomUUID().toString().substring(0, 8);
    List<Integer> ports = freePorts(3);
    String discovery = "static:127.0.0.1:" + ports.get(0) + ",127.0.0.1:" + ports.get(1);
    int adminA = ports.get(2);
    int a = start("a", cluster, ports.get(0), discovery, "cohort.admin-port=" + adminA);
    int b = start("b", cluster, ports.get(1), discovery);
    awaitMembers(a, 2);
    awaitMembers(b, 2);

    Reply first = get(a, "/counter", null);
    String id = first.cookie();
    assertThat(id).as("session id route").endsWith(".a");
    assertThat(first.json().get("count").asInt()).isEqualTo(1);
    assertThat(get(a, "/counter", id).json().get("count").asInt()).isEqualTo(2);

    Reply moved = get(b, "/counter", id);
    assertThat(moved.json().get("count").asInt()).as("count on b").isEqualTo(3);
    assertThat(moved.json().get("node").asText()).isEqualTo("b");
    assertThat(moved.cookie()).isEqualTo(id.replace(".a", ".b"));
    String idOnB = moved.cookie();

    assertThat(get(a, "/cohort/health", null).status()).isEqualTo(200);
    // the status page answers on the admin connector, and only to signed requests elsewhere
    assertThat(get(a, "/cohort/status", null).status()).isEqualTo(401);
    Reply status = get(adminA, "/cohort/status", null);
    assertThat(status.status()).isEqualTo(200);
    assertThat(status.body()).contains("\"node\":\"a\"");
    String prometheus = get(b, "/actuator/prometheus", null).body();
    assertThat(prometheus).contains("cohort_sessions_owned{node=\"b\"} 1.0");
    assertThat(prometheus).contains("cohort_members{node=\"b\"} 2.0");
    JsonNode health = get(b, "/actuator/health", null).json();
    assertThat(health.at("/components/cohort/status").asText()).isEqualTo("UP");
    // Kubernetes' readiness probe counts Cohort in
    JsonNode readiness = get(b, "/actuator/health/readiness", null).json();
    assertThat(readiness.at("/components/cohort/status").asText())
        .as(readiness.toString())
        .isEqualTo("UP");
    JsonNode endpoint = get(b, "/actuator/cohort", null).json();
    assertThat(endpoint.at("/node").asText()).isEqualTo("b");
    assertThat(endpoint.at("/members").toString()).isEqualTo("[\"a\",\"b\"]");
    assertThat(endpoint.at("/engines/0/ownedSessions").asInt()).isEqualTo(1);
    assertThat(health.at("/components/cohort/details/members").toString())
        .isEqualTo("[\"a\",\"b\"]");

    // b stops gracefully (Spring closes the context, Tomcat stops the manager): a serves on
    apps.remove(1).close();
    Reply back = get(a, "/counter", idOnB);
    assertThat(back.json().get("count").asInt()).as("count on a after b stopped").isEqualTo(4);
    assertThat(back.json().get("node").asText()).isEqualTo("a");
  }

  @Test
  void threeApplications_findEachOther_throughDnsOnly() throws Exception {
    String name = "shop-" + UUID.randomUUID().toString().substring(0, 8) + ".test";
    try (Dnsmasq dns = Dnsmasq.serving(name)) {
      String cluster = "it-starter-dns-" + UUID.randomUUID().toString().substring(0, 8);
      // one host: the members share the A record and differ by port within port..port+2
      int base = freeBlockWithFdSockPorts(3);
      String discovery = "dns:" + name + "@127.0.0.1:" + dns.port;
      int a = start("a", cluster, base, discovery, "cohort.port-range=2");
      int b = start("b", cluster, base, discovery, "cohort.port-range=2");
      int c = start("c", cluster, base, discovery, "cohort.port-range=2");
      for (int port : List.of(a, b, c)) {
        awaitMembers(port, 3);
      }
      assertThat(dns.queries()).contains("query[A] " + name + " from 127.0.0.1");

      String id = get(a, "/counter", null).cookie();
      get(a, "/counter", id);
      Reply onC = get(c, "/counter", id);
      assertThat(onC.json().get("count").asInt()).isEqualTo(3);
      assertThat(onC.cookie()).endsWith(".c");
    }
  }

  private int start(
      String node, String cluster, int clusterPort, String discovery, String... more) {
    List<String> props = new ArrayList<>(List.of("cohort.port-range=0"));
    props.addAll(List.of(more));
    ConfigurableApplicationContext ctx =
        new SpringApplicationBuilder(CounterApp.class)
            .properties(
                "server.port=0",
                "server.address=127.0.0.1",
                "spring.main.banner-mode=off",
                "management.endpoints.web.exposure.include=health,prometheus,cohort",
                "management.endpoint.health.probes.enabled=true",
                "management.endpoint.health.group.readiness.show-components=always",
                "management.endpoint.health.show-details=always",
                "cohort.node-name=" + node,
                "cohort.cluster-name=" + cluster,
                "cohort.port=" + clusterPort,
                "cohort.discovery=" + discovery,
                "cohort.heartbeat=300ms")
            .properties(props.toArray(String[]::new))
            .run();
    apps.add(ctx);
    return ((ServletWebServerApplicationContext) ctx).getWebServer().getPort();
  }

  private static void awaitMembers(int port, int n) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(300))
        .ignoreExceptions()
        .until(
            () ->
                get(port, "/actuator/health", null)
                        .json()
                        .at("/components/cohort/details/members")
                        .size()
                    == n);
  }

  record Reply(int status, String body, String cookie) {
    JsonNode json() throws IOException {
      return JSON.readTree(body);
    }
  }

  private static Reply get(int port, String path, String sessionId) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(20));
    if (sessionId != null) {
      b.header("Cookie", "JSESSIONID=" + sessionId);
    }
    try {
      HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      String cookie =
          r.headers().allValues("Set-Cookie").stream()
              .filter(c -> c.startsWith("JSESSIONID="))
              .map(c -> c.substring("JSESSIONID=".length(), c.indexOf(';')))
              .reduce((x, y) -> y)
              .orElse(null);
      return new Reply(r.statusCode(), r.body(), cookie);
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + path + " on port " + port + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** {@code n} distinct free ports on 127.0.0.1, each with port + 100 (FD_SOCK2) free too. */
  private static List<Integer> freePorts(int n) throws IOException {
    Set<Integer> taken = new HashSet<>();
    List<Integer> out = new ArrayList<>();
    while (out.size() < n) {
      int p;
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        p = s.getLocalPort();
      }
      if (p + 100 <= 65535 && !taken.contains(p) && !taken.contains(p + 100) && isFree(p + 100)) {
        taken.add(p);
        taken.add(p + 100);
        out.add(p);
      }
    }
    return out;
  }

  /** The first of {@code size} consecutive free ports, with FD_SOCK2's ports (100 up) free. */
  private static int freeBlockWithFdSockPorts(int size) {
    for (int attempt = 0; attempt < 500; attempt++) {
      int start = 20_000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(30_000);
      boolean free = true;
      for (int p = start; free && p < start + size; p++) {
        free = isFree(p) && isFree(p + 100) && isFree(p + 100 + size);
      }
      if (free) {
        return start;
      }
    }
    throw new IllegalStateException("no block of " + size + " free ports on 127.0.0.1");
  }

  private static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
