package dev.cohort.cli.demo;

import dev.cohort.cli.Main;
import dev.cohort.cli.Ports;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * A cluster of node JVMs and one balancer JVM on 127.0.0.1, all child processes of this one (the
 * same jar): what {@code cohort demo} shows and what {@code cohort chaos} breaks. Closing it stops
 * every child (gracefully, then by force) and waits for each: it leaves no process behind.
 */
public final class DemoCluster implements Nodes, AutoCloseable {
  /**
   * What to start. {@code logDir} null: children's output goes to {@code console}. {@code secret}
   * null: the nodes run without one (they are on loopback); else they get it in their environment.
   */
  public record Options(
      int nodes,
      String mode,
      int backups,
      boolean sync,
      boolean freePorts,
      Duration startTimeout,
      PrintStream console,
      Path logDir,
      String secret) {

    public Options(
        int nodes,
        String mode,
        int backups,
        boolean sync,
        boolean freePorts,
        Duration startTimeout,
        PrintStream console,
        Path logDir) {
      this(nodes, mode, backups, sync, freePorts, startTimeout, console, logDir, null);
    }
  }

  public static final int DEMO_BALANCER_PORT = 8080;
  public static final int DEMO_BALANCER_ADMIN_PORT = 8079;
  public static final int DEMO_HTTP_PORT = 8081;
  public static final int DEMO_CLUSTER_PORT = 7801;

  /** Each node's admin connector (status, page, metrics), on loopback. */
  public static final int DEMO_ADMIN_PORT = 9081;

  /** How far above its cluster port a node's crash-detection socket (FD_SOCK2) listens. */
  static final int CRASH_DETECTION_OFFSET = 100;

  private final Options options;
  private final List<Child> nodes = new ArrayList<>();
  private final List<Integer> httpPorts = new ArrayList<>();
  private final List<Integer> clusterPorts = new ArrayList<>();
  private final List<Integer> adminPorts = new ArrayList<>();
  private Child balancer;
  private int balancerPort;
  private int balancerAdminPort;
  private boolean closed;
  private String clusterName;

  public DemoCluster(Options options) {
    if (options.nodes() < 1 || options.nodes() > 9) {
      throw new IllegalArgumentException("--nodes: " + options.nodes() + " is not between 1 and 9");
    }
    this.options = options;
  }

  /** Starts every child and waits until all nodes answer /cohort/health and the balancer serves. */
  public synchronized void start() throws IOException, InterruptedException {
    choosePorts();
    clusterName =
        "cohort-demo-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24));
    String members =
        clusterPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    for (int i = 0; i < options.nodes(); i++) {
      String name = nodeName(i);
      List<String> cmd = java("-Xmx256m");
      cmd.addAll(
          List.of(
              "node",
              "--name",
              name,
              "--http-port",
              Integer.toString(httpPorts.get(i)),
              "--admin-port",
              Integer.toString(adminPorts.get(i)),
              "--cluster-port",
              Integer.toString(clusterPorts.get(i)),
              "--port-range",
              "0",
              "--members",
              members,
              "--mode",
              options.mode(),
              "--backups",
              Integer.toString(options.backups()),
              options.sync() ? "--sync" : "--async",
              "--cluster-name",
              clusterName,
              "--drain-timeout",
              "10s"));
      nodes.add(
          new Child(
              name,
              cmd,
              options.console(),
              logFile(name),
              options.secret() == null ? Map.of() : Map.of("COHORT_SECRET", options.secret())));
    }
    List<String> cmd = java("-Xmx128m");
    cmd.addAll(balancerArgs(balancerPort, balancerAdminPort));
    for (int i = 0; i < options.nodes(); i++) {
      cmd.add("--backend");
      cmd.add(nodeName(i) + "=http://127.0.0.1:" + httpPorts.get(i));
    }
    cmd.addAll(List.of("--health-interval", "500ms"));
    balancer = new Child("balancer", cmd, options.console(), logFile("balancer"));
    for (Child n : nodes) {
      n.start();
    }
    balancer.start();
    long deadline = System.nanoTime() + options.startTimeout().toNanos();
    for (int i = 0; i < nodes.size(); i++) {
      awaitHealthy(i, deadline);
    }
    awaitFullView(deadline);
    awaitBalancer(deadline);
  }

  private void choosePorts() {
    boolean fixed = !options.freePorts();
    if (fixed) {
      fixed =
          Ports.isFree("127.0.0.1", DEMO_BALANCER_PORT)
              && Ports.isFree("127.0.0.1", DEMO_BALANCER_ADMIN_PORT);
      for (int i = 0; i < options.nodes() && fixed; i++) {
        fixed =
            Ports.isFree("127.0.0.1", DEMO_HTTP_PORT + i)
                && Ports.isFree("127.0.0.1", DEMO_ADMIN_PORT + i)
                && Ports.isFree("127.0.0.1", DEMO_CLUSTER_PORT + i)
                && Ports.isFree("127.0.0.1", DEMO_CLUSTER_PORT + CRASH_DETECTION_OFFSET + i);
      }
      if (!fixed) {
        options
            .console()
            .println(
                "demo: some of the ports 8079-808"
                    + options.nodes()
                    + " / 9081-908"
                    + options.nodes()
                    + " / 7801-780"
                    + options.nodes()
                    + " / 7901-790"
                    + options.nodes()
                    + " are taken; using free ports instead");
      }
    }
    // free cluster ports are adjacent too, as the fixed ones are: nodes next to each other must
    // not take each other's ports (DemoIT runs this way)
    int firstClusterPort =
        fixed ? DEMO_CLUSTER_PORT : Ports.freeBlock(options.nodes(), CRASH_DETECTION_OFFSET);
    for (int i = 0; i < options.nodes(); i++) {
      httpPorts.add(fixed ? DEMO_HTTP_PORT + i : Ports.free());
      adminPorts.add(fixed ? DEMO_ADMIN_PORT + i : Ports.free());
      clusterPorts.add(firstClusterPort + i);
    }
    balancerPort = fixed ? DEMO_BALANCER_PORT : Ports.free();
    balancerAdminPort = fixed ? DEMO_BALANCER_ADMIN_PORT : Ports.free();
  }

  /**
   * {@code balancer --port P --admin-port A} for a balancer on 127.0.0.1 in front of local nodes
   * (the {@code --backend} options follow). Every user of a local demo, and every simulated user of
   * chaos, is on 127.0.0.1: the per-address connection cap is raised to the overall one.
   */
  public static List<String> balancerArgs(int port, int adminPort) {
    return List.of(
        "balancer",
        "--port",
        Integer.toString(port),
        "--admin-port",
        Integer.toString(adminPort),
        "--max-connections-per-ip",
        "10000");
  }

  private Path logFile(String name) throws IOException {
    if (options.logDir() == null) {
      return null;
    }
    Files.createDirectories(options.logDir());
    return options.logDir().resolve(name + ".log");
  }

  /** {@code java -cp <this jar or classpath> ... dev.cohort.cli.Main} */
  private static List<String> java(String heap) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add(heap);
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-Djava.net.preferIPv4Stack=true");
    cmd.add("-Dcohort.demo=true");
    cmd.add("-cp");
    cmd.add(classpath());
    cmd.add(Main.class.getName());
    return cmd;
  }

  static String classpath() {
    try {
      Path self = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (Files.isRegularFile(self) && self.toString().endsWith("-all.jar")) {
        return self.toString();
      }
    } catch (java.net.URISyntaxException | SecurityException e) {
      // fall back to the class path this JVM runs with
    }
    return System.getProperty("java.class.path", "") + File.pathSeparator;
  }

  public static String nodeName(int i) {
    return "n" + (i + 1);
  }

  @Override
  public int size() {
    return nodes.size();
  }

  @Override
  public String name(int i) {
    return nodeName(i);
  }

  @Override
  public String url(int i) {
    return nodeUrl(i);
  }

  @Override
  public String adminUrl(int i) {
    return "http://127.0.0.1:" + adminPorts.get(i);
  }

  public String balancerUrl() {
    return "http://127.0.0.1:" + balancerPort;
  }

  /** The balancer's status page (JSON with {@code ?format=json}), on its loopback admin port. */
  public String balancerStatusUrl() {
    return "http://127.0.0.1:" + balancerAdminPort + "/balancer/status";
  }

  public String nodeUrl(int i) {
    return "http://127.0.0.1:" + httpPorts.get(i);
  }

  public long pid(int i) {
    return nodes.get(i).pid();
  }

  /** Every live child process (for checks that nothing is left behind). */
  public List<ProcessHandle> processes() {
    List<ProcessHandle> all = new ArrayList<>();
    for (Child c : nodes) {
      if (c.handle() != null) {
        all.add(c.handle());
      }
    }
    if (balancer != null && balancer.handle() != null) {
      all.add(balancer.handle());
    }
    return all;
  }

  /** SIGKILL node i: a crash, no drain. */
  @Override
  public void kill(int i) throws InterruptedException {
    nodes.get(i).kill();
  }

  /** SIGTERM node i and wait for it (it drains its sessions first). True if it exited in time. */
  @Override
  public boolean stop(int i) throws InterruptedException {
    return nodes.get(i).stop(Duration.ofSeconds(30));
  }

  @Override
  public void restart(int i) throws IOException {
    nodes.get(i).start();
  }

  @Override
  public boolean isAlive(int i) {
    return nodes.get(i).isAlive();
  }

  private void awaitBalancer(long deadlineNanos) throws InterruptedException {
    while (Probe.status(balancerUrl() + "/") != 200) {
      if (!balancer.isAlive()) {
        throw new IllegalStateException(
            "demo balancer exited with code " + balancer.exitCode() + " while starting");
      }
      if (System.nanoTime() > deadlineNanos) {
        throw new IllegalStateException("demo balancer did not serve / in time — see its log");
      }
      Thread.sleep(200);
    }
  }

  /**
   * Stops the balancer, then the nodes one by one (each drains to the ones still running), each
   * bounded; waits for every process. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (balancer != null) {
        balancer.stop(Duration.ofSeconds(10));
      }
      for (int i = nodes.size() - 1; i >= 0; i--) {
        nodes.get(i).stop(Duration.ofSeconds(20));
      }
      stopReplacements();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      for (ProcessHandle p : processes()) {
        p.destroyForcibly();
      }
    }
  }

  /**
   * Nodes of this demo that another process restarted ({@code cohort chaos --nodes}) are not our
   * children; they are found by this demo's unique cluster name on their command line.
   */
  private void stopReplacements() throws InterruptedException {
    if (clusterName == null) {
      return;
    }
    List<ProcessHandle> strays =
        ProcessHandle.allProcesses()
            .filter(p -> p.pid() != ProcessHandle.current().pid())
            .filter(
                p ->
                    p.info()
                        .arguments()
                        .map(a -> java.util.Arrays.asList(a).contains(clusterName))
                        .orElse(false))
            .toList();
    for (ProcessHandle p : strays) {
      p.destroy();
    }
    for (ProcessHandle p : strays) {
      try {
        p.onExit().get(20, java.util.concurrent.TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        p.destroyForcibly();
      }
    }
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "%d nodes (%s, k=%d, %s) behind %s",
        nodes.size(),
        options.mode(),
        options.backups(),
        options.sync() ? "sync" : "async",
        balancerUrl());
  }
}
