package dev.cohort.tomcat.farm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The farm protocol between embedded Tomcats in one JVM, over real JGroups channels on loopback:
 * drops, replacements, removals, late joiners, rejected uploads and failing versions.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FarmIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private final List<FarmNode> nodes = new ArrayList<>();
  @TempDir Path tmp;

  @AfterEach
  void stopNodes() {
    for (FarmNode n : nodes) {
      n.close();
    }
  }

  private List<FarmNode> start(int count, FarmNode.Ports ports) {
    List<FarmNode> started = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      FarmNode n = FarmNode.start("n" + (i + 1), tmp.resolve("farm-n" + (i + 1)), ports, i);
      nodes.add(n);
      started.add(n);
    }
    return started;
  }

  private static void awaitVersion(FarmNode n, String version) {
    await("node " + n.name + " serves " + version)
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(() -> version.equals(n.get("/shop/visit", null).get("version")));
  }

  private static void awaitReady(FarmNode n) {
    await("node " + n.name + " ready")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(() -> n.send(HttpRequest.newBuilder(n.uri("/cohort/health"))).statusCode() == 200);
  }

  @Test
  void droppedWar_runsOnEveryNode_replacementKeepsSessions_removalUndeploysEverywhere()
      throws Exception {
    List<FarmNode> ns = start(2, FarmNode.Ports.free(2));
    FarmNode n1 = ns.get(0);
    FarmNode n2 = ns.get(1);
    ns.forEach(FarmIT::awaitReady);

    Wars.visits(n1.farmDir, "shop.war", "v1");
    awaitVersion(n1, "v1");
    awaitVersion(n2, "v1");
    assertThat(Files.exists(n2.farmDir.resolve("shop.war")))
        .as("n2's farm directory mirrors the application")
        .isTrue();

    Map<String, String> first = n1.get("/shop/visit", null);
    String session = first.get("cookie");
    assertThat(first.get("count")).isEqualTo("1");
    assertThat(n1.get("/shop/visit", session).get("count")).isEqualTo("2");

    Wars.visits(n2.farmDir, "shop.war", "v2");
    awaitVersion(n1, "v2");
    awaitVersion(n2, "v2");
    Map<String, String> after = n1.get("/shop/visit", session);
    assertThat(after.get("version")).isEqualTo("v2");
    assertThat(after.get("count")).as("the session survived the redeploy").isEqualTo("3");
    assertThat(after.get("sameLoader")).as("its classes come from v2").isEqualTo("true");
    assertThat(n2.get("/shop/visit", session).get("count")).isEqualTo("4");

    Files.delete(n1.farmDir.resolve("shop.war"));
    for (FarmNode n : ns) {
      await("node " + n.name + " undeployed shop")
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(200))
          .until(() -> n.get("/shop/visit", null).get("status").equals("404"));
    }
    await().atMost(WAIT).until(() -> !Files.exists(n2.farmDir.resolve("shop.war")));
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
  }

  static HttpResponse<String> put(FarmNode n, String name, byte[] body, String sha, Long length)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(n.uri("/cohort/farm/" + name))
            .timeout(Duration.ofSeconds(90))
            .header("X-Cohort-SHA256", sha)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
    if (length != null) {
      b.header("X-Cohort-Length", Long.toString(length));
    }
    return n.send(b);
  }
}
