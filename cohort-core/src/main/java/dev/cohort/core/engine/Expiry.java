package dev.cohort.core.engine;

import dev.cohort.core.channel.View;
import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.store.SessionStore;
import dev.cohort.core.store.StoreException;
import dev.cohort.core.wire.Op;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Expiry and lazy access times, run every second on the engine's timer (and by {@link
 * SessionEngine#expireIdle()}), against the injected clock.
 *
 * <ul>
 *   <li>owned (and caretaker) sessions idle past their interval: removed here first (so nothing can
 *       take them over meanwhile), then {@link SessionEvents#expired} once, then an {@code expire}
 *       to the holders and a delete in the store;
 *   <li>owned sessions read since the last delta: a touch to the holders at most every
 *       maxInactive/4;
 *   <li>replicas idle for twice their interval and not heard of for as long: forgotten quietly
 *       (their owner lost track of them; a live owner touches far more often);
 *   <li>the store sweep: sessions that only the store holds (a cluster restarted, a persistent
 *       manager swapped them out, their owner died with them) and that are idle past their interval
 *       are expired by exactly one member, the view's coordinator, at most every {@link
 *       #SWEEP_MILLIS}. A touch also saves the access time to the store, so the store's access
 *       times lag by at most a quarter interval; the sweep waits that long (plus {@link
 *       #SWEEP_GRACE_MILLIS}) past the interval before it expires a session, so it never removes a
 *       session that a member still serves.
 * </ul>
 */
final class Expiry {
  static final long SWEEP_MILLIS = 30_000;
  static final long SWEEP_GRACE_MILLIS = 5_000;
  static final int SWEEP_BATCH = 500;

  private final ReplicationEngine engine;
  private long lastSweep = Long.MIN_VALUE / 2; // the first run sweeps

  /** Replicas whose owner was not in the view at the last run (adopted if still so now). */
  private Set<String> orphanSuspects = Set.of();

  Expiry(ReplicationEngine engine) {
    this.engine = engine;
  }

  void run() {
    long now = engine.clock.millis();
    List<Runnable> flushes = new ArrayList<>();
    List<Entry> expired = new ArrayList<>();
    View view = engine.viewOrNull();
    List<String> live = view == null ? null : ReplicationEngine.names(view);
    Set<String> liveNames = live == null ? Set.of() : new java.util.HashSet<>(live);
    Set<String> suspects = new java.util.HashSet<>();
    for (String id : new ArrayList<>(engine.sessions.map.keySet())) {
      ReentrantLock lock = engine.sessions.lock(id);
      lock.lock();
      try {
        Entry e = engine.sessions.map.get(id);
        if (e == null) {
          continue;
        }
        SessionRecord r = e.record;
        long interval = r.maxInactiveSeconds() * 1000L;
        if (e.owned && r.isExpired(now)) {
          engine.sessions.map.remove(id);
          engine.bury(id, r.version(), r);
          expired.add(e);
        } else if (e.owned) {
          if (e.accessDirty && interval > 0 && now - e.exchangedAt >= interval / 4) {
            Op touch = new Op.Touch(id, r.version(), r.lastAccessedTime());
            for (String h : e.holders) {
              engine.enqueue(h, touch, null, flushes);
            }
            e.accessDirty = false;
            e.exchangedAt = now;
            engine.save(r, Set.of(), Set.of(), false);
          }
        } else if (interval > 0
            && now - r.lastAccessedTime() >= 2 * interval
            && now - e.exchangedAt >= 2 * interval) {
          engine.sessions.map.remove(id);
        } else if (live != null
            && !liveNames.contains(e.owner)
            && engine.membership.departed(e.owner)) {
          // a replica that follows a member that left the view, for two runs in a row: a record
          // from the dead owner arrived after the view change was handled, or a caretaker race
          // left it behind — without this it would have no owner until the next view change. An
          // owner this member never had in its view is joining, not gone: its view comes next
          if (orphanSuspects.contains(id)) {
            adopt(e, live, flushes);
          } else {
            suspects.add(id);
          }
        }
      } finally {
        lock.unlock();
      }
    }
    orphanSuspects = suspects;
    flushes.forEach(Runnable::run);
    flushes.clear();
    for (Entry e : expired) {
      SessionRecord r = e.record;
      try {
        engine.events.expired(r);
      } catch (RuntimeException ex) {
        ReplicationEngine.LOG.log(
            Level.WARNING,
            "a session's expiry listener failed: " + ex + " — the session is removed anyway",
            ex);
      }
      engine.counters.expired.increment();
      Op remove = new Op.Remove(r.id(), r.version(), true);
      for (String h : e.holders) {
        engine.enqueue(h, remove, null, flushes);
      }
      engine.delete(r.id());
    }
    flushes.forEach(Runnable::run);
    engine.sessions.ended.values().removeIf(t -> t.until() <= now);
    if (!expired.isEmpty()) {
      ReplicationEngine.LOG.log(Level.DEBUG, () -> "expired " + expired.size() + " sessions");
    }
    sweepStore(now);
  }

  /**
   * The first of the view's ranking (top k in mode backup) takes care of an orphaned replica; a
   * member that is not it hands its copy over (the caretaker keeps the newer record). Call under
   * the id's lock.
   */
  private void adopt(Entry e, List<String> live, List<Runnable> flushes) {
    String caretaker = dev.cohort.core.placement.Rendezvous.rank(e.record.id(), live).get(0);
    engine.counters.orphansAdopted.increment();
    engine.membership.takeCare(e, caretaker, true, flushes);
  }

  /** Expires sessions that only the store holds; on the coordinator only (class comment). */
  private void sweepStore(long now) {
    if (engine.store == SessionStore.NONE || now - lastSweep < SWEEP_MILLIS || !coordinator()) {
      return;
    }
    lastSweep = now;
    List<String> candidates;
    try {
      candidates = engine.store.findExpired(now, SWEEP_BATCH);
    } catch (StoreException e) {
      engine.counters.storeFailures.increment();
      ReplicationEngine.LOG.log(
          Level.WARNING,
          "store expiry sweep failed ["
              + engine.store
              + "]: "
              + e.getMessage()
              + " — retrying in "
              + SWEEP_MILLIS / 1000
              + " s");
      return;
    }
    int n = 0;
    for (String id : candidates) {
      if (engine.sessions.map.containsKey(id)) {
        continue; // served here: the owner's own expiry decides
      }
      Optional<SessionRecord> stored;
      try {
        stored = engine.store.load(id);
      } catch (StoreException e) {
        engine.counters.storeFailures.increment();
        return;
      }
      if (stored.isEmpty() || !sweepable(stored.get(), now)) {
        continue;
      }
      ReentrantLock lock = engine.sessions.lock(id);
      lock.lock();
      try {
        if (engine.sessions.map.containsKey(id)) {
          continue; // loaded back meanwhile
        }
        engine.delete(id);
      } finally {
        lock.unlock();
      }
      try {
        engine.events.expired(stored.get());
      } catch (RuntimeException ex) {
        ReplicationEngine.LOG.log(
            Level.WARNING,
            "a stored session's expiry listener failed: " + ex + " — the session is removed anyway",
            ex);
      }
      engine.counters.expired.increment();
      n++;
    }
    if (n > 0) {
      int swept = n;
      ReplicationEngine.LOG.log(Level.DEBUG, () -> "expired " + swept + " stored sessions");
    }
  }

  /** Idle past its interval plus the store's access-time lag (a quarter interval) and a grace. */
  static boolean sweepable(SessionRecord r, long now) {
    long interval = r.maxInactiveSeconds() * 1000L;
    return interval > 0
        && now - r.lastAccessedTime() >= interval + interval / 4 + SWEEP_GRACE_MILLIS;
  }

  private boolean coordinator() {
    View v = engine.viewOrNull();
    return v != null && v.size() > 0 && v.coordinator().equals(engine.local);
  }
}
