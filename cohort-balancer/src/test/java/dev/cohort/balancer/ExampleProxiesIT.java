package dev.cohort.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example configurations of HAProxy, nginx and Apache httpd ({@code examples/balancers/}, ports
 * replaced), each run for real in front of a {@link TestBackend}: the nodes' {@code /cohort/} pages
 * are refused in every spelling Tomcat would map there and never reach the node, {@code
 * /cohort/health} and application paths pass, and a client's forwarding headers are replaced. Fails
 * (never skips) when a server is missing: {@code scripts/test-env-setup} installs them.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ExampleProxiesIT extends ItSupport {
  static final Path EXAMPLES = Path.of("..", "examples", "balancers");

  /** Spellings of admin paths that Tomcat maps to {@code /cohort/...}. */
  static final List<String> ADMIN =
      List.of(
          "/cohort/status",
          "/cohort/",
          "/cohort",
          "/cohort/farm",
          "/cohort;x/status",
          "/%63ohort/status",
          "//cohort/status",
          "/./cohort/status",
          "/app/../cohort/farm",
          "/app/%2e%2e/cohort/farm",
          "/app/..;x/cohort/status",
          "/COHORT/status",
          "/cohort/health/../status");

  static String binary(String name, String... dirs) {
    for (String dir : dirs) {
      File f = new File(dir, name);
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File f = new File(dir, name);
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    throw new AssertionError(
        name
            + " not found (looked in "
            + String.join(", ", dirs)
            + " and PATH) — run scripts/test-env-setup, which installs it");
  }

  private static String example(String file, int lbPort, TestBackend n1, TestBackend n2)
      throws IOException {
    String cfg =
        Files.readString(EXAMPLES.resolve(file))
            .replace("127.0.0.1:8080", "127.0.0.1:" + lbPort)
            .replace("127.0.0.1:8081", "127.0.0.1:" + n1.port())
            .replace("127.0.0.1:8082", "127.0.0.1:" + n2.port());
    assertThat(cfg).as(file + " names the ports").doesNotContain(":8080", ":8081", ":8082");
    return cfg;
  }

  /** The answer's status line to one raw GET, and whether the server answered at all. */
  private static String get(int port, String target, String... headers) throws IOException {
    try (RawClient c = new RawClient(port)) {
      StringBuilder req =
          new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: shop.example\r\n");
      for (String h : headers) {
        req.append(h).append("\r\n");
      }
      c.send(req.append("Connection: close\r\n\r\n").toString());
      return c.readToEnd();
    }
  }

  private void checkAdminPathsRefused(ExternalProcess lb, int port, TestBackend n1, TestBackend n2)
      throws Exception {
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(lb.process.isAlive()).as("%s runs: %s", lb.name, lb.output()).isTrue();
              assertThat(get(port, "/app")).startsWith("HTTP/1.1 200");
            });
    int hits = n1.hits.get() + n2.hits.get();
    for (String target : ADMIN) {
      String answer = get(port, target);
      assertThat(answer).as("%s %s", lb.name, target).matches("(?s)HTTP/1\\.1 40[034] .*");
    }
    assertThat(n1.hits.get() + n2.hits.get()).as("no admin path reached a node").isEqualTo(hits);

    assertThat(get(port, "/cohort/health")).startsWith("HTTP/1.1 200").endsWith("ready\n");
    assertThat(get(port, "/app/page?x=1")).startsWith("HTTP/1.1 200");

    String echoed =
        get(
            port,
            "/echo-headers",
            "X-Forwarded-For: 6.6.6.6",
            "X-Forwarded-Proto: https",
            "X-Forwarded-Host: evil.example",
            "Forwarded: for=6.6.6.6");
    assertThat(echoed)
        .as("%s forwarding headers", lb.name)
        .startsWith("HTTP/1.1 200")
        .contains("x-forwarded-for: 127.0.0.1\n", "x-forwarded-proto: http\n")
        .contains("x-forwarded-host: shop.example")
        .doesNotContain("6.6.6.6", "evil.example", "https", "\nforwarded:");
  }

  @Test
  void haproxyExample_refusesAdminPaths_passesHealthAndApp(@TempDir Path dir) throws Exception {
    String haproxy = HaproxyInteropIT.haproxyBinary();
    TestBackend n1 = backend("n1");
    TestBackend n2 = backend("n2");
    int port = ExternalProcess.freePort();
    Path cfg = dir.resolve("haproxy.cfg");
    Files.writeString(cfg, example("haproxy.cfg", port, n1, n2));
    ExternalProcess lb =
        closeLater(ExternalProcess.start("haproxy", List.of(haproxy, "-db", "-f", cfg.toString())));
    checkAdminPathsRefused(lb, port, n1, n2);
  }

  @Test
  void nginxExample_refusesAdminPaths_passesHealthAndApp(@TempDir Path dir) throws Exception {
    String nginx = binary("nginx", "/usr/sbin", "/usr/local/sbin");
    TestBackend n1 = backend("n1");
    TestBackend n2 = backend("n2");
    int port = ExternalProcess.freePort();
    Files.writeString(dir.resolve("cohort.conf"), example("nginx.conf", port, n1, n2));
    Files.writeString(
        dir.resolve("nginx.conf"),
        String.join(
            "\n",
            "daemon off;",
            "master_process off;",
            "worker_processes 1;",
            "error_log stderr;",
            "pid " + dir.resolve("nginx.pid") + ";",
            "events { worker_connections 64; }",
            "http {",
            "  access_log off;",
            "  client_body_temp_path " + dir.resolve("body") + ";",
            "  proxy_temp_path " + dir.resolve("proxy") + ";",
            "  fastcgi_temp_path " + dir.resolve("fastcgi") + ";",
            "  uwsgi_temp_path " + dir.resolve("uwsgi") + ";",
            "  scgi_temp_path " + dir.resolve("scgi") + ";",
            "  include " + dir.resolve("cohort.conf") + ";",
            "}",
            ""));
    ExternalProcess lb =
        closeLater(
            ExternalProcess.start(
                "nginx",
                List.of(nginx, "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString())));
    checkAdminPathsRefused(lb, port, n1, n2);
  }

  @Test
  void httpdExample_refusesAdminPaths_passesHealthAndApp(@TempDir Path dir) throws Exception {
    String httpd = binary("apache2", "/usr/sbin", "/usr/local/apache2/bin");
    String modules = "/usr/lib/apache2/modules";
    TestBackend n1 = backend("n1");
    TestBackend n2 = backend("n2");
    int port = ExternalProcess.freePort();
    Files.writeString(
        dir.resolve("cohort.conf"), example("httpd-mod_proxy_balancer.conf", port, n1, n2));
    StringBuilder conf = new StringBuilder();
    conf.append("ServerRoot \"").append(dir).append("\"\n");
    conf.append("ServerName 127.0.0.1\n");
    conf.append("Listen 127.0.0.1:").append(port).append('\n');
    conf.append("PidFile ").append(dir.resolve("httpd.pid")).append('\n');
    conf.append("DefaultRuntimeDir ").append(dir).append('\n');
    conf.append("ErrorLog /dev/stderr\nLogLevel warn\n");
    for (String m :
        List.of(
            "mpm_event",
            "authz_core",
            "authz_host",
            "headers",
            "reqtimeout",
            "slotmem_shm",
            "proxy",
            "proxy_http",
            "proxy_balancer",
            "proxy_hcheck",
            "lbmethod_byrequests")) {
      conf.append("LoadModule ")
          .append(m)
          .append("_module ")
          .append(modules)
          .append("/mod_")
          .append(m)
          .append(".so\n");
    }
    conf.append("Include ").append(dir.resolve("cohort.conf")).append('\n');
    Files.writeString(dir.resolve("httpd.conf"), conf.toString());
    ExternalProcess lb =
        closeLater(
            ExternalProcess.start(
                "httpd", List.of(httpd, "-X", "-f", dir.resolve("httpd.conf").toString())));
    checkAdminPathsRefused(lb, port, n1, n2);
  }
}
