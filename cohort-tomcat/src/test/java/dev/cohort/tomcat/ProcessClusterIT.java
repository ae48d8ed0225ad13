package dev.cohort.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

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

    n.get(0).kill();
    Http.Reply r = Http.get(n.get(1).httpPort, "/counter", id);

    assertThat(r.count()).as("count after fail-over").isEqualTo(21);
    assertThat(r.node()).isEqualTo("n2");
    assertThat(r.setCookieId()).isEqualTo(id.replace(".n1", ".n2"));
    Http.Reply third = Http.get(n.get(2).httpPort, "/counter", r.setCookieId());
    assertThat(third.count()).isEqualTo(22);
    assertThat(third.setCookieId()).endsWith(".n3");
  }
}
