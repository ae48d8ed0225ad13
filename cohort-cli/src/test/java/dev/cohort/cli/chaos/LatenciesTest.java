package dev.cohort.cli.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatenciesTest {
  @Test
  void nearestRankPercentiles() {
    Latencies l = new Latencies();
    for (int i = 100; i >= 1; i--) {
      l.add(i);
    }

    assertThat(l.percentile(50)).isEqualTo(50);
    assertThat(l.percentile(99)).isEqualTo(99);
    assertThat(l.percentile(100)).isEqualTo(100);
    assertThat(l.max()).isEqualTo(100);
    assertThat(l.count()).isEqualTo(100);
  }

  @Test
  void emptyIsZero() {
    assertThat(new Latencies().percentile(99)).isZero();
  }
}
