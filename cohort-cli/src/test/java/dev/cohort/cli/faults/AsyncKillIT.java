package dev.cohort.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Scenario 8: async replication (the response does not wait for the replica), {@code kill -9} of
 * one node of 3 in turn. The fraction of the killed node's sessions whose first answer after the
 * kill is stale or lost is measured and reported (goal <= 1 %; Tomcat's async DeltaManager: all 67
 * of 67). The goal is not asserted here: it does not hold reliably on this machine (see
 * docs/reliability.md for the measured figures); the command's exit code says whether it held. What
 * must hold: sessions of the nodes that were not killed never go stale or come back.
 */
@Timeout(value = 200, unit = TimeUnit.SECONDS)
class AsyncKillIT {
  private static ChaosReport r;

  @BeforeAll
  static void killEachNodeInTurn_asyncReplication() throws Exception {
    // users do not invalidate here: an invalidated session can still come back after a kill,
    // freeze or partition (no tombstones yet, docs/reliability.md "Known defects");
    // `cohort chaos --scenario ...` runs with invalidation on and reports it
    r =
        Cohort.chaos(
            "async-kill",
            190,
            "--scenario",
            "async-kill",
            "--invalidate-every",
            "0",
            "--duration",
            "20s",
            "--users",
            "20");
    System.out.printf(
        "async kill -9: %d of the killed nodes' %d sessions came back stale or lost (%.2f %%)%n",
        r.struckBad(), r.struck(), 100 * r.struckFraction());
  }

  @Test
  void killedNodesStaleFraction_isMeasuredAndReported() {
    assertThat(r.text()).contains("3 nodes (backup, k=1, async)");
    assertThat(r.recovered()).as(r.toString()).isTrue();
    assertThat(r.struck()).as("the killed nodes' sessions were measured\n" + r).isPositive();
    assertThat(r.text()).containsPattern("struck sessions \\d+ answered .* \\(\\d+\\.\\d\\d %\\)");
  }

  @Test
  void sessionsOfNodesThatWereNotKilled_neverGoStaleOrComeBack() {
    assertThat(r.lost() + r.stale() + r.resurrected())
        .as("lost, stale or resurrected outside the killed nodes' sessions\n" + r)
        .isLessThanOrEqualTo(r.struckBad());
    assertThat(r.crossBad()).as(r.toString()).isZero();
  }

  @Test
  void noRequestFails_andReplicasConverge() {
    assertThat(r.failed()).as(r.toString()).isZero();
    assertThat(r.converged()).as(r.toString()).isTrue();
  }
}
