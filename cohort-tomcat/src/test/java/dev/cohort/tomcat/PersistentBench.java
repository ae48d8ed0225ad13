package dev.cohort.tomcat;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Throughput of the counter app on one embedded Tomcat in persistent mode ({@link
 * PersistentManager}) against H2 (embedded file) and PostgreSQL (a private server, fsync on), with
 * the store written before each response ({@code storeSync}) and behind it, versus Tomcat's
 * in-memory StandardManager. Every response's counter is checked (count must be the previous + 1).
 *
 * <p>Run: {@code ./mvnw -B -o -pl cohort-tomcat -am test-compile} then {@code java -cp
 * "cohort-tomcat/target/test-classes:cohort-tomcat/target/classes:$(cat cp.txt)"
 * dev.cohort.tomcat.PersistentBench [requestsPerUser]} (cp.txt as for ReplicationBench). Needs the
 * PostgreSQL 15 binaries (COHORT_PG_BIN); as root the server runs as user postgres.
 */
public final class PersistentBench {
  private static final int USERS = 50;
  private static final int THREADS = 16;

  private PersistentBench() {}

  public static void main(String[] args) throws Exception {
    int perUser = args.length > 0 ? Integer.parseInt(args[0]) : 40;
    System.out.println("users=" + USERS + " requests/user=" + perUser + " threads=" + THREADS);
    run("in-memory (StandardManager)", PersistentBench::plain, perUser);
    for (boolean sync : new boolean[] {true, false}) {
      String h2 = "jdbc:h2:file:" + Files.createTempDirectory("bench-h2").resolve("db");
      run("persistent, H2 file, storeSync=" + sync, persistent(h2, sync), perUser);
    }
    try (PrivatePostgres pg = PrivatePostgres.start(true)) {
      for (boolean sync : new boolean[] {true, false}) {
        run("persistent, PostgreSQL, storeSync=" + sync, persistent(pg.spec(), sync), perUser);
      }
    }
    // again at the end: the first run pays for the JIT's warm-up more than the others
    run("in-memory (StandardManager), again", PersistentBench::plain, perUser);
  }

  /** A started node: its port; closed after the run. */
  private interface Started extends AutoCloseable {
    int port();

    @Override
    void close();
  }

  private static Started plain() {
    EmbeddedNode n = EmbeddedNode.startPlain("b1");
    return new Started() {
      @Override
      public int port() {
        return n.port();
      }

      @Override
      public void close() {
        n.close();
      }
    };
  }

  private static Supplier<Started> persistent(String store, boolean sync) {
    return () -> {
      PersistentNode n =
          PersistentNode.start(
              "p1",
              m -> {
                m.setStore(store);
                m.setStoreSync(sync);
              });
      return new Started() {
        @Override
        public int port() {
          return n.port();
        }

        @Override
        public void close() {
          n.close();
        }
      };
    };
  }

  private static void run(String label, Supplier<Started> start, int perUser) throws Exception {
    try (Started node = start.get()) {
      measure(node.port(), 5); // warm-up
      long[] r = measure(node.port(), perUser);
      System.out.printf(
          "%-42s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %d  (%d requests)%n",
          label, r[0] / 1e3, r[1] / 1e6, r[2] / 1e6, r[3], r[4]);
    }
  }

  /** {rps * 1000, p50 ns, p99 ns, errors, requests}. */
  private static long[] measure(int port, int perUser) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    AtomicLong errors = new AtomicLong();
    long[] latencies = new long[USERS * perUser];
    AtomicInteger next = new AtomicInteger();
    long start = System.nanoTime();
    List<Future<?>> futures = new ArrayList<>();
    for (int u = 0; u < USERS; u++) {
      futures.add(
          pool.submit(
              () -> {
                String id = null;
                for (int i = 1; i <= perUser; i++) {
                  long t0 = System.nanoTime();
                  Http.Reply r = Http.get(port, "/counter", id);
                  latencies[next.getAndIncrement()] = System.nanoTime() - t0;
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
    return new long[] {
      (long) (n / (elapsed / 1e9) * 1e3),
      latencies[n / 2],
      latencies[(int) (n * 0.99)],
      errors.get(),
      n
    };
  }
}
