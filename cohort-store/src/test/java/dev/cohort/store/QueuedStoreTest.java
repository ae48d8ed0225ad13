package dev.cohort.store;

import static dev.cohort.store.Records.attrs;
import static dev.cohort.store.Records.record;
import static dev.cohort.store.Records.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.store.StoreException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class QueuedStoreTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private final FlakyStore backEnd = new FlakyStore();
  private QueuedStore queued;

  private QueuedStore queue(QueuedStore.Settings settings) {
    queued =
        new QueuedStore(backEnd, settings.withBackoff(Duration.ofMillis(1), Duration.ofMillis(20)));
    return queued;
  }

  private QueuedStore queue() {
    return queue(QueuedStore.Settings.defaults());
  }

  @AfterEach
  void close() {
    backEnd.comeBack();
    if (queued != null) {
      queued.close();
    }
  }

  @Test
  void saves_reachTheBackEnd_andFlushWaitsForThem() {
    QueuedStore q = queue();
    for (int i = 0; i < 100; i++) {
      q.save(record("s" + i, 1, attrs("a", "" + i)), Set.of(), Set.of(), true);
    }
    q.flush(WAIT);
    assertThat(backEnd.data.ids()).hasSize(100);
    assertThat(q.queued()).isZero();
    assertThat(q.written()).isEqualTo(100);
    assertThat(q.outage()).isFalse();
  }

  @Test
  void duringAnOutage_savesReturnAtOnce_andAfterRecoveryEverySessionsLastChangeIsStored() {
    QueuedStore q = queue();
    backEnd.goDown();
    for (int v = 1; v <= 10; v++) {
      for (int s = 0; s < 50; s++) {
        q.save(
            record("s" + s, v, attrs("counter", "" + v, "fixed", "x")),
            v == 1 ? Set.of() : Set.of("counter"),
            Set.of(),
            v == 1);
      }
      q.delete("s49");
    }
    await().atMost(WAIT).until(q::outage);
    assertThat(q.failures()).isPositive();
    assertThat(q.queued()).isEqualTo(50);
    assertThat(backEnd.data.ids()).isEmpty();

    backEnd.comeBack();
    q.flush(WAIT);

    assertThat(q.outage()).isFalse();
    assertThat(backEnd.data.ids()).hasSize(49);
    for (int s = 0; s < 49; s++) {
      SessionRecord r = backEnd.data.load("s" + s).orElseThrow();
      assertThat(r.version()).isEqualTo(10);
      assertThat(text(r)).isEqualTo(Map.of("counter", "10", "fixed", "x"));
    }
  }

  @Test
  void aHangingBackEnd_neverBlocksSaves() throws Exception {
    QueuedStore q = queue();
    CountDownLatch entered = backEnd.hangNextWrite();
    q.save(record("first", 1, attrs("a", "1")), Set.of(), Set.of(), true);
    assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();

    // the writer is stuck inside the back-end; these return without it
    for (int i = 0; i < 1000; i++) {
      q.save(record("s" + (i % 10), i + 1, attrs("a", "" + i)), Set.of("a"), Set.of(), false);
    }
    assertThat(q.queued()).isEqualTo(11);

    backEnd.release();
    q.flush(WAIT);
    assertThat(backEnd.data.ids()).hasSize(11);
    assertThat(text(backEnd.data.load("s9").orElseThrow())).isEqualTo(Map.of("a", "999"));
  }

  @Test
  void overflow_dropsTheOldestWrites_countsAndLogsThem() throws Exception {
    List<String> logged = captureLog();
    QueuedStore q = queue(QueuedStore.Settings.defaults().withBatchSize(1).withCapacity(10));
    CountDownLatch entered = backEnd.hangNextWrite();
    q.save(record("first", 1, attrs("a", "1")), Set.of(), Set.of(), true);
    assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();

    for (int i = 0; i < 12; i++) { // 1 in flight + 12 queued = 13 > 10: the 3 oldest queued go
      q.save(record("s" + i, 1, attrs("a", "" + i)), Set.of(), Set.of(), true);
    }
    assertThat(q.dropped()).isEqualTo(3);
    assertThat(q.queued()).isEqualTo(10);
    assertThat(logged).anySatisfy(m -> assertThat(m).contains("dropped 1 oldest session writes"));

    backEnd.release();
    q.flush(WAIT);
    assertThat(backEnd.data.ids())
        .containsExactlyInAnyOrder("first", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11");
  }

  @Test
  void load_answersFromTheQueueFirst_soTheNewestStateWins() {
    QueuedStore q = queue();
    backEnd.data.save(record("a", 1, attrs("v", "stored")), Set.of(), Set.of(), true);
    backEnd.data.save(record("b", 1, attrs("v", "stored")), Set.of(), Set.of(), true);
    backEnd.goDown();

    q.save(record("a", 2, attrs("v", "queued")), Set.of("v"), Set.of(), false);
    q.delete("b");
    q.save(record("c", 1, attrs("v", "new")), Set.of(), Set.of(), true);

    assertThat(text(q.load("a").orElseThrow())).isEqualTo(Map.of("v", "queued"));
    assertThat(q.load("b")).isEmpty();
    assertThat(text(q.load("c").orElseThrow())).isEqualTo(Map.of("v", "new"));
    assertThatThrownBy(() -> q.load("d")).isInstanceOf(StoreException.class);

    backEnd.comeBack();
    assertThat(q.ids()).containsExactlyInAnyOrder("a", "c");
  }

  @Test
  void coalescedPartialSaves_writeTheUnionOfChangedAndRemovedNames() throws Exception {
    QueuedStore q = queue();
    CountDownLatch entered = backEnd.hangNextWrite();
    q.save(record("other", 1, attrs()), Set.of(), Set.of(), true);
    assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();

    q.save(record("s", 2, attrs("a", "1", "b", "1")), Set.of("a"), Set.of("x"), false);
    q.save(record("s", 3, attrs("a", "1", "b", "2", "x", "3")), Set.of("b", "x"), Set.of(), false);
    q.save(record("s", 4, attrs("a", "1", "b", "2")), Set.of(), Set.of("x"), false);
    backEnd.release();
    q.flush(WAIT);

    FlakyStore.Save last =
        backEnd.saves.stream().filter(s -> s.id().equals("s")).reduce((x, y) -> y).orElseThrow();
    assertThat(backEnd.saves.stream().filter(s -> s.id().equals("s"))).hasSize(1);
    assertThat(last.version()).isEqualTo(4);
    assertThat(last.changed()).containsExactlyInAnyOrder("a", "b");
    assertThat(last.removed()).containsExactly("x");
    assertThat(last.full()).isFalse();
  }

  @Test
  void deleteThenSaveOfOneId_replacesTheStoredSession() throws Exception {
    backEnd.data.save(record("s", 9, attrs("old", "x")), Set.of(), Set.of(), true);
    QueuedStore q = queue();
    CountDownLatch entered = backEnd.hangNextWrite();
    q.save(record("other", 1, attrs()), Set.of(), Set.of(), true);
    assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();
    q.delete("s");
    q.save(record("s", 1, attrs("new", "y")), Set.of("new"), Set.of(), false);
    backEnd.release();
    q.flush(WAIT);

    SessionRecord r = backEnd.data.load("s").orElseThrow();
    assertThat(r.version()).isEqualTo(1);
    assertThat(text(r)).isEqualTo(Map.of("new", "y"));
  }

  @Test
  void flush_failsWithTheCount_whenTheBackEndStaysDown() {
    QueuedStore q = queue();
    backEnd.goDown();
    q.save(record("a", 1, attrs()), Set.of(), Set.of(), true);
    q.save(record("b", 1, attrs()), Set.of(), Set.of(), true);
    assertThatThrownBy(() -> q.flush(Duration.ofMillis(200)))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("flush timed out")
        .hasMessageContaining("2 sessions queued");
  }

  @Test
  void findExpired_mergesTheQueueWithTheBackEnd() {
    long now = Records.T0 + 3_600_000;
    backEnd.data.save(Records.accessed("stored-idle", Records.T0, 60), Set.of(), Set.of(), true);
    backEnd.data.save(Records.accessed("touched", Records.T0, 60), Set.of(), Set.of(), true);
    backEnd.data.save(Records.accessed("deleted", Records.T0, 60), Set.of(), Set.of(), true);
    QueuedStore q = queue();
    backEnd.goDown();
    q.save(Records.accessed("touched", now - 1000, 60), Set.of(), Set.of(), true);
    q.save(Records.accessed("queued-idle", Records.T0, 60), Set.of(), Set.of(), true);
    q.delete("deleted");
    backEnd.comeBack();
    // the queue may drain meanwhile; the answer is the same either way
    assertThat(q.findExpired(now, 10)).containsExactlyInAnyOrder("stored-idle", "queued-idle");
  }

  @Test
  void invalidIds_areRejectedBeforeTheyAreQueued() {
    QueuedStore q = queue();
    assertThatThrownBy(() -> q.save(record("../x", 1, attrs()), Set.of(), Set.of(), true))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> q.delete("a\0")).isInstanceOf(IllegalArgumentException.class);
    assertThat(q.queued()).isZero();
  }

  @Test
  void close_flushesWhatIsQueued() {
    QueuedStore q = queue();
    for (int i = 0; i < 20; i++) {
      q.save(record("s" + i, 1, attrs()), Set.of(), Set.of(), true);
    }
    q.close();
    queued = null;
    assertThat(backEnd.data.ids()).hasSize(20);
    assertThatThrownBy(() -> q.save(record("late", 1, attrs()), Set.of(), Set.of(), true))
        .isInstanceOf(StoreException.class);
  }

  private static List<String> captureLog() {
    List<String> messages = new java.util.concurrent.CopyOnWriteArrayList<>();
    Logger logger = Logger.getLogger(QueuedStore.class.getName());
    logger.addHandler(
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            messages.add(record.getMessage());
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        });
    return messages;
  }

  @Test
  void whenSaved_completesOnlyAfterTheBackEndHasTheWrite() throws Exception {
    QueuedStore q = queue();
    assertThat(q.whenSaved("nothing-pending")).isCompleted();
    CountDownLatch entered = backEnd.hangNextWrite();
    q.save(record("s1", 1, attrs("a", "1")), Set.of(), Set.of(), true);
    var saved = q.whenSaved("s1");
    assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();
    assertThat(saved).isNotDone();
    backEnd.release();
    assertThat(saved).succeedsWithin(WAIT);
    assertThat(backEnd.data.load("s1")).isPresent();
  }

  @Test
  void whenSaved_failsAtOnceWhenTheBackEndFails_whileTheWriteStaysQueued() {
    QueuedStore q = queue();
    backEnd.goDown();
    q.save(record("s1", 1, attrs("a", "1")), Set.of(), Set.of(), true);
    assertThat(q.whenSaved("s1"))
        .failsWithin(WAIT)
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withCauseInstanceOf(StoreException.class);
    assertThat(q.queued()).isEqualTo(1);
    backEnd.comeBack();
    q.flush(WAIT);
    assertThat(backEnd.data.load("s1")).isPresent();
  }

  @Test
  void whenSaved_failsForAWriteDroppedFromAFullQueue() {
    QueuedStore q = queue(QueuedStore.Settings.defaults().withBatchSize(1).withCapacity(2));
    CountDownLatch entered = backEnd.hangNextWrite();
    q.save(record("s0", 1, attrs("a", "0")), Set.of(), Set.of(), true);
    await().atMost(WAIT).until(() -> entered.getCount() == 0);
    q.save(record("s1", 1, attrs("a", "1")), Set.of(), Set.of(), true);
    var first = q.whenSaved("s1");
    q.save(record("s2", 1, attrs("a", "2")), Set.of(), Set.of(), true); // pushes s1 out
    backEnd.release();
    assertThat(first).failsWithin(WAIT);
    assertThat(q.dropped()).isPositive();
  }
}
