package dev.cohort.tomcat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The durable tier: three nodes in three JVMs (backup mode, k=1, async store writes) share a store;
 * the whole cluster is stopped and started again as new processes, and every cookie finds its
 * session with its last change — on its own node, and on another node (take-over from the store).
 */
@Timeout(value = 400, unit = TimeUnit.SECONDS)
class DurableTierIT {
  private final List<NodeProcess> nodes = new ArrayList<>();
  private PrivatePostgres postgres;

  @AfterEach
  void stop() throws Exception {
    try {
      nodes.forEach(NodeProcess::close);
    } finally {
      if (postgres != null) {
        postgres.close(); // never leave the private server running
      }
    }
  }

  private List<NodeProcess> startThree(String store) {
    String cluster = "it-durable-" + UUID.randomUUID().toString().substring(0, 8);
    int[] ports = new int[3];
    for (int i = 0; i < 3; i++) {
      ports[i] = NodeProcess.freePort();
    }
    String discovery =
        "static:127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1] + ",127.0.0.1:" + ports[2];
    List<NodeProcess> started = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      started.add(
          NodeProcess.start(
              "n" + (i + 1),
              List.of(
                  "backup", "true", cluster, String.valueOf(ports[i]), discovery, store, "false")));
    }
    nodes.addAll(started);
    for (NodeProcess p : started) {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> "3".equals(Http.get(p.httpPort, "/view", null).fields().get("members")));
    }
    return started;
  }

  /** "stop" on stdin, then wait for a clean exit (drain and store flush may take a while). */
  private static void stopGracefully(NodeProcess p) throws Exception {
    p.process.getOutputStream().write("stop\n".getBytes(StandardCharsets.US_ASCII));
    p.process.getOutputStream().flush();
    assertThat(p.process.waitFor(90, TimeUnit.SECONDS)).as("%s stopped", p.name).isTrue();
    assertThat(p.process.exitValue()).as("exit of %s", p.name).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"file", "postgres"})
  void wholeClusterStoppedAndRestarted_everySessionKeepsItsLastChange(String kind)
      throws Exception {
    String store;
    if (kind.equals("file")) {
      store = "file:" + Files.createTempDirectory("cohort-durable").resolve("sessions");
    } else {
      postgres = PrivatePostgres.start(false);
      store = postgres.spec();
    }
    List<NodeProcess> first = startThree(store);
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (int s = 0; s < 12; s++) {
      NodeProcess node = first.get(s % 3);
      String id = Http.get(node.httpPort, "/counter", null).setCookieId();
      for (int i = 2; i <= s + 2; i++) {
        Http.get(node.httpPort, "/counter", id);
      }
      counts.put(id, s + 2);
    }

    for (NodeProcess p : first) {
      stopGracefully(p); // drain to the others; the last one keeps them in the store
    }
    nodes.clear();
    List<NodeProcess> second = startThree(store);

    int s = 0;
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      String id = e.getKey();
      String route = id.substring(id.indexOf('.') + 1);
      // half the cookies go back to their own node, half to the next one (take-over)
      int own = Integer.parseInt(route.substring(1)) - 1;
      NodeProcess target = second.get(s % 2 == 0 ? own : (own + 1) % 3);
      Http.Reply r = Http.get(target.httpPort, "/counter", id);
      assertThat(r.count())
          .as("session %d (%s) on %s after the restart", s, route, target.name)
          .isEqualTo(e.getValue() + 1);
      if (target.name.equals(route)) {
        assertThat(r.setCookieId()).isNull();
      } else {
        assertThat(r.setCookieId()).endsWith("." + target.name);
      }
      s++;
    }
  }
}
