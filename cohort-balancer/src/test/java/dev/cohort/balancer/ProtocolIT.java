package dev.cohort.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** HTTP/1.1 details over raw sockets: malformed input, limits, Expect, chunked bodies. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProtocolIT extends ItSupport {

  @Test
  void malformedRequestIsAnswered400_andTheBalancerKeepsServing() throws Exception {
    TestBackend n1 = backend("n1");
    Balancer balancer = balancer(config(n1));
    for (String garbage :
        new String[] {
          "GARBAGE\r\n\r\n",
          "GET / HTTP/1.1\r\nHost: x\r\nBad Header Without Colon\r\n\r\n",
          "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n",
          "\u0001\u0002\u0003 / HTTP/9.9\r\n\r\n"
        }) {
      try (RawClient c = new RawClient(balancer.port())) {
        c.send(garbage);
        String head = c.readHead();
        assertThat(head).as("answer to %s", garbage.trim()).startsWith("HTTP/1.1 400");
        assertThat(head.toLowerCase()).contains("connection: close");
      }
    }
    assertThat(n1.hits.get()).isZero();
    Http http = new Http(balancer.port());
    assertThat(http.get("/").statusCode()).isEqualTo(200);
    assertThat(balancer.statusJson()).contains("\"badRequests\":4");
  }

  @Test
  void oversizedHeadersAreAnswered431() throws Exception {
    TestBackend n1 = backend("n1");
    Balancer balancer = balancer(config(n1).withMaxHeaderBytes(2048));
    try (RawClient c = new RawClient(balancer.port())) {
      c.send("GET / HTTP/1.1\r\nHost: x\r\nCookie: a=" + "x".repeat(4000) + "\r\n\r\n");
      assertThat(c.readHead()).startsWith("HTTP/1.1 431");
    }
    assertThat(new Http(balancer.port()).get("/").statusCode()).isEqualTo(200);
  }

  @Test
  void expectContinueIsAnswered_thenTheBodyIsForwarded() throws Exception {
    TestBackend n1 = backend("n1");
    Balancer balancer = balancer(config(n1));
    try (RawClient c = new RawClient(balancer.port())) {
      c.send(
          "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
      assertThat(c.readHead()).startsWith("HTTP/1.1 100");
      c.send("hello");
      String head = c.readHead();
      assertThat(head).startsWith("HTTP/1.1 200");
      assertThat(c.readBody(RawClient.contentLength(head))).isEqualTo("n1 5\n");
    }
  }

  @Test
  void chunkedRequestBodyIsStreamedToTheBackend_andKeepAliveHolds() throws Exception {
    TestBackend n1 = backend("n1");
    Balancer balancer = balancer(config(n1));
    try (RawClient c = new RawClient(balancer.port())) {
      for (int i = 0; i < 3; i++) {
        c.send(
            "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "4\r\nabcd\r\n3\r\nefg\r\n0\r\n\r\n");
        String head = c.readHead();
        assertThat(head).startsWith("HTTP/1.1 200");
        assertThat(c.readBody(RawClient.contentLength(head))).isEqualTo("n1 7\n");
      }
    }
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    TestBackend n1 = backend("n1");
    TestBackend n2 = backend("n2");
    Balancer balancer = balancer(config(n1, n2));
    try (RawClient c = new RawClient(balancer.port())) {
      c.send(
          "GET /a HTTP/1.1\r\nHost: x\r\nCookie: JSESSIONID=A.n2\r\n\r\n"
              + "GET /b HTTP/1.1\r\nHost: x\r\nCookie: JSESSIONID=B.n1\r\n\r\n"
              + "HEAD /c HTTP/1.1\r\nHost: x\r\nCookie: JSESSIONID=C.n2\r\n\r\n"
              + "GET /d HTTP/1.1\r\nHost: x\r\nCookie: JSESSIONID=D.n1\r\nConnection: close\r\n\r\n");
      String first = c.readHead();
      assertThat(c.readBody(RawClient.contentLength(first))).isEqualTo("n2 0\n");
      String second = c.readHead();
      assertThat(c.readBody(RawClient.contentLength(second))).isEqualTo("n1 0\n");
      String third = c.readHead();
      assertThat(third).startsWith("HTTP/1.1 200");
      assertThat(third.toLowerCase()).contains("x-route: n2");
      String fourth = c.readHead();
      assertThat(fourth.toLowerCase()).contains("connection: close");
      assertThat(c.readToEnd()).isEqualTo("n1 0\n");
    }
  }

  @Test
  void http10ClientGetsAnHttp10Answer() throws Exception {
    TestBackend n1 = backend("n1");
    Balancer balancer = balancer(config(n1));
    try (RawClient c = new RawClient(balancer.port())) {
      c.send("GET /download?bytes=1000 HTTP/1.0\r\n\r\n");
      String head = c.readHead();
      assertThat(head).startsWith("HTTP/1.0 200").doesNotContainIgnoringCase("chunked");
      assertThat(c.readToEnd()).hasSize(1000);
    }
  }

  @Test
  void hopByHopHeadersAreNotForwarded() throws Exception {
    TestBackend n1 = backend("n1");
    Http http = new Http(balancer(config(n1)).port());
    HttpResponse<String> r = http.get("/", "X-Forwarded-For", "10.9.8.7");
    assertThat(r.headers().firstValue("x-seen-forwarded-for")).hasValue("127.0.0.1");
    assertThat(r.headers().firstValue("keep-alive")).isEmpty();
  }

  private static final String SPOOFING =
      "GET /echo-headers HTTP/1.1\r\nHost: shop.example\r\nX-Forwarded-For: 6.6.6.6\r\n"
          + "X-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.example\r\n"
          + "Forwarded: for=6.6.6.6\r\nConnection: keep-alive, X-Forwarded-For, Host\r\n\r\n";

  private static String echoedHeaders(int port) throws Exception {
    try (RawClient c = new RawClient(port)) {
      c.send(SPOOFING);
      String head = c.readHead();
      assertThat(head).startsWith("HTTP/1.1 200");
      return c.readBody(RawClient.contentLength(head));
    }
  }

  @Test
  void forwardingHeadersFromAClient_areReplaced_unlessItIsATrustedProxy() throws Exception {
    TestBackend n1 = backend("n1");
    String seen = echoedHeaders(balancer(config(n1)).port());
    assertThat(seen)
        .contains(
            "x-forwarded-for: 127.0.0.1\n",
            "x-forwarded-proto: http\n",
            "x-forwarded-host: shop.example\n",
            "host: shop.example\n")
        .doesNotContain("6.6.6.6", "evil.example", "https", "forwarded: ");

    String viaProxy =
        echoedHeaders(balancer(config(n1).withTrustedProxies(List.of("127.0.0.0/8"))).port());
    assertThat(viaProxy)
        .contains(
            "x-forwarded-for: 6.6.6.6, 127.0.0.1\n",
            "x-forwarded-proto: https\n",
            "x-forwarded-host: evil.example\n",
            "forwarded: for=6.6.6.6\n",
            "host: shop.example\n");
  }

  @Test
  void twoHostHeadersAreRefused400_andNeverReachANode() throws Exception {
    TestBackend n1 = backend("n1");
    Balancer balancer = balancer(config(n1));
    try (RawClient c = new RawClient(balancer.port())) {
      c.send("GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n");
      assertThat(c.readHead()).startsWith("HTTP/1.1 400");
      c.readToEnd(); // closed
    }
    assertThat(n1.hits.get()).isZero();
  }

  @Test
  void connectionsBeyondMaxConnectionsAreRefused_untilOneCloses() throws Exception {
    TestBackend n1 = backend("n1");
    Balancer balancer = balancer(config(n1).withMaxConnections(1));
    try (RawClient first = new RawClient(balancer.port())) {
      first.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(first.readHead()).startsWith("HTTP/1.1 200");
      String answer;
      try (RawClient second = new RawClient(balancer.port())) {
        second.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        answer = second.readToEnd();
      } catch (IOException e) {
        answer = ""; // reset by the balancer: refused as well
      }
      assertThat(answer).isEmpty();
    }
    Http http = new Http(balancer.port());
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(() -> http.get("/").statusCode() == 200);
    assertThat(new Http(balancer.adminPort()).get("/balancer/metrics").body())
        .contains("cohort_balancer_connections_rejected_total 1");
  }
}
