package dev.cohort.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The end-to-end comparison: Cohort and Tomcat's own clustering, same webapp, same embedded Tomcat,
 * one JVM per node, one load client (this JVM). Scenarios:
 *
 * <ul>
 *   <li>{@code steady}: req/s, p50/p99, replication bytes and messages per request;
 *   <li>{@code failover}: kill -9 of one node under load: the killed node's users' first reply
 *       (good, stale, lost), failed requests, time from the kill to that reply;
 *   <li>{@code transfer}: a node joins a member holding N sessions: time until it holds N, its heap
 *       peak and the sender's heap growth.
 * </ul>
 *
 * Prints progress while it runs; writes {@code results.md} and SVG charts to {@code --out}. Run:
 * {@code scripts/bench e2e [options]} ({@link E2eOptions#usage()}).
 */
public final class E2eBench {
  private final E2eOptions o;
  private final long deadline;
  private final Progress progress = new Progress();
  private final E2eResults results = new E2eResults();

  E2eBench(E2eOptions o) {
    this.o = o;
    this.deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(o.maxSeconds());
  }

  public static void main(String[] args) throws Exception {
    E2eOptions o;
    try {
      o = E2eOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("e2e bench: " + e.getMessage());
      System.exit(2);
      return;
    }
    E2eResults r = new E2eBench(o).run();
    Path md = r.write(o);
    System.out.println();
    System.out.println(Files.readString(md));
    System.out.println("written: " + md.toAbsolutePath());
  }

  /** Runs the chosen scenarios in order (steady rounds interleave the systems). */
  E2eResults run() throws InterruptedException {
    results.options = o;
    if (o.scenarios().contains("steady")) {
      steadyInterleaved();
    }
    if (o.scenarios().contains("failover")) {
      for (SystemKind s : o.failoverSystems()) {
        String label = "failover " + s;
        if (outOfTime(label)) {
          break;
        }
        try {
          results.failover.add(failover(s));
        } catch (IOException e) {
          results.notes.add(label + " failed: " + e.getMessage());
          progress.line(label + " FAILED: " + e.getMessage());
        }
      }
    }
    if (o.scenarios().contains("transfer")) {
      for (int size : o.transferSizes()) {
        for (SystemKind s : o.transferSystems()) {
          String label = "transfer " + s + " " + size;
          if (outOfTime(label)) {
            break;
          }
          try {
            results.transfer.add(transfer(s, size));
          } catch (IOException e) {
            results.notes.add(label + " failed: " + e.getMessage());
            progress.line(label + " FAILED: " + e.getMessage());
          }
        }
      }
    }
    return results;
  }

  private boolean outOfTime(String label) {
    if (System.nanoTime() > deadline) {
      results.notes.add(label + ": skipped, --max-seconds " + o.maxSeconds() + " reached");
      progress.line(label + ": skipped (time budget used up)");
      return true;
    }
    return false;
  }

  private Path logDir(String what) {
    return o.out().resolve("logs").resolve(what);
  }

  /**
   * Starts every system's cluster first (one after another), then measures them in rounds, each
   * round visiting every system once: load from elsewhere on the machine, and the idle clusters'
   * own background work, hit all systems alike, and JIT warm-up carries over between rounds.
   */
  private void steadyInterleaved() throws InterruptedException {
    List<BenchCluster> clusters = new ArrayList<>();
    try {
      for (SystemKind s : o.systems()) {
        if (outOfTime("steady " + s + " start")) {
          break;
        }
        progress.line("== steady: starting " + o.nodes() + " nodes of " + s);
        BenchCluster c = null;
        try {
          c = new BenchCluster(s, o.nodes(), o.heap(), logDir("steady-" + s));
          clusters.add(c);
          c.startAll();
        } catch (IOException e) {
          results.notes.add("steady " + s + " did not start: " + e.getMessage());
          progress.line("steady " + s + " did not start: " + e.getMessage());
          if (c != null) {
            clusters.remove(c);
            c.close();
          }
        }
      }
      for (int round = 1; round <= o.rounds(); round++) {
        for (BenchCluster c : clusters) {
          String label = "steady " + c.system + " round " + round + "/" + o.rounds();
          if (outOfTime(label)) {
            return;
          }
          try {
            results.steady.add(steady(c, round));
          } catch (IOException e) {
            results.notes.add(label + " failed: " + e.getMessage());
            progress.line(label + " FAILED: " + e.getMessage());
          }
        }
      }
    } finally {
      for (BenchCluster c : clusters) {
        c.close();
      }
    }
  }

  E2eResults.Steady steady(BenchCluster c, int round) throws IOException, InterruptedException {
    SystemKind s = c.system;
    progress.line("== steady " + s + " (round " + round + "/" + o.rounds() + ")");
    LoadClient lc = new LoadClient(c.httpPorts(), c.names(), o.users(), o.threads(), 10_000);
    List<Thread> workers = lc.start(samplesPerThread());
    try {
      // the first visit also warms the JIT of fresh JVMs: twice the warm-up
      progress.run(s + " warm-up", round == 1 ? 2 * o.warmupSeconds() : o.warmupSeconds(), lc);
      long bytes0 = c.sum("sentBytes");
      long msgs0 = c.sum("sentMessages");
      long wire0 = WireBytes.read(c.clusterPortSet());
      long cpu0 = c.cpuNanos();
      long req0 = lc.requests.sum();
      long bad0 = bad(lc);
      lc.measuring(true);
      long t0 = System.nanoTime();
      progress.run(s + " measure", o.durationSeconds(), lc);
      lc.measuring(false);
      double secs = (System.nanoTime() - t0) / 1e9;
      long requests = lc.requests.sum() - req0;
      long bad = bad(lc) - bad0;
      long bytes = c.sum("sentBytes") - bytes0;
      long msgs = c.sum("sentMessages") - msgs0;
      long wire1 = WireBytes.read(c.clusterPortSet());
      long cpu = c.cpuNanos() - cpu0;
      long[] lat = lc.latencies();
      E2eResults.Steady r =
          new E2eResults.Steady(
              s,
              round,
              requests / secs,
              percentileMillis(lat, 0.50),
              percentileMillis(lat, 0.99),
              s.replicated() ? (double) bytes / Math.max(1, requests) : 0,
              s.replicated() ? (double) msgs / Math.max(1, requests) : 0,
              wire0 < 0 || wire1 < 0 ? -1 : (double) (wire1 - wire0) / Math.max(1, requests),
              cpu / 1e3 / Math.max(1, requests),
              requests,
              bad);
      progress.line(
          String.format(
              Locale.ROOT,
              "   %s: %.0f req/s, p50 %.2f ms, p99 %.2f ms, node CPU %.0f us/req, %.0f B/req (%.0f on the wire),"
                  + " errors %d",
              s,
              r.rps(),
              r.p50Millis(),
              r.p99Millis(),
              r.nodeCpuMicrosPerRequest(),
              r.bytesPerRequest(),
              r.wireBytesPerRequest(),
              bad));
      return r;
    } finally {
      lc.stop(workers);
    }
  }

  E2eResults.Failover failover(SystemKind s) throws IOException, InterruptedException {
    progress.line("== failover " + s + ": starting " + o.nodes() + " nodes");
    try (BenchCluster c = new BenchCluster(s, o.nodes(), o.heap(), logDir("failover-" + s))) {
      c.startAll();
      LoadClient lc = new LoadClient(c.httpPorts(), c.names(), o.users(), o.threads(), 10_000);
      List<Thread> workers = lc.start(samplesPerThread());
      try {
        progress.run(s + " warm-up", o.warmupSeconds(), lc);
        progress.run(s + " before kill", Math.max(2, o.durationSeconds() / 2), lc);
        long failed0 = lc.failed.sum();
        long refused0 = lc.refused.sum();
        long retries0 = lc.retries.sum();
        long timeout0 = lc.failedTimeout.sum();
        long io0 = lc.failedIo.sum();
        long status0 = lc.failedStatus.sum();
        long stale0 = lc.stale.sum();
        long lost0 = lc.lost.sum();
        int victim = 1;
        lc.markKill(victim);
        c.nodes.get(victim).kill();
        progress.line("   kill -9 " + c.nodes.get(victim).name());
        progress.run(s + " after kill", Math.max(10, o.durationSeconds() / 2), lc);
        LoadClient.FailoverOutcome f = lc.failover();
        E2eResults.Failover r =
            new E2eResults.Failover(
                s,
                f,
                lc.failed.sum() - failed0,
                (lc.failedTimeout.sum() - timeout0)
                    + "/"
                    + (lc.failedIo.sum() - io0)
                    + "/"
                    + (lc.failedStatus.sum() - status0),
                lc.refused.sum() - refused0,
                lc.retries.sum() - retries0,
                lc.stale.sum() - stale0,
                lc.lost.sum() - lost0);
        progress.line(
            String.format(
                Locale.ROOT,
                "   %s: %d users on the killed node: first reply good %d, stale %d, lost %d,"
                    + " none %d; failed requests %d, refused connects %d; first reply after %d ms (median) / %d ms"
                    + " (max)",
                s,
                f.affected(),
                f.good(),
                f.stale(),
                f.lost(),
                f.noReply(),
                r.failedRequests(),
                r.refusedConnects(),
                f.medianMillis(),
                f.maxMillis()));
        return r;
      } finally {
        lc.stop(workers);
      }
    }
  }

  E2eResults.Transfer transfer(SystemKind s, int size) throws IOException, InterruptedException {
    progress.line("== transfer " + s + ": " + size + " sessions");
    try (BenchCluster c = new BenchCluster(s, 2, o.heap(), logDir("transfer-" + s + "-" + size))) {
      NodeProcess sender = c.start(0, 0);
      long t0 = System.nanoTime();
      HttpConn.once(sender.httpPort(), "/populate?n=" + size, 300_000);
      progress.line(
          String.format(
              Locale.ROOT,
              "   n1 created %d sessions in %.1f s",
              size,
              (System.nanoTime() - t0) / 1e9));
      System.gc();
      long senderBefore = BenchCluster.statLong(sender, "heapUsed", "?reset=1");
      NodeProcess joiner = c.start(1, size);
      long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      long reached;
      while ((reached = BenchCluster.statLong(joiner, "reachedMillis", "")) < 0) {
        if (System.nanoTime() > limit) {
          break;
        }
        Thread.sleep(100);
      }
      long joinerPeak = BenchCluster.statLong(joiner, "heapPeak", "");
      long senderPeak = BenchCluster.statLong(sender, "heapPeak", "");
      long held = BenchCluster.statLong(joiner, "sessions", "");
      long first = BenchCluster.statLong(joiner, "firstMillis", "");
      long logged = loggedTransferMillis(c.logDir().resolve("n2.log"));
      E2eResults.Transfer r =
          new E2eResults.Transfer(
              s, size, reached, first, logged, held, joinerPeak, senderBefore, senderPeak);
      progress.line(
          String.format(
              Locale.ROOT,
              "   %s: joiner held %d of %d after %d ms; joiner heap peak %d MB; sender heap %d"
                  + " -> %d MB",
              s,
              held,
              size,
              reached,
              joinerPeak >> 20,
              senderBefore >> 20,
              senderPeak >> 20));
      return r;
    }
  }

  private static final Pattern TOMCAT_RECEIVED = Pattern.compile("received in \\[([\\d,.]+)\\] ms");
  private static final Pattern COHORT_DONE =
      Pattern.compile("state transfer done: .* in (\\d+) ms");

  /**
   * The transfer time the joiner logged (Tomcat's "received in [n] ms", Cohort's "done ... in").
   */
  static long loggedTransferMillis(Path log) throws IOException {
    if (!Files.exists(log)) {
      return -1;
    }
    for (String line : Files.readAllLines(log)) {
      Matcher m = TOMCAT_RECEIVED.matcher(line);
      if (m.find()) {
        return Long.parseLong(m.group(1).replace(",", "").replace(".", ""));
      }
      m = COHORT_DONE.matcher(line);
      if (m.find()) {
        return Long.parseLong(m.group(1));
      }
    }
    return -1;
  }

  private int samplesPerThread() {
    return (int) Math.min(5_000_000L, (long) o.durationSeconds() * 40_000 / o.threads() + 1000);
  }

  private static long bad(LoadClient lc) {
    return lc.failed.sum() + lc.stale.sum() + lc.lost.sum() + lc.unexpected.sum();
  }

  static double percentileMillis(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int i = (int) Math.min(sorted.length - 1, Math.floor(p * sorted.length));
    return sorted[i] / 1e6;
  }

  /** The running line: elapsed/total seconds, requests per second, errors so far. */
  static final class Progress {
    private final boolean tty = System.console() != null;

    void line(String s) {
      System.out.println(s);
      System.out.flush();
    }

    void run(String label, int seconds, LoadClient lc) throws InterruptedException {
      long start = System.nanoTime();
      long end = start + TimeUnit.SECONDS.toNanos(seconds);
      long lastReq = lc.requests.sum();
      long lastT = start;
      int tick = 0;
      while (System.nanoTime() < end) {
        Thread.sleep(
            Math.min(1000, Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))));
        long now = System.nanoTime();
        long req = lc.requests.sum();
        String s =
            String.format(
                Locale.ROOT,
                "   [%s] %2d/%d s  %6.0f req/s  failed %d refused %d stale %d lost %d",
                label,
                TimeUnit.NANOSECONDS.toSeconds(now - start),
                seconds,
                (req - lastReq) / ((now - lastT) / 1e9),
                lc.failed.sum(),
                lc.refused.sum(),
                lc.stale.sum(),
                lc.lost.sum());
        lastReq = req;
        lastT = now;
        if (tty) {
          System.out.print("\r" + s + "   ");
          System.out.flush();
        } else if (++tick % 2 == 0) {
          System.out.println(s);
        }
      }
      if (tty) {
        System.out.println();
      }
    }
  }
}
