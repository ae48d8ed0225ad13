package dev.cohort.testkit.engine;

import static dev.cohort.testkit.engine.EngineCluster.attrs;
import static dev.cohort.testkit.engine.EngineCluster.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.engine.SessionEngine;
import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.store.SessionStore;
import dev.cohort.testkit.InMemoryNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The store sweep: sessions that only the store holds are expired by exactly one member (the
 * coordinator), once, with their listeners; a session that a member still serves is never swept,
 * however stale the store thought it.
 */
class StoreSweepTest {
  private EngineCluster c;

  @AfterEach
  void close() {
    if (c != null) {
      c.close();
    }
  }

  /** A map, counting deletes. */
  static final class CountingStore implements SessionStore {
    final Map<String, SessionRecord> records = new ConcurrentHashMap<>();
    final AtomicInteger deletes = new AtomicInteger();

    @Override
    public Optional<SessionRecord> load(String id) {
      return Optional.ofNullable(records.get(id));
    }

    @Override
    public void save(SessionRecord r, Set<String> changed, Set<String> removed, boolean full) {
      records.merge(id(r), r, (old, neu) -> neu.version() >= old.version() ? neu : old);
    }

    private static String id(SessionRecord r) {
      return r.id();
    }

    @Override
    public void delete(String id) {
      if (records.remove(id) != null) {
        deletes.incrementAndGet();
      }
    }

    @Override
    public List<String> findExpired(long nowMillis, int limit) {
      List<String> out = new ArrayList<>();
      for (SessionRecord r : records.values()) {
        if (out.size() < limit && r.isExpired(nowMillis)) {
          out.add(r.id());
        }
      }
      return out;
    }

    @Override
    public List<String> ids() {
      return List.copyOf(records.keySet());
    }

    @Override
    public void close() {}
  }

  private SessionRecord storedOnly(String id, long lastAccess) {
    return new SessionRecord(
        id, 3, lastAccess, lastAccess, 1800, false, null, null, Map.of(), attrs("count", 7));
  }

  private int expiredEvents() {
    return c.events.values().stream().mapToInt(r -> r.expired.size()).sum();
  }

  @Test
  void storedOnlySessions_areExpiredOnceByTheCoordinator_afterTheirIntervalAndTheGrace()
      throws Exception {
    CountingStore store = new CountingStore();
    c = new EngineCluster(EngineCluster.testConfig(), InMemoryNetwork.Delivery.ASYNC, store);
    c.startAll("n1", "n2", "n3");
    String coordinator = c.get("n1").view().coordinator().name();
    long t0 = c.clock.millis();
    store.save(storedOnly("old", t0), Set.of(), Set.of(), true);

    // past the interval but not past the store's access-time lag and the grace: kept
    c.clock.advance(Duration.ofSeconds(1800 + 60));
    for (SessionEngine e : c.live()) {
      e.expireIdle();
    }
    assertThat(store.records).containsKey("old");

    c.clock.advance(Duration.ofSeconds(1800 / 4 + 5));
    for (int round = 0; round < 3; round++) {
      for (SessionEngine e : c.live()) {
        e.expireIdle();
      }
    }
    eventually().until(() -> !store.records.containsKey("old"));
    assertThat(store.deletes.get()).isEqualTo(1);
    assertThat(expiredEvents()).isEqualTo(1);
    assertThat(c.events.get(coordinator).expired)
        .extracting(SessionRecord::id)
        .containsExactly("old");
  }

  @Test
  void aSessionServedByAMember_isNotSwept_becauseTouchesKeepTheStoresAccessTime() throws Exception {
    CountingStore store = new CountingStore();
    c = new EngineCluster(EngineCluster.testConfig(), InMemoryNetwork.Delivery.ASYNC, store);
    c.startAll("n1", "n2", "n3");
    String coordinator = c.get("n1").view().coordinator().name();
    // a session owned by a member other than the coordinator and held by neither
    String owner = coordinator.equals("n3") ? "n2" : "n3";
    SessionEngine engine = c.get(owner);
    String id = null;
    for (int i = 0; id == null; i++) {
      String candidate = "live" + i;
      engine.commit(c.create(candidate, attrs("count", 1))).get(5, TimeUnit.SECONDS);
      if (!engine.placement(candidate).holders().contains(coordinator)) {
        id = candidate;
      }
    }
    String live = id;
    eventually().until(() -> store.records.containsKey(live));

    // read-only requests every 10 minutes for 50 minutes: no delta, only access times
    for (int i = 0; i < 5; i++) {
      c.clock.advance(Duration.ofMinutes(10));
      engine.commit(c.set(live, attrs())).get(5, TimeUnit.SECONDS);
      // the owner first: its touch saves the access time on its store thread. The manual clock
      // moves 10 minutes in the microseconds that write takes; a real sweep waits a quarter
      // interval plus 5 s of real time, so the write is in the store first — here, await it
      engine.expireIdle();
      engine.stored(live).get(5, TimeUnit.SECONDS);
      for (SessionEngine e : c.live()) {
        if (e != engine) {
          e.expireIdle();
        }
      }
    }
    assertThat(store.records).containsKey(live);
    assertThat(engine.owns(live)).isTrue();
    // only this session: the candidates passed over above were never read again and expire
    // on their own after 30 minutes (counting every expiry made the test depend on placement)
    assertThat(
            c.events.values().stream()
                .flatMap(r -> r.expired.stream())
                .map(SessionRecord::id)
                .filter(live::equals))
        .isEmpty();
  }
}
