package dev.cohort.core.engine;

import dev.cohort.core.channel.ClusterChannel;
import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.RemoteFailureException;
import dev.cohort.core.channel.Replies;
import dev.cohort.core.channel.RequestTimeoutException;
import dev.cohort.core.wire.Frame;
import dev.cohort.core.wire.MalformedFrameException;
import dev.cohort.core.wire.Op;
import dev.cohort.core.wire.WireCodec;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * The queue of operations from this member to one other member. At most one frame is in flight per
 * target; everything queued while it travels goes out together in the next frame (bounded by the
 * frame limit), so concurrent requests share one message and one acknowledgement. Operations for
 * one session keep their order because they are queued under the session's lock and a frame follows
 * the previous one's acknowledgement.
 *
 * <p>The target's answer lists the sessions it could not apply ({@link Op.NeedFull}); their whole
 * record goes first in the next frame and their commits wait for that. A frame the target refused
 * as a whole (its handler failed: a member still connecting cannot name itself yet) was applied
 * nowhere: the sessions in it go again as whole records, after {@link #REFUSED_RETRY_MS}.
 */
final class Outbox {

  /**
   * How long the outbox waits after a refused frame before it sends again: a member refuses frames
   * only while it connects (well under a second), so a few tries, never a tight loop.
   */
  static final long REFUSED_RETRY_MS = 100;

  /** What the outbox needs from the engine. */
  interface Owner {
    /** The current full record of an owned session, or null when it is no longer owned here. */
    Op.Full fullFor(String id);

    /** An answer other than {@link Op.NeedFull} (ownership feedback). */
    void onReplyOp(Member from, Op op);
  }

  private record Item(Op op, List<Pending> pendings) {}

  private final Member target;
  private final ClusterChannel channel;
  private final WireCodec codec;
  private final Counters counters;
  private final Duration timeout;
  private final Owner owner;
  private final java.util.concurrent.Executor continuations;
  private final ArrayDeque<Item> queue = new ArrayDeque<>();
  private boolean inFlight;
  private boolean closed;

  Outbox(
      Member target,
      ClusterChannel channel,
      WireCodec codec,
      Counters counters,
      Duration timeout,
      Owner owner,
      java.util.concurrent.Executor continuations) {
    this.target = target;
    this.channel = channel;
    this.codec = codec;
    this.counters = counters;
    this.timeout = timeout;
    this.owner = owner;
    this.continuations = continuations;
  }

  Member target() {
    return target;
  }

  /**
   * Queues {@code op}; {@code pending} (nullable) is acknowledged when the target applied it.
   *
   * @return true when the caller must call {@link #flush()} (after releasing its locks)
   */
  synchronized boolean enqueue(Op op, Pending pending) {
    if (closed) {
      if (pending != null) {
        pending.departed(target.name());
      }
      return false;
    }
    queue.add(new Item(op, pending == null ? List.of() : List.of(pending)));
    if (inFlight) {
      return false;
    }
    inFlight = true;
    return true;
  }

  /**
   * Takes the replication data of {@code id} that has not been sent yet (deltas, whole records) out
   * of the queue: this member yielded the session to a winning claim. Their commits fail — the
   * changes left this member for nobody.
   */
  void dropUnsent(String id) {
    List<Pending> dropped = new ArrayList<>();
    synchronized (this) {
      for (java.util.Iterator<Item> i = queue.iterator(); i.hasNext(); ) {
        Item it = i.next();
        if (id.equals(it.op.id()) && (it.op instanceof Op.Delta || it.op instanceof Op.Full)) {
          i.remove();
          dropped.addAll(it.pendings);
        }
      }
    }
    dropped.forEach(p -> p.ownershipLost(target.name()));
  }

  /** Forgets everything queued: the target left the view. */
  void close() {
    List<Item> dropped;
    synchronized (this) {
      closed = true;
      dropped = new ArrayList<>(queue);
      queue.clear();
    }
    for (Item it : dropped) {
      for (Pending p : it.pendings) {
        p.departed(target.name());
      }
    }
  }

  /** Sends queued frames until the queue is empty or a frame's answer is still outstanding. */
  void flush() {
    while (true) {
      List<Item> batch = take();
      if (batch.isEmpty()) {
        return;
      }
      List<Op> ops = new ArrayList<>(batch.size());
      int deltas = 0;
      for (Item it : batch) {
        ops.add(it.op);
        if (it.op instanceof Op.Delta) {
          deltas++;
        }
      }
      byte[] bytes = codec.encode(new Frame(ops));
      counters.bytesSent.add(bytes.length);
      counters.deltasSent.add(deltas);
      long t0 = System.nanoTime();
      CompletableFuture<Replies> f;
      try {
        f = channel.request(List.of(target), bytes, timeout);
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      for (Item it : batch) {
        for (Pending p : it.pendings) {
          p.sent(target.name());
        }
      }
      if (!f.isDone()) {
        // continue on the engine's thread, never on the channel's completing thread (which may
        // hold channel locks that our next request needs)
        f.whenCompleteAsync(
            (r, err) -> {
              if (onAnswer(batch, r, err, t0)) {
                flushLater();
              } else {
                flush();
              }
            },
            continuations);
        return;
      }
      Replies r = null;
      Throwable err = null;
      try {
        r = f.join();
      } catch (CompletionException | java.util.concurrent.CancellationException e) {
        err = e;
      }
      if (onAnswer(batch, r, err, t0)) {
        flushLater();
        return;
      }
    }
  }

  /**
   * Flushes after {@link #REFUSED_RETRY_MS}; the outbox counts as in flight meanwhile (what is
   * queued waits for it).
   */
  private void flushLater() {
    CompletableFuture.runAsync(
        this::flush,
        CompletableFuture.delayedExecutor(REFUSED_RETRY_MS, TimeUnit.MILLISECONDS, continuations));
  }

  private synchronized List<Item> take() {
    List<Item> batch = new ArrayList<>();
    if (closed) {
      inFlight = false;
      return batch;
    }
    long size = 16;
    long limit = codec.maxFrameBytes() - 64L;
    Map<String, Integer> terms = null;
    while (!queue.isEmpty()) {
      Item next = queue.peek();
      long s = Estimate.of(next.op);
      if (!batch.isEmpty() && size + s > limit) {
        break;
      }
      if (!next.pendings.isEmpty()) {
        // the target answers a refusal per session, not per operation: replication of one
        // session from two ownership terms (this member lost it and took it again) goes in two
        // frames, or an old term's refusal would count against the new term's change
        int term = termOf(next.op);
        if (terms == null) {
          terms = new HashMap<>();
        }
        Integer before = terms.putIfAbsent(next.op.id(), term);
        if (before != null && before != term) {
          break;
        }
      }
      batch.add(queue.poll());
      size += s;
    }
    if (batch.isEmpty()) {
      inFlight = false;
    }
    return batch;
  }

  private static int termOf(Op op) {
    if (op instanceof Op.Delta d) {
      return d.term();
    }
    return op instanceof Op.Full f ? f.term() : -1;
  }

  /**
   * A frame that timed out may not have been applied: the whole records in it (a new holder's copy,
   * a gap being filled) go again, current, at the head of the queue — else a session that is not
   * changed again keeps one copy fewer than the owner believes. Deltas need nothing: the next one
   * finds the gap. Only after a timeout (one try per timeout, never a tight loop).
   */
  private void requeueRecords(List<Item> batch) {
    List<Item> again = new ArrayList<>();
    for (Item it : batch) {
      if (it.op instanceof Op.Full f) {
        Op.Full current = owner.fullFor(f.id());
        if (current != null && f.owner().equals(current.owner())) {
          again.add(new Item(current, List.of()));
        }
      }
    }
    if (again.isEmpty()) {
      return;
    }
    synchronized (this) {
      if (closed) {
        return;
      }
      for (int i = again.size() - 1; i >= 0; i--) {
        queue.addFirst(again.get(i));
      }
    }
  }

  /**
   * Takes in the target's answer to {@code batch}.
   *
   * @return true when the target refused the frame: the next one goes after a pause
   */
  private boolean onAnswer(List<Item> batch, Replies r, Throwable err, long t0) {
    try {
      if (err != null) {
        Throwable cause =
            err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (cause instanceof RemoteFailureException) {
          resendRefused(batch, cause.getMessage());
          return true;
        }
        String reason =
            cause instanceof RequestTimeoutException
                ? "no acknowledgement within " + timeout.toMillis() + " ms"
                : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        for (Item it : batch) {
          for (Pending p : it.pendings) {
            p.fail(
                reason,
                cause instanceof RequestTimeoutException
                    ? counters.syncTimeouts::increment
                    : () -> {});
          }
        }
        if (cause instanceof RequestTimeoutException) {
          requeueRecords(batch);
        }
        return false;
      }
      if (r.departed().contains(target) || !r.replies().containsKey(target)) {
        for (Item it : batch) {
          for (Pending p : it.pendings) {
            p.departed(target.name());
          }
        }
        return false;
      }
      counters.ack(System.nanoTime() - t0);
      byte[] answer = r.replies().get(target);
      counters.bytesReceived.add(answer.length);
      Set<String> needFull = new HashSet<>();
      Set<String> refused = new HashSet<>();
      try {
        for (Op op : codec.decode(answer).ops()) {
          if (op instanceof Op.NeedFull n) {
            needFull.add(n.id());
          } else {
            if (op instanceof Op.OwnerChanged c) {
              refused.add(c.id());
            }
            owner.onReplyOp(target, op);
          }
        }
      } catch (MalformedFrameException e) {
        counters.malformedFrames.increment();
      }
      Map<String, List<Pending>> resend = new HashMap<>();
      for (Item it : batch) {
        String id = it.op.id();
        if (id != null && needFull.contains(id)) {
          resend.computeIfAbsent(id, k -> new ArrayList<>()).addAll(it.pendings);
        } else if (id != null && refused.contains(id)) {
          // the target follows another owner: the change is not on it. When this member yielded
          // to that owner the change is kept nowhere — the caller must not report it done. While
          // it still owns the session the two claims settle: the target gets this member's whole
          // record once (it takes it if this member's claim wins), and the commit waits for that
          // answer, for this member to yield (ReplicationEngine.superseded: then it was applied
          // nowhere), or for its timeout
          boolean lost = owner.fullFor(id) == null;
          for (Pending p : it.pendings) {
            if (lost || p.isSuperseded()) {
              p.ownershipLost(target.name());
            } else if (p.refused(target.name())) {
              resend.computeIfAbsent(id, k -> new ArrayList<>()).add(p);
            }
          }
        } else {
          for (Pending p : it.pendings) {
            p.ack(target.name());
          }
        }
      }
      Set<String> again = new HashSet<>(needFull);
      again.addAll(resend.keySet());
      for (String id : again) {
        List<Pending> ps = new ArrayList<>(resend.getOrDefault(id, List.of()));
        Op.Full full = owner.fullFor(id);
        // the target lacks the change and it cannot be sent again: no longer owned here (a commit
        // handed over with the session was settled before; one whose session went to a later
        // owner was not kept), or owned again after a winning claim — the record now is another
        // history, which may not hold the change
        ps.removeIf(
            p -> {
              if (full == null || p.isSuperseded()) {
                p.ownershipLost(target.name());
                return true;
              }
              return false;
            });
        if (full == null) {
          continue;
        }
        synchronized (this) {
          queue.addFirst(new Item(full, ps));
        }
      }
    } catch (RuntimeException e) {
      // one top boundary for answer handling: never lose the flush loop
      counters.malformedFrames.increment();
      for (Item it : batch) {
        for (Pending p : it.pendings) {
          p.fail("internal error handling the answer: " + e);
        }
      }
    }
    return false;
  }

  /**
   * The target refused the whole frame: nothing in it was applied. The replication data in it (the
   * whole records and deltas of sessions still owned here) goes again as the current whole record,
   * at the head of the queue, and the commits waiting for it wait on; anything else (drops,
   * touches, ownership notes) is not repeated, and its waiters fail.
   */
  private void resendRefused(List<Item> batch, String reason) {
    Map<String, Item> again = new LinkedHashMap<>();
    for (Item it : batch) {
      Op.Full current = null;
      if (it.op instanceof Op.Delta || it.op instanceof Op.Full) {
        current = owner.fullFor(it.op.id());
      }
      boolean ours =
          current != null && (!(it.op instanceof Op.Full f) || f.owner().equals(current.owner()));
      Item resent = null;
      if (ours) {
        Op.Full record = current;
        resent = again.computeIfAbsent(it.op.id(), k -> new Item(record, new ArrayList<>()));
      }
      for (Pending p : it.pendings) {
        if (p.isSuperseded()) {
          // this member yielded to a winning claim since: the record it sends now is the winner's
          // history, which may not hold the change (ReplicationEngine.superseded)
          p.ownershipLost(target.name());
        } else if (resent != null) {
          resent.pendings.add(p);
        } else {
          p.fail(reason);
        }
      }
    }
    synchronized (this) {
      if (!closed) {
        List<Item> items = new ArrayList<>(again.values());
        for (int i = items.size() - 1; i >= 0; i--) {
          queue.addFirst(items.get(i));
        }
        return;
      }
    }
    again.values().forEach(it -> it.pendings.forEach(p -> p.departed(target.name())));
  }
}
