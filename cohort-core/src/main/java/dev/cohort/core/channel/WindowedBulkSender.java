package dev.cohort.core.channel;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The sending half of a bulk stream for channel implementations: at most {@code window} chunks are
 * unacknowledged; the implementation delivers each chunk ({@link #sendChunk}) and reports the
 * receiver's acknowledgements ({@link #acked}) and failures ({@link #fail}). A wait longer than
 * {@code timeout}, a receiver that leaves, or a failing receiver handler fails the stream with a
 * {@link ChannelException}.
 */
public abstract class WindowedBulkSender implements BulkSender {
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

  protected WindowedBulkSender(
      Member target, String topic, long streamId, int window, Duration timeout) {
    this.target = Objects.requireNonNull(target, "target");
    this.topic = Objects.requireNonNull(topic, "topic");
    this.streamId = streamId;
    if (window < 1) {
      throw new IllegalArgumentException("window: " + window + " must be at least 1");
    }
    this.window = window;
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  /** Delivers chunk {@code seq} to the target; called outside the sender's lock, in order. */
  protected abstract void sendChunk(long seq, byte[] chunk, boolean last);

  /** The stream ended (finished or closed): the channel forgets it. */
  protected abstract void ended();

  public final Member target() {
    return target;
  }

  public final String topic() {
    return topic;
  }

  public final long streamId() {
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
      ended();
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
    ended();
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
    sendChunk(seq, chunk, last);
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

  /** The receiver acknowledged chunk {@code seq}; {@code error} when its handler failed on it. */
  public final void acked(long seq, String error) {
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

  /** Fails the stream (the receiver left, the channel closed): a waiting writer throws. */
  public final void fail(String why) {
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
