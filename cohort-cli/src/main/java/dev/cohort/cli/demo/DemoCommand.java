package dev.cohort.cli.demo;

import dev.cohort.cli.Durations;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cohort demo}: three nodes and a balancer on localhost, a page that counts, a kill button.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Runs 3 nodes and a balancer on localhost, with a page that counts.",
      "",
      "Starts 3 nodes (backup mode, k=1, sync) and a balancer as child processes on 127.0.0.1",
      "(ports 8081-8083, admin 9081-9083, cluster 7801-7803, balancer 8080 with its status page on",
      "8079, or free ones when taken), waits until all are healthy and prints the URL. Ctrl-C",
      "stops everything."
    })
public final class DemoCommand implements Callable<Integer> {
  @Option(names = "--nodes", defaultValue = "3", description = "how many nodes (default 3)")
  int nodes;

  @Option(names = "--mode", defaultValue = "backup", description = "backup | all")
  String mode;

  @Option(names = "--backups", defaultValue = "1", description = "k (default 1)")
  int backups;

  @Option(names = "--async", description = "asynchronous replication (default: sync)")
  boolean async;

  @Option(names = "--free-ports", description = "always use free ports instead of 8080-8083")
  boolean freePorts;

  @Option(
      names = "--duration",
      description = "stop by itself after this long (e.g. 60s; default: run until Ctrl-C)")
  String duration;

  @Option(names = "--start-timeout", defaultValue = "120s", description = "default 120s")
  String startTimeout;

  @Override
  public Integer call() throws Exception {
    Duration runFor = duration == null ? null : Durations.positive("--duration", duration, "s");
    if (!mode.equals("backup") && !mode.equals("all")) {
      throw new IllegalArgumentException("--mode: '" + mode + "' is not one of backup, all");
    }
    DemoCluster cluster =
        new DemoCluster(
            new DemoCluster.Options(
                nodes,
                mode,
                backups,
                !async,
                freePorts,
                Durations.positive("--start-timeout", startTimeout, "s"),
                System.err,
                null));
    CountDownLatch done = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              cluster.close();
              done.countDown();
            },
            "cohort-demo-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    System.out.println("Starting the Cohort demo: " + nodes + " nodes and a balancer ...");
    try {
      cluster.start();
    } catch (IllegalStateException e) {
      System.err.println("demo: " + e.getMessage());
      cluster.close();
      return 1;
    }
    System.out.println("Cohort demo ready: " + cluster.balancerUrl() + "/");
    System.out.println("  balancer status: " + cluster.balancerStatusUrl());
    for (int i = 0; i < cluster.size(); i++) {
      System.out.println(
          "  node "
              + DemoCluster.nodeName(i)
              + ": "
              + cluster.nodeUrl(i)
              + "/  status "
              + cluster.adminUrl(i)
              + "/cohort/  (pid "
              + cluster.pid(i)
              + ")");
    }
    System.out.println(
        "Open the page, press Increment, then 'Kill this node' and Increment again."
            + (runFor == null ? " Ctrl-C stops the demo." : ""));
    System.out.flush();
    if (runFor == null) {
      done.await();
    } else {
      if (done.await(runFor.toMillis(), TimeUnit.MILLISECONDS)) {
        return 0; // stopped by a signal: the hook closed the cluster
      }
      System.out.println("demo: " + Durations.human(runFor) + " passed, stopping");
      cluster.close();
      Runtime.getRuntime().removeShutdownHook(hook);
      System.out.println("demo: stopped");
    }
    return 0;
  }
}
