package dev.cohort.store;

import static dev.cohort.store.Records.T0;
import static dev.cohort.store.Records.attrs;
import static dev.cohort.store.Records.bytes;
import static dev.cohort.store.Records.record;
import static dev.cohort.store.Records.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.store.SessionStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link SessionStore} must do. Subclasses open a fresh, empty store on one back-end;
 * {@link #openSecond()} opens another store on the same data (a second node).
 */
@Timeout(120)
abstract class SessionStoreContract {
  protected SessionStore store;

  /** A new, empty store. */
  protected abstract SessionStore open() throws Exception;

  /** Another store on the same data as the last {@link #open()}. */
  protected abstract SessionStore openSecond() throws Exception;

  /** The implementation's safe multi-node expiry ({@code deleteExpired}). */
  protected abstract int deleteExpired(SessionStore s, long nowMillis, int limit);

  @BeforeEach
  void openStore() throws Exception {
    store = open();
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  @Test
  void load_returnsEmpty_whenNothingWasSaved() {
    assertThat(store.load("nothing-here")).isEmpty();
    assertThat(store.ids()).isEmpty();
  }

  @Test
  void fullSave_isLoadedBackWithEveryField() {
    SessionRecord r =
        new SessionRecord(
            "S1_full-save",
            7,
            T0,
            T0 + 5000,
            900,
            true,
            "FORM",
            bytes("principal-bytes"),
            Map.of("org.apache.catalina.authenticator.REQUEST", bytes("saved-request")),
            attrs("cart", "3 items", "user", "alice", "empty", ""));
    store.save(r, Set.of(), Set.of(), true);

    SessionRecord loaded = store.load("S1_full-save").orElseThrow();
    assertThat(loaded.id()).isEqualTo("S1_full-save");
    assertThat(loaded.version()).isEqualTo(7);
    assertThat(loaded.creationTime()).isEqualTo(T0);
    assertThat(loaded.lastAccessedTime()).isEqualTo(T0 + 5000);
    assertThat(loaded.maxInactiveSeconds()).isEqualTo(900);
    assertThat(loaded.isNew()).isTrue();
    assertThat(loaded.authType()).isEqualTo("FORM");
    assertThat(loaded.principal()).isEqualTo(bytes("principal-bytes"));
    assertThat(loaded.notes()).containsOnlyKeys("org.apache.catalina.authenticator.REQUEST");
    assertThat(loaded.notes().get("org.apache.catalina.authenticator.REQUEST"))
        .isEqualTo(bytes("saved-request"));
    assertThat(text(loaded)).isEqualTo(Map.of("cart", "3 items", "user", "alice", "empty", ""));
  }

  @Test
  void nullAuthTypeAndPrincipal_stayNull() {
    store.save(record("nulls", 1, attrs()), Set.of(), Set.of(), true);
    SessionRecord loaded = store.load("nulls").orElseThrow();
    assertThat(loaded.authType()).isNull();
    assertThat(loaded.principal()).isNull();
    assertThat(loaded.attributes()).isEmpty();
    assertThat(loaded.notes()).isEmpty();
  }

  @Test
  void partialSave_writesChangedAttributes_andKeepsTheOthers() {
    store.save(record("partial", 1, attrs("a", "1", "b", "2")), Set.of(), Set.of(), true);
    store.save(
        record("partial", 2, attrs("a", "10", "b", "2", "c", "3")),
        Set.of("a", "c"),
        Set.of(),
        false);

    SessionRecord loaded = store.load("partial").orElseThrow();
    assertThat(loaded.version()).isEqualTo(2);
    assertThat(text(loaded)).isEqualTo(Map.of("a", "10", "b", "2", "c", "3"));
  }

  @Test
  void partialSave_removesRemovedAttributes() {
    store.save(record("remove", 1, attrs("a", "1", "b", "2", "c", "3")), Set.of(), Set.of(), true);
    store.save(record("remove", 2, attrs("a", "1", "c", "3")), Set.of(), Set.of("b"), false);
    assertThat(text(store.load("remove").orElseThrow())).isEqualTo(Map.of("a", "1", "c", "3"));
  }

  @Test
  void fullSave_replacesEveryAttribute() {
    store.save(record("replace", 1, attrs("a", "1", "b", "2")), Set.of(), Set.of(), true);
    store.save(record("replace", 2, attrs("z", "26")), Set.of(), Set.of(), true);
    assertThat(text(store.load("replace").orElseThrow())).isEqualTo(Map.of("z", "26"));
  }

  @Test
  void partialSave_ofAnUnknownSession_writesTheWholeRecord() {
    store.save(record("unknown", 3, attrs("a", "1", "b", "2")), Set.of("a"), Set.of(), false);
    assertThat(text(store.load("unknown").orElseThrow())).isEqualTo(Map.of("a", "1", "b", "2"));
  }

  @Test
  void olderVersion_neverOverwritesANewerOne() {
    store.save(record("versions", 5, attrs("a", "five")), Set.of(), Set.of(), true);
    store.save(record("versions", 3, attrs("a", "three")), Set.of("a"), Set.of(), false);
    store.save(record("versions", 4, attrs("a", "four")), Set.of(), Set.of(), true);

    SessionRecord loaded = store.load("versions").orElseThrow();
    assertThat(loaded.version()).isEqualTo(5);
    assertThat(text(loaded)).isEqualTo(Map.of("a", "five"));
  }

  @Test
  void delete_removesTheSession_andIsANoOpWhenMissing() {
    store.save(record("gone", 1, attrs("a", "1")), Set.of(), Set.of(), true);
    store.save(record("kept", 1, attrs("a", "1")), Set.of(), Set.of(), true);
    store.delete("gone");
    store.delete("never-existed");

    assertThat(store.load("gone")).isEmpty();
    assertThat(store.load("kept")).isPresent();
    assertThat(store.ids()).containsExactly("kept");
  }

  @Test
  void deletedSession_canBeCreatedAgainWithALowerVersion() {
    store.save(record("reborn", 9, attrs("old", "x")), Set.of(), Set.of(), true);
    store.delete("reborn");
    store.save(record("reborn", 1, attrs("new", "y")), Set.of(), Set.of(), true);
    SessionRecord loaded = store.load("reborn").orElseThrow();
    assertThat(loaded.version()).isEqualTo(1);
    assertThat(text(loaded)).isEqualTo(Map.of("new", "y"));
  }

  @Test
  void findExpired_returnsOnlyIdleSessions_upToTheLimit() {
    long now = T0 + 3_600_000;
    for (int i = 0; i < 5; i++) {
      store.save(Records.accessed("idle" + i, now - 1_801_000, 1800), Set.of(), Set.of(), true);
    }
    store.save(Records.accessed("fresh", now - 1000, 1800), Set.of(), Set.of(), true);
    store.save(Records.accessed("exactly", now - 1_800_000, 1800), Set.of(), Set.of(), true);
    store.save(Records.accessed("forever", T0 - 86_400_000, 0), Set.of(), Set.of(), true);
    store.save(Records.accessed("negative", T0 - 86_400_000, -1), Set.of(), Set.of(), true);

    assertThat(store.findExpired(now, 100))
        .containsExactlyInAnyOrder("idle0", "idle1", "idle2", "idle3", "idle4", "exactly");
    assertThat(store.findExpired(now, 2)).hasSize(2);
  }

  @Test
  void ids_listsEverySavedSession() {
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      expected.add("id-" + i);
      store.save(record("id-" + i, 1, attrs("n", "" + i)), Set.of(), Set.of(), true);
    }
    assertThat(store.ids()).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void concurrentSaves_keepEverySession_andTheHighestVersionOfASharedOne() throws Exception {
    int threads = 4;
    int sessionsPerThread = 20;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Void>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        Callable<Void> job =
            () -> {
              start.await();
              for (int v = 1; v <= 5; v++) {
                for (int s = 0; s < sessionsPerThread; s++) {
                  String id = "t" + thread + "-s" + s;
                  store.save(
                      record(id, v, attrs("v", "" + v, "t", "" + thread)),
                      v == 1 ? Set.of() : Set.of("v"),
                      Set.of(),
                      v == 1);
                }
                long shared = v * threads + thread; // distinct versions across threads
                store.save(
                    record("shared", shared, attrs("v", "" + shared)), Set.of(), Set.of(), true);
              }
              return null;
            };
        futures.add(pool.submit(job));
      }
      start.countDown();
      for (Future<Void> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(store.ids()).hasSize(threads * sessionsPerThread + 1);
    for (int t = 0; t < threads; t++) {
      for (int s = 0; s < sessionsPerThread; s++) {
        SessionRecord r = store.load("t" + t + "-s" + s).orElseThrow();
        assertThat(r.version()).isEqualTo(5);
        assertThat(text(r)).isEqualTo(Map.of("v", "5", "t", "" + t));
      }
    }
    long max = 5L * threads + threads - 1;
    SessionRecord shared = store.load("shared").orElseThrow();
    assertThat(shared.version()).isEqualTo(max);
    assertThat(text(shared)).isEqualTo(Map.of("v", "" + max));
  }

  @Test
  void largeAttribute_survivesAPartialSaveOfAnotherAttribute() {
    byte[] big = new byte[4 * 1024 * 1024];
    new Random(42).nextBytes(big);
    Map<String, byte[]> a = new HashMap<>(attrs("counter", "1"));
    a.put("big", big);
    store.save(record("large", 1, a), Set.of(), Set.of(), true);

    Map<String, byte[]> b = new HashMap<>(a);
    b.put("counter", bytes("2"));
    store.save(record("large", 2, b), Set.of("counter"), Set.of(), false);

    SessionRecord loaded = store.load("large").orElseThrow();
    assertThat(loaded.attributes().get("big")).isEqualTo(big);
    assertThat(loaded.attributes().get("counter")).isEqualTo(bytes("2"));
  }

  @Test
  void unicodeAttributeNames_roundTrip() {
    Map<String, byte[]> a = attrs("名前", "value-1", "emoji😀", "value-2", "Größe", "value-3");
    store.save(record("unicode", 1, a), Set.of(), Set.of(), true);
    store.save(
        record("unicode", 2, attrs("名前", "changed", "emoji😀", "value-2")),
        Set.of("名前"),
        Set.of("Größe"),
        false);
    assertThat(text(store.load("unicode").orElseThrow()))
        .isEqualTo(Map.of("名前", "changed", "emoji😀", "value-2"));
  }

  @Test
  void pathTricksAndOversizedIds_areRejected() {
    List<String> bad =
        List.of(
            "../../etc/x",
            "..",
            "/etc/passwd",
            "a/b",
            "a\\b",
            "nul\0byte",
            "",
            "spa ce",
            "semi;colon",
            "x".repeat(201));
    for (String id : bad) {
      assertThatThrownBy(() -> store.load(id)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store.delete(id)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store.save(record(id, 1, attrs()), Set.of(), Set.of(), true))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("store: invalid session id")
          .hasMessageNotContaining("etc");
    }
    assertThat(store.ids()).isEmpty();
    String longest = "y".repeat(200);
    store.save(record(longest, 1, attrs("a", "1")), Set.of(), Set.of(), true);
    assertThat(store.load(longest)).isPresent();
  }

  @Test
  void deleteExpired_fromTwoStoresAtOnce_deletesEachSessionExactlyOnce() throws Exception {
    long now = T0 + 86_400_000;
    int expired = 120;
    for (int i = 0; i < expired; i++) {
      store.save(Records.accessed("exp-" + i, T0, 60), Set.of(), Set.of(), true);
    }
    store.save(Records.accessed("alive", now - 10, 60), Set.of(), Set.of(), true);
    try (SessionStore second = openSecond()) {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      CountDownLatch start = new CountDownLatch(1);
      try {
        List<Future<Integer>> futures = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          SessionStore s = t % 2 == 0 ? store : second;
          futures.add(
              pool.submit(
                  () -> {
                    start.await();
                    int n = 0;
                    int got;
                    do {
                      got = deleteExpired(s, now, 7);
                      n += got;
                    } while (got > 0);
                    return n;
                  }));
        }
        start.countDown();
        int total = 0;
        for (Future<Integer> f : futures) {
          total += f.get(60, TimeUnit.SECONDS);
        }
        assertThat(total).isEqualTo(expired);
      } finally {
        pool.shutdownNow();
      }
    }
    assertThat(store.ids()).containsExactly("alive");
    assertThat(deleteExpired(store, now, 10)).isZero();
  }
}
