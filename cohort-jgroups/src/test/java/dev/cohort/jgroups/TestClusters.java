package dev.cohort.jgroups;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/** Unique cluster names and free loopback ports for JGroups tests on a shared machine. */
final class TestClusters {
  static final String LOOPBACK = "127.0.0.1";
  static final Duration HEARTBEAT = Duration.ofMillis(300);
  static final Duration DROP_TIME = Duration.ofMillis(3000);

  private TestClusters() {}

  static String uniqueName(String prefix) {
    return "cohort-test-" + prefix + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
  }

  /**
   * {@code n} distinct free ports, each with the port FD_SOCK2 takes free too ({@code port + 100}
   * with no port range).
   */
  static List<Integer> freePorts(int n) {
    Set<Integer> taken = new HashSet<>();
    List<Integer> out = new ArrayList<>();
    while (out.size() < n) {
      int p = ephemeral();
      int fd = p + 100;
      if (fd <= 65535 && !taken.contains(p) && !taken.contains(fd) && isFree(fd)) {
        taken.add(p);
        taken.add(fd);
        out.add(p);
      }
    }
    return out;
  }

  /** The first of {@code size} consecutive free ports. */
  static int freePortBlock(int size) {
    for (int attempt = 0; attempt < 200; attempt++) {
      int start = 20_000 + ThreadLocalRandom.current().nextInt(30_000);
      boolean free = true;
      for (int p = start; p < start + size && free; p++) {
        free = isFree(p);
      }
      if (free) {
        return start;
      }
    }
    throw new IllegalStateException("no block of " + size + " free ports on " + LOOPBACK);
  }

  /** A free port for a multicast discovery group. */
  static int freeUdpPort() {
    return 20_000 + ThreadLocalRandom.current().nextInt(30_000);
  }

  static JGroupsConfig staticConfig(String cluster, String name, int port, List<Integer> all) {
    String members = all.stream().map(p -> LOOPBACK + ":" + p).collect(Collectors.joining(","));
    return JGroupsConfig.defaults(name, LOOPBACK)
        .withClusterName(cluster)
        .withPort(port)
        .withPortRange(0)
        .withDiscovery("static:" + members)
        .withHeartbeat(HEARTBEAT)
        .withDropTime(DROP_TIME);
  }

  private static int ephemeral() {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port on " + LOOPBACK + ": " + e, e);
    }
  }

  private static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
