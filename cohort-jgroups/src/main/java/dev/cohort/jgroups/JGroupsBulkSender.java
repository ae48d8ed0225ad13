package dev.cohort.jgroups;

import dev.cohort.core.channel.BulkSender;
import dev.cohort.core.channel.ChannelException;
import dev.cohort.core.channel.Member;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * A bulk stream as ordinary (FIFO) messages with an acknowledgement window: at most {@code window}
 * chunks are unacknowledged; the receiver acknowledges a chunk (out of band) when its handler
 * returned. A wait longer than {@code timeout}, a receiver that leaves the view, or a failing
 * receiver handler fails the stream with a {@link ChannelException}.
 */
final class JGroupsBulkSender implements BulkSender {
  private final JGroupsChannel channel;
  private final Member target;
  private final String topic;
  private final long streamId;
  private final int window;
  private final Duration timeout;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();

  // guarded by lock
  private long nextSeq;
  private long inFlight;
  private String failure;
  private boolean done;

  JGroupsBulkSender(
      JGroupsChannel channel,
      Member target,
      String topic,
      long streamId,
      int window,
      Duration timeout) {
    this.channel = channel;
    this.target = target;
    this.topic = topic;
    this.streamId = streamId;
    this.window = window;
    this.timeout = timeout;
  }

  Member target() {
    return target;
  }

  long streamId() {
    return streamId;
  }

  @Override
  public void write(byte[] chunk) throws InterruptedException {
    push(Objects.requireNonNull(chunk, "chunk"), false);
  }

  @Override
  public void finish() throws InterruptedException {
    try {
      push(new byte[0], true);
      lock.lock();
      try {
        awaitUntil(() -> inFlight == 0, "the last acknowledgement");
        done = true;
      } finally {
        lock.unlock();
      }
    } finally {
      channel.removeBulk(this);
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (!done) {
        done = true;
        failure = "the stream was closed";
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
    channel.removeBulk(this);
  }

  private void push(byte[] chunk, boolean last) throws InterruptedException {
    long seq;
    lock.lock();
    try {
      if (done) {
        throw new IllegalStateException(
            "bulk write failed [target "
                + target
                + ", topic "
                + topic
                + "]: the stream is "
                + (failure == null ? "finished" : "closed")
                + " — open a new stream");
      }
      awaitUntil(() -> inFlight < window, "a window slot");
      inFlight++;
      seq = nextSeq++;
    } finally {
      lock.unlock();
    }
    channel.sendChunk(target, new Frame.Chunk(streamId, seq, last, topic, chunk));
  }

  private void awaitUntil(BooleanSupplier ready, String what) throws InterruptedException {
    long remaining = timeout.toNanos();
    while (failure == null && !ready.getAsBoolean()) {
      if (remaining <= 0) {
        failure = "no acknowledgement for " + timeout.toMillis() + " ms";
        break;
      }
      remaining = changed.awaitNanos(remaining);
    }
    if (failure != null) {
      done = true;
      throw new ChannelException(
          "bulk stream failed [target "
              + target
              + ", topic "
              + topic
              + ", stream "
              + streamId
              + ", waiting for "
              + what
              + ", "
              + inFlight
              + " chunks unacknowledged]: "
              + failure
              + " — the receiver is gone, stuck or too slow; restart the transfer");
    }
  }

  void acked(long seq, String error) {
    lock.lock();
    try {
      inFlight--;
      if (error != null && failure == null) {
        failure = "the receiver's handler failed on chunk " + seq + ": " + error;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  void fail(String why) {
    lock.lock();
    try {
      if (failure == null) {
        failure = why;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
