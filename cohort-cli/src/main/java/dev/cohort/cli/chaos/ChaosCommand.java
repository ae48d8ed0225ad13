package dev.cohort.cli.chaos;

import dev.cohort.cli.Durations;
import dev.cohort.cli.demo.DemoCluster;
import dev.cohort.cli.demo.Nodes;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cohort chaos}: bounded load with node crashes and restarts; reports every lost session.
 */
@Command(
    name = "chaos",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Kills and restarts nodes under load and reports every lost or stale session.",
      "",
      "Simulated users count in their sessions through the balancer (and now and then",
      "invalidate them) while a scenario breaks the cluster: kill -9, rolling restart, two",
      "nodes killed at once, a node frozen (SIGSTOP), a network partition, async replication",
      "under kill -9. By default it starts its own cluster on free ports, shaped for the",
      "scenario. At the end every session is read again on a node that does not own it and",
      "every node's replica counts must agree. Exit 0 only if the scenario's zeros held."
    })
public final class ChaosCommand implements Callable<Integer> {
  @Option(
      names = "--scenario",
      defaultValue = "mixed",
      description =
          "mixed (default) | kill | rolling | kill-two | freeze | partition | async-kill | all")
  String scenario;

  @Option(names = "--users", defaultValue = "50", description = "simulated users (default 50)")
  int users;

  @Option(
      names = "--duration",
      defaultValue = "60s",
      description = "load time per scenario (default 60s; 10m for the long mode)")
  String duration;

  @Option(names = "--think", defaultValue = "50ms", description = "pause between a user's requests")
  String think;

  @Option(names = "--request-timeout", defaultValue = "10s", description = "default 10s")
  String requestTimeout;

  @Option(
      names = "--url",
      description = "balancer of a running cluster (default: start one); faults need --nodes")
  String url;

  @Option(
      names = "--balancer-status",
      description =
          "with --url: the balancer's status page (e.g. http://127.0.0.1:8079/balancer/status),"
              + " for its retry figures")
  String balancerStatus;

  @Option(
      names = "--nodes",
      split = ",",
      description =
          "with --url: pids of the running nodes to kill and restart (cohort demo prints them)")
  List<Long> nodes;

  @Option(
      names = "--node-count",
      description = "nodes of the started cluster (default: the scenario's, 3 or 4)")
  Integer nodeCount;

  @Option(names = "--mode", description = "backup | all (default backup)")
  String mode;

  @Option(names = "--backups", description = "k (default: the scenario's, 1 or 2)")
  Integer backups;

  @Option(
      names = "--async",
      description = "asynchronous replication (default sync; async-kill is always async)")
  boolean async;

  @Option(
      names = "--freeze-time",
      defaultValue = "10s",
      description = "freeze: how long a node stays stopped (default 10s; > its 3s drop time)")
  String freezeTime;

  @Option(
      names = "--partition-time",
      defaultValue = "8s",
      description = "partition: how long the network stays cut (default 8s)")
  String partitionTime;

  @Option(
      names = "--invalidate-every",
      defaultValue = "40",
      description = "a user invalidates its session every N answers (default 40; 0: never)")
  int invalidateEvery;

  @Option(
      names = "--no-idempotency-keys",
      description =
          "plain GET /counter, no ?seq= key: a request is never deduplicated, so every count must"
              + " be exact — an error answered by a node applied nothing (a balancer retry of it"
              + " counts once), a request whose answer was lost may have applied")
  boolean noIdempotencyKeys;

  @Option(
      names = "--netns-prefix",
      description = "partition: name prefix of the network namespaces (default: random)")
  String netnsPrefix;

  @Option(
      names = "--secret",
      description =
          "run the cluster it starts with a random cluster secret: every cluster message sealed,"
              + " joins by challenge-response (the partition scenario always has one)")
  boolean secret;

  @Option(names = "--logs", description = "directory for the started nodes' logs (default: temp)")
  Path logs;

  @Override
  public Integer call() throws Exception {
    if (users < 1 || users > 2000) {
      throw new IllegalArgumentException("--users: " + users + " is not between 1 and 2000");
    }
    if (mode != null && !mode.equals("backup") && !mode.equals("all")) {
      throw new IllegalArgumentException("--mode: '" + mode + "' is not one of backup, all");
    }
    if (invalidateEvery < 0) {
      throw new IllegalArgumentException("--invalidate-every: " + invalidateEvery + " is < 0");
    }
    Duration d = Durations.positive("--duration", duration, "s");
    if (d.toHours() >= 1) {
      throw new IllegalArgumentException("--duration: at most 59m");
    }
    Duration freeze = Durations.positive("--freeze-time", freezeTime, "s");
    Duration cut = Durations.positive("--partition-time", partitionTime, "s");
    List<Scenario> plan =
        scenario.equals("all")
            ? List.of(
                Scenario.KILL,
                Scenario.ROLLING,
                Scenario.KILL_TWO,
                Scenario.FREEZE,
                Scenario.ASYNC_KILL,
                Scenario.PARTITION)
            : List.of(Scenario.of(scenario));
    PrintStream out = System.out;
    boolean tty = System.console() != null;
    Path logDir = logs != null ? logs : Files.createTempDirectory("cohort-chaos-");
    if (url != null) {
      if (plan.size() > 1 || plan.get(0) == Scenario.PARTITION) {
        throw new IllegalArgumentException(
            "--url: the partition scenario and 'all' start their own clusters — drop --url");
      }
      return external(plan.get(0), d, freeze, cut, out, tty, logDir);
    }
    if (nodes != null) {
      throw new IllegalArgumentException("--nodes: needs --url (the balancer in front of them)");
    }
    Map<Scenario, Boolean> results = new LinkedHashMap<>();
    for (Scenario s : plan) {
      Path dir = plan.size() > 1 ? logDir.resolve(s.id) : logDir;
      results.put(s, own(s, d, freeze, cut, out, tty, dir) == 0);
    }
    if (plan.size() > 1) {
      out.println();
      out.println("Cohort chaos summary");
      results.forEach(
          (s, pass) -> out.printf(Locale.ROOT, "  %-11s %s%n", s.id, pass ? "PASS" : "FAIL"));
    }
    return results.values().stream().allMatch(p -> p) ? 0 : 1;
  }

  private int external(
      Scenario s,
      Duration d,
      Duration freeze,
      Duration cut,
      PrintStream out,
      boolean tty,
      Path logDir)
      throws InterruptedException {
    ExternalNodes external = nodes == null ? null : ExternalNodes.of(nodes, logDir);
    ChaosRun.Settings settings =
        settings(
            s,
            url.replaceAll("/+$", ""),
            balancerStatus,
            d,
            freeze,
            cut,
            mode,
            backups == null ? -1 : backups);
    out.println(
        "chaos: against "
            + settings.url()
            + (external == null
                ? " — load only (give --nodes PID,... to inject faults)"
                : " — "
                    + s.id
                    + " on "
                    + external.size()
                    + " nodes (restarted ones log to "
                    + logDir
                    + ")"));
    ChaosRun run = new ChaosRun(settings, external, out, tty);
    run.run();
    return Report.print(out, run, "cluster at " + settings.url(), external == null ? null : logDir);
  }

  /** Starts the scenario's own cluster, runs it, reports, stops every process it started. */
  private int own(
      Scenario s,
      Duration d,
      Duration freeze,
      Duration cut,
      PrintStream out,
      boolean tty,
      Path logDir)
      throws IOException, InterruptedException {
    int n = nodeCount != null ? nodeCount : s.nodes;
    int k = backups != null ? backups : s.backups;
    String m = mode != null ? mode : "backup";
    boolean sync = s.sync && !async;
    AutoCloseable closer;
    Nodes cluster;
    if (s == Scenario.PARTITION) {
      String prefix =
          netnsPrefix != null
              ? netnsPrefix
              : "cch"
                  + HexFormat.of().toHexDigits((byte) ThreadLocalRandom.current().nextInt())
                  + HexFormat.of().toHexDigits((byte) ThreadLocalRandom.current().nextInt());
      NetnsCluster net = new NetnsCluster(prefix, n, m, k, sync, logDir);
      cluster = net;
      closer = net;
    } else {
      DemoCluster demo =
          new DemoCluster(
              new DemoCluster.Options(
                  n,
                  m,
                  k,
                  sync,
                  true,
                  Duration.ofSeconds(180),
                  out,
                  logDir,
                  secret ? NetnsCluster.randomSecret() : null));
      cluster = demo;
      closer = demo;
    }
    Thread hook =
        new Thread(
            () -> {
              try {
                closer.close();
              } catch (Exception e) {
                // the JVM is going down: best effort
              }
            },
            "cohort-chaos-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      out.println(
          "chaos: scenario "
              + s.id
              + ": starting "
              + n
              + " nodes and a balancer"
              + (secret || s == Scenario.PARTITION ? ", with a cluster secret" : "")
              + " (logs in "
              + logDir
              + ")");
      String balancer;
      String status;
      if (cluster instanceof NetnsCluster net) {
        net.start(Duration.ofSeconds(180));
        balancer = net.balancerUrl();
        status = net.balancerStatusUrl();
      } else {
        DemoCluster demo = (DemoCluster) cluster;
        demo.start();
        balancer = demo.balancerUrl();
        status = demo.balancerStatusUrl();
      }
      ChaosRun run =
          new ChaosRun(settings(s, balancer, status, d, freeze, cut, m, k), cluster, out, tty);
      out.println("chaos: " + cluster + ", " + users + " users, " + Durations.human(d));
      run.run();
      return Report.print(out, run, cluster.toString(), logDir);
    } catch (IllegalStateException e) {
      out.println(
          "chaos: scenario "
              + s.id
              + ": the cluster did not start: "
              + e.getMessage()
              + " (logs in "
              + logDir
              + ")");
      out.println("RESULT: FAIL — " + s.id + " did not run");
      return 1;
    } finally {
      try {
        closer.close();
      } catch (Exception e) {
        out.println("chaos: stopping the cluster failed: " + e);
      }
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down: the hook runs (closing twice is harmless)
      }
    }
  }

  private ChaosRun.Settings settings(
      Scenario s,
      String base,
      String status,
      Duration d,
      Duration freeze,
      Duration cut,
      String m,
      int k) {
    return new ChaosRun.Settings(
        base,
        status,
        users,
        d,
        Durations.parse("--think", think, "ms"),
        Durations.positive("--request-timeout", requestTimeout, "s"),
        s,
        m,
        k,
        freeze,
        cut,
        invalidateEvery,
        url == null,
        !noIdempotencyKeys);
  }
}
