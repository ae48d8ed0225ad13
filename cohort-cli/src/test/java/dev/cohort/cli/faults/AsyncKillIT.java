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
 * of 67). A response waits until its change has left the node (not for the replica's answer), so
 * only a change still on the wire at the crash, or held past the 200 ms bound by a slow holder, can
 * be lost. Sessions of the nodes that were not killed never go stale or come back.
 */
@Timeout(value = 200, unit = TimeUnit.SECONDS)
class AsyncKillIT {
  private static ChaosReport r;

  @BeforeAll
  static void killEachNodeInTurn_asyncReplication() throws Exception {
    r =
        Cohort.chaos(
            "async-kill", 190, "--scenario", "async-kill", "--duration", "20s", "--users", "20");
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
  void killedNodesStaleFraction_meetsTheGoalOfOnePercent() {
    // a short run strikes 20-40 sessions, too few to show 1 %: one stale session is allowed
    // there (the 10-minute run measured 4 of 2534, 0.16 %); the code before this goal was met
    // left 2-3 of about 30 stale
    assertThat(r.struckBad()).as(r.toString()).isLessThanOrEqualTo(Math.max(1, r.struck() / 100));
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
