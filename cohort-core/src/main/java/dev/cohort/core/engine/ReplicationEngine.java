package dev.cohort.core.engine;

import dev.cohort.core.channel.ClusterChannel;
import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.View;
import dev.cohort.core.placement.Rendezvous;
import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.session.SessionUpdate;
import dev.cohort.core.store.SessionStore;
import dev.cohort.core.wire.Frame;
import dev.cohort.core.wire.Op;
import dev.cohort.core.wire.WireCodec;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;

/**
 * The replication engine (DESIGN §3). One instance per member.
 *
 * <p>Design: every session this member knows is an {@link Entry} in {@link Sessions}, owned or a
 * replica. All work on one id runs under that id's stripe lock, and no lock is held while waiting
 * on the network: a commit computes its delta and queues it to each holder's {@link Outbox} under
 * the lock, then waits for the acknowledgements outside it. Inbound frames are applied by {@link
 * Inbound}; view changes (caretakers, restoring k copies, merges) by {@link Membership}; joining in
 * mode all by {@link StateTransfer}; expiry and lazy access times by {@link Expiry}.
 *
 * <p>Threads: callers' threads (commit, acquire, ...), channel threads (inbound frames and
 * answers), and the engine's own: one timer (expiry, timeouts), one for membership work, one for
 * state transfer and drain, one for the store.
 */
final class ReplicationEngine implements SessionEngine {
  static final System.Logger LOG = System.getLogger("dev.cohort.core.engine");
  static final String STATE_TOPIC = "cohort-state";

  /**
   * Async mode: the longest a commit waits for its change to leave this member (the previous frame
   * to a holder is still unanswered). Longer means fewer changes lost to a crash while a holder is
   * slow; shorter means a slow holder delays responses less. In sync mode the acknowledgement is
   * awaited instead, up to {@code syncTimeout}.
   */
  static final long ASYNC_SEND_WAIT_MS = 200;

  final EngineConfig config;
  final ClusterChannel channel;
  final SessionStore store;
  final SessionEvents events;
  final Clock clock;
  final WireCodec codec;
  final Sessions sessions = new Sessions();
  final Counters counters;
  final Inbound inbound;
  final Membership membership;
  final StateTransfer transfer;
  final Expiry expiry;
  private final Map<Member, Outbox> outboxes = new ConcurrentHashMap<>();
  final Lookups lookups;

  final ScheduledExecutorService timer;
  final ExecutorService control;
  final ExecutorService bulk;
  final ExecutorService storeWriter;

  /** Runs outbox continuations (answers) off the channel's threads. */
  final ExecutorService answers;

  volatile String me;
  volatile Member local;
  private volatile boolean started;
  private volatile boolean closed;

  ReplicationEngine(
      EngineConfig config,
      ClusterChannel channel,
      SessionStore store,
      SessionEvents events,
      Clock clock) {
    this.config = config;
    this.channel = channel;
    this.store = store;
    this.events = events;
    this.clock = clock;
    this.codec = new WireCodec(config.maxFrameBytes(), config.maxSessionBytes());
    this.counters =
        new Counters(
            sessions::owned,
            sessions::replicas,
            this::countUnprotected,
            sessions::heldBytes,
            channel::droppedFrames,
            events::deserializationRefusals);
    this.lookups = new Lookups(this);
    this.inbound = new Inbound(this);
    this.membership = new Membership(this);
    this.transfer = new StateTransfer(this);
    this.expiry = new Expiry(this);
    // a sync request's timeout is cancelled when its acks arrive: drop it from the queue at once,
    // or thousands of cancelled timeouts per second wait out their delay holding their requests
    java.util.concurrent.ScheduledThreadPoolExecutor t =
        new java.util.concurrent.ScheduledThreadPoolExecutor(1, daemon("cohort-engine-timer"));
    t.setRemoveOnCancelPolicy(true);
    this.timer = t;
    this.control = Executors.newSingleThreadExecutor(daemon("cohort-engine-view"));
    this.bulk = Executors.newCachedThreadPool(daemon("cohort-engine-transfer"));
    this.storeWriter = Executors.newSingleThreadExecutor(daemon("cohort-engine-store"));
    this.answers = Executors.newFixedThreadPool(2, daemon("cohort-engine-answers"));
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  // ------------------------------------------------------------------ lifecycle

  @Override
  public void start() {
    synchronized (this) {
      if (started) {
        return;
      }
      started = true;
    }
    channel.setMessageHandler(inbound::onMessage);
    channel.setRequestHandler(inbound::onRequest);
    channel.setBulkHandler(transfer::onChunk);
    channel.addMembershipListener(membership::onEvent);
    channel.connect();
    ensureLocal();
    membership.started(channel.view());
    timer.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    if (config.mode() == Mode.ALL) {
      transfer.joinAndWait(channel.view());
    } else {
      transfer.markReady();
    }
  }

  /**
   * Learns this member's identity; frames can arrive before {@code connect()} returns, so handlers
   * call this too.
   *
   * @return false when the channel is not connected yet
   */
  boolean ensureLocal() {
    if (me != null) {
      return true;
    }
    synchronized (this) {
      if (me != null) {
        return true;
      }
      try {
        local = channel.localMember();
      } catch (RuntimeException e) {
        return false;
      }
      me = local.name();
      return true;
    }
  }

  private void tick() {
    try {
      expiry.run();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "expiry run failed: " + e + " — retrying in 1 s", e);
    }
  }

  @Override
  public boolean isReady() {
    return transfer.isReady();
  }

  @Override
  public Member localMember() {
    return local;
  }

  @Override
  public View view() {
    return channel.view();
  }

  View viewOrNull() {
    try {
      return started ? channel.view() : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  @Override
  public boolean owns(String id) {
    Entry e = sessions.map.get(id);
    return e != null && e.owned;
  }

  @Override
  public Placement placement(String id) {
    Entry e = sessions.map.get(id);
    View v = channel.view();
    if (e != null && e.owned) {
      return new Placement(me, List.copyOf(e.holders));
    }
    String owner;
    if (e != null) {
      owner = e.owner;
    } else {
      owner = Rendezvous.rank(id, names(v)).get(0);
    }
    return new Placement(owner, holdersFor(id, owner, v));
  }

  @Override
  public EngineStats stats() {
    return counters;
  }

  // ------------------------------------------------------------------ commit

  @Override
  public CompletableFuture<Void> commit(SessionUpdate u) {
    return commit(u, v -> {});
  }

  @Override
  public CompletableFuture<Void> commit(SessionUpdate u, LongConsumer committed) {
    requireStarted();
    String id = u.id();
    List<Runnable> flushes = new ArrayList<>();
    Pending pending;
    long version;
    ReentrantLock lock = sessions.lock(id);
    lock.lock();
    try {
      Entry e = sessions.map.get(id);
      long now = clock.millis();
      if (u.created() && (e == null || !e.owned)) {
        SessionRecord rec = Changes.created(u);
        if (rec.valueBytes() > config.maxSessionBytes()) {
          return tooLarge(id, rec);
        }
        e = new Entry(rec, me, true, 0, now);
        setHolders(e, channel.view());
        sessions.map.put(id, e);
        pending = newPending("replication", id, e.holders);
        Op op = new Op.Full(rec, me);
        for (String h : e.holders) {
          enqueue(h, op, pending, flushes);
        }
        save(rec, rec.attributes().keySet(), Set.of(), true);
        version = rec.version();
      } else if (e == null || !e.owned) {
        return CompletableFuture.failedFuture(
            new OwnershipLostException(
                "commit failed [session "
                    + Ids.tag(id)
                    + ", node "
                    + me
                    + "]: this member does not own the session"
                    + (e == null ? " (unknown here)" : " (owned by " + e.owner + ")")
                    + " — call acquire(id) before serving it; the request's changes were not"
                    + " applied anywhere"));
      } else if (u.baseVersion() != SessionUpdate.ANY_VERSION && u.baseVersion() != e.version()) {
        return CompletableFuture.failedFuture(
            new OwnershipLostException(
                "commit refused [session "
                    + Ids.tag(id)
                    + ", node "
                    + me
                    + "]: the request worked on version "
                    + u.baseVersion()
                    + " of the session, this member owns version "
                    + e.version()
                    + " (the session was changed on another member, or by a newer copy here, while"
                    + " the request ran) — the request's changes were not applied anywhere; retry"
                    + " the request"));
      } else {
        Changes.Diff diff = Changes.diff(e.record, u);
        if (diff.isEmpty()) {
          e.record = diff.next();
          e.accessDirty = true;
          pending = null;
        } else {
          if (diff.next().valueBytes() > config.maxSessionBytes()) {
            return tooLarge(id, diff.next());
          }
          e.record = diff.next();
          e.accessDirty = false;
          e.exchangedAt = now;
          pending = newPending("replication", id, e.holders);
          Op.Delta delta = diff.delta().withTerm(e.term);
          for (String h : e.holders) {
            enqueue(h, delta, pending, flushes);
          }
          saveChanges(diff);
        }
        version = e.version();
      }
      if (pending != null) {
        unsettled(id, pending);
      }
    } finally {
      lock.unlock();
    }
    committed.accept(version);
    if (pending == null) {
      return CompletableFuture.completedFuture(null); // only the access time changed
    }
    flushes.forEach(Runnable::run);
    return outcome(pending);
  }

  /**
   * Commits whose holders have not all answered, by session id: when this member hands the session
   * to a new owner before they answered ({@link #settle}), the record it hands over holds their
   * changes, so they are done — whatever the holders answer later (the new owner, a holder itself,
   * refuses the late delta).
   */
  private final ConcurrentHashMap<String, Set<Pending>> unsettled = new ConcurrentHashMap<>();

  private void unsettled(String id, Pending p) {
    if (p.isDone()) {
      return;
    }
    unsettled.compute(
        id,
        (k, set) -> {
          Set<Pending> s = set != null ? set : ConcurrentHashMap.newKeySet();
          s.add(p);
          return s;
        });
    p.future.whenComplete(
        (v, t) ->
            unsettled.computeIfPresent(
                id,
                (k, set) -> {
                  set.remove(p);
                  return set.isEmpty() ? null : set;
                }));
  }

  /**
   * This member hands the owned session {@code id} over (a claim answered with its record, a
   * drain): the commits still waiting for their holders are done, their changes are in the record
   * that leaves. Call under the id's lock.
   */
  void settle(String id) {
    Set<Pending> open = unsettled.remove(id);
    if (open != null) {
      open.forEach(Pending::handedOver);
    }
  }

  /**
   * This member yielded {@code id} to a claim that wins over its own (not a hand-over): the commits
   * still waiting for their holders are decided by the answers to what was sent, never by a record
   * sent later ({@link Pending#superseded}). Call under the id's lock.
   */
  void superseded(String id) {
    Set<Pending> open = unsettled.remove(id);
    if (open != null) {
      open.forEach(Pending::superseded);
    }
    // what has not left yet never will: the winner would refuse it, or — once it answered a new
    // claim of this member — take it for a change its record already holds
    for (Outbox box : outboxes.values()) {
      box.dropUnsent(id);
    }
  }

  private CompletableFuture<Void> tooLarge(String id, SessionRecord rec) {
    return CompletableFuture.failedFuture(
        new ReplicationException(
            "commit refused [session "
                + Ids.tag(id)
                + ", node "
                + me
                + "]: the session is "
                + rec.valueBytes()
                + " bytes serialized, over maxSessionBytes "
                + config.maxSessionBytes()
                + " — keep large data out of the session or raise maxSessionBytes",
            null));
  }

  private void saveChanges(Changes.Diff diff) {
    Set<String> changed = new HashSet<>();
    Set<String> removed = new HashSet<>();
    for (var c : diff.delta().changes()) {
      if (c instanceof dev.cohort.core.wire.AttributeChange.Remove r) {
        removed.add(r.name());
      } else {
        changed.add(c.name());
      }
    }
    save(diff.next(), changed, removed, false);
  }

  // ------------------------------------------------------------------ acquire

  @Override
  public Optional<SessionRecord> acquire(String id) {
    return acquire(id, null);
  }

  @Override
  public Optional<SessionRecord> acquire(String id, String route) {
    requireStarted();
    Entry mine = sessions.map.get(id);
    if (mine != null && mine.owned) {
      return Optional.of(mine.record);
    }
    return lookups.acquire(id, route);
  }

  /**
   * Makes this member the owner of {@code rec} (take-over, caretaker, hand-over) and announces it
   * to the holders with an {@link Op.OwnerChanged}; a holder that lacks this version answers {@link
   * Op.NeedFull} and gets the whole record. The version is not bumped: a change of owner is not a
   * change of the session, so an old owner that changed the session meanwhile (partition) still has
   * the newer version. The ownership {@code term} (one more than any term the new owner saw) orders
   * it after every former owner. Call under the id's lock.
   */
  Entry becomeOwner(SessionRecord rec, int term, List<Runnable> flushes) {
    String id = rec.id();
    long now = clock.millis();
    Entry e = sessions.map.get(id);
    if (e == null) {
      e = new Entry(rec, me, true, term, now);
      sessions.map.put(id, e);
    } else {
      e.record = rec;
      e.owner = me;
      e.owned = true;
      e.term = term;
      e.exchangedAt = now;
    }
    e.accessDirty = false;
    setHolders(e, channel.view());
    Op announce = new Op.OwnerChanged(id, me, rec.version(), term);
    for (String h : e.holders) {
      enqueue(h, announce, null, flushes);
    }
    counters.takeovers.increment();
    save(rec, Set.of(), Set.of(), true);
    return e;
  }

  // ------------------------------------------------------------------ invalidate, changeId

  @Override
  public CompletableFuture<Void> invalidate(String id) {
    requireStarted();
    List<Runnable> flushes = new ArrayList<>();
    Pending pending = null;
    ReentrantLock lock = sessions.lock(id);
    lock.lock();
    try {
      Entry e = sessions.map.remove(id);
      bury(id, e != null && e.owned ? e.version() : -1, e == null ? null : e.record);
      if (e != null && e.owned) {
        pending = newPending("invalidation", id, e.holders);
        Op op = new Op.Remove(id, e.version(), false);
        for (String h : e.holders) {
          enqueue(h, op, pending, flushes);
        }
      }
    } finally {
      lock.unlock();
    }
    flushes.forEach(Runnable::run);
    delete(id);
    if (pending != null) {
      return outcome(pending);
    }
    // not the owner: tell everybody, whoever has it forgets it
    List<Member> others = others(channel.view());
    if (others.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    byte[] frame = codec.encode(Frame.of(new Op.Remove(id, -1, false)));
    counters.bytesSent.add((long) frame.length * others.size());
    CompletableFuture<Void> answered =
        channel
            .request(others, frame, config.syncTimeout())
            .handle(
                (r, err) -> {
                  if (err != null) {
                    throw new ReplicationException(
                        "invalidation failed [session "
                            + Ids.tag(id)
                            + ", node "
                            + me
                            + "]: "
                            + err.getMessage()
                            + " — members that missed it drop the session when it expires",
                        err);
                  }
                  return null;
                });
    if (config.sync()) {
      return answered;
    }
    // async: the removal is on the wire already (request() sends before it returns)
    answered.exceptionally(
        t -> {
          LOG.log(
              System.Logger.Level.WARNING,
              (t instanceof CompletionException && t.getCause() != null ? t.getCause() : t)
                  .getMessage());
          return null;
        });
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> changeId(String oldId, String newId) {
    requireStarted();
    if (oldId.equals(newId)) {
      return CompletableFuture.completedFuture(null);
    }
    List<Runnable> flushes = new ArrayList<>();
    Pending pending;
    ReentrantLock a = sessions.lock(oldId);
    ReentrantLock b = sessions.lock(newId);
    ReentrantLock first = sessions.stripe(oldId) <= sessions.stripe(newId) ? a : b;
    ReentrantLock second = first == a ? b : a;
    first.lock();
    second.lock();
    try {
      Entry e = sessions.map.get(oldId);
      if (e == null || !e.owned) {
        return CompletableFuture.failedFuture(
            new ReplicationException(
                "changeId failed [session "
                    + Ids.tag(oldId)
                    + ", node "
                    + me
                    + "]: this member does not own the session — call acquire(id) first",
                null));
      }
      if (sessions.map.containsKey(newId)) {
        return CompletableFuture.failedFuture(
            new ReplicationException(
                "changeId failed [session "
                    + Ids.tag(oldId)
                    + " to "
                    + Ids.tag(newId)
                    + "]: the new id is already in use — generate another id",
                null));
      }
      sessions.map.remove(oldId);
      SessionRecord rec = Changes.withId(e.record, newId, e.version() + 1);
      Entry n = new Entry(rec, me, true, e.term, clock.millis());
      setHolders(n, channel.view());
      sessions.map.put(newId, n);
      Op drop = new Op.Drop(oldId, e.version());
      for (String h : e.holders) {
        if (!n.holders.contains(h)) {
          enqueue(h, drop, null, flushes);
        }
      }
      pending = newPending("id change", newId, n.holders);
      Op full = new Op.Full(rec, me, n.term);
      for (String h : n.holders) {
        if (e.holders.contains(h)) {
          enqueue(h, drop, null, flushes);
        }
        enqueue(h, full, pending, flushes);
      }
      delete(oldId);
      save(rec, rec.attributes().keySet(), Set.of(), true);
    } finally {
      second.unlock();
      first.unlock();
    }
    flushes.forEach(Runnable::run);
    return outcome(pending);
  }

  @Override
  public void expireIdle() {
    requireStarted();
    expiry.run();
  }

  // ------------------------------------------------------------------ store: swap-out, sync

  /**
   * Runs on the store thread, so every earlier save of the session is in the store first; then,
   * under the id's lock, the entry leaves memory and its current record (with the newest access
   * time) is saved in full. A take-over that follows finds the record in the store.
   */
  @Override
  public boolean release(String id) {
    requireStarted();
    if (store == SessionStore.NONE) {
      return false;
    }
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    try {
      storeWriter.execute(
          () -> {
            ReentrantLock lock = sessions.lock(id);
            lock.lock();
            try {
              Entry e = sessions.map.get(id);
              if (e == null || !e.owned) {
                done.complete(false);
                return;
              }
              store.save(e.record, e.record.attributes().keySet(), Set.of(), true);
              sessions.map.remove(id);
              done.complete(true);
            } catch (RuntimeException ex) {
              counters.storeFailures.increment();
              done.complete(false);
            } finally {
              lock.unlock();
            }
          });
      return done.get(config.syncTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException | java.util.concurrent.ExecutionException e) {
      return false;
    } catch (java.util.concurrent.TimeoutException e) {
      LOG.log(
          Level.WARNING,
          "swap-out of one session timed out after "
              + config.syncTimeout().toMillis()
              + " ms ["
              + store
              + "]: the store thread is busy — the session may leave memory later");
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Queued behind the session's pending saves on the store thread, then waits for the store to have
   * them ({@link SessionStore#whenSaved}).
   */
  @Override
  public CompletableFuture<Void> stored(String id) {
    if (store == SessionStore.NONE) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      storeWriter.execute(
          () -> {
            try {
              store
                  .whenSaved(id)
                  .whenComplete(
                      (v, t) -> {
                        if (t != null) {
                          done.completeExceptionally(t);
                        } else {
                          done.complete(null);
                        }
                      });
            } catch (RuntimeException e) {
              done.completeExceptionally(e);
            }
          });
    } catch (RejectedExecutionException e) {
      done.completeExceptionally(
          new ReplicationException("store write not confirmed: the engine is closing", e));
    }
    return done;
  }

  // ------------------------------------------------------------------ close (drain)

  @Override
  public boolean isClosing() {
    return closed;
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (started) {
      new Drain(this).run();
      channel.close();
    }
    timer.shutdownNow();
    control.shutdownNow();
    bulk.shutdownNow();
    answers.shutdownNow();
    storeWriter.shutdown();
    try {
      if (!storeWriter.awaitTermination(config.drainTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.log(Level.WARNING, "store writes still running at close; abandoning them");
        storeWriter.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      storeWriter.shutdownNow();
    }
  }

  boolean isClosed() {
    return closed;
  }

  // ------------------------------------------------------------------ helpers

  /**
   * Tombstones live twice the interval (how long a forgotten replica may linger), at least 60 s.
   */
  static final long MIN_TOMBSTONE_MILLIS = 60_000;

  static final long UNKNOWN_TOMBSTONE_MILLIS = 3_600_000;

  /**
   * Remembers that the session ended here (see {@link Sessions#ended}). Call under the id's lock.
   *
   * @param version its last version, or negative when unknown
   * @param known the last record held here, or null
   */
  void bury(String id, long version, SessionRecord known) {
    long now = clock.millis();
    long interval = known == null ? 0 : known.maxInactiveSeconds() * 1000L;
    long ttl =
        interval > 0 ? Math.max(2 * interval, MIN_TOMBSTONE_MILLIS) : UNKNOWN_TOMBSTONE_MILLIS;
    Sessions.Tombstone t =
        new Sessions.Tombstone(
            version < 0 ? Long.MAX_VALUE : version,
            known == null ? -1 : known.creationTime(),
            now + ttl);
    sessions.ended.merge(
        id, t, (a, b) -> a.version() >= b.version() && a.until() >= b.until() ? a : b);
  }

  /** The tombstone of an ended session that covers {@code version} (any creation), or null. */
  Sessions.Tombstone buried(String id, long version) {
    Sessions.Tombstone t = sessions.ended.get(id);
    return t != null && version <= t.version() ? t : null;
  }

  private void requireStarted() {
    if (!started || me == null) {
      throw new IllegalStateException("engine not started: call start() first");
    }
  }

  private record AllHolders(View view, String owner, List<String> holders) {}

  /** Shared holder lists of owned sessions, for the latest view. */
  final Holders.Interner holderSets = new Holders.Interner();

  /** The last holder list computed in mode ALL (an immutable list, read-only for callers). */
  private volatile AllHolders allHolders;

  /** The replica holders of a session owned by {@code owner} under {@code view} (read-only). */
  List<String> holdersFor(String id, String owner, View view) {
    if (config.mode() == Mode.ALL) {
      // everybody else, in view order: no per-session ranking (a view change touches every
      // session); the caretaker and drain rules rank on their own. One shared list per view and
      // owner: a view change walks every session, and owned sessions all keep the same list
      AllHolders c = allHolders;
      if (c != null && c.owner().equals(owner) && c.view().equals(view)) {
        return c.holders();
      }
      List<String> all = names(view);
      all.remove(owner);
      List<String> holders = List.copyOf(all);
      allHolders = new AllHolders(view, owner, holders);
      return holders;
    }
    return Rendezvous.holders(id, owner, names(view), config.backups());
  }

  void setHolders(Entry e, View v) {
    e.holders = holderSets.of(holdersFor(e.record.id(), me, v), v.id());
  }

  /** The number of holders a fully protected session has. */
  int desiredHolders(View v) {
    int others = v == null ? 0 : v.size() - 1;
    return config.mode() == Mode.ALL ? Math.max(1, others) : config.backups();
  }

  private int countUnprotected() {
    View v = viewOrNull();
    int want = desiredHolders(v);
    int n = 0;
    for (Entry e : sessions.map.values()) {
      if (e.owned && e.holders.size() < want) {
        n++;
      }
    }
    return n;
  }

  static List<String> names(View v) {
    List<String> out = new ArrayList<>(v.size());
    for (Member m : v.members()) {
      out.add(m.name());
    }
    return out;
  }

  List<Member> others(View v) {
    List<Member> out = new ArrayList<>(v.members());
    out.remove(local);
    return out;
  }

  /**
   * What a commit's caller waits for: in sync mode the holders' acknowledgements; in async mode the
   * change leaving this member for every live holder (handed to the channel, not acknowledged), at
   * most {@link #ASYNC_SEND_WAIT_MS} — a change still queued here when the member is killed is what
   * async mode loses, so the response waits until it is on the wire, but never for a slow holder.
   */
  private CompletableFuture<Void> outcome(Pending pending) {
    return config.sync()
        ? pending.future
        : pending.sent.completeOnTimeout(null, ASYNC_SEND_WAIT_MS, TimeUnit.MILLISECONDS);
  }

  Pending newPending(String what, String id, List<String> targets) {
    Pending p = new Pending(what, Ids.tag(id), new LinkedHashSet<>(targets), this::viewOrNull);
    if (!p.isDone()) {
      try {
        p.timer(
            timer.schedule(
                () ->
                    p.fail(
                        "no acknowledgement within " + config.syncTimeout().toMillis() + " ms",
                        counters.syncTimeouts::increment),
                config.syncTimeout().toMillis(),
                TimeUnit.MILLISECONDS));
      } catch (RejectedExecutionException e) {
        p.fail("the engine is closing");
      }
    }
    return p;
  }

  /**
   * Queues {@code op} to the member named {@code target}; adds the flush to run after the caller
   * releases its locks. A target that is not in the view counts as departed.
   */
  void enqueue(String target, Op op, Pending pending, List<Runnable> flushes) {
    Outbox box = outbox(target);
    if (box == null) {
      if (pending != null) {
        pending.departed(target);
      }
      return;
    }
    if (box.enqueue(op, pending)) {
      flushes.add(box::flush);
    }
  }

  private Outbox outbox(String name) {
    View v = channel.view();
    Optional<Member> m = v.byName(name);
    if (m.isEmpty() || m.get().equals(local)) {
      return null;
    }
    return outboxes.computeIfAbsent(
        m.get(),
        t ->
            new Outbox(
                t,
                channel,
                codec,
                counters,
                config.syncTimeout(),
                new Outbox.Owner() {
                  @Override
                  public Op.Full fullFor(String id) {
                    Entry e = sessions.map.get(id);
                    return e != null && e.owned ? new Op.Full(e.record, me, e.term) : null;
                  }

                  @Override
                  public void onReplyOp(Member from, Op op) {
                    inbound.onAnswer(from, op);
                  }
                },
                answers));
  }

  /** Forgets the queues of members that left. */
  void closeOutboxes(Set<Member> left) {
    for (Member m : left) {
      Outbox box = outboxes.remove(m);
      if (box != null) {
        box.close();
      }
    }
  }

  void save(SessionRecord rec, Set<String> changed, Set<String> removed, boolean full) {
    if (store == SessionStore.NONE) {
      return;
    }
    try {
      storeWriter.execute(
          () -> {
            try {
              store.save(rec, changed, removed, full);
            } catch (RuntimeException e) {
              counters.storeFailures.increment();
              LOG.log(
                  Level.WARNING,
                  "store save failed ["
                      + rec
                      + ", "
                      + store
                      + "]: "
                      + e.getMessage()
                      + " — the session stays replicated in memory; check the store");
            }
          });
    } catch (RejectedExecutionException e) {
      counters.storeFailures.increment();
    }
  }

  void delete(String id) {
    if (store == SessionStore.NONE) {
      return;
    }
    try {
      storeWriter.execute(
          () -> {
            try {
              store.delete(id);
            } catch (RuntimeException e) {
              counters.storeFailures.increment();
              LOG.log(
                  Level.WARNING,
                  "store delete failed [session "
                      + Ids.tag(id)
                      + ", "
                      + store
                      + "]: "
                      + e.getMessage()
                      + " — the store's own expiry will remove it");
            }
          });
    } catch (RejectedExecutionException e) {
      counters.storeFailures.increment();
    }
  }
}
