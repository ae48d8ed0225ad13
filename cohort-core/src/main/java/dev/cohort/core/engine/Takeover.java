package dev.cohort.core.engine;

import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.Replies;
import dev.cohort.core.channel.View;
import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.store.SessionStore;
import dev.cohort.core.store.StoreException;
import dev.cohort.core.wire.Frame;
import dev.cohort.core.wire.MalformedFrameException;
import dev.cohort.core.wire.Op;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One ownership take-over ({@link SessionEngine#acquire}), in one round trip: a {@link Op.Claim} to
 * the members that can have a copy ({@link Lookups#targets}); whoever has a copy (the owner, the
 * holders, a stale replica) answers with it and from then on treats this member as the owner (the
 * old owner drops its local object, members that are not among the new holders forget their copy).
 * A copy that names an owner not asked yet sends the claim on to that owner (a second round trip,
 * only then). The newest answer wins; this member bumps its version and announces it to the new
 * holders, which fetch the whole record if they lack it. When no member has the session, the
 * durable store is asked — no lock is held meanwhile.
 */
final class Takeover {
  private final ReplicationEngine engine;
  private final String id;
  private final String route;

  // what the members answered so far
  private SessionRecord best;
  private int bestTerm;
  private int maxTerm = -1;
  private boolean bestFromOwner;
  private long endedAt = -2; // the highest version a member says the session ended at (-1: any)
  private final List<Member> offered = new ArrayList<>();
  private final List<Member> silent = new ArrayList<>();
  private final List<Member> answered = new ArrayList<>();
  private final Set<String> namedOwners = new LinkedHashSet<>();

  /**
   * @param route the member the client's id names as the session's last owner, or null
   */
  Takeover(ReplicationEngine engine, String id, String route) {
    this.engine = engine;
    this.id = id;
    this.route = route;
  }

  Optional<SessionRecord> run() {
    long t0 = System.nanoTime();
    View view = engine.channel.view();
    List<String> newHolders = engine.holdersFor(id, engine.me, view);
    byte[] claim = engine.codec.encode(Frame.of(new Op.Claim(id, newHolders)));
    long deadline = System.nanoTime() + engine.config.syncTimeout().toNanos() + 500_000_000L;
    List<Member> asked = engine.lookups.targets(id, route, view);
    ask(asked, claim, deadline);
    List<Member> more = new ArrayList<>();
    for (String owner : namedOwners) {
      view.byName(owner)
          .filter(m -> !m.equals(engine.local) && !asked.contains(m))
          .ifPresent(more::add);
    }
    if (!more.isEmpty()) {
      // a copy follows an owner that was not asked (the client's route was stale): claim there too,
      // so that the owner yields and its newest version is not lost
      ask(more, claim, System.nanoTime() + engine.config.syncTimeout().toNanos() + 500_000_000L);
    }
    Entry local = engine.sessions.map.get(id);
    if (local != null) {
      maxTerm = Math.max(maxTerm, local.term);
      if (best == null || local.compareTo(bestTerm, best.version()) > 0) {
        best = local.record;
        bestTerm = local.term;
      }
    }
    Sessions.Tombstone here = engine.sessions.ended.get(id);
    if (here != null) {
      endedAt = Math.max(endedAt, here.version());
    }
    if (best != null && best.version() <= endedAt) {
      // it was invalidated or expired while a member that kept a copy was frozen or cut off: it
      // stays ended, and the members that offered a copy forget it
      endOffered();
      return Optional.empty();
    }
    if (best == null && !silent.isEmpty()) {
      throw new ReplicationException(
          "take-over failed [session "
              + Ids.tag(id)
              + ", node "
              + engine.me
              + ", no answer from "
              + silent
              + ", answered "
              + answered
              + ", "
              + (System.nanoTime() - t0) / 1_000_000
              + " ms, view "
              + view.id()
              + " "
              + view.members()
              + "]: members that may hold the session did not answer — retry the request;"
              + " failure detection removes dead members within seconds",
          null);
    }
    if (best == null) {
      best = fromStore();
      if (best == null) {
        return Optional.empty();
      }
    }
    List<Runnable> flushes = new ArrayList<>();
    Entry e;
    ReentrantLock lock = engine.sessions.lock(id);
    lock.lock();
    try {
      Entry cur = engine.sessions.map.get(id);
      if (cur != null && cur.owned) {
        return Optional.of(cur.record); // handed to us meanwhile
      }
      if (cur != null) {
        maxTerm = Math.max(maxTerm, cur.term);
        if (cur.compareTo(bestTerm, best.version()) > 0) {
          best = cur.record;
        }
      }
      // after every owner this member heard of: their late messages lose to it
      e = engine.becomeOwner(best, maxTerm + 1, flushes);
    } finally {
      lock.unlock();
    }
    flushes.forEach(Runnable::run);
    ReplicationEngine.LOG.log(
        Level.DEBUG,
        () ->
            "took over a session from "
                + answered.size()
                + " answers in "
                + (System.nanoTime() - t0) / 1_000_000
                + " ms");
    return Optional.of(e.record);
  }

  /**
   * Sends the claim to {@code members} and takes in their answers (waits until {@code deadline}).
   */
  private void ask(List<Member> members, byte[] claim, long deadline) {
    Map<Member, CompletableFuture<Replies>> pending = new LinkedHashMap<>();
    for (Member m : members) {
      engine.counters.bytesSent.add(claim.length);
      engine.counters.claimsSent.increment();
      pending.put(m, engine.channel.request(List.of(m), claim, engine.config.syncTimeout()));
    }
    for (Map.Entry<Member, CompletableFuture<Replies>> a : pending.entrySet()) {
      Member m = a.getKey();
      Replies r;
      try {
        r = a.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ReplicationException(
            "take-over interrupted [session " + Ids.tag(id) + ", node " + engine.me + "]", e);
      } catch (ExecutionException | TimeoutException e) {
        silent.add(m);
        continue;
      }
      byte[] answer = r.replies().get(m);
      if (answer == null) {
        continue; // departed
      }
      answered.add(m);
      engine.counters.bytesReceived.add(answer.length);
      try {
        for (Op op : engine.codec.decode(answer).ops()) {
          take(m, op);
        }
      } catch (MalformedFrameException e) {
        engine.counters.malformedFrames.increment();
      }
    }
  }

  private void take(Member from, Op op) {
    if (op instanceof Op.Remove gone && gone.id().equals(id)) {
      endedAt = gone.version() < 0 ? Long.MAX_VALUE : Math.max(endedAt, gone.version());
    }
    if (op instanceof Op.Full f && f.id().equals(id)) {
      offered.add(from);
      namedOwners.add(f.owner());
      boolean fromOwner = f.owner().equals(from.name());
      maxTerm = Math.max(maxTerm, f.term());
      int order =
          best == null
              ? 1
              : Entry.compare(f.term(), f.record().version(), bestTerm, best.version());
      if (order > 0 || (order == 0 && fromOwner && !bestFromOwner)) {
        best = f.record();
        bestTerm = f.term();
        bestFromOwner = fromOwner;
      }
    }
  }

  private void endOffered() {
    List<Runnable> flushes = new ArrayList<>();
    Op.Remove remove = new Op.Remove(id, endedAt == Long.MAX_VALUE ? -1 : endedAt, false);
    ReentrantLock lock = engine.sessions.lock(id);
    lock.lock();
    try {
      Entry cur = engine.sessions.map.get(id);
      if (cur != null && cur.version() <= endedAt) {
        engine.sessions.map.remove(id);
      }
      engine.bury(id, endedAt, best);
      for (Member m : offered) {
        engine.enqueue(m.name(), remove, null, flushes);
      }
    } finally {
      lock.unlock();
    }
    flushes.forEach(Runnable::run);
    engine.counters.conflicts.increment();
  }

  private SessionRecord fromStore() {
    if (engine.store == SessionStore.NONE) {
      return null;
    }
    engine.counters.storeLookups.increment();
    try {
      return engine.store.load(id).orElse(null);
    } catch (IllegalArgumentException e) {
      return null; // an id the store cannot hold (stores refuse such ids): it has no such session
    } catch (StoreException e) {
      throw new ReplicationException(
          "take-over failed [session "
              + Ids.tag(id)
              + ", node "
              + engine.me
              + ", "
              + engine.store
              + "]: no member has the session and the store failed: "
              + e.getMessage()
              + " — check the store",
          e);
    }
  }
}
