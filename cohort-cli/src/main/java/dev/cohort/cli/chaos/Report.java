package dev.cohort.cli.chaos;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The report of one chaos run, as the user reads it and as the tests parse it (line labels and
 * column widths are a contract: DemoIT, ChaosIT and the fault ITs read them), and the scenario's
 * pass rule: its exit code.
 */
final class Report {
  private Report() {}

  /** Prints the report; returns the exit code (0: the scenario's zeros held). */
  static int print(PrintStream out, ChaosRun run, String target, Path logDir) {
    Scenario scenario = run.settings().scenario();
    long requests = run.requests.sum();
    long failed = run.failed.sum();
    long lost = run.lost.sum();
    long stale = run.stale();
    long resurrected = run.resurrected.sum();
    long struck = run.struckChecked.sum();
    long struckBad = run.struckBad.sum();
    double secs = Math.max(0.001, run.loadSeconds());
    out.println();
    out.println("Cohort chaos report — " + scenario.id + " — " + target);
    out.println("  scenario        " + scenario.id + ": " + scenario.proves);
    out.printf(Locale.ROOT, "  requests        %d%n", requests);
    out.printf(Locale.ROOT, "  failed requests %d%n", failed);
    if (!run.settings().idempotencyKeys()) {
      long answered = run.failedAnswered.sum();
      out.printf(
          Locale.ROOT,
          "  counting        exact (no idempotency keys): %d failed requests answered with an error"
              + " (applied nowhere), %d with no answer (may have applied); %d unanswered or"
              + " replayed requests were applied%n",
          answered,
          failed - answered,
          run.appliedUnanswered.sum());
    }
    out.printf(Locale.ROOT, "  lost sessions   %d%n", lost);
    out.printf(
        Locale.ROOT,
        "  stale reads     %d (went back %d, skipped %d)%n",
        stale,
        run.wentBack.sum(),
        run.skipped.sum());
    out.printf(
        Locale.ROOT,
        "  resurrected     %d (of %d invalidated sessions; %d times the node found no session to"
            + " invalidate)%n",
        resurrected,
        run.invalidations.sum(),
        run.invalidationsFoundNone.sum());
    double fraction = struck == 0 ? 0 : (double) struckBad / struck;
    out.printf(
        Locale.ROOT,
        "  struck sessions %d answered after their node's crash or freeze, %d stale or lost"
            + " (%.2f %%)%n",
        struck,
        struckBad,
        100 * fraction);
    out.printf(
        Locale.ROOT,
        "  final check     %d sessions read again on a node that did not own them: %d stale or"
            + " lost%n",
        run.crossChecked.sum(),
        run.crossBad.sum());
    Convergence c = run.convergence;
    if (c != null) {
      out.printf(
          Locale.ROOT,
          "  replicas        %s — %d sessions owned, %d replicas (%s expected), %d unprotected%n",
          c.converged() ? "converged" : "NOT converged: " + c.why(),
          c.owned(),
          c.replicated(),
          c.expectedReplicated() < 0 ? "?" : Long.toString(c.expectedReplicated()),
          c.unprotected());
      out.printf(
          Locale.ROOT,
          "  conflicts       %d counted by the engines (malformed frames %d)%n",
          c.conflicts(),
          c.malformed());
    }
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
          run.balancerRetries > 0 && run.settings().idempotencyKeys()
              ? " (each applied once: requests carry an idempotency key)"
              : "");
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
              ? "NEVER: " + f.problem()
              : String.format(Locale.ROOT, "%.1f s", f.recovery().toMillis() / 1000.0));
    }
    if (!run.firstFailures.isEmpty()) {
      out.println("  first problems:");
      run.firstFailures.stream().limit(10).forEach(s -> out.println("    " + s));
    }
    if (logDir != null) {
      out.println("  node logs       " + logDir);
    }
    List<String> broken = new ArrayList<>();
    if (faults.stream().anyMatch(f -> f.recovery() == null)) {
      broken.add("a node did not recover");
    }
    if (failed > 0 && !scenario.failuresAllowed()) {
      broken.add(failed + " failed");
    }
    long bad = lost + stale + resurrected;
    if (scenario.staleMeasured()) {
      if (bad > struckBad) {
        broken.add((bad - struckBad) + " lost or stale outside the killed nodes' sessions");
      }
      if (fraction > Scenario.ASYNC_STALE_GOAL) {
        broken.add(
            String.format(
                Locale.ROOT,
                "%.2f %% of the killed nodes' sessions stale (goal <= 1 %%)",
                100 * fraction));
      }
    } else if (bad > 0) {
      broken.add(lost + " lost, " + stale + " stale, " + resurrected + " resurrected");
    }
    if (c != null && !c.converged()) {
      broken.add("replicas did not converge");
    }
    boolean pass = broken.isEmpty();
    out.println(
        pass
            ? "RESULT: PASS — "
                + (scenario.failuresAllowed() && failed > 0
                    ? failed + " requests failed (" + scenario.id + " allows that), "
                    : "no request failed, ")
                + "no session lost, stale or resurrected"
                + (scenario.staleMeasured()
                    ? String.format(
                        Locale.ROOT, " outside the killed nodes' (%.2f %%)", 100 * fraction)
                    : "")
            : "RESULT: FAIL — " + String.join(", ", broken));
    out.flush();
    return pass ? 0 : 1;
  }

  private static String ms(long micros) {
    return String.format(Locale.ROOT, "%.1f ms", micros / 1000.0);
  }
}
