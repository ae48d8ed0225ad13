package dev.cohort.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** What a run measured, and its rendering as Markdown tables and an SVG chart. */
final class E2eResults {
  /** One steady-throughput measurement of one system in one round. */
  record Steady(
      SystemKind system,
      int round,
      double rps,
      double p50Millis,
      double p99Millis,
      double bytesPerRequest,
      double messagesPerRequest,
      double wireBytesPerRequest,
      double nodeCpuMicrosPerRequest,
      long requests,
      long errors) {}

  /** One kill -9 under load. */
  record Failover(
      SystemKind system,
      LoadClient.FailoverOutcome outcome,
      long failedRequests,
      String failedBy,
      long refusedConnects,
      long retriedRequests,
      long staleReplies,
      long lostReplies) {}

  /** One join against a member holding {@code sessions} sessions. */
  record Transfer(
      SystemKind system,
      int sessions,
      long reachedMillis,
      long firstMillis,
      long loggedMillis,
      long held,
      long joinerHeapPeak,
      long senderHeapBefore,
      long senderHeapPeak) {}

  E2eOptions options;
  final List<Steady> steady = new ArrayList<>();
  final List<Failover> failover = new ArrayList<>();
  final List<Transfer> transfer = new ArrayList<>();
  final List<String> notes = new ArrayList<>();

  /** Median of a figure over the rounds of one system, or NaN when it was not measured. */
  double median(SystemKind s, ToDoubleFunction<Steady> f) {
    double[] v = steady.stream().filter(r -> r.system() == s).mapToDouble(f).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  Path write(E2eOptions o) throws IOException {
    Files.createDirectories(o.out());
    Map<String, Double> rps = new LinkedHashMap<>();
    Map<String, Integer> colors = new LinkedHashMap<>();
    for (SystemKind s : o.systems()) {
      double v = median(s, Steady::rps);
      if (!Double.isNaN(v)) {
        rps.put(s.label(), v);
        colors.put(s.label(), s.family().ordinal());
      }
    }
    if (!rps.isEmpty()) {
      Files.writeString(
          o.out().resolve("throughput.svg"),
          SvgChart.bars(
              "Throughput, " + o.nodes() + " nodes + client on one machine (median)",
              "req/s",
              rps,
              colors));
    }
    Path md = o.out().resolve("results.md");
    Files.writeString(md, markdown());
    return md;
  }

  String markdown() {
    StringBuilder sb = new StringBuilder();
    E2eOptions o = options;
    sb.append(
        f(
            "Run: %d nodes, %d users, %d client threads, warm-up %d s, measure %d s, %d round(s),"
                + " node heap %s.%n%n",
            o.nodes(),
            o.users(),
            o.threads(),
            o.warmupSeconds(),
            o.durationSeconds(),
            o.rounds(),
            o.heap()));
    if (!steady.isEmpty()) {
      double ceiling = median(SystemKind.TOMCAT_STANDALONE, Steady::rps);
      sb.append(
          "| system | req/s | / ceiling | p50 ms | p99 ms | node CPU us/req | repl. bytes/req |"
              + " wire bytes/req | msgs/req | errors |\n");
      sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
      for (SystemKind s : o.systems()) {
        double r = median(s, Steady::rps);
        if (Double.isNaN(r)) {
          continue;
        }
        long errors = steady.stream().filter(x -> x.system() == s).mapToLong(Steady::errors).sum();
        sb.append(
            f(
                "| %s | %.0f | %s | %.2f | %.2f | %.0f | %s | %s | %s | %d |%n",
                s,
                r,
                Double.isNaN(ceiling) ? "-" : f("%.2f", r / ceiling),
                median(s, Steady::p50Millis),
                median(s, Steady::p99Millis),
                median(s, Steady::nodeCpuMicrosPerRequest),
                s.replicated() ? f("%.0f", median(s, Steady::bytesPerRequest)) : "-",
                s.replicated() ? f("%.0f", median(s, Steady::wireBytesPerRequest)) : "-",
                s.replicated() ? f("%.2f", median(s, Steady::messagesPerRequest)) : "-",
                errors));
      }
      sb.append('\n');
    }
    if (!failover.isEmpty()) {
      sb.append(
          "| system (kill -9 of n2) | users on n2 | first reply good | stale | lost | no reply |"
              + " stale / lost replies after the kill, all users | failed requests (timeout/io/status) | retried: refused connect / broken before any byte | first reply after kill, median / max ms |\n");
      sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
      for (Failover x : failover) {
        LoadClient.FailoverOutcome fo = x.outcome();
        sb.append(
            f(
                "| %s | %d | %d | %d (%.1f %%) | %d (%.1f %%) | %d | %d / %d | %d (%s) | %d / %d | %d / %d |%n",
                x.system(),
                fo.affected(),
                fo.good(),
                fo.stale(),
                pct(fo.stale(), fo.affected()),
                fo.lost(),
                pct(fo.lost(), fo.affected()),
                fo.noReply(),
                x.staleReplies(),
                x.lostReplies(),
                x.failedRequests(),
                x.failedBy(),
                x.refusedConnects(),
                x.retriedRequests(),
                fo.medianMillis(),
                fo.maxMillis()));
      }
      sb.append('\n');
    }
    if (!transfer.isEmpty()) {
      sb.append(
          "| system | sessions | joiner holds all, ms from its start | first to all, ms |"
              + " transfer as the system logs it, ms | held | joiner heap peak MB |"
              + " sender heap before -> peak MB |\n");
      sb.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
      for (Transfer t : transfer) {
        sb.append(
            f(
                "| %s | %d | %s | %s | %s | %d | %d | %d -> %d |%n",
                t.system(),
                t.sessions(),
                t.reachedMillis() < 0 ? "not within 120 s" : "" + t.reachedMillis(),
                t.reachedMillis() < 0 ? "-" : "" + (t.reachedMillis() - t.firstMillis()),
                t.loggedMillis() < 0 ? "-" : "" + t.loggedMillis(),
                t.held(),
                t.joinerHeapPeak() >> 20,
                t.senderHeapBefore() >> 20,
                t.senderHeapPeak() >> 20));
      }
      sb.append('\n');
    }
    for (String n : notes) {
      sb.append("- ").append(n).append('\n');
    }
    return sb.toString();
  }

  private static double pct(long part, long whole) {
    return whole == 0 ? 0 : 100.0 * part / whole;
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
