package dev.cohort.core.engine;

import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.wire.Op;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
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
 *       (their owner lost track of them; a live owner touches far more often).
 * </ul>
 */
final class Expiry {
  private final ReplicationEngine engine;

  Expiry(ReplicationEngine engine) {
    this.engine = engine;
  }

  void run() {
    long now = engine.clock.millis();
    List<Runnable> flushes = new ArrayList<>();
    List<Entry> expired = new ArrayList<>();
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
          expired.add(e);
        } else if (e.owned) {
          if (e.accessDirty && interval > 0 && now - e.exchangedAt >= interval / 4) {
            Op touch = new Op.Touch(id, r.version(), r.lastAccessedTime());
            for (String h : e.holders) {
              engine.enqueue(h, touch, null, flushes);
            }
            e.accessDirty = false;
            e.exchangedAt = now;
          }
        } else if (interval > 0
            && now - r.lastAccessedTime() >= 2 * interval
            && now - e.exchangedAt >= 2 * interval) {
          engine.sessions.map.remove(id);
        }
      } finally {
        lock.unlock();
      }
    }
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
    if (!expired.isEmpty()) {
      ReplicationEngine.LOG.log(Level.DEBUG, () -> "expired " + expired.size() + " sessions");
    }
  }
}
