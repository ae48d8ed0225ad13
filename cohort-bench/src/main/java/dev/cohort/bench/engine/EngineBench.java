package dev.cohort.bench.engine;

import dev.cohort.core.channel.ClusterChannel;
import dev.cohort.core.engine.EngineConfig;
import dev.cohort.core.engine.EngineStats;
import dev.cohort.core.engine.Mode;
import dev.cohort.core.engine.SessionEngine;
import dev.cohort.core.engine.SessionEngines;
import dev.cohort.core.engine.SessionEvents;
import dev.cohort.core.serial.AttributeCodec;
import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.session.SessionUpdate;
import dev.cohort.core.store.SessionStore;
import dev.cohort.core.wire.Frame;
import dev.cohort.core.wire.Op;
import dev.cohort.core.wire.WireCodec;
import dev.cohort.jgroups.JGroupsChannel;
import dev.cohort.jgroups.JGroupsConfig;
import dev.cohort.testkit.InMemoryNetwork;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Replication engine figures, outside of any test (speed is never asserted in tests):
 *
 * <ul>
 *   <li>counter increments (one Integer attribute changed) with k=1, sync: deltas/s, ack latency
 *       and bytes per delta, between 2 and 3 members, in memory and over JGroups on loopback;
 *   <li>heap per held session copy versus its serialized size (1 KB sessions);
 *   <li>state transfer of 100,000 sessions of 1 KB to a joiner in mode all: time and heap growth.
 * </ul>
 *
 * <p>Run: {@code java -Xmx2g -cp cohort-bench/target/benchmarks.jar
 * dev.cohort.bench.engine.EngineBench [all|counter|heap|transfer] [--no-jgroups]}. Everything binds
 * to 127.0.0.1; every loop is bounded in count and time.
 */
public final class EngineBench {
  private static final AttributeCodec ATTRS = AttributeCodec.defaults();
  private static final Duration MAX_PHASE = Duration.ofSeconds(20);

  private EngineBench() {}

  public static void main(String[] args) throws Exception {
    String what = args.length > 0 ? args[0] : "all";
    boolean jgroups = !List.of(args).contains("--no-jgroups");
    if (what.equals("all") || what.equals("counter")) {
      counter("in-memory", 2, EngineBench::inMemory);
      counter("in-memory", 3, EngineBench::inMemory);
      if (jgroups) {
        counter("jgroups-loopback", 2, EngineBench::jgroups);
        counter("jgroups-loopback", 3, EngineBench::jgroups);
      }
    }
    if (what.equals("all") || what.equals("heap")) {
      heap();
    }
    if (what.equals("all") || what.equals("transfer")) {
      transfer();
    }
    System.exit(0);
  }

  // ---------------------------------------------------------------- clusters

  private static Function<String, ClusterChannel> inMemory(int n) {
    InMemoryNetwork net = new InMemoryNetwork();
    return net::newChannel;
  }

  private static Function<String, ClusterChannel> jgroups(int n) {
    String cluster = "cohort-bench-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    List<Integer> ports = new ArrayList<>();
    while (ports.size() < n) {
      int p = freePort();
      if (!ports.contains(p) && !ports.contains(p + 1) && !ports.contains(p - 1)) {
        ports.add(p);
      }
    }
    String members = ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    int[] next = {0};
    return name ->
        new JGroupsChannel(
            JGroupsConfig.defaults(name, "127.0.0.1")
                .withClusterName(cluster)
                .withPort(ports.get(next[0]++))
                .withPortRange(0)
                .withDiscovery("static:" + members));
  }

  private interface ClusterFactory {
    Function<String, ClusterChannel> channels(int n);
  }

  private static List<SessionEngine> start(
      EngineConfig config, int n, Function<String, ClusterChannel> channels) throws Exception {
    List<SessionEngine> engines = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      SessionEngine e =
          SessionEngines.create(
              config,
              channels.apply("n" + i),
              SessionStore.NONE,
              SessionEvents.NONE,
              Clock.systemUTC());
      e.start();
      engines.add(e);
    }
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (engines.stream().anyMatch(e -> e.view().size() != n)) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException("members did not form one view of " + n + " in 60 s");
      }
      Thread.sleep(20);
    }
    return engines;
  }

  private static void close(List<SessionEngine> engines) {
    for (SessionEngine e : engines) {
      e.close();
    }
  }

  // ---------------------------------------------------------------- counter increments

  private static SessionUpdate update(String id, boolean created, Map<String, byte[]> attrs) {
    long now = System.currentTimeMillis();
    return new SessionUpdate(
        id, created, now, now, 1800, false, null, null, attrs, Set.of(), Map.of());
  }

  private static void counter(String transport, int members, ClusterFactory f) throws Exception {
    List<SessionEngine> engines =
        start(EngineConfig.defaults().withBackups(1), members, f.channels(members));
    try {
      SessionEngine owner = engines.get(0);
      int sessions = 100;
      for (int s = 0; s < sessions; s++) {
        owner
            .commit(update(sid(s), true, Map.of("count", ATTRS.serialize("count", 0))))
            .get(10, TimeUnit.SECONDS);
      }
      // warm-up, then measure; one request thread, sync: each increment waits for its ack
      run(owner, sessions, 5_000, 1);
      EngineStats st = owner.stats();
      long d0 = st.deltasSent();
      long b0 = st.bytesSent();
      long a0 = st.ackCount();
      long n0 = st.ackNanosTotal();
      long t0 = System.nanoTime();
      int done = run(owner, sessions, 50_000, 5_001);
      double secs = (System.nanoTime() - t0) / 1e9;
      long deltas = st.deltasSent() - d0;
      long acks = st.ackCount() - a0;
      System.out.printf(
          Locale.ROOT,
          "counter %-16s members=%d k=1 sync: %,d increments in %.2f s = %,.0f deltas/s,"
              + " ack avg %.3f ms (max %.3f ms), %.1f bytes sent per delta%n",
          transport,
          members,
          done,
          secs,
          done / secs,
          acks == 0 ? 0 : (st.ackNanosTotal() - n0) / 1e6 / acks,
          st.ackNanosMax() / 1e6,
          deltas == 0 ? 0 : (double) (st.bytesSent() - b0) / deltas);
      // 4 request threads: concurrent deltas to one holder share frames
      long d1 = st.deltasSent();
      long t1 = System.nanoTime();
      List<Thread> threads = new ArrayList<>();
      int[] counts = new int[4];
      for (int t = 0; t < 4; t++) {
        int slot = t;
        Thread th =
            new Thread(
                () -> {
                  try {
                    counts[slot] = run(owner, sessions / 4, 20_000, 100_000 * (slot + 1), slot);
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                });
        th.start();
        threads.add(th);
      }
      for (Thread th : threads) {
        th.join();
      }
      double secs4 = (System.nanoTime() - t1) / 1e9;
      int total = counts[0] + counts[1] + counts[2] + counts[3];
      System.out.printf(
          Locale.ROOT,
          "counter %-16s members=%d k=1 sync, 4 threads: %,.0f deltas/s (%,d deltas)%n",
          transport,
          members,
          total / secs4,
          st.deltasSent() - d1);
    } finally {
      close(engines);
    }
  }

  private static String sid(int s) {
    return String.format("%032X", 0xC0FFEE00L + s);
  }

  private static int run(SessionEngine owner, int sessions, int count, int base) throws Exception {
    return run(owner, sessions, count, base, 0);
  }

  private static int run(SessionEngine owner, int sessions, int count, int base, int slot)
      throws Exception {
    long end = System.nanoTime() + MAX_PHASE.toNanos();
    int i = 0;
    for (; i < count && System.nanoTime() < end; i++) {
      int s = slot * sessions + (i % sessions);
      owner
          .commit(update(sid(s), false, Map.of("count", ATTRS.serialize("count", base + i))))
          .get(10, TimeUnit.SECONDS);
    }
    return i;
  }

  // ---------------------------------------------------------------- heap per session

  /** Live bytes per class, from the JVM's class histogram (which runs a full GC first). */
  private static Map<String, Long> liveByClass() throws Exception {
    String text =
        (String)
            ManagementFactory.getPlatformMBeanServer()
                .invoke(
                    new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "gcClassHistogram",
                    new Object[] {new String[0]},
                    new String[] {String[].class.getName()});
    Map<String, Long> out = new java.util.HashMap<>();
    for (String line : text.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 4 && f[0].endsWith(":")) {
        out.merge(f[3], Long.parseLong(f[2]), Long::sum);
      } else if (f.length >= 3 && f[0].equals("Total")) {
        out.put("Total", Long.parseLong(f[2]));
      }
    }
    return out;
  }

  private static Map<String, byte[]> oneKb(Random rnd) {
    byte[] value = new byte[1024 - 27]; // a 1 KB serialized byte[] attribute
    rnd.nextBytes(value);
    return Map.of("data", ATTRS.serialize("data", value));
  }

  /**
   * Heap per session copy, owner and replica apart: one member holds {@code n} sessions (owner
   * copies); a second member joins and receives a replica of each; each step's heap growth after
   * full GCs, divided by {@code n}.
   */
  private static void heap() throws Exception {
    int n = 100_000;
    EngineConfig config = EngineConfig.defaults().withBackups(1);
    Function<String, ClusterChannel> channels = inMemory(2);
    List<SessionEngine> engines = start(config, 1, channels);
    try {
      Random rnd = new Random(1);
      Map<String, Long> base = liveByClass();
      for (int s = 0; s < n; s++) {
        engines.get(0).commit(update(sid(s), true, oneKb(rnd))).get(10, TimeUnit.SECONDS);
      }
      Map<String, Long> owners = liveByClass();
      SessionEngine second =
          SessionEngines.create(
              config,
              channels.apply("n2"),
              SessionStore.NONE,
              SessionEvents.NONE,
              Clock.systemUTC());
      second.start();
      engines.add(second);
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (second.stats().replicaSessions() < n) {
        if (System.nanoTime() > end) {
          throw new IllegalStateException(
              "the joiner holds " + second.stats().replicaSessions() + " of " + n + " replicas");
        }
        Thread.sleep(50);
      }
      Map<String, Long> replicas = liveByClass();
      WireCodec codec = new WireCodec(16 << 20, 8 << 20);
      SessionRecord r =
          new SessionRecord(
              sid(0),
              1,
              1,
              System.currentTimeMillis(),
              1800,
              false,
              null,
              null,
              Map.of(),
              oneKb(new Random(1)));
      int wire = codec.encode(Frame.of(new Op.Full(r, "n1"))).length;
      double owner = (owners.get("Total") - base.get("Total")) / (double) n;
      double added = (replicas.get("Total") - owners.get("Total")) / (double) n;
      // the owner's side of replication: the holder lists it keeps (shared between sessions)
      String holderList = "dev.cohort.core.engine.Holders";
      double ownerLists =
          (replicas.getOrDefault(holderList, 0L) - owners.getOrDefault(holderList, 0L))
              / (double) n;
      double replica = added - ownerLists;
      System.out.printf(
          Locale.ROOT,
          "heap: %,d sessions of %d bytes serialized (%d of values): %.0f bytes per owner copy ="
              + " %.2fx; a replica adds %.0f bytes = %.2fx: %.0f on the replica holder (%.2fx),"
              + " %.0f on the owner (its holder list)%n",
          n,
          wire,
          r.valueBytes(),
          owner,
          owner / wire,
          added,
          added / wire,
          replica,
          replica / wire,
          ownerLists);
    } finally {
      close(engines);
    }
  }

  // ---------------------------------------------------------------- state transfer

  private static void transfer() throws Exception {
    int n = 100_000;
    EngineConfig config = EngineConfig.defaults().withMode(Mode.ALL);
    InMemoryNetwork net = new InMemoryNetwork();
    List<SessionEngine> engines = start(config, 1, net::newChannel);
    try {
      Random rnd = new Random(2);
      for (int s = 0; s < n; s++) {
        engines.get(0).commit(update(sid(s), true, oneKb(rnd))).get(10, TimeUnit.SECONDS);
      }
      long before = liveByClass().get("Total");
      long sentBefore = engines.get(0).stats().bytesSent();
      SessionEngine joiner =
          SessionEngines.create(
              config,
              net.newChannel("n2"),
              SessionStore.NONE,
              SessionEvents.NONE,
              Clock.systemUTC());
      long t0 = System.nanoTime();
      joiner.start();
      double secs = (System.nanoTime() - t0) / 1e9;
      engines.add(joiner);
      long after = liveByClass().get("Total");
      long data = joiner.stats().heldBytes();
      long wire = engines.get(0).stats().bytesSent() - sentBefore;
      long grew = after - before;
      System.out.printf(
          Locale.ROOT,
          "state transfer: %,d sessions of 1 KB (%,d of %,d received) in %.2f s, %,d bytes sent;"
              + " live heap grew %,d bytes = %.2fx the bytes sent (%.0f%% over the %,d bytes of"
              + " values held; process live heap before %,d MB)%n",
          n,
          joiner.stats().transferReceived(),
          joiner.stats().transferExpected(),
          secs,
          wire,
          grew,
          grew / (double) wire,
          100.0 * (grew - data) / data,
          data,
          before >> 20);
      transientOverhead(config, net, engines, grew / (double) n, n);
    } finally {
      close(engines);
      net.close();
    }
  }

  /**
   * What the transfer itself holds, apart from the copies the joiner keeps: a second joiner takes
   * the state while the main thread samples the live heap (full GCs) and subtracts the copies
   * received so far at the per-copy cost of the first transfer. The largest remainder is the
   * transfer's own footprint on both sides (chunks in flight, buffers). Sampling slows the
   * transfer, so this pass is not timed.
   */
  private static void transientOverhead(
      EngineConfig config, InMemoryNetwork net, List<SessionEngine> engines, double perCopy, int n)
      throws Exception {
    SessionEngine first = engines.remove(engines.size() - 1);
    first.close();
    long before = liveByClass().get("Total");
    SessionEngine joiner =
        SessionEngines.create(
            config, net.newChannel("n3"), SessionStore.NONE, SessionEvents.NONE, Clock.systemUTC());
    engines.add(joiner);
    Thread starter = new Thread(joiner::start, "joiner-start");
    starter.start();
    long worst = Long.MIN_VALUE;
    int samples = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (starter.isAlive() && System.nanoTime() < deadline) {
      long received = joiner.stats().transferReceived();
      long live = liveByClass().get("Total");
      long receivedAfter = joiner.stats().transferReceived();
      // copies received during the GC may or may not be counted in it: take the fewer
      long overhead = live - before - (long) (Math.min(received, receivedAfter) * perCopy);
      worst = Math.max(worst, overhead);
      samples++;
      Thread.sleep(100);
    }
    starter.join(TimeUnit.SECONDS.toMillis(120));
    long after = liveByClass().get("Total");
    double held = n * perCopy;
    System.out.printf(
        Locale.ROOT,
        "state transfer, transient: %d live-heap samples during a second transfer; largest heap"
            + " beyond the copies received so far %,d bytes = %.1f%% of the %,.0f bytes the"
            + " copies take; after it: %,d bytes beyond them%n",
        samples,
        worst,
        100.0 * worst / held,
        held,
        after - before - (long) held);
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port on 127.0.0.1: " + e, e);
    }
  }
}
