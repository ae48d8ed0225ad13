package dev.cohort.cli.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ScenarioTest {

  @Test
  void scenariosAreFoundByTheirCommandLineNames() {
    assertThat(Scenario.of("kill")).isEqualTo(Scenario.KILL);
    assertThat(Scenario.of("kill-two")).isEqualTo(Scenario.KILL_TWO);
    assertThat(Scenario.of("async-kill")).isEqualTo(Scenario.ASYNC_KILL);
    assertThat(Scenario.of("partition")).isEqualTo(Scenario.PARTITION);
  }

  @Test
  void anUnknownScenario_isBadUsageNamingTheOptionAndTheChoices() {
    assertThatThrownBy(() -> Scenario.of("meteor"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--scenario: 'meteor'")
        .hasMessageContaining("kill, rolling, kill-two, freeze, partition, async-kill, all");
  }

  @Test
  void eachScenarioHasTheClusterItsClaimIsAbout() {
    assertThat(Scenario.KILL_TWO.nodes).isEqualTo(4);
    assertThat(Scenario.KILL_TWO.backups).isEqualTo(2);
    assertThat(Scenario.ASYNC_KILL.sync).isFalse();
    assertThat(Scenario.KILL.sync).isTrue();
  }

  @Test
  void onlyFreezeAndKillTwoAllowFailedRequests_andOnlyAsyncKillMeasuresStaleness() {
    for (Scenario s : Scenario.values()) {
      assertThat(s.failuresAllowed())
          .as(s.id)
          .isEqualTo(s == Scenario.FREEZE || s == Scenario.KILL_TWO);
      assertThat(s.staleMeasured()).as(s.id).isEqualTo(s == Scenario.ASYNC_KILL);
    }
  }
}
