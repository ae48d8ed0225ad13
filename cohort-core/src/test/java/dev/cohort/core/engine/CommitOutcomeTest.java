package dev.cohort.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cohort.core.session.SessionUpdate;
import dev.cohort.core.store.SessionStore;
import dev.cohort.core.wire.Frame;
import dev.cohort.core.wire.Op;
import dev.cohort.core.wire.WireCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a commit's outcome says about its change, in sync mode: success means the change is kept (by
 * the holders, or by the member the session was handed to), {@link OwnershipLostException} means it
 * was applied nowhere. n1 owns session "s", n2 holds its replica; the test plays n2.
 */
class CommitOutcomeTest {
  final FakeChannel channel = new FakeChannel("n1", "n2");
  final WireCodec codec = new WireCodec(1 << 20, 1 << 19);
  final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  ReplicationEngine engine;

  @BeforeEach
  void setUp() {
    engine =
        (ReplicationEngine)
            SessionEngines.create(
                EngineConfig.defaults(), channel, SessionStore.NONE, new SessionEvents() {}, clock);
    engine.start();
  }

  @AfterEach
  void tearDown() {
    channel.hold = false; // the drain's hand-over is answered, behind every frame still held
    channel.held.stream().filter(h -> !h.reply().isDone()).forEach(h -> h.answer(frame()));
    engine.close();
  }

  /** Now, on the engine's clock: a session the expiry timer leaves alone. */
  static final long NOW = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

  static SessionUpdate update(boolean created, long base, int value) {
    return new SessionUpdate(
        "s",
        created,
        NOW,
        NOW,
        1800,
        created,
        null,
        null,
        Map.of("v", new byte[] {(byte) value}),
        Set.of(),
        Map.of(),
        base);
  }

  List<Op> deliver(String from, Op... ops) throws Exception {
    return codec.decode(channel.deliver(from, codec.encode(Frame.of(ops)))).ops();
  }

  byte[] frame(Op... ops) {
    return codec.encode(Frame.of(ops));
  }

  static Throwable cause(CompletableFuture<Void> f) {
    try {
      f.join();
      return null;
    } catch (CompletionException e) {
      return e.getCause();
    }
  }

  @Test
  void changeHandedOverWithTheSession_beforeTheHolderAnswered_isDone() throws Exception {
    engine.commit(update(true, SessionUpdate.ANY_VERSION, 1)).join();
    channel.hold = true;
    CompletableFuture<Void> change = engine.commit(update(false, 1, 2));
    assertThat(change).isNotDone();

    // n2 takes the session over: the record it gets holds the change
    List<Op> answer = deliver("n2", new Op.Claim("s", List.of("n1")));

    Op.Full handed = (Op.Full) answer.get(0);
    assertThat(handed.record().version()).isEqualTo(2);
    assertThat(handed.record().attributes().get("v")).containsExactly(2);
    assertThat(change).isCompleted();
    assertThat(cause(change)).isNull();
    // the delta's late answer: n2 owns version 2 now and refuses it — the outcome stands
    channel.held.get(0).answer(frame(new Op.OwnerChanged("s", "n2", 2, 1)));
    assertThat(cause(change)).isNull();
    assertThat(engine.owns("s")).isFalse();
  }

  @Test
  void changeOnAnOlderVersionThanTheOwners_isRefused_andAppliedNowhere() {
    engine.commit(update(true, SessionUpdate.ANY_VERSION, 1)).join();
    engine.commit(update(false, 1, 2)).join();
    int frames = channel.sent.size();

    // a copy made at version 1 (it missed the change to 2) changes v again
    CompletableFuture<Void> stale = engine.commit(update(false, 1, 3));

    assertThat(cause(stale)).isInstanceOf(OwnershipLostException.class);
    assertThat(engine.sessions.map.get("s").version()).isEqualTo(2);
    assertThat(engine.sessions.map.get("s").record.attributes().get("v")).containsExactly(2);
    assertThat(channel.sent).hasSize(frames);
  }

  @Test
  void commitTellsTheVersionItLeftTheSessionAt() {
    List<Long> versions = new ArrayList<>();
    engine.commit(update(true, SessionUpdate.ANY_VERSION, 1), versions::add).join();
    engine.commit(update(false, 1, 2), versions::add).join();
    engine.commit(update(false, 2, 2), versions::add).join(); // the same bytes: nothing changed
    engine.commit(update(false, 1, 3), versions::add); // refused

    assertThat(versions).containsExactly(1L, 2L, 2L);
  }

  /** The first held request after {@code from} whose frame holds a whole record of "s". */
  FakeChannel.Held heldFull(int from) throws Exception {
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> channel.held.stream().skip(from).anyMatch(this::holdsFull));
    return channel.held.stream().skip(from).filter(this::holdsFull).findFirst().orElseThrow();
  }

  boolean holdsFull(FakeChannel.Held h) {
    try {
      return codec.decode(h.payload()).ops().stream().anyMatch(op -> op instanceof Op.Full);
    } catch (Exception e) {
      return false;
    }
  }

  // two members claimed the session at once (crossing take-overs): the holder follows the other
  // claim and refuses the delta; this member's claim wins, the holder takes its whole record
  @Test
  void changeRefusedByAHolderFollowingAWeakerClaim_isDone_onceTheHolderTakesTheRecord()
      throws Exception {
    engine.commit(update(true, SessionUpdate.ANY_VERSION, 1)).join();
    channel.hold = true;
    CompletableFuture<Void> change = engine.commit(update(false, 1, 2));

    channel.held.get(0).answer(frame(new Op.OwnerChanged("s", "n2", 1, 1)));
    FakeChannel.Held offer = heldFull(1);

    assertThat(engine.owns("s")).isTrue();
    assertThat(change).isNotDone();
    offer.answer(frame()); // taken
    await().atMost(Duration.ofSeconds(5)).until(change::isDone);
    assertThat(cause(change)).isNull();
  }

  // the same, but the other claim wins: this member yields, the refused change is kept nowhere
  @Test
  void changeRefusedByAHolder_thenTheOtherClaimWins_isAppliedNowhere() throws Exception {
    engine.commit(update(true, SessionUpdate.ANY_VERSION, 1)).join();
    channel.hold = true;
    CompletableFuture<Void> change = engine.commit(update(false, 1, 2));
    channel.held.get(0).answer(frame(new Op.OwnerChanged("s", "n2", 1, 1)));
    heldFull(1);
    assertThat(change).isNotDone();

    deliver("n2", new Op.OwnerChanged("s", "n2", 7, 5));

    assertThat(engine.owns("s")).isFalse();
    assertThat(change).isCompletedExceptionally();
    assertThat(cause(change)).isInstanceOf(OwnershipLostException.class);
  }

  // crossing take-overs: n2 applied the delta while it still followed n1, then its claim won with
  // that record — the change lives on, though n1 yielded before the answer came
  @Test
  void changeTheWinnerAppliedBeforeItsClaimWon_isDone() throws Exception {
    engine.commit(update(true, SessionUpdate.ANY_VERSION, 1)).join();
    channel.hold = true;
    CompletableFuture<Void> change = engine.commit(update(false, 1, 2));

    deliver("n2", new Op.OwnerChanged("s", "n2", 2, 1)); // n2 owns version 2 in a later term
    assertThat(engine.owns("s")).isFalse();
    channel.held.get(0).answer(frame()); // n2's answer to the delta: applied

    await().atMost(Duration.ofSeconds(5)).until(change::isDone);
    assertThat(cause(change)).isNull();
  }

  // n1 lost the session to a winning claim with the change still on its way, then got the
  // session back: the records it sends now are the winner's history, without the change — a late
  // refusal must not be answered by sending one of them and counting its acknowledgement
  @Test
  void changeOfAnEarlierOwnership_isNotCountedDoneByARecordOfALaterOne() throws Exception {
    engine.commit(update(true, SessionUpdate.ANY_VERSION, 1)).join();
    channel.hold = true;
    CompletableFuture<Void> change = engine.commit(update(false, 1, 2));
    deliver("n2", new Op.OwnerChanged("s", "n2", 5, 3));
    deliver("n2", new Op.Full(rec(6, 9), "n1", 4)); // handed back: n2's version 6
    assertThat(engine.owns("s")).isTrue();
    channel.hold = false;

    channel.held.get(0).answer(frame(new Op.OwnerChanged("s", "n2", 5, 3)));

    await().atMost(Duration.ofSeconds(5)).until(change::isDone);
    assertThat(cause(change)).isInstanceOf(OwnershipLostException.class);
  }

  // a commit queued behind a frame still in flight when the other claim wins: it never leaves —
  // sent after a new claim of this member, the winner would take it for part of its own record
  @Test
  void changeNotSentYet_whenTheOtherClaimWins_isAppliedNowhere_andIsNeverSent() throws Exception {
    engine.commit(update(true, SessionUpdate.ANY_VERSION, 1)).join();
    channel.hold = true;
    CompletableFuture<Void> sent = engine.commit(update(false, 1, 2));
    CompletableFuture<Void> queued = engine.commit(update(false, 2, 3)); // behind the first frame
    assertThat(channel.held).hasSize(1);

    deliver("n2", new Op.OwnerChanged("s", "n2", 7, 5));

    assertThat(cause(queued)).isInstanceOf(OwnershipLostException.class);
    assertThat(sent).isNotDone(); // its answer decides
    channel.hold = false;
    channel.held.get(0).answer(frame()); // applied while n2 still followed n1
    await().atMost(Duration.ofSeconds(5)).until(sent::isDone);
    assertThat(cause(sent)).isNull();
    assertThat(deltasSent()).containsExactly(1L); // only the first delta ever left
  }

  // the target answers a refusal per session: a frame must not carry one session's changes from
  // two ownership terms, or the old term's refusal would count against the new one's change
  @Test
  void changesOfOneSessionFromTwoOwnershipTerms_neverShareAFrame() throws Exception {
    engine.commit(update(true, SessionUpdate.ANY_VERSION, 1)).join();
    channel.hold = true;
    engine.commit(update(false, 1, 2)); // in flight
    engine.commit(update(false, 2, 3)); // queued, term 0
    deliver("n2", new Op.Claim("s", List.of("n1"))); // handed over: both done
    deliver("n2", new Op.Full(rec(3, 3), "n1", 2)); // and handed back in term 2
    engine.commit(update(false, 3, 4)); // queued, term 2

    channel.held.get(0).answer(frame());
    FakeChannel.Held second = heldWith(1, 2L);
    assertThat(terms(second)).containsOnly(0);
    second.answer(frame(new Op.OwnerChanged("s", "n1", 3, 2)));
    FakeChannel.Held third = heldWith(2, 3L);
    assertThat(terms(third)).containsOnly(2);
  }

  /** The base versions of every delta of "s" sent so far. */
  List<Long> deltasSent() throws Exception {
    List<Long> bases = new ArrayList<>();
    for (var e : channel.sent) {
      for (Op op : codec.decode(e.getValue()).ops()) {
        if (op instanceof Op.Delta d) {
          bases.add(d.baseVersion());
        }
      }
    }
    return bases;
  }

  /** The first held request after {@code from} carrying a delta on {@code base}. */
  FakeChannel.Held heldWith(int from, long base) {
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> channel.held.stream().skip(from).anyMatch(h -> carries(h, base)));
    return channel.held.stream().skip(from).filter(h -> carries(h, base)).findFirst().orElseThrow();
  }

  boolean carries(FakeChannel.Held h, long base) {
    try {
      return codec.decode(h.payload()).ops().stream()
          .anyMatch(op -> op instanceof Op.Delta d && d.baseVersion() == base);
    } catch (Exception e) {
      return false;
    }
  }

  /** The ownership terms of the deltas in a held request. */
  List<Integer> terms(FakeChannel.Held h) throws Exception {
    List<Integer> t = new ArrayList<>();
    for (Op op : codec.decode(h.payload()).ops()) {
      if (op instanceof Op.Delta d) {
        t.add(d.term());
      }
    }
    return t;
  }

  static dev.cohort.core.session.SessionRecord rec(long version, int value) {
    return new dev.cohort.core.session.SessionRecord(
        "s",
        version,
        NOW,
        NOW,
        1800,
        false,
        null,
        null,
        Map.of(),
        Map.of("v", new byte[] {(byte) value}));
  }

  @Test
  void changeTheHolderLacks_afterALaterOwnerWon_isAppliedNowhere() throws Exception {
    engine.commit(update(true, SessionUpdate.ANY_VERSION, 1)).join();
    channel.hold = true;
    CompletableFuture<Void> change = engine.commit(update(false, 1, 2));

    // a later owner of the session (a merge after a partition) wins: n1 yields, its version 2 is
    // not the winner's
    deliver("n2", new Op.OwnerChanged("s", "n2", 5, 3));
    assertThat(engine.owns("s")).isFalse();
    // n2 never had version 1 of this lineage: it cannot apply the delta
    channel.held.get(0).answer(frame(new Op.NeedFull("s")));

    await().atMost(Duration.ofSeconds(5)).until(change::isDone);
    assertThat(cause(change)).isInstanceOf(OwnershipLostException.class);
  }
}
