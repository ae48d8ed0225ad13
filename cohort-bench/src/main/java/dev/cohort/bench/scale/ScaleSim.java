package dev.cohort.bench.scale;

import com.sun.management.OperatingSystemMXBean;
import dev.cohort.bench.e2e.SvgChart;
import dev.cohort.core.engine.EngineConfig;
import dev.cohort.core.engine.Mode;
import dev.cohort.core.engine.SessionEngine;
import dev.cohort.core.engine.SessionEngines;
import dev.cohort.core.engine.SessionEvents;
import dev.cohort.core.serial.AttributeCodec;
import dev.cohort.core.session.SessionUpdate;
import dev.cohort.core.store.SessionStore;
import dev.cohort.testkit.InMemoryNetwork;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The scale curve: 3 to 64 members in this JVM on cohort-testkit's {@link InMemoryNetwork}, one
 * {@link SessionEngine} each (sync replication), {@code mode=all} and {@code mode=backup} (k=1).
 * Sessions are spread over the members; each request commits one changed attribute on the owner.
 * Reports messages and bytes per request (counted by {@link CountingChannel}), CPU per request
 * (process CPU time, client threads included) and heap and held bytes per member.
 *
 * <p>Run: {@code scripts/bench scale [--members 3,4,8,16,32,64] [--sessions 2000] [--requests
 * 20000] [--threads 4] [--out DIR]}. Every step is bounded: requests are counted, and the sync
 * timeout (10 s) bounds each commit.
 */
public final class ScaleSim {
  /** One measured cluster size in one mode. */
  public record Point(
      Mode mode,
      int members,
      int sessions,
      int requests,
      double messagesPerRequest,
      double bytesPerRequest,
      double cpuMicrosPerRequest,
      double heapKbPerMember,
      double heldKbPerMember,
      double replicasPerMember,
      double seconds) {}

  // the engines log every view and drain at INFO/WARNING: 64 members would drown the table
  private static final Logger ENGINE_LOG = Logger.getLogger("dev.cohort");

  private ScaleSim() {}

  public static void main(String[] args) throws Exception {
    ENGINE_LOG.setLevel(Level.SEVERE);
    List<Integer> sizes = List.of(3, 4, 8, 16, 32, 64);
    int sessions = 2000;
    int requests = 20_000;
    int threads = 4;
    Path out = Path.of("cohort-bench", "target", "scale");
    for (int i = 0; i + 1 < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--members" -> {
          List<Integer> l = new ArrayList<>();
          for (String s : v.split(",")) {
            l.add(Integer.parseInt(s));
          }
          sizes = l;
        }
        case "--sessions" -> sessions = Integer.parseInt(v);
        case "--requests" -> requests = Integer.parseInt(v);
        case "--threads" -> threads = Integer.parseInt(v);
        case "--out" -> out = Path.of(v);
        default -> {
          System.err.println("scale: unknown option " + args[i]);
          System.exit(2);
        }
      }
    }
    System.out.println("warm-up (3 members, all, not reported)");
    run(Mode.ALL, 3, Math.min(sessions, 500), Math.min(requests, 5000), threads);
    Map<Mode, List<Point>> points = new LinkedHashMap<>();
    for (Mode mode : List.of(Mode.ALL, Mode.BACKUP)) {
      for (int m : sizes) {
        Point p = run(mode, m, sessions, requests, threads);
        points.computeIfAbsent(mode, k -> new ArrayList<>()).add(p);
        System.out.println(line(p));
      }
    }
    write(out, points);
    System.out.println("written: " + out.resolve("scale.md").toAbsolutePath());
  }

  /** Builds a cluster of {@code members}, runs the requests, measures, tears it down. */
  public static Point run(Mode mode, int members, int sessions, int requests, int threads)
      throws Exception {
    System.gc();
    long heap0 = usedHeap();
    InMemoryNetwork net = new InMemoryNetwork();
    List<CountingChannel> channels = new ArrayList<>();
    List<SessionEngine> engines = new ArrayList<>();
    EngineConfig config =
        EngineConfig.defaults()
            .withMode(mode)
            .withBackups(1)
            .withSync(true)
            .withSyncTimeout(Duration.ofSeconds(10))
            .withStateTransferTimeout(Duration.ofSeconds(30))
            .withDrainTimeout(Duration.ofMillis(200));
    try {
      for (int i = 0; i < members; i++) {
        CountingChannel ch = new CountingChannel(net.newChannel(String.format("m%02d", i)));
        channels.add(ch);
        SessionEngine e =
            SessionEngines.create(
                config, ch, SessionStore.NONE, SessionEvents.NONE, Clock.systemUTC());
        e.start();
        engines.add(e);
      }
      AttributeCodec codec = AttributeCodec.defaults();
      String[] ids = new String[sessions];
      for (int s = 0; s < sessions; s++) {
        ids[s] = String.format("%032X", s * 2654435761L + members);
        engines.get(s % members).commit(update(ids[s], true, codec.serialize("count", 0))).join();
      }
      long msgs0 = sum(channels, true);
      long bytes0 = sum(channels, false);
      long cpu0 = cpuNanos();
      long t0 = System.nanoTime();
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> fs = new ArrayList<>();
        int perThread = requests / threads;
        for (int t = 0; t < threads; t++) {
          int tt = t;
          fs.add(
              pool.submit(
                  () -> {
                    int[] count = new int[sessions];
                    for (int r = 0; r < perThread; r++) {
                      // thread t only touches sessions s with s % threads == t: no two threads
                      // ever commit the same session
                      int s = tt + threads * (r % Math.max(1, sessions / threads));
                      if (s >= sessions) {
                        s = tt;
                      }
                      byte[] v = codec.serialize("count", ++count[s]);
                      engines.get(s % members).commit(update(ids[s], false, v)).join();
                    }
                    return null;
                  }));
        }
        for (Future<?> f : fs) {
          f.get(10, TimeUnit.MINUTES);
        }
      } finally {
        pool.shutdownNow();
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      long done = (long) (requests / threads) * threads;
      long cpu = cpuNanos() - cpu0;
      long msgs = sum(channels, true) - msgs0;
      long bytes = sum(channels, false) - bytes0;
      long held = 0;
      long replicas = 0;
      for (SessionEngine e : engines) {
        held += e.stats().heldBytes();
        replicas += e.stats().replicaSessions();
      }
      System.gc();
      long heap = usedHeap() - heap0;
      return new Point(
          mode,
          members,
          sessions,
          (int) done,
          (double) msgs / done,
          (double) bytes / done,
          cpu / 1e3 / done,
          heap / 1024.0 / members,
          held / 1024.0 / members,
          (double) replicas / members,
          secs);
    } finally {
      net.close();
      for (SessionEngine e : engines) {
        e.close();
      }
    }
  }

  private static SessionUpdate update(String id, boolean created, byte[] value) {
    long now = System.currentTimeMillis();
    return new SessionUpdate(
        id,
        created,
        now,
        now,
        1800,
        created,
        null,
        null,
        Map.of("count", value),
        Set.of(),
        Map.of());
  }

  private static long sum(List<CountingChannel> channels, boolean messages) {
    long n = 0;
    for (CountingChannel c : channels) {
      n += messages ? c.messages.sum() : c.bytes.sum();
    }
    return n;
  }

  private static long cpuNanos() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static long usedHeap() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  static String line(Point p) {
    return String.format(
        Locale.ROOT,
        "%-6s %3d members: %6.2f msgs/req %7.1f B/req %8.1f us CPU/req  heap %8.1f KB/member"
            + "  held %7.1f KB/member  %7.1f replicas/member  (%.1f s)",
        p.mode(),
        p.members(),
        p.messagesPerRequest(),
        p.bytesPerRequest(),
        p.cpuMicrosPerRequest(),
        p.heapKbPerMember(),
        p.heldKbPerMember(),
        p.replicasPerMember(),
        p.seconds());
  }

  static void write(Path out, Map<Mode, List<Point>> points) throws java.io.IOException {
    Files.createDirectories(out);
    StringBuilder sb = new StringBuilder();
    sb.append(
        "| mode | members | msgs/req | bytes/req | CPU us/req (all members) | CPU us/req per"
            + " member | heap KB/member | held KB/member | replicas/member |\n");
    sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    Map<String, List<double[]>> msgs = new LinkedHashMap<>();
    Map<String, List<double[]>> held = new LinkedHashMap<>();
    Map<String, List<double[]>> cpu = new LinkedHashMap<>();
    for (Map.Entry<Mode, List<Point>> e : points.entrySet()) {
      String name = e.getKey().name().toLowerCase(Locale.ROOT);
      for (Point p : e.getValue()) {
        sb.append(
            String.format(
                Locale.ROOT,
                "| %s | %d | %.2f | %.0f | %.1f | %.2f | %.1f | %.1f | %.0f |%n",
                name,
                p.members(),
                p.messagesPerRequest(),
                p.bytesPerRequest(),
                p.cpuMicrosPerRequest(),
                p.cpuMicrosPerRequest() / p.members(),
                p.heapKbPerMember(),
                p.heldKbPerMember(),
                p.replicasPerMember()));
        msgs.computeIfAbsent(name, k -> new ArrayList<>())
            .add(new double[] {p.members(), p.messagesPerRequest()});
        held.computeIfAbsent(name, k -> new ArrayList<>())
            .add(new double[] {p.members(), p.heldKbPerMember()});
        cpu.computeIfAbsent(name, k -> new ArrayList<>())
            .add(new double[] {p.members(), p.cpuMicrosPerRequest()});
      }
    }
    Files.writeString(out.resolve("scale.md"), sb.toString());
    Files.writeString(
        out.resolve("scale-messages.svg"),
        SvgChart.lines(
            "Messages per request as the cluster grows (in-memory, sync)",
            "members",
            "messages per request (incl. acks)",
            msgs));
    Files.writeString(
        out.resolve("scale-memory.svg"),
        SvgChart.lines(
            "Replica bytes held per member as the cluster grows",
            "members",
            "KB held per member",
            held));
    Files.writeString(
        out.resolve("scale-cpu.svg"),
        SvgChart.lines(
            "CPU per request, all members together (one JVM, 2 shared cores)",
            "members",
            "CPU microseconds per request",
            cpu));
  }
}
