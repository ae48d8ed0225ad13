package dev.cohort.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * What a flood of requests with session ids the cluster never issued costs the ordinary users:
 * Cohort nodes in backup mode (k=1, sync; by default with a shared file store, the durable tier),
 * ordinary sticky users at a modest paced rate, and in the middle of the run a paced flood of
 * unknown ids (by default 10,000 req/s for 20 s). Reports the ordinary users' p50/p99 before,
 * during and after the flood in one run, the flood's own answers, and the nodes' CPU per phase.
 * Writes {@code flood.md} to {@code --out}. Run: {@code scripts/bench flood [options]} ({@link
 * FloodOptions#usage()}).
 */
public final class FloodBench {
  private final FloodOptions o;
  private final StringBuilder report = new StringBuilder();

  FloodBench(FloodOptions o) {
    this.o = o;
  }

  public static void main(String[] args) throws Exception {
    FloodOptions o;
    try {
      o = FloodOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("flood bench: " + e.getMessage());
      System.exit(2);
      return;
    }
    Path md = new FloodBench(o).run();
    System.out.println();
    System.out.println(Files.readString(md));
    System.out.println("written: " + md.toAbsolutePath());
  }

  Path run() throws IOException, InterruptedException {
    Files.createDirectories(o.out());
    String store = null;
    if (o.store().equals("file")) {
      Path dir = o.out().resolve("store-" + UUID.randomUUID().toString().substring(0, 8));
      Files.createDirectories(dir);
      store = "file:" + dir.toAbsolutePath();
    }
    line("== flood: starting " + o.nodes() + " nodes of cohort-backup-sync, store " + o.store());
    try (BenchCluster c =
        new BenchCluster(
            SystemKind.COHORT_BACKUP_SYNC, o.nodes(), o.heap(), o.out().resolve("logs"), store)) {
      c.startAll();
      PacedLoad load = new PacedLoad(c.httpPorts(), c.names());
      load.startUsers(o.users(), o.userRate());
      load.startFlood(o.floodConnections(), o.floodRate(), o.floodKind());
      int[] seconds = {o.warmupSeconds(), o.baselineSeconds(), o.floodSeconds(), o.afterSeconds()};
      double[] cpu = new double[seconds.length];
      double[] clientCpu = new double[seconds.length];
      String[] loadAvg = new String[seconds.length];
      double[] actual = new double[seconds.length];
      long[][] lookups = new long[seconds.length][];
      for (int p = 0; p < seconds.length; p++) {
        if (seconds[p] == 0) {
          continue;
        }
        load.phase(p);
        String before = loadAverage();
        long cpu0 = c.cpuNanos();
        long client0 = clientCpuNanos();
        long[] lookups0 = lookupFigures(c);
        long t0 = System.nanoTime();
        line("   " + PacedLoad.PHASES[p] + ": " + seconds[p] + " s");
        TimeUnit.SECONDS.sleep(seconds[p]);
        actual[p] = (System.nanoTime() - t0) / 1e9;
        cpu[p] = (c.cpuNanos() - cpu0) / 1e9 / actual[p];
        clientCpu[p] = (clientCpuNanos() - client0) / 1e9 / actual[p];
        loadAvg[p] = before + " -> " + loadAverage();
        long[] lookups1 = lookupFigures(c);
        lookups[p] = new long[lookups1.length];
        for (int i = 0; i < lookups1.length; i++) {
          lookups[p][i] = lookups1[i] - lookups0[i];
        }
      }
      load.stop();
      write(load, actual, cpu, clientCpu, loadAvg);
      report.append("\n| phase | claims sent | look-ups refused | store look-ups |\n");
      report.append("| --- | ---: | ---: | ---: |\n");
      for (int p = 1; p < seconds.length; p++) {
        if (lookups[p] != null) {
          report.append(
              String.format(
                  Locale.ROOT,
                  "| %s | %d | %d | %d |%n",
                  PacedLoad.PHASES[p],
                  lookups[p][0],
                  lookups[p][1],
                  lookups[p][2]));
        }
      }
    }
    Path md = o.out().resolve("flood.md");
    Files.writeString(md, report);
    return md;
  }

  private void write(
      PacedLoad load, double[] secs, double[] cpu, double[] clientCpu, String[] loadAvg) {
    report.append("# Unknown-id flood\n\n");
    report.append(
        String.format(
            Locale.ROOT,
            "%d nodes cohort-backup-sync (k=1), store %s; %d ordinary users at %d req/s in all"
                + " (/counter, sticky); flood %d req/s of %s ids on /peek over %d connections;"
                + " latencies from the moment each request was due.%n%n",
            o.nodes(),
            o.store(),
            o.users(),
            o.userRate(),
            o.floodRate(),
            o.floodKind(),
            o.floodConnections()));
    report.append(
        "| phase | s | users req/s | users p50 ms | users p99 ms | users p99.9 ms | users max ms |"
            + " users non-200 / io | flood req/s | flood 200 / 503 / 500 / other / io |"
            + " flood p50 / p99 ms | nodes CPU (cores) | client CPU | load average |\n");
    report.append(
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- | --- | ---: | ---: | --- |\n");
    for (int p = 1; p < PacedLoad.PHASES.length; p++) {
      if (secs[p] == 0) {
        continue;
      }
      long[] u = load.userLatencies(p);
      PacedLoad.Counts uc = load.users[p];
      PacedLoad.Counts fc = load.flood[p];
      long[] f = p == PacedLoad.FLOOD ? load.floodLatencies() : new long[0];
      report.append(
          String.format(
              Locale.ROOT,
              "| %s | %.0f | %.0f | %.2f | %.2f | %.2f | %.2f | %d / %d | %.0f | %d / %d / %d / %d / %d |"
                  + " %s | %.2f | %.2f | %s |%n",
              PacedLoad.PHASES[p],
              secs[p],
              uc.total() / secs[p],
              pct(u, 0.50),
              pct(u, 0.99),
              pct(u, 0.999),
              u.length == 0 ? Double.NaN : u[u.length - 1] / 1e6,
              uc.total() - uc.ok.sum() - uc.ioErrors.sum(),
              uc.ioErrors.sum(),
              fc.total() / secs[p],
              fc.ok.sum(),
              fc.unavailable.sum(),
              fc.serverError.sum(),
              fc.otherStatus.sum(),
              fc.ioErrors.sum(),
              f.length == 0
                  ? "-"
                  : String.format(Locale.ROOT, "%.2f / %.2f", pct(f, 0.50), pct(f, 0.99)),
              cpu[p],
              clientCpu[p],
              loadAvg[p]));
    }
    double base = pct(load.userLatencies(1), 0.99);
    double during = pct(load.userLatencies(PacedLoad.FLOOD), 0.99);
    report.append(
        String.format(
            Locale.ROOT,
            "%nOrdinary users' p99 during the flood / before: %.2fx (goal <= 2x). Ordinary users"
                + " whose count did not go up by one: %d. Flood requests skipped (more than 100 ms"
                + " behind schedule): %d.%n",
            during / base,
            load.wrongCount.sum(),
            load.floodSkipped.sum()));
    List<String> notes = new ArrayList<>();
    notes.add(
        "Node CPU is the nodes' JVMs together (cores busy on average); the client is this JVM.");
    for (String n : notes) {
      report.append("\n").append(n).append("\n");
    }
  }

  /** The engines' look-up counters summed over the nodes: claims, refusals, store look-ups. */
  private static long[] lookupFigures(BenchCluster c) throws IOException {
    return new long[] {c.sum("claimsSent"), c.sum("lookupsRefused"), c.sum("storeLookups")};
  }

  private static double pct(long[] sorted, double p) {
    return E2eBench.percentileMillis(sorted, p);
  }

  private static long clientCpuNanos() {
    return ProcessHandle.current()
        .info()
        .totalCpuDuration()
        .map(java.time.Duration::toNanos)
        .orElse(0L);
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  private static void line(String s) {
    System.out.println(s);
    System.out.flush();
  }
}
