package dev.cohort.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

class SessionIdsTest {
  private static HttpRequest get(String uri, String... cookies) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    for (String c : cookies) {
      r.headers().add("Cookie", c);
    }
    return r;
  }

  @Test
  void findsTheCookieAmongOthers() {
    assertThat(SessionIds.find(get("/", "a=1; JSESSIONID=ABC.n1; b=2"))).isEqualTo("ABC.n1");
    assertThat(SessionIds.find(get("/", "JSESSIONID=ABC.n2"))).isEqualTo("ABC.n2");
    assertThat(SessionIds.find(get("/", "x=1", "JSESSIONID=\"Q.n3\""))).isEqualTo("Q.n3");
  }

  @Test
  void ignoresLookalikeCookieNames() {
    assertThat(SessionIds.find(get("/", "MYJSESSIONID=ABC.n1; JSESSIONIDX=1"))).isNull();
    assertThat(SessionIds.find(get("/", "JSESSIONID="))).isNull();
  }

  @Test
  void findsThePathParameter() {
    assertThat(SessionIds.find(get("/app/page;jsessionid=ABC.n2?x=1"))).isEqualTo("ABC.n2");
    assertThat(SessionIds.find(get("/app/page;JSESSIONID=ABC.n2"))).isEqualTo("ABC.n2");
    assertThat(SessionIds.find(get("/a;jsessionid=ABC.n1;other=1/x"))).isEqualTo("ABC.n1");
    assertThat(SessionIds.find(get("/a?q=;jsessionid=ABC.n1"))).isNull();
    assertThat(SessionIds.find(get("/plain"))).isNull();
  }

  @Test
  void cookieWinsOverThePathParameter() {
    assertThat(SessionIds.find(get("/p;jsessionid=URL.n1", "JSESSIONID=COOKIE.n2")))
        .isEqualTo("COOKIE.n2");
  }

  @Test
  void routeIsTheSuffixAfterTheLastDot() {
    assertThat(SessionIds.route("ABC.n1")).isEqualTo("n1");
    assertThat(SessionIds.route("A.B.node-7")).isEqualTo("node-7");
    assertThat(SessionIds.route("ABC")).isNull();
    assertThat(SessionIds.route("ABC.")).isNull();
    assertThat(SessionIds.route(null)).isNull();
  }
}
