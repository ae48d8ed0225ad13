package dev.cohort.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.cli.Ports;
import dev.cohort.cli.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Scenario 7: membership without the secret, with real {@code cohort node} processes. A node with a
 * wrong secret or none at all cannot enter the secured nodes' view or read their sessions; a node
 * whose cluster port is bound to a non-loopback address without a secret refuses to start (exit 2)
 * unless --insecure says so (the address lives in a network namespace of its own: nothing leaves
 * the machine).
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class SecretIT {
  private static final String NETNS =
      "csec" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());

  @Test
  void nodesWithAWrongOrNoSecret_neverEnterTheView_norReadItsSessions() throws Exception {
    int port = Ports.freeBlock(4, 100);
    String members =
        "127.0.0.1:"
            + port
            + ",127.0.0.1:"
            + (port + 1)
            + ",127.0.0.1:"
            + (port + 2)
            + ",127.0.0.1:"
            + (port + 3);
    String cluster =
        "faults-secret-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    String secret =
        "the-right-secret-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    String[] secrets = {secret, secret, "a-wrong-secret-of-some-length", null};
    List<NodeProcess> n = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        n.add(
            NodeProcess.start(
                "secret",
                List.of(),
                "n" + (i + 1),
                "127.0.0.1",
                Ports.free(),
                secrets[i],
                "--cluster-port",
                Integer.toString(port + i),
                "--port-range",
                "0",
                "--members",
                members,
                "--cluster-name",
                cluster));
      }
      for (NodeProcess p : n) {
        await().atMost(Duration.ofSeconds(90)).until(p::healthy);
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> n.get(0).members() == 2);
      // several discovery and merge rounds: the outsiders must stay outside all along
      await()
          .during(Duration.ofSeconds(12))
          .atMost(Duration.ofSeconds(40))
          .until(
              () ->
                  n.get(0).members() == 2
                      && n.get(1).members() == 2
                      && n.get(2).members() == 1
                      && n.get(3).members() == 1);

      NodeProcess.Answer own = n.get(0).get("/counter", null);
      own = n.get(0).get("/counter", own.cookie());
      assertThat(Json.num(Json.object(own.body()), "count", -1)).isEqualTo(2);
      NodeProcess.Answer peer = n.get(1).get("/counter", own.cookie());
      assertThat(Json.num(Json.object(peer.body()), "count", -1))
          .as("the member with the secret takes the session over")
          .isEqualTo(3);
      for (NodeProcess outsider : List.of(n.get(2), n.get(3))) {
        NodeProcess.Answer a = outsider.get("/counter", peer.cookie());
        assertThat(a.statusCode()).as(a.body()).isEqualTo(200);
        assertThat(Json.num(Json.object(a.body()), "count", -1))
            .as(outsider.name + " cannot read the session: it starts a fresh one")
            .isEqualTo(1);
      }
      assertThat(n.get(0).members()).isEqualTo(2);
      // loopback without a secret is the demo's case: no warning there
      assertThat(n.get(3).log()).doesNotContain("INSECURE");
    } finally {
      for (NodeProcess p : n) {
        p.close();
      }
    }
  }

  @Test
  void clusterPortBeyondLoopbackWithoutASecret_isRefused_unlessInsecure() throws Exception {
    assertThat(run("ip", "netns", "add", NETNS)).as("needs root and ip (iproute2)").isZero();
    assertThat(run("ip", "-n", NETNS, "link", "set", "lo", "up")).isZero();
    // a veth pair with both ends inside the namespace: an address that is not loopback, and no
    // way out of the namespace (no dummy interfaces on every kernel)
    assertThat(run("ip", "-n", NETNS, "link", "add", "d0", "type", "veth", "peer", "name", "d1"))
        .isZero();
    assertThat(run("ip", "-n", NETNS, "addr", "add", "10.231.253.1/24", "dev", "d0")).isZero();
    assertThat(run("ip", "-n", NETNS, "link", "set", "d0", "up")).isZero();
    assertThat(run("ip", "-n", NETNS, "link", "set", "d1", "up")).isZero();
    String[] cluster = {
      "--cluster-port", "7800", "--port-range", "0", "--members", "10.231.253.1:7800"
    };

    try (NodeProcess refused = inNamespace("w1", "--cluster-bind", "10.231.253.1", cluster)) {
      assertThat(refused.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(refused.process.exitValue()).as(refused.log()).isEqualTo(2);
      assertThat(refused.log())
          .contains("--secret-file: required when --cluster-bind is 10.231.253.1")
          .contains("--insecure");
    }
    try (NodeProcess oldFlag = inNamespace("w2", "--bind", "10.231.253.1", cluster)) {
      assertThat(oldFlag.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(oldFlag.process.exitValue()).isEqualTo(2);
      assertThat(oldFlag.log()).contains("--http-bind").contains("--cluster-bind");
    }
    // exposing HTTP alone leaves the cluster port on loopback: no secret needed
    try (NodeProcess httpOnly = inNamespace("w3", "--http-bind", "10.231.253.1", loopback())) {
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> httpOnly.log().contains("ready") || !httpOnly.process.isAlive());
      assertThat(httpOnly.log()).contains("Cohort node w3 ready").doesNotContain("INSECURE");
    }
    try (NodeProcess insecure =
        inNamespace("w4", "--cluster-bind", "10.231.253.1", with(cluster, "--insecure"))) {
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> insecure.log().contains("ready") || !insecure.process.isAlive());
      assertThat(insecure.log()).contains("Cohort node w4 ready").contains("INSECURE");
    }
  }

  private static String[] loopback() {
    return new String[] {
      "--cluster-port", "7810", "--port-range", "0", "--members", "127.0.0.1:7810"
    };
  }

  private static String[] with(String[] args, String... more) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  private static NodeProcess inNamespace(String name, String option, String value, String[] rest)
      throws IOException {
    List<String> args = new ArrayList<>(List.of(option, value));
    args.addAll(List.of(rest));
    return NodeProcess.start(
        "secret-bind",
        List.of("ip", "netns", "exec", NETNS),
        name,
        "10.231.253.1",
        8081,
        null,
        args.toArray(String[]::new));
  }

  @AfterAll
  static void deleteNamespace() throws Exception {
    run("ip", "netns", "delete", NETNS);
  }

  private static int run(String... cmd) throws InterruptedException {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return -1;
      }
      if (p.exitValue() != 0) {
        System.out.println(String.join(" ", cmd) + ": " + out);
      }
      return p.exitValue();
    } catch (IOException e) {
      System.out.println(String.join(" ", cmd) + ": " + e);
      return -1;
    }
  }
}
