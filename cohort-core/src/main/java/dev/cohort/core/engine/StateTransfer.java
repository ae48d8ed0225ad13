package dev.cohort.core.engine;

import dev.cohort.core.channel.BulkSender;
import dev.cohort.core.channel.Member;
import dev.cohort.core.channel.Replies;
import dev.cohort.core.channel.View;
import dev.cohort.core.wire.Frame;
import dev.cohort.core.wire.MalformedFrameException;
import dev.cohort.core.wire.Op;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * Joining in mode all: the joiner asks every member ({@link Op.StateRequest}); each answers how
 * many sessions it owns and streams them as whole records over a bulk stream, in frames of about
 * {@link EngineConfig#transferChunkBytes()} (the channel bounds the chunks in flight, so memory
 * stays bounded on both sides). The joiner is ready when every stream ended or its sender left, or
 * when {@link EngineConfig#stateTransferTimeout()} passed (logged with what is missing). Deltas
 * that arrive meanwhile are applied as usual; an older record from the stream is then ignored.
 */
final class StateTransfer {
  private final ReplicationEngine engine;
  private final Set<Member> awaiting = new HashSet<>();
  private volatile boolean ready;

  StateTransfer(ReplicationEngine engine) {
    this.engine = engine;
  }

  boolean isReady() {
    return ready;
  }

  void markReady() {
    ready = true;
  }

  /** Asks every other member for its sessions and waits (bounded) for the streams to end. */
  void joinAndWait(View view) {
    List<Member> others = engine.others(view);
    if (others.isEmpty()) {
      ready = true;
      return;
    }
    long t0 = System.nanoTime();
    ReplicationEngine.LOG.log(
        Level.INFO, "state transfer start: asking " + others.size() + " members for sessions");
    synchronized (awaiting) {
      awaiting.addAll(others);
    }
    byte[] ask = engine.codec.encode(Frame.of(new Op.StateRequest()));
    List<CompletableFuture<Replies>> asks = new ArrayList<>();
    for (Member m : others) {
      asks.add(
          engine
              .channel
              .request(List.of(m), ask, engine.config.syncTimeout())
              .whenComplete((r, err) -> onAnswer(m, r, err)));
    }
    long deadline = t0 + engine.config.stateTransferTimeout().toNanos();
    boolean complete;
    synchronized (awaiting) {
      while (!awaiting.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        try {
          awaiting.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      complete = awaiting.isEmpty();
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    if (complete) {
      ReplicationEngine.LOG.log(
          Level.INFO,
          "state transfer done: "
              + engine.counters.transferReceived()
              + " sessions from "
              + others.size()
              + " members in "
              + ms
              + " ms");
    } else {
      List<Member> missing;
      synchronized (awaiting) {
        missing = new ArrayList<>(awaiting);
      }
      ReplicationEngine.LOG.log(
          Level.WARNING,
          "state transfer incomplete after "
              + ms
              + " ms (stateTransferTimeout): received "
              + engine.counters.transferReceived()
              + " of "
              + engine.counters.transferExpected()
              + " sessions, streams from "
              + missing
              + " did not finish — starting with what arrived; missing sessions are fetched on"
              + " first use");
    }
    ready = true;
  }

  private void onAnswer(Member m, Replies r, Throwable err) {
    if (err != null || r == null || !r.replies().containsKey(m)) {
      done(m);
      return;
    }
    try {
      for (Op op : engine.codec.decode(r.replies().get(m)).ops()) {
        if (op instanceof Op.Expect e) {
          engine.counters.transferExpected.addAndGet(e.count());
        }
      }
    } catch (MalformedFrameException e) {
      engine.counters.malformedFrames.increment();
      done(m);
    }
  }

  private void done(Member m) {
    synchronized (awaiting) {
      awaiting.remove(m);
      awaiting.notifyAll();
    }
  }

  /** Members that left cannot finish their streams. */
  void onView(View cur) {
    synchronized (awaiting) {
      if (awaiting.removeIf(m -> !cur.contains(m))) {
        awaiting.notifyAll();
      }
    }
  }

  /** A chunk of a stream from a member (channel thread; blocking here slows the sender down). */
  void onChunk(Member from, String topic, long streamId, long seq, byte[] chunk, boolean last) {
    if (!ReplicationEngine.STATE_TOPIC.equals(topic)) {
      return;
    }
    if (!engine.ensureLocal()) {
      throw Inbound.notConnected(); // the sender's stream fails; the rest is fetched on first use
    }
    if (last) {
      done(from);
      return;
    }
    engine.counters.bytesReceived.add(chunk.length);
    Frame frame;
    try {
      frame = engine.codec.decode(chunk);
    } catch (MalformedFrameException e) {
      engine.counters.malformedFrames.increment();
      return;
    }
    List<Op> ignored = new ArrayList<>();
    List<Runnable> flushes = new ArrayList<>();
    for (Op op : frame.ops()) {
      if (op instanceof Op.Full f) {
        engine.inbound.applyFull(from, f, ignored, flushes);
        engine.counters.transferReceived.increment();
      }
    }
    flushes.forEach(Runnable::run);
  }

  /** Streams every owned session to {@code to}, on a transfer thread. */
  void sendTo(Member to) {
    try {
      engine.bulk.execute(() -> stream(to));
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  private void stream(Member to) {
    long t0 = System.nanoTime();
    long sessions = 0;
    long bytes = 0;
    int limit = engine.config.transferChunkBytes();
    try (BulkSender out = engine.channel.openBulk(to, ReplicationEngine.STATE_TOPIC)) {
      List<Op> chunk = new ArrayList<>();
      long size = 0;
      for (Entry e : engine.sessions.map.values()) {
        if (!e.owned) {
          continue;
        }
        Op.Full f = new Op.Full(e.record, engine.me, e.term);
        long s = Estimate.of(f);
        if (!chunk.isEmpty() && size + s > limit) {
          byte[] b = engine.codec.encode(new Frame(chunk));
          out.write(b);
          bytes += b.length;
          chunk.clear();
          size = 0;
        }
        chunk.add(f);
        size += s;
        sessions++;
      }
      if (!chunk.isEmpty()) {
        byte[] b = engine.codec.encode(new Frame(chunk));
        out.write(b);
        bytes += b.length;
      }
      out.finish();
      engine.counters.bytesSent.add(bytes);
      ReplicationEngine.LOG.log(
          Level.INFO,
          "state transfer to "
              + to
              + ": "
              + sessions
              + " sessions, "
              + bytes
              + " bytes in "
              + (System.nanoTime() - t0) / 1_000_000
              + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      ReplicationEngine.LOG.log(
          Level.WARNING,
          "state transfer to "
              + to
              + " failed after "
              + sessions
              + " sessions: "
              + e.getMessage()
              + " — it fetches the rest on first use");
    }
  }
}
