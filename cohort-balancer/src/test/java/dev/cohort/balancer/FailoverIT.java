package dev.cohort.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Health, fail-over and the retry rules, against backends that stop or misbehave. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FailoverIT extends ItSupport {

  /** Health checks out of the way (30 s): only what a request meets takes a backend down. */
  private static BalancerConfig passive(List<Backend> backends) {
    return config(backends).withHealthInterval(Duration.ofSeconds(30));
  }

  private static BalancerConfig passive(TestBackend... backends) {
    return config(backends).withHealthInterval(Duration.ofSeconds(30));
  }

  @Test
  void requestsKeepSucceeding_whenAUsersBackendStops() throws Exception {
    TestBackend n1 = backend("n1");
    TestBackend n2 = backend("n2");
    Http http = new Http(balancer(config(n1, n2)).port());
    String cookie = "JSESSIONID=77AA88BB.n1";

    int failed = 0;
    for (int i = 0; i < 200; i++) {
      if (i == 50) {
        n1.close(); // connections to n1 are refused from now on
      }
      HttpResponse<String> r = http.get("/", "Cookie", cookie);
      if (r.statusCode() != 200) {
        failed++;
      }
      assertThat(Http.route(r)).isEqualTo(i < 50 ? "n1" : "n2");
    }
    assertThat(failed).isZero();
  }

  @Test
  void postToARefusingBackend_goesElsewhere_becauseNothingWasSent() throws Exception {
    TestBackend n1 = backend("n1");
    TestBackend n2 = backend("n2");
    Http http = new Http(balancer(passive(n1, n2)).port());
    n1.close();

    HttpResponse<String> r = http.post("/order", "item=1", "Cookie", "JSESSIONID=C0FFEE.n1");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("n2 6\n");
  }

  @Test
  void getIsRetriedOnce_whenTheBackendResetsBeforeAnyByte() throws Exception {
    BrokenBackend r1 = closeLater(new BrokenBackend("r1", BrokenBackend.Mode.RESET));
    TestBackend n2 = backend("n2");
    Http http = new Http(balancer(passive(List.of(r1.backend(), n2.backend()))).port());

    HttpResponse<String> r = http.get("/", "Cookie", "JSESSIONID=1234.r1");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(Http.route(r)).isEqualTo("n2");
    assertThat(r1.requests.get()).isEqualTo(1);
  }

  // a node that is stopping answers 503 for a moment; the balancer passed it on to the user
  // (seen in rolling restarts under load)
  @Test
  void getAnswered503_isRetriedOnceOnAnotherBackend() throws Exception {
    BrokenBackend u1 = closeLater(new BrokenBackend("u1", BrokenBackend.Mode.UNAVAILABLE));
    TestBackend n2 = backend("n2");
    Balancer balancer = balancer(passive(List.of(u1.backend(), n2.backend())));
    Http http = new Http(balancer.port());

    HttpResponse<String> r = http.get("/", "Cookie", "JSESSIONID=1234.u1");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(Http.route(r)).isEqualTo("n2");
    assertThat(u1.requests.get()).isEqualTo(1);
    assertThat(balancer.statusJson()).contains("\"retries\":1");
  }

  // DemoIT's chaos: a GET answered 503 by a draining node was retried on a node whose take-over
  // of the session lost to the drain's hand-over, which answered 503 too — the user got it
  @Test
  void getAnswered503_byTwoBackends_isRetriedOnTheThird() throws Exception {
    BrokenBackend u1 = closeLater(new BrokenBackend("u1", BrokenBackend.Mode.UNAVAILABLE));
    BrokenBackend u2 = closeLater(new BrokenBackend("u2", BrokenBackend.Mode.UNAVAILABLE));
    TestBackend n3 = backend("n3");
    Balancer balancer = balancer(passive(List.of(u1.backend(), u2.backend(), n3.backend())));
    Http http = new Http(balancer.port());

    // a retry goes where the session id's rendezvous score says: some ids meet u2's 503 first
    for (int i = 0; i < 8; i++) {
      HttpResponse<String> r = http.get("/", "Cookie", "JSESSIONID=" + i + "000.u1");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(Http.route(r)).isEqualTo("n3");
    }
    assertThat(u1.requests.get()).isEqualTo(8);
    assertThat(u2.requests.get()).isPositive();
    assertThat(balancer.statusJson()).contains("\"retries\":" + (8 + u2.requests.get()));
  }

  @Test
  void getAnswered503_byEveryBackend_triesEachOnce_thenPassesItOn() throws Exception {
    BrokenBackend u1 = closeLater(new BrokenBackend("u1", BrokenBackend.Mode.UNAVAILABLE));
    BrokenBackend u2 = closeLater(new BrokenBackend("u2", BrokenBackend.Mode.UNAVAILABLE));
    Http http = new Http(balancer(passive(List.of(u1.backend(), u2.backend()))).port());

    HttpResponse<String> r = http.get("/", "Cookie", "JSESSIONID=1234.u1");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).isEqualTo("stopping\n");
    assertThat(u1.requests.get()).isEqualTo(1);
    assertThat(u2.requests.get()).isEqualTo(1);
  }

  @Test
  void postAnswered503_isPassedOn_notRetried() throws Exception {
    BrokenBackend u1 = closeLater(new BrokenBackend("u1", BrokenBackend.Mode.UNAVAILABLE));
    TestBackend n2 = backend("n2");
    Http http = new Http(balancer(passive(List.of(u1.backend(), n2.backend()))).port());

    HttpResponse<String> r = http.post("/order", "item=1", "Cookie", "JSESSIONID=1234.u1");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).isEqualTo("stopping\n");
    assertThat(n2.hits.get()).isZero();
  }

  @Test
  void getAnswered503_byTheOnlyBackend_isPassedOn() throws Exception {
    BrokenBackend u1 = closeLater(new BrokenBackend("u1", BrokenBackend.Mode.UNAVAILABLE));
    Http http = new Http(balancer(passive(List.of(u1.backend()))).port());

    HttpResponse<String> r = http.get("/", "Cookie", "JSESSIONID=1234.u1");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).isEqualTo("stopping\n");
  }

  @Test
  void getIsNotRetriedTwice_whenEveryBackendResets() throws Exception {
    BrokenBackend r1 = closeLater(new BrokenBackend("r1", BrokenBackend.Mode.RESET));
    BrokenBackend r2 = closeLater(new BrokenBackend("r2", BrokenBackend.Mode.RESET));
    BrokenBackend r3 = closeLater(new BrokenBackend("r3", BrokenBackend.Mode.RESET));
    Http http =
        new Http(balancer(passive(List.of(r1.backend(), r2.backend(), r3.backend()))).port());

    HttpResponse<String> r = http.get("/", "Cookie", "JSESSIONID=1234.r1");
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r1.requests.get() + r2.requests.get() + r3.requests.get()).isEqualTo(2);
  }

  // two of four nodes killed at once while the balancer held idle connections to both: a GET sent
  // on the first dead connection was retried on the second, whose reset ended it with a 502
  @Test
  void getIsRetriedPastEveryKeptAliveConnectionThatDied() throws Exception {
    BrokenBackend b1 = closeLater(new BrokenBackend("b1", BrokenBackend.Mode.HEALTHY_UNTIL_BROKEN));
    BrokenBackend b2 = closeLater(new BrokenBackend("b2", BrokenBackend.Mode.HEALTHY_UNTIL_BROKEN));
    TestBackend n3 = backend("n3");
    Http http =
        new Http(balancer(passive(List.of(b1.backend(), b2.backend(), n3.backend()))).port());
    assertThat(Http.route(http.get("/", "Cookie", "JSESSIONID=AA.b1"))).isEqualTo("b1");
    assertThat(Http.route(http.get("/", "Cookie", "JSESSIONID=AA.b2"))).isEqualTo("b2");
    int b2Before = b2.requests.get();
    b1.breakNow();
    b2.breakNow();

    // the id's rendezvous order after b1 decides whether its retry meets b2's dead kept-alive
    // connection or n3: try ids until one met b2
    for (int i = 0; i < 64 && b2.requests.get() == b2Before; i++) {
      HttpResponse<String> r = http.get("/", "Cookie", "JSESSIONID=" + i + "0BB.b1");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(Http.route(r)).isEqualTo("n3");
    }
    assertThat(b2.requests.get()).as("a retry met b2's dead connection").isEqualTo(b2Before + 1);
  }

  @Test
  void postGets502_whenTheBackendResetsBeforeAnyByte() throws Exception {
    BrokenBackend r1 = closeLater(new BrokenBackend("r1", BrokenBackend.Mode.RESET));
    TestBackend n2 = backend("n2");
    Balancer balancer = balancer(passive(List.of(r1.backend(), n2.backend())));
    Http http = new Http(balancer.port());

    HttpResponse<String> r = http.post("/order", "item=1", "Cookie", "JSESSIONID=1234.r1");
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).contains("not retried", "POST");
    assertThat(n2.hits.get()).isZero();
    assertThat(balancer.statusJson()).contains("\"badGateway\":1");
  }

  @Test
  void silentBackendGets504_afterTheResponseTimeout() throws Exception {
    BrokenBackend s1 = closeLater(new BrokenBackend("s1", BrokenBackend.Mode.SILENT));
    Http http =
        new Http(
            balancer(passive(List.of(s1.backend())).withResponseTimeout(Duration.ofMillis(300)))
                .port());

    HttpResponse<String> r = http.get("/slow");
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(r.body()).contains("response-timeout");
  }

  @Test
  void notReadyBackendIsTakenOutByHealthChecks_andComesBack() throws Exception {
    TestBackend n1 = backend("n1");
    TestBackend n2 = backend("n2");
    Balancer balancer = balancer(config(n1, n2).withHealthInterval(Duration.ofMillis(100)));
    Http http = new Http(balancer.port());

    n1.healthy = false; // /cohort/health answers 503
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                balancer
                    .statusJson()
                    .contains(
                        "\"route\":\"n1\",\"uri\":\""
                            + n1.uri()
                            + "\",\"weight\":1,\"health\":\"down\""));
    for (int i = 0; i < 10; i++) {
      assertThat(Http.route(http.get("/"))).isEqualTo("n2");
    }
    // a sticky user of the down node is served elsewhere
    assertThat(Http.route(http.get("/", "Cookie", "JSESSIONID=AB.n1"))).isEqualTo("n2");

    n1.healthy = true;
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !balancer.statusJson().contains("\"health\":\"down\""));
    assertThat(Http.route(http.get("/", "Cookie", "JSESSIONID=AB.n1"))).isEqualTo("n1");
  }

  @Test
  void answers503_whenNoBackendIsUp() throws Exception {
    TestBackend n1 = backend("n1");
    Balancer balancer = balancer(config(n1).withHealthInterval(Duration.ofMillis(100)));
    Http http = new Http(balancer.port());
    n1.healthy = false;
    await().atMost(Duration.ofSeconds(10)).until(() -> balancer.statusJson().contains("\"down\""));

    HttpResponse<String> r = http.get("/");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).contains("no backend is up");
  }
}
