package dev.cohort.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Scenario 3: two of four nodes killed at the same moment ({@code kill -9}), k=2: every session had
 * a third copy, so nothing is lost. (Requests may fail here: the balancer retries an interrupted
 * request once, and the retry can land on the other dead node; the report counts them.)
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class KillTwoNodesIT {
  private static ChaosReport r;

  @BeforeAll
  static void killTwoNodesAtOnce() throws Exception {
    r =
        Cohort.chaos(
            "kill-two", 230, "--scenario", "kill-two", "--duration", "20s", "--users", "20");
  }

  @Test
  void bothKilledNodes_restartAndRejoin() {
    assertThat(r.text()).contains("4 nodes (backup, k=2, sync)").contains("kill -9 x2");
    assertThat(r.faults()).as(r.toString()).isGreaterThanOrEqualTo(1);
    assertThat(r.recovered()).as(r.toString()).isTrue();
  }

  @Test
  void withTwoBackups_noSessionIsLostOrStale() {
    assertThat(r.lost()).as(r.toString()).isZero();
    assertThat(r.stale()).as(r.toString()).isZero();
    assertThat(r.struck()).as(r.toString()).isPositive();
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
