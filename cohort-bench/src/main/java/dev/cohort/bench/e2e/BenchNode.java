package dev.cohort.bench.e2e;

import dev.cohort.core.engine.EngineStats;
import dev.cohort.core.engine.SessionEngine;
import dev.cohort.core.serial.AttributeCodec;
import dev.cohort.core.session.SessionUpdate;
import dev.cohort.tomcat.CohortCluster;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.Manager;
import org.apache.catalina.Session;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.ha.tcp.SimpleTcpCluster;
import org.apache.catalina.startup.Tomcat;

/**
 * One benchmark node: an embedded Tomcat on 127.0.0.1 serving the {@link CounterServlet} in a
 * distributable context, clustered by the chosen {@link SystemKind}. Run as its own JVM by {@link
 * NodeProcess}: prints {@code READY <httpPort>} once serving; a line {@code stop} on stdin (or its
 * end) stops it gracefully.
 *
 * <p>A daemon thread samples the heap every 10 ms (peak reported by {@code /stats}) and, when
 * {@code --expect N} is set, the time from start until the node first held N sessions.
 */
public final class BenchNode implements AutoCloseable {
  private final NodeOptions options;
  private final Tomcat tomcat;
  private final Context context;
  private final CohortCluster cohort;
  private final SimpleTcpCluster tomcatCluster;
  private final Path base;
  private final AtomicLong heapPeak = new AtomicLong();
  private final long startNanos = System.nanoTime();
  private volatile long reachedMillis = -1;
  private volatile long firstMillis = -1;
  private volatile boolean sampling = true;

  private BenchNode(NodeOptions options) throws IOException {
    this.options = options;
    this.base = Files.createTempDirectory("cohort-bench-" + options.name());
    tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    Connector connector = new Connector();
    connector.setPort(options.httpPort());
    connector.setProperty("address", "127.0.0.1");
    connector.setProperty("maxKeepAliveRequests", "-1");
    tomcat.getService().addConnector(connector);
    tomcat.setConnector(connector);
    tomcat.getEngine().setJvmRoute(options.name());
    SystemKind s = options.system();
    if (s.family() == SystemKind.Family.COHORT) {
      cohort = new CohortCluster();
      cohort.setMode(s.all() ? "all" : "backup");
      cohort.setBackups(1);
      cohort.setSync(s.sync());
      cohort.setClusterName(options.clusterName());
      cohort.setBindAddress("127.0.0.1");
      cohort.setPort(options.clusterPort());
      cohort.setPortRange(0);
      cohort.setDiscovery("static:" + String.join(",", options.members()));
      cohort.setHeartbeat(500);
      cohort.setDropTime(3000);
      cohort.setSyncTimeout(5000);
      cohort.setDrainTimeout(5000);
      cohort.setStateTransferTimeout(60_000);
      cohort.setAdminEnabled(false);
      if (options.store() != null) {
        cohort.setStore(options.store());
      }
      tomcat.getEngine().setCluster(cohort);
      tomcatCluster = null;
    } else {
      cohort = null;
      tomcatCluster =
          s.family() == SystemKind.Family.TOMCAT ? TomcatClustering.build(options) : null;
      if (tomcatCluster != null) {
        tomcat.getEngine().setCluster(tomcatCluster);
      }
    }
    context = tomcat.addContext("", base.toString());
    context.setDistributable(s.replicated());
    Tomcat.addServlet(context, "counter", new CounterServlet(this));
    context.addServletMappingDecoded("/", "counter");
  }

  /** Starts a node in this JVM (tests and in-process runs). */
  public static BenchNode start(NodeOptions options) {
    BenchNode n;
    try {
      n = new BenchNode(options);
    } catch (IOException e) {
      throw new IllegalStateException(
          "node " + options.name() + " did not start: " + e + " — check the temp directory", e);
    }
    Thread sampler = new Thread(n::sample, "bench-sampler-" + options.name());
    sampler.setDaemon(true);
    sampler.start();
    try {
      n.tomcat.start();
    } catch (LifecycleException e) {
      n.sampling = false;
      throw new IllegalStateException(
          "node " + options.name() + " did not start: " + e + " — see its log", e);
    }
    return n;
  }

  public static void main(String[] args) throws Exception {
    NodeOptions options;
    try {
      options = NodeOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("bench node: " + e.getMessage());
      System.exit(2);
      return;
    }
    BenchNode node = start(options);
    System.out.println("READY " + node.httpPort());
    System.out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null && !line.trim().equals("stop")) {
      // wait for stop or the end of stdin
    }
    node.close();
    System.exit(0);
  }

  public int httpPort() {
    return tomcat.getConnector().getLocalPort();
  }

  public String name() {
    return options.name();
  }

  private void sample() {
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    while (sampling) {
      long used = mem.getHeapMemoryUsage().getUsed();
      heapPeak.accumulateAndGet(used, Math::max);
      if (options.expectSessions() > 0 && reachedMillis < 0) {
        long held = sessions();
        long now = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        if (held > 0 && firstMillis < 0) {
          firstMillis = now;
        }
        if (held >= options.expectSessions()) {
          reachedMillis = now;
        }
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Sessions this node holds: owned and replicas (Cohort), or its manager's active sessions. */
  long sessions() {
    if (cohort != null) {
      long n = 0;
      for (SessionEngine e : cohort.engines()) {
        EngineStats st = e.stats();
        n += st.ownedSessions() + st.replicaSessions();
      }
      return n;
    }
    Manager m = context.getManager();
    return m == null ? 0 : m.getActiveSessions();
  }

  /** Cluster members this node sees, itself included (1 when unclustered). */
  int members() {
    if (cohort != null) {
      int n = 0;
      for (SessionEngine e : cohort.engines()) {
        n = Math.max(n, e.view().size());
      }
      return n;
    }
    return tomcatCluster == null ? 1 : tomcatCluster.getMembers().length + 1;
  }

  /** Bytes and messages the clustering sent since start: [bytes, messages]. */
  long[] sent() {
    if (cohort != null) {
      long bytes = 0;
      long msgs = 0;
      for (SessionEngine e : cohort.engines()) {
        bytes += e.stats().bytesSent();
        msgs += e.stats().deltasSent();
      }
      return new long[] {bytes, msgs};
    }
    return new long[] {TomcatClustering.SENT_BYTES.get(), TomcatClustering.SENT_MESSAGES.get()};
  }

  /** Look-up figures of the Cohort engines: [claims sent, look-ups refused, store look-ups]. */
  long[] lookups() {
    long[] n = new long[3];
    if (cohort != null) {
      for (SessionEngine e : cohort.engines()) {
        n[0] += e.stats().claimsSent();
        n[1] += e.stats().lookupsRefused();
        n[2] += e.stats().storeLookups();
      }
    }
    return n;
  }

  /** The {@code /stats} body: one {@code key=value} per line, counts and sizes only. */
  String stats(boolean resetPeak) {
    long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long peak = resetPeak ? heapPeak.getAndSet(used) : heapPeak.get();
    long[] sent = sent();
    long[] lookups = lookups();
    return "node="
        + options.name()
        + "\nmembers="
        + members()
        + "\nsessions="
        + sessions()
        + "\nsentBytes="
        + sent[0]
        + "\nsentMessages="
        + sent[1]
        + "\nheapUsed="
        + used
        + "\nheapPeak="
        + peak
        + "\nreachedMillis="
        + reachedMillis
        + "\nfirstMillis="
        + firstMillis
        + "\nclaimsSent="
        + lookups[0]
        + "\nlookupsRefused="
        + lookups[1]
        + "\nstoreLookups="
        + lookups[2]
        + "\n";
  }

  /** Creates {@code n} sessions with {@code count=1} on this node only (state-transfer set-up). */
  int populate(int n) {
    SecureRandom random = new SecureRandom();
    if (cohort != null) {
      SessionEngine engine = cohort.engines().iterator().next();
      byte[] one = AttributeCodec.defaults().serialize("count", 1);
      long now = System.currentTimeMillis();
      for (int i = 0; i < n; i++) {
        byte[] id = new byte[16];
        random.nextBytes(id);
        engine
            .commit(
                new SessionUpdate(
                    HexFormat.of().withUpperCase().formatHex(id),
                    true,
                    now,
                    now,
                    1800,
                    true,
                    null,
                    null,
                    Map.of("count", one),
                    Set.of(),
                    Map.of()))
            .join();
      }
      return n;
    }
    Manager m = context.getManager();
    for (int i = 0; i < n; i++) {
      Session s = m.createSession(null);
      s.getSession().setAttribute("count", 1);
    }
    return n;
  }

  @Override
  public void close() {
    sampling = false;
    try {
      tomcat.stop();
      tomcat.destroy();
    } catch (LifecycleException e) {
      throw new IllegalStateException("node " + options.name() + " did not stop: " + e, e);
    }
  }
}
