package dev.cohort.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The client-side pipeline on an EmbeddedChannel (time frozen, moved by hand): answers that need no
 * backend connection, the paths it refuses and the read timeouts.
 */
class FrontendHandlerTest {
  private final List<BackendState> backends = new ArrayList<>();
  private ProxyContext proxy;

  FrontendHandlerTest() {
    configure(c -> c);
  }

  private void configure(UnaryOperator<BalancerConfig> change) {
    BalancerConfig config =
        change.apply(
            BalancerConfig.defaults(
                    List.of(
                        Backend.parse("n1=http://127.0.0.1:1"),
                        Backend.parse("n2=http://127.0.0.1:2;weight=2")))
                .withMaxHeaderBytes(1024));
    backends.clear();
    for (Backend b : config.backends()) {
      backends.add(new BackendState(b, backends.size(), 2, 2));
    }
    proxy = new ProxyContext(config, backends, new Stats());
  }

  private EmbeddedChannel channel() {
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.freezeTime();
    proxy.initClient(ch); // the pipeline the balancer gives every client connection
    return ch;
  }

  private static String later(EmbeddedChannel ch, long seconds) {
    ch.advanceTimeBy(seconds, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    return exchange(ch, "");
  }

  private static String exchange(EmbeddedChannel ch, String request) {
    if (!request.isEmpty()) {
      ch.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
    }
    StringBuilder out = new StringBuilder();
    for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
      out.append(b.toString(StandardCharsets.ISO_8859_1));
      b.release();
    }
    return out.toString();
  }

  @Test
  void statusPagesAreNotOnThePublicPort_byDefault() {
    EmbeddedChannel ch = channel();
    for (String page : List.of("/balancer/status?format=json", "/balancer/status", "/balancer")) {
      String res = exchange(ch, "GET " + page + " HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(res).as(page).startsWith("HTTP/1.1 404").doesNotContain("127.0.0.1:");
    }
    assertThat(ch.isOpen()).isTrue();
  }

  @Test
  void statusJsonListsBackends_withoutTouchingThem() {
    configure(c -> c.withStatusOnPublicPort(true));
    EmbeddedChannel ch = channel();
    String res = exchange(ch, "GET /balancer/status?format=json HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(res).startsWith("HTTP/1.1 200 OK").contains("application/json");
    assertThat(res).contains("\"route\":\"n1\"", "\"route\":\"n2\"", "\"weight\":2");
    assertThat(ch.isOpen()).isTrue(); // keep-alive
    String again = exchange(ch, "GET /balancer/metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(again).contains("cohort_balancer_requests_total 2");
  }

  @Test
  void garbageIsAnswered400_andTheConnectionCloses() {
    EmbeddedChannel ch = channel();
    String res = exchange(ch, "HELLO THERE\r\n\r\n");
    assertThat(res).startsWith("HTTP/1.1 400 Bad Request").contains("connection: close");
    assertThat(ch.isOpen()).isFalse();
    assertThat(proxy.stats.badRequests.sum()).isEqualTo(1);
  }

  @Test
  void headersOverTheLimitAreAnswered431() {
    EmbeddedChannel ch = channel();
    String res =
        exchange(ch, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "y".repeat(2000) + "\r\n\r\n");
    assertThat(res).startsWith("HTTP/1.1 431").contains("max-header-bytes");
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void noHealthyBackendMeans503_andTheConnectionStaysUsable() {
    configure(c -> c.withStatusOnPublicPort(true));
    backends.forEach(b -> b.markDown("test"));
    EmbeddedChannel ch = channel();
    String res =
        exchange(
            ch,
            "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                + "GET /balancer/status?format=json HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(res).startsWith("HTTP/1.1 503 Service Unavailable");
    assertThat(res).contains("\"noBackend\":1", "\"health\":\"down\"");
    assertThat(ch.isOpen()).isTrue();
  }

  @Test
  void statusPageNeverShowsTheSessionId() {
    configure(c -> c.withStatusOnPublicPort(true));
    EmbeddedChannel ch = channel();
    String res =
        exchange(
            ch,
            "GET /balancer/status HTTP/1.1\r\nHost: x\r\nCookie: JSESSIONID=TOPSECRET.n1\r\n\r\n");
    assertThat(res).startsWith("HTTP/1.1 200").contains("<table>").doesNotContain("TOPSECRET");
  }

  @Test
  void headRequestForAPageGetsNoBody() {
    configure(c -> c.withStatusOnPublicPort(true));
    EmbeddedChannel ch = channel();
    String res = exchange(ch, "HEAD /balancer/nope HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(res).startsWith("HTTP/1.1 404").endsWith("\r\n\r\n");
  }

  // ---- the nodes' admin paths -------------------------------------------------------------

  @Test
  void nodeAdminPathsAreAnswered404_inEverySpellingTomcatWouldMap() {
    backends.forEach(b -> b.markDown("test")); // a forwarded request would get 503
    EmbeddedChannel ch = channel();
    List<String> spellings =
        List.of(
            "/cohort/status",
            "/cohort/farm",
            "/cohort/",
            "/cohort",
            "/cohort/metrics?x=1",
            "/cohort;x/status",
            "/cohort;jsessionid=A.n1/status",
            "/%63ohort/status",
            "/%2563ohort/status",
            "//cohort/status",
            "/./cohort/status",
            "/app/../cohort/farm",
            "/app/%2e%2e/cohort/farm",
            "/app/..;x/cohort/farm",
            "/a/b/../../../cohort/status",
            "/cohort%2Fstatus",
            "/cohort%3Bx/status",
            "\\cohort\\status",
            "/COHORT/status",
            "/Cohort/Farm",
            "/cohort/health/../status",
            "/cohort/healthz",
            "http://node.example/cohort/status",
            "HTTP://x:8080/%63ohort/farm?deploy");
    for (String target : spellings) {
      String res = exchange(ch, "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(res).as(target).startsWith("HTTP/1.1 404");
    }
    assertThat(proxy.stats.adminPathsRefused.sum()).isEqualTo(spellings.size());
    assertThat(ch.isOpen()).isTrue();
  }

  @Test
  void healthAndApplicationPathsGoToTheNodes() {
    backends.forEach(b -> b.markDown("test")); // forwarded: 503, no backend is up
    EmbeddedChannel ch = channel();
    for (String target :
        List.of(
            "/cohort/health",
            "/cohort/health?ready",
            "/cohort/./health",
            "/%63ohort/health",
            "/cohort/health;jsessionid=A.n1",
            "/",
            "/app/cohort-notes",
            "/cohorts/status",
            "/app/cohort/status")) {
      String res = exchange(ch, "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(res).as(target).startsWith("HTTP/1.1 503");
    }
    assertThat(proxy.stats.adminPathsRefused.sum()).isZero();
  }

  @Test
  void adminPathsAreForwarded_whenForwardAdminPathsIsOn() {
    configure(c -> c.withForwardAdminPaths(true));
    backends.forEach(b -> b.markDown("test"));
    EmbeddedChannel ch = channel();
    String res = exchange(ch, "GET /cohort/status HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(res).startsWith("HTTP/1.1 503");
  }

  @Test
  void twoHostHeadersAreAnswered400_andTheConnectionCloses() {
    EmbeddedChannel ch = channel();
    String res = exchange(ch, "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
    assertThat(res).startsWith("HTTP/1.1 400").contains("Host");
    assertThat(ch.isOpen()).isFalse();
    assertThat(proxy.stats.badRequests.sum()).isEqualTo(1);
  }

  // ---- read timeouts ----------------------------------------------------------------------

  @Test
  void aHalfSentHeadIsAnswered408_afterTheHeaderTimeout() {
    EmbeddedChannel ch = channel();
    assertThat(exchange(ch, "GET / HTTP/1.1\r\nHost: x\r\n")).isEmpty();
    assertThat(later(ch, 9)).isEmpty();
    assertThat(ch.isOpen()).isTrue();
    String res = later(ch, 1);
    assertThat(res).startsWith("HTTP/1.1 408 Request Timeout").contains("header-timeout");
    assertThat(ch.isOpen()).isFalse();
    assertThat(proxy.stats.headerTimeouts.sum()).isEqualTo(1);
  }

  @Test
  void aHeadSentByteByByte_stillEndsAtTheHeaderTimeout() {
    EmbeddedChannel ch = channel();
    String head = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    for (int i = 0; i < 12 && ch.isOpen(); i++) {
      exchange(ch, head.substring(i, i + 1));
      later(ch, 1);
    }
    assertThat(ch.isOpen()).isFalse();
    assertThat(proxy.stats.headerTimeouts.sum()).isEqualTo(1);
  }

  @Test
  void aConnectionThatSendsNothing_isClosedWithoutAnAnswer() {
    EmbeddedChannel ch = channel();
    assertThat(later(ch, 10)).isEmpty();
    assertThat(ch.isOpen()).isFalse();
    assertThat(proxy.stats.idleClosed.sum()).isEqualTo(1);
    assertThat(proxy.stats.headerTimeouts.sum()).isZero();
  }

  @Test
  void
      anIdleKeepAliveConnection_isClosedAfterTheKeepAliveTimeout_andANewHeadGetsTheHeaderTimeout() {
    EmbeddedChannel ch = channel();
    assertThat(exchange(ch, "GET /cohort/status HTTP/1.1\r\nHost: x\r\n\r\n"))
        .startsWith("HTTP/1.1 404");
    assertThat(later(ch, 59)).isEmpty();
    assertThat(ch.isOpen()).isTrue();
    exchange(ch, "GET /cohort/status HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(later(ch, 59)).isEmpty();
    assertThat(ch.isOpen()).as("the second request started the idle time again").isTrue();
    assertThat(later(ch, 1)).isEmpty();
    assertThat(ch.isOpen()).isFalse();
    assertThat(proxy.stats.idleClosed.sum()).isEqualTo(1);

    EmbeddedChannel other = channel();
    exchange(other, "GET /cohort/status HTTP/1.1\r\nHost: x\r\n\r\n");
    later(other, 30);
    exchange(other, "GET / HTTP/1.1\r\n");
    assertThat(later(other, 9)).isEmpty();
    assertThat(later(other, 1)).startsWith("HTTP/1.1 408");
    assertThat(proxy.stats.headerTimeouts.sum()).isEqualTo(1);
  }

  @Test
  void aStalledBody_endsTheConnectionAfterTheBodyTimeout() {
    backends.forEach(b -> b.markDown("test")); // answered 503 at once; the body is then read
    EmbeddedChannel ch = channel();
    String res = exchange(ch, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc");
    assertThat(res).startsWith("HTTP/1.1 503");
    later(ch, 20);
    exchange(ch, "def"); // progress
    later(ch, 29);
    assertThat(ch.isOpen()).isTrue();
    later(ch, 1);
    assertThat(ch.isOpen()).isFalse();
    assertThat(proxy.stats.bodyTimeouts.sum()).isEqualTo(1);
  }

  @Test
  void timeoutFiguresShowOnTheStatusJson() {
    configure(c -> c.withStatusOnPublicPort(true));
    EmbeddedChannel slow = channel();
    exchange(slow, "GET / HT");
    later(slow, 10);
    EmbeddedChannel ch = channel();
    String res = exchange(ch, "GET /balancer/status?format=json HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(res)
        .contains(
            "\"headerTimeouts\":1",
            "\"bodyTimeouts\":0",
            "\"idleClosed\":0",
            "\"connectionsRejectedPerIp\":0",
            "\"adminPathsRefused\":0");
  }
}
