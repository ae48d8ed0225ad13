package dev.cohort.tomcat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Three embedded Tomcats in three JVMs on JGroups (127.0.0.1, static discovery, free ports): the
 * owner is SIGKILLed and the same cookie continues on another node, with no gap and no step back.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ProcessClusterIT {
  private final List<NodeProcess> nodes = new ArrayList<>();

  @AfterEach
  void stop() {
    nodes.forEach(NodeProcess::close);
  }

  private List<NodeProcess> startThree(String mode) {
    String cluster = "it-proc-" + UUID.randomUUID().toString().substring(0, 8);
    int[] ports = {NodeProcess.freePort(), NodeProcess.freePort(), NodeProcess.freePort()};
    String discovery =
        "static:127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1] + ",127.0.0.1:" + ports[2];
    for (int i = 0; i < 3; i++) {
      nodes.add(
          NodeProcess.start(
              "n" + (i + 1), List.of(mode, "true", cluster, String.valueOf(ports[i]), discovery)));
    }
    // nodes that start at the same time may first form separate views that JGroups merges later
    for (NodeProcess p : nodes) {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> "3".equals(Http.get(p.httpPort, "/view", null).fields().get("members")));
    }
    return nodes;
  }

  @ParameterizedTest
  @ValueSource(strings = {"all", "backup"})
  void ownerSigkilled_cookieContinuesOnAnotherNode_noGapNoStepBack(String mode)
      throws InterruptedException {
    List<NodeProcess> n = startThree(mode);
    String id = Http.get(n.get(0).httpPort, "/counter", null).setCookieId();
    assertThat(id).endsWith(".n1");
    for (int i = 2; i <= 20; i++) {
      assertThat(Http.get(n.get(0).httpPort, "/counter", id).count()).isEqualTo(i);
    }
    List<String> others = new ArrayList<>();
    for (int s = 0; s < 10; s++) {
      String other = Http.get(n.get(0).httpPort, "/counter", null).setCookieId();
      for (int i = 2; i <= s + 2; i++) {
        Http.get(n.get(0).httpPort, "/counter", other);
      }
      others.add(other);
    }

    n.get(0).kill();
    Http.Reply r = Http.get(n.get(1).httpPort, "/counter", id);

    assertThat(r.count()).as("count after fail-over").isEqualTo(21);
    assertThat(r.node()).isEqualTo("n2");
    assertThat(r.setCookieId()).isEqualTo(id.replace(".n1", ".n2"));
    Http.Reply third = Http.get(n.get(2).httpPort, "/counter", r.setCookieId());
    assertThat(third.count()).isEqualTo(22);
    assertThat(third.setCookieId()).endsWith(".n3");
    for (int s = 0; s < others.size(); s++) {
      NodeProcess survivor = n.get(1 + s % 2);
      Http.Reply o = Http.get(survivor.httpPort, "/counter", others.get(s));
      assertThat(o.count())
          .as("session %d after fail-over to %s", s, survivor.name)
          .isEqualTo(s + 3);
      assertThat(o.setCookieId()).endsWith("." + survivor.name);
    }
  }
}
