package dev.cohort.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HoldersTest {
  final Holders.Interner interner = new Holders.Interner();

  @Test
  void sameHoldersInTheSameView_shareOneInstance() {
    Holders a = interner.of(new ArrayList<>(List.of("n2")), 7);
    Holders b = interner.of(List.of("n2"), 7);

    assertThat(b).isSameAs(a).containsExactly("n2");
    assertThat(a.view).isEqualTo(7);
    assertThat(interner.of(List.of("n3"), 7)).isNotSameAs(a).containsExactly("n3");
  }

  @Test
  void aNewerView_startsNewInstances_andAnOlderViewIsNotShared() {
    Holders old = interner.of(List.of("n2", "n3"), 7);
    Holders now = interner.of(List.of("n2", "n3"), 8);

    assertThat(now).isNotSameAs(old).isEqualTo(old);
    assertThat(now.view).isEqualTo(8);
    Holders late = interner.of(List.of("n2", "n3"), 7);
    assertThat(late.view).isEqualTo(7);
    assertThat(interner.of(List.of("n2", "n3"), 8)).isSameAs(now);
  }

  @Test
  void noHolders_isEmpty_andRemembersTheView() {
    assertThat(Holders.NONE).isEmpty();
    Holders alone = interner.of(List.of(), 9);
    assertThat(alone).isEmpty();
    assertThat(alone.view).isEqualTo(9);
  }
}
