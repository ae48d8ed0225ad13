package dev.cohort.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.cli.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * {@code cohort demo} from the built jar, as a process: it reaches "ready", serves /counter through
 * the balancer, shows its page in a real (headless) browser, and leaves no child process behind
 * when stopped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoIT {
  private static final String READY = "Cohort demo ready: ";
  private final HttpClient http = HttpClient.newHttpClient();
  private JarProcess demo;
  private String url;
  private List<ProcessHandle> children;

  @BeforeAll
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void startDemo() {
    try {
      demo = JarProcess.start("demo-it", "demo", "--free-ports", "--duration", "600s");
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    await()
        .atMost(Duration.ofSeconds(220))
        .pollInterval(Duration.ofMillis(200))
        .failFast("the demo exited: " + demo.errors(), () -> !demo.process.isAlive())
        .until(() -> demo.lines().stream().anyMatch(l -> l.startsWith(READY)));
    String line = demo.lines().stream().filter(l -> l.startsWith(READY)).findFirst().orElseThrow();
    url = line.substring(READY.length()).replaceAll("/+$", "");
    children = demo.process.descendants().toList();
  }

  @AfterAll
  void killLeftovers() {
    if (demo != null) {
      demo.close();
    }
  }

  private HttpResponse<String> get(String path, String cookie) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(20));
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @Order(1)
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  @SuppressWarnings("unchecked")
  void servesTheCounterThroughTheBalancer_oneSessionCountsOneThenTwo() throws Exception {
    assertThat(children).as("3 nodes and a balancer").hasSize(4);

    HttpResponse<String> first = get("/counter", null);
    assertThat(first.statusCode()).isEqualTo(200);
    String cookie =
        first.headers().allValues("Set-Cookie").stream()
            .filter(c -> c.startsWith("JSESSIONID="))
            .findFirst()
            .orElseThrow()
            .split(";", 2)[0];
    Map<String, Object> one = Json.object(first.body());
    assertThat(one).containsEntry("count", 1L);
    assertThat(one.get("owner")).isEqualTo(one.get("node"));
    assertThat((String) one.get("session")).endsWith("." + one.get("node"));
    assertThat((List<Object>) one.get("replicas")).hasSize(1).doesNotContain(one.get("node"));

    Map<String, Object> two = Json.object(get("/counter", cookie).body());

    assertThat(two).containsEntry("count", 2L).containsEntry("session", one.get("session"));
  }

  @Test
  @Order(1)
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void balancerStatus_isOnItsAdminPortOnly_andNodeAdminPathsAreNotForwarded() throws Exception {
    String prefix = "  balancer status: ";
    String status =
        demo.lines().stream()
            .filter(l -> l.startsWith(prefix))
            .findFirst()
            .orElseThrow()
            .substring(prefix.length());
    HttpResponse<String> json =
        http.send(
            HttpRequest.newBuilder(URI.create(status + "?format=json"))
                .timeout(Duration.ofSeconds(20))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(json.statusCode()).isEqualTo(200);
    assertThat(json.body()).startsWith("{\"policy\"").contains("\"route\":\"n3\"");
    assertThat(get("/balancer/status", null).statusCode()).isEqualTo(404);
    assertThat(get("/cohort/status", null).statusCode()).isEqualTo(404);
    assertThat(get("/cohort/health", null).statusCode()).isEqualTo(200);
  }

  @Test
  @Order(2)
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void pageInABrowser_incrementsOnClick_andTheStatusPageRenders() throws Exception {
    Path shots = JarProcess.target().resolve("screenshots");
    try (Chromium browser = Chromium.start(1000, 800)) {
      browser.navigate(url + "/");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> "1".equals(browser.eval("document.body.dataset.count || ''")));

      browser.click("increment");

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> "2".equals(browser.eval("document.body.dataset.count || ''")));
      assertThat(browser.eval("document.getElementById('count').textContent")).isEqualTo("2");
      assertThat(browser.eval("document.getElementById('kill').hidden")).isEqualTo(false);
      String node = (String) browser.eval("document.getElementById('node').textContent");
      assertThat(node).matches("n[1-3]");
      browser.screenshot(shots.resolve("demo-page.png"));

      // the status page answers on the node's admin connector, not on its public HTTP port
      assertThat(
              HttpClient.newHttpClient()
                  .send(
                      HttpRequest.newBuilder(URI.create(nodeUrl(node) + "/cohort/")).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(401);
      browser.navigate(statusUrl(node));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  node.equals(
                      browser.eval("(document.getElementById('node') || {}).textContent || ''")));
      assertThat((String) browser.eval("document.body.innerText")).contains("sessions owned");
      browser.screenshot(shots.resolve("status-page.png"));
    }
    assertThat(Files.size(shots.resolve("demo-page.png"))).isGreaterThan(1000);
    assertThat(Files.size(shots.resolve("status-page.png"))).isGreaterThan(1000);
  }

  /** The demo prints " node n2: http://127.0.0.1:PORT/ status http://127.0.0.1:APORT/cohort/". */
  private String statusUrl(String node) {
    String prefix = "  node " + node + ": ";
    String line = demo.lines().stream().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow();
    return line.replaceAll(".* status (\\S+) .*", "$1");
  }

  /** The demo prints " node n2: http://127.0.0.1:PORT/ ..." for each node. */
  private String nodeUrl(String node) {
    String prefix = "  node " + node + ": ";
    String line = demo.lines().stream().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow();
    return line.substring(prefix.length()).split("/ ", 2)[0].replaceAll("/+$", "");
  }

  @Test
  @Order(3)
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void chaosAgainstTheRunningDemo_killsAndRestartsItsNodes_losingNothing() throws Exception {
    String pids =
        demo.lines().stream()
            .filter(l -> l.startsWith("  node n"))
            .map(l -> l.replaceAll(".*\\(pid (\\d+)\\).*", "$1"))
            .collect(java.util.stream.Collectors.joining(","));
    String logs = JarProcess.target().resolve("demo-it-chaos-logs").toString();
    try (JarProcess chaos =
        JarProcess.start(
            "demo-it-chaos",
            "chaos",
            "--url",
            url,
            "--nodes",
            pids,
            "--duration",
            "12s",
            "--users",
            "5",
            "--logs",
            logs)) {
      assertThat(chaos.process.waitFor(220, TimeUnit.SECONDS)).as("chaos finishes").isTrue();
      String report = chaos.output();
      assertThat(chaos.process.exitValue()).as(report + "\n" + chaos.errors()).isZero();
      assertThat(report).contains("kill -9  n1").contains("lost sessions   0");
    }
  }

  // the page's kill button answered 502 through the balancer: the node halted before its answer
  // left the socket
  @Test
  @Order(4)
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void killButton_answersThenCrashesTheNode_andTheSessionCarriesOnElsewhere() throws Exception {
    HttpResponse<String> first = get("/counter", null);
    assertThat(first.statusCode()).isEqualTo(200);
    String cookie =
        first.headers().allValues("Set-Cookie").stream()
            .filter(c -> c.startsWith("JSESSIONID="))
            .findFirst()
            .orElseThrow()
            .split(";", 2)[0];
    Object node = Json.object(first.body()).get("node");

    HttpResponse<String> kill =
        http.send(
            HttpRequest.newBuilder(URI.create(url + "/kill"))
                .timeout(Duration.ofSeconds(20))
                .header("Cookie", cookie)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(kill.statusCode()).as(kill.body()).isEqualTo(202);
    assertThat(Json.object(kill.body())).containsEntry("killed", node);
    String health = nodeUrl((String) node) + "/cohort/health";
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              try {
                http.send(
                    HttpRequest.newBuilder(URI.create(health))
                        .timeout(Duration.ofSeconds(2))
                        .build(),
                    HttpResponse.BodyHandlers.discarding());
                return false;
              } catch (java.io.IOException e) {
                return true; // the node is gone
              }
            });

    Map<String, Object> after = Json.object(get("/counter", cookie).body());
    assertThat(after).containsEntry("count", 2L);
    assertThat(after.get("node")).isNotEqualTo(node);
  }

  @Test
  @Order(5)
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void stopping_leavesNoChildProcess_norARestartedNode() throws Exception {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("clusterName=(cohort-demo-[0-9a-f]+)")
            .matcher(demo.errors());
    assertThat(m.find()).as("the nodes log their cluster name").isTrue();
    String clusterName = m.group(1);

    demo.process.destroy(); // SIGTERM, as Ctrl-C or a service manager would

    assertThat(demo.process.waitFor(100, TimeUnit.SECONDS)).as("demo exits").isTrue();
    for (ProcessHandle child : children) {
      assertThat(child.isAlive()).as("child pid " + child.pid() + " still alive").isFalse();
    }
    assertThat(
            ProcessHandle.allProcesses()
                .filter(
                    p ->
                        p.info()
                            .arguments()
                            .map(a -> java.util.Arrays.asList(a).contains(clusterName))
                            .orElse(false))
                .toList())
        .as("processes of cluster " + clusterName)
        .isEmpty();
  }
}
