package dev.cohort.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Port checks for bad-usage messages and free ports for the demo. */
public final class Ports {
  private Ports() {}

  /** True when a TCP server socket can bind {@code host:port} right now. */
  public static boolean isFree(String host, int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Fails with the option's name when {@code port} cannot be bound on {@code host}. */
  public static void requireFree(String option, String host, int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(option + ": " + port + " is not a port — use 1..65535");
    }
    if (!isFree(host, port)) {
      throw new IllegalArgumentException(
          option
              + ": port "
              + port
              + " on "
              + host
              + " is already in use — stop what listens there or choose another port");
    }
  }

  private static final java.util.Set<Integer> handedOut =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * A port free on 127.0.0.1 now, chosen at random from 20000 up to the start of the kernel's
   * ephemeral range and never handed out twice by this JVM: a port the OS picks for a listener
   * comes from the ephemeral range, where an outgoing connection can take it before the node binds
   * it (or while the node is down for a restart).
   */
  public static int free() {
    java.util.concurrent.ThreadLocalRandom rnd = java.util.concurrent.ThreadLocalRandom.current();
    int span = Math.max(1, ephemeralRangeStart() - 20_000);
    for (int attempt = 0; attempt < 1000; attempt++) {
      int p = 20_000 + rnd.nextInt(span);
      if (!handedOut.contains(p) && isFree("127.0.0.1", p) && handedOut.add(p)) {
        return p;
      }
    }
    throw new IllegalStateException("no free port on 127.0.0.1 — too many ports in use");
  }

  /**
   * The first of {@code size} consecutive ports free on 127.0.0.1, each with {@code port + also}
   * free too (a cluster node's crash-detection port), chosen at random from 20000 up to the start
   * of the kernel's ephemeral range (Linux: {@code ip_local_port_range}, 32768 by default): a port
   * in that range can be taken by any outgoing connection while its node is down for a restart
   * (seen once in 52 restarts of a 10-minute chaos run).
   */
  public static int freeBlock(int size, int also) {
    java.util.concurrent.ThreadLocalRandom rnd = java.util.concurrent.ThreadLocalRandom.current();
    int span = Math.max(1, ephemeralRangeStart() - 20_000 - size - also);
    for (int attempt = 0; attempt < 500; attempt++) {
      int start = 20_000 + rnd.nextInt(span);
      boolean free = true;
      for (int p = start; p < start + size && free; p++) {
        free =
            !handedOut.contains(p)
                && !handedOut.contains(p + also)
                && isFree("127.0.0.1", p)
                && isFree("127.0.0.1", p + also);
      }
      if (free) {
        for (int p = start; p < start + size; p++) {
          handedOut.add(p);
          handedOut.add(p + also);
        }
        return start;
      }
    }
    throw new IllegalStateException(
        "no " + size + " consecutive free ports on 127.0.0.1 — too many ports in use");
  }

  /** The first port the kernel hands out to outgoing connections (32768 when unknown). */
  static int ephemeralRangeStart() {
    try {
      String range =
          java.nio.file.Files.readString(
              java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
      int low = Integer.parseInt(range.trim().split("\\s+")[0]);
      return low > 21_000 ? Math.min(low, 50_000) : 50_000;
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }
}
