package dev.cohort.testkit.engine;

import static dev.cohort.testkit.engine.EngineCluster.attrs;
import static dev.cohort.testkit.engine.EngineCluster.eventually;
import static dev.cohort.testkit.engine.EngineCluster.intOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.engine.Placement;
import dev.cohort.core.engine.SessionEngine;
import dev.cohort.core.session.SessionRecord;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ReplicationTest {
  EngineCluster c = new EngineCluster(EngineCluster.testConfig());

  @AfterEach
  void tearDown() {
    c.close();
  }

  @Test
  void syncCommitIsOnTheHolder_whenTheFutureCompletes() throws Exception {
    c.startAll("n1", "n2", "n3");
    SessionEngine n1 = c.get("n1");
    n1.commit(c.create("s1", attrs("count", 1))).get(5, TimeUnit.SECONDS);
    Placement p = n1.placement("s1");
    assertThat(p.owner()).isEqualTo("n1");
    assertThat(p.holders()).hasSize(1);
    for (int i = 2; i <= 20; i++) {
      n1.commit(c.set("s1", attrs("count", i))).get(5, TimeUnit.SECONDS);
    }
    SessionEngine holder = c.get(p.holders().get(0));
    assertThat(holder.stats().replicaSessions()).isEqualTo(1);
    assertThat(holder.stats().deltasApplied()).isEqualTo(19);
    assertThat(n1.stats().deltasSent()).isEqualTo(19);
    // the holder gives its copy on take-over: count 20 at version 20 then bumped
    Optional<SessionRecord> r = holder.acquire("s1");
    assertThat(r).isPresent();
    assertThat(intOf(r.get().attributes().get("count"))).isEqualTo(20);
    assertThat(r.get().version()).isEqualTo(20);
    assertThat(holder.owns("s1")).isTrue();
    eventually().until(() -> !n1.owns("s1"));
    assertThat(c.events.get("n1").ownershipLost).containsExactly("s1");
  }

  @Test
  void asyncCommit_completesWhenTheDeltaIsSent_notWhenTheHolderApplies() throws Exception {
    try (EngineCluster a = new EngineCluster(EngineCluster.testConfig().withSync(false))) {
      ownedSessionWithASlowHolder(a);
      SessionEngine n1 = a.get("n1");
      SessionEngine n2 = a.get("n2");

      n1.commit(a.set("s1", attrs("count", 2))).get(2, TimeUnit.SECONDS);

      assertThat(n1.stats().deltasSent()).isEqualTo(1);
      assertThat(n2.stats().deltasApplied()).isZero();
    }
  }

  @Test
  void asyncCommit_behindAFrameInFlight_waitsForItToLeave_butAtMostTheAsyncBound()
      throws Exception {
    try (EngineCluster a = new EngineCluster(EngineCluster.testConfig().withSync(false))) {
      ownedSessionWithASlowHolder(a);
      SessionEngine n1 = a.get("n1");
      SessionEngine n2 = a.get("n2");
      n1.commit(a.set("s1", attrs("count", 2))).get(2, TimeUnit.SECONDS); // in flight for 3 s

      long t0 = System.nanoTime();
      CompletableFuture<Void> queued = n1.commit(a.set("s1", attrs("count", 3)));
      queued.get(2, TimeUnit.SECONDS);
      long waitedMs = (System.nanoTime() - t0) / 1_000_000;

      // queued behind the unanswered frame: the response waited (a crash now would lose the
      // change), but not for the slow holder's 3 s — the async bound (200 ms) ended the wait
      assertThat(waitedMs).isGreaterThanOrEqualTo(200);
      assertThat(n1.stats().deltasSent()).isEqualTo(1);
      eventually().until(() -> n2.stats().deltasApplied() == 2);
    }
  }

  @Test
  void asyncInvalidationByANonOwner_doesNotWaitForTheOwnersAnswer() throws Exception {
    try (EngineCluster a = new EngineCluster(EngineCluster.testConfig().withSync(false))) {
      a.startAll("n1", "n2");
      SessionEngine n1 = a.get("n1");
      n1.commit(a.create("s1", attrs("count", 1))).get(5, TimeUnit.SECONDS);
      eventually().until(() -> a.get("n2").stats().replicaSessions() == 1);
      a.net.delay("n1", Duration.ofSeconds(3));

      CompletableFuture<Void> f = a.get("n2").invalidate("s1");

      assertThat(f).isDone();
      assertThat(n1.owns("s1")).isTrue(); // the removal is on its way
      eventually().until(() -> !n1.owns("s1"));
    }
  }

  /** n1 owns s1 (count 1), replicated on n2; from now on every delivery to n2 takes 3 s. */
  private static void ownedSessionWithASlowHolder(EngineCluster a) throws Exception {
    a.startAll("n1", "n2");
    a.get("n1").commit(a.create("s1", attrs("count", 1))).get(5, TimeUnit.SECONDS);
    eventually().until(() -> a.get("n2").stats().replicaSessions() == 1);
    a.net.delay("n2", Duration.ofSeconds(3));
  }
}
