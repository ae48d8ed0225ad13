package dev.cohort.core.engine;

import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.MembershipEvent;
import dev.cohort.core.channel.View;
import dev.cohort.core.placement.Rendezvous;
import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.wire.Op;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reacts to view changes, on the engine's single membership thread (listeners must not block the
 * channel):
 *
 * <ul>
 *   <li>replicas whose owner left: the first surviving holder by rendezvous rank becomes caretaker
 *       owner at once (it bumps the version and restores k copies); the others note it as owner;
 *   <li>owned sessions: holders are recomputed; new holders get the whole record, former holders a
 *       drop (in mode all, joiners pull everything by state transfer instead);
 *   <li>after a merge: every owner pushes its records to the holders and the top k+1 members, so
 *       two owners of one session from both sides of the partition meet at least at one member; the
 *       newer version (then the later ownership term) wins and the loser yields. The other members
 *       get a drop, so copies left over from before the split do not linger.
 * </ul>
 */
final class Membership {
  private final ReplicationEngine engine;
  private volatile View previous;

  /** How many departed names are remembered; the oldest are forgotten first. */
  static final int MAX_DEPARTED = 4_096;

  /**
   * Members that left a view this member installed and are not back: an owner among them is gone,
   * one absent from the view but not among them has not joined this member's view yet. Bounded
   * (names from ever-new pods would pile up): the orphan check that reads it acts within two runs
   * of the expiry timer after a departure, long before {@link #MAX_DEPARTED} later departures.
   */
  private final Set<String> departed =
      Collections.newSetFromMap(
          Collections.synchronizedMap(
              new LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                  return size() > MAX_DEPARTED;
                }
              }));

  Membership(ReplicationEngine engine) {
    this.engine = engine;
  }

  void started(View first) {
    if (previous == null) {
      previous = first;
    }
  }

  /** True when {@code name} was in a view of this member and has left it since. */
  boolean departed(String name) {
    return departed.contains(name);
  }

  void onEvent(MembershipEvent ev) {
    try {
      if (ev instanceof MembershipEvent.ViewInstalled v) {
        engine.lookups.viewChanged();
        for (Member m : v.left()) {
          departed.add(m.name());
        }
        for (Member m : v.current().members()) {
          departed.remove(m.name());
        }
        engine.control.execute(() -> guarded(() -> onView(v)));
      } else if (ev instanceof MembershipEvent.Merged m) {
        engine.lookups.viewChanged();
        for (Member m2 : m.view().members()) {
          departed.remove(m2.name());
        }
        engine.control.execute(() -> guarded(() -> onMerge(m.view())));
      }
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  private void guarded(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      ReplicationEngine.LOG.log(
          Level.ERROR, "view change handling failed: " + e + " — sessions may be unprotected", e);
    }
  }

  void onView(MembershipEvent.ViewInstalled v) {
    if (!engine.ensureLocal()) {
      return; // the first view is handled by start()
    }
    long t0 = System.nanoTime();
    View prev = v.previous() != null ? v.previous() : previous;
    // events queue up on this thread: place by the newest view, not the event's (a later event
    // is then handled again, which is idempotent), or a stale view would undo newer placements
    View cur = engine.channel.view();
    if (cur.id() < v.current().id()) {
      cur = v.current();
    }
    previous = cur;
    engine.closeOutboxes(v.left());
    engine.transfer.onView(cur);
    Set<String> curNames = new HashSet<>(ReplicationEngine.names(cur));
    Set<String> leftNames = new HashSet<>();
    for (Member m : v.left()) {
      leftNames.add(m.name());
    }
    Set<String> joinedNames = new HashSet<>();
    for (Member m : v.joined()) {
      joinedNames.add(m.name());
    }
    int caretaken = 0;
    int sent = 0;
    int dropped = 0;
    List<Runnable> flushes = new ArrayList<>();
    for (String id : new ArrayList<>(engine.sessions.map.keySet())) {
      ReentrantLock lock = engine.sessions.lock(id);
      lock.lock();
      try {
        Entry e = engine.sessions.map.get(id);
        if (e == null) {
          continue;
        }
        if (e.owned) {
          List<String> now = engine.holdersFor(id, engine.me, cur);
          boolean fresh = e.holders.view >= cur.id(); // placed in this view already
          Op full = null;
          Set<String> added = new LinkedHashSet<>();
          for (String h : now) {
            if (!e.holders.contains(h) || (joinedNames.contains(h) && !fresh)) {
              if (engine.config.mode() == Mode.ALL && joinedNames.contains(h)) {
                continue; // it pulls everything by state transfer
              }
              full = full != null ? full : new Op.Full(e.record, engine.me, e.term);
              added.add(h);
              sent++;
            }
          }
          List<String> removed = new ArrayList<>();
          for (String h : e.holders) {
            if (!now.contains(h) && curNames.contains(h)) {
              removed.add(h);
              dropped++;
            }
          }
          // make before break: a former holder keeps its copy until every new holder has the
          // record — if this member dies in between, the session still has a copy somewhere
          Pending made =
              added.isEmpty()
                  ? null
                  : new Pending("replica move", Ids.tag(id), added, engine::viewOrNull);
          for (String h : added) {
            engine.enqueue(h, full, made, flushes);
          }
          if (!removed.isEmpty()) {
            if (made == null) {
              dropFormer(id, removed, flushes);
            } else {
              // on the membership thread: never inside the pending's completion (an answer thread)
              made.future.thenRunAsync(() -> dropFormerLater(id, removed, added), engine.control);
            }
          }
          e.holders = engine.holderSets.of(now, cur.id());
        } else if (!curNames.contains(e.owner) || leftNames.contains(e.owner)) {
          String caretaker = caretaker(id, e.owner, prev, curNames);
          if (takeCare(e, caretaker, engine.config.mode() == Mode.BACKUP, flushes)) {
            caretaken++;
          }
        }
      } finally {
        lock.unlock();
      }
    }
    flushes.forEach(Runnable::run);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    int unprotected = engine.stats().unprotectedSessions();
    ReplicationEngine.LOG.log(
        Level.INFO,
        "view "
            + cur.id()
            + ": "
            + cur.size()
            + " members (+"
            + v.joined().size()
            + " -"
            + v.left().size()
            + "); caretaker of "
            + caretaken
            + " sessions, "
            + sent
            + " records sent to new holders, "
            + dropped
            + " dropped, "
            + unprotected
            + " unprotected, in "
            + ms
            + " ms");
  }

  /**
   * An orphaned replica: this member becomes its owner when it is the {@code caretaker}; else it
   * follows the caretaker and, when {@code handOver}, hands it this copy — the caretaker may have
   * none (a replica move was under way when the owner died); it keeps the newer of the two, or
   * ignores the copy once it took care of the session. Call under the id's lock.
   *
   * @return true when this member took care of the session
   */
  boolean takeCare(Entry e, String caretaker, boolean handOver, List<Runnable> flushes) {
    if (caretaker.equals(engine.me)) {
      engine.becomeOwner(withGrace(e.record), e.term + 1, flushes);
      return true;
    }
    e.owner = caretaker;
    if (handOver) {
      engine.enqueue(caretaker, new Op.Full(e.record, caretaker, e.term + 1), null, flushes);
    }
    return false;
  }

  private void dropFormer(String id, List<String> former, List<Runnable> flushes) {
    Entry e = engine.sessions.map.get(id);
    Sessions.Tombstone ended = e == null ? engine.sessions.ended.get(id) : null;
    if (ended != null) {
      // it ended meanwhile: the removal went to the holders only, the former ones forget it now
      for (String h : former) {
        engine.enqueue(h, ended.removal(id), null, flushes);
      }
      return;
    }
    if (e == null || !e.owned) {
      return;
    }
    Op drop = new Op.Drop(id, e.version());
    for (String h : former) {
      if (!e.holders.contains(h)) {
        engine.enqueue(h, drop, null, flushes);
      }
    }
  }

  /**
   * After the new holders acknowledged the record: the former holders (or the members that got a
   * copy at a merge) may forget theirs, unless they are holders again by now.
   */
  private void dropFormerLater(String id, List<String> former, Set<String> added) {
    List<Runnable> flushes = new ArrayList<>();
    ReentrantLock lock = engine.sessions.lock(id);
    lock.lock();
    try {
      View v = engine.viewOrNull();
      if (v == null) {
        return;
      }
      for (String h : added) {
        if (v.byName(h).isEmpty()) {
          return; // a new holder left meanwhile: the next view change places the copies again
        }
      }
      dropFormer(id, former, flushes);
    } finally {
      lock.unlock();
    }
    flushes.forEach(Runnable::run);
  }

  /**
   * The member that takes care of a session whose owner left: the first of the former holders (the
   * top k of the old view by rank, the owner excluded) that is still in the view; this member when
   * none is (it has a copy, better than losing the session).
   */
  private String caretaker(String id, String oldOwner, View prev, Set<String> curNames) {
    if (prev == null) {
      return engine.me;
    }
    List<String> names = ReplicationEngine.names(prev);
    names.remove(oldOwner);
    List<String> ranked = Rendezvous.rank(id, names);
    if (engine.config.mode() == Mode.BACKUP && ranked.size() > engine.config.backups()) {
      ranked = ranked.subList(0, engine.config.backups());
    }
    for (String r : ranked) {
      if (curNames.contains(r)) {
        return r;
      }
    }
    return engine.me;
  }

  /**
   * Access times reach replicas lazily (at most every maxInactive/4), so a caretaker adds that much
   * grace: no live session expires because its owner died.
   */
  private SessionRecord withGrace(SessionRecord r) {
    if (r.maxInactiveSeconds() <= 0) {
      return r;
    }
    long now = engine.clock.millis();
    long grace = r.maxInactiveSeconds() * 1000L / 4 + 1000;
    long accessed = Math.max(r.lastAccessedTime(), Math.min(now, r.lastAccessedTime() + grace));
    return Changes.withAccess(r, accessed);
  }

  void onMerge(View view) {
    if (!engine.ensureLocal()) {
      return;
    }
    long t0 = System.nanoTime();
    List<String> all = ReplicationEngine.names(view);
    int k = engine.config.mode() == Mode.ALL ? all.size() : engine.config.backups() + 1;
    int pushed = 0;
    long conflictsBefore = engine.counters.conflicts();
    List<Runnable> flushes = new ArrayList<>();
    for (String id : new ArrayList<>(engine.sessions.map.keySet())) {
      ReentrantLock lock = engine.sessions.lock(id);
      lock.lock();
      try {
        Entry e = engine.sessions.map.get(id);
        if (e == null || !e.owned) {
          continue;
        }
        Set<String> targets = new LinkedHashSet<>(e.holders);
        List<String> ranked = Rendezvous.rank(id, all);
        targets.addAll(ranked.subList(0, Math.min(k, ranked.size())));
        targets.remove(engine.me);
        Op full = new Op.Full(e.record, engine.me, e.term);
        // the members that get a copy only so that two owners meet: once they acknowledged (any
        // conflict is settled by then) they forget it again, or every merge leaves extra replicas
        Set<String> extra = new LinkedHashSet<>(targets);
        extra.removeAll(e.holders);
        Pending met =
            extra.isEmpty()
                ? null
                : new Pending("merge push", Ids.tag(id), extra, engine::viewOrNull);
        for (String t : targets) {
          engine.enqueue(t, full, extra.contains(t) ? met : null, flushes);
        }
        if (met != null) {
          met.future.thenRunAsync(
              () -> dropFormerLater(id, List.copyOf(extra), Set.of()), engine.control);
        }
        // a member from the other side may still keep a copy that follows this owner from before
        // the split, where placement no longer puts one: it forgets it (a copy that follows
        // another owner ignores the drop)
        Op drop = new Op.Drop(id, e.version());
        for (String m : all) {
          if (!targets.contains(m) && !m.equals(engine.me)) {
            engine.enqueue(m, drop, null, flushes);
          }
        }
        pushed++;
      } finally {
        lock.unlock();
      }
    }
    // the other side may still hold copies of sessions that ended on this side while it was away
    int ended = 0;
    for (var t : engine.sessions.ended.entrySet()) {
      if (engine.sessions.map.containsKey(t.getKey())) {
        continue;
      }
      Op remove = t.getValue().removal(t.getKey());
      for (String m : all) {
        if (!m.equals(engine.me)) {
          engine.enqueue(m, remove, null, flushes);
        }
      }
      ended++;
    }
    flushes.forEach(Runnable::run);
    int endedSessions = ended;
    ReplicationEngine.LOG.log(
        Level.DEBUG, () -> "merge: told the other members of " + endedSessions + " ended sessions");
    ReplicationEngine.LOG.log(
        Level.INFO,
        "partition healed into view "
            + view.id()
            + " ("
            + view.size()
            + " members): reconciling "
            + pushed
            + " owned sessions by version, "
            + (engine.counters.conflicts() - conflictsBefore)
            + " conflicts so far, in "
            + (System.nanoTime() - t0) / 1_000_000
            + " ms");
  }
}
