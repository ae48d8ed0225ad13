package dev.cohort.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Scenario 2: a rolling restart of every node (SIGTERM: the node drains its sessions to a replica
 * holder, leaves, starts again) under load with k=1: nothing lost, nothing stale.
 */
class RollingRestartIT {

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void rollingRestartOfEveryNode_losesNoSession_evenWithOneBackup() throws Exception {
    ChaosReport r =
        Cohort.chaos("rolling", 230, "--scenario", "rolling", "--duration", "20s", "--users", "20");

    assertThat(r.faults()).as("every node restarted\n" + r).isGreaterThanOrEqualTo(3);
    assertThat(r.text())
        .contains("restart    n1")
        .contains("restart    n2")
        .contains("restart    n3");
    assertThat(r.recovered()).as(r.toString()).isTrue();
    assertThat(r.lost()).as(r.toString()).isZero();
    assertThat(r.stale()).as(r.toString()).isZero();
    assertThat(r.resurrected()).as(r.toString()).isZero();
    assertThat(r.failed()).as(r.toString()).isZero();
    assertThat(r.crossChecked()).as(r.toString()).isEqualTo(20);
    assertThat(r.crossBad()).as(r.toString()).isZero();
    assertThat(r.converged()).as(r.toString()).isTrue();
    assertThat(r.exitCode()).as(r.toString()).isZero();
  }
}
