package dev.cohort.jgroups;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.jgroups.ReplayWindow.Verdict;
import org.junit.jupiter.api.Test;

class ReplayWindowTest {
  private final ReplayWindow w = new ReplayWindow(0);

  @Test
  void eachCounter_isAcceptedOnce() {
    assertThat(w.accept(0, 1)).isEqualTo(Verdict.FRESH);
    assertThat(w.accept(1, 1)).isEqualTo(Verdict.FRESH);
    assertThat(w.accept(1, 1)).isEqualTo(Verdict.DUPLICATE);
    assertThat(w.accept(0, 1)).isEqualTo(Verdict.DUPLICATE);
  }

  @Test
  void countersOutOfOrder_withinTheWindow_areAccepted_andTheirRepeatsAreNot() {
    assertThat(w.accept(10_000, 1)).isEqualTo(Verdict.FRESH);
    assertThat(w.accept(9_998, 1)).isEqualTo(Verdict.FRESH);
    assertThat(w.accept(9_999, 1)).isEqualTo(Verdict.FRESH);
    assertThat(w.accept(9_998, 1)).isEqualTo(Verdict.DUPLICATE);
    long oldest = 10_000 - ReplayWindow.SIZE + 1;
    assertThat(w.accept(oldest, 1)).isEqualTo(Verdict.FRESH);
    assertThat(w.accept(oldest - 1, 1)).isEqualTo(Verdict.TOO_OLD);
  }

  @Test
  void aJumpAhead_forgetsWhatFellOutOfTheWindow_butNotWhatStayedIn() {
    w.accept(10, 1);
    w.accept(11, 1);
    assertThat(w.accept(10 + ReplayWindow.SIZE, 1)).isEqualTo(Verdict.FRESH);
    assertThat(w.accept(11, 1)).isEqualTo(Verdict.DUPLICATE); // still inside
    assertThat(w.accept(10, 1)).isEqualTo(Verdict.TOO_OLD);
    assertThat(w.accept(12, 1)).isEqualTo(Verdict.FRESH); // never seen, still inside
    long far = 5L * ReplayWindow.SIZE;
    assertThat(w.accept(far, 2)).isEqualTo(Verdict.FRESH);
    // a slot reused by the ring after the jump holds no stale bit
    assertThat(w.accept(far - ReplayWindow.SIZE + 12, 2)).isEqualTo(Verdict.FRESH);
    assertThat(w.usedAt()).isEqualTo(2);
  }

  @Test
  void negativeCounter_isRefused() {
    assertThat(w.accept(-1, 1)).isEqualTo(Verdict.TOO_OLD);
  }
}
