package dev.cohort.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Scenario 3: two of four nodes killed at the same moment ({@code kill -9}), k=2: every session had
 * a third copy, so nothing is lost.
 */
class KillTwoNodesIT {

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void twoOfFourKilledAtOnce_withTwoBackups_losesNothing() throws Exception {
    ChaosReport r =
        Cohort.chaos(
            "kill-two", 230, "--scenario", "kill-two", "--duration", "20s", "--users", "20");

    assertThat(r.text()).contains("4 nodes (backup, k=2, sync)").contains("kill -9 x2");
    assertThat(r.faults()).as(r.toString()).isGreaterThanOrEqualTo(1);
    assertThat(r.recovered()).as(r.toString()).isTrue();
    assertThat(r.lost()).as(r.toString()).isZero();
    assertThat(r.stale()).as(r.toString()).isZero();
    assertThat(r.resurrected()).as(r.toString()).isZero();
    assertThat(r.failed()).as(r.toString()).isZero();
    assertThat(r.struck()).as(r.toString()).isPositive();
    assertThat(r.struckBad()).as(r.toString()).isZero();
    assertThat(r.crossChecked()).as(r.toString()).isEqualTo(20);
    assertThat(r.crossBad()).as(r.toString()).isZero();
    assertThat(r.converged()).as(r.toString()).isTrue();
    assertThat(r.exitCode()).as(r.toString()).isZero();
  }
}
