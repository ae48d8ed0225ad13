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

  @Test
  void nodeStartedAfterTheDeploy_servesTheApp_asSoonAsItIsReady() throws Exception {
    FarmNode.Ports ports = FarmNode.Ports.free(2);
    FarmNode n1 = start(1, ports).get(0);
    awaitReady(n1);
    byte[] v1 = Files.readAllBytes(Wars.visits(tmp.resolve("build"), "shop.war", "v1"));
    HttpResponse<String> up = put(n1, "shop", v1, sha256(v1), (long) v1.length);
    assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
    assertThat(up.body()).contains("\"ok\":true");
    awaitVersion(n1, "v1");

    FarmNode n2 = FarmNode.start("n2", tmp.resolve("farm-n2"), ports, 1);
    nodes.add(n2);
    awaitReady(n2);
    Map<String, String> r = n2.get("/shop/visit", null);
    assertThat(r.get("status")).as("the app answers once n2 reports ready").isEqualTo("200");
    assertThat(r.get("version")).isEqualTo("v1");
    assertThat(Files.exists(n2.farmDir.resolve("shop.war"))).isTrue();
  }

  @Test
  void corruptOrTruncatedUpload_isRejected_andTheRunningVersionStays() throws Exception {
    List<FarmNode> ns = start(2, FarmNode.Ports.free(2));
    ns.forEach(FarmIT::awaitReady);
    FarmNode n1 = ns.get(0);
    byte[] v1 = Files.readAllBytes(Wars.visits(tmp.resolve("b1"), "shop.war", "v1"));
    assertThat(put(n1, "shop", v1, sha256(v1), (long) v1.length).statusCode()).isEqualTo(200);
    ns.forEach(n -> awaitVersion(n, "v1"));

    byte[] v2 = Files.readAllBytes(Wars.visits(tmp.resolve("b2"), "shop.war", "v2"));
    String sha2 = sha256(v2);
    byte[] corrupt = v2.clone();
    corrupt[corrupt.length / 2] ^= 0x5a;
    HttpResponse<String> c = put(n1, "shop", corrupt, sha2, (long) corrupt.length);
    assertThat(c.statusCode()).isEqualTo(400);
    assertThat(c.body()).contains("SHA-256", "corrupted", "1@n1 keeps running");

    byte[] half = java.util.Arrays.copyOf(v2, v2.length / 2);
    HttpResponse<String> t = put(n1, "shop", half, sha2, (long) v2.length);
    assertThat(t.statusCode()).isEqualTo(400);
    assertThat(t.body()).contains("cut short", "1@n1 keeps running");
    HttpResponse<String> t2 = put(n1, "shop", half, sha2, null);
    assertThat(t2.statusCode()).isEqualTo(400);
    assertThat(t2.body()).contains("SHA-256");

    for (FarmNode n : ns) {
      assertThat(n.get("/shop/visit", null).get("version")).isEqualTo("v1");
    }
    String status = n1.signedGet("/cohort/farm").body();
    assertThat(status).contains("\"version\":\"1@n1\"").doesNotContain("FAILED");
  }

  @Test
  void versionThatDoesNotStart_isReportedWithNodeAndReason_andThePreviousVersionKeepsRunning()
      throws Exception {
    List<FarmNode> ns = start(2, FarmNode.Ports.free(2));
    ns.forEach(FarmIT::awaitReady);
    FarmNode n1 = ns.get(0);
    byte[] v1 = Files.readAllBytes(Wars.visits(tmp.resolve("b1"), "shop.war", "v1"));
    assertThat(put(n1, "shop", v1, sha256(v1), (long) v1.length).statusCode()).isEqualTo(200);
    ns.forEach(n -> awaitVersion(n, "v1"));

    byte[] broken = Files.readAllBytes(Wars.broken(tmp.resolve("b2"), "shop.war"));
    HttpResponse<String> r = put(n1, "shop", broken, sha256(broken), (long) broken.length);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("\"ok\":false", "deploying [shop] failed on n1", "previous version was started");

    for (FarmNode n : ns) {
      assertThat(n.get("/shop/visit", null).get("version"))
          .as("the previous version runs on " + n.name)
          .isEqualTo("v1");
    }
    String status = n1.signedGet("/cohort/farm").body();
    assertThat(status)
        .contains(
            "\"n1\":{\"state\":\"FAILED\",\"running\":\"1@n1\",\"wanted\":\"2@n1\"",
            "\"n2\":{\"state\":\"RUNNING\",\"running\":\"1@n1\"");
  }

  @Test
  void farmRoutes_needASignedRequest_evenFromLoopback_andASignatureServesOnce() throws Exception {
    FarmNode n1 = start(1, FarmNode.Ports.free(1)).get(0);
    awaitReady(n1);
    byte[] v1 = Files.readAllBytes(Wars.visits(tmp.resolve("b1"), "shop.war", "v1"));
    String sha = sha256(v1);

    // a same-host proxy makes every client a loopback client: unsigned uploads are refused
    HttpResponse<String> unsigned =
        n1.send(
            HttpRequest.newBuilder(n1.uri("/cohort/farm/shop"))
                .header("X-Cohort-SHA256", sha)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(v1)));
    assertThat(unsigned.statusCode()).isEqualTo(401);
    assertThat(unsigned.body()).contains("must be signed");
    assertThat(n1.send(HttpRequest.newBuilder(n1.uri("/cohort/farm"))).statusCode()).isEqualTo(401);

    // signed for another WAR: the body does not match the signed digest
    byte[] other = Files.readAllBytes(Wars.visits(tmp.resolve("b2"), "shop.war", "evil"));
    Map<String, String> h = FarmNode.SIGNER.sign("PUT", "/cohort/farm/shop", sha);
    HttpRequest.Builder swapped =
        HttpRequest.newBuilder(n1.uri("/cohort/farm/shop"))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(other));
    h.forEach(swapped::header);
    HttpResponse<String> s = n1.send(swapped);
    assertThat(s.statusCode()).isEqualTo(400);
    assertThat(s.body()).contains("SHA-256");

    HttpRequest.Builder ok =
        HttpRequest.newBuilder(n1.uri("/cohort/farm/shop"))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(v1));
    Map<String, String> good = FarmNode.SIGNER.sign("PUT", "/cohort/farm/shop", sha);
    good.forEach(ok::header);
    assertThat(n1.send(ok).statusCode()).isEqualTo(200);
    awaitVersion(n1, "v1");

    HttpRequest.Builder replay =
        HttpRequest.newBuilder(n1.uri("/cohort/farm/shop"))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(v1));
    good.forEach(replay::header);
    HttpResponse<String> r = n1.send(replay);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("replayed");
    assertThat(n1.signedGet("/cohort/farm").body()).contains("\"version\":\"1@n1\"");
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
  }

  static HttpResponse<String> put(FarmNode n, String name, byte[] body, String sha, Long length)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(n.uri("/cohort/farm/" + name))
            .timeout(Duration.ofSeconds(90))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
    FarmNode.SIGNER.sign("PUT", "/cohort/farm/" + name, sha).forEach(b::header);
    if (length != null) {
      b.header("X-Cohort-Length", Long.toString(length));
    }
    return n.send(b);
  }
}
