package dev.cohort.cli.chaos;

import dev.cohort.cli.Durations;
import dev.cohort.cli.demo.DemoCluster;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
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
      "Simulated users count in their sessions through the balancer while nodes are killed",
      "(SIGKILL) and restarted gracefully one by one. By default it starts its own demo cluster",
      "(3 nodes, backup k=1, sync) on free ports. Exit 0 only if no request failed and no",
      "session was lost or read stale."
    })
public final class ChaosCommand implements Callable<Integer> {
  @Option(names = "--users", defaultValue = "50", description = "simulated users (default 50)")
  int users;

  @Option(names = "--duration", defaultValue = "60s", description = "load time (default 60s)")
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
      names = "--nodes",
      split = ",",
      description =
          "with --url: pids of the running nodes to kill and restart (cohort demo prints them)")
  List<Long> nodes;

  @Option(names = "--node-count", defaultValue = "3", description = "nodes of the started cluster")
  int nodeCount;

  @Option(names = "--mode", defaultValue = "backup", description = "backup | all")
  String mode;

  @Option(names = "--backups", defaultValue = "1", description = "k (default 1)")
  int backups;

  @Option(names = "--async", description = "asynchronous replication (default sync)")
  boolean async;

  @Option(names = "--logs", description = "directory for the started nodes' logs (default: temp)")
  Path logs;

  @Override
  public Integer call() throws Exception {
    if (users < 1 || users > 2000) {
      throw new IllegalArgumentException("--users: " + users + " is not between 1 and 2000");
    }
    if (!mode.equals("backup") && !mode.equals("all")) {
      throw new IllegalArgumentException("--mode: '" + mode + "' is not one of backup, all");
    }
    Duration d = Durations.positive("--duration", duration, "s");
    if (d.toHours() >= 1) {
      throw new IllegalArgumentException("--duration: at most 59m");
    }
    ChaosRun.Settings settings =
        new ChaosRun.Settings(
            url == null ? null : url.replaceAll("/+$", ""),
            users,
            d,
            Durations.parse("--think", think, "ms"),
            Durations.positive("--request-timeout", requestTimeout, "s"));
    PrintStream out = System.out;
    boolean tty = System.console() != null;
    Path logDir = logs != null ? logs : Files.createTempDirectory("cohort-chaos-");
    if (url != null) {
      ExternalNodes external = nodes == null ? null : ExternalNodes.of(nodes, logDir);
      out.println(
          "chaos: against "
              + settings.url()
              + (external == null
                  ? " — load only (give --nodes PID,... to inject faults)"
                  : " — faults on "
                      + external.size()
                      + " nodes (restarted ones log to "
                      + logDir
                      + ")"));
      ChaosRun run = new ChaosRun(settings, external, out, tty);
      run.run();
      return report(out, run, "cluster at " + settings.url(), external == null ? null : logDir);
    }
    if (nodes != null) {
      throw new IllegalArgumentException("--nodes: needs --url (the balancer in front of them)");
    }
    DemoCluster cluster =
        new DemoCluster(
            new DemoCluster.Options(
                nodeCount, mode, backups, !async, true, Duration.ofSeconds(180), out, logDir));
    Thread hook = new Thread(cluster::close, "cohort-chaos-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      out.println(
          "chaos: starting " + nodeCount + " nodes and a balancer (logs in " + logDir + ")");
      cluster.start();
      ChaosRun run =
          new ChaosRun(
              new ChaosRun.Settings(
                  cluster.balancerUrl(),
                  users,
                  settings.duration(),
                  settings.think(),
                  settings.requestTimeout()),
              cluster,
              out,
              tty);
      out.println("chaos: " + cluster + ", " + users + " users, " + Durations.human(d));
      run.run();
      return report(out, run, cluster.toString(), logDir);
    } catch (IllegalStateException e) {
      out.println(
          "chaos: the cluster did not start: " + e.getMessage() + " (logs in " + logDir + ")");
      return 1;
    } finally {
      cluster.close();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down: the hook runs (closing twice is harmless)
      }
    }
  }

  static int report(PrintStream out, ChaosRun run, String target, Path logDir) {
    long requests = run.requests.sum();
    long failed = run.failed.sum();
    long lost = run.lost.sum();
    long stale = run.wentBack.sum() + run.skipped.sum();
    double secs = Math.max(0.001, run.loadSeconds());
    out.println();
    out.println("Cohort chaos report — " + target);
    out.printf(Locale.ROOT, "  requests        %d%n", requests);
    out.printf(Locale.ROOT, "  failed requests %d%n", failed);
    out.printf(Locale.ROOT, "  lost sessions   %d%n", lost);
    out.printf(
        Locale.ROOT,
        "  stale reads     %d (went back %d, skipped %d)%n",
        stale,
        run.wentBack.sum(),
        run.skipped.sum());
    out.printf(Locale.ROOT, "  throughput      %.1f req/s over %.1f s%n", requests / secs, secs);
    out.printf(
        Locale.ROOT,
        "  latency         p50 %s  p99 %s  max %s%n",
        ms(run.latencies.percentile(50)),
        ms(run.latencies.percentile(99)),
        ms(run.latencies.max()));
    if (run.balancerRetries >= 0) {
      out.printf(
          Locale.ROOT,
          "  balancer        %d retries, %d bad gateway%s%n",
          run.balancerRetries,
          run.balancerBadGateway,
          run.balancerRetries > 0 ? " (each applied once: requests carry an idempotency key)" : "");
    }
    List<Fault> faults;
    synchronized (run.faults) {
      faults = List.copyOf(run.faults);
    }
    out.println("  faults          " + (faults.isEmpty() ? "none" : faults.size()));
    for (Fault f : faults) {
      out.printf(
          Locale.ROOT,
          "    +%5.1fs  %-8s %-4s recovered in %s%n",
          f.atSeconds(),
          f.kind(),
          f.node(),
          f.recovery() == null
              ? "NEVER"
              : String.format(Locale.ROOT, "%.1f s", f.recovery().toMillis() / 1000.0));
    }
    if (!run.firstFailures.isEmpty()) {
      out.println("  first problems:");
      run.firstFailures.stream().limit(10).forEach(s -> out.println("    " + s));
    }
    if (logDir != null) {
      out.println("  node logs       " + logDir);
    }
    boolean recovered = faults.stream().allMatch(f -> f.recovery() != null);
    boolean pass = failed == 0 && lost == 0 && stale == 0 && recovered;
    out.println(
        pass
            ? "RESULT: PASS — no request failed, no session lost or stale"
            : "RESULT: FAIL — "
                + failed
                + " failed, "
                + lost
                + " lost, "
                + stale
                + " stale"
                + (recovered ? "" : ", a node did not recover"));
    out.flush();
    return pass ? 0 : 1;
  }

  private static String ms(long micros) {
    return String.format(Locale.ROOT, "%.1f ms", micros / 1000.0);
  }
}
