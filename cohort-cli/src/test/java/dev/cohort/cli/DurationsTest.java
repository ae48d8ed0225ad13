package dev.cohort.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void unitsAndBareNumbers() {
    assertThat(Durations.parse("--x", "500ms", "s")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("--x", "30s", "ms")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse("--x", "2m", "ms")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Durations.parse("--x", "60", "s")).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void garbageAndZeroNameTheOption() {
    assertThatThrownBy(() -> Durations.parse("--drain-timeout", "later", "s"))
        .hasMessageStartingWith("--drain-timeout: 'later'");
    assertThatThrownBy(() -> Durations.positive("--duration", "0s", "s"))
        .hasMessageStartingWith("--duration");
  }
}
