package dev.cohort.testkit.engine;

import static dev.cohort.testkit.engine.EngineCluster.attrs;
import static dev.cohort.testkit.engine.EngineCluster.eventually;
import static dev.cohort.testkit.engine.EngineCluster.intOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.channel.ClusterChannel;
import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.RequestHandler;
import dev.cohort.core.engine.Mode;
import dev.cohort.core.engine.SessionEngine;
import dev.cohort.core.placement.Rendezvous;
import dev.cohort.testkit.ForwardingChannel;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
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

  // A restarted member gets the records it now holds as soon as the others installed the view that
  // lists it, possibly before its channel can name it. It cannot apply them yet and must not
  // acknowledge them: the owner would count it as a holder of a copy it lacks, for good when the
  // session is not changed again (kill-two chaos: fewer replicas on the nodes than the owners
  // count)
  @Test
  void recordsThatReachARestartedMemberBeforeItKnowsItsName_endUpThere() throws Exception {
    c = new EngineCluster(EngineCluster.testConfig());
    c.startAll("n1", "n2");
    for (int i = 0; i < 20; i++) {
      c.get("n1").commit(c.create("s" + i, attrs("count", i))).get(5, TimeUnit.SECONDS);
    }
    c.kill("n2");
    c.awaitViewSize(1);
    eventually().until(() -> c.get("n1").stats().unprotectedSessions() == 20);

    c.channels = NameLearnedLate::new;
    SessionEngine n2 = c.start("n2");
    c.awaitViewSize(2);
    NameLearnedLate ch = NameLearnedLate.last;
    assertThat(ch.handledBeforeNamed).as("frames handled before n2 knew its name").isPositive();

    eventually().until(() -> n2.stats().replicaSessions() == 20);
    for (int i = 0; i < 20; i++) {
      assertThat(c.get("n1").placement("s" + i).holders()).containsExactly("n2");
      assertThat(intOf(n2.acquire("s" + i).orElseThrow().attributes().get("count"))).isEqualTo(i);
    }
  }

  /**
   * Like the JGroups channel while it connects: the first frames from other members reach the
   * handler before {@code connect()} returns, and until then the channel cannot name this member.
   */
  static final class NameLearnedLate extends ForwardingChannel {
    static volatile NameLearnedLate last;
    private final CountDownLatch firstFrame = new CountDownLatch(1);
    private volatile boolean connected;
    volatile int handledBeforeNamed;

    NameLearnedLate(ClusterChannel delegate) {
      super(delegate);
      last = this;
    }

    @Override
    public void setRequestHandler(RequestHandler handler) {
      super.setRequestHandler(
          (Member from, byte[] payload) -> {
            try {
              return handler.onRequest(from, payload);
            } finally {
              if (!connected) {
                handledBeforeNamed++;
              }
              firstFrame.countDown();
            }
          });
    }

    @Override
    public void connect() {
      super.connect();
      try {
        // the other member's onView sends the records at once; connect() returns after they came
        firstFrame.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      connected = true;
    }

    @Override
    public Member localMember() {
      if (!connected) {
        throw new IllegalStateException("localMember: not connected yet");
      }
      return super.localMember();
    }
  }
}
