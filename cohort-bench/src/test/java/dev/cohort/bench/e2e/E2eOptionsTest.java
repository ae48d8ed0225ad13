package dev.cohort.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class E2eOptionsTest {
  @Test
  void parsesSystemsAndDurationsOverTheDefaults() {
    E2eOptions o =
        E2eOptions.parse(
            new String[] {"--systems", "tomcat-standalone,cohort-all-sync", "--duration", "7"});

    assertThat(o.systems())
        .containsExactly(SystemKind.TOMCAT_STANDALONE, SystemKind.COHORT_ALL_SYNC);
    assertThat(o.durationSeconds()).isEqualTo(7);
    assertThat(o.nodes()).isEqualTo(3);
  }

  @Test
  void unknownSystemIsRejectedNamingTheOptionAndTheValidOnes() {
    assertThatThrownBy(() -> E2eOptions.parse(new String[] {"--systems", "jetty"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--system")
        .hasMessageContaining("tomcat-delta-async");
  }

  @Test
  void unboundedDurationIsRejected() {
    assertThatThrownBy(() -> E2eOptions.parse(new String[] {"--duration", "100000"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--duration");
  }

  @Test
  void nodeOptionsRoundTripThroughTheirArguments() {
    NodeOptions o =
        new NodeOptions(
            SystemKind.TOMCAT_BACKUP,
            "n2",
            0,
            7802,
            java.util.List.of("127.0.0.1:7801", "127.0.0.1:7802"),
            "bench-x",
            500);

    assertThat(NodeOptions.parse(o.toArgs().toArray(String[]::new))).isEqualTo(o);
  }
}
