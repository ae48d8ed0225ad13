package dev.cohort.core.engine;

import dev.cohort.core.channel.View;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Supplier;

/**
 * One acknowledged replication in flight: completes when every target acknowledged or left the
 * view; fails with a {@link ReplicationException} when a target failed or the timeout passed.
 *
 * <p>{@link #sent} completes (never fails) once the change has been handed to the channel for every
 * target that is still in the view, or when {@link #future} completes: what an async commit waits
 * for.
 */
final class Pending {
  final CompletableFuture<Void> future = new CompletableFuture<>();
  final CompletableFuture<Void> sent = new CompletableFuture<>();
  private final String what;
  private final String session;
  private final Set<String> waiting;
  private final Set<String> unsent;
  private final Set<String> acked = new LinkedHashSet<>();
  private final Set<String> departed = new LinkedHashSet<>();
  private final Set<String> refusedBy = new LinkedHashSet<>();
  private boolean superseded;
  private final long startNanos = System.nanoTime();
  private final Supplier<View> view;
  private volatile ScheduledFuture<?> timer;

  /**
   * @param what the operation, for messages ("replication", "hand-over")
   * @param session the short hash of the session, for messages (never the id)
   */
  Pending(String what, String session, Set<String> targets, Supplier<View> view) {
    this.what = what;
    this.session = session;
    this.waiting = new LinkedHashSet<>(targets);
    this.unsent = new LinkedHashSet<>(targets);
    this.view = view;
    if (waiting.isEmpty()) {
      future.complete(null);
      sent.complete(null);
    }
  }

  /** The frame holding the change left for {@code target} (handed to the channel). */
  synchronized void sent(String target) {
    if (unsent.remove(target) && unsent.isEmpty()) {
      sent.complete(null);
    }
  }

  void timer(ScheduledFuture<?> t) {
    this.timer = t;
    if (future.isDone()) {
      t.cancel(false);
    }
  }

  synchronized void ack(String target) {
    if (waiting.remove(target)) {
      acked.add(target);
      maybeDone();
    }
  }

  synchronized void departed(String target) {
    sent(target);
    if (waiting.remove(target)) {
      departed.add(target);
      maybeDone();
    }
  }

  /** Fails at once: a target's answer cannot arrive anymore (timeout, remote failure). */
  synchronized boolean fail(String reason) {
    return fail(reason, () -> {});
  }

  /**
   * Like {@link #fail(String)}; {@code beforeCompletion} runs (only if this call fails the future)
   * before the caller's future completes, so counters are up to date when the caller sees it.
   */
  synchronized boolean fail(String reason, Runnable beforeCompletion) {
    if (future.isDone()) {
      return false;
    }
    beforeCompletion.run();
    sent.complete(null);
    long ms = (System.nanoTime() - startNanos) / 1_000_000;
    View v = view.get();
    cancelTimer();
    return future.completeExceptionally(
        new ReplicationException(
            what
                + " failed [session "
                + session
                + ", no answer from "
                + waiting
                + ", acknowledged by "
                + acked
                + (departed.isEmpty() ? "" : ", departed " + departed)
                + (refusedBy.isEmpty() ? "" : ", refused by " + refusedBy + " (another claim)")
                + ", "
                + ms
                + " ms, view "
                + (v == null ? "?" : v.id() + " " + v.members())
                + "]: "
                + reason
                + " — the change is applied here but may be missing on those members; check"
                + " their health, or raise syncTimeout if they are only slow",
            null));
  }

  /**
   * Done at once: this member handed the session, with this change in its record, to a new owner
   * before every holder answered (the new owner keeps the change and protects it from now on).
   */
  synchronized void handedOver() {
    if (!future.isDone()) {
      cancelTimer();
      sent.complete(null);
      future.complete(null);
    }
  }

  /**
   * Fails at once with {@link OwnershipLostException}: {@code target} follows a later owner of the
   * session, so this member's change will not survive.
   */
  synchronized void ownershipLost(String target) {
    failNow(
        new OwnershipLostException(
            refusedBy(target)
                + "another member owns the session now (it took the session over while this"
                + " member was cut off or slow) — the change was not kept; retry the request"));
  }

  /**
   * {@code target} follows another owner of the session and did not apply the change, while this
   * member still owns it (two members claimed it: crossing take-overs, a freeze, a partition). The
   * outcome waits for the claims to settle: the target takes this member's record (an
   * acknowledgement), this member yields ({@link #superseded}: applied nowhere), or the timeout.
   *
   * @return true the first time this commit is refused
   */
  synchronized boolean refused(String target) {
    boolean first = refusedBy.isEmpty();
    refusedBy.add(target);
    return first && !future.isDone();
  }

  /**
   * This member yielded the session to a claim that wins over its own (crossing take-overs, a
   * freeze, a partition). A change a holder refused is kept nowhere: it fails now. Any other waits
   * for the answers to the frames that carry it (the winner may have applied it while it still
   * followed this member, and then took the session over with it); but from now on it can only fail
   * where it would have been sent again ({@link #isSuperseded}): should this member own the session
   * again, the records it sends then are another history that may not hold the change.
   */
  synchronized void superseded() {
    superseded = true;
    if (refusedBy.isEmpty()) {
      return;
    }
    failNow(
        new OwnershipLostException(
            what
                + " failed [session "
                + session
                + ", refused by "
                + refusedBy
                + "]: another member's claim on the session won over this member's (crossing"
                + " take-overs, a freeze or a partition) — the change was not kept; retry the"
                + " request"));
  }

  /** True once this member yielded to a winning claim while the change was on its way. */
  synchronized boolean isSuperseded() {
    return superseded;
  }

  private String refusedBy(String target) {
    return what + " refused [session " + session + ", by " + target + "]: ";
  }

  private void failNow(RuntimeException e) {
    if (future.isDone()) {
      return;
    }
    cancelTimer();
    sent.complete(null);
    future.completeExceptionally(e);
  }

  synchronized boolean isDone() {
    return future.isDone();
  }

  private void maybeDone() {
    if (waiting.isEmpty() && !future.isDone()) {
      cancelTimer();
      sent.complete(null);
      future.complete(null);
    }
  }

  private void cancelTimer() {
    ScheduledFuture<?> t = timer;
    if (t != null) {
      t.cancel(false);
    }
  }
}
