package dev.cohort.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Routing end to end on 127.0.0.1 against in-process JDK backends. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BalancerIT extends ItSupport {

  @Test
  void keepsAUserOnItsNode_byCookie() throws Exception {
    TestBackend n1 = backend("n1");
    TestBackend n2 = backend("n2");
    Http http = new Http(balancer(config(n1, n2)).port());

    HttpResponse<String> first = http.get("/counter");
    String cookie = Http.sessionCookie(first);
    String home = Http.route(first);
    assertThat(cookie).endsWith("." + home);
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = http.get("/counter", "Cookie", "theme=dark; " + cookie);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(Http.route(r)).isEqualTo(home);
    }
  }

  @Test
  void keepsAUserOnItsNode_byPathParameter() throws Exception {
    TestBackend n1 = backend("n1");
    TestBackend n2 = backend("n2");
    Http http = new Http(balancer(config(n1, n2)).port());

    for (String route : List.of("n1", "n2")) {
      for (int i = 0; i < 10; i++) {
        HttpResponse<String> r = http.get("/page;jsessionid=ABCDEF0123." + route + "?x=1");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Http.route(r)).isEqualTo(route);
      }
    }
  }

  @Test
  void spreadsNewClientsRoundRobin_andAddsForwardedHeaders() throws Exception {
    TestBackend n1 = backend("n1");
    TestBackend n2 = backend("n2");
    TestBackend n3 = backend("n3");
    Http http = new Http(balancer(config(n1, n2, n3)).port());

    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 30; i++) {
      HttpResponse<String> r = http.get("/");
      counts.merge(Http.route(r), 1, Integer::sum);
      assertThat(r.headers().firstValue("x-seen-forwarded-for")).hasValue("127.0.0.1");
    }
    assertThat(counts).containsOnly(Map.entry("n1", 10), Map.entry("n2", 10), Map.entry("n3", 10));
  }

  @Test
  void drainingBackendGetsNoNewSessions_butKeepsItsOwn() throws Exception {
    TestBackend n1 = backend("n1");
    TestBackend n2 = backend("n2");
    Balancer balancer = balancer(config(n1, n2));
    Http http = new Http(balancer.port());

    balancer.drain("n1", true);
    for (int i = 0; i < 10; i++) {
      assertThat(Http.route(http.get("/"))).isEqualTo("n2");
    }
    HttpResponse<String> sticky = http.get("/", "Cookie", "JSESSIONID=0A0B0C.n1");
    assertThat(Http.route(sticky)).isEqualTo("n1");

    balancer.drain("n1", false);
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 10; i++) {
      counts.merge(Http.route(http.get("/")), 1, Integer::sum);
    }
    assertThat(counts).containsKeys("n1", "n2");
  }

  @Test
  void twoBalancersRouteIdentically_whenAUsersNodeIsDown() throws Exception {
    TestBackend n1 = backend("n1");
    TestBackend n2 = backend("n2");
    TestBackend n3 = backend("n3");
    TestBackend n4 = backend("n4");
    Http a = new Http(balancer(config(n1, n2, n3, n4)).port());
    Http b = new Http(balancer(config(n1, n2, n3, n4)).port());
    n1.close(); // its users must be spread over n2..n4, the same way by both balancers

    Map<String, Integer> spread = new HashMap<>();
    for (int i = 0; i < 60; i++) {
      String cookie = "JSESSIONID=" + Long.toHexString(0x5EED0000L + i * 7919L) + ".n1";
      String viaA = Http.route(a.get("/", "Cookie", cookie));
      String viaB = Http.route(b.get("/", "Cookie", cookie));
      assertThat(viaA).as("session %d", i).isEqualTo(viaB).isNotEqualTo("n1");
      spread.merge(viaA, 1, Integer::sum);
    }
    assertThat(spread).containsOnlyKeys("n2", "n3", "n4");
  }

  @Test
  void statusPagesShowEveryBackend_asJsonHtmlAndMetrics_onTheAdminPortOnly() throws Exception {
    TestBackend n1 = backend("n1");
    TestBackend n2 = backend("n2");
    Balancer balancer = balancer(config(n1, n2));
    Http proxied = new Http(balancer.port());
    proxied.get("/", "Cookie", "JSESSIONID=SECRET1234.n1");
    balancer.drain("n2", true);
    for (String page :
        List.of(
            "/balancer/status", "/balancer/status?format=json", "/balancer/metrics", "/balancer")) {
      HttpResponse<String> r = proxied.get(page);
      assertThat(r.statusCode()).as(page).isEqualTo(404);
      assertThat(r.body()).as(page).doesNotContain("127.0.0.1", "n1", "n2");
    }
    int hits = n1.hits.get() + n2.hits.get();

    Http http = new Http(balancer.adminPort());

    HttpResponse<String> json = http.get("/balancer/status", "Accept", "application/json");
    assertThat(json.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(json.body())
        .contains("\"route\":\"n1\"", "\"health\":\"up\"", "\"draining\":true", "\"requests\":")
        .doesNotContain("SECRET1234");
    assertThat(http.get("/balancer/status?format=json").body()).startsWith("{\"policy\"");

    HttpResponse<String> html = http.get("/balancer/status");
    assertThat(html.headers().firstValue("content-type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
    assertThat(html.body()).contains("<table>", "n1", "n2", "draining");

    HttpResponse<String> metrics = http.get("/balancer/metrics");
    assertThat(metrics.body())
        .contains("# TYPE cohort_balancer_requests_total counter")
        .contains("cohort_balancer_backend_up{route=\"n1\"} 1")
        .contains("cohort_balancer_backend_draining{route=\"n2\"} 1")
        .containsPattern("cohort_balancer_backend_requests_total\\{route=\"n1\"\\} [1-9]");
    assertThat(http.get("/balancer/nope").statusCode()).isEqualTo(404);
    assertThat(http.get("/").statusCode()).as("the admin port forwards nothing").isEqualTo(404);
    assertThat(n1.hits.get() + n2.hits.get()).isEqualTo(hits);
  }

  @Test
  void nodeAdminPathsAreNotForwarded_healthAndAppPathsAre() throws Exception {
    TestBackend n1 = backend("n1");
    Balancer balancer = balancer(config(n1));
    try (RawClient c = new RawClient(balancer.port())) {
      for (String target :
          List.of(
              "/cohort/status",
              "/cohort;x/status",
              "/%63ohort/status",
              "//cohort/status",
              "/app/../cohort/farm",
              "/COHORT/status")) {
        c.send("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
        String head = c.readHead();
        assertThat(head).as(target).startsWith("HTTP/1.1 404");
        c.readBody(RawClient.contentLength(head));
      }
      assertThat(n1.hits.get()).isZero();
      c.send("GET /cohort/health HTTP/1.1\r\nHost: x\r\n\r\n");
      String head = c.readHead();
      assertThat(head).startsWith("HTTP/1.1 200");
      assertThat(c.readBody(RawClient.contentLength(head))).isEqualTo("ready\n");
      c.send("GET /app HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(c.readHead()).startsWith("HTTP/1.1 200");
    }
    assertThat(n1.hits.get()).isEqualTo(1);
    assertThat(balancer.statusJson()).contains("\"adminPathsRefused\":6");
  }

  @Test
  void statusPagesOnThePublicPort_onlyWhenAskedFor() throws Exception {
    TestBackend n1 = backend("n1");
    Balancer balancer = balancer(config(n1).withStatusOnPublicPort(true).withAdminPort(-1));
    Http http = new Http(balancer.port());
    assertThat(http.get("/balancer/status?format=json").body()).startsWith("{\"policy\"");
    assertThatThrownBy(balancer::adminPort).hasMessageContaining("admin-port is -1");
  }

  @Test
  void reusesBackendConnections_acrossRequests() throws Exception {
    TestBackend n1 = backend("n1");
    Balancer balancer = balancer(config(n1));
    Http http = new Http(balancer.port());
    for (int i = 0; i < 20; i++) {
      assertThat(http.get("/").statusCode()).isEqualTo(200);
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(balancer.statusJson()).contains("\"idleConnections\":1"));
  }
}
