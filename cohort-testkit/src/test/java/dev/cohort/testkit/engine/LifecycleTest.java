package dev.cohort.testkit.engine;

import static dev.cohort.testkit.engine.EngineCluster.attrs;
import static dev.cohort.testkit.engine.EngineCluster.eventually;
import static dev.cohort.testkit.engine.EngineCluster.intOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.engine.ReplicationException;
import dev.cohort.core.engine.SessionEngine;
import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.store.SessionStore;
import dev.cohort.testkit.InMemoryNetwork;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class LifecycleTest {
  EngineCluster c;

  @AfterEach
  void tearDown() {
    c.close();
  }

  int expiredEverywhere() {
    return c.events.values().stream().mapToInt(r -> r.expired.size()).sum();
  }

  @Test
  void expiryFiresOnceInCluster() throws Exception {
    c = new EngineCluster(EngineCluster.testConfig());
    c.startAll("n1", "n2", "n3");
    c.get("n1").commit(c.create("s", attrs("count", 1))).get(5, TimeUnit.SECONDS);
    c.clock.advance(Duration.ofSeconds(1801));
    for (SessionEngine e : c.live()) {
      e.expireIdle();
    }
    eventually().until(() -> expiredEverywhere() == 1);
    assertThat(c.events.get("n1").expired).hasSize(1);
    assertThat(c.events.get("n1").expired.get(0).id()).isEqualTo("s");
    for (SessionEngine e : c.live()) {
      eventually().until(() -> e.stats().replicaSessions() == 0 && e.stats().ownedSessions() == 0);
      e.expireIdle();
    }
    assertThat(expiredEverywhere()).isEqualTo(1);
    assertThat(c.get("n1").stats().expired()).isEqualTo(1);
  }

  @Test
  void liveSessionDoesNotExpire_afterFailover() throws Exception {
    c = new EngineCluster(EngineCluster.testConfig());
    c.startAll("n1", "n2", "n3");
    SessionEngine n1 = c.get("n1");
    n1.commit(c.create("s", attrs("count", 1))).get(5, TimeUnit.SECONDS);
    n1.commit(c.set("s", attrs())).get(5, TimeUnit.SECONDS);
    String holder = n1.placement("s").holders().get(0);
    // read-only requests every 10 minutes: only access times move, lazily
    for (int i = 0; i < 4; i++) {
      c.clock.advance(Duration.ofMinutes(10));
      n1.commit(c.set("s", attrs())).get(5, TimeUnit.SECONDS);
      long received = c.get(holder).stats().bytesReceived();
      n1.expireIdle(); // sends the touch (or the engine's own timer just did)
      eventually().until(() -> c.get(holder).stats().bytesReceived() > received);
    }
    assertThat(n1.stats().deltasSent()).isEqualTo(1);
    c.clock.advance(Duration.ofMinutes(20)); // 20 of 30 idle minutes on the owner
    c.kill("n1");
    eventually().until(() -> c.get(holder).owns("s"));
    for (SessionEngine e : c.live()) {
      e.expireIdle();
    }
    assertThat(expiredEverywhere())
        .as(
            "%s",
            c.events.entrySet().stream()
                .map(
                    en ->
                        en.getKey()
                            + "="
                            + en.getValue().expired.stream()
                                .map(r -> (c.clock.millis() - r.lastAccessedTime()) / 60000 + "min")
                                .toList())
                .toList())
        .isZero();
    assertThat(c.get(holder).acquire("s")).isPresent();
  }

  @Test
  void syncCommitFails_whenHolderDoesNotAnswer_andTheNextCommitRepairsTheGap() throws Exception {
    c =
        new EngineCluster(
            EngineCluster.testConfig().withSyncTimeout(Duration.ofMillis(1000)),
            InMemoryNetwork.Delivery.ASYNC,
            SessionStore.NONE);
    c.startAll("n1", "n2");
    SessionEngine n1 = c.get("n1");
    n1.commit(c.create("secret-id-1", attrs("count", 1))).get(5, TimeUnit.SECONDS);
    c.net.dropNext(1, "n2");
    assertThat(n1.commit(c.set("secret-id-1", attrs("count", 2))))
        .failsWithin(Duration.ofSeconds(5))
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOf(ReplicationException.class)
        .withMessageContaining("no answer from [n2]")
        .withMessageContaining("view")
        .withMessageNotContaining("secret-id-1");
    assertThat(n1.stats().syncTimeouts()).isEqualTo(1);
    n1.commit(c.set("secret-id-1", attrs("count", 3))).get(5, TimeUnit.SECONDS);
    assertThat(intOf(c.get("n2").acquire("secret-id-1").orElseThrow().attributes().get("count")))
        .isEqualTo(3);
  }

  @Test
  void invalidateRemovesEverywhere_evenFromANonOwner() throws Exception {
    c = new EngineCluster(EngineCluster.testConfig().withBackups(2));
    c.startAll("n1", "n2", "n3");
    c.get("n1").commit(c.create("a", attrs("count", 1))).get(5, TimeUnit.SECONDS);
    c.get("n1").commit(c.create("b", attrs("count", 1))).get(5, TimeUnit.SECONDS);
    c.get("n1").invalidate("a").get(5, TimeUnit.SECONDS);
    c.get("n3").invalidate("b").get(5, TimeUnit.SECONDS);
    for (SessionEngine e : c.live()) {
      eventually().until(() -> e.stats().replicaSessions() == 0 && e.stats().ownedSessions() == 0);
    }
    assertThat(c.events.get("n1").removedRemotely).containsExactly("b");
    assertThat(c.get("n2").acquire("a")).isEmpty();
    assertThat(c.get("n2").acquire("b")).isEmpty();
  }

  @Test
  void changeIdMovesTheSessionToItsNewPlacement() throws Exception {
    c = new EngineCluster(EngineCluster.testConfig());
    c.startAll("n1", "n2", "n3");
    SessionEngine n1 = c.get("n1");
    n1.commit(c.create("old", attrs("count", 4))).get(5, TimeUnit.SECONDS);
    n1.changeId("old", "new").get(5, TimeUnit.SECONDS);
    assertThat(n1.owns("new")).isTrue();
    assertThat(n1.owns("old")).isFalse();
    String holder = n1.placement("new").holders().get(0);
    eventually().until(() -> c.get(holder).stats().replicaSessions() == 1);
    String other = holder.equals("n2") ? "n3" : "n2";
    eventually().until(() -> c.get(other).stats().replicaSessions() == 0);
    Optional<SessionRecord> r = c.get(other).acquire("new");
    assertThat(r).isPresent();
    assertThat(r.get().id()).isEqualTo("new");
    assertThat(intOf(r.get().attributes().get("count"))).isEqualTo(4);
    assertThat(c.get(holder).acquire("old")).isEmpty();
  }

  @Test
  void sessionIsUnprotected_untilASecondMemberJoins() throws Exception {
    c = new EngineCluster(EngineCluster.testConfig());
    c.startAll("n1");
    SessionEngine n1 = c.get("n1");
    n1.commit(c.create("s", attrs("count", 1))).get(5, TimeUnit.SECONDS);
    assertThat(n1.stats().unprotectedSessions()).isEqualTo(1);
    c.start("n2");
    c.awaitViewSize(2);
    eventually().until(() -> n1.stats().unprotectedSessions() == 0);
    eventually().until(() -> c.get("n2").stats().replicaSessions() == 1);
  }

  @Test
  void acquireFallsBackToTheStore_whenNoMemberHasTheSession() throws Exception {
    MapStore store = new MapStore();
    c = new EngineCluster(EngineCluster.testConfig(), InMemoryNetwork.Delivery.ASYNC, store);
    c.startAll("n1");
    c.get("n1").commit(c.create("s", attrs("count", 5))).get(5, TimeUnit.SECONDS);
    c.get("n1").commit(c.set("s", attrs("count", 6))).get(5, TimeUnit.SECONDS);
    eventually().until(() -> store.saved.size() >= 2);
    c.kill("n1");
    c.start("n2");
    SessionRecord r = c.get("n2").acquire("s").orElseThrow();
    assertThat(intOf(r.attributes().get("count"))).isEqualTo(6);
    c.get("n2").invalidate("s").get(5, TimeUnit.SECONDS);
    eventually().until(() -> store.records.isEmpty());
  }

  /** A store in a map. */
  static class MapStore implements SessionStore {
    final Map<String, SessionRecord> records = new ConcurrentHashMap<>();
    final List<Long> saved = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public Optional<SessionRecord> load(String id) {
      return Optional.ofNullable(records.get(id));
    }

    @Override
    public void save(SessionRecord record, Set<String> changed, Set<String> removed, boolean full) {
      records.put(record.id(), record);
      saved.add(record.version());
    }

    @Override
    public void delete(String id) {
      records.remove(id);
    }

    @Override
    public List<String> findExpired(long nowMillis, int limit) {
      return List.of();
    }

    @Override
    public List<String> ids() {
      return List.copyOf(records.keySet());
    }

    @Override
    public void close() {}
  }
}
