package dev.cohort.jgroups;

import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * What the sealing layers of one channel dropped, by reason, with at most one WARNING per reason
 * per minute (an attacker must not be able to flood the log). Thread-safe.
 */
final class SealCounters {
  private static final System.Logger LOG = System.getLogger(SealCounters.class.getName());
  private static final long LOG_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

  /** Why a frame was dropped. */
  enum Drop {
    MALFORMED("did not decode, or named an address or flag that did not match the frame"),
    UNAUTHENTICATED(
        "failed authentication — a member with another secret or cluster name, or tampering;"
            + " check that every member has the same secret"),
    REPLAYED("were authentic but received before — a replay, or a duplicated packet"),
    STALE(
        "were authentic but sent too long ago or too far ahead of this member's clock — a replay"
            + " of an old frame, or member clocks that disagree; keep them in sync (NTP)"),
    AWAITING_KEY("named a salt whose keys were being derived; they are retransmitted"),
    JOIN_REFUSED(
        "were membership requests or responses whose challenge-response proof failed or was"
            + " missing");

    final String why;

    Drop(String why) {
      this.why = why;
    }
  }

  private final String node;
  private final LongSupplier nanos;
  private final LongAdder[] counts = new LongAdder[Drop.values().length];
  private final AtomicLong[] loggedAt = new AtomicLong[Drop.values().length];
  private final AtomicLong[] loggedCount = new AtomicLong[Drop.values().length];

  SealCounters(String node, LongSupplier nanos) {
    this.node = node;
    this.nanos = nanos;
    long now = nanos.getAsLong();
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new LongAdder();
      loggedAt[i] = new AtomicLong(now - LOG_EVERY_NANOS);
      loggedCount[i] = new AtomicLong();
    }
  }

  /** Counts a dropped frame from {@code from} ({@code detail}: what was seen, never a payload). */
  void drop(Drop reason, Object from, String detail) {
    int i = reason.ordinal();
    counts[i].increment();
    if (reason == Drop.AWAITING_KEY) {
      return; // expected whenever a member with a new salt shows up
    }
    long now = nanos.getAsLong();
    long last = loggedAt[i].get();
    if (now - last >= LOG_EVERY_NANOS && loggedAt[i].compareAndSet(last, now)) {
      long total = counts[i].sum();
      long since = total - loggedCount[i].getAndSet(total);
      LOG.log(
          Level.WARNING,
          () ->
              "cluster channel "
                  + node
                  + " dropped "
                  + since
                  + " frame(s) in the last minute that "
                  + reason.why
                  + " [last from "
                  + from
                  + (detail == null ? "" : ", " + detail)
                  + "]");
    }
  }

  long count(Drop reason) {
    return counts[reason.ordinal()].sum();
  }
}
