package dev.cohort.testkit.engine;

import static dev.cohort.testkit.engine.EngineCluster.attrs;
import static dev.cohort.testkit.engine.EngineCluster.eventually;
import static dev.cohort.testkit.engine.EngineCluster.intOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.engine.LookupRefusedException;
import dev.cohort.core.engine.SessionEngine;
import dev.cohort.core.placement.Rendezvous;
import dev.cohort.core.session.SessionRecord;
import dev.cohort.testkit.InMemoryNetwork;
import dev.cohort.testkit.SentOps;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Look-ups of session ids this member does not know ({@code acquire}): every client can send any
 * id, so a look-up asks only the members that can hold a copy, runs without a lock other sessions
 * wait on, and only a bounded number of them run at once.
 */
@Timeout(60)
class UnknownIdLookupTest {
  private static final List<String> SIX = List.of("n1", "n2", "n3", "n4", "n5", "n6");

  private EngineCluster c;
  private final SentOps sent = new SentOps();
  private final LookupStore store = new LookupStore();

  @AfterEach
  void tearDown() {
    store.release();
    c.close();
  }

  private void start(int maxLookups, String... names) {
    c =
        new EngineCluster(
            EngineCluster.testConfig().withMaxLookups(maxLookups),
            InMemoryNetwork.Delivery.ASYNC,
            store);
    c.channels = sent::wrap;
    c.startAll(names);
  }

  /** No view change for a minute: placement is exact again (replica moves are over). */
  private void settle() {
    c.clock.advance(Duration.ofMinutes(1));
  }

  private static List<String> top(String id, int n) {
    return Rendezvous.rank(id, SIX).subList(0, n);
  }

  @Test
  void unknownId_inASettledView_isClaimedOnlyFromTheTopKPlusOneMembers_andThenTheStore() {
    start(16, SIX.toArray(String[]::new));
    settle();
    SessionEngine n1 = c.get("n1");

    for (int i = 0; i < 30; i++) {
      String id = "unknown-" + i;
      assertThat(n1.acquire(id)).as(id).isEmpty();
      assertThat(sent.claimTargets(id))
          .as("members asked for %s (k=1)", id)
          .hasSizeBetween(1, 2)
          .doesNotContain("n1")
          .allMatch(top(id, 2)::contains);
    }
    assertThat(store.loads).hasValue(30);
    assertThat(n1.stats().storeLookups()).isEqualTo(30);
    assertThat(n1.stats().claimsSent()).isEqualTo(sent.claims().size());
  }

  @Test
  void unknownId_withARoute_asksThatMemberToo_andNoOtherOutsideTheTopRanks() {
    start(16, SIX.toArray(String[]::new));
    settle();
    String id = "unknown-routed";

    assertThat(c.get("n1").acquire(id, "n5")).isEmpty();

    List<String> allowed = new ArrayList<>(top(id, 2));
    allowed.add("n5");
    assertThat(sent.claimTargets(id))
        .hasSizeLessThanOrEqualTo(3)
        .contains("n5")
        .doesNotContain("n1")
        .allMatch(allowed::contains);
  }

  @Test
  void rightAfterAViewChange_everyMemberIsAsked() {
    start(16, SIX.toArray(String[]::new)); // the joins just happened

    assertThat(c.get("n1").acquire("unknown-unsettled")).isEmpty();

    assertThat(sent.claimTargets("unknown-unsettled"))
        .containsExactlyInAnyOrder("n2", "n3", "n4", "n5", "n6");
  }

  // mode all: every member holds every session, so a member without a copy asks only the member
  // the route names and the first-ranked one (the caretaker if the owner died)
  @Test
  void modeAll_unknownId_isClaimedFromTheRouteAndTheFirstRankedMemberOnly() throws Exception {
    c =
        new EngineCluster(
            EngineCluster.testConfig().withMode(dev.cohort.core.engine.Mode.ALL),
            InMemoryNetwork.Delivery.ASYNC,
            store);
    c.channels = sent::wrap;
    c.startAll(SIX.toArray(String[]::new));
    c.get("n6").commit(c.create("all-1", attrs("count", 4))).get(5, TimeUnit.SECONDS);
    eventually().until(() -> c.get("n1").stats().replicaSessions() == 1);
    settle();

    assertThat(c.get("n1").acquire("unknown-all", "n4")).isEmpty();
    Optional<SessionRecord> known = c.get("n1").acquire("all-1", "n6");

    List<String> allowed = new ArrayList<>(top("unknown-all", 1));
    allowed.add("n4");
    assertThat(sent.claimTargets("unknown-all"))
        .hasSizeBetween(1, 2)
        .doesNotContain("n1")
        .allMatch(allowed::contains);
    assertThat(intOf(known.orElseThrow().attributes().get("count"))).isEqualTo(4);
    assertThat(sent.claimTargets("all-1")).contains("n6").hasSizeLessThanOrEqualTo(2);
    assertThat(c.ownerOf("all-1")).contains("n1");
  }

  /** An id whose top two members by rank are neither n1 (the claimant) nor n6 (the owner). */
  private static String idRankedAwayFromN1AndN6() {
    for (int i = 0; ; i++) {
      String id = "s-" + i;
      List<String> top = top(id, 2);
      if (!top.contains("n1") && !top.contains("n6")) {
        return id;
      }
    }
  }

  @Test
  void sessionOwnedOutsideTheTopRanks_isFound_throughTheRouteOfItsId() throws Exception {
    start(16, SIX.toArray(String[]::new));
    String id = idRankedAwayFromN1AndN6();
    SessionEngine n6 = c.get("n6");
    n6.commit(c.create(id, attrs("count", 1))).get(5, TimeUnit.SECONDS);
    n6.commit(c.set(id, attrs("count", 2))).get(5, TimeUnit.SECONDS);
    settle();

    Optional<SessionRecord> r = c.get("n1").acquire(id, "n6");

    assertThat(intOf(r.orElseThrow().attributes().get("count"))).isEqualTo(2);
    assertThat(sent.claimTargets(id)).hasSizeLessThanOrEqualTo(3).contains("n6");
    assertThat(c.ownerOf(id)).contains("n1");
    assertThat(store.loads).hasValue(0);
  }

  // two tabs of one browser, or no stickiness: the request carries a route from before the last
  // take-over. The holders still answer, and their copy names the owner, which is asked next
  @Test
  void staleRoute_findsTheSessionThroughItsHolders_andTheOwnerIsAskedNext() throws Exception {
    start(16, SIX.toArray(String[]::new));
    String id = idRankedAwayFromN1AndN6();
    String stale =
        SIX.stream()
            .filter(n -> !n.equals("n1") && !n.equals("n6") && !top(id, 2).contains(n))
            .findFirst()
            .orElseThrow();
    SessionEngine n6 = c.get("n6");
    n6.commit(c.create(id, attrs("count", 1))).get(5, TimeUnit.SECONDS);
    n6.commit(c.set(id, attrs("count", 2))).get(5, TimeUnit.SECONDS);
    settle();

    Optional<SessionRecord> r = c.get("n1").acquire(id, stale);

    assertThat(intOf(r.orElseThrow().attributes().get("count"))).isEqualTo(2);
    assertThat(sent.claimTargets(id)).contains(stale, "n6").hasSizeLessThanOrEqualTo(4);
    assertThat(n6.owns(id)).isFalse();
    assertThat(c.events.get("n6").ownershipLost).contains(id);
    assertThat(c.ownerOf(id)).contains("n1");
  }

  // a look-up used to hold one of 64 stripe locks for its whole round trip and store query, so a
  // slow look-up of one id held up the take-over of every session on the same stripe
  @Test
  void lookUpWaitingOnTheStore_doesNotHoldUpTheTakeOverOfAnotherSession() throws Exception {
    start(16, "n1", "n2");
    c.get("n2").commit(c.create("s", attrs("count", 1))).get(5, TimeUnit.SECONDS);
    eventually().until(() -> c.get("n1").stats().replicaSessions() == 1);
    String slow = sameStripeAs("s");
    store.hold();
    CompletableFuture<Optional<SessionRecord>> waiting =
        CompletableFuture.supplyAsync(() -> c.get("n1").acquire(slow));
    eventually().until(() -> store.loads.get() == 1);

    Optional<SessionRecord> moved =
        CompletableFuture.supplyAsync(() -> c.get("n1").acquire("s")).get(10, TimeUnit.SECONDS);

    assertThat(intOf(moved.orElseThrow().attributes().get("count"))).isEqualTo(1);
    assertThat(waiting).isNotDone();
    store.release();
    assertThat(waiting.get(10, TimeUnit.SECONDS)).isEmpty();
  }

  /** An id whose lock stripe (of 64, hashed as the engine did) is that of {@code id}. */
  private static String sameStripeAs(String id) {
    for (int i = 0; ; i++) {
      String other = "slow-" + i;
      if (stripe(other) == stripe(id)) {
        return other;
      }
    }
  }

  private static int stripe(String id) {
    int h = id.hashCode();
    return (h ^ (h >>> 16)) & 63;
  }

  @Test
  void concurrentAcquiresOfOneUnknownId_shareOneLookUp() throws Exception {
    start(16, "n1", "n2");
    store.hold();
    List<Thread> threads = new ArrayList<>();
    List<CompletableFuture<Optional<SessionRecord>>> results = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      CompletableFuture<Optional<SessionRecord>> f = new CompletableFuture<>();
      results.add(f);
      Thread t = new Thread(() -> f.complete(c.get("n1").acquire("same-unknown")));
      threads.add(t);
      t.start();
    }
    eventually().until(() -> store.loads.get() == 1);
    eventually()
        .until(
            () ->
                threads.stream()
                    .allMatch(
                        t ->
                            t.getState() == Thread.State.WAITING
                                || t.getState() == Thread.State.TIMED_WAITING));

    store.release();

    for (CompletableFuture<Optional<SessionRecord>> f : results) {
      assertThat(f.get(10, TimeUnit.SECONDS)).isEmpty();
    }
    assertThat(store.loads).hasValue(1);
    assertThat(sent.claimTargets("same-unknown")).containsExactly("n2");
  }

  @Test
  void lookUpsOfUnknownIds_areBounded_oneMoreIsRefusedAtOnce_aKnownSessionIsNot() throws Exception {
    start(2, "n1", "n2");
    c.get("n2").commit(c.create("s", attrs("count", 1))).get(5, TimeUnit.SECONDS);
    eventually().until(() -> c.get("n1").stats().replicaSessions() == 1);
    store.hold();
    SessionEngine n1 = c.get("n1");
    CompletableFuture<Optional<SessionRecord>> a =
        CompletableFuture.supplyAsync(() -> n1.acquire("unknown-a"));
    CompletableFuture<Optional<SessionRecord>> b =
        CompletableFuture.supplyAsync(() -> n1.acquire("unknown-b"));
    eventually().until(() -> store.loads.get() == 2);
    int claims = sent.claims().size();

    assertThatThrownBy(() -> n1.acquire("unknown-c", "n2"))
        .isInstanceOf(LookupRefusedException.class)
        .hasMessageContaining("maxLookups")
        .hasMessageNotContaining("unknown-c");
    assertThat(n1.acquire("s")).isPresent(); // a replica here: not a look-up of an unknown id

    assertThat(n1.stats().lookupsRefused()).isEqualTo(1);
    assertThat(sent.claimTargets("unknown-c")).isEmpty();
    assertThat(sent.claims().size()).isEqualTo(claims + 1); // the claim for "s" only
    assertThat(store.loads).hasValue(2);
    store.release();
    assertThat(a.get(10, TimeUnit.SECONDS)).isEmpty();
    assertThat(b.get(10, TimeUnit.SECONDS)).isEmpty();
    assertThat(n1.acquire("unknown-c")).isEmpty(); // slots are free again
  }

  /** A store of records in a map that counts loads and can hold them until released. */
  static final class LookupStore extends LifecycleTest.MapStore {
    final AtomicInteger loads = new AtomicInteger();
    private volatile CountDownLatch gate;

    /** From now on loads wait until {@link #release()}. */
    void hold() {
      gate = new CountDownLatch(1);
    }

    void release() {
      CountDownLatch g = gate;
      gate = null;
      if (g != null) {
        g.countDown();
      }
    }

    @Override
    public Optional<SessionRecord> load(String id) {
      loads.incrementAndGet();
      CountDownLatch g = gate;
      if (g != null) {
        try {
          if (!g.await(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the test never released the store");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
      return super.load(id);
    }
  }
}
