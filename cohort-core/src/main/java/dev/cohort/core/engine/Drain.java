package dev.cohort.core.engine;

import dev.cohort.core.channel.View;
import dev.cohort.core.placement.Rendezvous;
import dev.cohort.core.wire.Op;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Graceful stop: every owned session goes, as a whole record naming the receiver as owner, to the
 * member that the others will pick as caretaker (the first by rendezvous rank, this member
 * excluded), and the engine waits for the acknowledgements (bounded by {@link
 * EngineConfig#drainTimeout()}) before it leaves the view. A rolling restart then loses nothing,
 * even with k=1.
 */
final class Drain {
  private final ReplicationEngine engine;

  Drain(ReplicationEngine engine) {
    this.engine = engine;
  }

  void run() {
    long t0 = System.nanoTime();
    View view;
    try {
      view = engine.channel.view();
    } catch (RuntimeException e) {
      return;
    }
    List<String> others = ReplicationEngine.names(view);
    others.remove(engine.me);
    int owned = engine.sessions.owned();
    if (owned == 0) {
      return;
    }
    if (others.isEmpty()) {
      if (engine.store != dev.cohort.core.store.SessionStore.NONE) {
        // the last member: the store keeps the sessions; bring their access times up to date
        for (Entry e : new ArrayList<>(engine.sessions.map.values())) {
          if (e.owned) {
            engine.save(e.record, Set.of(), Set.of(), false);
          }
        }
      }
      ReplicationEngine.LOG.log(
          Level.WARNING,
          "drain: no other member to hand "
              + owned
              + " sessions to — they end with this node"
              + (engine.store == dev.cohort.core.store.SessionStore.NONE
                  ? ""
                  : " (kept in the store)"));
      return;
    }
    List<CompletableFuture<Void>> acks = new ArrayList<>();
    Set<String> targets = new HashSet<>();
    List<Runnable> flushes = new ArrayList<>();
    for (String id : new ArrayList<>(engine.sessions.map.keySet())) {
      ReentrantLock lock = engine.sessions.lock(id);
      lock.lock();
      try {
        Entry e = engine.sessions.map.get(id);
        if (e == null || !e.owned) {
          continue;
        }
        String target = Rendezvous.rank(id, others).get(0);
        Pending p = new Pending("hand-over", Ids.tag(id), Set.of(target), engine::viewOrNull);
        engine.enqueue(target, new Op.Full(e.record, target, e.term + 1), p, flushes);
        engine.settle(id);
        e.owned = false;
        e.owner = target;
        e.term = e.term + 1;
        e.holders = Holders.NONE;
        acks.add(p.future);
        targets.add(target);
      } finally {
        lock.unlock();
      }
    }
    flushes.forEach(Runnable::run);
    int failed = 0;
    long deadline = t0 + engine.config.drainTimeout().toNanos();
    for (CompletableFuture<Void> f : acks) {
      try {
        f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failed++;
        break;
      } catch (ExecutionException | TimeoutException e) {
        failed++;
      }
    }
    ReplicationEngine.LOG.log(
        failed == 0 ? Level.INFO : Level.WARNING,
        "drain: handed "
            + (acks.size() - failed)
            + " of "
            + acks.size()
            + " owned sessions to "
            + targets.size()
            + " members in "
            + (System.nanoTime() - t0) / 1_000_000
            + " ms"
            + (failed == 0 ? "" : "; " + failed + " not acknowledged within drainTimeout"));
  }
}
