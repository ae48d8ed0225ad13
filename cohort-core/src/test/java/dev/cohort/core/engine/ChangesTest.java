package dev.cohort.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.session.SessionUpdate;
import dev.cohort.core.wire.AttributeChange;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChangesTest {
  static SessionUpdate update(Map<String, byte[]> touched, Set<String> removed) {
    return new SessionUpdate(
        "s", false, 1, 2000, 1800, false, null, null, touched, removed, Map.of());
  }

  final SessionRecord base =
      new SessionRecord(
          "s",
          3,
          1,
          1000,
          1800,
          false,
          null,
          null,
          Map.of(),
          Map.of("a", new byte[] {1, 2, 3}, "big", new byte[200]));

  @Test
  void equalBytesAreNoChange_andOnlyTheAccessTimeMoves() {
    Changes.Diff d = Changes.diff(base, update(Map.of("a", new byte[] {1, 2, 3}), Set.of()));
    assertThat(d.isEmpty()).isTrue();
    assertThat(d.next().version()).isEqualTo(3);
    assertThat(d.next().lastAccessedTime()).isEqualTo(2000);
  }

  @Test
  void aSmallChangeInALargeValueShipsAsAPatch() {
    byte[] big = new byte[200];
    big[100] = 1;
    Changes.Diff d = Changes.diff(base, update(Map.of("big", big), Set.of()));
    assertThat(d.delta().changes()).singleElement().isInstanceOf(AttributeChange.Patch.class);
    SessionRecord applied = Changes.apply(base, d.delta());
    assertThat(applied.attributes().get("big")).isEqualTo(big);
    assertThat(applied.version()).isEqualTo(4);
    assertThat(applied).usingRecursiveComparison().isEqualTo(d.next());
  }

  @Test
  void setRemoveAndMetadataApplyOnTheHolderExactlyAsOnTheOwner() {
    SessionUpdate u =
        new SessionUpdate(
            "s",
            false,
            1,
            3000,
            60,
            false,
            "BASIC",
            new byte[] {5},
            Map.of("new", new byte[] {9}),
            Set.of("a"),
            Map.of("n", new byte[] {1}));
    Changes.Diff d = Changes.diff(base, u);
    SessionRecord applied = Changes.apply(base, d.delta());
    assertThat(applied).usingRecursiveComparison().isEqualTo(d.next());
    assertThat(applied.attributes()).containsOnlyKeys("big", "new");
    assertThat(applied.maxInactiveSeconds()).isEqualTo(60);
    assertThat(applied.authType()).isEqualTo("BASIC");
    assertThat(applied.notes()).containsOnlyKeys("n");
  }

  @Test
  void aPatchThatDoesNotFitTheHoldersValueIsRefused() {
    AttributeChange.Patch p = new AttributeChange.Patch("a", 2, 2, new byte[] {1});
    assertThat(p.apply(new byte[] {1, 2, 3})).isNull();
  }
}
