package dev.cohort.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

/** The forwarding-header rules of {@link Headers#forRequest}, on Netty request objects. */
class HeadersTest {
  private static HttpRequest request(String... nameValues) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    for (int i = 0; i < nameValues.length; i += 2) {
      r.headers().add(nameValues[i], nameValues[i + 1]);
    }
    return r;
  }

  private static final String[] SPOOFED = {
    "Host", "shop.example",
    "X-Forwarded-For", "6.6.6.6",
    "X-Forwarded-Proto", "https",
    "X-Forwarded-Host", "evil.example",
    "X-Forwarded-Port", "443",
    "X-Forwarded-Prefix", "/admin",
    "X-Real-IP", "6.6.6.6",
    "Forwarded", "for=6.6.6.6;proto=https"
  };

  @Test
  void anUntrustedClientsForwardingHeadersAreReplaced_byWhatTheBalancerSaw() {
    HttpRequest r = request(SPOOFED);
    Headers.forRequest(r, "192.0.2.10", false, false);
    HttpHeaders h = r.headers();
    assertThat(h.getAll("X-Forwarded-For")).containsExactly("192.0.2.10");
    assertThat(h.getAll("X-Forwarded-Proto")).containsExactly("http");
    assertThat(h.getAll("X-Forwarded-Host")).containsExactly("shop.example");
    assertThat(h.contains("X-Forwarded-Port")).isFalse();
    assertThat(h.contains("X-Forwarded-Prefix")).isFalse();
    assertThat(h.contains("X-Real-IP")).isFalse();
    assertThat(h.contains("Forwarded")).isFalse();
  }

  @Test
  void aTrustedProxysForwardingHeadersAreKept_andItsAddressAppended() {
    HttpRequest r = request(SPOOFED);
    Headers.forRequest(r, "10.0.0.5", true, false);
    HttpHeaders h = r.headers();
    assertThat(h.get("X-Forwarded-For")).isEqualTo("6.6.6.6, 10.0.0.5");
    assertThat(h.get("X-Forwarded-Proto")).isEqualTo("https");
    assertThat(h.get("X-Forwarded-Host")).isEqualTo("evil.example");
    assertThat(h.get("X-Forwarded-Port")).isEqualTo("443");
    assertThat(h.get("Forwarded")).isEqualTo("for=6.6.6.6;proto=https");
  }

  @Test
  void aTrustedProxyWithoutForwardingHeaders_getsThemSet() {
    HttpRequest r = request("Host", "shop.example");
    Headers.forRequest(r, "10.0.0.5", true, false);
    assertThat(r.headers().get("X-Forwarded-For")).isEqualTo("10.0.0.5");
    assertThat(r.headers().get("X-Forwarded-Proto")).isEqualTo("http");
    assertThat(r.headers().get("X-Forwarded-Host")).isEqualTo("shop.example");
  }

  @Test
  void connectionCannotRemoveForwardingHostOrFramingHeaders_butRemovesOthers() {
    for (boolean trusted : new boolean[] {false, true}) {
      HttpRequest r =
          request(
              "Host", "shop.example",
              "X-Forwarded-For", "10.1.1.1",
              "X-Forwarded-Proto", "https",
              "X-Forwarded-Host", "front.example",
              "Content-Length", "3",
              "X-Custom", "bye",
              "Connection",
                  "keep-alive, X-Forwarded-For, x-forwarded-proto, X-Forwarded-Host, Forwarded,"
                      + " Host, Content-Length, Transfer-Encoding, X-Custom");
      Headers.forRequest(r, "10.0.0.5", trusted, false);
      HttpHeaders h = r.headers();
      assertThat(h.get("X-Forwarded-For"))
          .as("trusted %s", trusted)
          .isEqualTo(trusted ? "10.1.1.1, 10.0.0.5" : "10.0.0.5");
      assertThat(h.get("X-Forwarded-Proto")).isEqualTo(trusted ? "https" : "http");
      assertThat(h.get("X-Forwarded-Host")).isEqualTo(trusted ? "front.example" : "shop.example");
      assertThat(h.get("Host")).isEqualTo("shop.example");
      assertThat(h.get("Content-Length")).isEqualTo("3");
      assertThat(h.contains("X-Custom")).isFalse();
      assertThat(h.contains("Connection")).isFalse();
    }
  }

  @Test
  void severalHostHeadersAreNoticed() {
    assertThat(Headers.hasSeveralHosts(request("Host", "a"))).isFalse();
    assertThat(Headers.hasSeveralHosts(request("Host", "a", "host", "b"))).isTrue();
  }
}
