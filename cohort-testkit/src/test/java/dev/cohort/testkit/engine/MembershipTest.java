package dev.cohort.testkit.engine;

import static dev.cohort.testkit.engine.EngineCluster.attrs;
import static dev.cohort.testkit.engine.EngineCluster.eventually;
import static dev.cohort.testkit.engine.EngineCluster.intOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.engine.Mode;
import dev.cohort.core.engine.SessionEngine;
import dev.cohort.core.placement.Rendezvous;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class MembershipTest {
  EngineCluster c;

  @AfterEach
  void tearDown() {
    c.close();
  }

  @Test
  void allModeJoinerStreamsEverySession_beforeItIsReady() throws Exception {
    c = new EngineCluster(EngineCluster.testConfig().withMode(Mode.ALL));
    c.startAll("n1", "n2");
    for (int i = 0; i < 400; i++) {
      c.get(i % 2 == 0 ? "n1" : "n2")
          .commit(c.create("s" + i, attrs("count", i, "blob", new byte[512])))
          .get(5, TimeUnit.SECONDS);
    }
    SessionEngine n3 = c.start("n3");
    assertThat(n3.isReady()).isTrue();
    assertThat(n3.stats().transferExpected()).isEqualTo(400);
    assertThat(n3.stats().transferReceived()).isEqualTo(400);
    assertThat(n3.stats().replicaSessions()).isEqualTo(400);
    assertThat(intOf(n3.acquire("s7").orElseThrow().attributes().get("count"))).isEqualTo(7);
  }

  @Test
  void backupModeJoinerReceivesTheReplicasItNowHolds() throws Exception {
    c = new EngineCluster(EngineCluster.testConfig());
    c.startAll("n1", "n2");
    for (int i = 0; i < 100; i++) {
      c.get("n1").commit(c.create("s" + i, attrs("count", i))).get(5, TimeUnit.SECONDS);
    }
    assertThat(c.get("n2").stats().replicaSessions()).isEqualTo(100);
    SessionEngine n3 = c.start("n3");
    assertThat(n3.isReady()).isTrue();
    c.awaitViewSize(3);
    int toN3 = 0;
    for (int i = 0; i < 100; i++) {
      if (Rendezvous.holders("s" + i, "n1", List.of("n1", "n2", "n3"), 1).equals(List.of("n3"))) {
        toN3++;
      }
    }
    assertThat(toN3).isBetween(20, 80);
    int expected = toN3;
    eventually().until(() -> n3.stats().replicaSessions() == expected);
    eventually().until(() -> c.get("n2").stats().replicaSessions() == 100 - expected);
  }

  @Test
  void noReplicaMovesBack_afterHeal() throws Exception {
    c = new EngineCluster(EngineCluster.testConfig());
    c.startAll("n1", "n2", "n3");
    SessionEngine n1 = c.get("n1");
    n1.commit(c.create("s", attrs("count", 1))).get(5, TimeUnit.SECONDS);
    String holder = n1.placement("s").holders().get(0);
    String other = holder.equals("n2") ? "n3" : "n2";
    c.net.partition(Set.of("n1"), Set.of("n2", "n3"));
    eventually().until(() -> c.get(holder).owns("s"));
    // both sides keep serving: the majority side makes more changes
    n1.commit(c.set("s", attrs("count", 5))).get(5, TimeUnit.SECONDS);
    SessionEngine caretaker = c.get(holder);
    caretaker.commit(c.set("s", attrs("count", 10))).get(5, TimeUnit.SECONDS);
    caretaker.commit(c.set("s", attrs("count", 11))).get(5, TimeUnit.SECONDS);
    long newest = caretaker.acquire("s").orElseThrow().version();
    c.net.heal();
    c.awaitViewSize(3);
    eventually().until(() -> !n1.owns("s"));
    assertThat(c.ownerOf("s")).contains(holder);
    assertThat(c.events.get("n1").ownershipLost).contains("s");
    assertThat(c.live().stream().mapToLong(e -> e.stats().conflicts()).sum()).isPositive();
    SessionEngine third = c.get(other);
    eventually()
        .until(
            () ->
                third.stats().replicaSessions() + n1.stats().replicaSessions() >= 1
                    && caretaker.stats().unprotectedSessions() == 0);
    assertThat(intOf(caretaker.acquire("s").orElseThrow().attributes().get("count"))).isEqualTo(11);
    assertThat(caretaker.acquire("s").orElseThrow().version()).isEqualTo(newest);
  }
}
