package dev.cohort.core.engine;

import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.View;
import dev.cohort.core.session.SessionRecord;
import dev.cohort.core.session.SessionUpdate;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/**
 * The replication engine of one member: it owns some sessions, holds replicas of others, and keeps
 * every session on {@code k + 1} members (DESIGN §3). Container adapters (Tomcat) talk only to this
 * interface; the engine talks to peers only through a {@link
 * dev.cohort.core.channel.ClusterChannel}.
 *
 * <p>Ids passed here never carry the {@code .route} suffix; the route of a member is its {@link
 * Member#name()}.
 *
 * <p>Thread-safe. Calls for one session id are serialized by the engine.
 */
public interface SessionEngine extends AutoCloseable {

  /**
   * Connects the channel and joins the cluster. In {@code all} mode this blocks until the state
   * transfer finished or {@link EngineConfig#stateTransferTimeout()} passed (logged with what is
   * missing); in {@code backup} mode it returns once the first view is installed.
   */
  void start();

  /**
   * True once {@link #start()} finished its state transfer; the health check answers 503 before.
   */
  boolean isReady();

  Member localMember();

  View view();

  /** True when this member owns (or is caretaker of) the session. */
  boolean owns(String id);

  /**
   * The session's current record, taking ownership if another member owns it (one round trip to a
   * holder, bounded by the sync timeout). Empty when no live member has the session (never existed,
   * expired, invalidated, or lost). After it returns a record, this member is the owner, the
   * previous owner has been told, and the holders are being brought to k copies.
   */
  Optional<SessionRecord> acquire(String id);

  /**
   * {@link #acquire(String)} with the member the client's id names as the session's last owner (its
   * {@code .route} suffix): in a settled view the claim goes to that member and to the members that
   * can hold a copy, not to every member. At most {@link EngineConfig#maxLookups()} look-ups of
   * sessions unknown to this member run at once; another one fails at once with {@link
   * LookupRefusedException} (nothing asked, nothing changed). Concurrent acquires of one id share
   * one look-up; no lock that other sessions wait for is held across the claim or the store query.
   *
   * @param route a member name, or null when the id has none
   * @throws LookupRefusedException when too many look-ups of unknown sessions are running
   * @throws ReplicationException when members that may hold the session did not answer
   */
  default Optional<SessionRecord> acquire(String id, String route) {
    return acquire(id);
  }

  /**
   * Replicates what one unit of work did to an owned session: one delta with only the real changes
   * to each holder. In sync mode the future completes when every live holder has acknowledged it
   * (or fails with {@link ReplicationException} after the sync timeout, naming the session's
   * holders that did not answer); in async mode it completes when the delta has been handed to the
   * channel for every live holder (not acknowledged; at most 200 ms, so a slow holder never holds a
   * response up longer), so that a crash right after the response loses only what was on the wire.
   * A unit of work that changed nothing completes at once and sends nothing (access times travel
   * lazily). When this member does not own the session (another member took it over while the
   * request ran) the future is already failed with {@link OwnershipLostException}, in either mode:
   * the change was applied nowhere. The same when the update names a {@link
   * SessionUpdate#baseVersion()} and the owner's record is at another version: the caller's copy
   * missed changes made elsewhere, and applying it would overwrite them.
   *
   * <p>In sync mode, when another member takes the session over before the holders answered, the
   * record it is handed includes the change: the commit then succeeds (the change lives on with the
   * new owner). {@link OwnershipLostException} therefore always means the change was applied
   * nowhere.
   */
  CompletableFuture<Void> commit(SessionUpdate update);

  /**
   * {@link #commit(SessionUpdate)}, and before it returns, tells {@code committed} the version the
   * session's record is at once the update is applied here: the base of the caller's next update
   * (its {@link SessionUpdate#baseVersion()}). Not called when the commit is refused at once. The
   * default, for engines that do not track versions, reports {@link SessionUpdate#ANY_VERSION}.
   */
  default CompletableFuture<Void> commit(SessionUpdate update, LongConsumer committed) {
    CompletableFuture<Void> f = commit(update);
    if (!f.isCompletedExceptionally()) {
      committed.accept(SessionUpdate.ANY_VERSION);
    }
    return f;
  }

  /**
   * Invalidates a session everywhere (the application called {@code invalidate()}, or the adapter
   * expired it). Holders forget it at once. Idempotent.
   */
  CompletableFuture<Void> invalidate(String id);

  /** Renames a session (session fixation protection after login). */
  CompletableFuture<Void> changeId(String oldId, String newId);

  /** The owner and replica holders of a session under the current view (for pages and tests). */
  Placement placement(String id);

  /**
   * Runs expiry now (the engine also runs it on its own schedule): owned and caretaker sessions
   * idle past their interval are passed to {@link SessionEvents#expired} and removed everywhere.
   */
  void expireIdle();

  /**
   * Swap-out: drops an owned session from this member's memory once the store holds its current
   * state (access time included), so a later {@link #acquire} loads it back from the store. Blocks
   * until the record is handed to the store (bounded by the sync timeout). The caller must make
   * sure no request is using the session. Replicas elsewhere are untouched.
   *
   * @return true when the session was released; false when there is no store, this member does not
   *     own the session, or the hand-off timed out
   */
  default boolean release(String id) {
    return false;
  }

  /**
   * Completes when the store holds every change committed for {@code id} so far ({@code
   * storeSync}); fails when the store gave the write up. Completed at once without a store.
   */
  default CompletableFuture<Void> stored(String id) {
    return CompletableFuture.completedFuture(null);
  }

  /** A read-only view of the engine's counters and gauges. */
  EngineStats stats();

  /**
   * True from the moment {@link #close()} began (the drain hands owned sessions to other members):
   * a front end should send new requests elsewhere rather than take sessions back.
   */
  default boolean isClosing() {
    return false;
  }

  /**
   * Drains (hands every owned session to a holder, waits for the acknowledgement), then leaves the
   * cluster. Idempotent.
   */
  @Override
  void close();
}
