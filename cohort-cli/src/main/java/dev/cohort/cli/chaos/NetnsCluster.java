package dev.cohort.cli.chaos;

import dev.cohort.cli.Main;
import dev.cohort.cli.Ports;
import dev.cohort.cli.demo.DemoCluster;
import dev.cohort.cli.demo.Nodes;
import dev.cohort.tomcat.admin.AdminAuth;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A cluster whose nodes each live in their own network namespace, so the network between them can
 * be cut for real (nftables drop rules inside the namespaces) and healed.
 *
 * <pre>
 *   root namespace: chaos users -> balancer (127.0.0.1) -> veth &lt;prefix&gt;h 10.231.X.254
 *                                                                  |
 *   namespace &lt;prefix&gt;-hub:                              bridge br0 (no address)
 *                                          |                |                |
 *   namespaces &lt;prefix&gt;-n1..nN:   10.231.X.1 n1    10.231.X.2 n2    10.231.X.3 n3
 * </pre>
 *
 * Every interface is virtual and every address is in 10.231.X.0/24 (X random per run): no traffic
 * leaves the machine. The nodes bind their cluster and HTTP ports to their namespace address and,
 * since that is not loopback, run with a random cluster secret (given in the environment, not on
 * the command line). Needs root, {@code ip} (iproute2) and {@code nft} (nftables). {@link #close}
 * stops every process and deletes the namespaces (and with them the bridge, the links and the
 * rules), even after a failure half-way; {@link #cleanup} does the same for a prefix.
 */
final class NetnsCluster implements Nodes, FaultPlan.Partitionable, AutoCloseable {
  static final int HTTP_PORT = 8081;
  static final int CLUSTER_PORT = 7800;
  private static final String TABLE = "cohort_partition";

  private final String prefix;
  private final int subnet;
  private final int size;
  private final String mode;
  private final int backups;
  private final boolean sync;
  private final Path logDir;
  private final String secret;
  private final AdminAuth signer;
  private final String clusterName;
  private final List<Process> nodes = new ArrayList<>();
  private final List<List<String>> commands = new ArrayList<>();
  private final boolean[] cut;
  private Process balancer;
  private int balancerPort;
  private int balancerAdminPort;
  private boolean created;
  private boolean closed;

  NetnsCluster(String prefix, int size, String mode, int backups, boolean sync, Path logDir) {
    if (!prefix.matches("[a-z][a-z0-9]{1,7}")) {
      throw new IllegalArgumentException(
          "--netns-prefix: '" + prefix + "' must be 2-8 lower-case letters or digits");
    }
    this.prefix = prefix;
    this.size = size;
    this.mode = mode;
    this.backups = backups;
    this.sync = sync;
    this.logDir = logDir;
    this.secret = randomSecret();
    this.signer = AdminAuth.of(secret);
    this.subnet = 1 + new SecureRandom().nextInt(250);
    this.clusterName = "cohort-chaos-" + prefix;
    this.cut = new boolean[size];
  }

  /** Checks the tools, builds the network, starts the nodes and the balancer and waits for them. */
  synchronized void start(Duration timeout) throws IOException, InterruptedException {
    requireTools();
    created = true;
    try {
      network();
    } catch (IOException e) {
      throw new IllegalStateException(
          "creating the network namespaces failed: "
              + e.getMessage()
              + " — the partition scenario needs root (CAP_NET_ADMIN)",
          e);
    }
    Files.createDirectories(logDir);
    String members =
        java.util.stream.IntStream.range(0, size)
            .mapToObj(i -> address(i) + ":" + CLUSTER_PORT)
            .collect(Collectors.joining(","));
    for (int i = 0; i < size; i++) {
      List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns(i)));
      cmd.addAll(java("-Xmx256m"));
      cmd.addAll(
          List.of(
              "node",
              "--name",
              name(i),
              "--http-bind",
              address(i),
              "--cluster-bind",
              address(i),
              "--http-port",
              Integer.toString(HTTP_PORT),
              "--cluster-port",
              Integer.toString(CLUSTER_PORT),
              "--port-range",
              "0",
              "--members",
              members,
              "--mode",
              mode,
              "--backups",
              Integer.toString(backups),
              sync ? "--sync" : "--async",
              "--cluster-name",
              clusterName,
              "--drain-timeout",
              "10s"));
      commands.add(cmd);
      nodes.add(null);
    }
    for (int i = 0; i < size; i++) {
      restart(i);
    }
    balancerPort = Ports.free();
    balancerAdminPort = Ports.free();
    List<String> cmd = java("-Xmx128m");
    cmd.addAll(DemoCluster.balancerArgs(balancerPort, balancerAdminPort));
    for (int i = 0; i < size; i++) {
      cmd.add("--backend");
      cmd.add(name(i) + "=" + url(i));
    }
    cmd.addAll(List.of("--health-interval", "500ms"));
    balancer = launch(cmd, "balancer");
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int i = 0; i < size; i++) {
      awaitHealthy(i, deadline);
    }
    awaitFullView(deadline);
    while (Probe.status(balancerUrl() + "/") != 200) {
      if (!balancer.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("the balancer did not serve / in time — see its log");
      }
      Thread.sleep(200);
    }
  }

  private static void requireTools() throws InterruptedException {
    for (List<String> probe : List.of(List.of("ip", "-V"), List.of("nft", "--version"))) {
      try {
        if (run(probe, false) != 0) {
          throw new IOException("exit code not 0");
        }
      } catch (IOException e) {
        throw new IllegalStateException(
            "the partition scenario needs '"
                + probe.get(0)
                + "' ("
                + (probe.get(0).equals("ip") ? "iproute2" : "nftables")
                + ") and root: "
                + e.getMessage()
                + " — install it (scripts/test-env-setup) or choose another --scenario");
      }
    }
  }

  private void network() throws IOException, InterruptedException {
    String hub = prefix + "-hub";
    sh("ip", "netns", "add", hub);
    sh("ip", "-n", hub, "link", "set", "lo", "up");
    sh("ip", "-n", hub, "link", "add", "br0", "type", "bridge");
    sh("ip", "-n", hub, "link", "set", "br0", "up");
    for (int i = 0; i < size; i++) {
      String ns = ns(i);
      String dev = prefix + "n" + (i + 1);
      sh("ip", "netns", "add", ns);
      sh("ip", "-n", ns, "link", "set", "lo", "up");
      sh(
          "ip", "link", "add", dev, "netns", ns, "type", "veth", "peer", "name", dev + "b", "netns",
          hub);
      sh("ip", "-n", hub, "link", "set", dev + "b", "master", "br0", "up");
      sh("ip", "-n", ns, "addr", "add", address(i) + "/24", "dev", dev);
      sh("ip", "-n", ns, "link", "set", dev, "up");
    }
    String host = prefix + "h";
    sh("ip", "link", "add", host, "type", "veth", "peer", "name", host + "b", "netns", hub);
    sh("ip", "-n", hub, "link", "set", host + "b", "master", "br0", "up");
    sh("ip", "addr", "add", "10.231." + subnet + ".254/24", "dev", host);
    sh("ip", "link", "set", host, "up");
  }

  @Override
  public synchronized void partition(Set<Integer> alone) throws IOException, InterruptedException {
    for (int i = 0; i < size; i++) {
      boolean inside = alone.contains(i);
      String peers =
          java.util.stream.IntStream.range(0, size)
              .filter(j -> alone.contains(j) != inside)
              .mapToObj(this::address)
              .collect(Collectors.joining(", "));
      String rules =
          "table inet "
              + TABLE
              + " {\n"
              + "  chain in { type filter hook input priority 0; policy accept; ip saddr { "
              + peers
              + " } drop; }\n"
              + "  chain out { type filter hook output priority 0; policy accept; ip daddr { "
              + peers
              + " } drop; }\n"
              + "}\n";
      Path file = Files.createTempFile("cohort-nft-", ".nft");
      try {
        Files.writeString(file, rules, StandardCharsets.UTF_8);
        sh("ip", "netns", "exec", ns(i), "nft", "-f", file.toString());
        cut[i] = true;
      } finally {
        Files.deleteIfExists(file);
      }
    }
  }

  @Override
  public synchronized void heal() throws IOException, InterruptedException {
    for (int i = 0; i < size; i++) {
      if (cut[i]) {
        sh("ip", "netns", "exec", ns(i), "nft", "delete", "table", "inet", TABLE);
        cut[i] = false;
      }
    }
  }

  private String ns(int i) {
    return prefix + "-" + name(i);
  }

  String address(int i) {
    return "10.231." + subnet + "." + (i + 1);
  }

  String balancerUrl() {
    return "http://127.0.0.1:" + balancerPort;
  }

  String balancerStatusUrl() {
    return "http://127.0.0.1:" + balancerAdminPort + "/balancer/status";
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public String name(int i) {
    return "n" + (i + 1);
  }

  /** A fresh random cluster secret: 24 random bytes, hex. */
  static String randomSecret() {
    byte[] s = new byte[24];
    new SecureRandom().nextBytes(s);
    return HexFormat.of().formatHex(s);
  }

  @Override
  public String url(int i) {
    return "http://" + address(i) + ":" + HTTP_PORT;
  }

  @Override
  public AdminAuth signer() {
    return signer;
  }

  synchronized long pid(int i) {
    Process p = nodes.get(i);
    return p == null ? -1 : p.pid();
  }

  @Override
  public void kill(int i) throws InterruptedException {
    Process p;
    synchronized (this) {
      p = nodes.get(i);
    }
    if (p != null) {
      p.destroyForcibly();
      p.waitFor();
    }
  }

  @Override
  public boolean stop(int i) throws InterruptedException {
    Process p;
    synchronized (this) {
      p = nodes.get(i);
    }
    return p == null || stop(p, 30);
  }

  private static boolean stop(Process p, int seconds) throws InterruptedException {
    if (!p.isAlive()) {
      return true;
    }
    p.destroy();
    if (p.waitFor(seconds, TimeUnit.SECONDS)) {
      return true;
    }
    p.destroyForcibly();
    p.waitFor();
    return false;
  }

  @Override
  public synchronized void restart(int i) throws IOException {
    Process p = nodes.get(i);
    if (p != null && p.isAlive()) {
      throw new IllegalStateException("node " + name(i) + " is already running");
    }
    nodes.set(i, launch(commands.get(i), name(i)));
  }

  @Override
  public synchronized boolean isAlive(int i) {
    Process p = nodes.get(i);
    return p != null && p.isAlive();
  }

  private Process launch(List<String> cmd, String log) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(logDir.resolve(log + ".log").toFile()));
    pb.environment().put("COHORT_SECRET", secret);
    return pb.start();
  }

  /** Stops the balancer and every node, then deletes the namespaces, links and rules. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (balancer != null) {
        stop(balancer, 10);
      }
      for (int i = nodes.size() - 1; i >= 0; i--) {
        Process p = nodes.get(i);
        if (p != null) {
          Signals.sendQuietly("CONT", p.pid());
          stop(p, 20);
        }
      }
      if (created) {
        cleanup(prefix);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      nodes.stream().filter(p -> p != null).forEach(Process::destroyForcibly);
    }
  }

  /**
   * Deletes every namespace named {@code <prefix>-*} and the root link {@code <prefix>h}; what is
   * not there is skipped. Returns the namespaces deleted.
   */
  static List<String> cleanup(String prefix) throws InterruptedException {
    List<String> deleted = new ArrayList<>();
    try {
      Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
      String list = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(10, TimeUnit.SECONDS);
      for (String line : list.split("\n")) {
        String ns = line.trim().split("\\s+")[0];
        if (ns.startsWith(prefix + "-")) {
          run(List.of("ip", "netns", "delete", ns), false);
          deleted.add(ns);
        }
      }
      run(List.of("ip", "link", "delete", prefix + "h"), false);
    } catch (IOException e) {
      // no ip command: nothing can have been created
    }
    return deleted;
  }

  private static void sh(String... cmd) throws IOException, InterruptedException {
    run(List.of(cmd), true);
  }

  /** Runs a command to its end (bounded); with {@code check}, a failure is an IOException. */
  private static int run(List<String> cmd, boolean check) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", cmd) + " did not return in 30 s");
    }
    if (check && p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "): " + out);
    }
    return p.exitValue();
  }

  private static List<String> java(String heap) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add(heap);
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-Djava.net.preferIPv4Stack=true");
    cmd.add("-cp");
    cmd.add(classpath());
    cmd.add(Main.class.getName());
    return cmd;
  }

  private static String classpath() {
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

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "%d nodes in network namespaces %s-n* (%s, k=%d, %s, secret) behind %s",
        size,
        prefix,
        mode,
        backups,
        sync ? "sync" : "async",
        balancerUrl());
  }
}
