package dev.cohort.bench.e2e;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The nodes of one system under test, started one after another as separate JVMs on 127.0.0.1, with
 * a cluster name unique to this run. {@link #close()} kills what is left (the measurement is over;
 * a graceful drain would only cost time).
 */
final class BenchCluster implements AutoCloseable {
  final SystemKind system;
  final List<NodeProcess> nodes = new ArrayList<>();
  final int[] clusterPorts;
  final List<String> members = new ArrayList<>();
  final String clusterName = "bench-" + UUID.randomUUID().toString().substring(0, 8);
  private final String heap;
  private final Path logDir;
  private final String store;

  BenchCluster(SystemKind system, int size, String heap, Path logDir) throws IOException {
    this(system, size, heap, logDir, null);
  }

  /** With {@code store}: every node uses that store spec (the durable tier), or null for none. */
  BenchCluster(SystemKind system, int size, String heap, Path logDir, String store)
      throws IOException {
    this.system = system;
    this.store = store;
    this.heap = heap;
    this.logDir = logDir;
    this.clusterPorts = new int[size];
    if (system.replicated()) {
      Set<Integer> taken = new HashSet<>();
      for (int i = 0; i < size; i++) {
        int p;
        do {
          p = NodeProcess.freePort();
        } while (!taken.add(p));
        clusterPorts[i] = p;
        members.add("127.0.0.1:" + p);
      }
    }
  }

  /** Starts and returns node {@code index} (name {@code n<index+1>}). */
  NodeProcess start(int index, int expectSessions) throws IOException, InterruptedException {
    NodeOptions o =
        new NodeOptions(
            system,
            "n" + (index + 1),
            0,
            clusterPorts[index],
            members,
            clusterName,
            expectSessions,
            store);
    NodeProcess p = NodeProcess.start(o, heap, logDir, 180);
    nodes.add(p);
    return p;
  }

  /** Starts every node, one after another, and waits until each sees all of them. */
  void startAll() throws IOException, InterruptedException {
    for (int i = 0; i < clusterPorts.length; i++) {
      start(i, 0);
    }
    awaitMembers(clusterPorts.length, 60);
  }

  void awaitMembers(int expected, int timeoutSeconds) throws IOException, InterruptedException {
    if (!system.replicated()) {
      return;
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (true) {
      int min = Integer.MAX_VALUE;
      for (NodeProcess n : nodes) {
        if (n.isAlive()) {
          min = Math.min(min, stat(n, "members"));
        }
      }
      if (min >= expected) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IOException(
            system
                + ": the nodes did not all see "
                + expected
                + " members within "
                + timeoutSeconds
                + " s (lowest "
                + min
                + ") — see the node logs in "
                + logDir);
      }
      Thread.sleep(200);
    }
  }

  /** CPU time of all live nodes, nanoseconds. */
  long cpuNanos() {
    long n = 0;
    for (NodeProcess p : nodes) {
      n += p.cpuNanos();
    }
    return n;
  }

  Path logDir() {
    return logDir;
  }

  int[] httpPorts() {
    return nodes.stream().mapToInt(NodeProcess::httpPort).toArray();
  }

  List<String> names() {
    return nodes.stream().map(NodeProcess::name).toList();
  }

  Set<Integer> clusterPortSet() {
    Set<Integer> s = new HashSet<>();
    for (int p : clusterPorts) {
      if (p > 0) {
        s.add(p);
      }
    }
    return s;
  }

  /** Sum of a {@code /stats} figure over the live nodes. */
  long sum(String key) throws IOException {
    long total = 0;
    for (NodeProcess n : nodes) {
      if (n.isAlive()) {
        total += stat(n, key);
      }
    }
    return total;
  }

  static long statLong(NodeProcess n, String key, String query) throws IOException {
    String body = HttpConn.once(n.httpPort(), "/stats" + query, 30_000).body();
    for (String line : body.split("\n")) {
      if (line.startsWith(key + "=")) {
        return Long.parseLong(line.substring(key.length() + 1).trim());
      }
    }
    throw new IOException("node " + n.name() + " /stats has no " + key);
  }

  static int stat(NodeProcess n, String key) throws IOException {
    return (int) statLong(n, key, "");
  }

  @Override
  public void close() throws InterruptedException {
    for (NodeProcess n : nodes) {
      n.kill();
    }
  }
}
