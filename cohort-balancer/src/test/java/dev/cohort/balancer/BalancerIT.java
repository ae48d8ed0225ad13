package dev.cohort.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The proxy end to end on 127.0.0.1 against in-process JDK backends. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BalancerIT {
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private TestBackend backend(String route) throws Exception {
    TestBackend b = TestBackend.start(route);
    closeables.add(b);
    return b;
  }

  private Balancer balancer(BalancerConfig config) {
    Balancer b = new Balancer(config);
    closeables.add(b);
    b.start();
    return b;
  }

  private static BalancerConfig config(TestBackend... backends) {
    List<Backend> list = new ArrayList<>();
    for (TestBackend b : backends) {
      list.add(b.backend());
    }
    return BalancerConfig.defaults(list).withPort(0).withHealthInterval(Duration.ofMillis(200));
  }

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
      HttpResponse<String> r = http.get("/counter", "Cookie", cookie);
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
}
