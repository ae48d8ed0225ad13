package dev.cohort.core.engine;

import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.View;
import dev.cohort.core.placement.Rendezvous;
import dev.cohort.core.session.SessionRecord;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs {@link SessionEngine#acquire}: who is asked, and how many look-ups run at once.
 *
 * <p>Design. Every id a client sends reaches {@code acquire}, so a look-up must cost the cluster
 * little and must not hold up other sessions' work:
 *
 * <ul>
 *   <li><b>One look-up per id, no shared lock.</b> Concurrent acquires of one id on this member
 *       wait for the first one's outcome; acquires of different ids never wait for each other (no
 *       stripe lock is held across the claim round trip or the store query).
 *   <li><b>A bound on look-ups of sessions unknown here.</b> At most {@link
 *       EngineConfig#maxLookups()} run at once; one more fails at once with {@link
 *       LookupRefusedException} (the adapter answers 503 and the client retries): a prompt answer
 *       that loses nothing, never a new empty session for an id that may be live. A session this
 *       member holds a replica of is not counted (a client cannot make a member hold a replica).
 *   <li><b>Claims go where copies can be.</b> In a settled view (no view change for {@link
 *       #settleMillis()} and, in mode all, the state transfer done) a claim goes to the member the
 *       id's route names, the owner this member knows, and the top k+1 members by rendezvous rank
 *       of the id (top 1 in mode all, where this member holds every session itself) — the owner and
 *       the holders of any owner are among them. A copy that names an owner not asked yet sends the
 *       claim on to it. Right after a view change copies may sit outside placement (replica moves,
 *       caretakers, merges): then every member is asked.
 * </ul>
 *
 * <p>Thread-safe.
 */
final class Lookups {
  private final ReplicationEngine engine;
  private final Semaphore slots;
  private final ConcurrentHashMap<String, CompletableFuture<Optional<SessionRecord>>> running =
      new ConcurrentHashMap<>();
  private volatile long viewChangedAt;

  Lookups(ReplicationEngine engine) {
    this.engine = engine;
    this.slots = new Semaphore(engine.config.maxLookups());
    this.viewChangedAt = engine.clock.millis();
  }

  /** A view was installed (or a partition healed): copies may sit outside placement for a while. */
  void viewChanged() {
    viewChangedAt = engine.clock.millis();
  }

  /**
   * How long after a view change every member is asked: replica moves finish within the sync
   * timeout and orphaned replicas are adopted within about 3 s; twice that, plus margin.
   */
  long settleMillis() {
    return 2 * engine.config.syncTimeout().toMillis() + 5_000;
  }

  boolean settled() {
    return engine.isReady() && engine.clock.millis() - viewChangedAt >= settleMillis();
  }

  Optional<SessionRecord> acquire(String id, String route) {
    CompletableFuture<Optional<SessionRecord>> mine = new CompletableFuture<>();
    CompletableFuture<Optional<SessionRecord>> first = running.putIfAbsent(id, mine);
    if (first != null) {
      return follow(id, route, first);
    }
    try {
      Optional<SessionRecord> r = lead(id, route);
      mine.complete(r);
      return r;
    } catch (RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      running.remove(id, mine);
    }
  }

  private Optional<SessionRecord> lead(String id, String route) {
    Entry known = engine.sessions.map.get(id);
    if (known != null && known.owned) {
      return Optional.of(known.record);
    }
    if (known != null) {
      return new Takeover(engine, id, route).run();
    }
    if (!slots.tryAcquire()) {
      engine.counters.lookupsRefused.increment();
      throw new LookupRefusedException(
          "session look-up refused [session "
              + Ids.tag(id)
              + ", node "
              + engine.me
              + "]: "
              + engine.config.maxLookups()
              + " look-ups of sessions unknown here are already running (maxLookups) — retry"
              + " the request; a flood of unknown session ids is the usual cause");
    }
    try {
      return new Takeover(engine, id, route).run();
    } finally {
      slots.release();
    }
  }

  /** Waits for the look-up of {@code id} that is already running here, then answers the same. */
  private Optional<SessionRecord> follow(
      String id, String route, CompletableFuture<Optional<SessionRecord>> f) {
    long limit = 2 * engine.config.syncTimeout().toMillis() + 1_000;
    try {
      Optional<SessionRecord> r = f.get(limit, TimeUnit.MILLISECONDS);
      Entry e = engine.sessions.map.get(id);
      if (e != null && e.owned) {
        return Optional.of(e.record);
      }
      // found but taken away again meanwhile: look again; not found: the same answer, no new claim
      return r.isPresent() ? acquire(id, route) : r;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ReplicationException(
          "session look-up interrupted [session " + Ids.tag(id) + ", node " + engine.me + "]", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof LookupRefusedException refused) {
        throw new LookupRefusedException(refused.getMessage());
      }
      throw new ReplicationException(
          "session look-up failed [session "
              + Ids.tag(id)
              + ", node "
              + engine.me
              + "]: "
              + e.getCause().getMessage(),
          e.getCause());
    } catch (TimeoutException e) {
      throw new ReplicationException(
          "session look-up failed [session "
              + Ids.tag(id)
              + ", node "
              + engine.me
              + "]: another look-up of the session did not finish within "
              + limit
              + " ms — retry the request",
          e);
    }
  }

  /**
   * The members a claim for {@code id} goes to first: see the class comment. {@code route} is the
   * member the client's id names (its {@code .route} suffix), or null.
   */
  List<Member> targets(String id, String route, View view) {
    if (!settled()) {
      return engine.others(view);
    }
    Set<String> names = new LinkedHashSet<>();
    if (route != null) {
      names.add(route);
    }
    Entry known = engine.sessions.map.get(id);
    if (known != null && known.owner != null) {
      names.add(known.owner);
    }
    List<String> ranked = Rendezvous.rank(id, ReplicationEngine.names(view));
    int top = engine.config.mode() == Mode.ALL ? 1 : engine.config.backups() + 1;
    names.addAll(ranked.subList(0, Math.min(top, ranked.size())));
    List<Member> out = new ArrayList<>(names.size());
    for (String n : names) {
      view.byName(n).filter(m -> !m.equals(engine.local)).ifPresent(out::add);
    }
    return out;
  }
}
