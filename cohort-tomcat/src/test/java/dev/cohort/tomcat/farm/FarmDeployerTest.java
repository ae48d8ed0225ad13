package dev.cohort.tomcat.farm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.testkit.InMemoryNetwork;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The farm protocol over the in-memory channel, with a deployer that records what it was asked (no
 * Tomcat): rollout order, per-node failures, late joiners, removals.
 */
class FarmDeployerTest {
  @TempDir Path tmp;
  private final InMemoryNetwork net = new InMemoryNetwork();
  private final List<FarmDeployer> farms = new ArrayList<>();
  private final List<String> deployLog = new CopyOnWriteArrayList<>();

  /** Records deploys as "node:name:sha-prefix"; fails names listed in {@code failing}. */
  private final class RecordingDeployer implements Deployer {
    final String node;
    final List<String> failing = new CopyOnWriteArrayList<>();

    RecordingDeployer(String node) {
      this.node = node;
    }

    @Override
    public void deploy(String name, int slot, Path war) throws DeployException {
      if (failing.contains(name)) {
        throw new DeployException("deploying [" + name + "] failed on " + node + ": test says no");
      }
      deployLog.add(node + ":" + name + ":" + war.getFileName().toString().substring(0, 8));
    }

    @Override
    public void undeploy(String name) {
      deployLog.add(node + ":-" + name);
    }
  }

  @AfterEach
  void close() {
    farms.forEach(FarmDeployer::close);
    net.close();
  }

  private FarmDeployer farm(String node, RecordingDeployer deployer) throws Exception {
    FarmConfig config =
        FarmConfig.of(node, tmp.resolve(node)).withScanInterval(Duration.ofMinutes(10));
    FarmDeployer f = new FarmDeployer(config, net.newChannel(node), deployer);
    farms.add(f);
    f.open();
    f.join();
    await().atMost(Duration.ofSeconds(30)).until(f::isReady);
    return f;
  }

  private byte[] war(String version) throws Exception {
    return Files.readAllBytes(Wars.visits(tmp.resolve("build-" + version), "shop.war", version));
  }

  private static String sha(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  private static FarmDeployer.Rollout upload(FarmDeployer f, byte[] war) throws Exception {
    return f.upload("shop", new ByteArrayInputStream(war), war.length, sha(war));
  }

  @Test
  void upload_runsOnThePublisherFirst_thenOnEveryMember() throws Exception {
    FarmDeployer n1 = farm("n1", new RecordingDeployer("n1"));
    farm("n2", new RecordingDeployer("n2"));
    farm("n3", new RecordingDeployer("n3"));
    await().until(() -> n1.status().reports().size() == 3);
    byte[] v1 = war("v1");

    FarmDeployer.Rollout r = upload(n1, v1);

    assertThat(r.ok()).as(r.toString()).isTrue();
    assertThat(r.app().version()).isEqualTo(new AppVersion(1, "n1"));
    assertThat(r.results().keySet()).containsExactly("n1", "n2", "n3");
    String prefix = sha(v1).substring(0, 8);
    assertThat(deployLog)
        .containsExactly("n1:shop:" + prefix, "n2:shop:" + prefix, "n3:shop:" + prefix);
    assertThat(Files.readAllBytes(tmp.resolve("n3").resolve("shop.war"))).isEqualTo(v1);
  }

  @Test
  void memberWhereTheVersionFails_reportsNodeAndReason_andKeepsThePreviousVersion()
      throws Exception {
    FarmDeployer n1 = farm("n1", new RecordingDeployer("n1"));
    RecordingDeployer d2 = new RecordingDeployer("n2");
    farm("n2", d2);
    await().until(() -> n1.status().reports().size() == 2);
    upload(n1, war("v1"));
    d2.failing.add("shop");

    FarmDeployer.Rollout r = upload(n1, war("v2"));

    assertThat(r.ok()).isFalse();
    assertThat(r.results().get("n1").ok()).isTrue();
    assertThat(r.results().get("n2").detail()).contains("failed on n2", "test says no");
    NodeApp onN2 = n1.status().reports().get("n2").apps().get(0);
    assertThat(onN2.state()).isEqualTo(NodeApp.State.FAILED);
    assertThat(onN2.running()).isEqualTo(new AppVersion(1, "n1"));
    assertThat(onN2.wanted()).isEqualTo(new AppVersion(2, "n1"));
    assertThat(onN2.error()).contains("test says no");
  }

  @Test
  void sameWarAgain_isNoNewVersion() throws Exception {
    FarmDeployer n1 = farm("n1", new RecordingDeployer("n1"));
    byte[] v1 = war("v1");
    upload(n1, v1);
    FarmDeployer.Rollout again = upload(n1, v1);
    assertThat(again.app().version()).isEqualTo(new AppVersion(1, "n1"));
    assertThat(again.results().get("n1").detail()).isEqualTo("unchanged");
    assertThat(deployLog).hasSize(1);
  }

  @Test
  void memberThatStartsLater_fetchesAndDeploysTheCatalogue_beforeItIsReady() throws Exception {
    FarmDeployer n1 = farm("n1", new RecordingDeployer("n1"));
    upload(n1, war("v1"));
    FarmDeployer.Rollout v2 = upload(n1, war("v2"));

    farm("n2", new RecordingDeployer("n2")); // returns once ready

    assertThat(deployLog).last().isEqualTo("n2:shop:" + v2.app().sha256().substring(0, 8));
    Map<String, FarmMessage.Report> reports = n1.status().reports();
    assertThat(reports.get("n2").apps())
        .containsExactly(NodeApp.running("shop", new AppVersion(2, "n1")));
  }

  @Test
  void removal_undeploysEverywhere_andAMemberStartingLaterDoesNotBringItBack() throws Exception {
    FarmDeployer n1 = farm("n1", new RecordingDeployer("n1"));
    farm("n2", new RecordingDeployer("n2"));
    await().until(() -> n1.status().reports().size() == 2);
    upload(n1, war("v1"));

    FarmDeployer.Rollout r = n1.remove("shop");

    assertThat(r.ok()).isTrue();
    assertThat(deployLog).contains("n1:-shop", "n2:-shop");
    assertThat(tmp.resolve("n2").resolve("shop.war")).doesNotExist();
    assertThat(n1.remove("shop")).as("unknown now").isNull();
    deployLog.clear();
    farm("n3", new RecordingDeployer("n3"));
    assertThat(deployLog).noneMatch(s -> s.startsWith("n3:shop"));
  }
}
