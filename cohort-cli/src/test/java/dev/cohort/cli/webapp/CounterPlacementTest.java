package dev.cohort.cli.webapp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.engine.Placement;
import java.util.List;
import org.junit.jupiter.api.Test;

class CounterPlacementTest {
  private final DemoWebapp.CounterServlet n2 = new DemoWebapp.CounterServlet("n2");

  @Test
  void ownedHere_isShownAsIs() {
    Placement p = new Placement("n2", List.of("n3"));
    assertThat(n2.servedHere(p)).isEqualTo(p);
  }

  @Test
  void newSessionGuessedElsewhere_isOwnedHere_withTheRankingWithoutThisNode() {
    assertThat(n2.servedHere(new Placement("n3", List.of("n1"))))
        .isEqualTo(new Placement("n2", List.of("n3")));
    assertThat(n2.servedHere(new Placement("n3", List.of("n2"))))
        .isEqualTo(new Placement("n2", List.of("n3")));
  }

  @Test
  void allMode_everyOtherMemberHolds() {
    assertThat(n2.servedHere(new Placement("n1", List.of("n2", "n3"))))
        .isEqualTo(new Placement("n2", List.of("n1", "n3")));
  }

  @Test
  void routeSuffixIsStripped() {
    assertThat(DemoWebapp.bareId("ABC.n1")).isEqualTo("ABC");
    assertThat(DemoWebapp.bareId("ABC")).isEqualTo("ABC");
  }

  @Test
  void seqParameterIsAnIdempotencyKey_orZero() {
    assertThat(DemoWebapp.CounterServlet.seq("42")).isEqualTo(42);
    assertThat(DemoWebapp.CounterServlet.seq(null)).isZero();
    assertThat(DemoWebapp.CounterServlet.seq("-3")).isZero();
    assertThat(DemoWebapp.CounterServlet.seq("9999999999999999999999")).isZero();
  }
}
