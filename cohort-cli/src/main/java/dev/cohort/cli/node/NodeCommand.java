package dev.cohort.cli.node;

import dev.cohort.cli.Durations;
import dev.cohort.cli.Logging;
import dev.cohort.cli.Ports;
import dev.cohort.core.engine.Mode;
import dev.cohort.jgroups.JGroupsConfig;
import dev.cohort.store.Redaction;
import dev.cohort.tomcat.Secrets;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cohort node}: one embedded Tomcat with a CohortCluster, serving the demo webapp. */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Runs one Cohort node (embedded Tomcat with a CohortCluster).",
      "",
      "The node's name is its jvmRoute; it serves the demo webapp (GET /counter) unless",
      "--webapp is given.",
      "Every option can also come from --config FILE (keys = long option names without dashes)."
    })
public final class NodeCommand implements Callable<Integer> {
  private static final Logger log = Logger.getLogger(NodeCommand.class.getName());

  @Option(names = "--name", required = true, description = "node name = jvmRoute, e.g. n1")
  String name;

  @Option(names = "--http-port", defaultValue = "8080", description = "HTTP port (default 8080)")
  int httpPort;

  @Option(
      names = "--cluster-port",
      defaultValue = "4000",
      description = "cluster (JGroups TCP) port (default 4000)")
  int clusterPort;

  @Option(
      names = "--port-range",
      defaultValue = "100",
      description = "how many ports above --cluster-port to try when it is taken (default 100)")
  int portRange;

  @Option(
      names = "--members",
      description = "static members host:port,... (shorthand for --discovery static:...)")
  String members;

  @Option(
      names = "--discovery",
      description = "multicast[:addr:port] | static:host:port,... | dns:name (default multicast)")
  String discovery;

  @Option(
      names = "--http-bind",
      defaultValue = "127.0.0.1",
      description = "address the HTTP port binds to (default 127.0.0.1)")
  String httpBind;

  @Option(
      names = "--cluster-bind",
      defaultValue = "127.0.0.1",
      description =
          "address the cluster and farm ports bind to (default 127.0.0.1); anything else needs"
              + " a secret")
  String clusterBind;

  @Option(names = "--bind", hidden = true, description = "replaced by --http-bind, --cluster-bind")
  String bind;

  @Option(
      names = "--insecure",
      description =
          "INSECURE: let the cluster and farm ports bind beyond loopback without a secret (anyone"
              + " who reaches them can join, read every session and deploy)")
  boolean insecure;

  @Option(names = "--mode", defaultValue = "backup", description = "backup | all (default backup)")
  String mode;

  @Option(names = "--backups", defaultValue = "1", description = "replica holders k in backup mode")
  int backups;

  @Option(names = "--sync", description = "wait for replica acks before responding (default)")
  Boolean sync;

  @Option(names = "--async", description = "respond without waiting for replica acks")
  Boolean async;

  @Option(
      names = "--sync-timeout",
      defaultValue = "5s",
      description = "sync ack timeout (default 5s)")
  String syncTimeout;

  @Option(names = "--store", description = "durable tier: jdbc:URL | file:DIR")
  String store;

  @Option(
      names = "--webapp",
      description = "a webapp directory or WAR to serve instead of the demo")
  Path webapp;

  @Option(names = "--config", description = "properties file with any of these options")
  Path config;

  @Option(
      names = "--secret",
      description =
          "cluster secret (>= 16 bytes); visible in process listings: prefer --secret-file or env"
              + " COHORT_SECRET")
  String secret;

  @Option(
      names = "--secret-file",
      paramLabel = "FILE",
      description = "file whose first line is the cluster secret")
  Path secretFile;

  @Option(
      names = "--cluster-name",
      defaultValue = "cohort",
      description = "cluster name (default cohort)")
  String clusterName;

  @Option(names = "--state-transfer-timeout", defaultValue = "60s", description = "default 60s")
  String stateTransferTimeout;

  @Option(names = "--drain-timeout", defaultValue = "30s", description = "default 30s")
  String drainTimeout;

  @Option(names = "--heartbeat", defaultValue = "500ms", description = "default 500ms")
  String heartbeat;

  @Option(names = "--drop-time", defaultValue = "3s", description = "default 3s")
  String dropTime;

  @Option(names = "--allowed-classes", description = "extra classes/packages for attribute values")
  String allowedClasses;

  @Option(
      names = "--admin-port",
      defaultValue = "0",
      description =
          "admin connector: /cohort/status, /cohort/, /cohort/metrics answer here without a"
              + " signature (elsewhere only signed requests)")
  int adminPort;

  @Option(
      names = "--admin-bind",
      defaultValue = "127.0.0.1",
      description = "address the admin connector binds to (default 127.0.0.1)")
  String adminBind;

  @Option(names = "--no-admin", description = "disable /cohort/* entirely")
  boolean noAdmin;

  @Option(
      names = "--farm-dir",
      description = "farm deployment: WARs dropped here (or uploaded) run on every node")
  Path farmDir;

  @Option(
      names = "--farm-port",
      defaultValue = "0",
      description = "first port of the farm channel (default --cluster-port + 1000)")
  int farmPort;

  @Override
  public Integer call() throws Exception {
    NodeSettings settings = settings();
    Ports.requireFree("--http-port", httpBind, httpPort);
    if (adminPort != 0) {
      Ports.requireFree("--admin-port", adminBind, adminPort);
    }
    if (secret != null) {
      log.warning(
          "the cluster secret was given with --secret: every user of this machine can read it in"
              + " the process list — use --secret-file FILE or the COHORT_SECRET variable");
    }
    NodeServer server = new NodeServer(settings);
    log.info("cohort node starting: " + settings.describe());
    CountDownLatch stopped = new CountDownLatch(1);
    Logging.keepUntilExit();
    Thread hook =
        new Thread(
            () -> {
              log.info("cohort node " + name + " stopping: draining its sessions, then leaving");
              server.close();
              log.info("cohort node " + name + " stopped");
              Logging.flushAtExit();
              stopped.countDown();
            },
            "cohort-node-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    server.start();
    System.out.println(
        "Cohort node "
            + name
            + " ready: http://"
            + httpBind
            + ":"
            + server.httpPort()
            + "/ (status "
            + server.adminUrl()
            + ")");
    System.out.flush();
    stopped.await();
    return 0;
  }

  /**
   * Validates every option (no I/O: whether the ports are free is checked at start); a problem is
   * an IllegalArgumentException naming the option.
   */
  NodeSettings settings() {
    if (!name.matches("[A-Za-z0-9_-]{1,64}")) {
      throw new IllegalArgumentException(
          "--name: '" + name + "' must be 1-64 letters, digits, '-' or '_' (it is the jvmRoute)");
    }
    Mode m = parseMode(mode);
    if (backups < 1 || backups > 16) {
      throw new IllegalArgumentException("--backups: " + backups + " is not between 1 and 16");
    }
    if (Boolean.TRUE.equals(sync) && Boolean.TRUE.equals(async)) {
      throw new IllegalArgumentException("--sync and --async: choose one");
    }
    boolean isSync = !Boolean.TRUE.equals(async);
    if (members != null && discovery != null) {
      throw new IllegalArgumentException(
          "--members and --discovery: give one (--members is --discovery static:...)");
    }
    String disc =
        members != null ? "static:" + members : discovery == null ? "multicast" : discovery;
    if (!disc.matches("(multicast(:.*)?|static:.+|dns:.+)")) {
      throw new IllegalArgumentException(
          "--discovery: '"
              + disc
              + "' is not multicast[:addr:port], static:host:port,... or dns:name");
    }
    if (bind != null) {
      throw new IllegalArgumentException(
          "--bind: replaced by --http-bind (the HTTP port) and --cluster-bind (the cluster and farm"
              + " ports), so that exposing HTTP never exposes the cluster by accident");
    }
    String s = secret();
    requireSecretBeyondLoopback(s);
    if (store != null && !(store.startsWith("jdbc:") || store.startsWith("file:"))) {
      throw new IllegalArgumentException(
          "--store: '" + Redaction.of(store) + "' is not jdbc:URL or file:DIR");
    }
    if (webapp != null && !Files.isReadable(webapp)) {
      throw new IllegalArgumentException(
          "--webapp: '" + webapp + "' is not a readable directory or WAR");
    }
    if (clusterPort < 1 || clusterPort > 65535) {
      throw new IllegalArgumentException("--cluster-port: " + clusterPort + " is not a port");
    }
    if (portRange < 0 || portRange > 1000) {
      throw new IllegalArgumentException(
          "--port-range: " + portRange + " is not between 0 and 1000");
    }
    if (httpPort < 1 || httpPort > 65535) {
      throw new IllegalArgumentException("--http-port: " + httpPort + " is not a port");
    }
    if (adminPort != 0 && (adminPort == httpPort || adminPort < 0 || adminPort > 65535)) {
      throw new IllegalArgumentException(
          "--admin-port: " + adminPort + " must be a port other than --http-port");
    }
    Map<String, String> c = new LinkedHashMap<>();
    c.put("clusterName", clusterName);
    c.put("mode", m.name().toLowerCase(Locale.ROOT));
    c.put("backups", Integer.toString(backups));
    c.put("sync", Boolean.toString(isSync));
    c.put("syncTimeout", ms("--sync-timeout", syncTimeout));
    c.put("discovery", disc);
    c.put("bindAddress", clusterBind);
    c.put("port", Integer.toString(clusterPort));
    c.put("portRange", Integer.toString(portRange));
    c.put("stateTransferTimeout", ms("--state-transfer-timeout", stateTransferTimeout));
    c.put("drainTimeout", ms("--drain-timeout", drainTimeout));
    c.put("heartbeat", ms("--heartbeat", heartbeat));
    c.put("dropTime", ms("--drop-time", dropTime));
    if (store != null) {
      c.put("store", store);
    }
    if (allowedClasses != null) {
      c.put("allowedClasses", allowedClasses);
    }
    if (s != null) {
      c.put("secret", s);
    }
    c.put("adminEnabled", Boolean.toString(!noAdmin));
    if (insecure) {
      c.put("insecure", "true");
    }
    if (farmDir != null) {
      if (Files.exists(farmDir) && !Files.isDirectory(farmDir)) {
        throw new IllegalArgumentException(
            "--farm-dir: '" + farmDir + "' exists and is not a directory");
      }
      c.put("farmDir", farmDir.toAbsolutePath().toString());
    }
    if (farmPort != 0) {
      if (farmDir == null) {
        throw new IllegalArgumentException("--farm-port: only with --farm-dir");
      }
      if (farmPort < 1 || farmPort > 65535) {
        throw new IllegalArgumentException("--farm-port: " + farmPort + " is not a port");
      }
      c.put("farmPort", Integer.toString(farmPort));
    }
    return new NodeSettings(
        name,
        httpBind,
        httpPort,
        adminBind,
        adminPort,
        !noAdmin,
        webapp == null ? null : webapp.toString(),
        demoMode(),
        c);
  }

  /** --secret, --secret-file or COHORT_SECRET (at most one of the options); null for none. */
  private String secret() {
    if (secret != null && secretFile != null) {
      throw new IllegalArgumentException("--secret and --secret-file: give one");
    }
    String option = secret != null ? "--secret" : secretFile != null ? "--secret-file" : null;
    String s =
        secret != null
            ? secret
            : secretFile != null
                ? Secrets.readFile("--secret-file", secretFile)
                : System.getenv("COHORT_SECRET");
    if (s == null || s.isEmpty()) {
      return null;
    }
    if (s.getBytes(StandardCharsets.UTF_8).length < 16) {
      throw new IllegalArgumentException(
          (option == null ? "COHORT_SECRET" : option)
              + ": "
              + s.getBytes(StandardCharsets.UTF_8).length
              + " bytes is too short — use at least 16 bytes");
    }
    return s;
  }

  /** The cluster and farm ports beyond loopback need a secret, or the loud opt-out. */
  private void requireSecretBeyondLoopback(String s) {
    InetAddress a;
    try {
      a = InetAddress.getByName(clusterBind);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(
          "--cluster-bind: '" + clusterBind + "' does not resolve — give an address of this host",
          e);
    }
    if (JGroupsConfig.secretRequired(a, s != null, insecure)) {
      throw new IllegalArgumentException(
          "--secret-file: required when --cluster-bind is "
              + clusterBind
              + " (not loopback) — anyone who reaches the cluster port could join, read every"
              + " session and deploy; give --secret-file FILE (or COHORT_SECRET) with the same"
              + " secret on every node, or opt out with --insecure on a network nobody else"
              + " reaches");
    }
  }

  private static Mode parseMode(String text) {
    try {
      return Mode.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--mode: '" + text + "' is not one of backup, all", e);
    }
  }

  private static String ms(String option, String text) {
    return Long.toString(Durations.positive(option, text, "ms").toMillis());
  }

  /** The kill button exists only under {@code cohort demo}, which sets this for its children. */
  static boolean demoMode() {
    return Boolean.getBoolean("cohort.demo") || "1".equals(System.getenv("COHORT_DEMO"));
  }
}
