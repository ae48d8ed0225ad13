package dev.cohort.jgroups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code dns:NAME@SERVER:PORT} discovery against a real DNS server: dnsmasq, started here on
 * 127.0.0.1 at a free port, answers NAME with 127.0.0.1 and nothing else. Three channels configured
 * with that discovery only (no static members, no multicast) must form one view; dnsmasq's query
 * log shows they asked it.
 *
 * <p>The members share one host, so they share the A record and differ by port: each is configured
 * with the same {@code port} and {@code portRange} 2 and takes the next free port of the range,
 * which DNS_PING probes for every address the name resolves to. Needs {@code dnsmasq} on the PATH
 * (Debian package {@code dnsmasq}, installed by scripts/test-env-setup): missing, the test fails
 * under CI=true and is skipped elsewhere.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DnsDiscoveryIT {
  private Process dnsmasq;
  private Path dnsLog;

  @AfterEach
  void stopDnsmasq() throws InterruptedException {
    if (dnsmasq != null && dnsmasq.isAlive()) {
      dnsmasq.destroy();
      if (!dnsmasq.waitFor(10, TimeUnit.SECONDS)) {
        dnsmasq.destroyForcibly();
      }
    }
  }

  @Test
  void threeMembers_findEachOther_throughTheDnsServerOnly() throws Exception {
    String name = "members-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".test";
    int dnsPort = startDnsmasq(name);
    int base = freeRangeWithFdSockPorts(3);
    String cluster = TestClusters.uniqueName("dns");
    String discovery = "dns:" + name + "@127.0.0.1:" + dnsPort;

    try (Members members = new Members("dns", 0)) {
      List<JGroupsChannel> chs = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        chs.add(
            members.start(
                JGroupsConfig.defaults("n" + i, TestClusters.LOOPBACK)
                    .withClusterName(cluster)
                    .withPort(base)
                    .withPortRange(2)
                    .withDiscovery(discovery)
                    .withHeartbeat(TestClusters.HEARTBEAT)
                    .withDropTime(TestClusters.DROP_TIME)));
      }

      Members.awaitViewSize(Duration.ofSeconds(60), 3, chs.toArray(JGroupsChannel[]::new));

      assertThat(chs.get(0).view().members())
          .extracting(m -> m.name())
          .containsExactlyInAnyOrder("n1", "n2", "n3");
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(Files.readString(dnsLog))
                      .as("dnsmasq's query log")
                      .contains("query[A] " + name + " from 127.0.0.1")
                      .contains("config " + name + " is 127.0.0.1"));
    }
  }

  /** Starts dnsmasq on 127.0.0.1 answering {@code name} with 127.0.0.1; returns its port. */
  private int startDnsmasq(String name) throws Exception {
    String binary = findDnsmasq();
    if (binary == null) {
      String why =
          "dnsmasq is not installed — run scripts/test-env-setup (apt-get install dnsmasq)";
      if ("true".equals(System.getenv("CI"))) {
        fail("CI=true and " + why);
      }
      Assumptions.abort(why);
    }
    Path dir = Files.createDirectories(Path.of("target", "dnsmasq"));
    for (int attempt = 0; attempt < 5; attempt++) {
      int port = freeUdpAndTcpPort();
      dnsLog = dir.resolve("dnsmasq-" + port + ".log");
      dnsmasq =
          new ProcessBuilder(
                  binary,
                  "--no-daemon",
                  "--keep-in-foreground",
                  "--conf-file=/dev/null",
                  "--no-resolv",
                  "--no-hosts",
                  "--no-poll",
                  "--user=" + System.getProperty("user.name"),
                  "--listen-address=127.0.0.1",
                  "--bind-interfaces",
                  "--port=" + port,
                  "--pid-file=" + dir.resolve("dnsmasq-" + port + ".pid").toAbsolutePath(),
                  "--host-record=" + name + ",127.0.0.1",
                  "--log-queries",
                  "--log-facility=-")
              .redirectErrorStream(true)
              .redirectOutput(dnsLog.toFile())
              .start();
      // dnsmasq listens before it logs "started"; a lost port race makes it exit at once
      boolean started =
          await()
              .atMost(Duration.ofSeconds(15))
              .until(
                  () -> !dnsmasq.isAlive() || Files.readString(dnsLog).contains("started"),
                  done -> done);
      if (started && dnsmasq.isAlive()) {
        return port;
      }
      dnsmasq.destroyForcibly();
    }
    throw new IllegalStateException(
        "dnsmasq did not start on 127.0.0.1 [" + dnsLog + "]: see its log — check the binary");
  }

  private static String findDnsmasq() {
    return Stream.of("/usr/sbin/dnsmasq", "/usr/bin/dnsmasq", "/sbin/dnsmasq")
        .filter(p -> Files.isExecutable(Path.of(p)))
        .findFirst()
        .orElse(null);
  }

  private static int freeUdpAndTcpPort() throws IOException {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port;
      try (DatagramSocket udp = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
        port = udp.getLocalPort();
      }
      if (isFreeTcp(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free UDP+TCP port on 127.0.0.1 for dnsmasq");
  }

  /**
   * The first of {@code size} consecutive free ports whose FD_SOCK2 ports (100 up, plus its own
   * range of 5) are free too.
   */
  private static int freeRangeWithFdSockPorts(int size) {
    for (int attempt = 0; attempt < 200; attempt++) {
      int start = TestClusters.freePortBlock(size);
      boolean free = start + 100 + size + 5 <= 65535;
      for (int p = start + 100; free && p < start + 100 + size + 5; p++) {
        free = isFreeTcp(p);
      }
      if (free) {
        return start;
      }
    }
    throw new IllegalStateException("no block of " + size + " free ports (and FD_SOCK2 ports)");
  }

  private static boolean isFreeTcp(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
