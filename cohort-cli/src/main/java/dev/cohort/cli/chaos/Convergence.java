package dev.cohort.cli.chaos;

import dev.cohort.cli.demo.Nodes;
import dev.cohort.cli.json.Json;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The end-of-run check that every node's replicas converged, from each live node's {@code
 * /cohort/status} (counts only, never ids): all nodes in one full view, every session owned once
 * ({@code owned} within what the users hold), every owned session with its k replicas, none
 * unprotected. Also sums the conflicts the engines counted (a merge after a partition or a freeze
 * logs and counts each one) and the malformed frames they dropped.
 *
 * @param converged whether every condition held (within the wait)
 * @param owned sessions owned, summed over the nodes
 * @param replicated replicas held, summed over the nodes
 * @param expectedReplicated what {@code replicated} must be: owned × k (backup) or × (n-1) (all);
 *     -1 when the shape is unknown (an external cluster)
 * @param unprotected sessions with fewer than k replicas
 * @param conflicts conflicts counted by the engines
 * @param malformed malformed cluster frames dropped
 * @param why what did not hold, null when converged
 */
record Convergence(
    boolean converged,
    long owned,
    long replicated,
    long expectedReplicated,
    long unprotected,
    long conflicts,
    long malformed,
    String why) {

  /**
   * Polls the nodes until the check holds or {@code wait} has passed; the last reading is returned.
   *
   * @param minSessions sessions the users hold (each must be owned)
   * @param maxSessions that plus the sessions a failed first request may have left behind
   * @param mode {@code backup} or {@code all}; null when unknown
   * @param backups k
   */
  static Convergence await(
      Nodes nodes, long minSessions, long maxSessions, String mode, int backups, Duration wait)
      throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    Convergence last;
    Convergence previous = null;
    while (true) {
      last = read(nodes, minSessions, maxSessions, mode, backups);
      // converged twice in a row with the same figures: nothing was still moving
      if (last.converged() && last.equals(previous)) {
        return last;
      }
      if (System.nanoTime() > deadline) {
        return last;
      }
      previous = last;
      Thread.sleep(500);
    }
  }

  static Convergence read(Nodes nodes, long minSessions, long maxSessions, String mode, int backups)
      throws InterruptedException {
    int alive = 0;
    for (int i = 0; i < nodes.size(); i++) {
      alive += nodes.isAlive(i) ? 1 : 0;
    }
    long owned = 0;
    long replicated = 0;
    long unprotected = 0;
    long conflicts = 0;
    long malformed = 0;
    String why = null;
    for (int i = 0; i < nodes.size(); i++) {
      if (!nodes.isAlive(i)) {
        continue;
      }
      Map<String, Object> status =
          Nodes.Probe.status(nodes.adminUrl(i), nodes.signer(), Duration.ofSeconds(5));
      if (status == null) {
        why = "node " + nodes.name(i) + " did not answer /cohort/status";
        continue;
      }
      int members = status.get("members") instanceof List<?> l ? l.size() : 0;
      if (members != alive && why == null) {
        why = "node " + nodes.name(i) + " sees " + members + " of " + alive + " members";
      }
      if (status.get("totals") instanceof Map<?, ?> t) {
        @SuppressWarnings("unchecked")
        Map<String, Object> totals = (Map<String, Object>) t;
        owned += Json.num(totals, "sessionsOwned", 0);
        replicated += Json.num(totals, "sessionsReplicated", 0);
        unprotected += Json.num(totals, "sessionsUnprotected", 0);
      }
      if (status.get("engines") instanceof List<?> engines) {
        for (Object e : engines) {
          if (e instanceof Map<?, ?> engine && engine.get("replication") instanceof Map<?, ?> r) {
            @SuppressWarnings("unchecked")
            Map<String, Object> rep = (Map<String, Object>) r;
            conflicts += Json.num(rep, "conflicts", 0);
            malformed += Json.num(rep, "malformedFrames", 0);
          }
        }
      }
    }
    long expected = -1;
    if (mode != null) {
      int copies = mode.equals("all") ? alive - 1 : Math.min(backups, alive - 1);
      expected = owned * copies;
    }
    if (why == null && owned < minSessions) {
      why = "the nodes own " + owned + " sessions, the users hold " + minSessions;
    }
    if (why == null && owned > maxSessions) {
      why =
          String.format(
              Locale.ROOT,
              "the nodes own %d sessions, more than the users' %d and at most %d left by first"
                  + " requests that failed or were in flight at a fault",
              owned,
              minSessions,
              maxSessions - minSessions);
    }
    if (why == null && expected >= 0 && replicated != expected) {
      why = "the nodes hold " + replicated + " replicas, " + expected + " expected";
    }
    if (why == null && unprotected > 0) {
      why = unprotected + " sessions are unprotected (fewer than k replicas)";
    }
    return new Convergence(
        why == null, owned, replicated, expected, unprotected, conflicts, malformed, why);
  }
}
