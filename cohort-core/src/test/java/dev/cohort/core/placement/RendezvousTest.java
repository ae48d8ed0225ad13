package dev.cohort.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RendezvousTest {
  static final List<String> FIVE = List.of("n1", "n2", "n3", "n4", "n5");

  @Test
  void rankingDoesNotDependOnTheOrderOfMembers() {
    List<String> reversed = new ArrayList<>(FIVE);
    java.util.Collections.reverse(reversed);
    for (int i = 0; i < 200; i++) {
      assertThat(Rendezvous.rank("s" + i, reversed)).isEqualTo(Rendezvous.rank("s" + i, FIVE));
    }
  }

  @Test
  void holdersNeverIncludeTheOwner() {
    for (int i = 0; i < 200; i++) {
      List<String> h = Rendezvous.holders("s" + i, "n3", FIVE, 2);
      assertThat(h).hasSize(2).doesNotContain("n3");
      assertThat(Rendezvous.holders("s" + i, "n3", FIVE, 16)).hasSize(4);
    }
  }

  @Test
  void aJoinMovesOnlyTheSessionsThatTheJoinerNowHolds() {
    List<String> six = new ArrayList<>(FIVE);
    six.add("n6");
    int moved = 0;
    for (int i = 0; i < 3000; i++) {
      List<String> before = Rendezvous.holders("s" + i, "n1", FIVE, 1);
      List<String> after = Rendezvous.holders("s" + i, "n1", six, 1);
      if (!before.equals(after)) {
        moved++;
        assertThat(after).containsExactly("n6");
      }
    }
    // about 1/5 of the sessions move to the joiner (it is one of five candidates)
    assertThat(moved).isBetween(450, 750);
  }

  @Test
  void sessionsSpreadEvenlyOverHolders() {
    int[] count = new int[5];
    for (int i = 0; i < 5000; i++) {
      String top = Rendezvous.rank(Integer.toHexString(i * 7919), FIVE).get(0);
      count[FIVE.indexOf(top)]++;
    }
    for (int c : count) {
      assertThat(c).isBetween(850, 1150);
    }
  }
}
