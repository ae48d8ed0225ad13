package dev.cohort.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Scenario 4: a node frozen with {@code kill -STOP} for longer than the drop time (10 s against 3
 * s), then {@code kill -CONT}, under load. The others expel it and serve its sessions from their
 * replicas; when it wakes it rejoins and must never overwrite the newer state with what it held.
 * One chaos run; each invariant is its own test, so a failure names the one that broke.
 */
@Timeout(value = 200, unit = TimeUnit.SECONDS)
class FreezeIT {
  private static ChaosReport r;

  @BeforeAll
  static void freezeEachNodeInTurn() throws Exception {
    r = Cohort.chaos("freeze", 190, "--scenario", "freeze", "--duration", "15s", "--users", "20");
  }

  @Test
  void frozenNode_isExpelled_andRejoins() {
    assertThat(r.text()).contains("freeze   n1");
    assertThat(r.recovered()).as(r.toString()).isTrue();
  }

  @Test
  void afterTheFrozenNodeWakes_noSessionIsLostOrGoesBackInTime() {
    assertThat(r.lost()).as(r.toString()).isZero();
    assertThat(r.stale()).as(r.toString()).isZero();
    assertThat(r.struck()).as(r.toString()).isPositive();
    assertThat(r.struckBad()).as(r.toString()).isZero();
    assertThat(r.crossChecked()).as(r.toString()).isEqualTo(20);
    assertThat(r.crossBad()).as(r.toString()).isZero();
  }

  @Test
  void afterTheFreeze_everyNodesReplicasConverge() {
    assertThat(r.converged()).as(r.toString()).isTrue();
  }

  @Test
  void invalidatedSessions_neverComeBack() {
    assertThat(r.invalidated()).as("users invalidated sessions\n" + r).isPositive();
    assertThat(r.resurrected()).as(r.toString()).isZero();
  }
}
