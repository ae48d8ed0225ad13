package dev.cohort.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Scenario 1: {@code kill -9} of one node of 3 in turn, under load through the balancer, sync
 * replication, k=1. Tomcat's DeltaManager failed 120-133 requests and lost a session here; Cohort
 * must fail none and lose none. One chaos run; each invariant is its own test.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class KillOneNodeIT {
  private static ChaosReport r;

  @BeforeAll
  static void killEachNodeInTurn() throws Exception {
    r = Cohort.chaos("kill", 170, "--scenario", "kill", "--duration", "20s", "--users", "20");
  }

  @Test
  void killedNodes_restartAndRejoin() {
    assertThat(r.faults()).as(r.toString()).isGreaterThanOrEqualTo(1);
    assertThat(r.text()).contains("kill -9  n1");
    assertThat(r.recovered()).as(r.toString()).isTrue();
    assertThat(r.requests()).as(r.toString()).isGreaterThan(100);
  }

  @Test
  void throughTheBalancer_noRequestFails() {
    assertThat(r.failed()).as(r.toString()).isZero();
  }

  @Test
  void noSessionIsLostOrStale_notEvenTheKilledNodes() {
    assertThat(r.lost()).as(r.toString()).isZero();
    assertThat(r.stale()).as(r.toString()).isZero();
    assertThat(r.struck()).as("the killed nodes' sessions were checked\n" + r).isPositive();
    assertThat(r.struckBad()).as(r.toString()).isZero();
    assertThat(r.crossChecked()).as(r.toString()).isEqualTo(20);
    assertThat(r.crossBad()).as(r.toString()).isZero();
  }

  @Test
  void everyNodesReplicasConverge() {
    assertThat(r.converged()).as(r.toString()).isTrue();
  }

  @Test
  void invalidatedSessions_neverComeBack() {
    assertThat(r.invalidated()).as("users invalidated sessions\n" + r).isPositive();
    assertThat(r.resurrected()).as(r.toString()).isZero();
  }
}
