package dev.cohort.core.engine;

import dev.cohort.core.channel.Member;
import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.wire.Frame;
import dev.cohort.core.wire.MalformedFrameException;
import dev.cohort.core.wire.Op;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Applies frames from other members. Rules (DESIGN §3, versions):
 *
 * <ul>
 *   <li>a delta applies only on top of the version it names; a missing or older copy answers {@link
 *       Op.NeedFull} (a gap), a newer copy ignores it (stale);
 *   <li>a whole record replaces the local copy only when newer (equal versions from different
 *       owners: the lower route name wins); the loser is told with {@link Op.OwnerChanged} and
 *       counted as a conflict — a replica never goes back;
 *   <li>an owner that learns of a newer version elsewhere yields ({@link
 *       SessionEvents#ownershipLost}).
 * </ul>
 *
 * <p>Runs on channel threads; a malformed frame is dropped and counted. Nothing is thrown out of a
 * handler, except for a frame that arrives before this member knows its own name ({@link
 * #notConnected}).
 */
final class Inbound {
  private final ReplicationEngine engine;

  Inbound(ReplicationEngine engine) {
    this.engine = engine;
  }

  void onMessage(Member from, byte[] payload) {
    handle(from, payload);
  }

  byte[] onRequest(Member from, byte[] payload) {
    return handle(from, payload);
  }

  private byte[] handle(Member from, byte[] payload) {
    engine.counters.bytesReceived.add(payload == null ? 0 : payload.length);
    Frame frame;
    try {
      frame = engine.codec.decode(payload);
    } catch (MalformedFrameException e) {
      engine.counters.malformedFrames.increment();
      ReplicationEngine.LOG.log(
          Level.DEBUG, () -> "dropped a malformed frame from " + from + ": " + e.getMessage());
      return engine.codec.encode(Frame.EMPTY);
    }
    if (!engine.ensureLocal()) {
      // an empty answer would acknowledge operations applied nowhere: the sender would count this
      // member as a holder of records it never stored. Refused, the sender sends them again
      throw notConnected();
    }
    List<Op> replies = new ArrayList<>();
    List<Runnable> flushes = new ArrayList<>();
    for (Op op : frame.ops()) {
      try {
        apply(from, op, replies, flushes);
      } catch (RuntimeException e) {
        // the top boundary of a channel thread: count, log, go on with the next operation
        engine.counters.malformedFrames.increment();
        ReplicationEngine.LOG.log(
            Level.WARNING,
            "could not apply an operation from " + from + ": " + e + " — it was dropped",
            e);
      }
    }
    flushes.forEach(Runnable::run);
    return engine.codec.encode(new Frame(replies));
  }

  /**
   * A frame that arrived before the channel could name this member (it is still connecting): it
   * cannot be applied, and fails at the sender ({@link Outbox} sends the records again).
   */
  static IllegalStateException notConnected() {
    return new IllegalStateException(
        "frame refused: this member is still connecting and does not know its own name yet — the"
            + " sender sends the records again");
  }

  /** An operation in a member's answer to one of our frames. */
  void onAnswer(Member from, Op op) {
    List<Runnable> flushes = new ArrayList<>();
    if (op instanceof Op.Remove r) {
      onRemove(r); // the session ended there while this member was cut off: it ends here too
    } else if (op instanceof Op.OwnerChanged c) {
      Op back = onOwnerChanged(c, flushes);
      if (back instanceof Op.OwnerChanged) {
        // this member owns a version at least as good: tell the other claimed owner, and the
        // replica that still follows it — else that replica keeps obeying the loser (a Drop from
        // it deletes the copy this member counts on as a holder); a replica that already dropped
        // its copy answers NeedFull and gets it back
        engine.enqueue(c.owner(), back, null, flushes);
        if (!from.name().equals(c.owner())) {
          engine.enqueue(from.name(), back, null, flushes);
        }
      }
    }
    flushes.forEach(Runnable::run);
  }

  private void apply(Member from, Op op, List<Op> replies, List<Runnable> flushes) {
    if (op instanceof Op.Delta d) {
      onDelta(from, d, replies);
    } else if (op instanceof Op.Full f) {
      applyFull(from, f, replies, flushes);
    } else if (op instanceof Op.Touch t) {
      onTouch(t);
    } else if (op instanceof Op.Remove r) {
      onRemove(r);
    } else if (op instanceof Op.OwnerChanged c) {
      Op answer = onOwnerChanged(c, flushes);
      if (answer != null && c.owner().equals(from.name())) {
        replies.add(answer);
      }
    } else if (op instanceof Op.Drop d) {
      onDrop(from, d);
    } else if (op instanceof Op.Claim c) {
      onClaim(from, c, replies);
    } else if (op instanceof Op.NeedFull n) {
      Op.Full full = fullIfOwned(n.id());
      if (full != null) {
        engine.enqueue(from.name(), full, null, flushes);
      }
    } else if (op instanceof Op.StateRequest) {
      replies.add(new Op.Expect(engine.sessions.owned()));
      engine.transfer.sendTo(from);
    }
    // Expect only travels in answers
  }

  private Op.Full fullIfOwned(String id) {
    Entry e = engine.sessions.map.get(id);
    return e != null && e.owned ? new Op.Full(e.record, engine.me, e.term) : null;
  }

  /** What this member knows of the session's owner, to tell a member that is behind. */
  private Op.OwnerChanged known(Entry e) {
    return new Op.OwnerChanged(e.record.id(), e.owned ? engine.me : e.owner, e.version(), e.term);
  }

  private void onDelta(Member from, Op.Delta d, List<Op> replies) {
    ReentrantLock lock = engine.sessions.lock(d.id());
    lock.lock();
    try {
      Entry e = engine.sessions.map.get(d.id());
      Sessions.Tombstone ended = e == null ? engine.buried(d.id(), d.baseVersion()) : null;
      if (ended != null) {
        replies.add(ended.removal(d.id()));
      } else if (e == null) {
        engine.counters.gaps.increment();
        replies.add(new Op.NeedFull(d.id()));
      } else if (e.owned) {
        // someone else believes it owns the session: let the whole record decide (applyFull); a
        // sender that is behind is told who owns it (and yields)
        if (d.baseVersion() >= e.version()) {
          replies.add(new Op.NeedFull(d.id()));
        } else {
          engine.counters.conflicts.increment();
          replies.add(known(e));
        }
      } else if (d.term() < e.term) {
        // a former owner (cut off, frozen, or overtaken by a take-over) still commits: fence it
        // off — it yields, and its commit fails
        engine.counters.conflicts.increment();
        replies.add(known(e));
      } else if (d.baseVersion() == e.version()) {
        SessionRecord next = Changes.apply(e.record, d);
        if (next == null) {
          engine.counters.gaps.increment();
          replies.add(new Op.NeedFull(d.id()));
          return;
        }
        e.record = next;
        e.owner = from.name();
        e.term = d.term();
        e.exchangedAt = engine.clock.millis();
        engine.counters.deltasApplied.increment();
      } else if (d.baseVersion() < e.version()) {
        if (!from.name().equals(e.owner)) {
          engine.counters.conflicts.increment();
          replies.add(known(e));
        }
        // else: overtaken by a whole record from the same owner; nothing to do
      } else {
        // ahead of this copy, or a later owner whose history this copy does not share
        engine.counters.gaps.increment();
        replies.add(new Op.NeedFull(d.id()));
      }
    } finally {
      lock.unlock();
    }
  }

  /** Applies a whole record (replication, hand-over, state transfer, merge). */
  void applyFull(Member from, Op.Full f, List<Op> replies, List<Runnable> flushes) {
    SessionRecord rec = f.record();
    String id = rec.id();
    String owner = f.owner();
    String me = engine.me;
    boolean toMe = owner.equals(me);
    long now = engine.clock.millis();
    ReentrantLock lock = engine.sessions.lock(id);
    lock.lock();
    try {
      Entry e = engine.sessions.map.get(id);
      Sessions.Tombstone ended = e == null ? engine.sessions.ended.get(id) : null;
      if (ended != null && ended.covers(rec)) {
        // an ended session offered back (a merge, a late hand-over): it stays ended
        replies.add(ended.removal(id));
        engine.counters.conflicts.increment();
        return;
      }
      if (e == null) {
        if (toMe) {
          engine.becomeOwner(rec, f.term(), flushes); // hand-over
        } else {
          engine.sessions.map.put(id, new Entry(rec, owner, false, f.term(), now));
        }
        return;
      }
      if (toMe) {
        if (!e.owned) {
          // hand-over: the sender's record is the owner's; a newer copy here (a merge) is kept
          SessionRecord best = e.compareTo(f.term(), rec.version()) > 0 ? e.record : rec;
          engine.becomeOwner(best, Math.max(f.term(), e.term), flushes);
        }
        return;
      }
      int order = e.compareTo(f.term(), rec.version());
      // the same claim from two owners (two caretakers of one term): the lower name wins between
      // owners; a replica keeps the owner it follows
      boolean newer = order < 0 || (order == 0 && e.owned && owner.compareTo(me) < 0);
      if (newer) {
        if (e.owned) {
          List<String> former = e.holders;
          e.owned = false;
          e.holders = Holders.NONE;
          engine.superseded(id);
          engine.counters.conflicts.increment();
          engine.events.ownershipLost(id);
          tellFormerHolders(id, former, owner, rec.version(), f.term(), flushes);
        } else if (!e.owner.equals(owner) && !e.owner.equals(from.name())) {
          // the owner we knew may still think it owns the session: tell it
          engine.enqueue(
              e.owner, new Op.OwnerChanged(id, owner, rec.version(), f.term()), null, flushes);
        }
        e.record = rec;
        e.owner = owner;
        e.term = f.term();
        e.exchangedAt = now;
      } else if (order == 0 && owner.equals(e.owner)) {
        e.exchangedAt = now;
      } else if (!owner.equals(e.owned ? me : e.owner)) {
        if (order > 0 || e.owned) {
          engine.counters.conflicts.increment();
        }
        replies.add(known(e));
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * An owner that yields tells the holders that followed it who owns the session now: a replica
   * that keeps following the loser would obey its drops (deleting a copy the winner counts on) and,
   * when the winner dies, wait for the live loser instead of taking care of the session — leaving
   * it without any owner. A holder with an older copy fetches the record on the winner's next
   * change (a gap).
   */
  private void tellFormerHolders(
      String id,
      List<String> former,
      String newOwner,
      long version,
      int term,
      List<Runnable> flushes) {
    Op tell = new Op.OwnerChanged(id, newOwner, version, term);
    for (String h : former) {
      if (!h.equals(newOwner) && !h.equals(engine.me)) {
        engine.enqueue(h, tell, null, flushes);
      }
    }
  }

  private void onTouch(Op.Touch t) {
    ReentrantLock lock = engine.sessions.lock(t.id());
    lock.lock();
    try {
      Entry e = engine.sessions.map.get(t.id());
      if (e != null && !e.owned && e.version() == t.version()) {
        e.record =
            Changes.withAccess(
                e.record, Math.max(t.lastAccessedTime(), e.record.lastAccessedTime()));
        e.exchangedAt = engine.clock.millis();
      }
    } finally {
      lock.unlock();
    }
  }

  private void onRemove(Op.Remove r) {
    boolean removed = false;
    ReentrantLock lock = engine.sessions.lock(r.id());
    lock.lock();
    try {
      Entry e = engine.sessions.map.get(r.id());
      if (e == null || r.version() < 0 || e.version() <= r.version()) {
        engine.bury(r.id(), r.version(), e == null ? null : e.record);
      }
      if (e != null && (r.version() < 0 || e.version() <= r.version())) {
        engine.sessions.map.remove(r.id());
        removed = true;
      }
    } finally {
      lock.unlock();
    }
    if (removed) {
      engine.events.removedRemotely(r.id());
    }
  }

  /** Only the owner this copy follows may drop it (after a merge, a former owner may not). */
  private void onDrop(Member from, Op.Drop d) {
    ReentrantLock lock = engine.sessions.lock(d.id());
    lock.lock();
    try {
      Entry e = engine.sessions.map.get(d.id());
      if (e != null && !e.owned && e.version() <= d.version() && from.name().equals(e.owner)) {
        engine.sessions.map.remove(d.id());
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Someone says {@code c.owner()} owns the session at {@code c.version()} in term {@code
   * c.term()}. An owner whose claim is older ({@link Entry#compare}; the lower name wins a tie)
   * yields; a replica follows a later claim. Returns what to answer when the new owner itself
   * announced it: {@link Op.NeedFull} when this copy is missing or does not match, an {@link
   * Op.OwnerChanged} when this member knows a later claim (the announcer then yields).
   */
  Op onOwnerChanged(Op.OwnerChanged c, List<Runnable> flushes) {
    ReentrantLock lock = engine.sessions.lock(c.id());
    lock.lock();
    try {
      Entry e = engine.sessions.map.get(c.id());
      if (c.owner().equals(engine.me)) {
        return null;
      }
      if (e == null) {
        Sessions.Tombstone ended = engine.buried(c.id(), c.version());
        return ended != null ? ended.removal(c.id()) : new Op.NeedFull(c.id());
      }
      int order = e.compareTo(c.term(), c.version());
      if (e.owned) {
        if (order < 0 || (order == 0 && c.owner().compareTo(engine.me) < 0)) {
          List<String> former = e.holders;
          e.owned = false;
          e.holders = Holders.NONE;
          e.owner = c.owner();
          e.term = c.term();
          engine.superseded(c.id());
          engine.counters.conflicts.increment();
          engine.events.ownershipLost(c.id());
          tellFormerHolders(c.id(), former, c.owner(), c.version(), c.term(), flushes);
          // this copy may hold a change the winner never saw (two owners of one version): forget
          // it; a holder gets the winner's record back
          engine.sessions.map.remove(c.id());
          boolean holder =
              engine.holdersFor(c.id(), c.owner(), engine.channel.view()).contains(engine.me);
          return holder ? new Op.NeedFull(c.id()) : null;
        }
        engine.counters.conflicts.increment();
        return known(e);
      }
      if (order < 0) {
        e.owner = c.owner();
        e.term = c.term();
        if (c.version() != e.version()) {
          return new Op.NeedFull(c.id());
        }
        e.exchangedAt = engine.clock.millis();
        return null;
      }
      if (order == 0) {
        if (!c.owner().equals(e.owner) && c.owner().compareTo(e.owner) > 0) {
          engine.counters.conflicts.increment();
          return known(e); // two owners of one term: the lower name wins
        }
        e.owner = c.owner();
        e.exchangedAt = engine.clock.millis();
        return null;
      }
      if (!c.owner().equals(e.owner)) {
        engine.counters.conflicts.increment();
        return known(e);
      }
      return null;
    } finally {
      lock.unlock();
    }
  }

  private void onClaim(Member from, Op.Claim c, List<Op> replies) {
    boolean lost = false;
    ReentrantLock lock = engine.sessions.lock(c.id());
    lock.lock();
    try {
      Entry e = engine.sessions.map.get(c.id());
      if (e == null) {
        Sessions.Tombstone ended = engine.sessions.ended.get(c.id());
        if (ended != null) {
          replies.add(ended.removal(c.id())); // the claimer's copy, if any, is of an ended session
        }
        return;
      }
      replies.add(new Op.Full(e.record, e.owned ? engine.me : e.owner, e.term));
      if (e.owned) {
        // the record handed over holds every change committed here: commits still waiting for
        // their holders succeed (a late delta is refused by the new owner, which has the change)
        engine.settle(c.id());
        e.owned = false;
        e.holders = Holders.NONE;
        lost = true;
      }
      e.owner = from.name();
      // the claimer will own the session one term after every term it heard of, so at least one
      // after this copy's: from now on a delta of an older term is fenced off here — the
      // claimer's own, sent before it lost the session to this copy's owner (crossing
      // take-overs), is not in this record, and must not be acknowledged as overtaken by it
      e.term++;
      if (!c.newHolders().contains(engine.me)) {
        engine.sessions.map.remove(c.id());
      }
    } finally {
      lock.unlock();
    }
    if (lost) {
      engine.events.ownershipLost(c.id());
    }
  }
}
