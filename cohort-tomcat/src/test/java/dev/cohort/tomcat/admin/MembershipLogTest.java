package dev.cohort.tomcat.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class MembershipLogTest {
  private final MembershipLog log =
      new MembershipLog(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));

  private static NodeFigures figures(long viewId, String... members) {
    FakeEngine e = new FakeEngine(viewId, members);
    return NodeFigures.read("n1", List.of(e));
  }

  @Test
  void recordsJoinsAndLeaves_newestFirst() {
    log.observe(figures(1, "n1"));
    log.observe(figures(2, "n1", "n2"));
    log.observe(figures(3, "n2"));

    assertThat(log.recent())
        .extracting(MembershipLog.Entry::text)
        .containsExactly("left n1; 1 member", "joined n2; 2 members", "first view: n1 (1 member)");
  }

  @Test
  void sameViewTwiceIsOneEntry() {
    log.observe(figures(1, "n1", "n2"));
    log.observe(figures(1, "n1", "n2"));

    assertThat(log.recent()).hasSize(1);
  }

  @Test
  void keepsOnlyTheLastEntries() {
    for (int i = 0; i < MembershipLog.CAPACITY + 10; i++) {
      log.observe(figures(i, "n1"));
    }

    assertThat(log.recent()).hasSize(MembershipLog.CAPACITY);
    assertThat(log.recent().get(0).viewId()).isEqualTo(MembershipLog.CAPACITY + 9);
  }
}
