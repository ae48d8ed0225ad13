package dev.cohort.tomcat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * End-to-end throughput of the adapter: 200 users with sticky cookies against 3 embedded nodes in
 * this JVM (JGroups on 127.0.0.1), sync and async, versus one node without replication. Every
 * response's counter is checked (count must be the previous + 1).
 *
 * <p>Run: {@code ./mvnw -B -o -pl cohort-tomcat test-compile} then {@code java -cp
 * "cohort-tomcat/target/test-classes:cohort-tomcat/target/classes:$(cat cp.txt)"
 * dev.cohort.tomcat.ReplicationBench [requestsPerUser]} (cp.txt from {@code
 * dependency:build-classpath -Dmdep.outputFile=cp.txt -Dmdep.includeScope=test}).
 */
public final class ReplicationBench {
  private static final int USERS = 200;
  private static final int THREADS = 32;

  private ReplicationBench() {}

  public static void main(String[] args) throws Exception {
    int perUser = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    System.out.println("users=" + USERS + " requests/user=" + perUser + " threads=" + THREADS);
    run("baseline (1 node, no replication)", null, perUser);
    run("3 nodes, backup k=1, sync", true, perUser);
    run("3 nodes, backup k=1, async", false, perUser);
  }

  private static void run(String label, Boolean sync, int perUser) throws Exception {
    List<EmbeddedNode> nodes = new ArrayList<>();
    try {
      if (sync == null) {
        nodes.add(EmbeddedNode.startPlain("b1"));
      } else {
        String cluster = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        int[] ports = {NodeProcess.freePort(), NodeProcess.freePort(), NodeProcess.freePort()};
        String discovery =
            "static:127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1] + ",127.0.0.1:" + ports[2];
        for (int i = 0; i < 3; i++) {
          int port = ports[i];
          nodes.add(
              EmbeddedNode.start(
                  "n" + (i + 1),
                  c -> {
                    c.setMode("backup");
                    c.setSync(sync);
                    c.setClusterName(cluster);
                    c.setPort(port);
                    c.setPortRange(0);
                    c.setDiscovery(discovery);
                  }));
        }
      }
      int[] ports = nodes.stream().mapToInt(EmbeddedNode::port).toArray();
      // warm-up
      measure(ports, 5);
      Result r = measure(ports, perUser);
      System.out.printf(
          "%-38s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %d  (%d requests)%n",
          label, r.rps, r.p50, r.p99, r.errors, r.requests);
    } finally {
      nodes.forEach(EmbeddedNode::close);
    }
  }

  record Result(double rps, double p50, double p99, long errors, int requests) {}

  private static Result measure(int[] ports, int perUser) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    AtomicLong errors = new AtomicLong();
    long[] latencies = new long[USERS * perUser];
    AtomicLong next = new AtomicLong();
    long start = System.nanoTime();
    List<Future<?>> futures = new ArrayList<>();
    for (int u = 0; u < USERS; u++) {
      int port = ports[u % ports.length];
      futures.add(
          pool.submit(
              () -> {
                String id = null;
                for (int i = 1; i <= perUser; i++) {
                  long t0 = System.nanoTime();
                  Http.Reply r = Http.get(port, "/counter", id);
                  latencies[(int) next.getAndIncrement()] = System.nanoTime() - t0;
                  if (r.status() != 200 || r.count() != i) {
                    errors.incrementAndGet();
                  }
                  if (r.setCookieId() != null) {
                    id = r.setCookieId();
                  }
                }
              }));
    }
    for (Future<?> f : futures) {
      f.get(10, TimeUnit.MINUTES);
    }
    long elapsed = System.nanoTime() - start;
    pool.shutdown();
    Arrays.sort(latencies);
    int n = latencies.length;
    return new Result(
        n / (elapsed / 1e9),
        latencies[n / 2] / 1e6,
        latencies[(int) (n * 0.99)] / 1e6,
        errors.get(),
        n);
  }
}
