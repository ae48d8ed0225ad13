package dev.cohort.cli.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.cli.chaos.Ledger.Outcome;
import org.junit.jupiter.api.Test;

class LedgerTest {
  private final Ledger ledger = new Ledger();

  @Test
  void countingUpByOneIsOk() {
    assertThat(ledger.answered(1)).isEqualTo(Outcome.OK);
    assertThat(ledger.answered(2)).isEqualTo(Outcome.OK);
    assertThat(ledger.answered(3)).isEqualTo(Outcome.OK);
  }

  @Test
  void backToOneIsALostSession() {
    ledger.answered(1);
    ledger.answered(2);

    assertThat(ledger.answered(1)).isEqualTo(Outcome.LOST);
    assertThat(ledger.answered(2)).isEqualTo(Outcome.OK);
  }

  @Test
  void goingBackIsStale() {
    ledger.answered(1);
    ledger.answered(2);
    ledger.answered(3);

    assertThat(ledger.answered(2)).isEqualTo(Outcome.WENT_BACK);
  }

  @Test
  void repeatingIsStale() {
    ledger.answered(1);
    ledger.answered(2);

    assertThat(ledger.answered(2)).isEqualTo(Outcome.WENT_BACK);
  }

  @Test
  void skippingIsStale() {
    ledger.answered(1);

    assertThat(ledger.answered(3)).isEqualTo(Outcome.SKIPPED);
  }

  @Test
  void afterAFailure_oneOrTwoAheadAreBothOk() {
    ledger.answered(1);
    ledger.failed();
    assertThat(ledger.answered(3)).isEqualTo(Outcome.OK);
    ledger.failed();
    assertThat(ledger.answered(4)).isEqualTo(Outcome.OK);
    assertThat(ledger.answered(6)).isEqualTo(Outcome.SKIPPED);
  }

  @Test
  void firstAnswerMustBeOne() {
    assertThat(ledger.answered(5)).isEqualTo(Outcome.SKIPPED);
  }

  @Test
  void afterInvalidation_aFreshSessionIsOk() {
    ledger.answered(1);
    ledger.answered(2);
    ledger.invalidated();

    assertThat(ledger.expectsFresh()).isTrue();
    assertThat(ledger.answered(1)).isEqualTo(Outcome.OK);
    assertThat(ledger.expectsFresh()).isFalse();
    assertThat(ledger.answered(2)).isEqualTo(Outcome.OK);
  }

  @Test
  void afterInvalidation_theOldCountComingBackIsAResurrection() {
    ledger.answered(1);
    ledger.answered(2);
    ledger.invalidated();

    assertThat(ledger.answered(3)).isEqualTo(Outcome.RESURRECTED);
  }

  @Test
  void afterInvalidation_aFailedRequestStillExpectsAFreshSession() {
    ledger.answered(1);
    ledger.invalidated();
    ledger.failed();

    assertThat(ledger.answered(2)).isEqualTo(Outcome.RESURRECTED);
  }

  // without idempotency keys every count is accounted for

  private final Ledger exact = new Ledger(true);

  @Test
  void exact_afterAnErrorAnsweredByANode_theNextCountIsOneMore() {
    exact.answered(1);
    exact.failed(false); // e.g. 503: applied nowhere

    assertThat(exact.answered(2)).isEqualTo(Outcome.OK);
    exact.failed(false);
    assertThat(exact.answered(4)).isEqualTo(Outcome.SKIPPED); // the 503 was applied after all
  }

  @Test
  void exact_eachRequestWithNoAnswer_mayHaveAppliedOnce() {
    exact.answered(1);
    exact.failed(true); // a lost connection
    exact.failed(true);

    assertThat(exact.answered(4)).isEqualTo(Outcome.OK);
    exact.failed(true);
    assertThat(exact.answered(5)).isEqualTo(Outcome.OK);
    exact.failed(true);
    assertThat(exact.answered(8)).isEqualTo(Outcome.SKIPPED); // 6 or 7 at most
  }

  @Test
  void exact_aRequestInFlightWhileANodeWentDown_mayHaveAppliedTwice() {
    exact.answered(1);

    assertThat(exact.answered(3, true)).isEqualTo(Outcome.OK);
    assertThat(exact.beyondOne()).isEqualTo(1);
    assertThat(exact.answered(4, true)).isEqualTo(Outcome.OK);
    assertThat(exact.beyondOne()).isZero();
    assertThat(exact.answered(6, false)).isEqualTo(Outcome.SKIPPED);
  }

  @Test
  void exact_twoAnswersWithTheSameCount_areALostUpdate() {
    exact.answered(1);
    exact.answered(2);

    assertThat(exact.answered(2)).isEqualTo(Outcome.WENT_BACK);
  }

  @Test
  void keys_anErrorAnsweredByANode_stillAllowsTwoAhead() {
    ledger.answered(1);
    ledger.failed(false);

    assertThat(ledger.answered(3)).isEqualTo(Outcome.OK);
  }
}
