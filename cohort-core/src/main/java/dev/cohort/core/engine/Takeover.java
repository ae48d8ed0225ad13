package dev.cohort.core.engine;

import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.Replies;
import dev.cohort.core.channel.View;
import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.store.StoreException;
import dev.cohort.core.wire.Frame;
import dev.cohort.core.wire.MalformedFrameException;
import dev.cohort.core.wire.Op;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One ownership take-over ({@link SessionEngine#acquire}), in one round trip: a {@link Op.Claim} to
 * every other member; whoever has a copy (the owner, the holders, a stale replica) answers with it
 * and from then on treats this member as the owner (the old owner drops its local object, members
 * that are not among the new holders forget their copy). The newest answer wins; this member bumps
 * its version and announces it to the new holders, which fetch the whole record if they lack it.
 * When no member has the session, the durable store is asked.
 *
 * <p>Claims go to every member, not only to the computed holders: after view changes a copy may
 * still sit where placement no longer expects it, and clusters are small.
 */
final class Takeover {
  private final ReplicationEngine engine;
  private final String id;

  Takeover(ReplicationEngine engine, String id) {
    this.engine = engine;
    this.id = id;
  }

  Optional<SessionRecord> run() {
    long t0 = System.nanoTime();
    View view = engine.channel.view();
    List<String> newHolders = engine.holdersFor(id, engine.me, view);
    byte[] claim = engine.codec.encode(Frame.of(new Op.Claim(id, newHolders)));
    Map<Member, CompletableFuture<Replies>> asked = new LinkedHashMap<>();
    for (Member m : engine.others(view)) {
      engine.counters.bytesSent.add(claim.length);
      asked.put(m, engine.channel.request(List.of(m), claim, engine.config.syncTimeout()));
    }
    SessionRecord best = null;
    int bestTerm = 0;
    int maxTerm = -1;
    boolean bestFromOwner = false;
    long endedAt = -2; // the highest version a member says the session ended at (-1: any)
    List<Member> offered = new ArrayList<>();
    List<Member> silent = new ArrayList<>();
    List<Member> answered = new ArrayList<>();
    long deadline = System.nanoTime() + engine.config.syncTimeout().toNanos() + 500_000_000L;
    for (Map.Entry<Member, CompletableFuture<Replies>> a : asked.entrySet()) {
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
          if (op instanceof Op.Remove gone && gone.id().equals(id)) {
            endedAt = gone.version() < 0 ? Long.MAX_VALUE : Math.max(endedAt, gone.version());
          }
          if (op instanceof Op.Full f && f.id().equals(id)) {
            offered.add(m);
            boolean fromOwner = f.owner().equals(m.name());
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
      } catch (MalformedFrameException e) {
        engine.counters.malformedFrames.increment();
      }
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
      endOffered(best, endedAt, offered);
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

  private void endOffered(SessionRecord best, long endedAt, List<Member> offered) {
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
    try {
      return engine.store.load(id).orElse(null);
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
