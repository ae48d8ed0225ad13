package dev.cohort.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Scenario 2: a rolling restart of every node (SIGTERM: the node drains its sessions to a replica
 * holder, leaves, starts again) under load with k=1: nothing lost, nothing stale. One chaos run;
 * each invariant is its own test.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RollingRestartIT {
  private static ChaosReport r;

  @BeforeAll
  static void restartEveryNodeInTurn() throws Exception {
    r = Cohort.chaos("rolling", 230, "--scenario", "rolling", "--duration", "20s", "--users", "20");
  }

  @Test
  void everyNodeIsRestarted_andRejoins() {
    assertThat(r.faults()).as("every node restarted\n" + r).isGreaterThanOrEqualTo(3);
    assertThat(r.text()).contains("restart  n1").contains("restart  n2").contains("restart  n3");
    assertThat(r.recovered()).as(r.toString()).isTrue();
  }

  @Test
  void withOneBackup_noSessionIsLostOrStale() {
    assertThat(r.lost()).as(r.toString()).isZero();
    assertThat(r.stale()).as(r.toString()).isZero();
    assertThat(r.crossChecked()).as(r.toString()).isEqualTo(20);
    assertThat(r.crossBad()).as(r.toString()).isZero();
  }

  @Test
  void throughTheBalancer_noRequestFails() {
    assertThat(r.failed()).as(r.toString()).isZero();
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
