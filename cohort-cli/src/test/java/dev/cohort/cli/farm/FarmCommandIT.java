package dev.cohort.cli.farm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.cli.json.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cohort node --farm-dir} processes and the {@code cohort farm} command, as users run them:
 * deploy to one node, replace, undeploy; a node started later; a corrupt upload.
 */
class FarmCommandIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  @TempDir Path tmp;

  private static void awaitReady(FarmProcesses p, int i) {
    await("n" + (i + 1) + " ready")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(300))
        .ignoreExceptions()
        .until(() -> p.get(i, "/cohort/health", null).get("status").equals("200"));
  }

  @SuppressWarnings("unchecked")
  private static void awaitFarmView(FarmProcesses p, int i, int size) {
    await("n" + (i + 1) + " sees " + size + " farm members")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(300))
        .ignoreExceptions()
        .until(
            () -> {
              HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(p.url(i) + "/cohort/farm"));
              p.signer.sign("GET", "/cohort/farm", null).forEach(b::header);
              HttpResponse<String> r =
                  FarmProcesses.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
              return ((List<Object>) Json.object(r.body()).get("members")).size() == size;
            });
  }

  private static void awaitVersion(FarmProcesses p, int i, String version) {
    await("n" + (i + 1) + " serves " + version)
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(300))
        .ignoreExceptions()
        .until(() -> version.equals(p.get(i, "/shop/visit", null).get("version")));
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void threeNodes_deployToOne_replaceKeepsTheSession_undeployRemovesEverywhere() throws Exception {
    try (FarmProcesses p = new FarmProcesses(3)) {
      for (int i = 0; i < 3; i++) {
        p.node(i, tmp.resolve("farm-n" + (i + 1)));
      }
      for (int i = 0; i < 3; i++) {
        awaitReady(p, i);
      }
      awaitFarmView(p, 0, 3);

      Path v1 = Wars.visits(tmp.resolve("v1"), "shop.war", "v1");
      FarmProcesses.Run deploy = p.farm("deploy", v1.toString(), "--node", p.url(0));
      assertThat(deploy.exit()).as(deploy.out() + deploy.err()).isZero();
      assertThat(deploy.out()).contains("shop version 1@n1", "done on every node");
      for (int i = 0; i < 3; i++) {
        assertThat(p.get(i, "/shop/visit", null).get("version")).as("n" + (i + 1)).isEqualTo("v1");
        // what a Tomcat distribution's conf/web.xml gives: static files and JSPs (never the source)
        assertThat(p.body(i, "/shop/hello.txt")).isEqualTo("hello v1\n");
        assertThat(p.body(i, "/shop/hello.jsp")).contains("jsp v1 42").doesNotContain("<%");
      }

      Map<String, String> first = p.get(0, "/shop/visit", null);
      String session = first.get("cookie");
      assertThat(session).as(first.toString()).isNotNull();
      assertThat(p.get(0, "/shop/visit", session).get("count")).isEqualTo("2");

      Path v2 = Wars.visits(tmp.resolve("v2"), "shop.war", "v2");
      FarmProcesses.Run replace = p.farm("deploy", v2.toString(), "--node", p.url(0));
      assertThat(replace.exit()).as(replace.out() + replace.err()).isZero();
      assertThat(replace.out()).contains("shop version 2@n1", "done on every node");
      for (int i = 0; i < 3; i++) {
        assertThat(p.get(i, "/shop/visit", null).get("version")).as("n" + (i + 1)).isEqualTo("v2");
      }
      Map<String, String> after = p.get(0, "/shop/visit", session);
      assertThat(after.get("version")).isEqualTo("v2");
      assertThat(after.get("count")).as("the session survived the redeploy").isEqualTo("3");
      assertThat(after.get("sameLoader")).as("its classes come from v2").isEqualTo("true");
      assertThat(p.get(2, "/shop/visit", session).get("count")).isEqualTo("4");

      FarmProcesses.Run list = p.farm("list", "--node", p.url(1));
      assertThat(list.exit()).as(list.err()).isZero();
      assertThat(list.out()).contains("shop  version 2@n1");
      assertThat(list.out().lines().filter(l -> l.contains("RUNNING  running 2@n1"))).hasSize(3);

      FarmProcesses.Run undeploy = p.farm("undeploy", "shop", "--node", p.url(2));
      assertThat(undeploy.exit()).as(undeploy.out() + undeploy.err()).isZero();
      for (int i = 0; i < 3; i++) {
        assertThat(p.get(i, "/shop/visit", null).get("status")).isEqualTo("404");
        assertThat(tmp.resolve("farm-n" + (i + 1)).resolve("shop.war")).doesNotExist();
      }
      FarmProcesses.Run again = p.farm("undeploy", "shop", "--node", p.url(0));
      assertThat(again.exit()).isEqualTo(1);
      assertThat(again.err()).contains("HTTP 404", "no farmed application 'shop'");
    }
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void nodeStartedAfterTheDeploy_servesTheApp_onceReady_andACorruptUploadChangesNothing()
      throws Exception {
    try (FarmProcesses p = new FarmProcesses(2)) {
      p.node(0, tmp.resolve("farm-n1"));
      awaitReady(p, 0);
      Path v1 = Wars.visits(tmp.resolve("v1"), "shop.war", "v1");
      FarmProcesses.Run deploy = p.farm("deploy", v1.toString(), "--node", p.url(0));
      assertThat(deploy.exit()).as(deploy.out() + deploy.err()).isZero();

      p.node(1, tmp.resolve("farm-n2"));
      awaitReady(p, 1);
      Map<String, String> r = p.get(1, "/shop/visit", null);
      assertThat(r.get("status")).as("served as soon as n2 is ready: " + r).isEqualTo("200");
      assertThat(r.get("version")).isEqualTo("v1");
      awaitFarmView(p, 0, 2);

      Path corrupt = tmp.resolve("bad").resolve("shop.war");
      Files.createDirectories(corrupt.getParent());
      Files.write(corrupt, "this is not a zip archive".repeat(100).getBytes());
      FarmProcesses.Run bad = p.farm("deploy", corrupt.toString(), "--node", p.url(1));
      assertThat(bad.exit()).isEqualTo(1);
      assertThat(bad.err()).contains("HTTP 400", "not a ZIP archive", "1@n1 keeps running");
      for (int i = 0; i < 2; i++) {
        assertThat(p.get(i, "/shop/visit", null).get("version")).isEqualTo("v1");
      }

      FarmProcesses.Run usage = p.farm("deploy", tmp.resolve("missing.war").toString());
      assertThat(usage.exit()).isEqualTo(2);
      assertThat(usage.err()).contains("FILE.war");

      Path v2 = Wars.visits(tmp.resolve("v2"), "shop.war", "v2");
      FarmProcesses.Run noSecret = p.farmAsIs("deploy", v2.toString(), "--node", p.url(0));
      assertThat(noSecret.exit()).isEqualTo(2);
      assertThat(noSecret.err()).contains("--secret-file: required", "signed");

      Path wrong = tmp.resolve("wrong-secret");
      Files.writeString(wrong, "not-the-cluster-secret-0123\n");
      FarmProcesses.Run wrongSecret =
          p.farmAsIs(
              "deploy", v2.toString(), "--node", p.url(0), "--secret-file", wrong.toString());
      assertThat(wrongSecret.exit()).isEqualTo(1);
      assertThat(wrongSecret.err()).contains("HTTP 401", "bad signature");
      for (int i = 0; i < 2; i++) {
        assertThat(p.get(i, "/shop/visit", null).get("version")).isEqualTo("v1");
      }
    }
  }
}
