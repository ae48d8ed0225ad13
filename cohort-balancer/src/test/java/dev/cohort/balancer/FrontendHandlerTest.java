package dev.cohort.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The client-side handler on an EmbeddedChannel: answers that need no backend connection. */
class FrontendHandlerTest {
  private final List<BackendState> backends = new ArrayList<>();
  private final ProxyContext proxy;

  FrontendHandlerTest() {
    BalancerConfig config =
        BalancerConfig.defaults(
                List.of(
                    Backend.parse("n1=http://127.0.0.1:1"),
                    Backend.parse("n2=http://127.0.0.1:2;weight=2")))
            .withMaxHeaderBytes(1024);
    for (Backend b : config.backends()) {
      backends.add(new BackendState(b, backends.size(), 2, 2));
    }
    proxy = new ProxyContext(config, backends, new Stats());
  }

  private EmbeddedChannel channel() {
    EmbeddedChannel ch = new EmbeddedChannel();
    proxy.initClient(ch); // the pipeline the balancer gives every client connection
    return ch;
  }

  private static String exchange(EmbeddedChannel ch, String request) {
    ch.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
    StringBuilder out = new StringBuilder();
    for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
      out.append(b.toString(StandardCharsets.ISO_8859_1));
      b.release();
    }
    return out.toString();
  }

  @Test
  void statusJsonListsBackends_withoutTouchingThem() {
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
    EmbeddedChannel ch = channel();
    String res =
        exchange(
            ch,
            "GET /balancer/status HTTP/1.1\r\nHost: x\r\nCookie: JSESSIONID=TOPSECRET.n1\r\n\r\n");
    assertThat(res).startsWith("HTTP/1.1 200").contains("<table>").doesNotContain("TOPSECRET");
  }

  @Test
  void headRequestForAPageGetsNoBody() {
    EmbeddedChannel ch = channel();
    String res = exchange(ch, "HEAD /balancer/nope HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(res).startsWith("HTTP/1.1 404").endsWith("\r\n\r\n");
  }
}
