package dev.cohort.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * HAProxy with the documented configuration ({@code examples/balancers/haproxy.cfg}, ports
 * replaced) in front of two backend JVMs: a user stays on one node, and moves to the other when
 * that node's process is killed with SIGKILL. Fails (never skips) when HAProxy is missing.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HaproxyInteropIT extends ItSupport {
  static final Path EXAMPLE = Path.of("..", "examples", "balancers", "haproxy.cfg");

  static String haproxyBinary() {
    for (String candidate : List.of("/usr/sbin/haproxy", "/usr/local/sbin/haproxy")) {
      if (new File(candidate).canExecute()) {
        return candidate;
      }
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File f = new File(dir, "haproxy");
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    throw new AssertionError(
        "haproxy not found (looked in /usr/sbin, /usr/local/sbin and PATH) — run"
            + " scripts/test-env-setup, which installs it");
  }

  @Test
  void haproxyKeepsAUserOnItsNode_andFailsOverWhenTheNodeIsKilled(@TempDir Path dir)
      throws Exception {
    String haproxy = haproxyBinary();
    int lbPort = ExternalProcess.freePort();
    int p1 = ExternalProcess.freePort();
    int p2 = ExternalProcess.freePort();
    Map<String, ExternalProcess> nodes = new HashMap<>();
    nodes.put("n1", closeLater(ExternalProcess.backendJvm("n1", p1)));
    nodes.put("n2", closeLater(ExternalProcess.backendJvm("n2", p2)));

    String cfg =
        Files.readString(EXAMPLE)
            .replace("127.0.0.1:8080", "127.0.0.1:" + lbPort)
            .replace("127.0.0.1:8081", "127.0.0.1:" + p1)
            .replace("127.0.0.1:8082", "127.0.0.1:" + p2)
            .replace("inter 1s", "inter 300ms");
    Path cfgFile = dir.resolve("haproxy.cfg");
    Files.writeString(cfgFile, cfg);
    ExternalProcess lb =
        closeLater(
            ExternalProcess.start("haproxy", List.of(haproxy, "-db", "-f", cfgFile.toString())));

    Http http = new Http(lbPort);
    // both nodes up and seen healthy by HAProxy: round-robin reaches each of them
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(lb.process.isAlive()).as("haproxy runs: %s", lb.output()).isTrue();
              assertThat(http.get("/").statusCode()).isEqualTo(200);
              assertThat(Http.route(http.get("/"))).isNotEqualTo(Http.route(http.get("/")));
            });

    HttpResponse<String> first = http.get("/counter");
    String cookie = Http.sessionCookie(first);
    String home = Http.route(first);
    assertThat(cookie).endsWith("." + home);
    for (int i = 0; i < 10; i++) {
      assertThat(Http.route(http.get("/counter", "Cookie", cookie))).isEqualTo(home);
      String id = cookie.substring("JSESSIONID=".length());
      assertThat(Http.route(http.get("/counter;jsessionid=" + id + "?q=1"))).isEqualTo(home);
    }

    nodes.get(home).kill();
    String other = home.equals("n1") ? "n2" : "n1";
    int failed = 0;
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = http.get("/counter", "Cookie", cookie);
      if (r.statusCode() != 200) {
        failed++;
      } else {
        assertThat(Http.route(r)).isEqualTo(other);
      }
    }
    assertThat(failed).as("requests failed after SIGKILL of %s", home).isZero();
  }

  // a node that is stopping answers 503 while it hands its sessions over (docs/operations.md);
  // the documented config retries such a request on the other node
  @Test
  void haproxyRetriesARequestThatANodeAnswered503_onTheOtherNode(@TempDir Path dir)
      throws Exception {
    String haproxy = haproxyBinary();
    int lbPort = ExternalProcess.freePort();
    BrokenBackend stopping = closeLater(new BrokenBackend("n1", BrokenBackend.Mode.UNAVAILABLE));
    int p1 = stopping.backend().uri().getPort();
    int p2 = ExternalProcess.freePort();
    closeLater(ExternalProcess.backendJvm("n2", p2));

    String cfg =
        Files.readString(EXAMPLE)
            // n1 without health checks: HAProxy keeps sending its users there, as it does in the
            // second before a check notices a stopping node
            .replace(
                "server n1 127.0.0.1:8081 check inter 1s rise 2 fall 2", "server n1 127.0.0.1:8081")
            .replace("127.0.0.1:8080", "127.0.0.1:" + lbPort)
            .replace("127.0.0.1:8081", "127.0.0.1:" + p1)
            .replace("127.0.0.1:8082", "127.0.0.1:" + p2)
            .replace("inter 1s", "inter 300ms");
    assertThat(cfg).as("the example's n1 server line").contains("server n1 127.0.0.1:" + p1 + "\n");
    Path cfgFile = dir.resolve("haproxy.cfg");
    Files.writeString(cfgFile, cfg);
    ExternalProcess lb =
        closeLater(
            ExternalProcess.start("haproxy", List.of(haproxy, "-db", "-f", cfgFile.toString())));

    Http http = new Http(lbPort);
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(lb.process.isAlive()).as("haproxy runs: %s", lb.output()).isTrue();
              assertThat(Http.route(http.get("/", "Cookie", "JSESSIONID=AB12.n2"))).isEqualTo("n2");
            });

    HttpResponse<String> r = http.get("/counter", "Cookie", "JSESSIONID=AB12.n1");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(Http.route(r)).isEqualTo("n2");
    assertThat(stopping.requests.get()).isPositive();
  }
}
