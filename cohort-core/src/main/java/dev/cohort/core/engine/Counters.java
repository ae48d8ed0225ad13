package dev.cohort.core.engine;

import dev.cohort.core.channel.DroppedFrames;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The engine's counters ({@link LongAdder}s, cheap to bump from many threads) and gauges (computed
 * on read by the engine). Nothing here identifies a session.
 */
final class Counters implements EngineStats {
  final LongAdder deltasSent = new LongAdder();
  final LongAdder deltasApplied = new LongAdder();
  final LongAdder bytesSent = new LongAdder();
  final LongAdder bytesReceived = new LongAdder();
  final LongAdder gaps = new LongAdder();

  /** Replicas left following a departed owner, adopted by the periodic check (see Expiry). */
  final LongAdder orphansAdopted = new LongAdder();

  final LongAdder conflicts = new LongAdder();
  final LongAdder takeovers = new LongAdder();
  final LongAdder expired = new LongAdder();
  final LongAdder syncTimeouts = new LongAdder();
  final LongAdder malformedFrames = new LongAdder();
  final LongAdder ackCount = new LongAdder();
  final LongAdder ackNanosTotal = new LongAdder();
  final AtomicLong ackNanosMax = new AtomicLong();
  final LongAdder transferReceived = new LongAdder();
  final AtomicLong transferExpected = new AtomicLong();
  final LongAdder storeFailures = new LongAdder();

  /** Claim messages sent (one per member asked by a take-over). */
  final LongAdder claimsSent = new LongAdder();

  /** Look-ups of unknown sessions refused because maxLookups were running. */
  final LongAdder lookupsRefused = new LongAdder();

  /** Take-overs that asked the store (no member had the session). */
  final LongAdder storeLookups = new LongAdder();

  private final IntSupplier owned;
  private final IntSupplier replicas;
  private final IntSupplier unprotected;
  private final LongSupplier held;
  private final Supplier<DroppedFrames> channelDrops;
  private final LongSupplier refusals;

  Counters(
      IntSupplier owned,
      IntSupplier replicas,
      IntSupplier unprotected,
      LongSupplier held,
      Supplier<DroppedFrames> channelDrops,
      LongSupplier refusals) {
    this.owned = owned;
    this.replicas = replicas;
    this.unprotected = unprotected;
    this.held = held;
    this.channelDrops = channelDrops;
    this.refusals = refusals;
  }

  void ack(long nanos) {
    ackCount.increment();
    ackNanosTotal.add(nanos);
    ackNanosMax.accumulateAndGet(nanos, Math::max);
  }

  @Override
  public int ownedSessions() {
    return owned.getAsInt();
  }

  @Override
  public int replicaSessions() {
    return replicas.getAsInt();
  }

  @Override
  public int unprotectedSessions() {
    return unprotected.getAsInt();
  }

  @Override
  public long heldBytes() {
    return held.getAsLong();
  }

  @Override
  public long deltasSent() {
    return deltasSent.sum();
  }

  @Override
  public long deltasApplied() {
    return deltasApplied.sum();
  }

  @Override
  public long bytesSent() {
    return bytesSent.sum();
  }

  @Override
  public long bytesReceived() {
    return bytesReceived.sum();
  }

  @Override
  public long gaps() {
    return gaps.sum();
  }

  @Override
  public long conflicts() {
    return conflicts.sum();
  }

  @Override
  public long takeovers() {
    return takeovers.sum();
  }

  @Override
  public long expired() {
    return expired.sum();
  }

  @Override
  public long syncTimeouts() {
    return syncTimeouts.sum();
  }

  @Override
  public long malformedFrames() {
    return malformedFrames.sum();
  }

  @Override
  public DroppedFrames channelDrops() {
    return channelDrops.get();
  }

  @Override
  public long deserializationRefusals() {
    return refusals.getAsLong();
  }

  @Override
  public long ackCount() {
    return ackCount.sum();
  }

  @Override
  public long ackNanosTotal() {
    return ackNanosTotal.sum();
  }

  @Override
  public long ackNanosMax() {
    return ackNanosMax.get();
  }

  @Override
  public long transferReceived() {
    return transferReceived.sum();
  }

  @Override
  public long transferExpected() {
    return transferExpected.get();
  }

  @Override
  public long claimsSent() {
    return claimsSent.sum();
  }

  @Override
  public long lookupsRefused() {
    return lookupsRefused.sum();
  }

  @Override
  public long storeLookups() {
    return storeLookups.sum();
  }

  @Override
  public String toString() {
    return "EngineStats[owned="
        + ownedSessions()
        + ", replicas="
        + replicaSessions()
        + ", unprotected="
        + unprotectedSessions()
        + ", deltasSent="
        + deltasSent()
        + ", deltasApplied="
        + deltasApplied()
        + ", gaps="
        + gaps()
        + ", conflicts="
        + conflicts()
        + ", takeovers="
        + takeovers()
        + ", expired="
        + expired()
        + ", malformed="
        + malformedFrames()
        + "]";
  }
}
