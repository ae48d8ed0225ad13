package dev.cohort.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad usage exits 2 with one line naming the option (none of these reach a socket). */
class BadUsageTest {
  @TempDir Path dir;

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  private static void assertOneLineNaming(CliRun r, String option) {
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).contains(option);
  }

  @Test
  void bogusMode_exits2_namingMode() {
    assertOneLineNaming(run("node", "--name", "n1", "--mode", "bogus"), "--mode");
  }

  @Test
  void shortSecret_exits2_namingSecret() {
    assertOneLineNaming(run("node", "--name", "n1", "--secret", "too-short"), "--secret");
  }

  @Test
  void unreadableConfig_exits2_namingConfig() {
    assertOneLineNaming(
        run("node", "--name", "n1", "--config", dir.resolve("missing.properties").toString()),
        "--config");
  }

  @Test
  void unknownKeyInConfig_exits2_namingConfigAndKey() throws Exception {
    Path cfg = Files.writeString(dir.resolve("node.properties"), "name=n1\nhttp-prot=8081\n");
    CliRun r = run("node", "--config", cfg.toString());
    assertOneLineNaming(r, "--config");
    assertThat(r.err()).contains("http-prot");
  }

  @Test
  void badValueInConfig_exits2_namingTheOption() throws Exception {
    Path cfg = Files.writeString(dir.resolve("node.properties"), "name=n1\nmode=sideways\n");
    assertOneLineNaming(run("node", "--config", cfg.toString()), "--mode");
  }

  @Test
  void badStore_exits2_namingStore_withoutItsPassword() {
    CliRun r = run("node", "--name", "n1", "--store", "mysql://app:hunter2@db/x?password=hunter2");
    assertOneLineNaming(r, "--store");
    assertThat(r.err()).doesNotContain("hunter2");
  }

  @Test
  void oldBindOption_exits2_namingItsReplacements() {
    CliRun r = run("node", "--name", "n1", "--bind", "0.0.0.0");
    assertOneLineNaming(r, "--http-bind");
    assertThat(r.err()).contains("--cluster-bind");
  }

  @Test
  void clusterBindBeyondLoopbackWithoutASecret_exits2_namingSecretFile() {
    CliRun r = run("node", "--name", "n1", "--cluster-bind", "0.0.0.0");
    assertOneLineNaming(r, "--secret-file");
    assertThat(r.err()).contains("--insecure");
  }

  @Test
  void syncAndAsync_exits2() {
    assertOneLineNaming(run("node", "--name", "n1", "--sync", "--async"), "--async");
  }

  @Test
  void unknownOption_exits2_withOneLine() {
    assertOneLineNaming(run("node", "--name", "n1", "--colour", "red"), "--colour");
  }

  @Test
  void missingName_exits2() {
    assertOneLineNaming(run("node"), "--name");
  }

  @Test
  void badDuration_exits2_namingIt() {
    assertOneLineNaming(run("node", "--name", "n1", "--sync-timeout", "soon"), "--sync-timeout");
  }

  @Test
  void balancerWithBadPolicy_exits2_namingPolicy() {
    assertOneLineNaming(
        run("balancer", "--backend", "n1=http://127.0.0.1:8081", "--policy", "psychic"),
        "--policy");
  }

  @Test
  void balancerWithBadSecurityOptions_exits2_namingEach() {
    String backend = "n1=http://127.0.0.1:8081";
    assertOneLineNaming(
        run("balancer", "--backend", backend, "--trusted-proxy", "proxy.example"),
        "--trusted-proxy");
    assertOneLineNaming(
        run("balancer", "--backend", backend, "--admin-port", "70000"), "--admin-port");
    assertOneLineNaming(
        run("balancer", "--backend", backend, "--header-timeout", "0s"), "--header-timeout");
    assertOneLineNaming(
        run("balancer", "--backend", backend, "--max-connections-per-ip", "0"),
        "--max-connections-per-ip");
  }

  @Test
  void balancerWithBadHealthCheckOptions_exits2_namingEach() {
    String backend = "n1=http://127.0.0.1:8081";
    CliRun badCheck = run("balancer", "--backend", backend, "--health-check", "ping");
    assertOneLineNaming(badCheck, "--health-check");
    assertThat(badCheck.err()).contains("'ping'").contains("http").contains("tcp").contains("none");
    assertOneLineNaming(
        run("balancer", "--backend", backend, "--health-path", "cohort/health"), "--health-path");
    assertOneLineNaming(
        run("balancer", "--backend", backend, "--health-status", "2xx-3xx"), "--health-status");
    assertOneLineNaming(
        run("balancer", "--backend", backend, "--health-status", "600"), "--health-status");
    assertOneLineNaming(
        run("balancer", "--backend", backend, "--health-check", "tcp", "--health-path", "/"),
        "--health-path");
    assertOneLineNaming(
        run("balancer", "--backend", backend, "--health-check", "none", "--health-status", "200"),
        "--health-status");
  }

  @Test
  void balancerWithBadHealthCheckInConfig_exits2_namingTheOption() throws Exception {
    Path cfg =
        Files.writeString(
            dir.resolve("balancer.properties"),
            "backend=n1=http://127.0.0.1:8081\nhealth-check=https\n");
    assertOneLineNaming(run("balancer", "--config", cfg.toString()), "--health-check");
    Path status =
        Files.writeString(
            dir.resolve("status.properties"),
            "backend=n1=http://127.0.0.1:8081\nhealth-status=ok\n");
    assertOneLineNaming(run("balancer", "--config", status.toString()), "--health-status");
  }

  @Test
  void balancerWithoutBackend_exits2() {
    assertOneLineNaming(run("balancer"), "--backend");
  }

  @Test
  void chaosWithBadMode_exits2() {
    assertOneLineNaming(run("chaos", "--mode", "most"), "--mode");
  }

  @Test
  void everyCommandHasHelp() {
    for (String cmd : new String[] {"node", "balancer", "demo", "chaos", "status"}) {
      CliRun r = run(cmd, "--help");
      assertThat(r.code()).as(cmd).isZero();
      assertThat(r.out()).as(cmd).contains("Usage: cohort " + cmd);
    }
  }
}
